package lang

import (
	"fmt"
	"unicode/utf8"
)

// Error is a compile error at a place in the program's source.
type Error struct {
	Line, Col int    // 1-based; Col counts characters
	Msg       string // what is wrong and what was expected
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// errorAt makes an Error at byte offset off of src.
func errorAt(src string, off int, format string, a ...any) *Error {
	line, col := position(src, off)
	return &Error{Line: line, Col: col, Msg: fmt.Sprintf(format, a...)}
}

// position converts a byte offset into a 1-based line and column.
func position(src string, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	line, col = 1, 1
	for i := 0; i < off; {
		r, n := utf8.DecodeRuneInString(src[i:])
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i += n
	}
	return line, col
}

// where is "line L, column C" for byte offset off, for messages that point
// elsewhere (an unclosed parenthesis).
func where(src string, off int) string {
	l, c := position(src, off)
	return fmt.Sprintf("line %d, column %d", l, c)
}
