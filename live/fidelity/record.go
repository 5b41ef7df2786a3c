package fidelity

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
)

// recording keeps every sampled value of a run in memory (scenarios are
// short, so this is small) for the measurements.
type recording struct {
	series map[string]*series
}

type series struct {
	t []time.Duration
	v []float64
}

func (s *series) Append(t time.Duration, v float64) {
	s.t = append(s.t, t)
	s.v = append(s.v, v)
}

func (r *recording) Series(key string, _ live.SeriesInfo) live.Appender {
	s, ok := r.series[key]
	if !ok {
		s = &series{}
		r.series[key] = s
	}
	return s
}

// run is a finished scenario run: the sim (for its summary and mode logs)
// and the recorded series.
type run struct {
	sim *live.Sim
	rec *recording
}

// simulate runs exp to its end.
func simulate(ctx context.Context, exp live.Experiment) (*run, error) {
	rec := &recording{series: map[string]*series{}}
	s, err := live.NewSim(exp, live.SimOptions{NewController: cc.New, Recorder: rec})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if err := s.Run(ctx, nil); err != nil {
		return nil, err
	}
	return &run{sim: s, rec: rec}, nil
}

// values returns the values of a series with from ≤ t < to, skipping NaN.
func (r *run) values(key string, from, to time.Duration) []float64 {
	s := r.rec.series[key]
	if s == nil {
		return nil
	}
	var out []float64
	for i, t := range s.t {
		if t >= from && t < to && !math.IsNaN(s.v[i]) {
			out = append(out, s.v[i])
		}
	}
	return out
}

// mean of a series over [from, to).
func (r *run) mean(key string, from, to time.Duration) float64 {
	return mean(r.values(key, from, to))
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// percentile is the q-quantile (0..1) with numpy's 'nearest' rule, as
// Pantheon computes its delays.
func percentile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[int(math.RoundToEven(float64(len(s)-1)*q))]
}

// link is a constant-rate experiment: rate both ways, oneWay delay each
// way, a droptail uplink queue of `packets` (0: infinite).
func link(rate string, oneWay time.Duration, packets int, dur time.Duration, flows ...live.FlowSpec) live.Experiment {
	e := live.Experiment{
		Duration: dur, Seed: 1, SampleInterval: 10 * time.Millisecond,
		Uplink:   live.LinkSpec{Capacity: rate, Delay: oneWay},
		Downlink: live.LinkSpec{Capacity: rate, Delay: oneWay},
		Flows:    flows,
	}
	if packets > 0 {
		e.Uplink.Queue, e.Uplink.QueueArgs = "droptail", fmt.Sprintf("packets=%d", packets)
	}
	return e
}

// bdpPackets is the bandwidth-delay product of rate (bit/s) and rtt in
// 1500-byte packets.
func bdpPackets(rate float64, rtt time.Duration) int {
	return int(math.Round(rate * rtt.Seconds() / 8 / 1500))
}

func flows(schemes ...string) []live.FlowSpec {
	var f []live.FlowSpec
	for _, s := range schemes {
		f = append(f, live.FlowSpec{Scheme: s})
	}
	return f
}
