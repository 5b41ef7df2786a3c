package netrun

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/transport"
)

// sampleLoop starts flows when their time comes and samples the links and
// flows every sample interval, until the run finishes or closes.
func (e *Engine) sampleLoop() {
	defer e.wg.Done()
	iv := e.exp.SampleInterval
	if iv <= 0 {
		iv = live.DefaultSampleInterval
	}
	tick := time.NewTicker(iv)
	defer tick.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-tick.C:
		}
		e.mu.Lock()
		if e.finished {
			e.mu.Unlock()
			return
		}
		now := e.nowLocked()
		e.takeNotices()
		e.startDue(now)
		e.checkDone(now)
		e.sampleLocked()
		e.mu.Unlock()
	}
}

// flowSeries are one flow's series, named as the sim names them.
type flowSeries struct {
	cwnd, ssthresh, pacing, inflight live.Appender
	srtt, minRTT, rtt, rate          live.Appender
	throughput, goodput              live.Appender
	retransmits, lost                live.Appender
	vars                             map[string]live.Appender
	prevExit, prevGoodput            int64
}

func (e *Engine) seriesOf(f *flow) *flowSeries {
	if f.series != nil {
		return f.series
	}
	rec := e.opt.Recorder
	k := live.FlowKey(f.id)
	ser := func(name, unit, label string) live.Appender {
		return rec.Series(k+name, live.SeriesInfo{Unit: unit, Label: fmt.Sprintf("flow %d %s", f.id, label)})
	}
	fs := &flowSeries{vars: map[string]live.Appender{}}
	fs.throughput = ser("throughput", "bit/s", "throughput")
	if f.kind != kindObserved {
		fs.cwnd = ser("cwnd", "B", "cwnd")
		fs.ssthresh = ser("ssthresh", "B", "ssthresh")
		fs.pacing = ser("pacing_rate", "bit/s", "pacing rate")
		fs.inflight = ser("inflight", "B", "bytes in flight")
		fs.srtt = ser("srtt", "ms", "smoothed RTT")
		fs.minRTT = ser("min_rtt", "ms", "min RTT")
		fs.rtt = ser("rtt", "ms", "RTT sample")
		fs.rate = ser("delivery_rate", "bit/s", "delivery rate")
		fs.goodput = ser("goodput", "bit/s", "goodput")
		fs.retransmits = ser("retransmits", "packets", "retransmissions")
		fs.lost = ser("lost", "packets", "packets lost")
	}
	f.series = fs
	return fs
}

// gauges is one flow's state as its worker reports it.
type gauges struct {
	ok                       bool
	cwnd, ssthresh, inflight int
	pacing, rate             float64 // bit/s
	srtt, minRTT, rtt        time.Duration
	retransmits, lost        int64
	timeouts                 int64
	delivered                int64
	mode                     string
	vars                     []transport.Var
}

// gaugesOf reads a flow's state from its worker. Called with mu held.
func (f *flow) gauges(withVars bool) gauges {
	var g gauges
	switch {
	case f.client != nil:
		in := f.client.Info()
		g = gauges{ok: true, cwnd: in.Cwnd, ssthresh: in.Ssthresh, inflight: in.InFlight,
			pacing: in.PacingRate, rate: in.DeliveryRate, srtt: in.SRTT, minRTT: in.MinRTT, rtt: in.SRTT,
			retransmits: in.TotalRetrans, lost: int64(in.Lost), mode: caStateName(in.CAState)}
		if f.server != nil {
			g.delivered = f.server.Bytes()
		}
	case f.snd != nil:
		f.snd.Do(func(s *transport.Sender) {
			c := s.Control()
			srtt, _, minRTT := s.RTT()
			last := s.LastSample()
			st := s.Stats()
			g = gauges{ok: true, cwnd: c.Cwnd, ssthresh: c.Ssthresh, inflight: s.InFlight(),
				pacing: c.PacingRate * 8, rate: last.DeliveryRate * 8, srtt: srtt, minRTT: minRTT, rtt: last.RTT,
				retransmits: st.Retransmits, lost: st.Lost, timeouts: st.Timeouts, mode: f.ctl.Mode()}
			if withVars {
				g.vars = f.ctl.Vars(nil)
			}
		})
		if f.rcv != nil {
			g.delivered = f.rcv.Stats().Delivered
		}
	}
	return g
}

// caStateName names the kernel's congestion-avoidance states.
func caStateName(s uint8) string {
	switch s {
	case 0:
		return "open"
	case 1:
		return "disorder"
	case 2:
		return "cwr"
	case 3:
		return "recovery"
	case 4:
		return "loss"
	}
	return fmt.Sprintf("ca %d", s)
}

// sampleLocked records every series at the current time. Called with mu
// held.
func (e *Engine) sampleLocked() {
	exits := map[int]int64{}
	var t time.Duration
	e.fwd.Do(func(up, down *emu.Link, now time.Duration) {
		e.takeObserved()
		t = min(now, e.end)
		dt := (t - e.lastSamp).Seconds()
		if e.opt.Recorder == nil || dt <= 0 {
			return
		}
		for i, l := range []*emu.Link{up, down} {
			e.links[i].Sample(t, dt, l)
		}
		for _, f := range e.flows {
			exits[f.id] = e.sum.ExitBytes(f.id)
		}
	})
	dt := (t - e.lastSamp).Seconds()
	if e.opt.Recorder == nil || dt <= 0 {
		return
	}
	e.lastSamp = t
	for _, f := range e.flows {
		if !f.started {
			continue
		}
		fs := e.seriesOf(f)
		fs.throughput.Append(t, float64(exits[f.id]-fs.prevExit)*8/dt)
		fs.prevExit = exits[f.id]
		if f.kind == kindObserved {
			continue
		}
		g := f.gauges(true)
		if !g.ok {
			continue
		}
		fs.goodput.Append(t, float64(g.delivered-fs.prevGoodput)*8/dt)
		fs.prevGoodput = g.delivered
		if f.stopped || f.done {
			continue
		}
		f.mode = g.mode
		fs.cwnd.Append(t, float64(g.cwnd))
		fs.ssthresh.Append(t, float64(g.ssthresh))
		fs.pacing.Append(t, g.pacing)
		fs.inflight.Append(t, float64(g.inflight))
		fs.srtt.Append(t, ms(g.srtt))
		fs.minRTT.Append(t, ms(g.minRTT))
		fs.rtt.Append(t, ms(g.rtt))
		fs.rate.Append(t, g.rate)
		fs.retransmits.Append(t, float64(g.retransmits))
		fs.lost.Append(t, float64(g.lost))
		for _, v := range g.vars {
			a, ok := fs.vars[v.Name]
			if !ok {
				a = e.opt.Recorder.Series(live.FlowKey(f.id)+"var/"+v.Name, live.SeriesInfo{Unit: v.Unit, Label: fmt.Sprintf("flow %d %s", f.id, v.Name)})
				fs.vars[v.Name] = a
			}
			a.Append(t, v.Value)
		}
	}
}

func ms(d time.Duration) float64 {
	if d <= 0 {
		return math.NaN()
	}
	return float64(d) / float64(time.Millisecond)
}

// fill computes the link's view of the flows in sm (throughput, delay,
// loss) and of the run.
func (e *Engine) fill(sm *live.Summary) (up, down live.LinkState) {
	e.fwd.Do(func(u, d *emu.Link, _ time.Duration) {
		e.takeObserved()
		e.sum.Fill(sm)
		up, down = live.LinkStateOf(u), live.LinkStateOf(d)
	})
	return up, down
}

// sorted returns the flows in id order. Called with mu held.
func (e *Engine) sorted() []*flow {
	fl := append([]*flow(nil), e.flows...)
	sort.Slice(fl, func(i, j int) bool { return fl[i].id < fl[j].id })
	return fl
}

// Snapshot copies the run's current state.
func (e *Engine) Snapshot() live.Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	sn := live.Snapshot{Name: e.exp.Name, Backend: live.BackendNetns, Seed: e.exp.Seed, Now: e.nowLocked(), End: e.end, Done: e.done,
		Timeline: append([]live.Record(nil), e.timeline...)}
	var sm live.Summary
	flows := e.sorted()
	for _, f := range flows {
		sm.Flows = append(sm.Flows, live.FlowSummary{ID: f.id})
	}
	sn.Uplink, sn.Downlink = e.fill(&sm)
	for i, f := range flows {
		fs := live.FlowState{ID: f.id, Key: live.FlowKey(f.id), Scheme: f.scheme, Mode: f.mode, Start: f.spec.Start, Size: f.spec.Size,
			Started: f.started, Done: f.done, Stopped: f.stopped}
		_, fs.Manual = f.ctl.(live.ManualController)
		if g := f.gauges(true); g.ok {
			fs.Cwnd, fs.Ssthresh, fs.InFlight = g.cwnd, g.ssthresh, g.inflight
			fs.PacingRate, fs.DeliveryRate = g.pacing, g.rate
			fs.SRTT, fs.MinRTT = g.srtt, g.minRTT
			fs.Retransmits, fs.Timeouts = g.retransmits, g.timeouts
			fs.Delivered = g.delivered
			fs.Vars = g.vars
		}
		s := sm.Flows[i]
		fs.Throughput, fs.DelayP95, fs.DelayValid, fs.Loss = s.Throughput, s.DelayP95, s.DelayValid, s.Loss
		sn.Flows = append(sn.Flows, fs)
	}
	if e.ccp != nil {
		e.ccpMu.Lock()
		st := e.ccp.Status()
		e.ccpMu.Unlock()
		sn.CCP = &st
	}
	return sn
}

// Summary computes the run's results so far.
func (e *Engine) Summary() live.Summary {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.nowLocked()
	sm := live.Summary{Name: e.exp.Name, Duration: now.Seconds(), Seed: e.exp.Seed}
	flows := e.sorted()
	for _, f := range flows {
		fs := live.FlowSummary{ID: f.id, Scheme: f.scheme, Start: f.startedAt.Seconds(), Size: f.spec.Size}
		if g := f.gauges(false); g.ok {
			fs.Retransmits, fs.Timeouts = g.retransmits, g.timeouts
			end := now
			if f.done {
				end = f.doneAt
				fs.CompletionTime = (f.doneAt - f.startedAt).Seconds()
			}
			if life := end - f.startedAt; life > 0 {
				fs.Goodput = float64(g.delivered) * 8 / life.Seconds() / 1e6
			}
		}
		sm.Flows = append(sm.Flows, fs)
	}
	e.fill(&sm)
	return sm
}
