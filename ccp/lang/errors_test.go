package lang

import (
	"errors"
	"strings"
	"testing"
)

// Each bad program fails with an *Error at the right place, saying what
// is wrong.
func TestErrors(t *testing.T) {
	const d = "(def (x 0))\n" // line 1 of most cases
	for _, c := range []struct {
		src       string
		line, col int
		msg       string
	}{
		// Syntax.
		{d + "(when true (foo x 1))", 2, 13, `unknown operator "foo"`},
		{d + "(when true (:= x (!= x 1)))", 2, 19, `unknown operator "!="`},
		{d + "(when (>= x 1) (report))", 2, 8, `no operator ">="`},
		{d + "(when true (:= x (+)))", 2, 20, "(+ …) needs two operands, found none"},
		{d + "(when true (:= x))", 2, 17, "(:= …) needs two operands, found one"},
		{d + "(when true (+ 1 2 3))", 2, 19, `(+ …) takes two operands: expected ) after 2, found "3"`},
		{d + "(when true (:= x (+ 1 x]))", 2, 24, `found "]"`},
		{d + "(when true\n  (:= x (+ x 1))", 2, 1, "unterminated parenthesis"},
		{d + "(when true (:= x (+ x 1)", 2, 12, "unterminated parenthesis"},
		{"(def (x 0)", 1, 1, "unterminated parenthesis"},
		{d + "(when true (report)\n(when true (report))", 3, 2, "found (when where an expression should be: is a ) missing before it?"},
		{"(when true (report))", 1, 2, "expected def"},
		{"# hi\n(def (x 0)) (when true (report))", 1, 1, "no comment before it"},
		{"( def (x 0))\n(when true (report))", 1, 2, "no space after the parenthesis"},
		{"(def )\n(when true (report))", 1, 5, "no whitespace between (def and its )"},
		{d, 2, 1, "no (when …) clause"},
		{d + "# nothing else", 2, 1, "no (when …) clause"},
		{d + "(def (y 0))\n(when true (report))", 2, 2, "only one (def …)"},
		{d + "(when true)", 2, 11, "needs at least one statement"},
		{d + "(when)", 2, 6, "needs a condition and at least one statement"},
		{"(def (Report))\n(when true (report))", 1, 13, "the Report struct needs at least one variable"},
		{"(def (x))\n(when true (report))", 1, 8, "expected an initial value"},
		{"(def (__x 0))\n(when true (report))", 1, 7, "names beginning with __ are reserved"},
		{d + "(when true (:= __shouldReport true))", 2, 16, "names beginning with __ are reserved"},
		{d + "(when true (:= x 1)) junk", 2, 22, `expected (when …), found "junk"`},
		{d + "# one\n# two\n(when true (report))", 3, 1, "only one comment line may stand before a (when …)"},
		{d + "(when true (report))\n# trailing\n", 3, 1, "a comment after the last (when …) clause is not allowed"},
		{d + "(when true (report))\n# trailing, no newline", 3, 1, "a comment after the last (when …) clause is not allowed"},
		{"(def (x 0))\xff(when true (report))", 1, 12, "not valid UTF-8"},
		// Declarations.
		{"(def (x 0) (x 1))\n(when true (report))", 1, 12, "x is declared twice (first at line 1, column 6)"},
		{"(def (Report (a 0)) (Report.a 1))\n(when true (report))", 1, 21, "Report.a is declared twice"},
		{"(def (Cwnd 0))\n(when true (report))", 1, 6, "Cwnd is a built-in register"},
		{"(def (x y))\n(when true (report))", 1, 9, "must be a number, true, false or +infinity, not the name y"},
		{"(def (x 4294967295))\n(when true (report))", 1, 9, "the number 4294967295 is too big"},
		// Names.
		{d + "(when true (:= x zz))", 2, 18, "undefined variable zz"},
		{d + "(when true (:= x (+ y 1)) (:= y 2))", 2, 21, "y is read before it is bound"},
		{d + "(when true (:= a b) (:= b 1))", 2, 18, "cannot bind a to b: neither has a value yet"},
		{d + "(when true (:= Report.x 1))", 2, 16, "Report.x is not declared"},
		{d + "(when true (:= x Flow.rtt_sample))", 2, 18, "unknown primitive Flow.rtt_sample"},
		{d + "(when true (:= Ack.now 1))", 2, 16, "cannot bind to Ack.now: primitives are read-only"},
		{d + "(when true (:= 5 1))", 2, 16, "cannot bind to 5"},
		// Types.
		{d + "(when (> Flow.was_timeout 1) (report))", 2, 10, "type mismatch: (> …) needs Num operands, but Flow.was_timeout is Bool"},
		{d + "(when (&& (> x 1) x) (report))", 2, 19, "type mismatch: (&& …) needs Bool operands, but x is Num"},
		{d + "(when (or true (+ 1 2)) (report))", 2, 16, "(or …) needs Bool operands, but (+ 1 2) is Num"},
		{d + "(when (+ 1 2) (report))", 2, 7, "a when condition must be Bool, but (+ 1 2) is Num"},
		{d + "(when 5 (report))", 2, 7, "a when condition must be Bool, but 5 is Num"},
		{"(def (Report (volatile timeout false)))\n(when Report.timeout (report))", 2, 7, "not the bare variable Report.timeout (portus cannot compile that): write (&& Report.timeout true)"},
		{d + "(when x (report))", 2, 7, "write (> x 0)"},
		{d + "(when (report) (:= x 1))", 2, 7, "(report) is a statement and cannot be part of a when condition"},
		{d + "(when (&& true (fallthrough)) (:= x 1))", 2, 16, "(fallthrough) is a statement"},
		{d + "(when true # hello\n  (:= x 1))", 2, 12, "comments are not allowed inside a (when …)"},
		// if, !if, ewma.
		{d + "(when true (:= x (+ 1 (if true 2))))", 2, 23, "(if true 2) cannot be an operand"},
		{d + "(when true (:= x (ewma (!if true 2) 3)))", 2, 24, "(!if true 2) cannot be an operand"},
		{d + "(when true (if true 2))", 2, 12, "does nothing on its own"},
		{d + "(when true (ewma 1 2))", 2, 12, "does nothing on its own"},
		{d + "(when true (:= Cwnd (ewma 2 Flow.rtt_sample_us)))", 2, 12, "can only be bound to a Report or control variable, not to Cwnd"},
		{d + "(when true (:= y (if true 1)))", 2, 12, "can only be bound to a Report or control variable, not to y"},
		{d + "(when true (:= (+ 1 2) (if true 1)))", 2, 12, "can only be bound to a Report or control variable"},
		{d + "(when (if true true) (report))", 2, 7, "a when condition must be Bool"},
		// Limits.
		{d + "(when true (:= x 2147483648))", 2, 18, "the number 2147483648 is too big"},
		{d + "(when true (:= a 1) (:= b 1) (:= c 1) (:= d 1) (:= e 1) (:= f 1) (:= g 1))", 2, 66, "too many local variables: portus allows 6, and g is the 7th"},
		{"(def (Report (a 0) (b 0) (c 0) (d 0) (e 0) (f 0) (g 0) (h 0) (i 0) (j 0) (k 0) (l 0) (m 0) (n 0) (o 0) (p 0) (q 0)))\n(when true (report))", 1, 110, "too many Report variables: portus numbers them 0 to 15, and Report.q is number 16"},
		{"(def (a 0) (b 0) (c 0) (d 0) (e 0) (f 0) (g 0) (h 0) (i 0) (j 0) (k 0) (l 0) (m 0) (n 0) (o 0) (p 0) (q 0))\n(when true (report))", 1, 102, "too many control variables"},
		{d + "(when true (:= x " + strings.Repeat("(+ 1 ", 17) + "1" + strings.Repeat(")", 17) + "))", 2, 18, "more than 16 temporary registers"},
		{d + "(when true" + strings.Repeat(" (:= x 1)", 256) + ")", 2, 2298, "compiles to 258 instructions; libccp holds at most 256"},
		{d + strings.Repeat("(when true (:= x 1))", 257), 2, 1 + 256*20, "too many (when …) clauses: libccp holds at most 256"},
	} {
		_, err := Compile(c.src)
		name := c.src
		if len(name) > 120 {
			name = name[:120] + "…"
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: error %v, want an *Error", name, err)
			continue
		}
		if e.Line != c.line || e.Col != c.col || !strings.Contains(e.Msg, c.msg) {
			t.Errorf("%q:\n got %v\nwant line %d, column %d: …%s…", name, err, c.line, c.col, c.msg)
		}
	}
}
