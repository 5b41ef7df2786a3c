package lang

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ccscope/ccscope/ccp/wire"
)

// Register shorthands for expected instructions.
func vrep(i uint32) wire.Reg { return wire.Reg{Type: wire.RegVolatileReport, Index: i} }
func rep(i uint32) wire.Reg  { return wire.Reg{Type: wire.RegReport, Index: i} }
func ctl(i uint32) wire.Reg  { return wire.Reg{Type: wire.RegControl, Index: i} }
func vctl(i uint32) wire.Reg { return wire.Reg{Type: wire.RegVolatileControl, Index: i} }
func imp(i uint32) wire.Reg  { return wire.Reg{Type: wire.RegImplicit, Index: i} }
func prim(i uint32) wire.Reg { return wire.Reg{Type: wire.RegPrimitive, Index: i} }
func tmp(i uint32) wire.Reg  { return wire.Reg{Type: wire.RegTmp, Index: i} }
func loc(i uint32) wire.Reg  { return wire.Reg{Type: wire.RegLocal, Index: i} }
func imm(v uint32) wire.Reg  { return wire.Reg{Type: wire.RegImmediate, Index: v} }

// def and bind are the instructions whose result is also their left
// operand.
func def(r, v wire.Reg) wire.Instr  { return wire.Instr{Op: wire.OpDef, Res: r, Left: r, Right: v} }
func bind(r, v wire.Reg) wire.Instr { return wire.Instr{Op: wire.OpBind, Res: r, Left: r, Right: v} }
func ev(cs, cl, bs, bl uint32) wire.Expr {
	return wire.Expr{CondStart: cs, CondLen: cl, BodyStart: bs, BodyLen: bl}
}
func ins(o wire.Op, res, l, r wire.Reg) wire.Instr {
	return wire.Instr{Op: o, Res: res, Left: l, Right: r}
}

func mustCompile(t testing.TB, src string) *Program {
	t.Helper()
	p, err := Compile(src)
	if err != nil {
		t.Fatalf("Compile: %v\n%s", err, src)
	}
	return p
}

func checkInstrs(t *testing.T, got, want []wire.Instr) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d instructions, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Errorf("instruction %d: %v, want %v", i, got[i], want[i])
		}
	}
}

// The example of ccp-protocol.md §4, whose output was checked against
// portus 0.8.
const specExample = `(def (Report (volatile acked 0) (minrtt +infinity)) (cnt 0))
(when true (:= Report.acked (+ Report.acked Ack.bytes_acked))
           (:= Report.minrtt (min Report.minrtt Flow.rtt_sample_us)) (fallthrough))
(when (&& (> Micros 10000) (< cnt 5)) (:= cnt (+ cnt 1)) (report) (:= Micros 0))
`

func TestSpecExample(t *testing.T) {
	p := mustCompile(t, specExample)
	// The listing of §4, transcribed.
	checkInstrs(t, p.Instrs, []wire.Instr{
		def(vrep(0), imm(0)),
		def(rep(1), imm(0xFFFFFFFF)),
		def(ctl(0), imm(0)),
		bind(imp(0), imm(1)),
		ins(wire.OpAdd, tmp(0), vrep(0), prim(0)),
		bind(vrep(0), tmp(0)),
		ins(wire.OpMin, tmp(0), rep(1), prim(13)),
		bind(rep(1), tmp(0)),
		bind(imp(1), imm(1)),
		ins(wire.OpGt, tmp(0), imp(3), imm(10000)),
		ins(wire.OpLt, tmp(1), ctl(0), imm(5)),
		ins(wire.OpMul, imp(0), tmp(0), tmp(1)),
		ins(wire.OpAdd, tmp(0), ctl(0), imm(1)),
		bind(ctl(0), tmp(0)),
		bind(imp(2), imm(1)),
		bind(imp(3), imm(0)),
	})
	if want := []wire.Expr{ev(3, 1, 4, 5), ev(9, 3, 12, 4)}; !reflect.DeepEqual(p.Exprs, want) {
		t.Errorf("events %v, want %v", p.Exprs, want)
	}
	b, err := wire.Encode(p.Install(1))
	if err != nil {
		t.Fatal(err)
	}
	header, _ := hex.DecodeString("0200340100000000" + "010000000200000010000000")
	if len(b) != 308 || !bytes.Equal(b[:20], header) {
		t.Errorf("INSTALL: %d bytes, header % x; want 308 bytes, header % x", len(b), b[:min(20, len(b))], header)
	}
	if got := p.ReportNames(); !reflect.DeepEqual(got, []string{"acked", "minrtt"}) {
		t.Errorf("ReportNames %q", got)
	}
	wantReports := []Var{
		{Name: "acked", Reg: vrep(0), Volatile: true, Init: 0},
		{Name: "minrtt", Reg: rep(1), Init: 0xFFFFFFFF},
	}
	if !reflect.DeepEqual(p.Reports, wantReports) {
		t.Errorf("Reports %+v, want %+v", p.Reports, wantReports)
	}
	if want := []Var{{Name: "cnt", Reg: ctl(0)}}; !reflect.DeepEqual(p.Controls, want) {
		t.Errorf("Controls %+v, want %+v", p.Controls, want)
	}
	if p.Source != specExample {
		t.Error("Source is not the source")
	}
}

func TestField(t *testing.T) {
	p := mustCompile(t, `(def (Report (volatile acked 0)) (cnt 0) (volatile quota 5))
		(when true (:= Report.acked Ack.bytes_acked) (:= x 1) (report))`)
	for _, c := range []struct {
		name string
		reg  wire.Reg
		ok   bool
	}{
		{"cnt", ctl(0), true},
		{"quota", vctl(1), true},
		{"Cwnd", imp(4), true},
		{"Rate", imp(5), true},
		{"Report.acked", wire.Reg{}, false}, // portus refuses report variables
		{"acked", wire.Reg{}, false},
		{"Micros", wire.Reg{}, false},
		{"__eventFlag", wire.Reg{}, false},
		{"Ack.now", wire.Reg{}, false},
		{"x", wire.Reg{}, false}, // a local
		{"nope", wire.Reg{}, false},
	} {
		r, ok := p.Field(c.name)
		if ok != c.ok || r != c.reg {
			t.Errorf("Field(%q) = %v, %v; want %v, %v", c.name, r, ok, c.reg, c.ok)
		}
	}
}

func TestInstallIsACopy(t *testing.T) {
	p := mustCompile(t, specExample)
	m := p.Install(7)
	if m.ProgramUID != 7 || m.SID != 0 {
		t.Fatalf("uid %d sid %d", m.ProgramUID, m.SID)
	}
	m.Instrs[0].Op = wire.OpSub
	m.Exprs[0].BodyLen = 99
	if p.Instrs[0].Op != wire.OpDef || p.Exprs[0].BodyLen != 5 {
		t.Error("changing the INSTALL changed the program")
	}
}

func TestDisassemble(t *testing.T) {
	p := mustCompile(t, specExample)
	got := Disassemble(p.Install(1))
	for _, want := range []string{
		"INSTALL uid 1: 2 expressions, 16 instructions",
		"#0   cond 3+1  body 4+5",
		"#1   cond 9+3  body 12+4",
		"   1  DEF     rep[1] <- 0xFFFFFFFF",
		"   4  ADD     tmp[0] <- vrep[0], prim[0]     ; Ack.bytes_acked",
		"  11  MUL     impl[0] <- tmp[0], tmp[1]      ; __eventFlag",
		"      ; when #1\n   9  GT",
		"      ; do #1\n  12  ADD",
		"  15  BIND    impl[3] <- 0                   ; Micros\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("listing lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "\n"); n != 1+1+2+1+16+4 {
		t.Errorf("%d lines:\n%s", n, got)
	}
	// Anything decodable is listed, however wrong.
	bad := &wire.Install{
		Exprs:  []wire.Expr{{CondStart: 9, CondLen: 1 << 31, BodyStart: 0xFFFFFFFF}},
		Instrs: []wire.Instr{{Op: 200, Res: wire.Reg{Type: 99, Index: 7}, Left: wire.Reg{Type: wire.RegPrimitive, Index: 99}, Right: imp(42)}},
	}
	if s := Disassemble(bad); !strings.Contains(s, "op200") {
		t.Errorf("bad listing:\n%s", s)
	}
}

// Every error is an *Error.
func TestErrorType(t *testing.T) {
	_, err := Compile("(def (x 0)) (when true (:= x y))")
	var e *Error
	if !errors.As(err, &e) || e.Line != 1 || e.Col != 30 {
		t.Fatalf("%#v", err)
	}
	if got := e.Error(); !strings.HasPrefix(got, "line 1, column 30: undefined variable y") {
		t.Errorf("%q", got)
	}
}
