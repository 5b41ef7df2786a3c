package vm

import (
	"math"
	"testing"
	"time"

	"github.com/ccscope/ccscope/ccp/wire"
)

func TestStaging(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.start()
	// (def (Report (volatile x 0)) (k 5)) (when true (:= Report.x k) (report))
	prog := assemble(1, []wire.Instr{def(vrep(0), 0), def(ctl(0), 5)},
		when{always(), []wire.Instr{bind(vrep(0), ctl(0)), doReport()}})
	h.mustRecv(prog)

	// An update before any program: Cwnd is applied (and set) at the next
	// Invoke even though there is nothing to run, as in libccp.
	h.mustRecv(&wire.UpdateFields{SID: 1, Updates: []wire.Update{{Reg: impl(ImplCwnd), Value: 3000}}})
	if len(h.cwnd) != 0 {
		t.Fatal("SetCwnd called by Receive")
	}
	wantCode(t, c.Invoke(h.now, &Primitives{SndCwnd: 100}), ErrProgIsNull)
	if len(h.cwnd) != 1 || h.cwnd[0] != 3000 {
		t.Fatalf("SetCwnd calls %v, want [3000]", h.cwnd)
	}

	// CHANGE_PROG stages the program; its updates override the DEFs.
	h.mustRecv(&wire.ChangeProg{SID: 1, ProgramUID: 1, Updates: []wire.Update{{Reg: ctl(0), Value: 9}}})
	if _, ok := c.Program(); ok {
		t.Fatal("program applied before Invoke")
	}
	equalFields(t, h.invokeReport(c, &Primitives{}), 9)

	// Updates apply at the next Invoke, not before.
	h.mustRecv(&wire.UpdateFields{SID: 1, Updates: []wire.Update{{Reg: ctl(0), Value: 11}, {Reg: ctl(0), Value: 12}}})
	if r := c.Registers(); r.Control[0] != 9 {
		t.Fatalf("control 0 = %d before Invoke, want 9", r.Control[0])
	}
	equalFields(t, h.invokeReport(c, &Primitives{}), 12) // the last update wins
	equalFields(t, h.invokeReport(c, &Primitives{}), 12) // non-volatile: kept

	// Cwnd and Rate updates call back at once, then again after the run
	// (every invocation sets them); Rate is not truncated to u32.
	h.cwnd, h.rate = nil, nil
	h.mustRecv(&wire.UpdateFields{SID: 1, Updates: []wire.Update{
		{Reg: impl(ImplCwnd), Value: 7000}, {Reg: impl(ImplRate), Value: 1 << 40},
		{Reg: impl(ImplEventFlag), Value: 1}, {Reg: impl(ImplMicros), Value: 1}, // other implicits: ignored
	}})
	h.invokeReport(c, &Primitives{SndCwnd: 100, SndRate: 5})
	if len(h.cwnd) != 2 || h.cwnd[0] != 7000 || h.cwnd[1] != 7000 {
		t.Fatalf("SetCwnd calls %v, want [7000 7000]", h.cwnd)
	}
	if len(h.rate) != 2 || h.rate[0] != 1<<40 || h.rate[1] != 1<<40 {
		t.Fatalf("SetRate calls %v, want [2^40 2^40]", h.rate)
	}
	// Without updates, Cwnd and Rate come from the primitives; 0 is not set.
	h.cwnd, h.rate = nil, nil
	h.invokeReport(c, &Primitives{SndCwnd: 4321})
	if len(h.cwnd) != 1 || h.cwnd[0] != 4321 || len(h.rate) != 0 {
		t.Fatalf("SetCwnd %v SetRate %v, want [4321] []", h.cwnd, h.rate)
	}
	// An update to 0 is applied without a callback.
	h.cwnd = nil
	h.mustRecv(&wire.UpdateFields{SID: 1, Updates: []wire.Update{{Reg: impl(ImplCwnd), Value: 0}}})
	h.invokeReport(c, &Primitives{SndCwnd: 4321})
	if len(h.cwnd) != 0 {
		t.Fatalf("SetCwnd calls %v, want none", h.cwnd)
	}

	// A CHANGE_PROG drops updates staged before it.
	h.mustRecv(
		&wire.UpdateFields{SID: 1, Updates: []wire.Update{{Reg: ctl(0), Value: 77}}},
		&wire.ChangeProg{SID: 1, ProgramUID: 1},
	)
	equalFields(t, h.invokeReport(c, &Primitives{}), 5)
}

func TestVolatileReset(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.start()
	// (def (Report (volatile v 7) (n 3)) (volatile vc 11) (nc 13))
	// (when true (:= each (+ each 1)) (fallthrough))
	// (when (> Ack.bytes_acked 0) (report))
	defs := []wire.Instr{def(vrep(0), 7), def(rep(1), 3), def(vctl(0), 11), def(ctl(1), 13)}
	var inc []wire.Instr
	for _, r := range []wire.Reg{vrep(0), rep(1), vctl(0), ctl(1)} {
		inc = append(inc, in(wire.OpAdd, tmp(0), r, imm(1)), bind(r, tmp(0)))
	}
	h.runProgram(c, assemble(1, defs,
		when{always(), append(inc, doFallthrough())},
		when{[]wire.Instr{in(wire.OpGt, impl(ImplEventFlag), prim(pBytesAcked), imm(0))}, []wire.Instr{doReport()}}))
	regs := func() [4]uint64 {
		r := c.Registers()
		return [4]uint64{r.Report[0], r.Report[1], r.Control[0], r.Control[1]}
	}
	h.invokeNoReport(c, &Primitives{})
	if got := regs(); got != [4]uint64{8, 4, 12, 14} {
		t.Fatalf("registers %v", got)
	}
	equalFields(t, h.invokeReport(c, &Primitives{BytesAcked: 1}), 9, 5) // both report registers, in index order
	if got := regs(); got != [4]uint64{7, 5, 11, 15} {
		t.Fatalf("after the report %v: want the volatile ones reset, the others kept", got)
	}
	if r := c.Registers(); r.NumReport != 2 {
		t.Fatalf("NumReport %d", r.NumReport)
	}
	// A program change (to the same program) re-initialises them all.
	h.mustRecv(&wire.ChangeProg{SID: 1, ProgramUID: 1})
	h.invokeNoReport(c, &Primitives{})
	if got := regs(); got != [4]uint64{8, 4, 12, 14} {
		t.Fatalf("after a program change %v", got)
	}
}

func TestArithmeticErrorsAbort(t *testing.T) {
	for _, tc := range []struct {
		name string
		op   wire.Instr
		p    Primitives
		code Code
	}{
		{"add overflow", in(wire.OpAdd, tmp(0), prim(pBytesAcked), imm(1)), Primitives{BytesAcked: math.MaxUint64}, ErrAddOverflow},
		{"sub underflow", in(wire.OpSub, tmp(0), prim(pBytesAcked), imm(1)), Primitives{}, ErrSubUnderflow},
		{"mul overflow", in(wire.OpMul, tmp(0), prim(pBytesAcked), prim(primRateOutgoing)), Primitives{BytesAcked: 1 << 32, RateOutgoing: 1 << 32}, ErrMulOverflow},
		// libccp's weak check (result < a) misses this one.
		{"mul overflow wrapping above a", in(wire.OpMul, tmp(0), prim(pBytesAcked), prim(primRateOutgoing)), Primitives{BytesAcked: 3, RateOutgoing: 1<<63 + 1}, ErrMulOverflow},
		{"div by zero", in(wire.OpDiv, tmp(0), imm(5), prim(pBytesAcked)), Primitives{}, ErrDivByZero},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Config{})
			c := h.start()
			h.runProgram(c, assemble(1, []wire.Instr{def(vrep(0), 0)},
				when{always(), []wire.Instr{bind(impl(ImplCwnd), imm(777)), bind(vrep(0), imm(5)), tc.op, doReport()}}))
			p := tc.p
			p.SndCwnd, p.SndRate = 1000, 1000
			err := c.Invoke(h.now, &p)
			wantCode(t, err, tc.code)
			if !IsInstructionError(err) || IsInstructionError(ErrProgIsNull) {
				t.Fatal("IsInstructionError")
			}
			if len(h.cwnd)+len(h.rate)+len(h.sent) != 0 {
				t.Fatalf("aborted invocation: SetCwnd %v SetRate %v sent %d", h.cwnd, h.rate, len(h.sent))
			}
			st := c.Stats()
			if st.Faults != 1 || st.Runs != 0 || st.LastFault != err {
				t.Fatalf("stats %+v", st)
			}
			// What ran before the fault stays written.
			if r := c.Registers(); r.Report[0] != 5 || r.Implicit[ImplCwnd] != 777 {
				t.Fatalf("registers report[0]=%d Cwnd=%d", r.Report[0], r.Implicit[ImplCwnd])
			}
			t.Log(err)
			// With sane inputs it runs.
			equalFields(t, h.invokeReport(c, &Primitives{BytesAcked: 2, RateOutgoing: 2}), 5)
		})
	}
	// Near the edges: no error.
	h := newHarness(t, Config{})
	c := h.start()
	h.runProgram(c, assemble(1, []wire.Instr{def(vrep(0), 0), def(vrep(1), 0), def(vrep(2), 0)},
		when{always(), []wire.Instr{
			in(wire.OpAdd, vrep(0), prim(pBytesAcked), prim(primBytesMisordered)),
			in(wire.OpMul, vrep(1), prim(primRateIncoming), prim(primRateOutgoing)),
			in(wire.OpSub, vrep(2), prim(pBytesAcked), prim(pBytesAcked)),
			doReport()}}))
	equalFields(t, h.invokeReport(c, &Primitives{BytesAcked: math.MaxUint64 - 1, BytesMisordered: 1,
		RateIncoming: 1<<32 + 1, RateOutgoing: 1<<32 - 1}),
		math.MaxUint64, 1<<64-1, 0)
}

// TestOps runs every opcode: (def (Report (volatile r init))) (when true
// (op r ...) (report)).
func TestOps(t *testing.T) {
	for _, tc := range []struct {
		name string
		init uint32 // the DEF of the result register
		op   wire.Op
		l, r wire.Reg
		want uint64
	}{
		{"ADD", 0, wire.OpAdd, imm(2), imm(3), 5},
		{"BIND", 0, wire.OpBind, vrep(0), imm(9), 9},
		{"DEF in a body does nothing", 4, wire.OpDef, vrep(0), imm(9), 4},
		{"DIV", 0, wire.OpDiv, imm(7), imm(2), 3},
		{"EQUIV true", 0, wire.OpEquiv, imm(7), imm(7), 1},
		{"EQUIV false", 9, wire.OpEquiv, imm(7), imm(8), 0},
		{"GT", 0, wire.OpGt, imm(8), imm(7), 1},
		{"GT equal", 9, wire.OpGt, imm(7), imm(7), 0},
		{"LT", 0, wire.OpLt, imm(6), imm(7), 1},
		{"LT equal", 9, wire.OpLt, imm(7), imm(7), 0},
		{"MAX", 0, wire.OpMax, imm(6), imm(7), 7},
		{"MIN", 0, wire.OpMin, imm(6), imm(7), 6},
		{"MUL", 0, wire.OpMul, imm(6), imm(7), 42},
		{"SUB", 0, wire.OpSub, imm(7), imm(7), 0},
		{"IF true", 4, wire.OpIf, imm(1), imm(9), 9},
		{"IF false", 4, wire.OpIf, imm(0), imm(9), 4},
		{"NOTIF true", 4, wire.OpNotIf, imm(1), imm(9), 4},
		{"NOTIF false", 4, wire.OpNotIf, imm(0), imm(9), 9},
		{"EWMA first sample", 0, wire.OpEwma, imm(2), imm(200), 200},
		{"EWMA", 100, wire.OpEwma, imm(2), imm(200), 180}, // (2·100 + 8·200)/10
		{"EWMA weight 10 keeps the old", 100, wire.OpEwma, imm(10), imm(200), 100},
		{"MAXWRAP zero left", 0, wire.OpMaxWrap, imm(0), imm(5), 5},
		{"MAXWRAP zero right", 0, wire.OpMaxWrap, imm(5), imm(0), 5},
		{"MAXWRAP in order", 0, wire.OpMaxWrap, imm(10), imm(20), 20},
		{"MAXWRAP reversed", 0, wire.OpMaxWrap, imm(20), imm(10), 20},
		{"MAXWRAP across the wrap", 0, wire.OpMaxWrap, imm(0xFFFFFFF0), imm(0x10), 0x10},
		{"MAXWRAP across the wrap reversed", 0, wire.OpMaxWrap, imm(0x10), imm(0xFFFFFFF0), 0x10},
		{"MAXWRAP equal", 0, wire.OpMaxWrap, imm(7), imm(7), 7},
		{"DEF +infinity", 0xFFFFFFFF, wire.OpBind, vrep(0), vrep(0), 0xFFFFFFFF},
		{"DEF 0x3FFFFFFF is +infinity", 0x3FFFFFFF, wire.OpBind, vrep(0), vrep(0), 0xFFFFFFFF},
		{"an immediate 0x3FFFFFFF is not", 0, wire.OpBind, vrep(0), imm(0x3FFFFFFF), 0x3FFFFFFF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Config{})
			c := h.start()
			h.runProgram(c, assemble(1, []wire.Instr{def(vrep(0), tc.init)},
				when{always(), []wire.Instr{in(tc.op, vrep(0), tc.l, tc.r), doReport()}}))
			equalFields(t, h.invokeReport(c, &Primitives{}), tc.want)
		})
	}
	// MAXWRAP truncates to 32 bits unless an operand is 0.
	if got := maxWrap(1<<32|7, 3); got != 7 {
		t.Fatalf("maxWrap = %#x, want 7", got)
	}
	if got := maxWrap(0, 1<<40); got != 1<<40 {
		t.Fatalf("maxWrap = %#x", got)
	}
}

// A condition's value is what __eventFlag holds after it; a body may
// change the flags, and they are checked after the body (libccp).
func TestBodyWritesFlags(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.start()
	h.runProgram(c, assemble(1, []wire.Instr{def(vrep(0), 0)},
		// The body clears __eventFlag: evaluation goes on.
		when{always(), []wire.Instr{bind(impl(ImplEventFlag), imm(0))}},
		when{always(), []wire.Instr{bind(vrep(0), imm(3)), doReport()}},
		when{always(), []wire.Instr{bind(vrep(0), imm(4))}}))
	equalFields(t, h.invokeReport(c, &Primitives{}), 3)
}

func TestMicros(t *testing.T) {
	h := newHarness(t, Config{})
	h.now = 10 * time.Second
	if err := h.d.Init(h.now); err != nil { // a second Init keeps the clock
		t.Fatal(err)
	}
	c := h.start()
	// (def (Report (volatile m 0) (volatile now 0)))
	// (when true (:= Report.m Micros) (:= Report.now Ack.now) (fallthrough))
	// (when (> Ack.bytes_acked 0) (:= Micros Ack.packets_acked) (report))
	h.mustRecv(assemble(1, []wire.Instr{def(vrep(0), 0), def(vrep(1), 0)},
		when{always(), []wire.Instr{bind(vrep(0), impl(ImplMicros)), bind(vrep(1), prim(primNow)), doFallthrough()}},
		when{[]wire.Instr{in(wire.OpGt, impl(ImplEventFlag), prim(pBytesAcked), imm(0))},
			[]wire.Instr{bind(impl(ImplMicros), prim(primPacketsAcked)), doReport()}}))
	h.now += 3 * time.Millisecond
	h.mustRecv(&wire.ChangeProg{SID: 1, ProgramUID: 1})
	h.now += 2 * time.Millisecond // the change applies at this Invoke: Micros 0
	equalFields(t, h.invokeReport(c, &Primitives{BytesAcked: 1}), 0, 10005000)
	h.now += 1500 * time.Microsecond
	equalFields(t, h.invokeReport(c, &Primitives{BytesAcked: 1}), 1500, 10006500)
	// (:= Micros 0) above restarted it; now set it to 1000.
	h.now += 250 * time.Microsecond
	equalFields(t, h.invokeReport(c, &Primitives{BytesAcked: 1, PacketsAcked: 1000}), 250, 10006750)
	h.now += 40 * time.Microsecond
	equalFields(t, h.invokeReport(c, &Primitives{BytesAcked: 1}), 1040, 10006790)
	// Sub-µs time is truncated, as since_usecs does.
	h.now += 999 * time.Nanosecond
	equalFields(t, h.invokeReport(c, &Primitives{BytesAcked: 1}), 0, 10006790)
	if r := c.Registers(); r.Implicit[ImplMicros] != 0 {
		t.Fatalf("Micros register %d", r.Implicit[ImplMicros])
	}
}

// TestSpecExample runs the program of ccp-protocol.md §4, assembled as
// portus compiles it, and checks its INSTALL header.
func TestSpecExample(t *testing.T) {
	m := specExample()
	b := encode(t, m)
	if want := unhex(t, "02 00 34 01 00 00 00 00 | 01 00 00 00 02 00 00 00 10 00 00 00"); string(b[:20]) != string(want) || len(b) != 308 {
		t.Fatalf("INSTALL header %x (len %d)", b[:20], len(b))
	}
	h := newHarness(t, Config{})
	c := h.start()
	h.runProgram(c, m)
	var reports [][]uint64
	for i := range 200 {
		h.now += time.Millisecond
		for _, r := range h.invoke(c, &Primitives{BytesAcked: 100, RTTSampleUs: uint64(5000 + i)}) {
			reports = append(reports, r.Fields)
		}
	}
	// Micros is 0 at the first invocation (the program change) and at
	// each report; Micros > 10000 holds 11 ACKs later. So reports come
	// after 12 ACKs, then every 11, 5 times (cnt < 5); acked is volatile,
	// minrtt is not.
	if len(reports) != 5 {
		t.Fatalf("%d reports, want 5: %v", len(reports), reports)
	}
	equalFields(t, reports[0], 1200, 5000)
	equalFields(t, reports[1], 1100, 5000)
	if r := c.Registers(); r.Control[0] != 5 {
		t.Fatalf("cnt = %d", r.Control[0])
	}
}

func specExample() *wire.Install {
	// (def (Report (volatile acked 0) (minrtt +infinity)) (cnt 0))
	// (when true (:= Report.acked (+ Report.acked Ack.bytes_acked))
	//            (:= Report.minrtt (min Report.minrtt Flow.rtt_sample_us)) (fallthrough))
	// (when (&& (> Micros 10000) (< cnt 5)) (:= cnt (+ cnt 1)) (report) (:= Micros 0))
	return assemble(1, []wire.Instr{def(vrep(0), 0), def(rep(1), 0xFFFFFFFF), def(ctl(0), 0)},
		when{always(), []wire.Instr{
			in(wire.OpAdd, tmp(0), vrep(0), prim(pBytesAcked)), bind(vrep(0), tmp(0)),
			in(wire.OpMin, tmp(0), rep(1), prim(pRTT)), bind(rep(1), tmp(0)),
			doFallthrough()}},
		when{[]wire.Instr{
			in(wire.OpGt, tmp(0), impl(ImplMicros), imm(10000)),
			in(wire.OpLt, tmp(1), ctl(0), imm(5)),
			in(wire.OpMul, impl(ImplEventFlag), tmp(0), tmp(1))},
			[]wire.Instr{in(wire.OpAdd, tmp(0), ctl(0), imm(1)), bind(ctl(0), tmp(0)), doReport(), bind(impl(ImplMicros), imm(0))}})
}

// intervalRTT is generic-cong-avoid's DatapathIntervalRTTProg as portus
// compiles it (ccp-protocol.md §4, §7):
//
//	(def (Report (volatile acked 0) (volatile sacked 0) (volatile loss 0)
//	             (volatile timeout false) (volatile rtt 0) (volatile inflight 0)))
//	(when true
//	    (:= Report.inflight Flow.packets_in_flight)
//	    (:= Report.rtt Flow.rtt_sample_us)
//	    (:= Report.acked (+ Report.acked Ack.bytes_acked))
//	    (:= Report.sacked (+ Report.sacked Ack.packets_misordered))
//	    (:= Report.loss Ack.lost_pkts_sample)
//	    (:= Report.timeout Flow.was_timeout)
//	    (fallthrough))
//	(when (|| Report.timeout (> Report.loss 0)) (report) (:= Micros 0))
//	(when (> Micros Flow.rtt_sample_us) (report) (:= Micros 0))
//
// Report registers are numbered in declaration order; the DEF preamble is
// sorted by name; `||` is ADD; a condition's last result goes to
// __eventFlag.
func intervalRTT(uid uint32) *wire.Install {
	const acked, sacked, loss, timeout, rtt, inflight = 0, 1, 2, 3, 4, 5
	return assemble(uid,
		[]wire.Instr{ // sorted: acked, inflight, loss, rtt, sacked, timeout
			def(vrep(acked), 0), def(vrep(inflight), 0), def(vrep(loss), 0),
			def(vrep(rtt), 0), def(vrep(sacked), 0), def(vrep(timeout), 0),
		},
		when{always(), []wire.Instr{
			bind(vrep(inflight), prim(pPacketsInFlight)),
			bind(vrep(rtt), prim(pRTT)),
			in(wire.OpAdd, tmp(0), vrep(acked), prim(pBytesAcked)), bind(vrep(acked), tmp(0)),
			in(wire.OpAdd, tmp(0), vrep(sacked), prim(pPacketsMisordered)), bind(vrep(sacked), tmp(0)),
			bind(vrep(loss), prim(pLost)),
			bind(vrep(timeout), prim(pWasTimeout)),
			doFallthrough(),
		}},
		when{[]wire.Instr{
			in(wire.OpGt, tmp(0), vrep(loss), imm(0)),
			in(wire.OpAdd, impl(ImplEventFlag), vrep(timeout), tmp(0)),
		}, []wire.Instr{doReport(), bind(impl(ImplMicros), imm(0))}},
		when{[]wire.Instr{in(wire.OpGt, impl(ImplEventFlag), impl(ImplMicros), prim(pRTT))},
			[]wire.Instr{doReport(), bind(impl(ImplMicros), imm(0))}},
	)
}

func TestIntervalRTT(t *testing.T) {
	m := intervalRTT(2)
	if len(m.Instrs) != 23 || len(m.Exprs) != 3 {
		t.Fatalf("%d instructions, %d expressions", len(m.Instrs), len(m.Exprs))
	}
	h := newHarness(t, Config{})
	c := h.start()
	h.runProgram(c, m)
	p := Primitives{BytesAcked: 1448, PacketsInFlight: 10, RTTSampleUs: 10000, SndCwnd: 14480}
	// One ACK every 1 ms: a report once Micros > rtt: after 12 ACKs (the
	// first at Micros 0), then every 11.
	var got [][]uint64
	for range 23 {
		h.now += time.Millisecond
		for _, r := range h.invoke(c, &p) {
			got = append(got, r.Fields)
		}
	}
	if len(got) != 2 {
		t.Fatalf("%d reports, want 2", len(got))
	}
	equalFields(t, got[0], 12*1448, 0, 0, 0, 10000, 10)
	equalFields(t, got[1], 11*1448, 0, 0, 0, 10000, 10)
	// A loss reports at once.
	h.now += time.Millisecond
	p.LostPktsSample, p.PacketsMisordered = 2, 1
	equalFields(t, h.invokeReport(c, &p), 1448, 1, 2, 0, 10000, 10)
	// So does a timeout.
	h.now += time.Millisecond
	p.LostPktsSample, p.PacketsMisordered, p.WasTimeout = 0, 0, true
	equalFields(t, h.invokeReport(c, &p), 1448, 0, 0, 1, 10000, 10)
	// Without an RTT sample (read as 2³²−1 µs) there is no interval report.
	p.WasTimeout, p.RTTSampleUs = false, 0
	for range 50 {
		h.now += time.Millisecond
		h.invokeNoReport(c, &p)
	}
	if len(h.cwnd) != 23+2+50 {
		t.Fatalf("%d SetCwnd calls, want one per invocation", len(h.cwnd))
	}
}

// worstCase is the longest program an INSTALL can carry: 256 expressions
// whose condition and body are all 256 instructions, each setting
// __eventFlag and __shouldContinue, so that every invocation runs
// 256·512 instructions; one of them counts in local 0.
func worstCase() *wire.Install {
	m := &wire.Install{ProgramUID: 1, Instrs: make([]wire.Instr, 256), Exprs: make([]wire.Expr, 256)}
	for i := range m.Instrs {
		m.Instrs[i] = bind(impl(uint32(i%2)), imm(1))
		m.Exprs[i] = wire.Expr{CondStart: 0, CondLen: 256, BodyStart: 0, BodyLen: 256}
	}
	m.Instrs[255] = in(wire.OpAdd, local(0), local(0), imm(1))
	return m
}

func TestWorstCaseProgramTerminates(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.start()
	h.runProgram(c, worstCase())
	h.invokeNoReport(c, &Primitives{})
	if r := c.Registers(); r.Local[0] != 2*256 {
		t.Fatalf("local 0 = %d, want 512", r.Local[0])
	}
}
