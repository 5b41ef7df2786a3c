package lang

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ccscope/ccscope/ccp/wire"
)

// FuzzCompile: Compile never panics; its errors are *Error pointing into
// the source; what compiles is a well-formed program whose INSTALL
// encodes and decodes back. The seed corpus (testdata/fuzz/FuzzCompile)
// has the spec's example, the real agents' programs and odd ones.
func FuzzCompile(f *testing.F) {
	f.Add(specExample)
	for _, src := range realPrograms() {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Compile(src)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if e.Line < 1 || e.Col < 1 || e.Line > strings.Count(src, "\n")+1 || e.Msg == "" {
				t.Fatalf("bad error %#v", e)
			}
			return
		}
		checkProgram(t, p)
		roundTrip(t, p)
		_ = Disassemble(p.Install(1))
		if again, err := Compile(src); err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("compiling again gave %v", err)
		}
	})
}

// checkProgram checks the shape of a compiled program: the DEF preamble,
// then each expression's condition and body back to back.
func checkProgram(t *testing.T, p *Program) {
	t.Helper()
	defs := len(p.Reports) + len(p.Controls)
	for i := range defs {
		if p.Instrs[i].Op != wire.OpDef {
			t.Fatalf("instruction %d of the preamble is %v", i, p.Instrs[i])
		}
	}
	if len(p.Exprs) == 0 || len(p.Exprs) > wire.MaxExprs || len(p.Instrs) > wire.MaxInstrs {
		t.Fatalf("%d expressions, %d instructions", len(p.Exprs), len(p.Instrs))
	}
	next := uint32(defs)
	for i, e := range p.Exprs {
		if e.CondStart != next || e.CondLen == 0 || e.BodyStart != e.CondStart+e.CondLen {
			t.Fatalf("expression %d: %+v after instruction %d", i, e, next)
		}
		next = e.BodyStart + e.BodyLen
		if last := p.Instrs[e.BodyStart-1]; last.Res != (wire.Reg{Type: wire.RegImplicit, Index: 0}) {
			t.Fatalf("condition %d ends with %v, not writing __eventFlag", i, last)
		}
	}
	if next != uint32(len(p.Instrs)) {
		t.Fatalf("expressions end at %d of %d instructions", next, len(p.Instrs))
	}
	for i, in := range p.Instrs {
		if !in.Op.Valid() || in.Op == wire.OpDef && i >= defs {
			t.Fatalf("instruction %d: %v", i, in)
		}
		for _, r := range [...]wire.Reg{in.Res, in.Left, in.Right} {
			if !r.Type.Valid() {
				t.Fatalf("instruction %d: %v", i, in)
			}
		}
		if in.Res.Type == wire.RegImmediate || in.Res.Type == wire.RegPrimitive {
			t.Fatalf("instruction %d writes %v", i, in.Res)
		}
	}
	if len(p.ReportNames()) != len(p.Reports) {
		t.Fatal("ReportNames")
	}
}
