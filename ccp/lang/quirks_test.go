package lang

import (
	"reflect"
	"testing"

	"github.com/ccscope/ccscope/ccp/wire"
)

// Portus's grammar matches keywords and operators as prefixes and needs
// little whitespace; programs written that way compile as their spaced
// out forms. (Each pair was also run through portus 0.8's compiler.)
func TestPrefixGrammar(t *testing.T) {
	for _, c := range [][2]string{
		{
			"(def(Report(volatileacked 0))(cnt 0))(whentrue(:=Report.acked(+Report.acked Ack.bytes_acked))(:=Cwnd(addCwnd 10)))",
			"(def (Report (volatile acked 0)) (cnt 0)) (when true (:= Report.acked (+ Report.acked Ack.bytes_acked)) (:= Cwnd (add Cwnd 10)))",
		},
		{
			"(def (x 0)) (when true (:= x (+ 10Cwnd)) (:= x (maxCwnd Rate)) (:= x (mul 18446744073709551615 2)))",
			"(def (x 0)) (when true (:= x (+ 10 Cwnd)) (:= x (max Cwnd Rate)) (:= x (mul +infinity 2)))",
		},
		{
			"\n\t(def (x 0)\r\n)# one comment line before each when\n(when (gt Micros 5) (bind x 1))# and here\n(when (eq x 1)(:= x 2))\n",
			"(def (x 0)) (when (> Micros 5) (:= x 1)) (when (== x 1) (:= x 2))",
		},
		{
			"(def (x 0)) (when (and (lt x 1) (or false true)) (:= x (sub (div x 2) 1)))",
			"(def (x 0)) (when (&& (< x 1) (|| false true)) (:= x (- (/ x 2) 1)))",
		},
	} {
		a, b := mustCompile(t, c[0]), mustCompile(t, c[1])
		if !reflect.DeepEqual(a.Instrs, b.Instrs) || !reflect.DeepEqual(a.Exprs, b.Exprs) || !reflect.DeepEqual(a.Reports, b.Reports) || !reflect.DeepEqual(a.Controls, b.Controls) {
			t.Errorf("%q\ncompiles to\n%s\nbut %q\nto\n%s", c[0], Disassemble(a.Install(1)), c[1], Disassemble(b.Install(1)))
		}
	}
}

// The old syntax (def (Report.x …)) declares report variables too; they
// come after the Report struct's, in declaration order.
func TestOldReportSyntax(t *testing.T) {
	p := mustCompile(t, `(def (Report.a 0) (Report (b 0)) (c 0) (volatile Report.d true) (volatile e 5))
(when true (:= Report.a 1) (:= Report.b 2) (:= c 3) (:= Report.d false) (:= e 18446744073709551615))`)
	wantReports := []Var{
		{Name: "b", Reg: rep(0)},
		{Name: "a", Reg: rep(1)},
		{Name: "d", Reg: vrep(2), Volatile: true, Init: 1, Bool: true},
	}
	wantControls := []Var{{Name: "c", Reg: ctl(0)}, {Name: "e", Reg: vctl(1), Volatile: true, Init: 5}}
	if !reflect.DeepEqual(p.Reports, wantReports) || !reflect.DeepEqual(p.Controls, wantControls) {
		t.Errorf("reports %+v\ncontrols %+v", p.Reports, p.Controls)
	}
	checkInstrs(t, p.Instrs, []wire.Instr{
		def(rep(1), imm(0)),  // Report.a
		def(rep(0), imm(0)),  // Report.b
		def(vrep(2), imm(1)), // Report.d
		def(ctl(0), imm(0)),  // c
		def(vctl(1), imm(5)), // e
		bind(imp(0), imm(1)),
		bind(rep(1), imm(1)),
		bind(rep(0), imm(2)),
		bind(ctl(0), imm(3)),
		bind(vrep(2), imm(0)),
		bind(vctl(1), imm(0xFFFFFFFF)),
	})
}

// Locals persist across invocations, so one may be read before the
// statement that binds it; if, !if and ewma write their target in place.
func TestLocalsAndConditionals(t *testing.T) {
	p := mustCompile(t, `(def (Report (prev 0)))
# first
(when true (:= Report.prev last) (:= last Flow.rtt_sample_us) (fallthrough))
# second
(when (> Micros 100) (:= Report.prev (if (< last 5) last)) (:= Report.prev (!if (== last 0) 1)) (:= Report.prev (ewma 8 Flow.rate_outgoing)) (report))
`)
	checkInstrs(t, p.Instrs, []wire.Instr{
		def(rep(0), imm(0)),
		bind(imp(0), imm(1)),
		bind(rep(0), loc(0)),
		bind(loc(0), prim(13)),
		bind(imp(1), imm(1)),
		ins(wire.OpGt, imp(0), imp(3), imm(100)),
		ins(wire.OpLt, tmp(0), loc(0), imm(5)),
		ins(wire.OpIf, rep(0), tmp(0), loc(0)),
		ins(wire.OpEquiv, tmp(0), loc(0), imm(0)),
		ins(wire.OpNotIf, rep(0), tmp(0), imm(1)),
		ins(wire.OpEwma, rep(0), imm(8), prim(12)),
		bind(imp(2), imm(1)),
	})
	if want := []wire.Expr{ev(1, 1, 2, 3), ev(5, 1, 6, 6)}; !reflect.DeepEqual(p.Exprs, want) {
		t.Errorf("events %v", p.Exprs)
	}
}

// Odd but accepted by portus: a command's value, binding a temporary,
// statements that are bare values, a Bool local in a condition, and
// temporaries numbered afresh in each statement.
func TestOddStatements(t *testing.T) {
	p := mustCompile(t, `(def (Report (volatile t false)))
(when true (:= Report.t (report)) (:= lb Flow.was_timeout) (:= (+ 1 2) 3) 5 (:= x (wrapped_max Ack.now 4)) (:= y (- (* (/ x 2) 3) (max x (min 1 2)))))
(when (|| (== y 0) (&& Report.t lb)) (:= Rate 0) (report))
`)
	checkInstrs(t, p.Instrs, []wire.Instr{
		def(vrep(0), imm(0)),
		bind(imp(0), imm(1)),
		bind(imp(2), imm(1)),
		bind(vrep(0), imp(2)),
		bind(loc(0), prim(14)),
		ins(wire.OpAdd, tmp(0), imm(1), imm(2)),
		bind(tmp(0), imm(3)),
		ins(wire.OpMaxWrap, tmp(0), prim(5), imm(4)),
		bind(loc(1), tmp(0)),
		ins(wire.OpDiv, tmp(0), loc(1), imm(2)),
		ins(wire.OpMul, tmp(1), tmp(0), imm(3)),
		ins(wire.OpMin, tmp(2), imm(1), imm(2)),
		ins(wire.OpMax, tmp(3), loc(1), tmp(2)),
		ins(wire.OpSub, tmp(4), tmp(1), tmp(3)),
		bind(loc(2), tmp(4)),
		ins(wire.OpEquiv, tmp(0), loc(2), imm(0)),
		ins(wire.OpMul, tmp(1), vrep(0), loc(0)),
		ins(wire.OpAdd, imp(0), tmp(0), tmp(1)),
		bind(imp(5), imm(0)),
		bind(imp(2), imm(1)),
	})
}

// Portus's limits, at their edge: 16 report and control variables, 6
// locals, 16 temporaries in a statement, 2^31-1 as an immediate.
func TestLimitsAccepted(t *testing.T) {
	src := "(def (Report"
	for i := range 16 {
		src += " (r" + string(rune('a'+i)) + " 0)"
	}
	src += ")"
	for i := range 16 {
		src += " (c" + string(rune('a'+i)) + " 2147483647)"
	}
	src += ") (when true (:= l0 1) (:= l1 1) (:= l2 1) (:= l3 1) (:= l4 1) (:= l5 1)"
	// 16 temporaries: a chain of 16 additions.
	e := "1"
	for range 16 {
		e = "(+ " + e + " 1)"
	}
	src += " (:= l0 " + e + "))"
	p := mustCompile(t, src)
	if len(p.Reports) != 16 || len(p.Controls) != 16 || p.Controls[15].Init != 1<<31-1 {
		t.Fatalf("%d reports, %d controls", len(p.Reports), len(p.Controls))
	}
	if got := p.Instrs[len(p.Instrs)-2]; got.Res != tmp(15) {
		t.Errorf("last temporary %v", got.Res)
	}
	roundTrip(t, p)
}
