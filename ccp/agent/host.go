package agent

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ccscope/ccscope/ccp/ipc"
	"github.com/ccscope/ccscope/ccp/lang"
	"github.com/ccscope/ccscope/ccp/wire"
)

// Sender sends encoded messages to one datapath.
type Sender interface {
	Send(msg []byte) error
}

// HostOptions configure a Host.
type HostOptions struct {
	// Default runs flows whose CREATE names no algorithm, or one Resolve
	// does not know (portus's default_alg).
	Default Alg
	// Resolve, if set, finds the algorithm a CREATE asks for by name
	// (e.g. New, which also takes parameters: "cubic:ss_thresh=60000").
	// Each distinct name is resolved once.
	Resolve func(congAlg string) (Alg, error)
	// Log receives one line per event (datapaths, flows, problems); nil
	// discards them.
	Log func(line string)
}

// Host is the agent runtime (portus's run loop): it compiles the
// algorithms' programs, installs them on every datapath that says READY
// (or, in portus's compatibility mode, sends a CREATE first), makes a Flow
// per CREATE, routes each MEASURE to its flow and sends the flows'
// CHANGE_PROG and UPDATE_FIELDS back. Programs get uids 1, 2, 3… in the
// order they are first compiled (sorted by name within an algorithm, so a
// run is reproducible; portus uses hash-map order).
//
// A Host is not safe for concurrent use: one goroutine (Serve, or the
// datapath's in an in-process run) calls Handle.
type Host struct {
	opt     HostOptions
	uidNext uint32
	bySrc   map[string]*compiled // program source → compiled program
	byUID   map[uint32]*compiled // uid → compiled program
	algs    map[string]*algEntry // congAlg → algorithm
	def     *algEntry            // the default algorithm
	dps     map[string]*dpState  // datapath address → state
	stats   HostStats
}

// HostStats counts what a host did.
type HostStats struct {
	Datapaths, Flows, Reports, Sent, Errors int
}

type compiled struct {
	uid     uint32
	name    string // the name the first algorithm using it gave it
	prog    *lang.Program
	install []byte
}

type algEntry struct {
	alg   Alg
	progs map[string]*compiled // the algorithm's program names → programs
}

type dpState struct {
	addr      string
	reply     Sender
	flows     map[uint32]*flowState
	installed map[uint32]bool
}

type flowState struct {
	flow Flow
	alg  *algEntry
}

// NewHost makes a host; the default algorithm's programs are compiled
// now, so a program that does not compile is an error here.
func NewHost(opt HostOptions) (*Host, error) {
	if opt.Default == nil {
		return nil, errors.New("ccp agent: no default algorithm")
	}
	h := &Host{opt: opt, uidNext: 1, bySrc: map[string]*compiled{}, byUID: map[uint32]*compiled{},
		algs: map[string]*algEntry{}, dps: map[string]*dpState{}}
	def, err := h.addAlg(opt.Default)
	if err != nil {
		return nil, err
	}
	h.def = def
	h.algs[opt.Default.Name()] = def
	return h, nil
}

func (h *Host) logf(format string, a ...any) {
	if h.opt.Log != nil {
		h.opt.Log(fmt.Sprintf(format, a...))
	}
}

// addAlg compiles an algorithm's programs, giving new sources new uids.
func (h *Host) addAlg(a Alg) (*algEntry, error) {
	e := &algEntry{alg: a, progs: map[string]*compiled{}}
	progs := a.Programs()
	for _, name := range slices.Sorted(maps.Keys(progs)) {
		src := progs[name]
		if c, ok := h.bySrc[src]; ok {
			e.progs[name] = c
			continue
		}
		p, err := lang.Compile(src)
		if err != nil {
			return nil, fmt.Errorf("ccp agent %s: program %s: %w", a.Name(), name, err)
		}
		c := &compiled{uid: h.uidNext, name: name, prog: p}
		if c.install, err = wire.Encode(p.Install(c.uid)); err != nil {
			return nil, fmt.Errorf("ccp agent %s: program %s: %w", a.Name(), name, err)
		}
		h.uidNext++
		h.bySrc[src], h.byUID[c.uid], e.progs[name] = c, c, c
	}
	return e, nil
}

// Program describes the program the host gave uid: its name, its source
// and its compiled form.
func (h *Host) Program(uid uint32) (name string, p *lang.Program, ok bool) {
	c, ok := h.byUID[uid]
	if !ok {
		return "", nil, false
	}
	return c.name, c.prog, true
}

// Stats returns what the host has done so far.
func (h *Host) Stats() HostStats { return h.stats }

// Handle processes the messages of one datagram from the datapath at
// addr, replying through reply. A message that does not decode is
// reported (and counted) without stopping the rest.
func (h *Host) Handle(addr string, reply Sender, data []byte) error {
	var errs []error
	for len(data) > 0 {
		raw, rest, err := wire.Next(data)
		if err != nil {
			h.stats.Errors++
			return errors.Join(append(errs, err)...)
		}
		data = rest
		m, err := wire.Decode(raw)
		if err != nil {
			h.stats.Errors++
			errs = append(errs, err)
			continue
		}
		if err := h.handle(addr, reply, m); err != nil {
			h.stats.Errors++
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (h *Host) handle(addr string, reply Sender, m wire.Message) error {
	switch m := m.(type) {
	case *wire.Ready:
		if old, ok := h.dps[addr]; ok {
			h.logf("datapath %s (id %d) is ready again: dropping its %d flows, installing programs", addr, m.ID, len(old.flows))
		} else {
			h.logf("datapath %s (id %d) is ready: installing programs", addr, m.ID)
		}
		st := h.newDatapath(addr, reply)
		return h.installAll(st)
	case *wire.Create:
		st, ok := h.dps[addr]
		if !ok {
			h.logf("CREATE from unknown datapath %s: installing programs first", addr)
			st = h.newDatapath(addr, reply)
			if err := h.installAll(st); err != nil {
				return err
			}
		}
		st.reply = reply
		e := h.pick(m.CongAlg)
		if err := h.install(st, e); err != nil {
			return err
		}
		if _, ok := st.flows[m.SID]; ok {
			h.logf("flow %d of %s created again", m.SID, addr)
		}
		dp := &flowDP{h: h, st: st, sid: m.SID, alg: e}
		info := FlowInfo{SockID: m.SID, InitCwnd: m.InitCwnd, MSS: m.MSS, SrcIP: m.SrcIP, SrcPort: m.SrcPort,
			DstIP: m.DstIP, DstPort: m.DstPort, CongAlg: m.CongAlg}
		h.stats.Flows++
		h.logf("flow %d of %s: %s (asked for %q), init cwnd %d, mss %d", m.SID, addr, e.alg.Name(), m.CongAlg, m.InitCwnd, m.MSS)
		st.flows[m.SID] = &flowState{flow: e.alg.NewFlow(dp, info), alg: e}
		return nil
	case *wire.Measure:
		st, ok := h.dps[addr]
		if !ok {
			return fmt.Errorf("report from unknown datapath %s (no READY or CREATE seen)", addr)
		}
		f, ok := st.flows[m.SID]
		if !ok {
			return fmt.Errorf("report for unknown flow %d of %s", m.SID, addr)
		}
		if len(m.Fields) == 0 {
			h.logf("flow %d of %s closed", m.SID, addr)
			delete(st.flows, m.SID)
			f.flow.Close()
			return nil
		}
		h.stats.Reports++
		r := Report{UID: m.ProgramUID, values: m.Fields}
		if c, ok := h.byUID[m.ProgramUID]; ok {
			r.names = c.prog.ReportNames()
			for name, p := range f.alg.progs {
				if p == c {
					r.Program = name
				}
			}
		}
		f.flow.OnReport(r)
		return nil
	}
	return fmt.Errorf("unexpected %s message from datapath %s (an agent receives READY, CREATE and MEASURE)", m.Type(), addr)
}

// pick finds the algorithm a CREATE asks for.
func (h *Host) pick(congAlg string) *algEntry {
	if e, ok := h.algs[congAlg]; ok {
		return e
	}
	if congAlg == "" || h.opt.Resolve == nil {
		return h.def
	}
	a, err := h.opt.Resolve(congAlg)
	if err == nil {
		var e *algEntry
		if e, err = h.addAlg(a); err == nil {
			h.algs[congAlg] = e
			return e
		}
	}
	h.logf("algorithm %q: %v; using %s", congAlg, err, h.def.alg.Name())
	h.algs[congAlg] = h.def
	return h.def
}

func (h *Host) newDatapath(addr string, reply Sender) *dpState {
	st := &dpState{addr: addr, reply: reply, flows: map[uint32]*flowState{}, installed: map[uint32]bool{}}
	h.dps[addr] = st
	h.stats.Datapaths++
	return st
}

// installAll sends every program compiled so far, in uid order (uid 1
// first: libccp then clears programs an earlier agent left).
func (h *Host) installAll(st *dpState) error {
	for _, uid := range slices.Sorted(maps.Keys(h.byUID)) {
		if err := h.send(st, h.byUID[uid].install); err != nil {
			return err
		}
		st.installed[uid] = true
	}
	return nil
}

// install sends the programs of e the datapath does not have yet.
func (h *Host) install(st *dpState, e *algEntry) error {
	for _, c := range e.progs {
		if !st.installed[c.uid] {
			if err := h.send(st, c.install); err != nil {
				return err
			}
			st.installed[c.uid] = true
		}
	}
	return nil
}

func (h *Host) send(st *dpState, msg []byte) error {
	if err := st.reply.Send(msg); err != nil {
		return fmt.Errorf("send to datapath %s: %w", st.addr, err)
	}
	h.stats.Sent++
	return nil
}

// flowDP is a flow's Datapath handle.
type flowDP struct {
	h   *Host
	st  *dpState
	sid uint32
	alg *algEntry
}

func (d *flowDP) SockID() uint32 { return d.sid }

func (d *flowDP) updates(c *compiled, fields []Field) ([]wire.Update, error) {
	us := make([]wire.Update, 0, len(fields))
	for _, f := range fields {
		reg, ok := c.prog.Field(f.Name)
		if !ok {
			return nil, fmt.Errorf("no field %q to update (control variables, Cwnd and Rate can be)", f.Name)
		}
		us = append(us, wire.Update{Reg: reg, Value: f.Value})
	}
	return us, nil
}

func (d *flowDP) SetProgram(name string, fields ...Field) (Scope, error) {
	c, ok := d.alg.progs[name]
	if !ok {
		return Scope{}, fmt.Errorf("algorithm %s has no program %q (it has %s)", d.alg.alg.Name(), name,
			strings.Join(slices.Sorted(maps.Keys(d.alg.progs)), ", "))
	}
	us, err := d.updates(c, fields)
	if err != nil {
		return Scope{}, fmt.Errorf("set program %s: %w", name, err)
	}
	b, err := wire.Encode(&wire.ChangeProg{SID: d.sid, ProgramUID: c.uid, Updates: us})
	if err != nil {
		return Scope{}, err
	}
	return Scope{Program: name, UID: c.uid}, d.h.send(d.st, b)
}

func (d *flowDP) Update(sc Scope, fields ...Field) error {
	c, ok := d.h.byUID[sc.UID]
	if !ok {
		return fmt.Errorf("update: no program with uid %d", sc.UID)
	}
	us, err := d.updates(c, fields)
	if err != nil {
		return fmt.Errorf("update %s: %w", sc.Program, err)
	}
	b, err := wire.Encode(&wire.UpdateFields{SID: d.sid, Updates: us})
	if err != nil {
		return err
	}
	return d.h.send(d.st, b)
}

// unixReply sends to one datapath's socket path.
type unixReply struct {
	u    *ipc.Unix
	addr string
}

func (r unixReply) Send(msg []byte) error { return r.u.SendTo(r.addr, msg) }

// Serve runs the host on a unix socket until ctx ends: every datagram is
// handled and answered to its sender's path. Bad messages are logged, not
// fatal, as a datapath may be buggy without the agent dying.
func (h *Host) Serve(ctx context.Context, u *ipc.Unix) error {
	for {
		if err := ctx.Err(); err != nil {
			return nil
		}
		msg, from, err := u.Recv(time.Now().Add(200 * time.Millisecond))
		switch {
		case ipc.IsTimeout(err):
			continue
		case err != nil && from == "":
			if ctx.Err() != nil {
				return nil
			}
			h.logf("receive: %v", err)
			if msg == nil {
				return fmt.Errorf("ccp agent: %w", err)
			}
			continue
		}
		if err := h.Handle(from, unixReply{u, from}, msg); err != nil {
			h.logf("from %s: %v", from, err)
		}
	}
}
