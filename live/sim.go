package live

import (
	"context"
	"fmt"
	"time"

	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live/ccpflow"
	"github.com/ccscope/ccscope/live/transport"
)

// Never is the time NextEvent returns when nothing is pending.
const Never = emu.Never

// SimOptions are what a sim needs beyond its experiment.
type SimOptions struct {
	// NewController builds a scheme from a spec such as "cubic"; required.
	NewController func(spec string) (transport.Controller, error)
	// Recorder receives the sampled series; nil records nothing.
	Recorder Recorder
	// UplinkTap and DownlinkTap also see every event of the two links
	// (e.g. mahimahi log writers); nil for none.
	UplinkTap, DownlinkTap emu.Tap
	// CCPDir is where an external CCP agent's socket is ("" for
	// /tmp/ccp).
	CCPDir string
}

// Sim runs an experiment in virtual time: flows of the userspace transport
// over an uplink (data) and a downlink (ACKs). It is deterministic: the
// same experiment, seed and commands give the same results. A Sim is not
// safe for concurrent use; a runner goroutine owns it.
type Sim struct {
	exp      Experiment
	opt      SimOptions
	up, down *emu.Link
	flows    []*flow
	now, end time.Duration

	sampler  sampler
	timeline []Record
	cmds     []TimedCommand // the experiment's timeline, not reached yet

	pool []*transport.Segment
	out  []emu.Packet
	sum  SummaryAcc
	turn int // rotates which flow sends first at an instant

	ccp *ccpflow.Datapath // the CCP datapath, made by the first CCP flow
}

// flow is one flow of a sim.
type flow struct {
	id      int
	spec    FlowSpec
	ctl     transport.Controller
	snd     *transport.Sender
	rcv     *transport.Receiver
	started bool
	stopped bool
	done    bool
	mode    string
}

// active reports whether the flow is sending.
func (f *flow) active() bool { return f.started && !f.stopped && !f.done }

// NewSim prepares an experiment for running. The experiment must be valid.
func NewSim(exp Experiment, opt SimOptions) (*Sim, error) {
	if opt.NewController == nil {
		return nil, fmt.Errorf("sim: no controller factory")
	}
	s := &Sim{exp: exp, opt: opt, end: exp.Duration}
	if err := exp.Validate(s.checkScheme); err != nil {
		return nil, err
	}
	if exp.Backend != "" && exp.Backend != BackendSim {
		return nil, fmt.Errorf("sim: experiment backend is %q", exp.Backend)
	}
	upCfg, downCfg, _, err := exp.Links()
	if err != nil {
		return nil, err
	}
	cmds, err := exp.Commands()
	if err != nil {
		return nil, err
	}
	if s.up, err = emu.NewLink(upCfg, &simTap{s: s, up: true, next: opt.UplinkTap}); err != nil {
		return nil, fmt.Errorf("uplink: %w", err)
	}
	if s.down, err = emu.NewLink(downCfg, &simTap{s: s, next: opt.DownlinkTap}); err != nil {
		return nil, fmt.Errorf("downlink: %w", err)
	}
	s.cmds = cmds
	for _, fs := range exp.Flows {
		if _, err := s.addFlow(fs); err != nil {
			s.Close()
			return nil, err
		}
	}
	s.sampler.init(s, opt.Recorder, exp.SampleInterval)
	return s, nil
}

// addFlow registers a flow that starts at fs.Start (or now, if that has
// passed) and returns its id.
func (s *Sim) addFlow(fs FlowSpec) (int, error) {
	ctl, err := s.newController(fs.Scheme)
	if err != nil {
		return 0, err
	}
	if fs.Start < s.now {
		fs.Start = s.now
	}
	f := &flow{id: len(s.flows) + 1, spec: fs, ctl: ctl}
	s.flows = append(s.flows, f)
	s.sum.AddFlow(f.id)
	return f.id, nil
}

// Now is the current experiment time.
func (s *Sim) Now() time.Duration { return s.now }

// End is when the experiment ends.
func (s *Sim) End() time.Duration { return s.end }

// Experiment is the experiment being run.
func (s *Sim) Experiment() Experiment { return s.exp }

// Timeline is what has happened so far: applied changes, flow starts and
// ends, warnings.
func (s *Sim) Timeline() []Record { return append([]Record(nil), s.timeline...) }

// Uplink and Downlink are the two links (for reading their state).
func (s *Sim) Uplink() *emu.Link   { return s.up }
func (s *Sim) Downlink() *emu.Link { return s.down }

// Apply applies a command at the current experiment time and records it.
func (s *Sim) Apply(c Command) error { return s.apply(c, false) }

// apply applies c and records it, marked scripted when it came from the
// experiment's timeline.
func (s *Sim) apply(c Command, scripted bool) error {
	switch c := c.(type) {
	case LinkCommand:
		// Apply at once, so that readers see the new configuration.
		lc := c.Command
		if lc.Dir&emu.Uplink != 0 {
			if err := s.up.Apply(s.now, lc.Change); err != nil {
				return fmt.Errorf("uplink %s: %w", lc.Change, err)
			}
		}
		if lc.Dir&emu.Downlink != 0 {
			if err := s.down.Apply(s.now, lc.Change); err != nil {
				return fmt.Errorf("downlink %s: %w", lc.Change, err)
			}
		}
	case FlowAdd:
		id, err := s.addFlow(FlowSpec{Scheme: c.Scheme, Start: s.now, Size: c.Size})
		if err != nil {
			return err
		}
		s.recordChange(c.String(), scripted)
		s.record(RecordInfo, fmt.Sprintf("flow %d (%s) added", id, c.Scheme))
		return nil
	case FlowStop:
		if c.ID < 1 || c.ID > len(s.flows) {
			return fmt.Errorf("flow stop: there is no flow %d (flows 1..%d)", c.ID, len(s.flows))
		}
		f := s.flows[c.ID-1]
		if f.stopped || f.done {
			return fmt.Errorf("flow stop: flow %d has already ended", c.ID)
		}
		f.stopped = true
		s.closeController(f)
	case FlowSet:
		if c.ID < 1 || c.ID > len(s.flows) {
			return fmt.Errorf("flow %d: there is no such flow (flows 1..%d)", c.ID, len(s.flows))
		}
		f := s.flows[c.ID-1]
		m, ok := f.ctl.(ManualController)
		if !ok {
			return fmt.Errorf("flow %d runs %s; only manual flows take a hand-set cwnd or rate (flow add manual)", c.ID, f.ctl.Name())
		}
		if c.What == "rate" {
			m.SetRate(c.Value)
		} else {
			m.SetWindow(int(c.Value))
		}
		if f.snd != nil {
			f.snd.Reconfigure(m.Apply)
		}
	case FlowCCPInstall:
		ctl, err := s.ccpController(c.ID)
		if err != nil {
			return err
		}
		if err := ctl.Install(c.Source); err != nil {
			return fmt.Errorf("flow %d ccp install: %w", c.ID, err)
		}
	case FlowCCPAgent:
		ctl, err := s.ccpController(c.ID)
		if err != nil {
			return err
		}
		if err := ctl.Reattach(); err != nil {
			return fmt.Errorf("flow %d ccp agent: %w", c.ID, err)
		}
	default:
		return fmt.Errorf("unknown command %T", c)
	}
	s.recordChange(c.String(), scripted)
	return nil
}

func (s *Sim) recordChange(text string, scripted bool) {
	s.record(RecordChange, text)
	s.timeline[len(s.timeline)-1].Scripted = scripted
}

// ManualController is a scheme whose window and rate the user sets (the
// "manual" scheme); both backends apply FlowSet through it.
type ManualController interface {
	SetWindow(packets int)
	SetRate(bps float64)
	Apply(c *transport.Control)
}

// maxTimeline bounds the timeline kept in memory.
const maxTimeline = 100_000

func (s *Sim) record(kind RecordKind, text string) {
	if len(s.timeline) >= maxTimeline {
		s.timeline = append(s.timeline[:0], s.timeline[maxTimeline/10:]...)
	}
	s.timeline = append(s.timeline, Record{At: s.now, Kind: kind, Text: text})
}

// NextEvent is the time of the next thing the sim will do (≥ Now), or
// Never.
func (s *Sim) NextEvent() time.Duration {
	t := min(s.up.NextEvent(), s.down.NextEvent(), s.sampler.next)
	for _, f := range s.flows {
		switch {
		case f.stopped || f.done:
		case !f.started:
			t = min(t, f.spec.Start)
		default:
			t = min(t, f.snd.NextSend(), f.snd.NextTimer())
		}
	}
	return max(t, s.now)
}

// RunUntil processes every event up to and including until (bounded by
// the end of the experiment) and leaves Now at until. A timeline command
// at time t applies after every event at t, exactly as a command a user
// gives while the runner has stopped at t: so a recorded run replays to
// the same series.
func (s *Sim) RunUntil(until time.Duration) {
	until = min(until, s.end)
	for {
		limit := until
		due := len(s.cmds) > 0 && s.cmds[0].At <= until
		if due {
			limit = max(s.cmds[0].At, s.now)
		}
		for {
			t := s.NextEvent()
			if t > limit {
				break
			}
			s.step(t)
		}
		if limit > s.now {
			s.now = limit
		}
		if !due {
			return
		}
		c := s.cmds[0]
		s.cmds = s.cmds[1:]
		if err := s.apply(c.Command, true); err != nil {
			s.record(RecordError, fmt.Sprintf("%s: %v", c.Command, err))
		}
	}
}

// Done reports whether the experiment has reached its end.
func (s *Sim) Done() bool { return s.now >= s.end }

// Run runs the whole experiment as fast as possible. progress, if not nil,
// is called about every second of experiment time.
func (s *Sim) Run(ctx context.Context, progress func(now time.Duration)) error {
	for !s.Done() {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.RunUntil(s.now + time.Second)
		if progress != nil {
			progress(s.now)
		}
	}
	s.Finish()
	return nil
}

// Finish accounts the links up to the end (every opportunity and every
// packet still crossing) so the summary and the logs are complete.
func (s *Sim) Finish() {
	s.out = s.up.Advance(s.end, s.out[:0])
	s.out = s.down.Advance(s.end, s.out[:0])
}

// step processes everything due at time t.
func (s *Sim) step(t time.Duration) {
	s.now = t
	for _, f := range s.flows {
		if !f.started && !f.stopped && f.spec.Start <= t {
			s.startFlow(f, t)
		}
	}
	// Data reaching receivers; their ACKs enter the downlink.
	s.out = s.up.Advance(t, s.out[:0])
	for i := range s.out {
		p := &s.out[i]
		seg := p.Payload.(*transport.Segment)
		s.sum.Exit(p, t)
		f := s.flows[p.Flow-1]
		if f.stopped {
			s.put(seg)
			continue
		}
		ack := s.get()
		f.rcv.OnData(t, seg, ack)
		s.sampler.owd(f.id, t, t-p.Arrival)
		s.put(seg)
		s.down.Enqueue(t, emu.Packet{Size: ack.IPSize() + emu.TUNHeaderBytes, Flow: f.id, Payload: ack})
	}
	// ACKs reaching senders.
	s.out = s.down.Advance(t, s.out[:0])
	for i := range s.out {
		p := &s.out[i]
		ack := p.Payload.(*transport.Segment)
		if f := s.flows[p.Flow-1]; !f.stopped && !f.done {
			f.snd.OnAck(t, ack)
			s.checkDone(f, t)
		}
		s.put(ack)
	}
	// Timers, then transmissions. Flows that can send at the same instant
	// take turns packet by packet, starting with a different flow at each
	// instant, so that no flow is systematically first into a nearly full
	// queue (separate hosts reach a bottleneck interleaved, not one burst
	// after another).
	for _, f := range s.flows {
		if f.active() && f.snd.NextTimer() <= t {
			f.snd.OnTimer(t)
		}
	}
	// The turn moves on only at instants where something was sent, so
	// that steps where nothing happens (a sampler's, when recording) do
	// not change who goes first: a run gives the same results recorded or
	// not.
	n := len(s.flows)
	anySent := false
	for sent := true; sent; {
		sent = false
		for i := range n {
			f := s.flows[(s.turn+i)%n]
			if !f.active() || f.snd.NextSend() > t {
				continue
			}
			seg := s.get()
			if !f.snd.Send(t, seg) {
				s.put(seg)
				continue
			}
			s.up.Enqueue(t, emu.Packet{Size: seg.IPSize() + emu.TUNHeaderBytes, Flow: f.id, ID: seg.Seq, Payload: seg})
			sent, anySent = true, true
		}
	}
	if anySent {
		s.turn++
	}
	for _, f := range s.flows {
		if f.active() {
			s.noteMode(f)
		}
	}
	if t >= s.sampler.next {
		s.sampler.sample(t)
	}
}

func (s *Sim) startFlow(f *flow, t time.Duration) {
	snd, err := transport.NewSender(transport.SenderConfig{Size: f.spec.Size}, f.ctl, t)
	if err != nil {
		f.stopped = true
		s.record(RecordError, fmt.Sprintf("flow %d: %v", f.id, err))
		return
	}
	f.snd, f.rcv, f.started = snd, transport.NewReceiver(), true
	what := "bulk"
	if f.spec.Size > 0 {
		what = FormatSize(f.spec.Size)
	}
	s.record(RecordInfo, fmt.Sprintf("flow %d (%s, %s) started", f.id, f.ctl.Name(), what))
	s.sum.Start(f.id, t)
}

func (s *Sim) checkDone(f *flow, t time.Duration) {
	if f.snd.Done() && !f.done {
		f.done = true
		s.closeController(f)
		s.record(RecordInfo, fmt.Sprintf("flow %d finished: %s in %v", f.id, FormatSize(f.spec.Size), (t-f.spec.Start).Round(time.Microsecond)))
	}
}

// closeController tells a controller that keeps outside state (a CCP
// flow) that its flow has ended.
func (s *Sim) closeController(f *flow) {
	if c, ok := f.ctl.(interface{ Close(time.Duration) }); ok {
		c.Close(s.now)
	}
}

// noteMode records scheme state changes (slow start, recovery, ...).
func (s *Sim) noteMode(f *flow) {
	if m := f.ctl.Mode(); m != f.mode {
		f.mode = m
		s.sampler.mode(f.id, s.now, m)
	}
}

// get and put recycle segments: the sim moves millions of them.
func (s *Sim) get() *transport.Segment {
	if n := len(s.pool); n > 0 {
		seg := s.pool[n-1]
		s.pool = s.pool[:n-1]
		return seg
	}
	return new(transport.Segment)
}

func (s *Sim) put(seg *transport.Segment) { s.pool = append(s.pool, seg) }

// simTap watches a link for the summary and the samplers, recycles the
// segments of dropped packets and forwards every event to next.
type simTap struct {
	s    *Sim
	up   bool
	next emu.Tap
}

func (t *simTap) Opportunity(at time.Duration) {
	if t.up {
		t.s.sum.Opportunity(at)
	}
	if t.next != nil {
		t.next.Opportunity(at)
	}
}

func (t *simTap) Arrival(at time.Duration, p *emu.Packet) {
	if t.up {
		t.s.sum.Arrival(p)
	}
	if t.next != nil {
		t.next.Arrival(at, p)
	}
}

func (t *simTap) Drop(at time.Duration, reason emu.DropReason, pkts []emu.Packet) {
	if t.next != nil {
		t.next.Drop(at, reason, pkts)
	}
	for i := range pkts {
		if seg, ok := pkts[i].Payload.(*transport.Segment); ok {
			t.s.put(seg)
		}
	}
}

func (t *simTap) Departure(at time.Duration, p *emu.Packet) {
	t.s.sampler.departure(t.up, p, at)
	if t.next != nil {
		t.next.Departure(at, p)
	}
}
