package tui

import (
	"strings"
	"unicode/utf8"
)

// lineEdit is the command line's editor: text, a cursor, history and tab
// completion. It is small on purpose: no blinking, no virtual cursor, so
// the cached frame stays valid between keystrokes.
type lineEdit struct {
	text    []rune
	cursor  int
	history []string
	hpos    int // index into history while browsing; len(history) = editing
	saved   string
}

// maxHistory bounds the command history.
const maxHistory = 200

func (e *lineEdit) value() string { return string(e.text) }

func (e *lineEdit) set(s string) {
	e.text = []rune(s)
	e.cursor = len(e.text)
}

func (e *lineEdit) reset() {
	e.text, e.cursor = nil, 0
	e.hpos = len(e.history)
}

func (e *lineEdit) insert(s string) {
	r := []rune(s)
	e.text = append(e.text[:e.cursor], append(r, e.text[e.cursor:]...)...)
	e.cursor += len(r)
}

func (e *lineEdit) backspace() {
	if e.cursor > 0 {
		e.text = append(e.text[:e.cursor-1], e.text[e.cursor:]...)
		e.cursor--
	}
}

func (e *lineEdit) deleteForward() {
	if e.cursor < len(e.text) {
		e.text = append(e.text[:e.cursor], e.text[e.cursor+1:]...)
	}
}

// deleteWord removes the word before the cursor (ctrl+w).
func (e *lineEdit) deleteWord() {
	i := e.cursor
	for i > 0 && e.text[i-1] == ' ' {
		i--
	}
	for i > 0 && e.text[i-1] != ' ' {
		i--
	}
	e.text = append(e.text[:i], e.text[e.cursor:]...)
	e.cursor = i
}

func (e *lineEdit) left() {
	if e.cursor > 0 {
		e.cursor--
	}
}

func (e *lineEdit) right() {
	if e.cursor < len(e.text) {
		e.cursor++
	}
}

// remember adds a command to the history (not repeating the last one).
func (e *lineEdit) remember(s string) {
	if s == "" || (len(e.history) > 0 && e.history[len(e.history)-1] == s) {
		e.hpos = len(e.history)
		return
	}
	e.history = append(e.history, s)
	if len(e.history) > maxHistory {
		e.history = e.history[len(e.history)-maxHistory:]
	}
	e.hpos = len(e.history)
}

// prev and next browse the history.
func (e *lineEdit) prev() {
	if e.hpos == len(e.history) {
		e.saved = e.value()
	}
	if e.hpos > 0 {
		e.hpos--
		e.set(e.history[e.hpos])
	}
}

func (e *lineEdit) next() {
	if e.hpos < len(e.history) {
		e.hpos++
		if e.hpos == len(e.history) {
			e.set(e.saved)
		} else {
			e.set(e.history[e.hpos])
		}
	}
}

// complete extends the word at the end of the line with the candidates'
// common prefix; it returns the candidates when there is no single one.
func (e *lineEdit) complete(candidates func(words []string, partial string) []string) []string {
	line := string(e.text[:e.cursor])
	words := strings.Fields(line)
	partial := ""
	if len(words) > 0 && !strings.HasSuffix(line, " ") {
		partial = words[len(words)-1]
		words = words[:len(words)-1]
	}
	var matches []string
	for _, c := range candidates(words, partial) {
		if strings.HasPrefix(c, partial) {
			matches = append(matches, c)
		}
	}
	if len(matches) == 0 {
		return nil
	}
	common := matches[0]
	for _, m := range matches[1:] {
		for !strings.HasPrefix(m, common) {
			_, size := utf8.DecodeLastRuneInString(common)
			common = common[:len(common)-size]
		}
	}
	if len(matches) == 1 {
		common += " "
	}
	e.insert(strings.TrimPrefix(common, partial))
	if len(matches) == 1 {
		return nil
	}
	return matches
}
