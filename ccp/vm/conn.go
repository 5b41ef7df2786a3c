package vm

import (
	"fmt"
	"time"

	"github.com/ccscope/ccscope/ccp/wire"
)

// Info describes a new flow to the agent (its CREATE message).
type Info struct {
	InitCwnd, MSS  uint32 // bytes
	SrcIP, SrcPort uint32
	DstIP, DstPort uint32
	CongAlg        string // the algorithm asked for, "" for the agent's default; under 64 bytes
}

// Callbacks are how a program drives its flow. Either may be nil.
type Callbacks struct {
	// SetCwnd sets the congestion window in bytes; it is called with the
	// Cwnd register after every invocation that ran the program, when
	// Cwnd > 0, and at once when an update of Cwnd is applied (unless 0).
	SetCwnd func(bytes uint64)
	// SetRate sets the pacing rate in bytes/s, likewise for Rate ≠ 0.
	SetRate func(bytesPerSec uint64)
}

// Primitives are a flow's measurements for one invocation (libccp's
// struct ccp_primitives; ccp-protocol.md §4, §6). Fields are deltas since
// the previous invocation unless noted.
type Primitives struct {
	BytesAcked, PacketsAcked           uint64 // newly acked in order
	BytesMisordered, PacketsMisordered uint64 // acked out of order (SACKed)
	ECNBytes, ECNPackets               uint64 // ECN-marked
	LostPktsSample                     uint64 // packets estimated lost
	WasTimeout                         bool   // an RTO happened; clear it after the invocation
	RTTSampleUs                        uint64 // µs; 0 means no sample and reads as 2³²−1
	RateOutgoing, RateIncoming         uint64 // bytes/s
	BytesInFlight, PacketsInFlight     uint64 // absolute
	SndCwnd                            uint64 // the current cwnd in bytes (absolute): Cwnd starts from it
	SndRate                            uint64 // the current pacing rate in bytes/s (absolute): Rate starts from it
	BytesPending                       uint64 // bytes queued to send (absolute)
}

// Conn is one flow (libccp's struct ccp_connection with its private
// state): its registers, program, staged changes and counters.
type Conn struct {
	d          *Datapath
	sid        uint32
	info       Info
	cb         Callbacks
	freed      bool
	sentCreate bool
	lastCreate uint64 // µs since Init of the last CREATE attempt
	prog       int    // 1-based program slot, 0 for none
	staged     staging
	m          machine
	last       lastReport
	stats      ConnStats
	buf        [wire.HeaderLen + 8 + 8*NumReportRegs]byte // MEASURE encoding
}

// staging holds what UPDATE_FIELDS and CHANGE_PROG asked for until the
// next Invoke (libccp's staged_update and staged_program_index).
type staging struct {
	pending    bool
	prog       int // 1-based slot of a staged CHANGE_PROG, 0 for none
	controlSet [NumControlRegs]bool
	control    [NumControlRegs]uint64
	cwndSet    bool
	rateSet    bool
	cwnd, rate uint64
}

type lastReport struct {
	ok     bool
	sent   bool
	at     time.Duration
	uid    uint32
	n      int
	fields [NumReportRegs]uint64
}

// ConnStats counts a flow's invocations.
type ConnStats struct {
	Invocations  uint64 // calls of Invoke
	Runs         uint64 // invocations that ran the program to the end
	Faults       uint64 // invocations an instruction error aborted
	Reports      uint64 // MEASUREs sent
	SendFailures uint64 // MEASUREs whose Send failed
	LastFault    error  // the last instruction error, or nil
}

// Report is a MEASURE a program produced.
type Report struct {
	At         time.Duration // the now of the invocation
	ProgramUID uint32
	Fields     []uint64 // the report registers, in register order
	Sent       bool     // Send accepted it
}

// Registers is a snapshot of a flow's registers.
type Registers struct {
	Report    [NumReportRegs]uint64
	NumReport int // how many report registers the program reports
	Control   [NumControlRegs]uint64
	Implicit  [NumImplicitRegs]uint64 // see ImplEventFlag … ImplRate
	Tmp       [NumTmpRegs]uint64
	Local     [NumLocalRegs]uint64
}

// Start registers a new flow in the first free slot (sid = slot+1) and
// sends its CREATE, like libccp's ccp_connection_start. If the send
// fails the flow still starts: Invoke retries the CREATE at most every
// 100 ms and runs nothing until one is sent. Errors: ErrConnTableFull,
// or ErrMissingArg for a CongAlg of 64 bytes or more.
func (d *Datapath) Start(now time.Duration, info Info, cb Callbacks) (*Conn, error) {
	if len(info.CongAlg) >= wire.CongAlgLen {
		return nil, &Error{Code: ErrMissingArg, Msg: fmt.Sprintf("Info.CongAlg of %d bytes (at most %d)", len(info.CongAlg), wire.CongAlgLen-1)}
	}
	i := 0
	for i < len(d.conns) && d.conns[i] != nil {
		i++
	}
	if i == len(d.conns) {
		return nil, &Error{Code: ErrConnTableFull, Msg: fmt.Sprintf("all %d connection slots are in use", len(d.conns))}
	}
	// Micros counts from Init until the first program change (libccp
	// starts implicit_time_zero at the datapath's time_zero).
	c := &Conn{d: d, sid: uint32(i + 1), info: info, cb: cb}
	d.conns[i] = c
	if err := c.sendCreate(d.micros(now)); err != nil && !d.fto.in {
		d.logf("sid %d: failed to send create message: %v", c.sid, err)
	}
	return c, nil
}

func (c *Conn) sendCreate(nowUs uint64) error {
	c.lastCreate = nowUs
	in := &c.info
	err := c.d.send(&wire.Create{SID: c.sid, InitCwnd: in.InitCwnd, MSS: in.MSS, SrcIP: in.SrcIP, SrcPort: in.SrcPort,
		DstIP: in.DstIP, DstPort: in.DstPort, CongAlg: in.CongAlg}, nil)
	if err != nil {
		c.d.armFallback(nowUs)
		return err
	}
	c.sentCreate = true
	return nil
}

// Invoke runs the flow's program for one ACK, like libccp's ccp_invoke:
//
//  1. If the fallback timer expired, return ErrFallbackTimedOut: the
//     datapath should run its own congestion control.
//  2. If the flow's CREATE was never sent, retry it (at most every
//     100 ms) and return ErrCreatePending without running anything.
//  3. Load Cwnd and Rate from p.SndCwnd and p.SndRate.
//  4. Apply a staged CHANGE_PROG: switch program, reset its volatile
//     then its non-volatile registers to their DEF values, Micros to 0.
//  5. Apply staged updates: control registers, then Cwnd and Rate, each
//     of which calls SetCwnd/SetRate at once (if not 0).
//  6. Run the program (ErrProgIsNull without one). An instruction error
//     (ErrAddOverflow, ErrSubUnderflow, ErrMulOverflow, ErrDivByZero)
//     aborts the invocation: no callback, no report; the registers keep
//     what was written before it.
//  7. Call SetCwnd(Cwnd) if Cwnd > 0 and SetRate(Rate) if Rate ≠ 0 —
//     on every invocation, changed or not.
//  8. If the program reported, send MEASURE with its report registers and
//     reset the volatile ones.
//
// Invoke returns nil exactly when the program ran (step 6 onwards); a
// failed report send is not an error (it arms the fallback timer, as in
// libccp). Errors are *Error values. Invoke keeps no reference to p.
func (c *Conn) Invoke(now time.Duration, p *Primitives) error {
	if c.freed {
		return &Error{Code: ErrUnknownConnection, Msg: fmt.Sprintf("Invoke on sid %d after Free", c.sid)}
	}
	if p == nil {
		return &Error{Code: ErrNullArg, Msg: "Invoke with nil Primitives"}
	}
	d := c.d
	c.stats.Invocations++
	nowUs := d.micros(now)
	if d.inFallback(nowUs) {
		return d.fto.err
	}
	if !c.sentCreate {
		return c.retryCreate(nowUs)
	}
	r := &c.m.regs
	r[offImplicit+ImplCwnd] = p.SndCwnd
	r[offImplicit+ImplRate] = p.SndRate
	if c.staged.pending {
		c.applyStaged(nowUs)
	}
	prog := d.slot(c.prog)
	if prog == nil {
		if c.prog == 0 {
			return &Error{Code: ErrProgIsNull, Msg: fmt.Sprintf("sid %d has no program yet (no CHANGE_PROG)", c.sid)}
		}
		return &Error{Code: ErrProgIsNull, Msg: fmt.Sprintf("sid %d: its program (slot %d) was removed from the table", c.sid, c.prog)}
	}
	if err := c.m.run(prog, p, nowUs); err != nil {
		c.stats.Faults++
		if e, ok := err.(*Error); ok {
			e.Msg = fmt.Sprintf("sid %d, program uid %d: %s", c.sid, prog.uid, e.Msg)
		}
		c.stats.LastFault = err
		return err
	}
	c.stats.Runs++
	if v := r[offImplicit+ImplCwnd]; v > 0 && c.cb.SetCwnd != nil {
		c.cb.SetCwnd(v)
	}
	if v := r[offImplicit+ImplRate]; v != 0 && c.cb.SetRate != nil {
		c.cb.SetRate(v)
	}
	if r[offImplicit+ImplShouldReport] != 0 {
		c.report(prog, now, nowUs)
	}
	return nil
}

func (c *Conn) retryCreate(nowUs uint64) error {
	if nowUs < c.lastCreate || nowUs-c.lastCreate < createRetry {
		return &Error{Code: ErrCreatePending, Msg: fmt.Sprintf(
			"sid %d: CREATE not yet sent; the next attempt is due %d µs after the last (at %d µs)", c.sid, createRetry, c.lastCreate)}
	}
	if err := c.sendCreate(nowUs); err != nil {
		if !c.d.fto.in {
			c.d.logf("sid %d: failed to retransmit create message: %v", c.sid, err)
		}
		return &Error{Code: ErrCreatePending, Msg: fmt.Sprintf("sid %d: CREATE could not be sent", c.sid), Err: err}
	}
	return &Error{Code: ErrCreatePending, Msg: fmt.Sprintf("sid %d: CREATE sent now; the program runs from the next invocation", c.sid)}
}

// stage records updates for the next Invoke; they were checked.
func (c *Conn) stage(us []wire.Update) {
	s := &c.staged
	s.pending = true
	for _, u := range us {
		switch u.Reg.Type {
		case wire.RegControl, wire.RegVolatileControl:
			s.control[u.Reg.Index] = u.Value
			s.controlSet[u.Reg.Index] = true
		case wire.RegImplicit:
			switch u.Reg.Index {
			case ImplCwnd:
				s.cwnd, s.cwndSet = u.Value, true
			case ImplRate:
				s.rate, s.rateSet = u.Value, true
			}
		}
	}
}

// applyStaged is steps 4 and 5 of Invoke.
func (c *Conn) applyStaged(nowUs uint64) {
	s := &c.staged
	r := &c.m.regs
	if s.prog != 0 {
		c.prog = s.prog
		if p := c.d.slot(c.prog); p != nil {
			c.m.applyDefs(p.volatileDefs)
			c.m.applyDefs(p.nonvolatileDefs)
		}
		c.m.timeZero = nowUs
		r[offImplicit+ImplMicros] = 0
	}
	for i, set := range s.controlSet {
		if set {
			r[offControl+i] = s.control[i]
		}
	}
	if s.cwndSet {
		r[offImplicit+ImplCwnd] = s.cwnd
		if s.cwnd != 0 && c.cb.SetCwnd != nil {
			c.cb.SetCwnd(s.cwnd)
		}
	}
	if s.rateSet {
		r[offImplicit+ImplRate] = s.rate
		if s.rate != 0 && c.cb.SetRate != nil {
			c.cb.SetRate(s.rate)
		}
	}
	*s = staging{}
}

// report sends a MEASURE of p's report registers and resets the volatile
// registers (libccp send_measurement and reset_state).
func (c *Conn) report(p *program, now time.Duration, nowUs uint64) {
	fields := c.m.regs[offReport : offReport+p.numReport]
	m := wire.Measure{SID: c.sid, ProgramUID: p.uid, Fields: fields}
	b, err := m.AppendTo(c.buf[:0])
	if err == nil {
		if c.d.cfg.Send == nil {
			err = errNoSend
		} else {
			err = c.d.cfg.Send(b)
		}
	}
	l := &c.last
	l.ok, l.sent, l.at, l.uid, l.n = true, err == nil, now, p.uid, copy(l.fields[:], fields)
	if err != nil {
		c.stats.SendFailures++
		c.d.armFallback(nowUs)
		if !c.d.fto.in {
			c.d.logf("sid %d: error sending measurement: %v", c.sid, err)
		}
	} else {
		c.stats.Reports++
	}
	c.m.applyDefs(p.volatileDefs)
}

// Free ends the flow, like libccp's ccp_connection_free: it sends the
// closing MEASURE (program uid 0, no fields) and frees the slot for the
// next Start. The slot is freed even if the send fails (that error is
// returned, and does not arm the fallback timer). now is accepted for
// symmetry with the other calls; libccp uses no time here.
func (c *Conn) Free(now time.Duration) error {
	if c.freed {
		return &Error{Code: ErrUnknownConnection, Msg: fmt.Sprintf("Free of sid %d twice", c.sid)}
	}
	_ = now
	c.freed = true
	c.d.conns[c.sid-1] = nil
	if err := c.d.send(&wire.Measure{SID: c.sid}, nil); err != nil {
		c.d.logf("sid %d: error sending close message: %v", c.sid, err)
		return fmt.Errorf("ccp vm: sid %d freed, but its close message was not sent: %w", c.sid, err)
	}
	return nil
}

// SID is the flow's socket id (1-based).
func (c *Conn) SID() uint32 { return c.sid }

// Info is what Start was given.
func (c *Conn) Info() Info { return c.info }

// Program returns the uid of the program the flow runs, and false if it
// runs none (no CHANGE_PROG applied yet, or its slot was emptied). A
// staged CHANGE_PROG counts from the next Invoke.
func (c *Conn) Program() (uid uint32, ok bool) {
	if p := c.d.slot(c.prog); p != nil && !c.freed {
		return p.uid, true
	}
	return 0, false
}

// Registers returns a copy of the flow's registers.
func (c *Conn) Registers() Registers {
	r := &c.m.regs
	var out Registers
	copy(out.Report[:], r[offReport:])
	copy(out.Control[:], r[offControl:])
	copy(out.Implicit[:], r[offImplicit:])
	copy(out.Tmp[:], r[offTmp:])
	copy(out.Local[:], r[offLocal:])
	if p := c.d.slot(c.prog); p != nil {
		out.NumReport = p.numReport
	}
	return out
}

// LastReport returns the last MEASURE the flow's program produced, and
// false if there was none.
func (c *Conn) LastReport() (Report, bool) {
	l := &c.last
	if !l.ok {
		return Report{}, false
	}
	return Report{At: l.at, ProgramUID: l.uid, Fields: append([]uint64(nil), l.fields[:l.n]...), Sent: l.sent}, true
}

// Stats returns the flow's counters.
func (c *Conn) Stats() ConnStats { return c.stats }
