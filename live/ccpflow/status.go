package ccpflow

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ccscope/ccscope/ccp/lang"
)

// Status is a copy of the CCP side of a run for display: the agent, the
// installed programs, the flows and the latest messages.
type Status struct {
	// Agent says where the agent is; State whether it answers.
	Agent, State string
	// LastHeard is how long ago the agent last sent a valid message (-1
	// when it never has).
	LastHeard time.Duration
	Programs  []ProgramStatus
	Flows     []FlowStatus
	// Events are the latest messages, oldest first.
	Events []Event
	// Received, Rejected and Garbage count the agent's messages.
	Received, Rejected uint64
	Garbage            int
}

// ProgramStatus is one installed program.
type ProgramStatus struct {
	UID uint32
	// Name and Source are known for the in-process agent's programs and
	// the user's; an external agent's show as Listing only.
	Name, Source string
	Listing      string
	User         bool
}

// FlowStatus is one CCP flow.
type FlowStatus struct {
	// ID is the run's number of the flow (set by the sim; 0 if unknown).
	ID         int
	SID        uint32
	Spec, Mode string
	ProgramUID uint32 // 0 before the first program
	// Report is the latest report: names (when known) and values.
	ReportNames  []string
	ReportValues []uint64
	ReportAt     time.Duration
	// Cwnd and Rate are the program's implicit registers now.
	Cwnd, Rate                   uint64
	Invocations, Reports, Faults uint64
	LastFault                    string
	controller                   *Controller
}

// Controller is the flow's controller, to match it with a sim's flow.
func (f FlowStatus) Controller() *Controller { return f.controller }

// Status describes the datapath now.
func (d *Datapath) Status() Status {
	st := Status{LastHeard: -1, Events: slices.Clone(d.events), Garbage: d.garbage}
	vs := d.vm.Stats()
	st.Received, st.Rejected = vs.Received, vs.Rejected
	if d.host != nil {
		st.Agent = "built-in algorithms, in process"
	} else {
		st.Agent = d.agentPath
	}
	if d.anyValid {
		st.LastHeard = d.now - d.lastValid
	}
	switch {
	case d.vm.InFallback(d.now):
		st.State = "not answering: flows fall back to reno"
	case !d.anyValid:
		st.State = "waiting for the agent"
	default:
		st.State = "connected"
	}
	for _, in := range d.vm.Programs() {
		ps := ProgramStatus{UID: in.ProgramUID, Listing: lang.Disassemble(in), User: in.ProgramUID >= userUIDBase}
		if src, ok := d.sources[in.ProgramUID]; ok {
			ps.Source, ps.Name = src, "your program"
		} else if d.host != nil {
			if name, p, ok := d.host.Program(in.ProgramUID); ok {
				ps.Name, ps.Source = name, p.Source
			}
		}
		st.Programs = append(st.Programs, ps)
	}
	for _, sid := range slices.Sorted(maps.Keys(d.flows)) {
		c := d.flows[sid]
		fs := FlowStatus{SID: sid, Spec: c.spec, Mode: c.Mode(), controller: c}
		if c.conn != nil {
			if uid, ok := c.conn.Program(); ok {
				fs.ProgramUID = uid
			}
			cs := c.conn.Stats()
			fs.Invocations, fs.Reports, fs.Faults = cs.Invocations, cs.Reports, cs.Faults
			if cs.LastFault != nil {
				fs.LastFault = cs.LastFault.Error()
			}
			regs := c.conn.Registers()
			fs.Cwnd, fs.Rate = regs.Implicit[4], regs.Implicit[5]
			if r, ok := c.conn.LastReport(); ok {
				fs.ReportValues, fs.ReportAt = slices.Clone(r.Fields), r.At
				fs.ReportNames = d.reportNames(r.ProgramUID, len(r.Fields))
			}
		}
		st.Flows = append(st.Flows, fs)
	}
	return st
}

// reportNames names a program's report registers when its source is
// known, else "rep[i]".
func (d *Datapath) reportNames(uid uint32, n int) []string {
	var names []string
	if src, ok := d.sources[uid]; ok {
		if p, err := lang.Compile(src); err == nil {
			names = p.ReportNames()
		}
	} else if d.host != nil {
		if _, p, ok := d.host.Program(uid); ok {
			names = p.ReportNames()
		}
	}
	for i := len(names); i < n; i++ {
		names = append(names, fmt.Sprintf("rep[%d]", i))
	}
	return names[:n]
}

// Program finds an installed program by uid.
func (s Status) Program(uid uint32) (ProgramStatus, bool) {
	for _, p := range s.Programs {
		if p.UID == uid {
			return p, true
		}
	}
	return ProgramStatus{}, false
}

// ReportText is the latest report as "name=value" pairs.
func (f FlowStatus) ReportText() string {
	parts := make([]string, len(f.ReportValues))
	for i, v := range f.ReportValues {
		parts[i] = fmt.Sprintf("%s=%d", f.ReportNames[i], v)
	}
	return strings.Join(parts, " ")
}
