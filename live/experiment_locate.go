// experiment_locate.go owns finding where each key of a TOML experiment is
// written, so that errors can name the line. The TOML library reports
// lines only for syntax errors, so locateKeys scans the (already parsed,
// hence valid) text itself: table headers, arrays of tables, dotted keys,
// inline tables and arrays, strings of every kind and comments. It never
// fails: a key it cannot place simply has no line, and callers fall back
// to the nearest enclosing key.
package live

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// expLines maps field paths ("uplink.capacity", "flow[2].scheme") to the
// 1-based line where they are written.
type expLines map[string]int

// line is the line of path, or of its nearest enclosing key, or 0.
func (ls expLines) line(path string) int {
	for path != "" {
		if n, ok := ls[path]; ok {
			return n
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// expPath appends a key to a field path.
func expPath(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// expIndex appends an array index to a field path.
func expIndex(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

type expLocator struct {
	src    string
	pos    int
	nl     []int          // offsets of every '\n'
	lines  expLines       // result
	arrays map[string]int // array-of-tables path → entries so far
}

// locateKeys finds the line of every key in a TOML document.
func locateKeys(src string) expLines {
	l := &expLocator{src: src, lines: expLines{}, arrays: map[string]int{}}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			l.nl = append(l.nl, i)
		}
	}
	l.document()
	return l.lines
}

func (l *expLocator) lineAt(pos int) int { return sort.SearchInts(l.nl, pos) + 1 }

func (l *expLocator) record(path string, pos int) {
	if _, ok := l.lines[path]; !ok && path != "" {
		l.lines[path] = l.lineAt(pos)
	}
}

func (l *expLocator) more() bool { return l.pos < len(l.src) }
func (l *expLocator) peek() byte { return l.src[l.pos] }

func (l *expLocator) document() {
	table := ""
	for {
		l.skipSpaceNL()
		if !l.more() {
			return
		}
		start := l.pos
		if l.peek() == '[' {
			array := strings.HasPrefix(l.src[l.pos:], "[[")
			if array {
				l.pos += 2
			} else {
				l.pos++
			}
			table = l.header(l.key(), array)
			l.record(table, start)
		} else if keys := l.key(); len(keys) > 0 {
			path := l.dotted(table, keys, start)
			l.skipSpace()
			if l.more() && l.peek() == '=' {
				l.pos++
			}
			l.value(path)
		}
		l.skipLine()
	}
}

// header resolves a table header's keys to a path: every array of tables
// it passes through refers to its latest entry, and an array header adds
// an entry.
func (l *expLocator) header(keys []string, array bool) string {
	p := ""
	for i, k := range keys {
		p = expPath(p, k)
		if array && i == len(keys)-1 {
			n := l.arrays[p]
			l.arrays[p] = n + 1
			return expIndex(p, n)
		}
		if n, ok := l.arrays[p]; ok {
			p = expIndex(p, n-1)
		}
	}
	return p
}

// dotted records a dotted key and the tables it implies.
func (l *expLocator) dotted(prefix string, keys []string, pos int) string {
	p := prefix
	for _, k := range keys {
		p = expPath(p, k)
		l.record(p, pos)
	}
	return p
}

// key reads a possibly dotted key of bare and quoted parts.
func (l *expLocator) key() []string {
	var keys []string
	for {
		l.skipSpace()
		if !l.more() {
			return keys
		}
		switch c := l.peek(); {
		case c == '"':
			keys = append(keys, l.basicString())
		case c == '\'':
			keys = append(keys, l.literalString())
		case isBareKeyByte(c):
			start := l.pos
			for l.more() && isBareKeyByte(l.peek()) {
				l.pos++
			}
			keys = append(keys, l.src[start:l.pos])
		default:
			return keys
		}
		l.skipSpace()
		if !l.more() || l.peek() != '.' {
			return keys
		}
		l.pos++
	}
}

func isBareKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// value skips one value, recording the keys of inline tables in it.
func (l *expLocator) value(path string) {
	l.skipSpace()
	if !l.more() {
		return
	}
	switch l.peek() {
	case '"':
		if strings.HasPrefix(l.src[l.pos:], `"""`) {
			l.multiline(`"""`, true)
		} else {
			l.basicString()
		}
	case '\'':
		if strings.HasPrefix(l.src[l.pos:], `'''`) {
			l.multiline(`'''`, false)
		} else {
			l.literalString()
		}
	case '[':
		l.pos++
		for i := 0; ; {
			l.skipSpaceNL()
			if !l.more() {
				return
			}
			switch l.peek() {
			case ']':
				l.pos++
				return
			case ',':
				l.pos++
				continue
			}
			start := l.pos
			elem := expIndex(path, i)
			l.record(elem, start)
			l.value(elem)
			i++
			if l.pos == start {
				l.pos++
			}
		}
	case '{':
		l.pos++
		for {
			l.skipSpaceNL()
			if !l.more() {
				return
			}
			switch l.peek() {
			case '}':
				l.pos++
				return
			case ',':
				l.pos++
				continue
			}
			start := l.pos
			keys := l.key()
			if len(keys) == 0 {
				l.pos++
				continue
			}
			p := l.dotted(path, keys, start)
			l.skipSpace()
			if l.more() && l.peek() == '=' {
				l.pos++
			}
			l.value(p)
		}
	default: // number, boolean, date
		for l.more() && !strings.ContainsRune(" \t\r\n,]}#", rune(l.peek())) {
			l.pos++
		}
	}
}

// basicString reads a "..." string and gives its value (escapes decoded
// as far as a key needs; an undecodable key keeps its raw text).
func (l *expLocator) basicString() string {
	l.pos++ // opening quote
	start := l.pos
	for l.more() {
		switch l.peek() {
		case '\\':
			l.pos += 2
			continue
		case '"':
			raw := l.src[start:l.pos]
			l.pos++
			return unescapeTOML(raw)
		case '\n':
			return l.src[start:l.pos]
		}
		l.pos++
	}
	l.pos = len(l.src)
	return l.src[start:]
}

// literalString reads a '...' string.
func (l *expLocator) literalString() string {
	l.pos++
	start := l.pos
	for l.more() && l.peek() != '\'' && l.peek() != '\n' {
		l.pos++
	}
	s := l.src[start:l.pos]
	if l.more() && l.peek() == '\'' {
		l.pos++
	}
	return s
}

// multiline skips a """...""" or ”'...”' string; up to two quotes may
// directly precede the closing delimiter.
func (l *expLocator) multiline(delim string, escapes bool) {
	l.pos += 3
	for l.more() {
		if escapes && l.peek() == '\\' {
			l.pos += 2
			continue
		}
		if strings.HasPrefix(l.src[l.pos:], delim) {
			l.pos += 3
			for i := 0; i < 2 && l.more() && l.peek() == delim[0]; i++ {
				l.pos++
			}
			return
		}
		l.pos++
	}
	l.pos = len(l.src)
}

// skipSpace skips blanks on the current line.
func (l *expLocator) skipSpace() {
	for l.more() && (l.peek() == ' ' || l.peek() == '\t') {
		l.pos++
	}
}

// skipSpaceNL skips blanks, line ends and comments.
func (l *expLocator) skipSpaceNL() {
	for l.more() {
		switch l.peek() {
		case ' ', '\t', '\r', '\n':
			l.pos++
		case '#':
			l.skipLine()
		default:
			return
		}
	}
}

// skipLine moves past the end of the current line.
func (l *expLocator) skipLine() {
	if l.pos > len(l.src) {
		l.pos = len(l.src)
	}
	if i := strings.IndexByte(l.src[l.pos:], '\n'); i >= 0 {
		l.pos += i + 1
		return
	}
	l.pos = len(l.src)
}

// unescapeTOML decodes the escapes of a TOML basic string; on anything it
// does not understand it gives s unchanged.
func unescapeTOML(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) {
			return s
		}
		i++
		switch s[i] {
		case 'b':
			b.WriteByte('\b')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case 'e':
			b.WriteByte(0x1b)
		case '"', '\\':
			b.WriteByte(s[i])
		case 'x', 'u', 'U':
			n := 2
			switch s[i] {
			case 'u':
				n = 4
			case 'U':
				n = 8
			}
			if i+1+n > len(s) {
				return s
			}
			v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
			if err != nil || !utf8.ValidRune(rune(v)) {
				return s
			}
			b.WriteRune(rune(v))
			i += n
		default:
			return s
		}
	}
	return b.String()
}
