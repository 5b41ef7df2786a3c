package vm

import (
	"fmt"
	"time"

	"github.com/ccscope/ccscope/ccp/wire"
)

// Defaults for a zero Config field, as the Linux kernel datapath sets them.
const (
	DefaultMaxConns        = 1024
	DefaultMaxPrograms     = 10
	DefaultFallbackTimeout = time.Millisecond // ccp-kernel's fto_us = 1000
	maxSID                 = 1<<16 - 1        // libccp's sids are u16
)

// createRetry is libccp's CREATE_TIMEOUT_US: the least time between two
// attempts to send a flow's CREATE.
const createRetry = 100_000 // µs

// Config is what a datapath provides, like libccp's struct ccp_datapath.
type Config struct {
	// ID identifies the datapath in its READY message.
	ID uint32
	// Send delivers one encoded message to the agent; a non-nil error is
	// a failed send (it arms the fallback timer for CREATE and MEASURE).
	// Like io.Writer, Send must not keep msg after it returns: the buffer
	// is reused.
	Send func(msg []byte) error
	// MaxConns is the size of the connection table (default 1024, at
	// most 65535); MaxPrograms of the program table (default 10).
	MaxConns, MaxPrograms int
	// FallbackTimeout is how long after a failed send, with no message
	// from the agent since, Invoke gives up on the agent and returns
	// ErrFallbackTimedOut (default 1 ms, the kernel's value).
	FallbackTimeout time.Duration
	// Log, if set, receives libccp's warnings and notices.
	Log func(string)
}

// errNoSend is returned by sends without Config.Send. It is a constant
// (a Code cannot carry it), so the package has no mutable globals.
const errNoSend = constError("no Send function configured")

type constError string

func (e constError) Error() string { return string(e) }

// Datapath is a CCP datapath: the program table shared by all flows, the
// connection table and the fallback timer. Make one with New.
type Datapath struct {
	cfg     Config
	origin  time.Duration // the now given to the first Init: Ack.now's zero
	started bool          // Init was called
	ftoUs   uint64
	progs   []*program // slot i holds the program libccp indexes as i+1; nil is free
	conns   []*Conn    // slot i holds sid i+1; nil is free
	fto     fallbackTimer
	stats   Stats
}

// Stats counts a datapath's messages from the agent.
type Stats struct {
	Received uint64 // messages given to Receive
	Rejected uint64 // of which Receive returned an error
	Installs uint64 // programs installed
}

// fallbackTimer is libccp's last_msg_sent / _in_fallback pair: armed by
// the first failed send, cleared by any message from the agent.
type fallbackTimer struct {
	armed bool
	since uint64 // µs since Init when armed
	in    bool   // Invoke has reported the timeout (for the log)
	err   error  // the error Invoke returns while in fallback
}

// New makes a datapath from cfg, filling zero fields with the defaults.
// Call Init before using it.
func New(cfg Config) *Datapath {
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	cfg.MaxConns = min(cfg.MaxConns, maxSID)
	if cfg.MaxPrograms <= 0 {
		cfg.MaxPrograms = DefaultMaxPrograms
	}
	if cfg.FallbackTimeout <= 0 {
		cfg.FallbackTimeout = DefaultFallbackTimeout
	}
	return &Datapath{
		cfg:   cfg,
		ftoUs: uint64(cfg.FallbackTimeout / time.Microsecond),
		progs: make([]*program, cfg.MaxPrograms),
		conns: make([]*Conn, cfg.MaxConns),
	}
}

// Init starts the datapath's clock at now (Ack.now counts µs from here)
// and sends READY. A failed send is only logged, as in libccp: the agent
// may start later and learn of flows from their CREATE. Init fails only
// without Config.Send. Calling it again only re-sends READY (to announce
// the datapath to a restarted agent); the clock keeps its origin.
func (d *Datapath) Init(now time.Duration) error {
	if d.cfg.Send == nil {
		return &Error{Code: ErrMissingArg, Msg: "Config.Send is nil"}
	}
	if !d.started {
		d.origin, d.started = now, true
	}
	if err := d.send(&wire.Ready{ID: d.cfg.ID}, nil); err != nil {
		d.logf("could not send ready message: %v", err)
	}
	return nil
}

// micros is now in µs since Init (0 before it).
func (d *Datapath) micros(now time.Duration) uint64 {
	if now <= d.origin {
		return 0
	}
	return uint64((now - d.origin) / time.Microsecond)
}

func (d *Datapath) logf(format string, a ...any) {
	if d.cfg.Log != nil {
		d.cfg.Log(fmt.Sprintf(format, a...))
	}
}

// send encodes m into buf (appending) and sends it.
func (d *Datapath) send(m wire.Message, buf []byte) error {
	b, err := m.AppendTo(buf)
	if err != nil {
		return err
	}
	if d.cfg.Send == nil {
		return errNoSend
	}
	return d.cfg.Send(b)
}

// armFallback starts the fallback timer after a failed send, unless it
// is already running (libccp _update_fto_timer).
func (d *Datapath) armFallback(nowUs uint64) {
	if !d.fto.armed {
		d.fto.armed, d.fto.since = true, nowUs
	}
}

// inFallback reports whether the agent timed out: a send failed more
// than FallbackTimeout ago and nothing arrived since (libccp _check_fto).
func (d *Datapath) inFallback(nowUs uint64) bool {
	t := &d.fto
	expired := t.armed && nowUs > t.since && nowUs-t.since > d.ftoUs
	switch {
	case expired && !t.in:
		t.in = true
		t.err = &Error{Code: ErrFallbackTimedOut, Msg: fmt.Sprintf(
			"no message from the agent since a send failed at %d µs (timeout %d µs); run the datapath's own congestion control",
			t.since, d.ftoUs)}
		d.logf("ccp fallback (%d µs since a send failed)", nowUs-t.since)
	case !expired && t.in:
		t.in = false
	}
	return expired
}

// clearFallback stops the fallback timer: the agent is alive.
func (d *Datapath) clearFallback() {
	if d.fto.in {
		d.logf("ccp restored")
	}
	d.fto = fallbackTimer{}
}

// InFallback reports whether Invoke at now would return
// ErrFallbackTimedOut.
func (d *Datapath) InFallback(now time.Duration) bool {
	t := &d.fto
	nowUs := d.micros(now)
	return t.armed && nowUs > t.since && nowUs-t.since > d.ftoUs
}

// Stats returns the datapath's message counters.
func (d *Datapath) Stats() Stats { return d.stats }

// Programs returns the installed programs in table order (the order
// libccp searches). The messages are shared: do not modify them.
func (d *Datapath) Programs() []*wire.Install {
	var ps []*wire.Install
	for _, p := range d.progs {
		if p != nil {
			ps = append(ps, p.msg)
		}
	}
	return ps
}

// Program returns the installed program with uid, the first in the table
// if there are several, or nil. The message is shared: do not modify it.
func (d *Datapath) Program(uid uint32) *wire.Install {
	if i := d.lookupUID(uid); i > 0 {
		return d.progs[i-1].msg
	}
	return nil
}

// lookupUID returns the 1-based slot of the first program with uid, or 0.
func (d *Datapath) lookupUID(uid uint32) int {
	for i, p := range d.progs {
		if p != nil && p.uid == uid {
			return i + 1
		}
	}
	return 0
}

// slot returns the program in 1-based slot i, or nil.
func (d *Datapath) slot(i int) *program {
	if i <= 0 || i > len(d.progs) {
		return nil
	}
	return d.progs[i-1]
}

// Conn returns the flow with sid, or nil.
func (d *Datapath) Conn(sid uint32) *Conn {
	if sid == 0 || sid > uint32(len(d.conns)) {
		return nil
	}
	return d.conns[sid-1]
}

// Conns returns the active flows in sid order.
func (d *Datapath) Conns() []*Conn {
	var cs []*Conn
	for _, c := range d.conns {
		if c != nil {
			cs = append(cs, c)
		}
	}
	return cs
}
