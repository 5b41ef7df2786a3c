package live

import (
	"fmt"
	"time"

	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live/transport"
)

// SeriesInfo describes a series to a Recorder.
type SeriesInfo struct {
	Unit  string // "bit/s", "B", "ms", "packets", ...
	Label string // human name, e.g. "cwnd"
	// Event marks an irregular series of per-packet values (one point per
	// packet) rather than a gauge sampled every interval.
	Event bool
}

// Appender takes the values of one series in time order.
type Appender interface {
	Append(t time.Duration, v float64)
}

// Recorder stores the series a run produces; live/store's Store is the
// usual one (see StoreRecorder).
type Recorder interface {
	Series(key string, info SeriesInfo) Appender
}

// ModeChange is a scheme state change of a flow (e.g. slow start →
// congestion avoidance).
type ModeChange struct {
	At   time.Duration
	Mode string
}

// maxModeChanges bounds the mode log kept per flow.
const maxModeChanges = 4096

// flowSampler holds one flow's series.
type flowSampler struct {
	cwnd, ssthresh, pacing, inflight Appender
	srtt, minRTT, rtt, rate          Appender
	throughput, goodput              Appender
	retransmits, lost, owd           Appender
	vars                             map[string]Appender
	prevExit, prevGoodput            int64
	modes                            []ModeChange
	varBuf                           []transport.Var
}

// sampler records the state of the links and flows every interval of
// experiment time, and the per-packet delays as they happen.
type sampler struct {
	s        *Sim
	rec      Recorder
	interval time.Duration
	next     time.Duration
	last     time.Duration
	links    [2]*LinkSeries
	flows    []*flowSampler
}

func (sp *sampler) init(s *Sim, rec Recorder, interval time.Duration) {
	sp.s, sp.rec, sp.interval = s, rec, interval
	if interval <= 0 {
		sp.interval = DefaultSampleInterval
	}
	sp.next = sp.interval
	if rec == nil {
		sp.next = Never
		return
	}
	for i, name := range []string{"uplink", "downlink"} {
		sp.links[i] = NewLinkSeries(rec, name)
	}
}

// flowSeries returns flow id's sampler, creating its series on first use.
func (sp *sampler) flowSeries(id int) *flowSampler {
	for len(sp.flows) < id {
		sp.flows = append(sp.flows, nil)
	}
	if fs := sp.flows[id-1]; fs != nil {
		return fs
	}
	fs := &flowSampler{vars: map[string]Appender{}}
	sp.flows[id-1] = fs
	if sp.rec == nil {
		return fs
	}
	k := FlowKey(id)
	ser := func(name, unit, label string) Appender {
		return sp.rec.Series(k+name, SeriesInfo{Unit: unit, Label: fmt.Sprintf("flow %d %s", id, label)})
	}
	fs.cwnd = ser("cwnd", "B", "cwnd")
	fs.ssthresh = ser("ssthresh", "B", "ssthresh")
	fs.pacing = ser("pacing_rate", "bit/s", "pacing rate")
	fs.inflight = ser("inflight", "B", "bytes in flight")
	fs.srtt = ser("srtt", "ms", "smoothed RTT")
	fs.minRTT = ser("min_rtt", "ms", "min RTT")
	fs.rtt = ser("rtt", "ms", "RTT sample")
	fs.rate = ser("delivery_rate", "bit/s", "delivery rate")
	fs.throughput = ser("throughput", "bit/s", "throughput")
	fs.goodput = ser("goodput", "bit/s", "goodput")
	fs.retransmits = ser("retransmits", "packets", "retransmissions")
	fs.lost = ser("lost", "packets", "packets lost")
	fs.owd = sp.rec.Series(k+"owd", SeriesInfo{Unit: "ms", Label: fmt.Sprintf("flow %d one-way delay", id), Event: true})
	return fs
}

// owd records the one-way delay of a packet of flow id delivered at t.
func (sp *sampler) owd(id int, t, d time.Duration) {
	if sp.rec == nil {
		return
	}
	sp.flowSeries(id).owd.Append(t, durMs(d))
}

// departure records a packet leaving a link's bottleneck.
func (sp *sampler) departure(up bool, p *emu.Packet, t time.Duration) {
	if sp.rec == nil {
		return
	}
	ls := sp.links[1]
	if up {
		ls = sp.links[0]
	}
	ls.Departure(p, t)
}

// mode notes a flow's scheme state change.
func (sp *sampler) mode(id int, t time.Duration, m string) {
	fs := sp.flowSeries(id)
	if len(fs.modes) == maxModeChanges {
		copy(fs.modes, fs.modes[maxModeChanges/2:])
		fs.modes = fs.modes[:maxModeChanges/2]
	}
	fs.modes = append(fs.modes, ModeChange{At: t, Mode: m})
}

// sample records every gauge at t and schedules the next sample.
func (sp *sampler) sample(t time.Duration) {
	dt := (t - sp.last).Seconds()
	sp.last = t
	for sp.next <= t {
		sp.next += sp.interval
	}
	if sp.rec == nil || dt <= 0 {
		return
	}
	for i, l := range []*emu.Link{sp.s.up, sp.s.down} {
		sp.links[i].Sample(t, dt, l)
	}
	for _, f := range sp.s.flows {
		if !f.started {
			continue
		}
		fs := sp.flowSeries(f.id)
		acc := sp.s.sum.flows[f.id-1] // the sim's own accumulator
		fs.throughput.Append(t, float64(acc.exitBytes-fs.prevExit)*8/dt)
		fs.prevExit = acc.exitBytes
		got := f.rcv.Stats().Delivered
		fs.goodput.Append(t, float64(got-fs.prevGoodput)*8/dt)
		fs.prevGoodput = got
		if f.stopped || f.done {
			continue
		}
		c := f.snd.Control()
		srtt, _, minRTT := f.snd.RTT()
		last := f.snd.LastSample()
		st := f.snd.Stats()
		fs.cwnd.Append(t, float64(c.Cwnd))
		fs.ssthresh.Append(t, float64(c.Ssthresh))
		fs.pacing.Append(t, c.PacingRate*8)
		fs.inflight.Append(t, float64(f.snd.InFlight()))
		fs.srtt.Append(t, durMs(srtt))
		fs.minRTT.Append(t, durMs(minRTT))
		fs.rtt.Append(t, durMs(last.RTT))
		fs.rate.Append(t, last.DeliveryRate*8)
		fs.retransmits.Append(t, float64(st.Retransmits))
		fs.lost.Append(t, float64(st.Lost))
		fs.varBuf = f.ctl.Vars(fs.varBuf[:0])
		for _, v := range fs.varBuf {
			a, ok := fs.vars[v.Name]
			if !ok {
				a = sp.rec.Series(FlowKey(f.id)+"var/"+v.Name, SeriesInfo{Unit: v.Unit, Label: fmt.Sprintf("flow %d %s", f.id, v.Name)})
				fs.vars[v.Name] = a
			}
			a.Append(t, v.Value)
		}
	}
}

// Modes returns flow id's scheme state changes (the most recent ones).
func (s *Sim) Modes(id int) []ModeChange {
	if id < 1 || id > len(s.sampler.flows) || s.sampler.flows[id-1] == nil {
		return nil
	}
	return append([]ModeChange(nil), s.sampler.flows[id-1].modes...)
}
