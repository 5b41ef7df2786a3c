package lang

import (
	"slices"
	"unicode/utf8"

	"github.com/ccscope/ccscope/ccp/wire"
)

// Program is a compiled datapath program.
type Program struct {
	Source string
	// Exprs are the (when …) clauses: where their condition and body
	// instructions are in Instrs.
	Exprs  []wire.Expr
	Instrs []wire.Instr
	// Reports are the Report variables in register order, the order of
	// a MEASURE's fields.
	Reports []Var
	// Controls are the other declared variables in register order.
	Controls []Var
}

// Var is a variable declared in a program's (def …).
type Var struct {
	// Name is as agents name it: "acked" for Report.acked, control
	// variables as declared.
	Name string
	// Reg is the variable's register; its type tells volatile from not.
	Reg      wire.Reg
	Volatile bool
	// Init is the initial value as the DEF instruction sends it: bools
	// are 0 or 1 and +infinity is 0xFFFFFFFF.
	Init uint64
	// Bool says the variable was declared with true or false.
	Bool bool
}

// Compile parses, type-checks and compiles a datapath program. Its errors
// are *Error, with the line and column of the problem.
func Compile(src string) (*Program, error) {
	if !utf8.ValidString(src) {
		off := 0
		for off < len(src) {
			r, n := utf8.DecodeRuneInString(src[off:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			off += n
		}
		return nil, errorAt(src, off, "the program is not valid UTF-8")
	}
	syn, err := parse(src)
	if err != nil {
		return nil, err
	}
	return compile(src, syn)
}

// Install is the INSTALL message for the program under uid (sid 0, as
// portus sends it).
func (p *Program) Install(uid uint32) *wire.Install {
	return &wire.Install{
		ProgramUID: uid,
		Exprs:      slices.Clone(p.Exprs),
		Instrs:     slices.Clone(p.Instrs),
	}
}

// Field is the register an agent's update of name targets: a control
// variable by its declared name, or Cwnd (implicit 4) and Rate (implicit
// 5). Report variables, like every other register, cannot be updated
// (portus refuses them), so Field reports false for them.
func (p *Program) Field(name string) (wire.Reg, bool) {
	switch name {
	case "Cwnd":
		return wire.Reg{Type: wire.RegImplicit, Index: implCwnd}, true
	case "Rate":
		return wire.Reg{Type: wire.RegImplicit, Index: implRate}, true
	}
	for _, v := range p.Controls {
		if v.Name == name {
			return v.Reg, true
		}
	}
	return wire.Reg{}, false
}

// ReportNames are the Report variables' names (without "Report.") in
// register order: the fields of the program's MEASUREs.
func (p *Program) ReportNames() []string {
	names := make([]string, len(p.Reports))
	for i, v := range p.Reports {
		names[i] = v.Name
	}
	return names
}
