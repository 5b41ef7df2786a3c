package vm

// The scenarios of libccp's unittest.c (init, basic, primitives,
// multievent, fallthrough, read_implicit, update_fields, close), each
// written as its own test with hand-assembled programs. Where unittest.c
// compares bytes, these compare the bytes too.

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ccscope/ccscope/ccp/wire"
)

func TestInitSendsReady(t *testing.T) {
	var sent [][]byte
	d := New(Config{ID: 0xaa, Send: func(b []byte) error { sent = append(sent, bytes.Clone(b)); return nil }})
	if err := d.Init(0); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 || !bytes.Equal(sent[0], unhex(t, "05 00 0c 00 00 00 00 00 | aa 00 00 00")) {
		t.Fatalf("Init sent %x, want one READY(0xaa)", sent)
	}

	// A failed READY is only a warning.
	var logs []string
	d = New(Config{Send: func([]byte) error { return errSend }, Log: func(s string) { logs = append(logs, s) }})
	if err := d.Init(0); err != nil {
		t.Fatalf("Init with a failing Send: %v", err)
	}
	if len(logs) != 1 || !strings.Contains(logs[0], "ready") {
		t.Fatalf("logs %q, want a warning about READY", logs)
	}
	if d.InFallback(1 << 40) {
		t.Fatal("a failed READY armed the fallback timer")
	}

	wantCode(t, New(Config{}).Init(0), ErrMissingArg)
}

func TestStartSendsCreate(t *testing.T) {
	h := newHarness(t, Config{})
	c, err := h.d.Start(h.now, unittestInfo(), Callbacks{})
	if err != nil {
		t.Fatal(err)
	}
	if c.SID() != 1 {
		t.Fatalf("first sid %d, want 1", c.SID())
	}
	want := unhex(t, "00 00 60 00 01 00 00 00 | 64 00 00 00 0a 00 00 00 01 00 00 00 02 00 00 00 03 00 00 00 04 00 00 00")
	want = append(want, "my-cool-alg"...)
	want = append(want, make([]byte, 64-len("my-cool-alg"))...)
	if s := h.take(); len(s) != 1 || !bytes.Equal(s[0], want) {
		t.Fatalf("Start sent %x, want CREATE %x", s, want)
	}
}

func TestBasic(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.start()
	// (def (Report (volatile foo 0))) (when true (:= Report.foo (+ Report.foo 1)) (report))
	h.runProgram(c, assemble(1, []wire.Instr{def(vrep(0), 0)},
		when{always(), []wire.Instr{in(wire.OpAdd, tmp(0), vrep(0), imm(1)), bind(vrep(0), tmp(0)), doReport()}}))
	var p Primitives
	if err := c.Invoke(h.now, &p); err != nil {
		t.Fatal(err)
	}
	want := unhex(t, "01 00 18 00 01 00 00 00 | 01 00 00 00 01 00 00 00 | 01 00 00 00 00 00 00 00")
	if s := h.take(); len(s) != 1 || !bytes.Equal(s[0], want) {
		t.Fatalf("sent %x, want MEASURE %x", s, want)
	}
	// foo is volatile: back to 0 after the report, so 1 again.
	equalFields(t, h.invokeReport(c, &p), 1)
	if st := c.Stats(); st.Invocations != 2 || st.Runs != 2 || st.Reports != 2 || st.Faults != 0 {
		t.Fatalf("stats %+v", st)
	}
	if r, ok := c.LastReport(); !ok || r.ProgramUID != 1 || !r.Sent || len(r.Fields) != 1 || r.Fields[0] != 1 {
		t.Fatalf("LastReport %+v %v", r, ok)
	}
}

func TestPrimitives(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.start()
	// (def (Report (volatile minrtt +infinity)))
	// (when (< Flow.rtt_sample_us Report.minrtt) (:= Report.minrtt Flow.rtt_sample_us) (report))
	h.runProgram(c, assemble(2, []wire.Instr{def(vrep(0), 0xFFFFFFFF)},
		when{[]wire.Instr{in(wire.OpLt, impl(ImplEventFlag), prim(pRTT), vrep(0))},
			[]wire.Instr{bind(vrep(0), prim(pRTT)), doReport()}}))
	equalFields(t, h.invokeReport(c, &Primitives{RTTSampleUs: 0xcafefeed}), 0xcafefeed)
	// No sample reads as 2³²−1, not below +infinity: no report.
	h.invokeNoReport(c, &Primitives{RTTSampleUs: 0})

	// Every primitive into its own report register.
	// Ack.now counts µs from Init, not from the origin of now.
	h = &harness{t: t, now: 5e9}
	h.d = New(Config{Send: func(b []byte) error { h.sent = append(h.sent, bytes.Clone(b)); return nil }})
	if err := h.d.Init(h.now); err != nil {
		t.Fatal(err)
	}
	c = h.start()
	var defs, body []wire.Instr
	for i := range uint32(NumPrimitives) {
		defs = append(defs, def(vrep(i), 0))
		body = append(body, bind(vrep(i), prim(i)))
	}
	h.runProgram(c, assemble(3, defs, when{always(), append(body, doReport())}))
	h.now += 1234567e3 // ns: 1234567 µs
	p := Primitives{BytesAcked: 1, BytesMisordered: 2, ECNBytes: 3, ECNPackets: 4, LostPktsSample: 5,
		PacketsAcked: 7, PacketsMisordered: 8, BytesInFlight: 9, BytesPending: 10, PacketsInFlight: 11,
		RateIncoming: 12, RateOutgoing: 1 << 40, RTTSampleUs: 14, WasTimeout: true}
	equalFields(t, h.invokeReport(c, &p), 1, 2, 3, 4, 5, 1234567, 7, 8, 9, 10, 11, 12, 1<<40, 14, 1)
}

// multievent: the first true clause ends the evaluation.
func TestMultievent(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.start()
	// (def (Report (volatile counter 0)) (minrtt +infinity))
	// (when (< Flow.rtt_sample_us minrtt) (:= minrtt Flow.rtt_sample_us) (report))
	// (when true (:= Report.counter (+ Report.counter 1)))
	h.runProgram(c, assemble(3, []wire.Instr{def(vrep(0), 0), def(ctl(0), 0xFFFFFFFF)},
		when{[]wire.Instr{in(wire.OpLt, impl(ImplEventFlag), prim(pRTT), ctl(0))},
			[]wire.Instr{bind(ctl(0), prim(pRTT)), doReport()}},
		when{always(), []wire.Instr{in(wire.OpAdd, tmp(0), vrep(0), imm(1)), bind(vrep(0), tmp(0))}}))
	p := Primitives{RTTSampleUs: 0xcafefeed}
	equalFields(t, h.invokeReport(c, &p), 0) // the second clause did not run
	h.invokeNoReport(c, &p)
	h.invokeNoReport(c, &p)
	p.RTTSampleUs = 0xcafefeeb
	equalFields(t, h.invokeReport(c, &p), 2)
}

// fallthrough: (fallthrough) lets the next clauses run too.
func TestFallthrough(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.start()
	h.runProgram(c, assemble(4, []wire.Instr{def(ctl(0), 0xFFFFFFFF), def(vrep(0), 0)},
		when{[]wire.Instr{in(wire.OpLt, impl(ImplEventFlag), prim(pRTT), ctl(0))},
			[]wire.Instr{bind(ctl(0), prim(pRTT)), doReport(), doFallthrough()}},
		when{always(), []wire.Instr{in(wire.OpAdd, tmp(0), vrep(0), imm(1)), bind(vrep(0), tmp(0))}}))
	p := Primitives{RTTSampleUs: 0xcafefeed}
	equalFields(t, h.invokeReport(c, &p), 1) // reported after the second clause ran
	h.invokeNoReport(c, &p)
	h.invokeNoReport(c, &p)
	p.RTTSampleUs = 0xcafefeeb
	equalFields(t, h.invokeReport(c, &p), 3)
}

// read_implicit: a program writes Cwnd and reads it back.
func TestReadImplicit(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.start()
	// (def (Report.foo 0)) (when true (:= Cwnd 5) (:= Report.foo (== Cwnd 5)) (report))
	h.runProgram(c, assemble(5, []wire.Instr{def(vrep(0), 0)},
		when{always(), []wire.Instr{bind(impl(ImplCwnd), imm(5)), in(wire.OpEquiv, rep(0), impl(ImplCwnd), imm(5)),
			bind(vrep(0), rep(0)), doReport()}}))
	equalFields(t, h.invokeReport(c, &Primitives{SndCwnd: 1000}), 1)
	if len(h.cwnd) != 1 || h.cwnd[0] != 5 {
		t.Fatalf("SetCwnd calls %v, want [5]", h.cwnd)
	}
	if r := c.Registers(); r.Implicit[ImplCwnd] != 5 || r.Implicit[ImplShouldReport] != 1 {
		t.Fatalf("implicit registers %v", r.Implicit)
	}
}

// update_fields: a control register updated by the agent.
func TestUpdateFields(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.start()
	// (def (Report (volatile foo 0)) (bar 5)) (when true (:= Report.foo bar) (report))
	h.runProgram(c, assemble(6, []wire.Instr{def(vrep(0), 0), def(ctl(0), 5)},
		when{always(), []wire.Instr{bind(vrep(0), ctl(0)), doReport()}}))
	var p Primitives
	equalFields(t, h.invokeReport(c, &p), 5)
	// UPDATE_FIELDS sid 1: control 0 := 42, as bytes.
	if err := h.d.Receive(h.now, unhex(t, "03 00 19 00 01 00 00 00 | 01 00 00 00 | 00 00 00 00 00 2a 00 00 00 00 00 00 00")); err != nil {
		t.Fatal(err)
	}
	equalFields(t, h.invokeReport(c, &p), 42)
}

// close: Free sends the closing MEASURE and frees the slot.
func TestClose(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.start()
	if err := c.Free(h.now); err != nil {
		t.Fatal(err)
	}
	want := unhex(t, "01 00 10 00 01 00 00 00 | 00 00 00 00 00 00 00 00")
	if s := h.take(); len(s) != 1 || !bytes.Equal(s[0], want) {
		t.Fatalf("Free sent %x, want %x", s, want)
	}
	if h.d.Conn(1) != nil || len(h.d.Conns()) != 0 {
		t.Fatal("slot still in use after Free")
	}
	wantCode(t, c.Free(h.now), ErrUnknownConnection)
	wantCode(t, c.Invoke(h.now, &Primitives{}), ErrUnknownConnection)
	wantCode(t, h.recv(&wire.UpdateFields{SID: 1, Updates: []wire.Update{{Reg: ctl(0), Value: 1}}}), ErrUnknownConnection)
	if c2 := h.start(); c2.SID() != 1 {
		t.Fatalf("next flow got sid %d, want the freed 1", c2.SID())
	}

	// A failed close send still frees the slot, and is no fallback.
	h.fail = errSend
	c3 := h.d.Conn(1)
	if err := c3.Free(h.now); err == nil {
		t.Fatal("Free with a failing Send returned nil")
	}
	if h.d.Conn(1) != nil || h.d.fto.armed {
		t.Fatal("failed close: slot kept or fallback timer armed")
	}
}
