package vm

import (
	"strings"
	"testing"
	"time"

	"github.com/ccscope/ccscope/ccp/wire"
)

// reportEveryACK is (def (Report (volatile acked 0))) (when true
// (:= Report.acked (+ Report.acked Ack.bytes_acked)) (report)).
func reportEveryACK(uid uint32) *wire.Install {
	return assemble(uid, []wire.Instr{def(vrep(0), 0)},
		when{always(), []wire.Instr{in(wire.OpAdd, tmp(0), vrep(0), prim(pBytesAcked)), bind(vrep(0), tmp(0)), doReport()}})
}

func TestFallbackTimerFailedCreate(t *testing.T) {
	h := newHarness(t, Config{FallbackTimeout: time.Millisecond})
	h.fail = errSend
	c := h.start() // the CREATE fails at 0: the timer is armed
	p := &Primitives{SndCwnd: 1000}

	h.now = 1000 * time.Microsecond // exactly the timeout: not yet expired
	wantCode(t, c.Invoke(h.now, p), ErrCreatePending)
	if h.d.InFallback(h.now) {
		t.Fatal("in fallback at exactly the timeout")
	}
	h.now = 1001 * time.Microsecond
	if !h.d.InFallback(h.now) {
		t.Fatal("not in fallback after the timeout")
	}
	err := c.Invoke(h.now, p)
	wantCode(t, err, ErrFallbackTimedOut)
	if len(h.cwnd) != 0 {
		t.Fatal("callbacks in fallback")
	}
	// Later failed sends do not move the timer's start.
	h.now = 200 * time.Millisecond
	wantCode(t, c.Invoke(h.now, p), ErrFallbackTimedOut)

	// A message from the agent, even one whose body is then rejected,
	// clears the timer.
	h.fail = nil
	bad := encode(t, &wire.UpdateFields{SID: 1})
	bad = append(bad[:len(bad)-4], 9, 0, 0, 0) // 9 updates, no bytes for them
	wantCode(t, h.d.Receive(h.now, bad), ErrBufsizeTooSmall)
	if h.d.InFallback(h.now) {
		t.Fatal("still in fallback after a message")
	}
	// The CREATE is retried now (the last attempt was at 0).
	wantCode(t, c.Invoke(h.now, p), ErrCreatePending)
	if s := h.take(); len(s) != 1 || s[0][0] != byte(wire.TypeCreate) {
		t.Fatalf("sent %x, want the CREATE", s)
	}
	wantCode(t, c.Invoke(h.now, p), ErrProgIsNull)
	if !strings.Contains(strings.Join(h.logs, "\n"), "fallback") || !strings.Contains(strings.Join(h.logs, "\n"), "restored") {
		t.Fatalf("logs %q: want the fallback and the restoration", h.logs)
	}
}

func TestFallbackTimerFailedReport(t *testing.T) {
	h := newHarness(t, Config{FallbackTimeout: 10 * time.Millisecond})
	c := h.start()
	h.runProgram(c, reportEveryACK(1))
	p := &Primitives{BytesAcked: 1, SndCwnd: 1000}
	h.fail = errSend
	h.now = time.Second
	if err := c.Invoke(h.now, p); err != nil { // the report fails: not an Invoke error
		t.Fatal(err)
	}
	if st := c.Stats(); st.SendFailures != 1 || st.Reports != 0 {
		t.Fatalf("stats %+v", st)
	}
	if r, ok := c.LastReport(); !ok || r.Sent {
		t.Fatalf("LastReport %+v: want an unsent report", r)
	}
	h.now += 10 * time.Millisecond
	if err := c.Invoke(h.now, p); err != nil {
		t.Fatal(err)
	}
	h.now += time.Microsecond
	h.cwnd = nil
	wantCode(t, c.Invoke(h.now, p), ErrFallbackTimedOut)
	if len(h.cwnd) != 0 {
		t.Fatal("SetCwnd called in fallback")
	}
	// Garbage (no valid header) does not clear the timer.
	wantCode(t, h.d.Receive(h.now, []byte{1, 2, 3}), ErrBufsizeTooSmall)
	wantCode(t, h.d.Receive(h.now, encode(t, &wire.Ready{ID: 1})), ErrReadInvalidHeaderType)
	wantCode(t, c.Invoke(h.now, p), ErrFallbackTimedOut)
	// Any agent message does.
	h.fail = nil
	h.mustRecv(&wire.UpdateFields{SID: 1})
	if err := c.Invoke(h.now, p); err != nil {
		t.Fatal(err)
	}
}

func TestCreateResend(t *testing.T) {
	h := newHarness(t, Config{FallbackTimeout: time.Hour})
	h.fail = errSend
	c := h.start()
	if h.attempts != 1 {
		t.Fatalf("%d sends at Start, want 1", h.attempts)
	}
	p := &Primitives{SndCwnd: 1000}
	for _, step := range []struct {
		at       time.Duration
		attempts int
		fail     error
	}{
		{50 * time.Millisecond, 1, errSend},    // too soon: no attempt
		{99999 * time.Microsecond, 1, errSend}, // still too soon
		{100 * time.Millisecond, 2, errSend},   // 100 ms after the first: attempt, fails
		{150 * time.Millisecond, 2, nil},       // 50 ms after the last: no attempt
		{200 * time.Millisecond, 3, nil},       // attempt, succeeds
	} {
		h.now, h.fail = step.at, step.fail
		err := c.Invoke(h.now, p)
		wantCode(t, err, ErrCreatePending)
		if h.attempts != step.attempts {
			t.Fatalf("at %v: %d send attempts, want %d", step.at, h.attempts, step.attempts)
		}
	}
	if s := h.take(); len(s) != 1 || s[0][0] != byte(wire.TypeCreate) {
		t.Fatalf("sent %x, want one CREATE", s)
	}
	// From now on the program would run.
	wantCode(t, c.Invoke(h.now, p), ErrProgIsNull)
	h.runProgram(c, reportEveryACK(1))
	equalFields(t, h.invokeReport(c, &Primitives{BytesAcked: 3}), 3)
}

func TestProgramTableFull(t *testing.T) {
	h := newHarness(t, Config{MaxPrograms: 3})
	for uid := uint32(2); uid <= 4; uid++ {
		h.mustRecv(reportEveryACK(uid))
	}
	wantCode(t, h.recv(reportEveryACK(5)), ErrProgTableFull)
	if n := len(h.d.Programs()); n != 3 {
		t.Fatalf("%d programs, want 3", n)
	}
	// Installing a uid again takes another slot; lookups find the first.
	h = newHarness(t, Config{MaxPrograms: 3})
	h.mustRecv(reportEveryACK(7), reportEveryACK(7))
	if ps := h.d.Programs(); len(ps) != 2 || h.d.Program(7) != ps[0] || h.d.Program(8) != nil {
		t.Fatal("duplicate uids: wrong table or lookup")
	}
	if h.d.Stats().Installs != 2 {
		t.Fatalf("stats %+v", h.d.Stats())
	}
}

func TestInstallUID1WipesTable(t *testing.T) {
	h := newHarness(t, Config{MaxPrograms: 3})
	a := h.start()
	b := h.start()
	prog2 := reportEveryACK(2)
	// prog3 reports 7 whatever happens.
	prog3 := assemble(3, []wire.Instr{def(vrep(0), 0)}, when{always(), []wire.Instr{bind(vrep(0), imm(7)), doReport()}})
	h.mustRecv(prog2, prog3, reportEveryACK(4))
	h.mustRecv(&wire.ChangeProg{SID: a.SID(), ProgramUID: 2}, &wire.ChangeProg{SID: b.SID(), ProgramUID: 3})
	equalFields(t, h.invokeReport(a, &Primitives{BytesAcked: 1}), 1)
	equalFields(t, h.invokeReport(b, &Primitives{}), 7)

	// A new agent: uid 1 empties the table, then takes slot 1.
	prog1 := assemble(1, []wire.Instr{def(vrep(0), 0)}, when{always(), []wire.Instr{bind(vrep(0), imm(1111)), doReport()}})
	h.mustRecv(prog1)
	ps := h.d.Programs()
	if len(ps) != 1 || ps[0].ProgramUID != 1 || h.d.Program(2) != nil {
		t.Fatalf("table after uid 1: %d programs", len(ps))
	}
	// As in libccp, flows refer to program slots: a now runs whatever
	// is in slot 1, b's slot 2 is empty.
	equalFields(t, h.invokeReport(a, &Primitives{}), 1111)
	if uid, ok := a.Program(); !ok || uid != 1 {
		t.Fatalf("a runs uid %d %v, want 1", uid, ok)
	}
	wantCode(t, b.Invoke(h.now, &Primitives{}), ErrProgIsNull)
	if _, ok := b.Program(); ok {
		t.Fatal("b still has a program")
	}
	// A CHANGE_PROG to an old uid is now unknown.
	h.mustRecv(&wire.ChangeProg{SID: b.SID(), ProgramUID: 3})
	wantCode(t, b.Invoke(h.now, &Primitives{}), ErrProgIsNull)

	// An invalid INSTALL with uid 1 is rejected before it wipes anything.
	bad := reportEveryACK(1)
	bad.Instrs[1].Op = 99
	wantCode(t, h.recv(bad), ErrReadInvalidOp)
	if len(h.d.Programs()) != 1 {
		t.Fatal("an invalid uid-1 INSTALL changed the table")
	}
}

func TestChangeProgUnknownUID(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.start()
	h.runProgram(c, reportEveryACK(1))
	h.mustRecv(&wire.UpdateFields{SID: 1, Updates: []wire.Update{{Reg: impl(ImplCwnd), Value: 5000}}})
	// Ignored: no error, no staged program; the staged update stays.
	if err := h.recv(&wire.ChangeProg{SID: 1, ProgramUID: 42}); err != nil {
		t.Fatalf("CHANGE_PROG to an unknown uid: %v", err)
	}
	if !strings.Contains(strings.Join(h.logs, "\n"), "uid 42") {
		t.Fatalf("logs %q: want a notice", h.logs)
	}
	equalFields(t, h.invokeReport(c, &Primitives{BytesAcked: 2, SndCwnd: 100}), 2)
	if uid, _ := c.Program(); uid != 1 {
		t.Fatalf("runs uid %d, want 1", uid)
	}
	if len(h.cwnd) != 2 || h.cwnd[0] != 5000 || h.cwnd[1] != 5000 {
		t.Fatalf("SetCwnd calls %v, want the staged 5000 twice", h.cwnd)
	}
}

func TestConnTable(t *testing.T) {
	h := newHarness(t, Config{MaxConns: 3})
	for i := 1; i <= 3; i++ {
		if c := h.start(); c.SID() != uint32(i) {
			t.Fatalf("sid %d, want %d", c.SID(), i)
		}
	}
	_, err := h.d.Start(h.now, unittestInfo(), Callbacks{})
	wantCode(t, err, ErrConnTableFull)
	if err := h.d.Conn(2).Free(h.now); err != nil {
		t.Fatal(err)
	}
	if c := h.start(); c.SID() != 2 {
		t.Fatalf("sid %d, want the first free, 2", c.SID())
	}
	if n := len(h.d.Conns()); n != 3 {
		t.Fatalf("%d conns", n)
	}
	_, err = h.d.Start(h.now, Info{CongAlg: strings.Repeat("x", 64)}, Callbacks{})
	wantCode(t, err, ErrMissingArg)
	if New(Config{MaxConns: 1 << 20}).cfg.MaxConns != 65535 {
		t.Fatal("MaxConns not capped to u16 sids")
	}
}

func TestReceiveErrors(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.start()
	h.runProgram(c, reportEveryACK(1))
	upd := func(us ...wire.Update) *wire.UpdateFields { return &wire.UpdateFields{SID: 1, Updates: us} }
	long := make([]byte, wire.MaxMsgLen+1)
	copy(long, unhex(t, "02 00 a7 7f 00 00 00 00")) // 32679 bytes
	tooMany := func(typ byte, off int) []byte {
		b := make([]byte, 32)
		b[0], b[2], b[4] = typ, 32, 1
		b[off], b[off+1] = 0xdf, 0 // 223
		return b
	}
	for _, tc := range []struct {
		name string
		msg  []byte
		code Code
	}{
		{"short", []byte{2, 0, 8}, ErrBufsizeTooSmall},
		{"CREATE", encode(t, &wire.Create{SID: 1}), ErrReadInvalidHeaderType},
		{"MEASURE", encode(t, &wire.Measure{SID: 1}), ErrReadInvalidHeaderType},
		{"READY", encode(t, &wire.Ready{}), ErrReadInvalidHeaderType},
		{"type 6", unhex(t, "06 00 08 00 00 00 00 00"), ErrReadInvalidHeaderType},
		{"length past the buffer", unhex(t, "03 00 20 00 01 00 00 00 00 00 00 00"), ErrBufsizeTooSmall},
		{"length under the header", unhex(t, "03 00 04 00 01 00 00 00 00 00 00 00"), ErrBufsizeTooSmall},
		{"too long", long, ErrMsgTooLong},
		{"unknown sid", encode(t, &wire.UpdateFields{SID: 9}), ErrUnknownConnection},
		{"sid 0", encode(t, &wire.ChangeProg{SID: 0, ProgramUID: 1}), ErrUnknownConnection},
		{"223 updates", tooMany(3, 8), ErrUpdateTooMany},
		{"223 updates with CHANGE_PROG", tooMany(4, 12), ErrChangeTooMany},
		{"257 expressions", unhex(t, "02 00 14 00 00 00 00 00 | 01 00 00 00 01 01 00 00 00 00 00 00"), ErrInstallTooManyExpr},
		{"257 instructions", unhex(t, "02 00 14 00 00 00 00 00 | 01 00 00 00 00 00 00 00 01 01 00 00"), ErrInstallTooManyInstr},
		{"INSTALL body short", unhex(t, "02 00 14 00 00 00 00 00 | 01 00 00 00 01 00 00 00 00 00 00 00"), ErrBufsizeTooSmall},
		{"update of a report register", encode(t, upd(wire.Update{Reg: vrep(0), Value: 1})), ErrUpdateInvalidRegType},
		{"update of a tmp register", encode(t, upd(wire.Update{Reg: ctl(1), Value: 1}, wire.Update{Reg: tmp(0), Value: 1})), ErrUpdateInvalidRegType},
		{"update of control 110", encode(t, upd(wire.Update{Reg: vctl(110), Value: 1})), ErrUpdateInvalidRegType},
		{"CHANGE_PROG with a bad update", encode(t, &wire.ChangeProg{SID: 1, ProgramUID: 1, Updates: []wire.Update{{Reg: prim(0)}}}), ErrUpdateInvalidRegType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := h.d.Receive(h.now, tc.msg)
			wantCode(t, err, tc.code)
			if !strings.HasPrefix(err.Error(), "ccp vm: ") {
				t.Fatalf("error %q", err)
			}
		})
	}
	// Nothing was staged by the rejected updates: ctl 1 unchanged.
	h.invoke(c, &Primitives{})
	if r := c.Registers(); r.Control[1] != 0 {
		t.Fatalf("control 1 = %d after rejected updates", r.Control[1])
	}
	if st := h.d.Stats(); st.Rejected != 19 || st.Received != st.Rejected+2 {
		t.Fatalf("stats %+v", st)
	}

	// Bytes after the message are ignored (and logged), as in libccp.
	b := append(encode(t, upd(wire.Update{Reg: ctl(3), Value: 33})), 0xff, 0xff)
	if err := h.d.Receive(h.now, b); err != nil {
		t.Fatal(err)
	}
	h.invoke(c, &Primitives{})
	if r := c.Registers(); r.Control[3] != 33 {
		t.Fatalf("control 3 = %d, want 33", r.Control[3])
	}
	if !strings.Contains(strings.Join(h.logs, "\n"), "ignoring 2 bytes") {
		t.Fatalf("logs %q", h.logs)
	}
}

func TestInstallValidation(t *testing.T) {
	base := func() *wire.Install {
		return assemble(9, []wire.Instr{def(vrep(0), 0)}, when{always(), []wire.Instr{bind(vrep(0), prim(0)), doReport()}})
	}
	body := 2 // the index of the body's first instruction
	for _, tc := range []struct {
		name   string
		change func(m *wire.Install)
		code   Code
	}{
		{"opcode 15", func(m *wire.Install) { m.Instrs[body].Op = 15 }, ErrReadInvalidOp},
		{"writes an immediate", func(m *wire.Install) { m.Instrs[body].Res = imm(0) }, ErrReadRegNotAllowed},
		{"writes a primitive", func(m *wire.Install) { m.Instrs[body].Res = prim(0) }, ErrReadRegNotAllowed},
		{"result type 9", func(m *wire.Install) { m.Instrs[body].Res.Type = 9 }, ErrReadInvalidReturnReg},
		{"result report 110", func(m *wire.Install) { m.Instrs[body].Res = vrep(110) }, ErrReadInvalidReturnReg},
		{"result implicit 6", func(m *wire.Install) { m.Instrs[body].Res = impl(6) }, ErrReadInvalidReturnReg},
		{"result tmp 8", func(m *wire.Install) { m.Instrs[body].Res = tmp(8) }, ErrReadInvalidReturnReg},
		{"left type 200", func(m *wire.Install) { m.Instrs[body].Left.Type = 200 }, ErrReadInvalidLeftReg},
		{"left local 8", func(m *wire.Install) { m.Instrs[body].Left = local(8) }, ErrReadInvalidLeftReg},
		{"right primitive 15", func(m *wire.Install) { m.Instrs[body].Right = prim(15) }, ErrReadInvalidRightReg},
		{"right control 110", func(m *wire.Install) { m.Instrs[body].Right = ctl(110) }, ErrReadInvalidRightReg},
		{"DEF of control 4000000000", func(m *wire.Install) { m.Instrs[0] = def(vctl(4e9), 0) }, ErrReadInvalidReturnReg},
		{"condition past the end", func(m *wire.Install) { m.Exprs[0].CondLen = 4 }, ErrInstallBadExpr},
		{"body start past the end", func(m *wire.Install) { m.Exprs[0].BodyStart = 4; m.Exprs[0].BodyLen = 1 }, ErrInstallBadExpr},
		{"wrapping range", func(m *wire.Install) { m.Exprs[0].BodyStart = 0xFFFFFFFF; m.Exprs[0].BodyLen = 2 }, ErrInstallBadExpr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Config{})
			m := base()
			tc.change(m)
			err := h.recv(m)
			wantCode(t, err, tc.code)
			if !strings.Contains(err.Error(), "uid 9") {
				t.Fatalf("error %q does not name the program", err)
			}
			if len(h.d.Programs()) != 0 {
				t.Fatal("an invalid program took a slot")
			}
		})
	}
	// The edges of every register file are fine, as are empty ranges at
	// the end and programs of 256 expressions and instructions.
	h := newHarness(t, Config{})
	m := assemble(10, nil, when{always(), []wire.Instr{
		in(wire.OpAdd, vrep(109), ctl(109), imm(0xFFFFFFFF)),
		in(wire.OpAdd, tmp(7), local(7), prim(14)),
		bind(impl(5), vctl(109)),
	}})
	m.Exprs = append(m.Exprs, wire.Expr{CondStart: 4, BodyStart: 4})
	h.mustRecv(m)
	big := &wire.Install{ProgramUID: 11, Instrs: make([]wire.Instr, 256), Exprs: make([]wire.Expr, 256)}
	for i := range big.Instrs {
		big.Instrs[i] = bind(local(0), imm(1))
		big.Exprs[i] = wire.Expr{CondStart: uint32(i), CondLen: 1, BodyStart: 0, BodyLen: 256}
	}
	h.mustRecv(big)
}
