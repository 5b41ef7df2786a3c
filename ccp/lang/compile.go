package lang

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ccscope/ccscope/ccp/wire"
)

// The compiler follows portus's Bin::compile_prog and compile_expr
// (src/lang/datapath.rs): the DEF preamble, then for each (when …) its
// condition, whose last instruction is retargeted to __eventFlag, and its
// body; each expression compiled depth first, left operand first, its
// operator writing a fresh temporary numbered from 0 in each statement.

// instr is an instruction with the source offset it comes from.
type instr struct {
	op               wire.Op
	res, left, right reg
	pos              int
}

type compiler struct {
	src    string
	vars   map[string]*reg // declared variables and locals
	bound  map[string]bool // names some (:= name …) binds
	nLocal int
	nTmp   int
	inCond bool
	code   []instr
}

func (c *compiler) errorf(pos int, format string, a ...any) *Error {
	return errorAt(c.src, pos, format, a...)
}

// declare registers the variables of (def …) and emits the DEF preamble.
func (c *compiler) declare(decls []decl) (reports, controls []*reg, err error) {
	declaredAt := make(map[string]int, len(decls))
	for _, d := range decls {
		var r reg
		switch d.init.kind {
		case nodeNum:
			r.typ, r.val = typeNum, d.init.num
		case nodeBool:
			r.typ = typeBool
			if d.init.b {
				r.val = 1
			}
		default:
			return nil, nil, c.errorf(d.init.pos, "the initial value of %s must be a number, true, false or +infinity, not the name %s", d.name, d.init.name)
		}
		if at, dup := declaredAt[d.name]; dup {
			return nil, nil, c.errorf(d.pos, "%s is declared twice (first at %s)", d.name, where(c.src, at))
		}
		if _, ok := builtin(d.name); ok {
			return nil, nil, c.errorf(d.pos, "%s is a built-in register and cannot be declared", d.name)
		}
		declaredAt[d.name] = d.pos
		r.name, r.volatile, r.pos = d.name, d.volatile, d.init.pos
		if strings.HasPrefix(d.name, "Report.") {
			r.kind, r.idx = regReport, len(reports)
			reports = append(reports, &r)
		} else {
			r.kind, r.idx = regControl, len(controls)
			controls = append(controls, &r)
		}
		c.vars[d.name] = &r
	}
	// The preamble: one DEF per variable, sorted by name.
	all := append(append([]*reg(nil), reports...), controls...)
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	for _, r := range all {
		v := *r
		v.val, v.pos = 0, 0
		init := reg{kind: regImm, typ: r.typ, val: r.val, pos: r.pos}
		c.emit(wire.OpDef, v, v, init, declaredAt[r.name])
	}
	return reports, controls, nil
}

func (c *compiler) emit(o wire.Op, res, left, right reg, pos int) {
	c.code = append(c.code, instr{op: o, res: res, left: left, right: right, pos: pos})
}

// collectBound notes the names (:= name …) binds anywhere in n.
func collectBound(n *node, bound map[string]bool) {
	for n != nil && n.kind == nodeSexp {
		if n.op == opBind && n.l.kind == nodeName {
			bound[n.l.name] = true
		}
		collectBound(n.l, bound)
		n = n.r
	}
}

// event compiles one (when …) and returns its expression-table entry.
func (c *compiler) event(ev event) (wire.Expr, error) {
	start := len(c.code)
	c.nTmp, c.inCond = 0, true
	r, err := c.expr(ev.cond)
	c.inCond = false
	if err != nil {
		return wire.Expr{}, err
	}
	flag := implicit(implEventFlag)
	switch {
	case r.kind == regTmp && r.typ == typeBool && len(c.code) > start:
		c.code[len(c.code)-1].res = flag
	case r.kind == regImm && r.typ == typeBool:
		c.emit(wire.OpBind, flag, flag, r, ev.cond.pos)
	case r.kind == regReport || r.kind == regControl || r.kind == regLocal || r.kind == regPrimitive:
		hint := fmt.Sprintf("(> %s 0)", r.name)
		if r.typ == typeBool {
			hint = fmt.Sprintf("(&& %s true)", r.name)
		}
		return wire.Expr{}, c.errorf(ev.cond.pos, "a when condition must be a comparison, a logical expression or true/false, not the bare variable %s (portus cannot compile that): write %s", r.name, hint)
	default:
		return wire.Expr{}, c.errorf(ev.cond.pos, "a when condition must be Bool, but %s is %s", describe(ev.cond), r.typ)
	}
	body := len(c.code)
	for _, n := range ev.body {
		c.nTmp = 0
		r, err := c.expr(n)
		if err != nil {
			return wire.Expr{}, err
		}
		if r.kind == regNone {
			return wire.Expr{}, c.errorf(n.pos, "%s does nothing on its own: (if …), (!if …) and (ewma …) write the variable they are bound to, as in (:= Report.x %s)", describe(n), describe(n))
		}
	}
	return wire.Expr{
		CondStart: uint32(start), CondLen: uint32(body - start),
		BodyStart: uint32(body), BodyLen: uint32(len(c.code) - body),
	}, nil
}

// expr compiles n and returns the register holding its value.
func (c *compiler) expr(n *node) (reg, error) {
	switch n.kind {
	case nodeNum:
		return reg{kind: regImm, typ: typeNum, val: n.num, pos: n.pos}, nil
	case nodeBool:
		r := reg{kind: regImm, typ: typeBool, pos: n.pos}
		if n.b {
			r.val = 1
		}
		return r, nil
	case nodeName:
		return c.name(n)
	case nodeReport, nodeFallthrough:
		if c.inCond {
			return reg{}, c.errorf(n.pos, "%s is a statement and cannot be part of a when condition", n.text)
		}
		// (report) is (:= __shouldReport true), (fallthrough) is (:= __shouldContinue true).
		target := implicit(implShouldReport)
		if n.kind == nodeFallthrough {
			target = implicit(implShouldContinue)
		}
		c.emit(wire.OpBind, target, target, reg{kind: regImm, typ: typeBool, val: 1, pos: n.pos}, n.pos)
		return target, nil
	case nodeComment:
		return reg{}, c.errorf(n.pos, "comments are not allowed inside a (when …) clause (portus 0.8's compiler crashes on them); put one comment line before the (when …) instead")
	}
	l, err := c.expr(n.l)
	if err != nil {
		return reg{}, err
	}
	r, err := c.expr(n.r)
	if err != nil {
		return reg{}, err
	}
	switch n.op {
	case opAdd, opDiv, opMax, opMaxWrap, opMin, opMul, opSub:
		return c.binary(n, l, r, typeNum, typeNum, arith(n.op))
	case opEquiv, opGt, opLt:
		return c.binary(n, l, r, typeNum, typeBool, arith(n.op))
	case opAnd:
		return c.binary(n, l, r, typeBool, typeBool, wire.OpMul)
	case opOr:
		return c.binary(n, l, r, typeBool, typeBool, wire.OpAdd)
	case opBind:
		return c.bind(n, l, r)
	}
	// (if c v), (!if c v), (ewma a v): they write the variable they are
	// bound to, which bind fills in.
	for i, o := range [...]reg{l, r} {
		if o.kind == regNone {
			operand := [...]*node{n.l, n.r}[i]
			return reg{}, c.errorf(operand.pos, "%s cannot be an operand: (if …), (!if …) and (ewma …) can only be the value of (:= var …)", describe(operand))
		}
	}
	c.emit(arith(n.op), reg{}, l, r, n.pos)
	return reg{}, nil
}

// arith is the opcode of an operator that has its own.
func arith(o op) wire.Op {
	switch o {
	case opAdd:
		return wire.OpAdd
	case opDiv:
		return wire.OpDiv
	case opEquiv:
		return wire.OpEquiv
	case opEwma:
		return wire.OpEwma
	case opGt:
		return wire.OpGt
	case opIf:
		return wire.OpIf
	case opLt:
		return wire.OpLt
	case opMax:
		return wire.OpMax
	case opMaxWrap:
		return wire.OpMaxWrap
	case opMin:
		return wire.OpMin
	case opMul:
		return wire.OpMul
	case opNotIf:
		return wire.OpNotIf
	}
	return wire.OpSub
}

// binary type-checks the operands of n and writes the result to a fresh
// temporary.
func (c *compiler) binary(n *node, l, r reg, want, result valType, o wire.Op) (reg, error) {
	for i, v := range [...]reg{l, r} {
		if v.typ == want {
			continue
		}
		operand := [...]*node{n.l, n.r}[i]
		switch {
		case v.typ == typeUnknown:
			return reg{}, c.errorf(operand.pos, "%s is read before it is bound: nothing has been bound to it yet, so its type is unknown here (bind it with (:= %s …) earlier in the program)", v.name, v.name)
		case v.kind == regNone:
			return reg{}, c.errorf(operand.pos, "%s cannot be an operand: (if …), (!if …) and (ewma …) can only be the value of (:= var …)", describe(operand))
		}
		return reg{}, c.errorf(operand.pos, "type mismatch: (%s …) needs %s operands, but %s is %s", n.opText, want, describe(operand), v.typ)
	}
	t := reg{kind: regTmp, idx: c.nTmp, typ: result}
	c.nTmp++
	c.emit(o, t, l, r, n.pos)
	return t, nil
}

// bind compiles (:= target value).
func (c *compiler) bind(n *node, l, r reg) (reg, error) {
	if l.typ == typeUnknown {
		// A local gets the type of the first value bound to it.
		if r.typ == typeUnknown {
			return reg{}, c.errorf(n.r.pos, "cannot bind %s to %s: neither has a value yet, so %s's type would be unknown", l.name, r.name, l.name)
		}
		v, ok := c.vars[l.name]
		if !ok {
			return reg{}, c.errorf(n.l.pos, "unknown variable %s", l.name)
		}
		v.typ = r.typ
		l = *v
	}
	if r.kind == regNone {
		if l.kind != regReport && l.kind != regControl || len(c.code) == 0 {
			return reg{}, c.errorf(n.pos, "%s can only be bound to a Report or control variable, not to %s: (if …), (!if …) and (ewma …) write their target in place", describe(n.r), describe(n.l))
		}
		c.code[len(c.code)-1].res = l
		return l, nil
	}
	switch l.kind {
	case regImplicit, regControl, regLocal, regReport, regTmp:
		c.emit(wire.OpBind, l, l, r, n.pos)
		return l, nil
	case regPrimitive:
		return reg{}, c.errorf(n.l.pos, "cannot bind to %s: primitives are read-only", l.name)
	}
	return reg{}, c.errorf(n.l.pos, "cannot bind to %s: the target of := must be a variable", describe(n.l))
}

// name is the register of a variable, a new local for an undeclared
// name that some (:= name …) binds.
func (c *compiler) name(n *node) (reg, error) {
	if v, ok := c.vars[n.name]; ok {
		return *v, nil
	}
	if r, ok := builtin(n.name); ok {
		return r, nil
	}
	switch {
	case strings.HasPrefix(n.name, "Report."):
		return reg{}, c.errorf(n.pos, "%s is not declared: Report variables must be declared in (def (Report …))", n.name)
	case strings.HasPrefix(n.name, "Ack.") || strings.HasPrefix(n.name, "Flow."):
		return reg{}, c.errorf(n.pos, "unknown primitive %s; the primitives are %s", n.name, strings.Join(primitiveList(), ", "))
	case !c.bound[n.name]:
		return reg{}, c.errorf(n.pos, "undefined variable %s: it is not declared in (def …), not a built-in (Cwnd, Rate, Micros, Ack.*, Flow.*), and no (:= %s …) binds it", n.name, n.name)
	}
	v := &reg{kind: regLocal, idx: c.nLocal, typ: typeUnknown, name: n.name}
	c.nLocal++
	c.vars[n.name] = v
	return *v, nil
}

func primitiveList() []string {
	names := primitiveNames()
	return names[:]
}

// compile turns a parsed program into a Program.
func compile(src string, syn *syntax) (*Program, error) {
	c := &compiler{
		src:   src,
		vars:  make(map[string]*reg, len(syn.decls)+4),
		bound: make(map[string]bool),
		code:  make([]instr, 0, min(len(syn.decls)+8*len(syn.events), wire.MaxInstrs+1)),
	}
	reports, controls, err := c.declare(syn.decls)
	if err != nil {
		return nil, err
	}
	for _, ev := range syn.events {
		collectBound(ev.cond, c.bound)
		for _, n := range ev.body {
			collectBound(n, c.bound)
		}
	}
	p := &Program{Source: src}
	for i, ev := range syn.events {
		if i == wire.MaxExprs {
			return nil, c.errorf(ev.pos, "too many (when …) clauses: libccp holds at most %d", wire.MaxExprs)
		}
		e, err := c.event(ev)
		if err != nil {
			return nil, err
		}
		p.Exprs = append(p.Exprs, e)
	}
	if len(c.code) > wire.MaxInstrs {
		return nil, c.errorf(c.code[wire.MaxInstrs].pos, "the program compiles to %d instructions; libccp holds at most %d", len(c.code), wire.MaxInstrs)
	}
	p.Instrs = make([]wire.Instr, len(c.code))
	for i, in := range c.code {
		w := wire.Instr{Op: in.op}
		for _, o := range [...]struct {
			r   reg
			dst *wire.Reg
		}{{in.res, &w.Res}, {in.left, &w.Left}, {in.right, &w.Right}} {
			var err error
			if *o.dst, err = wireReg(o.r); err != nil {
				pos := in.pos
				if o.r.kind == regImm {
					pos = o.r.pos
				}
				return nil, c.errorf(pos, "%v", err)
			}
		}
		p.Instrs[i] = w
	}
	for _, set := range [...]struct {
		regs []*reg
		dst  *[]Var
	}{{reports, &p.Reports}, {controls, &p.Controls}} {
		for _, r := range set.regs {
			w, err := wireReg(*r)
			if err != nil {
				return nil, c.errorf(r.pos, "%v", err)
			}
			init, err := wireReg(reg{kind: regImm, val: r.val})
			if err != nil {
				return nil, c.errorf(r.pos, "%v", err)
			}
			*set.dst = append(*set.dst, Var{
				Name: strings.TrimPrefix(r.name, "Report."), Reg: w, Volatile: r.volatile,
				Init: uint64(init.Index), Bool: r.typ == typeBool,
			})
		}
	}
	return p, nil
}
