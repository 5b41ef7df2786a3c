package ccpflow

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ccscope/ccscope/ccp/agent"
	"github.com/ccscope/ccscope/ccp/vm"
	"github.com/ccscope/ccscope/live/cc"
	"github.com/ccscope/ccscope/live/transport"
)

// Prefix starts every CCP scheme spec: "ccp", "ccp:cubic",
// "ccp:reno:per_ack=1".
const Prefix = "ccp"

// IsCCP reports whether spec names a CCP scheme.
func IsCCP(spec string) bool { return spec == Prefix || strings.HasPrefix(spec, Prefix+":") }

// Alg is the algorithm part of a CCP spec ("" for the agent's default).
func Alg(spec string) string { return strings.TrimPrefix(strings.TrimPrefix(spec, Prefix), ":") }

// Check checks a CCP spec: the algorithm must be a built-in one (with
// valid parameters) when the agent runs in process, and fit a CREATE's
// 63-byte name for an external agent, which picks its algorithm by name.
func Check(spec string, external bool) error {
	alg := Alg(spec)
	switch {
	case !IsCCP(spec):
		return fmt.Errorf("%q is not a CCP scheme (want ccp or ccp:ALG)", spec)
	case len(alg) > 63:
		return fmt.Errorf("%q: the algorithm's name is longer than a CCP CREATE holds (63 bytes)", spec)
	case external:
		return nil
	case alg == "":
		return nil // the in-process agent's default, reno
	}
	if err := agent.Validate(alg); err != nil {
		return fmt.Errorf("ccp:%w (built-in algorithms: %s; an external agent runs others)", err, strings.Join(agent.BuiltinNames(), ", "))
	}
	return nil
}

// Flow modes.
const (
	modeWaiting  = iota // no program yet: the window stays as it is
	modeCCP             // the agent's program drives the flow
	modeFallback        // the agent failed: native reno drives it
	modeRejoin          // the agent is back: reno drives until its program runs
)

// Controller is one CCP flow: a transport.Controller whose window and
// rate the datapath program sets.
type Controller struct {
	d    *Datapath
	spec string
	conn *vm.Conn
	cur  *transport.Control // the sender's control during an invocation
	mss  int

	mode       int
	user       bool // a user's program runs on it
	reno       *cc.Reno
	fallbackAt time.Duration
	silent     bool // the fallback is for silence, not failed sends
	reports    int  // reports sent since the agent last said something
	lastRep    uint64
	prims      vm.Primitives
	faults     int
	closed     bool
	lastCwnd   int
	openedAt   time.Duration
}

// NewController makes a controller for a CCP spec.
func (d *Datapath) NewController(spec string) (*Controller, error) {
	if err := Check(spec, d.External()); err != nil {
		return nil, err
	}
	return &Controller{d: d, spec: spec, reno: cc.NewReno(10)}, nil
}

// Name is the spec, e.g. "ccp:cubic".
func (c *Controller) Name() string { return c.spec }

// Init opens the flow on the datapath (CREATE).
func (c *Controller) Init(ctl *transport.Control, now time.Duration) {
	c.d.advance(now)
	c.mss = ctl.MSS
	if c.mss <= 0 {
		c.mss = 1448
	}
	ctl.Cwnd = 10 * c.mss
	c.reno.Init(&transport.Control{MSS: c.mss}, now)
	c.open(ctl.Cwnd)
}

// open starts (or restarts) the flow's connection on the datapath.
func (c *Controller) open(cwnd int) {
	if c.conn != nil {
		delete(c.d.flows, c.conn.SID())
		c.conn.Free(c.d.now)
	}
	c.user = false
	conn, err := c.d.vm.Start(c.d.now, vm.Info{InitCwnd: uint32(min(cwnd, 1<<31)), MSS: uint32(c.mss),
		SrcIP: 0x0a000001, SrcPort: 40000, DstIP: 0x0a000002, DstPort: 5000, CongAlg: Alg(c.spec)},
		vm.Callbacks{SetCwnd: c.setCwnd, SetRate: c.setRate})
	if err != nil {
		c.d.note(fmt.Sprintf("CCP flow %s: %v; native reno drives it", c.spec, err), true)
		c.conn, c.mode = nil, modeFallback
		return
	}
	c.conn = conn
	c.openedAt = c.d.now
	c.d.flows[conn.SID()] = c
	c.reports = 0
	c.lastRep = conn.Stats().Reports
}

func (c *Controller) setCwnd(bytes uint64) {
	if c.cur != nil && (c.mode == modeCCP || c.mode == modeWaiting) {
		c.cur.Cwnd = int(min(bytes, 1<<40))
	}
}

func (c *Controller) setRate(bps uint64) {
	if c.cur != nil && (c.mode == modeCCP || c.mode == modeWaiting) {
		c.cur.PacingRate = float64(bps)
	}
}

// OnAck fills the primitives from the ACK and runs the flow's program.
func (c *Controller) OnAck(s *transport.Sample, ctl *transport.Control) {
	d := c.d
	d.advance(s.Now)
	p := &c.prims
	*p = vm.Primitives{
		// As the kernel datapath: bytes_acked is what the cumulative ACK
		// newly covered (SACKed bytes again when a hole fills), SACKed
		// bytes are bytes_misordered when they arrive.
		BytesAcked:        uint64(s.CumBytesAcked),
		PacketsAcked:      uint64(s.CumPacketsAcked),
		BytesMisordered:   uint64(s.BytesMisordered),
		PacketsMisordered: uint64(s.PacketsMisordered),
		LostPktsSample:    uint64(s.LostPackets),
		WasTimeout:        s.WasTimeout,
		RTTSampleUs:       uint64(s.RTT / time.Microsecond),
		RateOutgoing:      uint64(max(s.SendRate, 0)),
		RateIncoming:      uint64(max(s.DeliveryRate, 0)),
		BytesInFlight:     uint64(max(s.BytesInFlight, 0)),
		PacketsInFlight:   uint64(max(s.PacketsInFlight, 0)),
		SndCwnd:           uint64(max(ctl.Cwnd, 0)),
		SndRate:           uint64(max(ctl.PacingRate, 0)),
	}
	c.lastCwnd = ctl.Cwnd
	if c.conn == nil {
		c.reno.OnAck(s, ctl)
		return
	}
	c.cur = ctl
	err := c.conn.Invoke(d.now, p)
	c.cur = nil
	if st := c.conn.Stats(); st.Reports != c.lastRep {
		c.reports += int(st.Reports - c.lastRep)
		c.lastRep = st.Reports
	}
	if d.anyValid && d.lastValid == d.now {
		c.reports = 0
	}
	switch {
	case err == nil:
		// The program ran. A flow in fallback stays there until the
		// agent is heard from again (below).
		switch c.mode {
		case modeWaiting:
			c.mode = modeCCP
		case modeRejoin:
			d.note(fmt.Sprintf("CCP flow %d (%s): the agent drives it again", c.conn.SID(), c.spec), false)
			c.mode = modeCCP
		}
	case errors.Is(err, vm.ErrFallbackTimedOut):
		c.enterFallback(ctl, "the agent is not answering ("+c.lastSendFailure()+")", false)
	case errors.Is(err, vm.ErrProgIsNull), errors.Is(err, vm.ErrCreatePending):
		// No program yet: keep the window (or reno's, when rejoining).
	case vm.IsInstructionError(err):
		c.faults++
		if c.faults == 1 || c.faults%1000 == 0 {
			d.note(fmt.Sprintf("CCP flow %d (%s): the program failed (%d times so far): %v", c.conn.SID(), c.spec, c.faults, err), true)
		}
	}
	// An agent that has not given the flow a program within the fallback
	// timeout is not coming (dead, or not speaking CCP).
	if c.mode == modeWaiting && !c.user && d.now-c.openedAt > d.opt.Fallback {
		c.enterFallback(ctl, fmt.Sprintf("the agent gave it no program in %v", (d.now-c.openedAt).Round(time.Millisecond)), false)
	}
	// An external agent that lets reports go unanswered for several
	// fallback timeouts is taken as hung.
	if c.mode == modeCCP && d.External() && c.reports >= 3 && d.now-d.lastValid > 3*d.opt.Fallback {
		c.enterFallback(ctl, fmt.Sprintf("the agent has not answered %d reports in %v", c.reports, (d.now-d.lastValid).Round(time.Millisecond)), true)
	}
	if c.mode == modeFallback && d.anyValid && d.lastValid > c.fallbackAt && !d.vm.InFallback(d.now) {
		// The agent is back. After failed sends it may be a new agent
		// that does not know the flow: create it again.
		if !c.silent {
			c.open(ctl.Cwnd)
		}
		c.mode = modeRejoin
	}
	if c.mode == modeFallback || c.mode == modeRejoin {
		c.reno.OnAck(s, ctl)
	}
}

func (c *Controller) lastSendFailure() string {
	if c.conn != nil {
		if st := c.conn.Stats(); st.SendFailures > 0 {
			return fmt.Sprintf("%d sends failed", st.SendFailures)
		}
	}
	return "no answer"
}

func (c *Controller) enterFallback(ctl *transport.Control, why string, silent bool) {
	if c.mode == modeFallback {
		return
	}
	sid := uint32(0)
	if c.conn != nil {
		sid = c.conn.SID()
	}
	c.d.note(fmt.Sprintf("CCP flow %d (%s): %s; native reno takes over after the %v fallback timeout", sid, c.spec, why, c.d.opt.Fallback), true)
	c.mode, c.fallbackAt, c.silent = modeFallback, c.d.now, silent
	c.reno.TakeOver(ctl)
}

// OnCongestion: the agent learns of losses from its reports; a timeout
// collapses the window as the kernel does before the agent reacts.
func (c *Controller) OnCongestion(ev transport.CongestionEvent, s *transport.Sample, ctl *transport.Control) {
	if c.mode == modeFallback || c.mode == modeRejoin || c.conn == nil {
		c.reno.OnCongestion(ev, s, ctl)
		return
	}
	if ev == transport.EventTimeout {
		ctl.Cwnd = c.mss
	}
}

// Mode is what drives the flow.
func (c *Controller) Mode() string {
	switch {
	case c.mode == modeFallback:
		return "fallback reno"
	case c.mode == modeRejoin:
		return "rejoining"
	case c.user:
		return "user program"
	case c.mode == modeWaiting:
		return "waiting for agent"
	}
	return "ccp"
}

// Vars: the flow's report registers as the program last reported them.
func (c *Controller) Vars(dst []transport.Var) []transport.Var {
	if c.conn == nil {
		return dst
	}
	dst = append(dst, transport.Var{Name: "ccp_reports", Value: float64(c.conn.Stats().Reports), Unit: "reports"})
	return dst
}

// SID is the flow's socket id on the datapath (0 before it opened).
func (c *Controller) SID() uint32 {
	if c.conn == nil {
		return 0
	}
	return c.conn.SID()
}

// Install runs a user's datapath program on the flow (see
// Datapath.Install).
func (c *Controller) Install(src string) error {
	if c.conn == nil || c.closed {
		return errors.New("the flow has no CCP connection (not started, ended, or the datapath is full)")
	}
	return c.d.Install(c.conn.SID(), src)
}

// Reattach hands the flow back to the agent: a new CREATE, from the
// current window.
func (c *Controller) Reattach() error {
	if c.closed {
		return errors.New("the flow has ended")
	}
	c.open(max(c.lastCwnd, c.mss))
	c.mode = modeWaiting
	return nil
}

// close ends the flow on the datapath.
func (c *Controller) close() {
	if c.closed || c.conn == nil {
		return
	}
	c.closed = true
	delete(c.d.flows, c.conn.SID())
	c.conn.Free(c.d.now)
}

// Close ends the flow (a finished or stopped flow).
func (c *Controller) Close(now time.Duration) {
	c.d.advance(now)
	c.close()
}
