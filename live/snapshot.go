package live

import (
	"strconv"
	"time"

	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live/ccpflow"
	"github.com/ccscope/ccscope/live/transport"
)

// LinkState is one direction of the link as it is now.
type LinkState struct {
	Config     emu.Config // the current parameters, changes included
	QueueLen   int        // packets waiting
	QueueBytes int
	Stats      emu.Stats
}

// FlowState is one flow as it is now, for the workbench's tables.
type FlowState struct {
	ID int
	// Key is the prefix of the flow's series in the store, "flow/ID/".
	Key     string
	Scheme  string
	Mode    string
	Start   time.Duration
	Size    int64
	Started bool
	Done    bool // a sized flow that finished
	Stopped bool
	Manual  bool

	Cwnd, Ssthresh, InFlight int
	PacingRate, DeliveryRate float64 // bit/s
	SRTT, MinRTT             time.Duration
	Retransmits, Timeouts    int64
	Delivered                int64 // in-order bytes at the receiver
	Vars                     []transport.Var

	// Pantheon's numbers so far: throughput (Mbit/s), p95 one-way delay
	// (ms, DelayValid when any packet arrived) and loss.
	Throughput float64
	DelayP95   float64
	DelayValid bool
	Loss       float64
}

// Snapshot is a consistent copy of a sim's state for a renderer.
type Snapshot struct {
	Name     string
	Backend  string
	Seed     uint64
	Now, End time.Duration
	Done     bool
	Uplink   LinkState
	Downlink LinkState
	Flows    []FlowState
	// Timeline is what has happened so far (the most recent maxTimeline
	// records).
	Timeline []Record
	// CCP is the CCP side of the run (agent, programs, flows, messages);
	// nil when no flow uses CCP.
	CCP *ccpflow.Status
}

// Snapshot copies the sim's current state.
func (s *Sim) Snapshot() Snapshot {
	sn := Snapshot{Name: s.exp.Name, Backend: BackendSim, Seed: s.exp.Seed, Now: s.now, End: s.end, Done: s.Done(),
		Uplink: LinkStateOf(s.up), Downlink: LinkStateOf(s.down), Timeline: s.Timeline()}
	for i, f := range s.flows {
		fs := FlowState{ID: f.id, Key: FlowKey(f.id), Scheme: f.ctl.Name(), Mode: f.mode, Start: f.spec.Start, Size: f.spec.Size,
			Started: f.started, Done: f.done, Stopped: f.stopped}
		_, fs.Manual = f.ctl.(ManualController)
		if f.snd != nil {
			c := f.snd.Control()
			fs.Cwnd, fs.Ssthresh, fs.InFlight = c.Cwnd, c.Ssthresh, f.snd.InFlight()
			fs.PacingRate = c.PacingRate * 8
			fs.DeliveryRate = f.snd.LastSample().DeliveryRate * 8
			fs.SRTT, _, fs.MinRTT = f.snd.RTT()
			st := f.snd.Stats()
			fs.Retransmits, fs.Timeouts = st.Retransmits, st.Timeouts
			fs.Delivered = f.rcv.Stats().Delivered
			fs.Vars = f.ctl.Vars(nil)
		}
		a := s.sum.flows[i]
		if span := a.lastExit - a.firstExit; span > 0 {
			fs.Throughput = float64(a.exitBytes) * 8 / span.Seconds() / 1e6
		}
		if p, ok := a.owd.PantheonP95(); ok {
			fs.DelayP95, fs.DelayValid = durMs(p), true
		}
		if a.arrBytes > 0 {
			fs.Loss = 1 - float64(a.exitBytes)/float64(a.arrBytes)
		}
		sn.Flows = append(sn.Flows, fs)
	}
	if s.ccp != nil {
		st := s.ccp.Status()
		for i := range st.Flows {
			for _, f := range s.flows {
				if c, ok := f.ctl.(*ccpflow.Controller); ok && c == st.Flows[i].Controller() {
					st.Flows[i].ID = f.id
				}
			}
		}
		sn.CCP = &st
	}
	return sn
}

// FlowKey is the prefix of flow id's series: "flow/ID/".
func FlowKey(id int) string { return "flow/" + strconv.Itoa(id) + "/" }

// LinkStateOf reads one link direction as it is now.
func LinkStateOf(l *emu.Link) LinkState {
	return LinkState{Config: l.Config(), QueueLen: l.QueueLen(), QueueBytes: l.QueueBytes(), Stats: l.Stats()}
}

// Snapshot copies the runner's sim state.
func (r *Runner) Snapshot() Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sim.Snapshot()
}
