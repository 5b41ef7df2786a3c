package lang

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The parser follows portus's nom grammar (src/lang/ast.rs, prog.rs)
// combinator for combinator, so that it accepts exactly the same texts
// and reads them the same way; where portus's error would be a bare
// "compile error", it tracks the farthest place parsing failed and what
// would have been accepted there.

// decl is one variable declaration of (def …).
type decl struct {
	pos      int
	volatile bool
	name     string // members of the Report struct get "Report." in front
	init     *node  // an atom
}

// event is one (when cond body…) clause.
type event struct {
	pos  int
	cond *node
	body []*node
}

// syntax is a parsed program.
type syntax struct {
	decls  []decl // the Report struct's members, then the others in order
	events []event
}

type parser struct {
	src    string
	failAt int      // the farthest offset where something failed
	showAt int      // where the error points (failAt but for unclosed parentheses)
	msg    string   // a specific message for the failure at failAt
	expect []string // else what would have been accepted at failAt
}

// parse reads a whole program: (def …), then one or more (when …).
func parse(src string) (*syntax, error) {
	p := &parser{src: src, failAt: -1}
	decls, pos, ok := p.defs(0)
	if !ok {
		return nil, p.err()
	}
	syn := &syntax{decls: decls}
	for {
		q := p.ms(pos)
		c, hadComment := q, false
		if _, e, ok := p.comment(q); ok {
			c, hadComment = e, true
		}
		ev, e, ok := p.event(c)
		if !ok {
			r := p.ms(c)
			atEnd := r == len(src)
			switch {
			case len(syn.events) == 0 && (atEnd || src[r] == '#' && !hadComment):
				p.problem(r, r, "no (when …) clause: a program needs at least one after its (def …)")
			case atEnd && hadComment:
				p.problem(r, q, "a comment after the last (when …) clause is not allowed (portus's parser rejects it)")
			case !atEnd && src[r] == '#' && hadComment:
				p.problem(r, r, "only one comment line may stand before a (when …) clause (portus's parser rejects more)")
			case !atEnd && src[r] == '#':
				p.problem(r, r, "a comment after the last (when …) clause is not allowed (portus's parser rejects it)")
			default:
				p.expected(r, "(when …)")
			}
			break
		}
		syn.events = append(syn.events, ev)
		pos = e
	}
	if len(syn.events) == 0 || pos != len(src) {
		return nil, p.err()
	}
	return syn, nil
}

// expected notes that what would have been accepted at offset at.
func (p *parser) expected(at int, what string) {
	if at > p.failAt {
		p.failAt, p.showAt, p.msg, p.expect = at, at, "", p.expect[:0]
	}
	if at == p.failAt && !slices.Contains(p.expect, what) {
		p.expect = append(p.expect, what)
	}
}

// problem notes a failure at offset at with a specific message, pointing
// at offset show.
func (p *parser) problem(at, show int, msg string) {
	if at > p.failAt {
		p.failAt, p.showAt, p.msg, p.expect = at, show, msg, p.expect[:0]
	} else if at == p.failAt && p.msg == "" {
		p.showAt, p.msg = show, msg
	}
}

// err is the error for the farthest failure.
func (p *parser) err() *Error {
	switch {
	case p.msg != "":
		return errorAt(p.src, p.showAt, "%s", p.msg)
	case len(p.expect) == 0:
		return errorAt(p.src, max(p.failAt, 0), "syntax error")
	}
	list := p.expect[0]
	if n := len(p.expect); n > 1 {
		list = strings.Join(p.expect[:n-1], ", ") + " or " + p.expect[n-1]
	}
	return errorAt(p.src, p.failAt, "expected %s, found %s", list, p.found(p.failAt))
}

// found describes what stands at offset at.
func (p *parser) found(at int) string {
	if at >= len(p.src) {
		return "the end of the program"
	}
	if isSpace(p.src[at]) {
		return "whitespace"
	}
	tok := p.token(at)
	if tok == "" {
		tok = p.src[at : at+1]
	}
	return strconv.Quote(tok)
}

// token is the run of characters at offset at up to whitespace or a
// parenthesis.
func (p *parser) token(at int) string {
	e := at
	for e < len(p.src) && !isSpace(p.src[e]) && p.src[e] != '(' && p.src[e] != ')' {
		e++
	}
	return p.src[at:e]
}

// closing notes a missing ")" at offset at closing the "(" at open. At the
// end of the program that is an unterminated parenthesis; otherwise msg
// (if any) says what else is wrong.
func (p *parser) closing(at, open int, msg string) {
	switch {
	case at >= len(p.src):
		p.problem(at, open, "unterminated parenthesis: this ( is never closed")
	case isSpace(p.src[at]):
		p.problem(at, at, "portus's parser allows no whitespace between (def and its )")
	case msg != "":
		p.problem(at, at, msg)
	default:
		p.expected(at, fmt.Sprintf(") to close the ( at %s", where(p.src, open)))
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// ms skips whitespace (nom's multispace0).
func (p *parser) ms(at int) int {
	for at < len(p.src) && isSpace(p.src[at]) {
		at++
	}
	return at
}

func (p *parser) tag(at int, s string) bool { return strings.HasPrefix(p.src[at:], s) }

// isNameRune says whether r may be part of a name. Portus truncates the
// character to a byte before asking whether it is ASCII alphanumeric, and
// so does this.
func isNameRune(r rune) bool {
	b := byte(r)
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || r == '.' || r == '_'
}

const reservedMsg = "names beginning with __ are reserved for the datapath's own registers"

// name reads a name at offset at; reserved says it began with "__".
func (p *parser) name(at int) (name string, end int, ok, reserved bool) {
	end = at
	for end < len(p.src) {
		r, n := utf8.DecodeRuneInString(p.src[end:])
		if !isNameRune(r) {
			break
		}
		end += n
	}
	name = p.src[at:end]
	switch {
	case name == "":
		return "", at, false, false
	case strings.HasPrefix(name, "__"):
		return "", at, false, true
	}
	return name, end, true, false
}

// atom reads true, false, +infinity, a number or a name at offset at;
// each matches as a prefix, in that order.
func (p *parser) atom(at int) (*node, int, bool) {
	s := p.src[at:]
	mk := func(n int, nd node) (*node, int, bool) {
		nd.pos, nd.text = at, s[:n]
		return &nd, at + n, true
	}
	switch {
	case strings.HasPrefix(s, "true"):
		return mk(4, node{kind: nodeBool, b: true})
	case strings.HasPrefix(s, "false"):
		return mk(5, node{kind: nodeBool})
	case strings.HasPrefix(s, "+infinity"):
		return mk(9, node{kind: nodeNum, num: math.MaxUint64})
	}
	d := 0
	for d < len(s) && '0' <= s[d] && s[d] <= '9' {
		d++
	}
	if d > 0 {
		if v, err := strconv.ParseUint(s[:d], 10, 64); err == nil {
			return mk(d, node{kind: nodeNum, num: v})
		}
		// Too big for a u64: portus then reads it as a name.
	}
	name, end, ok, reserved := p.name(at)
	if !ok {
		if reserved {
			p.problem(at, at, reservedMsg)
		}
		return nil, at, false
	}
	return mk(end-at, node{kind: nodeName, name: name})
}

// comment reads "#" up to (not including) a newline, which must follow.
func (p *parser) comment(at int) (*node, int, bool) {
	if !p.tag(at, "#") {
		return nil, at, false
	}
	i := strings.IndexByte(p.src[at:], '\n')
	if i < 0 {
		return nil, at, false
	}
	return &node{kind: nodeComment, pos: at, text: p.src[at : at+i]}, at + i, true
}

// expr reads an expression (a comment, an (op a b), a command or an atom)
// with the whitespace around it.
func (p *parser) expr(at int) (*node, int, bool) {
	q := p.ms(at)
	n, e, ok := p.comment(q)
	if !ok {
		n, e, ok = p.sexp(q)
	}
	if !ok {
		n, e, ok = p.command(q)
	}
	if !ok {
		n, e, ok = p.atom(q)
	}
	if !ok {
		p.expected(q, "an expression")
		return nil, at, false
	}
	return n, p.ms(e), true
}

// sexp reads (op left right).
func (p *parser) sexp(at int) (*node, int, bool) {
	if !p.tag(at, "(") {
		return nil, at, false
	}
	q := p.ms(at + 1)
	o, n, ok := matchOp(p.src[q:])
	if !ok {
		p.unknownOp(q)
		return nil, at, false
	}
	opText := p.src[q : q+n]
	q += n
	if (opText == ">" || opText == "<") && p.tag(q, "=") {
		p.problem(q, q-1, fmt.Sprintf("there is no operator %q: the language has no >=, <= or !=; combine (> a b) and (== a b) with ||", opText+"="))
	}
	l, q2, ok := p.expr(q)
	if !ok {
		if r := p.ms(q); p.tag(r, ")") {
			p.problem(r, r, fmt.Sprintf("(%s …) needs two operands, found none", opText))
		}
		return nil, at, false
	}
	r, q3, ok := p.expr(q2)
	if !ok {
		if p.tag(q2, ")") {
			p.problem(q2, q2, fmt.Sprintf("(%s …) needs two operands, found one", opText))
		}
		return nil, at, false
	}
	if !p.tag(q3, ")") {
		p.closing(q3, at, fmt.Sprintf("(%s …) takes two operands: expected ) after %s, found %s", opText, describe(r), p.found(q3)))
		return nil, at, false
	}
	return &node{kind: nodeSexp, pos: at, text: p.src[at : q3+1], op: o, opText: opText, l: l, r: r}, q3 + 1, true
}

// unknownOp notes that no operator stands at offset at.
func (p *parser) unknownOp(at int) {
	tok := p.token(at)
	switch tok {
	case "":
		if at < len(p.src) {
			p.expected(at, "an operator")
		}
	case "report", "fallthrough":
		// A command: command() reads it.
	case "when", "def", "Report":
		p.problem(at, at, fmt.Sprintf("found (%s where an expression should be: is a ) missing before it?", tok))
	case "=", "!=", "not", "!":
		p.problem(at, at, fmt.Sprintf("unknown operator %q: the language has no !=, not or other unary operators; the operators are %s", tok, operatorList))
	default:
		p.problem(at, at, fmt.Sprintf("unknown operator %q; the operators are %s, and the commands (report) and (fallthrough)", tok, operatorList))
	}
}

// command reads (report) or (fallthrough).
func (p *parser) command(at int) (*node, int, bool) {
	if !p.tag(at, "(") {
		return nil, at, false
	}
	q := p.ms(at + 1)
	var k nodeKind
	var word string
	switch {
	case p.tag(q, "fallthrough"):
		k, word = nodeFallthrough, "fallthrough"
	case p.tag(q, "report"):
		k, word = nodeReport, "report"
	default:
		return nil, at, false
	}
	q += len(word)
	if r, _ := utf8.DecodeRuneInString(p.src[q:]); q < len(p.src) && isNameRune(r) {
		return nil, at, false // a longer word: unknownOp has said so
	}
	q = p.ms(q)
	if !p.tag(q, ")") {
		p.closing(q, at, fmt.Sprintf("(%s) takes no operands: expected ), found %s", word, p.found(q)))
		return nil, at, false
	}
	return &node{kind: k, pos: at, text: p.src[at : q+1]}, q + 1, true
}

// decl reads ( [volatile] name init ) and the whitespace around it.
func (p *parser) decl(at int) (decl, int, bool) {
	p0 := p.ms(at)
	if !p.tag(p0, "(") {
		return decl{}, at, false
	}
	q := p.ms(p0 + 1)
	d := decl{pos: p0}
	if p.tag(q, "volatile") {
		d.volatile = true
		q = p.ms(q + len("volatile"))
	}
	name, e, ok, reserved := p.name(q)
	if !ok {
		if reserved {
			p.problem(q, q, reservedMsg)
		} else {
			p.expected(q, "a variable name")
		}
		return decl{}, at, false
	}
	d.name = name
	q = p.ms(e)
	init, e, ok := p.atom(q)
	if !ok {
		p.expected(q, "an initial value (a number, true, false or +infinity)")
		return decl{}, at, false
	}
	d.init = init
	q = p.ms(e)
	if !p.tag(q, ")") {
		p.closing(q, p0, "")
		return decl{}, at, false
	}
	return d, p.ms(q + 1), true
}

// decls reads declarations while there are any (nom's many0).
func (p *parser) decls(at int, ds []decl) ([]decl, int) {
	for {
		d, e, ok := p.decl(at)
		if !ok {
			return ds, at
		}
		ds, at = append(ds, d), e
	}
}

// reportStruct reads (Report decl…) and the whitespace around it.
func (p *parser) reportStruct(at int) ([]decl, int, bool) {
	p0 := p.ms(at)
	if !p.tag(p0, "(") {
		return nil, at, false
	}
	q := p.ms(p0 + 1)
	if !p.tag(q, "Report") {
		return nil, at, false
	}
	ds, q := p.decls(q+len("Report"), nil)
	q = p.ms(q)
	if len(ds) == 0 {
		if p.tag(q, ")") {
			p.problem(q, q, "the Report struct needs at least one variable")
		}
		return nil, at, false
	}
	if !p.tag(q, ")") {
		p.closing(q, p0, "")
		return nil, at, false
	}
	for i := range ds {
		ds[i].name = "Report." + ds[i].name
	}
	return ds, p.ms(q + 1), true
}

// defs reads (def decl… [(Report decl…)] decl…) and the whitespace around
// it. The Report struct's members come first in the result, as in portus.
func (p *parser) defs(at int) ([]decl, int, bool) {
	p0 := p.ms(at)
	if !p.tag(p0, "(") {
		if p.tag(p0, "#") {
			p.problem(p0, p0, "a program must start with (def …): portus allows no comment before it")
		} else {
			p.expected(p0, "(def …) declaring the program's variables")
		}
		return nil, at, false
	}
	q := p0 + 1
	if !p.tag(q, "def") {
		if p.tag(p.ms(q), "def") {
			p.problem(q, q, "write (def with no space after the parenthesis: portus's parser requires it")
		} else {
			p.expected(q, "def: a program starts with (def …) declaring its variables")
		}
		return nil, at, false
	}
	before, q := p.decls(q+len("def"), nil)
	rep, e, ok := p.reportStruct(q)
	if ok {
		q = e
	}
	after, q := p.decls(q, nil)
	if !p.tag(q, ")") {
		p.closing(q, p0, "")
		return nil, at, false
	}
	return append(append(rep, before...), after...), p.ms(q + 1), true
}

// event reads (when cond body…) and the whitespace around it.
func (p *parser) event(at int) (event, int, bool) {
	p0 := p.ms(at)
	if !p.tag(p0, "(") {
		return event{}, at, false
	}
	q := p.ms(p0 + 1)
	if !p.tag(q, "when") {
		if p.tag(q, "def") {
			p.problem(q, q, "only one (def …) is allowed, at the start of the program")
		} else {
			p.expected(q, "when")
		}
		return event{}, at, false
	}
	q += len("when")
	cond, q2, ok := p.expr(q)
	if !ok {
		if r := p.ms(q); p.tag(r, ")") {
			p.problem(r, r, "(when …) needs a condition and at least one statement")
		}
		return event{}, at, false
	}
	ev := event{pos: p0, cond: cond}
	q = q2
	for {
		n, e, ok := p.expr(q)
		if !ok {
			break
		}
		ev.body, q = append(ev.body, n), e
	}
	if len(ev.body) == 0 {
		if p.tag(q, ")") {
			p.problem(q, q, "(when …) needs at least one statement after its condition")
		}
		return event{}, at, false
	}
	q = p.ms(q)
	if !p.tag(q, ")") {
		p.closing(q, p0, "")
		return event{}, at, false
	}
	return ev, p.ms(q + 1), true
}
