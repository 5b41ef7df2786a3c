package netrun

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/ccscope/ccscope/capture"
	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/ccpflow"
	"github.com/ccscope/ccscope/live/netflow"
	"github.com/ccscope/ccscope/live/tcpflow"
	"github.com/ccscope/ccscope/live/transport"
)

// KernelPrefix starts the scheme of a kernel TCP flow: "kernel:cubic".
const KernelPrefix = "kernel:"

// KernelCC returns the congestion control of a kernel TCP scheme.
func KernelCC(spec string) (string, bool) {
	cc, ok := strings.CutPrefix(spec, KernelPrefix)
	return cc, ok
}

// CheckKernelCC checks a kernel congestion control name against what the
// kernel offers.
func CheckKernelCC(cc string) error {
	if cc == "" {
		return fmt.Errorf("kernel: name the congestion control, e.g. kernel:cubic")
	}
	return tcpflow.CheckCC(cc)
}

type flowKind uint8

const (
	kindUser     flowKind = iota // the userspace transport over UDP
	kindKernel                   // kernel TCP
	kindObserved                 // a command's flow, seen in the packets
)

// flow is one flow of a netns run. Its fields are under the engine's mu;
// its workers have their own locks.
type flow struct {
	id     int
	kind   flowKind
	spec   live.FlowSpec
	scheme string
	cc     string               // kindKernel
	ctl    transport.Controller // kindUser
	key    capture.FlowKey      // kindObserved

	starting, started, stopped, done bool
	startedAt, doneAt                time.Duration
	mode                             string

	client *tcpflow.Client
	server *tcpflow.Server
	snd    *netflow.Sender
	rcv    *netflow.Receiver

	series *flowSeries
}

func (f *flow) active() bool { return f.started && !f.stopped && !f.done }

// stop ends the flow's workers (its sockets close).
func (f *flow) stop() {
	if f.client != nil {
		f.client.Stop()
	}
	if f.server != nil {
		f.server.Close()
	}
	if f.snd != nil {
		f.snd.Stop()
	}
	if f.rcv != nil {
		f.rcv.Stop()
	}
	if f.started && !f.done {
		f.stopped = true
	}
}

// addFlow registers a flow of the experiment (or one added during the
// run) and returns its id. Called with mu held, or before the run starts.
func (e *Engine) addFlow(fs live.FlowSpec) (int, error) {
	f := &flow{id: int(e.nextID.Add(1)), spec: fs, scheme: fs.Scheme}
	if fs.Start < e.now {
		f.spec.Start = e.now
	}
	var pk portKey
	if cc, ok := KernelCC(fs.Scheme); ok {
		if err := CheckKernelCC(cc); err != nil {
			return 0, err
		}
		f.kind, f.cc = kindKernel, cc
		pk = portKey{capture.ProtoTCP, uint16(kernelBasePort + f.id)}
	} else {
		ctl, err := e.newController(fs.Scheme)
		if err != nil {
			return 0, err
		}
		f.kind, f.ctl, f.scheme = kindUser, ctl, ctl.Name()
		pk = portKey{capture.ProtoUDP, uint16(udpBasePort + f.id)}
	}
	if f.id > live.MaxFlows {
		return 0, fmt.Errorf("flow %d: at most %d flows", f.id, live.MaxFlows)
	}
	register := func() {
		e.ports[pk] = f.id
		e.sum.AddFlow(f.id)
	}
	if e.fwd == nil {
		register()
	} else {
		e.fwd.Do(func(_, _ *emu.Link, _ time.Duration) { register() })
	}
	e.flows = append(e.flows, f)
	return f.id, nil
}

// newController builds a userspace flow's scheme: CCP ones on the run's
// CCP datapath (made on first use), the others by the factory.
func (e *Engine) newController(spec string) (transport.Controller, error) {
	if !ccpflow.IsCCP(spec) {
		if e.opt.NewController == nil {
			return nil, fmt.Errorf("scheme %q: no userspace schemes in this run", spec)
		}
		return e.opt.NewController(spec)
	}
	if err := ccpflow.Check(spec, e.exp.CCPAgent != ""); err != nil {
		return nil, err
	}
	e.ccpMu.Lock()
	defer e.ccpMu.Unlock()
	if e.ccp == nil {
		agent, err := live.ParseCCPAgent(e.exp.CCPAgent)
		if err != nil {
			return nil, err
		}
		fb := e.exp.CCPFallback
		if fb == 0 {
			fb = live.DefaultCCPFallback
		}
		dp, err := ccpflow.New(ccpflow.Options{Agent: agent, Dir: e.opt.CCPDir, Fallback: fb, Notify: e.ccpNotice}, e.now)
		if err != nil {
			return nil, err
		}
		e.ccp = dp
	}
	return e.ccp.NewController(spec)
}

// ccpNotice keeps what the CCP datapath reports for the timeline. The
// datapath calls it from flows' goroutines, which may hold their own
// locks, so it takes only the notices' lock.
func (e *Engine) ccpNotice(text string, warning bool) {
	kind := live.RecordInfo
	if warning {
		kind = live.RecordWarning
	}
	e.noticeMu.Lock()
	e.notices = append(e.notices, live.Record{At: e.clock(), Kind: kind, Text: text})
	e.noticeMu.Unlock()
}

// takeNotices moves the CCP notices to the timeline. Called with mu held.
func (e *Engine) takeNotices() {
	e.noticeMu.Lock()
	n := e.notices
	e.notices = nil
	e.noticeMu.Unlock()
	for _, r := range n {
		e.record(r.Kind, r.Text)
	}
}

// startDue starts the flows whose time has come. Called with mu held.
func (e *Engine) startDue(now time.Duration) {
	for _, f := range e.flows {
		if f.kind == kindObserved || f.starting || f.stopped || f.spec.Start > now {
			continue
		}
		f.starting = true
		e.wg.Add(1)
		go e.startFlow(f)
	}
}

// startFlow connects a flow's two ends in the namespaces and starts them.
// It runs on its own goroutine: a TCP handshake crosses the link.
func (e *Engine) startFlow(f *flow) {
	defer e.wg.Done()
	var err error
	switch f.kind {
	case kindKernel:
		err = e.startKernel(f)
	case kindUser:
		err = e.startUser(f)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil {
		f.stopped = true
		e.record(live.RecordError, fmt.Sprintf("flow %d (%s): %v", f.id, f.scheme, err))
		f.stop()
		return
	}
	if e.finished || e.closed {
		f.stop()
		return
	}
	what := "bulk"
	if f.spec.Size > 0 {
		what = live.FormatSize(f.spec.Size)
	}
	e.record(live.RecordInfo, fmt.Sprintf("flow %d (%s, %s) started", f.id, f.scheme, what))
}

func (e *Engine) receiverAddr(port int) string {
	return netip.AddrPortFrom(e.pair.ReceiverAddr, uint16(port)).String()
}

func (e *Engine) startKernel(f *flow) error {
	addr := e.receiverAddr(kernelBasePort + f.id)
	srv, err := tcpflow.Listen(e.ctx, e.pair.Receiver.Do, addr)
	if err != nil {
		return err
	}
	e.mu.Lock()
	f.server = srv
	e.mu.Unlock()
	e.noteStart(f)
	cl, err := tcpflow.Dial(e.ctx, e.pair.Sender.Do, tcpflow.ClientConfig{Addr: addr, CC: f.cc, Size: f.spec.Size, Interval: 10 * time.Millisecond})
	if err != nil {
		return err
	}
	e.mu.Lock()
	f.client, f.started = cl, true
	e.mu.Unlock()
	return nil
}

// udpBuffer is the socket buffer size of userspace flows.
const udpBuffer = 4 << 20

func (e *Engine) startUser(f *flow) error {
	port := udpBasePort + f.id
	raddr := &net.UDPAddr{IP: e.pair.ReceiverAddr.AsSlice(), Port: port}
	var rc, sc *net.UDPConn
	if err := e.pair.Receiver.Do(func() (err error) {
		rc, err = net.ListenUDP("udp4", raddr)
		return err
	}); err != nil {
		return fmt.Errorf("receiver socket: %w", err)
	}
	if err := e.pair.Sender.Do(func() (err error) {
		sc, err = net.DialUDP("udp4", nil, raddr)
		return err
	}); err != nil {
		rc.Close()
		return fmt.Errorf("sender socket: %w", err)
	}
	// Bursts at a link's rate overflow the default 208-KiB socket buffers.
	for _, c := range []*net.UDPConn{rc, sc} {
		c.SetReadBuffer(udpBuffer)
		c.SetWriteBuffer(udpBuffer)
	}
	rcv, err := netflow.StartReceiver(e.ctx, netflow.ReceiverConfig{Conn: rc, Clock: e.clock})
	if err != nil {
		rc.Close()
		sc.Close()
		return err
	}
	e.mu.Lock()
	f.rcv = rcv
	e.mu.Unlock()
	e.noteStart(f)
	cfg := netflow.SenderConfig{Conn: sc, Size: f.spec.Size, Controller: f.ctl, Clock: e.clock}
	if _, ok := f.ctl.(*ccpflow.Controller); ok {
		cfg.Lock = &e.ccpMu // CCP flows share their datapath
	}
	snd, err := netflow.StartSender(e.ctx, cfg)
	if err != nil {
		sc.Close()
		return err
	}
	e.mu.Lock()
	f.snd, f.started = snd, true
	e.mu.Unlock()
	return nil
}

// noteStart starts the flow's accounting.
func (e *Engine) noteStart(f *flow) {
	var at time.Duration
	e.fwd.Do(func(_, _ *emu.Link, now time.Duration) {
		e.sum.Start(f.id, now)
		at = now
	})
	e.mu.Lock()
	f.startedAt = at
	e.mu.Unlock()
}

// checkDone notes sized flows that finished. Called with mu held.
func (e *Engine) checkDone(now time.Duration) {
	for _, f := range e.flows {
		if !f.active() || f.spec.Size == 0 {
			continue
		}
		var ch <-chan struct{}
		switch {
		case f.client != nil:
			ch = f.client.Done()
		case f.snd != nil:
			ch = f.snd.Done()
		default:
			continue
		}
		select {
		case <-ch:
		default:
			continue
		}
		f.done, f.doneAt = true, now
		e.record(live.RecordInfo, fmt.Sprintf("flow %d finished: %s in %v", f.id, live.FormatSize(f.spec.Size), (now-f.startedAt).Round(time.Millisecond)))
	}
}

// classify returns a packet's flow id: the experiment's flows by port,
// a command's by 5-tuple. Packets are decoded with gopacket (capture's
// decoder); what is not IPv4 TCP or UDP, or does not decode, is flow 0.
// It runs under the forwarder's lock, which guards the decoder.
func (e *Engine) classify(up bool, pkt []byte) int {
	info, err := e.dec.Decode(pkt)
	if err != nil || info.IsFragment() || (info.Proto != capture.ProtoTCP && info.Proto != capture.ProtoUDP) {
		return 0
	}
	port := info.DstPort
	if !up {
		port = info.SrcPort
	}
	if id, ok := e.ports[portKey{info.Proto, port}]; ok {
		return id
	}
	key := info.Flow()
	tid := e.observed.ID(key)
	if tid == 0 {
		return 0
	}
	if tid <= len(e.obsIDs) {
		return e.obsIDs[tid-1]
	}
	id := int(e.nextID.Add(1))
	e.obsIDs = append(e.obsIDs, id)
	e.sum.AddFlow(id)
	now := e.clock()
	e.sum.Start(id, now)
	if !up {
		key = key.Reverse()
	}
	e.obsNew = append(e.obsNew, observedFlow{id: id, key: key, at: now})
	return id
}

// takeObserved adds the command flows seen since the last call. Called
// with mu held, inside fwd.Do.
func (e *Engine) takeObserved() {
	for _, o := range e.obsNew {
		f := &flow{id: o.id, kind: kindObserved, key: o.key, started: true, startedAt: o.at,
			scheme: fmt.Sprintf("%s:%d", o.key.Proto, o.key.DstPort)}
		f.spec.Start = o.at
		e.flows = append(e.flows, f)
		e.record(live.RecordInfo, fmt.Sprintf("flow %d: %s", f.id, o.key))
	}
	e.obsNew = e.obsNew[:0]
}

// flowByID finds a flow. Called with mu held.
func (e *Engine) flowByID(id int) (*flow, error) {
	for _, f := range e.flows {
		if f.id == id {
			return f, nil
		}
	}
	return nil, fmt.Errorf("there is no flow %d (flows 1..%d)", id, len(e.flows))
}
