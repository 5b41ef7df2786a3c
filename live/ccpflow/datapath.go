// Package ccpflow owns the userspace transport as a CCP datapath: flows
// whose scheme is "ccp" or "ccp:ALG" are driven by a CCP agent through
// ccp/vm (libccp's semantics), either a built-in algorithm running in
// process (deterministic, in virtual time) or an external agent such as a
// portus algorithm started with --ipc unix. When the agent dies, sends
// garbage or goes silent, a flow falls back to native reno after the
// fallback timeout and the user is told; a returning agent takes the flow
// back. A user can also install a datapath program of their own on a flow
// while it runs.
package ccpflow

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ccscope/ccscope/ccp/agent"
	"github.com/ccscope/ccscope/ccp/ipc"
	"github.com/ccscope/ccscope/ccp/lang"
	"github.com/ccscope/ccscope/ccp/vm"
	"github.com/ccscope/ccscope/ccp/wire"
)

// Options configure a Datapath.
type Options struct {
	// Agent is the socket name of an external agent in Dir ("portus" for
	// one started with portus's defaults); "" runs the built-in
	// algorithms in process.
	Agent string
	// Dir is the socket directory (ipc.DefaultDir when "").
	Dir string
	// Fallback is how long a flow waits for an agent that stopped
	// answering before native reno takes over (default 1s).
	Fallback time.Duration
	// Notify tells the user about the agent: lost, back, faults. It is
	// called from the goroutine driving the flows.
	Notify func(text string, warning bool)
}

// DefaultFallback is the fallback timeout when Options.Fallback is 0.
const DefaultFallback = time.Second

// userUIDBase is where the uids of programs a user installs start, far
// from the ones agents give (1, 2, 3…).
const userUIDBase = 1 << 24

// maxEvents bounds the message log kept for display.
const maxEvents = 256

// Datapath is the CCP datapath of one run: the VM, the way to the agent
// and the flows. It is driven by one goroutine (the sim's); only the
// external agent's receiving goroutine runs beside it, and it only queues
// datagrams.
type Datapath struct {
	opt Options
	vm  *vm.Datapath
	now time.Duration // the latest time the flows reported

	// in process
	host *agent.Host
	end  *ipc.End

	// external agent
	sock      *ipc.Unix
	agentPath string
	inbox     chan []byte
	stop      chan struct{}
	wg        sync.WaitGroup

	flows     map[uint32]*Controller // by sid
	lastValid time.Duration          // when the agent last sent a valid message
	anyValid  bool
	lastReady time.Duration
	garbage   int

	userUID uint32
	sources map[uint32]string // uid → source, for the programs whose source is known
	events  []Event
	closed  bool
}

// Event is one message between the datapath and the agent, for display.
type Event struct {
	At      time.Duration
	ToAgent bool
	SID     uint32
	Type    string
	Text    string
}

// New makes the datapath of a run and says READY to the agent.
func New(opt Options, now time.Duration) (*Datapath, error) {
	if opt.Fallback <= 0 {
		opt.Fallback = DefaultFallback
	}
	d := &Datapath{opt: opt, now: now, flows: map[uint32]*Controller{}, userUID: userUIDBase, sources: map[uint32]string{}}
	d.vm = vm.New(vm.Config{ID: uint32(os.Getpid()), Send: d.send, MaxPrograms: 64, FallbackTimeout: opt.Fallback})
	if opt.Agent == "" {
		if err := d.startInProcess(); err != nil {
			return nil, err
		}
	} else if err := d.startExternal(); err != nil {
		return nil, err
	}
	d.vm.Init(now)
	d.lastReady = now
	return d, nil
}

func (d *Datapath) startInProcess() error {
	dpEnd, agentEnd := ipc.Pipe()
	env := agent.Env{Now: func() time.Duration { return d.now }}
	def, err := agent.NewWithEnv("reno", env)
	if err != nil {
		return err
	}
	host, err := agent.NewHost(agent.HostOptions{
		Default: def,
		Resolve: func(congAlg string) (agent.Alg, error) { return agent.NewWithEnv(congAlg, env) },
	})
	if err != nil {
		return err
	}
	agentEnd.Handle(func(msg []byte) {
		if err := host.Handle("in-process", agentEnd, msg); err != nil {
			d.note(fmt.Sprintf("CCP agent: %v", err), true)
		}
	})
	dpEnd.Handle(d.receive)
	d.host, d.end = host, dpEnd
	return nil
}

func (d *Datapath) startExternal() error {
	removeStaleSockets(d.opt.Dir)
	name := fmt.Sprintf("ccscope-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6)
	sock, err := ipc.Listen(d.opt.Dir, name)
	if err != nil {
		return err
	}
	d.sock, d.agentPath = sock, ipc.Path(d.opt.Dir, d.opt.Agent)
	d.inbox, d.stop = make(chan []byte, 1024), make(chan struct{})
	d.wg.Add(1)
	go d.readLoop()
	return nil
}

// readLoop queues the agent's datagrams until Close.
func (d *Datapath) readLoop() {
	defer d.wg.Done()
	for {
		select {
		case <-d.stop:
			return
		default:
		}
		msg, _, err := d.sock.Recv(time.Now().Add(100 * time.Millisecond))
		if err != nil {
			if ipc.IsTimeout(err) || msg != nil {
				continue
			}
			return // closed
		}
		select {
		case d.inbox <- append([]byte(nil), msg...):
		default:
			// The flows are not keeping up: drop, as a full socket would.
		}
	}
}

// External reports whether the agent is another process: the run must
// then keep to the wall clock.
func (d *Datapath) External() bool { return d.sock != nil }

// advance moves the datapath's clock and takes in what the agent sent.
func (d *Datapath) advance(now time.Duration) {
	if now > d.now {
		d.now = now
	}
	if d.inbox == nil {
		return
	}
	for {
		select {
		case msg := <-d.inbox:
			d.receive(msg)
		default:
			// In fallback, say READY again every fallback timeout: a
			// restarted agent answers with its programs.
			if d.vm.InFallback(d.now) && d.now-d.lastReady >= d.opt.Fallback {
				d.lastReady = d.now
				d.vm.Init(d.now)
			}
			return
		}
	}
}

// send is the VM's way to the agent. A report of a flow running a user's
// program stays here (the agent does not know that program).
func (d *Datapath) send(msg []byte) error {
	m, err := wire.Decode(msg)
	if err != nil {
		return err
	}
	d.log(true, m)
	if ms, ok := m.(*wire.Measure); ok && ms.ProgramUID >= userUIDBase {
		return nil
	}
	if d.closed {
		return errors.New("ccp: the run is over")
	}
	if d.end != nil {
		return d.end.Send(msg)
	}
	return d.sock.SendTo(d.agentPath, msg)
}

// receive hands the agent's message to the VM, dropping program changes
// for flows a user's program has taken over.
func (d *Datapath) receive(msg []byte) {
	m, err := wire.Decode(msg)
	if err != nil {
		d.garbage++
		d.logText(false, 0, "garbage", err.Error())
		if d.garbage == 1 || d.garbage%100 == 0 {
			d.note(fmt.Sprintf("CCP agent sent a message that does not decode (%d so far): %v", d.garbage, err), true)
		}
		return
	}
	d.log(false, m)
	if c, ok := d.flows[m.SocketID()]; ok && c.user {
		switch m.(type) {
		case *wire.UpdateFields, *wire.ChangeProg:
			return
		}
	}
	if err := d.vm.Receive(d.now, msg); err != nil {
		d.garbage++
		d.note(fmt.Sprintf("CCP agent's %s refused: %v", m.Type(), err), true)
		return
	}
	if in, ok := m.(*wire.Install); ok && d.host == nil {
		delete(d.sources, in.ProgramUID)
	}
	d.lastValid, d.anyValid = d.now, true
}

// note passes a notice to the user.
func (d *Datapath) note(text string, warning bool) {
	if d.opt.Notify != nil {
		d.opt.Notify(text, warning)
	}
}

func (d *Datapath) log(toAgent bool, m wire.Message) {
	var text string
	switch m := m.(type) {
	case *wire.Measure:
		text = fmt.Sprintf("uid %d %v", m.ProgramUID, m.Fields)
		if len(m.Fields) == 0 {
			text = "flow closed"
		}
	case *wire.UpdateFields:
		text = updatesText(m.Updates)
	case *wire.ChangeProg:
		text = fmt.Sprintf("uid %d %s", m.ProgramUID, updatesText(m.Updates))
	case *wire.Install:
		text = fmt.Sprintf("uid %d: %d events, %d instructions", m.ProgramUID, len(m.Exprs), len(m.Instrs))
	case *wire.Create:
		text = fmt.Sprintf("alg %q, cwnd %d, mss %d", m.CongAlg, m.InitCwnd, m.MSS)
	case *wire.Ready:
		text = fmt.Sprintf("id %d", m.ID)
	}
	d.logText(toAgent, m.SocketID(), m.Type().String(), text)
}

func (d *Datapath) logText(toAgent bool, sid uint32, typ, text string) {
	if len(d.events) == maxEvents {
		copy(d.events, d.events[maxEvents/2:])
		d.events = d.events[:maxEvents/2]
	}
	d.events = append(d.events, Event{At: d.now, ToAgent: toAgent, SID: sid, Type: typ, Text: text})
}

func updatesText(us []wire.Update) string {
	parts := make([]string, len(us))
	for i, u := range us {
		name := u.Reg.String()
		if u.Reg.Type == wire.RegImplicit && u.Reg.Index == 4 {
			name = "Cwnd"
		} else if u.Reg.Type == wire.RegImplicit && u.Reg.Index == 5 {
			name = "Rate"
		}
		parts[i] = fmt.Sprintf("%s:=%d", name, u.Value)
	}
	return strings.Join(parts, " ")
}

// Install compiles src and installs it on flow sid, which leaves its agent
// until it is created again: the agent's program changes for it are
// dropped and its reports stay here (Status shows them).
func (d *Datapath) Install(sid uint32, src string) error {
	c, ok := d.flows[sid]
	if !ok {
		return fmt.Errorf("no CCP flow with socket id %d", sid)
	}
	p, err := lang.Compile(src)
	if err != nil {
		return err
	}
	uid := d.userUID
	d.userUID++
	msg, err := wire.Encode(p.Install(uid))
	if err != nil {
		return err
	}
	if err := d.vm.Receive(d.now, msg); err != nil {
		return fmt.Errorf("install: %w", err)
	}
	change, err := wire.Encode(&wire.ChangeProg{SID: sid, ProgramUID: uid})
	if err != nil {
		return err
	}
	if err := d.vm.Receive(d.now, change); err != nil {
		return fmt.Errorf("install: %w", err)
	}
	d.sources[uid] = src
	d.logText(false, sid, "INSTALL", fmt.Sprintf("user program uid %d on flow %d", uid, sid))
	c.user = true
	return nil
}

// Close ends the run's CCP side: every flow is closed (the agent hears of
// it) and the socket and its goroutine are gone when Close returns.
func (d *Datapath) Close() {
	if d.closed {
		return
	}
	for _, c := range d.flows {
		c.close()
	}
	d.closed = true
	if d.sock != nil {
		close(d.stop)
		d.sock.Close()
		d.wg.Wait()
	}
	if d.end != nil {
		d.end.Close()
	}
}

// removeStaleSockets removes the sockets earlier ccscope processes left
// when they were killed (a socket file outlives its process): those named
// ccscope-PID-… whose PID no longer runs.
func removeStaleSockets(dir string) {
	paths, _ := filepath.Glob(ipc.Path(dir, "ccscope-*-*"))
	for _, p := range paths {
		var pid, n int
		if _, err := fmt.Sscanf(filepath.Base(p), "ccscope-%d-%d", &pid, &n); err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSocket != 0 {
				os.Remove(p)
			}
		}
	}
}
