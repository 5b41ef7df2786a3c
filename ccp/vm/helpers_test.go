package vm

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ccscope/ccscope/ccp/wire"
)

// Operands for hand-assembled programs.
func imm(v uint32) wire.Reg   { return wire.Reg{Type: wire.RegImmediate, Index: v} }
func prim(i uint32) wire.Reg  { return wire.Reg{Type: wire.RegPrimitive, Index: i} }
func impl(i uint32) wire.Reg  { return wire.Reg{Type: wire.RegImplicit, Index: i} }
func vrep(i uint32) wire.Reg  { return wire.Reg{Type: wire.RegVolatileReport, Index: i} }
func rep(i uint32) wire.Reg   { return wire.Reg{Type: wire.RegReport, Index: i} }
func ctl(i uint32) wire.Reg   { return wire.Reg{Type: wire.RegControl, Index: i} }
func vctl(i uint32) wire.Reg  { return wire.Reg{Type: wire.RegVolatileControl, Index: i} }
func tmp(i uint32) wire.Reg   { return wire.Reg{Type: wire.RegTmp, Index: i} }
func local(i uint32) wire.Reg { return wire.Reg{Type: wire.RegLocal, Index: i} }

// Primitive registers by name (ccp-protocol.md §4).
const (
	pBytesAcked        = primBytesAcked
	pPacketsMisordered = primPacketsMisordered
	pLost              = primLostPktsSample
	pPacketsInFlight   = primPacketsInFlight
	pRTT               = primRTTSampleUs
	pWasTimeout        = primWasTimeout
)

func in(op wire.Op, res, l, r wire.Reg) wire.Instr {
	return wire.Instr{Op: op, Res: res, Left: l, Right: r}
}

// def is a DEF preamble entry: res = left = the variable, right its
// default.
func def(r wire.Reg, v uint32) wire.Instr { return in(wire.OpDef, r, r, imm(v)) }

// bind is (:= r v): BIND with res = left = r.
func bind(r, v wire.Reg) wire.Instr { return in(wire.OpBind, r, r, v) }

// (report), (fallthrough) and the condition of (when true ...).
func doReport() wire.Instr      { return bind(impl(ImplShouldReport), imm(1)) }
func doFallthrough() wire.Instr { return bind(impl(ImplShouldContinue), imm(1)) }
func always() []wire.Instr      { return []wire.Instr{bind(impl(ImplEventFlag), imm(1))} }

// when is one `when` clause.
type when struct{ cond, body []wire.Instr }

// assemble lays out a program as portus does: the DEF preamble, then each
// clause's condition followed by its body.
func assemble(uid uint32, defs []wire.Instr, whens ...when) *wire.Install {
	m := &wire.Install{ProgramUID: uid, Instrs: append([]wire.Instr(nil), defs...)}
	for _, w := range whens {
		e := wire.Expr{CondStart: uint32(len(m.Instrs)), CondLen: uint32(len(w.cond))}
		m.Instrs = append(m.Instrs, w.cond...)
		e.BodyStart, e.BodyLen = uint32(len(m.Instrs)), uint32(len(w.body))
		m.Instrs = append(m.Instrs, w.body...)
		m.Exprs = append(m.Exprs, e)
	}
	return m
}

func encode(t testing.TB, m wire.Message) []byte {
	t.Helper()
	b, err := wire.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "|", "", "\n", "").Replace(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// harness is a datapath with a recording Send and recording callbacks.
type harness struct {
	t        testing.TB
	d        *Datapath
	now      time.Duration
	sent     [][]byte
	attempts int   // Send calls, failed ones included
	fail     error // what Send returns
	cwnd     []uint64
	rate     []uint64
	logs     []string
}

func newHarness(t testing.TB, cfg Config) *harness {
	t.Helper()
	h := &harness{t: t}
	cfg.Send = func(msg []byte) error {
		h.attempts++
		if h.fail != nil {
			return h.fail
		}
		h.sent = append(h.sent, bytes.Clone(msg))
		return nil
	}
	cfg.Log = func(s string) { h.logs = append(h.logs, s) }
	h.d = New(cfg)
	if err := h.d.Init(h.now); err != nil {
		t.Fatal(err)
	}
	h.sent, h.attempts = nil, 0
	return h
}

// errSend is what a failing Send returns.
const errSend = constError("agent not listening")

// unittestInfo is the flow libccp's unittest.c starts.
func unittestInfo() Info {
	return Info{InitCwnd: 100, MSS: 10, SrcIP: 1, SrcPort: 2, DstIP: 3, DstPort: 4, CongAlg: "my-cool-alg"}
}

func (h *harness) start() *Conn {
	h.t.Helper()
	c, err := h.d.Start(h.now, unittestInfo(), Callbacks{
		SetCwnd: func(v uint64) { h.cwnd = append(h.cwnd, v) },
		SetRate: func(v uint64) { h.rate = append(h.rate, v) },
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.sent = nil // the CREATE (and anything before)
	return c
}

func (h *harness) recv(m wire.Message) error {
	return h.d.Receive(h.now, encode(h.t, m))
}

func (h *harness) mustRecv(ms ...wire.Message) {
	h.t.Helper()
	for _, m := range ms {
		if err := h.recv(m); err != nil {
			h.t.Fatalf("Receive %s: %v", m.Type(), err)
		}
	}
}

// install installs programs and switches c to the first one.
func (h *harness) runProgram(c *Conn, progs ...*wire.Install) {
	h.t.Helper()
	for _, p := range progs {
		h.mustRecv(p)
	}
	h.mustRecv(&wire.ChangeProg{SID: c.SID(), ProgramUID: progs[0].ProgramUID})
}

func (h *harness) take() [][]byte {
	s := h.sent
	h.sent = nil
	return s
}

// invoke runs c and returns the MEASUREs it sent.
func (h *harness) invoke(c *Conn, p *Primitives) []*wire.Measure {
	h.t.Helper()
	if err := c.Invoke(h.now, p); err != nil {
		h.t.Fatalf("Invoke: %v", err)
	}
	var ms []*wire.Measure
	for _, b := range h.take() {
		m, err := wire.Decode(b)
		if err != nil {
			h.t.Fatalf("sent an undecodable message: %v", err)
		}
		ms = append(ms, m.(*wire.Measure))
	}
	return ms
}

// invokeReport runs c, wants exactly one MEASURE and returns its fields.
func (h *harness) invokeReport(c *Conn, p *Primitives) []uint64 {
	h.t.Helper()
	ms := h.invoke(c, p)
	if len(ms) != 1 {
		h.t.Fatalf("Invoke sent %d reports, want 1", len(ms))
	}
	return ms[0].Fields
}

func (h *harness) invokeNoReport(c *Conn, p *Primitives) {
	h.t.Helper()
	if ms := h.invoke(c, p); len(ms) != 0 {
		h.t.Fatalf("Invoke sent %d reports (%v), want none", len(ms), ms[0].Fields)
	}
}

func wantCode(t testing.TB, err error, code Code) {
	t.Helper()
	if !errors.Is(err, code) {
		t.Fatalf("got error %v, want %v", err, code)
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error %v is not an *Error with code %v", err, code)
	}
}

func equalFields(t testing.TB, got []uint64, want ...uint64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("report fields %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("report fields %v, want %v", got, want)
		}
	}
}
