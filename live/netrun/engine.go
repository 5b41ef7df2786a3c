package netrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ccscope/ccscope/capture"
	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/emu/netns"
	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/ccpflow"
	"github.com/ccscope/ccscope/live/transport"
)

// Options are what a netns run needs beyond its experiment.
type Options struct {
	// NewController builds a userspace flow's scheme from a spec such as
	// "cubic"; required when the experiment has userspace flows.
	NewController func(spec string) (transport.Controller, error)
	// Recorder receives the sampled series; nil records nothing.
	Recorder live.Recorder
	// UplinkTap and DownlinkTap also see every event of the two links
	// (mahimahi log writers); nil for none.
	UplinkTap, DownlinkTap emu.Tap
	// Pcap, if set, is the sender side's capture file: packets entering
	// the uplink and leaving the downlink, as the sender's TUN sees them.
	// ReceiverPcap is the receiver side's: leaving the uplink, entering
	// the downlink.
	Pcap, ReceiverPcap string
	// Stdout and Stderr receive the commands' output (nil discards it).
	Stdout, Stderr io.Writer
	// CCPDir is where an external CCP agent's socket is ("" for /tmp/ccp).
	CCPDir string
	// Namespaces overrides the namespaces' addresses and MTU (tests).
	Namespaces netns.Options
}

// Engine is an experiment running in the netns backend. It implements
// live.Engine; unlike the sim it is safe for concurrent use, since its
// time passes by itself and goroutines of its own sample it.
type Engine struct {
	exp   live.Experiment
	opt   Options
	start time.Time
	end   time.Duration

	pair     *netns.Pair
	up, down *emu.Link
	fwd      *netns.Forwarder
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup // the sampler and flow starters

	// Under the forwarder's lock (inside fwd.Do, taps and Classify).
	sum      live.SummaryAcc
	ports    map[portKey]int // registered flows' ports → flow id
	dec      *capture.Decoder
	observed *capture.FlowTable
	obsIDs   []int // observed flow table id-1 → engine flow id
	obsNew   []observedFlow
	links    [2]*live.LinkSeries
	caps     [2]*pcapTap
	owd      map[int]live.Appender
	nextID   atomic.Int64

	mu        sync.Mutex // everything below
	now       time.Duration
	flows     []*flow
	timeline  []live.Record
	cmds      []live.TimedCommand
	done      bool
	finished  bool
	closed    bool
	cmd, rcmd *netns.Process
	ccp       *ccpflow.Datapath
	lastSamp  time.Duration
	closeErr  error

	cmdNoted, rcmdNoted bool

	noticeMu sync.Mutex
	notices  []live.Record

	// ccpMu is held by CCP flows' senders while they run their
	// controllers, and by Snapshot reading the datapath's status.
	ccpMu sync.Mutex
}

type portKey struct {
	proto capture.IPProto
	port  uint16
}

// observedFlow is a flow of a command, seen first at At.
type observedFlow struct {
	id  int
	key capture.FlowKey
	at  time.Duration
}

// Base ports of the experiment's flows on the receiver.
const (
	kernelBasePort = 15000
	udpBasePort    = 16000
)

// New builds the namespaces, the links and the forwarder, starts the
// commands, and starts the clock: experiment time 0 is when New returns.
// Flows start at their start times. The experiment must be valid.
func New(exp live.Experiment, opt Options) (_ *Engine, err error) {
	if exp.Backend != live.BackendNetns {
		return nil, fmt.Errorf("netns: experiment backend is %q", exp.Backend)
	}
	if err := exp.Validate(checkScheme(opt, exp)); err != nil {
		return nil, err
	}
	if err := netns.Check(); err != nil {
		return nil, err
	}
	upCfg, downCfg, _, err := exp.Links()
	if err != nil {
		return nil, err
	}
	cmds, err := exp.Commands()
	if err != nil {
		return nil, err
	}
	e := &Engine{exp: exp, opt: opt, end: exp.Duration, cmds: cmds,
		ports: map[portKey]int{}, dec: capture.NewDecoder(), observed: capture.NewFlowTable(0), owd: map[int]live.Appender{}}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()
	if opt.Recorder != nil {
		e.links[0] = live.NewLinkSeries(opt.Recorder, "uplink")
		e.links[1] = live.NewLinkSeries(opt.Recorder, "downlink")
	}
	if e.up, err = emu.NewLink(upCfg, &linkTap{e: e, up: true, next: opt.UplinkTap}); err != nil {
		return nil, fmt.Errorf("uplink: %w", err)
	}
	if e.down, err = emu.NewLink(downCfg, &linkTap{e: e, next: opt.DownlinkTap}); err != nil {
		return nil, fmt.Errorf("downlink: %w", err)
	}
	if e.pair, err = netns.NewPair(opt.Namespaces); err != nil {
		return nil, err
	}
	for i, path := range []string{opt.Pcap, opt.ReceiverPcap} {
		if path == "" {
			continue
		}
		if e.caps[i], err = newPcapTap(path); err != nil {
			return nil, err
		}
	}
	for _, fs := range exp.Flows {
		if _, err := e.addFlow(fs); err != nil {
			return nil, err
		}
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.start = time.Now()
	e.fwd, err = netns.StartForwarder(e.ctx, netns.ForwarderConfig{
		Up: e.up, Down: e.down, SenderDev: e.pair.SenderTUN, ReceiverDev: e.pair.ReceiverTUN,
		Clock: e.clock, Classify: e.classify, OnExit: e.onExit,
	})
	if err != nil {
		return nil, err
	}
	if err := e.startCommands(); err != nil {
		return nil, err
	}
	e.wg.Add(1)
	go e.sampleLoop()
	return e, nil
}

// checkScheme is the scheme check of a netns experiment: kernel:CC for
// what the kernel offers, the rest as the sim checks them.
func checkScheme(opt Options, exp live.Experiment) live.SchemeChecker {
	userspace := live.SchemeCheck(func(spec string) error {
		if opt.NewController == nil {
			return fmt.Errorf("no userspace schemes in this run")
		}
		_, err := opt.NewController(spec)
		return err
	}, exp.CCPAgent != "")
	return func(spec string) error {
		if cc, ok := KernelCC(spec); ok {
			return CheckKernelCC(cc)
		}
		return userspace(spec)
	}
}

// clock is experiment time: monotonic time since the start.
func (e *Engine) clock() time.Duration { return time.Since(e.start) }

// Experiment is the experiment being run.
func (e *Engine) Experiment() live.Experiment { return e.exp }

// End is when the experiment ends.
func (e *Engine) End() time.Duration { return e.end }

// RealTime is true: the netns backend's time passes by itself.
func (e *Engine) RealTime() bool { return true }

// Now is the experiment's time: the clock, until the run is over.
func (e *Engine) Now() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.nowLocked()
}

func (e *Engine) nowLocked() time.Duration {
	if e.done || e.finished {
		return e.now
	}
	return min(e.clock(), e.end)
}

// Done reports whether the experiment has ended: its duration passed, or
// its command exited.
func (e *Engine) Done() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.done
}

// RunUntil takes in what happened up to the clock's time (t is only a
// bound: real time cannot be run ahead): scripted commands due by then
// are applied, and the run ends at its duration or when its command
// exits.
func (e *Engine) RunUntil(t time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.done {
		return
	}
	now := min(e.clock(), e.end)
	e.now = now
	for len(e.cmds) > 0 && e.cmds[0].At <= now {
		c := e.cmds[0]
		e.cmds = e.cmds[1:]
		if err := e.apply(c.Command, true); err != nil {
			e.record(live.RecordError, fmt.Sprintf("%s: %v", c.Command, err))
		}
	}
	if now >= e.end {
		e.done = true
		return
	}
	if e.cmd != nil {
		select {
		case <-e.cmd.Done():
			e.done = true
			e.end = now
			e.noteCommandExit(e.cmd, "command")
		default:
		}
	}
}

// Run runs the experiment in real time to its end (or its command's),
// calling progress about every second.
func (e *Engine) Run(ctx context.Context, progress func(now time.Duration)) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	last := time.Duration(0)
	for !e.Done() {
		select {
		case <-ctx.Done():
			e.Finish()
			return ctx.Err()
		case <-tick.C:
		}
		e.RunUntil(e.clock())
		if now := e.Now(); progress != nil && now-last >= time.Second {
			last = now
			progress(now)
		}
		if err := e.fwd.Err(); err != nil {
			e.Finish()
			return err
		}
	}
	e.Finish()
	return nil
}

// Finish ends the run where it is: flows and commands stop, the links
// are accounted up to the end and the captures flushed. The summary and
// series are then final.
func (e *Engine) Finish() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.finished {
		return
	}
	if !e.done {
		e.now = min(e.clock(), e.end)
		e.done = true
	}
	e.end = e.now
	e.finished = true
	for _, f := range e.flows {
		f.stop()
	}
	e.stopCommands()
	e.sampleLocked()
	e.fwd.Do(func(up, down *emu.Link, now time.Duration) {
		for _, c := range e.caps {
			if c != nil {
				c.stop()
			}
		}
	})
	// Nothing crosses the links after the end: the taps (mahimahi logs,
	// captures) are complete once Finish returns.
	if err := e.fwd.Stop(); err != nil {
		e.record(live.RecordWarning, fmt.Sprintf("forwarder: %v", err))
	}
}

// Close tears everything down: flows, commands, the forwarder, the
// namespaces and their devices, the CCP agent's socket. It is idempotent.
func (e *Engine) Close() {
	if e.cancel != nil {
		e.cancel()
	}
	e.wg.Wait()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	e.closed = true
	for _, f := range e.flows {
		f.stop()
	}
	e.stopCommands()
	var errs []error
	if e.fwd != nil {
		if err := e.fwd.Stop(); err != nil {
			errs = append(errs, err)
		}
	}
	for _, c := range e.caps {
		if c != nil {
			if err := c.close(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if e.pair != nil {
		if err := e.pair.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if e.ccp != nil {
		e.ccpMu.Lock()
		e.ccp.Close()
		e.ccpMu.Unlock()
	}
	e.closeErr = errors.Join(errs...)
}

// CloseErr is what went wrong while closing, if anything.
func (e *Engine) CloseErr() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closeErr
}

// ForwardStats are the forwarder's counters: packets, delivery-time error
// against the link schedule, its CPU time.
func (e *Engine) ForwardStats() netns.ForwardStats { return e.fwd.Stats() }

// Timeline is what has happened so far.
func (e *Engine) Timeline() []live.Record {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]live.Record(nil), e.timeline...)
}

// maxTimeline bounds the timeline kept in memory, as in the sim.
const maxTimeline = 100_000

func (e *Engine) record(kind live.RecordKind, text string) {
	if len(e.timeline) >= maxTimeline {
		e.timeline = append(e.timeline[:0], e.timeline[maxTimeline/10:]...)
	}
	e.timeline = append(e.timeline, live.Record{At: e.nowLocked(), Kind: kind, Text: text})
}

var _ live.Engine = (*Engine)(nil)
