// helpers_test.go holds what the tests share: sessions from real short
// runs, a synthetic 1-hour store, trace files, and zip surgery (listing,
// repacking entries) for the bad-file tests.
package sessions

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
	"github.com/ccscope/ccscope/live/store"
)

// writeTrace writes a mahimahi trace of n opportunities per ms-list
// pattern into dir and returns its path.
func writeTrace(t testing.TB, dir, name string, step, lines int) string {
	t.Helper()
	var b strings.Builder
	for i := 1; i <= lines; i++ {
		fmt.Fprintf(&b, "%d\n", i*step)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// userStep is a command the "user" gives at a time during a test run.
type userStep struct {
	at  time.Duration
	cmd string
}

// runSession runs exp in the sim with a store recorder, applying steps as
// a user would, and captures it as a session.
func runSession(t testing.TB, exp live.Experiment, until time.Duration, steps []userStep) *Session {
	t.Helper()
	st := store.NewStore()
	sim, err := live.NewSim(exp, live.SimOptions{NewController: cc.New, Recorder: live.StoreRecorder(st)})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		sim.RunUntil(s.at)
		c, err := live.ParseCommand(s.cmd, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.Apply(c); err != nil {
			t.Fatal(err)
		}
	}
	sim.RunUntil(until)
	sim.Finish()
	return &Session{
		Title:      "cubic over a trace",
		Notes:      "first line\nsecond line, with \"quotes\", a tab\tand ünïcode",
		Created:    time.Date(2025, 11, 21, 7, 32, 5, 123456789, time.UTC),
		Version:    "v0.9.0-test",
		Experiment: exp,
		Reached:    sim.Now(),
		Timeline:   sim.Timeline(),
		Summary:    sim.Summary(),
		Series:     st,
	}
}

// rerunSeries runs exp to its end and returns the store's CSV.
func rerunSeries(t testing.TB, exp live.Experiment, until time.Duration) []byte {
	t.Helper()
	st := store.NewStore()
	sim, err := live.NewSim(exp, live.SimOptions{NewController: cc.New, Recorder: live.StoreRecorder(st)})
	if err != nil {
		t.Fatal(err)
	}
	if until == exp.Duration {
		if err := sim.Run(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	} else {
		sim.RunUntil(until)
		sim.Finish()
	}
	return storeCSV(t, st)
}

func storeCSV(t testing.TB, st *store.Store) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := st.WriteCSV(&b, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// traceSession is a session of a trace-driven run with scripted and user
// changes (a user trace change among them), a log path and attachments:
// everything the format has to carry. Its traces live in dir.
func traceSession(t testing.TB, dir string) *Session {
	t.Helper()
	up := writeTrace(t, dir, "cell uplink.trace", 1, 1000)          // 12 Mbit/s, a space in the name
	down := writeTrace(t, filepath.Join(dir), "down.trace", 2, 500) // 6 Mbit/s
	other := filepath.Join(dir, "other")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	clash := writeTrace(t, other, "down.trace", 3, 300) // same base name, other content
	exp := live.Experiment{
		Name: "trace run", Backend: live.BackendSim, Duration: 8 * time.Second, Seed: 7,
		SampleInterval: 10 * time.Millisecond,
		Uplink:         live.LinkSpec{Capacity: up, Delay: 20 * time.Millisecond, Queue: "droptail", QueueArgs: "packets=60", Log: filepath.Join(dir, "up.log")},
		Downlink:       live.LinkSpec{Capacity: "down.trace", Delay: 20 * time.Millisecond}, // relative to BaseDir
		Flows:          []live.FlowSpec{{Scheme: "cubic"}, {Scheme: "reno", Start: time.Second}},
		Timeline: []live.TimedChange{
			{At: 2 * time.Second, Command: "uplink loss 0.5%"},
			{At: 4 * time.Second, Command: "downlink trace down.trace"},
		},
		BaseDir: dir,
	}
	_ = down
	s := runSession(t, exp, exp.Duration, []userStep{
		{1500 * time.Millisecond, "delay 30ms"},
		{3 * time.Second, "uplink trace " + clash},
		{5 * time.Second, "flow add bbr"},
		{6 * time.Second, "bw 10mbit"},
	})
	s.Files = []File{
		{Name: "logs/uplink.log", Data: []byte("# mahimahi log\n0 # 1504\n1 + 1504\n")},
		{Name: "pcap/run.pcap", Data: []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0xff, 0}},
	}
	return s
}

// smallSession is a rate-only session of a short run, for tests that
// need a valid file quickly.
func smallSession(t testing.TB) *Session {
	t.Helper()
	exp := smallExperiment()
	return runSession(t, exp, exp.Duration, []userStep{{time.Second, "bw 12mbit"}})
}

// sessionBytes is Write's output.
func sessionBytes(t testing.TB, s *Session) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zipEntry is one entry for repack.
type zipEntry struct {
	Name string
	Data []byte
}

// entries lists a zip's entries with their content.
func entries(t testing.TB, data []byte) []zipEntry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out []zipEntry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, zipEntry{f.Name, b})
	}
	return out
}

// pack writes entries as a zip (deflated, or stored with a zero CRC when
// raw, so that a fuzzer's changes to the content reach the parsers).
func pack(t testing.TB, es []zipEntry, raw bool) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range es {
		var w io.Writer
		var err error
		if raw {
			w, err = zw.CreateRaw(&zip.FileHeader{Name: e.Name, Method: zip.Store,
				CompressedSize64: uint64(len(e.Data)), UncompressedSize64: uint64(len(e.Data))})
		} else {
			w, err = zw.Create(e.Name)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// edit repacks a session zip with fn applied to each entry (returning
// false drops it).
func edit(t testing.TB, data []byte, fn func(e *zipEntry) bool) []byte {
	t.Helper()
	var out []zipEntry
	for _, e := range entries(t, data) {
		if fn(&e) {
			out = append(out, e)
		}
	}
	return pack(t, out, false)
}

// hourStore builds the series of a 1-hour run of 2 flows as live's
// sampler defines them (live/sampler.go): every link and flow gauge
// every 10 ms, cubic's variables, and per-packet event series at 2000
// packets/s (each flow's owd, each link's sojourn_pkt), with realistic,
// noisy values.
func hourStore(tb testing.TB) *store.Store {
	tb.Helper()
	const (
		dur      = time.Hour
		interval = 10 * time.Millisecond
		perSec   = 2000
	)
	st := store.NewStore()
	rng := rand.New(rand.NewPCG(1, 2))
	type gauge struct {
		s   *store.Series
		val func(t time.Duration) float64
	}
	var gauges []gauge
	def := func(key, unit string, kind store.Kind) *store.Series {
		m := store.DefaultMeta(kind)
		m.Unit, m.Label = unit, key
		s, err := st.Define(key, m)
		if err != nil {
			tb.Fatal(err)
		}
		return s
	}
	noisy := func(mean, sd float64, whole bool) func(time.Duration) float64 {
		return func(t time.Duration) float64 {
			v := mean*(1+0.3*math.Sin(t.Seconds()/7)) + sd*rng.NormFloat64()
			if whole {
				return math.Round(v)
			}
			return v
		}
	}
	var events []*store.Series
	for _, l := range []string{"uplink", "downlink"} {
		k := "link/" + l + "/"
		gauges = append(gauges,
			gauge{def(k+"capacity", "bit/s", store.Gauge), func(time.Duration) float64 { return 24e6 }},
			gauge{def(k+"arrivals", "bit/s", store.Gauge), noisy(23e6, 1e6, true)},
			gauge{def(k+"departures", "bit/s", store.Gauge), noisy(23e6, 1e6, true)},
			gauge{def(k+"queue_bytes", "B", store.Gauge), noisy(60000, 20000, true)},
			gauge{def(k+"queue_packets", "packets", store.Gauge), noisy(40, 10, true)},
			gauge{def(k+"sojourn", "ms", store.Gauge), noisy(20, 5, false)},
			gauge{def(k+"drops", "packets", store.Gauge), func(time.Duration) float64 { return float64(rng.IntN(2)) }},
		)
		events = append(events, def(k+"sojourn_pkt", "ms", store.Event))
	}
	for f := 1; f <= 2; f++ {
		k := fmt.Sprintf("flow/%d/", f)
		for _, g := range []struct {
			name, unit string
			mean, sd   float64
			whole      bool
		}{
			{"cwnd", "B", 120000, 20000, true}, {"ssthresh", "B", 100000, 100, true},
			{"pacing_rate", "bit/s", 24e6, 2e6, false}, {"inflight", "B", 110000, 20000, true},
			{"delivery_rate", "bit/s", 12e6, 2e6, false}, {"throughput", "bit/s", 12e6, 1e6, true},
			{"goodput", "bit/s", 11.5e6, 1e6, true}, {"srtt", "ms", 60, 10, false},
			{"min_rtt", "ms", 40, 0, false}, {"rtt", "ms", 60, 15, false},
			{"retransmits", "packets", 1000, 0, true}, {"lost", "packets", 1000, 0, true},
			{"var/w_max", "packets", 90, 10, false}, {"var/k", "s", 2.1, 0.5, false},
			{"var/cwnd_cnt", "packets", 40, 20, true},
		} {
			gauges = append(gauges, gauge{def(k+g.name, g.unit, store.Gauge), noisy(g.mean, g.sd, g.whole)})
		}
		events = append(events, def(k+"owd", "ms", store.Event))
	}
	perTick := perSec * int(interval) / int(time.Second)
	for t := interval; t <= dur; t += interval {
		for _, e := range events {
			for i := range perTick {
				at := t - interval + time.Duration(i+1)*interval/time.Duration(perTick)
				e.Append(at, 20+30*rng.Float64())
			}
		}
		for _, g := range gauges {
			g.s.Append(t, g.val(t))
		}
	}
	return st
}

// hourSession wraps hourStore in a session.
func hourSession(tb testing.TB) *Session {
	exp := live.DefaultExperiment()
	exp.Duration = time.Hour
	exp.Flows = append(exp.Flows, live.FlowSpec{Scheme: "cubic"})
	var tl []live.Record
	for i := range 200 {
		tl = append(tl, live.Record{At: time.Duration(i) * 17 * time.Second, Kind: live.RecordChange, Text: "bw 12mbit"})
	}
	return &Session{Title: "one hour", Created: time.Now(), Version: "bench", Experiment: exp,
		Reached: time.Hour, Timeline: tl, Series: hourStore(tb)}
}

// smallExperiment is the default experiment cut to 2 s.
func smallExperiment() live.Experiment {
	exp := live.DefaultExperiment()
	exp.Duration = 2 * time.Second
	return exp
}

// rerunExperimentSim builds a sim of exp (validating it, traces included).
func rerunExperimentSim(exp live.Experiment) (*live.Sim, error) {
	return live.NewSim(exp, live.SimOptions{NewController: cc.New})
}

// tiny replaces a session's series by a few short ones, so that tests
// that load a file hundreds of times stay fast.
func tiny(s *Session) *Session {
	st := store.NewStore()
	g, _ := st.Define("flow/1/cwnd", store.Meta{Kind: store.Gauge, Unit: "B", Label: "flow 1 cwnd"})
	e, _ := st.Define("flow/1/owd", store.Meta{Kind: store.Event, Unit: "ms", Label: "flow 1 one-way delay"})
	for i := range 100 {
		g.Append(time.Duration(i)*10*time.Millisecond, float64(14480+i*1448))
		e.Append(time.Duration(i)*7*time.Millisecond, 20+float64(i%7)/3)
	}
	s.Series = st
	return s
}
