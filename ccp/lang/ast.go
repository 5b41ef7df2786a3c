package lang

import "strings"

// nodeKind is what an expression node is.
type nodeKind uint8

const (
	nodeNum         nodeKind = iota // a number or +infinity
	nodeBool                        // true or false
	nodeName                        // a variable
	nodeSexp                        // (op left right)
	nodeReport                      // (report)
	nodeFallthrough                 // (fallthrough)
	nodeComment                     // # … (portus parses it as an expression)
)

// node is one expression of a program's source.
type node struct {
	kind   nodeKind
	pos    int    // byte offset where it starts
	text   string // its source text
	num    uint64 // nodeNum; +infinity is MaxUint64, as in portus
	b      bool   // nodeBool
	name   string // nodeName
	op     op     // nodeSexp
	opText string // nodeSexp: the operator as written
	l, r   *node  // nodeSexp operands
}

// op is an operator of the language (And, Or and the rest are not all
// opcodes: && and || compile to MUL and ADD).
type op uint8

const (
	opAdd op = iota
	opAnd
	opBind
	opDiv
	opEquiv
	opEwma
	opGt
	opIf
	opLt
	opMax
	opMaxWrap
	opMin
	opMul
	opNotIf
	opOr
	opSub
)

// matchOp matches an operator at the start of s the way portus does: the
// spellings are tried in portus's order and each matches as a prefix. It
// returns the operator and the length of its spelling.
func matchOp(s string) (op, int, bool) {
	for _, t := range [...]struct {
		tag string
		op  op
	}{
		{"+", opAdd}, {"add", opAdd},
		{"&&", opAnd}, {"and", opAnd},
		{":=", opBind}, {"bind", opBind},
		{"if", opIf},
		{"/", opDiv}, {"div", opDiv},
		{"==", opEquiv}, {"eq", opEquiv},
		{"ewma", opEwma},
		{">", opGt}, {"gt", opGt},
		{"<", opLt}, {"lt", opLt},
		{"wrapped_max", opMaxWrap},
		{"max", opMax},
		{"min", opMin},
		{"*", opMul}, {"mul", opMul},
		{"||", opOr}, {"or", opOr},
		{"!if", opNotIf},
		{"-", opSub}, {"sub", opSub},
	} {
		if strings.HasPrefix(s, t.tag) {
			return t.op, len(t.tag), true
		}
	}
	return 0, 0, false
}

// operatorList names the operators for error messages.
const operatorList = "+ - * / (add sub mul div), && || (and or), == > < (eq gt lt), max min wrapped_max, := (bind), if !if ewma"

// describe is a node's source text, shortened for a message.
func describe(n *node) string {
	s := strings.Join(strings.Fields(n.text), " ")
	if r := []rune(s); len(r) > 40 {
		s = string(r[:37]) + "…"
	}
	return s
}
