package lang

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ccscope/ccscope/ccp/wire"
)

// Disassemble is a readable listing of an INSTALL message: its
// expression table, then one instruction per line, with "; when #i"
// lines where an expression's condition and body begin and the names of
// the primitive and implicit registers an instruction uses. Any message
// is listed, also one with bad opcodes, registers or ranges.
func Disassemble(m *wire.Install) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSTALL uid %d: %d expressions, %d instructions\n", m.ProgramUID, len(m.Exprs), len(m.Instrs))
	b.WriteString("expressions:\n")
	marks := make(map[uint32][]string)
	for i, e := range m.Exprs {
		fmt.Fprintf(&b, "  #%-3d cond %d+%d  body %d+%d\n", i, e.CondStart, e.CondLen, e.BodyStart, e.BodyLen)
		marks[e.CondStart] = append(marks[e.CondStart], fmt.Sprintf("when #%d", i))
		marks[e.BodyStart] = append(marks[e.BodyStart], fmt.Sprintf("do #%d", i))
	}
	b.WriteString("instructions:\n")
	for i, in := range m.Instrs {
		for _, mk := range marks[uint32(i)] {
			fmt.Fprintf(&b, "      ; %s\n", mk)
		}
		line := fmt.Sprintf("%4d  %-7s %s <- ", i, in.Op, operand(in.Res))
		if in.Op == wire.OpBind || in.Op == wire.OpDef {
			line += operand(in.Right)
		} else {
			line += operand(in.Left) + ", " + operand(in.Right)
		}
		var names []string
		for _, r := range [...]wire.Reg{in.Res, in.Left, in.Right} {
			if n := regName(r); n != "" && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		if len(names) > 0 {
			line = fmt.Sprintf("%-44s ; %s", line, strings.Join(names, ", "))
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// operand is a register as listed: immediates as numbers (+infinity's
// 0xFFFFFFFF in hex), others as type[index].
func operand(r wire.Reg) string {
	if r.Type == wire.RegImmediate && r.Index == 0xFFFFFFFF {
		return "0xFFFFFFFF"
	}
	return r.String()
}

// regName is the name of a primitive or implicit register, or "".
func regName(r wire.Reg) string {
	switch r.Type {
	case wire.RegPrimitive:
		if names := primitiveNames(); r.Index < uint32(len(names)) {
			return names[r.Index]
		}
	case wire.RegImplicit:
		if names := implicitNames(); r.Index < uint32(len(names)) {
			return names[r.Index]
		}
	}
	return ""
}
