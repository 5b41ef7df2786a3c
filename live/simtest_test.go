package live

import (
	"context"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/cc"
)

// memRecorder keeps every sampled value, for tests.
type memRecorder struct {
	series map[string]*memSeries
}

type memSeries struct {
	info SeriesInfo
	t    []time.Duration
	v    []float64
}

func (m *memSeries) Append(t time.Duration, v float64) {
	m.t = append(m.t, t)
	m.v = append(m.v, v)
}

func newMemRecorder() *memRecorder { return &memRecorder{series: map[string]*memSeries{}} }

func (r *memRecorder) Series(key string, info SeriesInfo) Appender {
	s, ok := r.series[key]
	if !ok {
		s = &memSeries{info: info}
		r.series[key] = s
	}
	return s
}

// get returns a series that must exist.
func (r *memRecorder) get(t *testing.T, key string) *memSeries {
	t.Helper()
	s, ok := r.series[key]
	if !ok {
		t.Fatalf("no series %q", key)
	}
	return s
}

// mean is the average of the values with from < t ≤ to.
func (m *memSeries) mean(from, to time.Duration) float64 {
	var sum float64
	n := 0
	for i, t := range m.t {
		if t > from && t <= to {
			sum += m.v[i]
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// runExp runs an experiment to its end with an in-memory recorder.
func runExp(t *testing.T, exp Experiment) (*Sim, *memRecorder) {
	t.Helper()
	rec := newMemRecorder()
	s, err := NewSim(exp, SimOptions{NewController: cc.New, Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return s, rec
}

// linkExp is a one-flow experiment on a constant-rate link.
func linkExp(rate string, oneWay time.Duration, queueArgs string, dur time.Duration, schemes ...string) Experiment {
	e := Experiment{
		Duration: dur, Seed: 1, SampleInterval: 10 * time.Millisecond,
		Uplink:   LinkSpec{Capacity: rate, Delay: oneWay},
		Downlink: LinkSpec{Capacity: rate, Delay: oneWay},
	}
	if queueArgs != "" {
		e.Uplink.Queue, e.Uplink.QueueArgs = "droptail", queueArgs
	}
	for _, s := range schemes {
		e.Flows = append(e.Flows, FlowSpec{Scheme: s})
	}
	return e
}

// runExpUntil starts an experiment and runs it to `until`.
func runExpUntil(t *testing.T, exp Experiment, until time.Duration) (*Sim, *memRecorder) {
	t.Helper()
	rec := newMemRecorder()
	s, err := NewSim(exp, SimOptions{NewController: cc.New, Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	s.RunUntil(until)
	return s, rec
}
