package capture

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func analyzeString(t *testing.T, log string, opt AnalyzeOptions) *Analysis {
	t.Helper()
	a, err := Analyze(strings.NewReader(log), "test.log", opt)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	return a
}

func TestPercentileIndexGoldens(t *testing.T) {
	for _, c := range []struct{ n, want int64 }{{11, 10}, {31, 28}, {51, 48}, {20, 18}, {1, 0}, {2, 1}, {3, 2}} {
		if got := numpyNearestIndex(c.n); got != c.want {
			t.Errorf("numpy nearest index for n=%d = %d, want %d", c.n, got, c.want)
		}
	}
	for _, c := range []struct {
		n    int64
		q    float64
		want int64
	}{{20, 0.95, 19}, {1, 0.95, 0}, {100, 0.95, 95}, {3, 0.5, 1}, {4, 0.95, 3}} {
		if got := mahimahiIndex(c.n, c.q); got != c.want {
			t.Errorf("mahimahi index for n=%d q=%v = %d, want %d", c.n, c.q, got, c.want)
		}
	}
}

// TestDelays1to20 is §6 item 5: delays 1..20 give mahimahi p95 = 20 and
// Pantheon p95 = 19, read from one log.
func TestDelays1to20(t *testing.T) {
	var b strings.Builder
	b.WriteString("# base timestamp: 0\n")
	for d := 1; d <= 20; d++ {
		fmt.Fprintf(&b, "100 + 1504\n%d - 1504 %d\n", 100+d, d)
	}
	a := analyzeString(t, b.String(), AnalyzeOptions{})
	if a.Mahimahi.DelayP95 != 20 {
		t.Errorf("mahimahi p95 = %v, want 20", a.Mahimahi.DelayP95)
	}
	if a.Mahimahi.DelayP50 != 11 { // sorted[int(0.5·20)] = sorted[10]
		t.Errorf("mahimahi p50 = %v, want 11", a.Mahimahi.DelayP50)
	}
	if a.Pantheon.DelayP95 != 19 || a.Pantheon.Flows[0].DelayP95 != 19 {
		t.Errorf("pantheon p95 = %v / %v, want 19", a.Pantheon.DelayP95, a.Pantheon.Flows[0].DelayP95)
	}
	if !strings.Contains(a.MahimahiSummary(), "95th percentile per-packet queueing delay: 20 ms\n") {
		t.Errorf("summary:\n%s", a.MahimahiSummary())
	}
	if !strings.Contains(a.PantheonSummary(), "95th percentile per-packet one-way delay: 19.000 ms\n") {
		t.Errorf("summary:\n%s", a.PantheonSummary())
	}
}

// TestSignalDelayExample is §2.2's example: (arrival 0, delay 5) and
// (arrival 3, delay 4) fill to {0:5, 1:6, 2:5, 3:4}, p95 = 6 ms.
func TestSignalDelayExample(t *testing.T) {
	a := analyzeString(t, "# base timestamp: 1000\n1005 - 100 5\n1007 - 100 4\n", AnalyzeOptions{})
	m := a.Mahimahi
	if m.SignalP95 != 6 || m.SignalMax != 6 {
		t.Errorf("signal p95 = %v max = %v, want 6 and 6", m.SignalP95, m.SignalMax)
	}
	if m.SignalFirst != 0 || m.SignalLast != 3 {
		t.Errorf("signal span %d..%d, want 0..3", m.SignalFirst, m.SignalLast)
	}
	if !strings.HasSuffix(a.MahimahiSummary(), "95th percentile signal delay: 6 ms\n") {
		t.Errorf("summary:\n%s", a.MahimahiSummary())
	}
}

// TestByteAccountingLogAnalysed analyses §1.2's three-packet example.
func TestByteAccountingLogAnalysed(t *testing.T) {
	log := "# base timestamp: 0\n10 + 1000\n10 + 1000\n10 + 1000\n11 # 1504\n11 - 1000 1\n12 # 1504\n12 - 1000 2\n12 - 1000 2\n"
	a := analyzeString(t, log, AnalyzeOptions{})
	// duration 2 ms; capacity 2·12032 bits, throughput 3·8000 bits.
	want := "Average capacity: 12.03 Mbits/s\n" +
		"Average throughput: 12.00 Mbits/s (99.7% utilization)\n" +
		"95th percentile per-packet queueing delay: 2 ms\n" +
		"95th percentile signal delay: 1 ms\n"
	if got := a.MahimahiSummary(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	if a.Mahimahi.Ingress != 12 || a.Mahimahi.DelayP50 != 2 {
		t.Errorf("ingress %v p50 %v", a.Mahimahi.Ingress, a.Mahimahi.DelayP50)
	}
}

// TestPR98Capacity: a log of the 1-line trace "1" (one opportunity per ms)
// prints "Average capacity: 12.03 Mbits/s" (mahimahi PR #98).
func TestPR98Capacity(t *testing.T) {
	var b strings.Builder
	b.WriteString("# base timestamp: 0\n")
	for ms := 1; ms <= 10000; ms++ {
		fmt.Fprintf(&b, "%d # 1504\n", ms)
	}
	a := analyzeString(t, b.String(), AnalyzeOptions{})
	want := "Average capacity: 12.03 Mbits/s\n" +
		"Average throughput: 0.00 Mbits/s (0.0% utilization)\n" +
		"95th percentile per-packet queueing delay: n/a (no departures)\n" +
		"95th percentile signal delay: n/a (no departures)\n"
	if got := a.MahimahiSummary(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	wantP := "-- Total of 0 flows:\nAverage capacity: 12.03 Mbit/s\nAverage throughput: 0.00 Mbit/s (0.0% utilization)\n"
	if got := a.PantheonSummary(); got != wantP {
		t.Errorf("pantheon summary:\n%s\nwant:\n%s", got, wantP)
	}
}

func TestPantheonExampleSummary(t *testing.T) {
	log := "# init timestamp: 1523000000123.456\n0.000 # 1500\n3001.734 + 1500 1\n3032.518 - 1500 30.784 1\n"
	a := analyzeString(t, log, AnalyzeOptions{})
	// One # line: capacity 0 (a zero span); one departure: throughput 0.
	// tunnel_graph.py divides by the zero capacity here; we say n/a.
	want := "-- Total of 1 flow:\n" +
		"Average capacity: 0.00 Mbit/s\n" +
		"Average throughput: 0.00 Mbit/s (utilization n/a: zero capacity)\n" +
		"95th percentile per-packet one-way delay: 30.784 ms\n" +
		"Loss rate: 0.00%\n" +
		"-- Flow 1:\n" +
		"Average throughput: 0.00 Mbit/s\n" +
		"95th percentile per-packet one-way delay: 30.784 ms\n" +
		"Loss rate: 0.00%\n"
	if got := a.PantheonSummary(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	if !a.HasInit || a.InitTimestamp != 1523000000123456 {
		t.Errorf("init %v %d", a.HasInit, a.InitTimestamp)
	}
}

// TestPantheonMultiFlowSummary checks a two-flow datalink log against
// numbers worked out by hand from tunnel_graph.py's definitions.
func TestPantheonMultiFlowSummary(t *testing.T) {
	log := `# init timestamp: 1000.000
0.000 # 1500
1.000 + 1500 1
2.000 + 1000 2
5.000 + 1500 1
9.000 + 1500 1
10.000 # 1500
11.500 - 1500 10.500 1
12.250 - 1000 10.250 2
15.000 - 1500 10.000 1
20.000 # 1500
`
	a := analyzeString(t, log, AnalyzeOptions{MsPerBin: 10})
	// capacity 36000 bits / (1000·20 ms) = 1.80; total throughput
	// 32000 bits / (1000·3.5 ms) = 9.142857, 507.9% of 1.80; pooled delays
	// {10, 10.25, 10.5}: index round(0.95·2) = 2; loss 1 − 32000/44000.
	// Flow 1: 24000 / 3500 = 6.857; delays {10, 10.5}: index round(0.95) = 1;
	// loss 1 − 24000/36000. Flow 2: one departure, a zero span: 0.
	want := `-- Total of 2 flows:
Average capacity: 1.80 Mbit/s
Average throughput: 9.14 Mbit/s (507.9% utilization)
95th percentile per-packet one-way delay: 10.500 ms
Loss rate: 27.27%
-- Flow 1:
Average throughput: 6.86 Mbit/s
95th percentile per-packet one-way delay: 10.500 ms
Loss rate: 33.33%
-- Flow 2:
Average throughput: 0.00 Mbit/s
95th percentile per-packet one-way delay: 10.250 ms
Loss rate: 0.00%
`
	if got := a.PantheonSummary(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	p := a.Pantheon
	if p.Duration != 3.5 || p.FirstTs != 0 {
		t.Errorf("duration %v first %v", p.Duration, p.FirstTs)
	}
	if f := p.Flows[0]; f.Ingress != 36000/(1000*8.0) || f.Arrivals != 3 || f.Departures != 2 {
		t.Errorf("flow 1 %+v", f)
	}
}

func TestPantheonFlowWithoutDepartures(t *testing.T) {
	// Flow 3 only sends: throughput 0, no delay, no loss line (it needs
	// departures too), but it counts in the total loss.
	log := "0 # 1500\n10 # 1500\n1 + 1500 3\n2 + 1500 1\n5 - 1500 3 1\n"
	a := analyzeString(t, log, AnalyzeOptions{})
	want := "-- Total of 2 flows:\n" +
		"Average capacity: 2.40 Mbit/s\n" +
		"Average throughput: 0.00 Mbit/s (0.0% utilization)\n" +
		"95th percentile per-packet one-way delay: 3.000 ms\n" +
		"Loss rate: 50.00%\n" +
		"-- Flow 1:\n" +
		"Average throughput: 0.00 Mbit/s\n" +
		"95th percentile per-packet one-way delay: 3.000 ms\n" +
		"Loss rate: 0.00%\n" +
		"-- Flow 3:\n" +
		"Average throughput: 0.00 Mbit/s\n"
	if got := a.PantheonSummary(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
}

func TestDegenerateLogs(t *testing.T) {
	for _, c := range []struct {
		name, log, mahimahi, pantheon string
	}{
		{
			"empty", "# base timestamp: 0\n",
			"Average capacity: n/a (no events)\nAverage throughput: n/a (no events)\n95th percentile per-packet queueing delay: n/a (no departures)\n95th percentile signal delay: n/a (no departures)\n",
			"-- Total of 0 flows:\nAverage throughput: 0.00 Mbit/s\n",
		},
		{
			"one event", "# base timestamp: 0\n5 - 1504 2\n",
			"Average capacity: n/a (zero duration)\nAverage throughput: n/a (zero duration)\n95th percentile per-packet queueing delay: 2 ms\n95th percentile signal delay: 2 ms\n",
			"-- Total of 1 flow:\nAverage throughput: 0.00 Mbit/s\n95th percentile per-packet one-way delay: 2.000 ms\n-- Flow 0:\nAverage throughput: 0.00 Mbit/s\n95th percentile per-packet one-way delay: 2.000 ms\n",
		},
		{
			"no capacity", "# base timestamp: 0\n0 + 1000\n1000 - 1000 1000\n",
			"Average capacity: 0.00 Mbits/s\nAverage throughput: 0.01 Mbits/s (utilization n/a: zero capacity)\n95th percentile per-packet queueing delay: 1000 ms\n95th percentile signal delay: 1000 ms\n",
			"-- Total of 1 flow:\nAverage throughput: 0.00 Mbit/s\n95th percentile per-packet one-way delay: 1000.000 ms\nLoss rate: 0.00%\n-- Flow 0:\nAverage throughput: 0.00 Mbit/s\n95th percentile per-packet one-way delay: 1000.000 ms\nLoss rate: 0.00%\n",
		},
		{
			"only drops", "# base timestamp: 0\n3 d 1 1504\n",
			"Average capacity: n/a (no events)\nAverage throughput: n/a (no events)\n95th percentile per-packet queueing delay: n/a (no departures)\n95th percentile signal delay: n/a (no departures)\n",
			"-- Total of 0 flows:\nAverage throughput: 0.00 Mbit/s\n",
		},
	} {
		a := analyzeString(t, c.log, AnalyzeOptions{})
		if got := a.MahimahiSummary(); got != c.mahimahi {
			t.Errorf("%s: mahimahi summary:\n%s\nwant:\n%s", c.name, got, c.mahimahi)
		}
		if got := a.PantheonSummary(); got != c.pantheon {
			t.Errorf("%s: pantheon summary:\n%s\nwant:\n%s", c.name, got, c.pantheon)
		}
	}
}

// TestDropLinesAreCountedAndIgnored: d lines (which crash
// mm-throughput-graph) change nothing but the drop counts.
func TestDropLinesAreCountedAndIgnored(t *testing.T) {
	plain := "# base timestamp: 0\n1 # 1504\n1 + 1504\n2 # 1504\n2 - 1504 1\n3 # 1504\n3 + 1504\n4 # 1504\n4 - 1504 1\n"
	withDrops := "# base timestamp: 0\n0 d 1 100\n1 # 1504\n1 + 1504\n1 d 1 1504\n2 # 1504\n2 - 1504 1\n3 # 1504\n3 + 1504\n3 d 2 3008\n4 # 1504\n4 - 1504 1\n9 d 1 1\n"
	a := analyzeString(t, plain, AnalyzeOptions{})
	b := analyzeString(t, withDrops, AnalyzeOptions{})
	if a.MahimahiSummary() != b.MahimahiSummary() || a.PantheonSummary() != b.PantheonSummary() {
		t.Errorf("d lines changed the summaries:\n%s%s\nvs\n%s%s", a.MahimahiSummary(), a.PantheonSummary(), b.MahimahiSummary(), b.PantheonSummary())
	}
	if b.Drops != (DropStats{Lines: 4, Packets: 5, Bytes: 4613}) {
		t.Errorf("drops %+v", b.Drops)
	}
	if b.Events != 12 || b.Mahimahi.Last != 4000 {
		t.Errorf("events %d last %d", b.Events, b.Mahimahi.Last)
	}
	// Pantheon's first_ts is the first event of any type, a d line too.
	if b.Pantheon.FirstTs != 0 || a.Pantheon.FirstTs != 1000 {
		t.Errorf("first_ts %d %d", b.Pantheon.FirstTs, a.Pantheon.FirstTs)
	}
}

func TestBins(t *testing.T) {
	// t is log ms − base; Perl's int() truncates toward zero, so bin 0 spans
	// (−10, 10) ms.
	log := "# base timestamp: 100\n85 # 1504\n95 # 1504\n105 + 100\n115 - 100 10\n125 # 1504\n125 + 50\n"
	a := analyzeString(t, log, AnalyzeOptions{MsPerBin: 10})
	b := a.Bins
	if b.MsPerBin != 10 || b.First != -1 {
		t.Fatalf("bins %+v", b)
	}
	wantCap := []int64{12032, 12032, 0, 12032}
	wantArr := []int64{0, 800, 0, 400}
	wantDep := []int64{0, 0, 800, 0}
	if !slices.Equal(b.Capacity, wantCap) || !slices.Equal(b.Arrivals, wantArr) || !slices.Equal(b.Departures, wantDep) {
		t.Errorf("bins cap %v arr %v dep %v", b.Capacity, b.Arrivals, b.Departures)
	}
	if a.Mahimahi.First != -15000 || a.Mahimahi.Last != 25000 {
		t.Errorf("first %d last %d", a.Mahimahi.First, a.Mahimahi.Last)
	}
}

func TestBinsTooMany(t *testing.T) {
	log := "# base timestamp: 0\n0 # 1504\n100000000 # 1504\n"
	a := analyzeString(t, log, AnalyzeOptions{MsPerBin: 1})
	if a.BinsErr == nil || len(a.Bins.Capacity) != 0 {
		t.Fatalf("want a bins error, got %v with %d bins", a.BinsErr, len(a.Bins.Capacity))
	}
	if !strings.HasPrefix(a.MahimahiSummary(), "Average capacity: 0.00 Mbits/s\n") {
		t.Errorf("summary %s", a.MahimahiSummary())
	}
}

func TestAnalyzeOptions(t *testing.T) {
	if _, err := Analyze(strings.NewReader(""), "x", AnalyzeOptions{MsPerBin: -1}); err == nil {
		t.Error("negative MsPerBin accepted")
	}
	a := analyzeString(t, "", AnalyzeOptions{})
	if a.MsPerBin != 500 {
		t.Errorf("default MsPerBin %d", a.MsPerBin)
	}
	_, err := Analyze(strings.NewReader("1 + 10\n2 q 10\n"), "bad.log", AnalyzeOptions{})
	if err == nil || !strings.HasPrefix(err.Error(), "log bad.log line 2: unknown event type") {
		t.Errorf("error %v", err)
	}
}

// refEvent is an event of a randomly generated log, for the reference
// implementation below.
type refEvent struct {
	kind  byte
	t, d  int64 // µs
	bytes int64
	flow  int // -1: no flow field
}

// refMahimahi computes mm-throughput-graph's numbers the way the Perl script
// does: every delay in a list, the signal delays in a map walked one ms at a
// time.
func refMahimahi(evs []refEvent, base int64) (capacity, thr, p95, p50, sig95 float64, ok bool) {
	var first, last float64
	seen := false
	var capSum, depSum float64
	var delays []float64
	signal := map[int64]int64{} // arrival ms → min delay µs
	for _, e := range evs {
		if e.kind == 'd' {
			continue
		}
		ts := float64(e.t-base) / 1000
		if !seen {
			first, last, seen = ts, ts, true
		}
		last = math.Max(last, ts)
		switch e.kind {
		case '#':
			capSum += float64(e.bytes * 8)
		case '-':
			depSum += float64(e.bytes * 8)
			delays = append(delays, float64(e.d)/1000)
			k := e.t - base - e.d
			k = (k - ((k%1000)+1000)%1000) / 1000 // floor to ms
			if old, ok := signal[k]; !ok || e.d < old {
				signal[k] = e.d
			}
		}
	}
	dur := (last - first) / 1000
	capacity = capSum / dur / 1e6
	thr = depSum / dur / 1e6
	if len(delays) == 0 {
		return capacity, thr, 0, 0, 0, false
	}
	sort := func(v []float64) { slices.Sort(v) }
	sort(delays)
	p95 = delays[int(0.95*float64(len(delays)))]
	p50 = delays[int(0.5*float64(len(delays)))]
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for k := range signal {
		lo, hi = min(lo, k), max(hi, k)
	}
	filled := make([]int64, hi-lo+1)
	for ts := hi; ts >= lo; ts-- {
		if v, ok := signal[ts]; ok {
			filled[ts-lo] = v
		} else {
			filled[ts-lo] = filled[ts+1-lo] + 1000
		}
	}
	vals := make([]float64, len(filled))
	for i, v := range filled {
		vals[i] = float64(v) / 1000
	}
	sort(vals)
	return capacity, thr, p95, p50, vals[int(0.95*float64(len(vals)))], true
}

// refPantheonDelays returns tunnel_graph.py's per-flow and pooled 95th
// percentile delays: sorted lists indexed by numpy's nearest rule.
func refPantheonDelays(evs []refEvent) (map[int]float64, float64) {
	per := map[int][]float64{}
	var all []float64
	for _, e := range evs {
		if e.kind == '-' {
			f := max(e.flow, 0)
			per[f] = append(per[f], float64(e.d)/1000)
			all = append(all, float64(e.d)/1000)
		}
	}
	pick := func(v []float64) float64 {
		slices.Sort(v)
		return v[int(math.RoundToEven(0.95*float64(len(v)-1)))]
	}
	out := map[int]float64{}
	for f, v := range per {
		out[f] = pick(v)
	}
	if len(all) == 0 {
		return out, 0
	}
	return out, pick(all)
}

// randomLog makes a log exercising the analyzer's corners: fractional times,
// sparse stretches (long signal gaps), huge delays, arrivals before the base
// timestamp, mild disorder, many flows, d lines.
func randomLog(rng *rand.Rand, fractional, bigDelays bool) (string, []refEvent, int64) {
	base := int64(rng.IntN(5000)) * 1000
	var evs []refEvent
	t := base + int64(rng.IntN(3000))*1000
	n := 50 + rng.IntN(1500)
	unit := int64(1000)
	if fractional {
		unit = 1
	}
	for range n {
		switch rng.IntN(10) {
		case 0:
			t += int64(rng.IntN(1000)) * 1000 // a quiet stretch
		case 1:
			t -= int64(rng.IntN(3)) * 1000 // disorder
		default:
			t += int64(rng.IntN(3)) * 1000
		}
		if fractional {
			t += int64(rng.IntN(1000))
		}
		e := refEvent{t: max(t, 0), bytes: int64(rng.IntN(1600)), flow: -1}
		switch rng.IntN(5) {
		case 0:
			e.kind = '#'
		case 1:
			e.kind = '+'
		case 2, 3:
			e.kind = '-'
			switch rng.IntN(20) {
			case 0:
				if !bigDelays {
					break
				}
				e.d = (5_000_000_000 + int64(rng.IntN(1000))*unit) / unit * unit // > 2^32 µs
			case 1:
				e.d = int64(rng.IntN(100000)) * unit // may arrive before base
			default:
				e.d = int64(rng.IntN(300000)) / unit * unit
			}
		case 4:
			e.kind = 'd'
		}
		if e.kind == '+' || e.kind == '-' {
			switch rng.IntN(4) {
			case 0:
				e.flow = rng.IntN(3)
			case 1:
				e.flow = 100 + rng.IntN(2)
			}
		}
		evs = append(evs, e)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# base timestamp: %d\n", base/1000)
	msStr := func(us int64) string {
		if fractional {
			return fmt.Sprintf("%d.%03d", us/1000, us%1000)
		}
		return fmt.Sprint(us / 1000)
	}
	for _, e := range evs {
		switch e.kind {
		case '#', '+':
			fmt.Fprintf(&b, "%s %c %d", msStr(e.t), e.kind, e.bytes)
		case '-':
			fmt.Fprintf(&b, "%s - %d %s", msStr(e.t), e.bytes, msStr(e.d))
		case 'd':
			fmt.Fprintf(&b, "%s d 1 %d", msStr(e.t), e.bytes)
		}
		if e.flow >= 0 {
			fmt.Fprintf(&b, " %d", e.flow)
		}
		b.WriteByte('\n')
	}
	return b.String(), evs, base
}

// TestAnalyzeMatchesReference compares Analyze with the direct
// implementations above on random logs.
func TestAnalyzeMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		fractional := i%2 == 1
		log, evs, base := randomLog(rng, fractional, i%100 == 0)
		a := analyzeString(t, log, AnalyzeOptions{KeepPoints: i%3 == 0})
		m := a.Mahimahi
		capacity, thr, p95, p50, sig95, ok := refMahimahi(evs, base)
		if m.RatesValid && (m.Capacity != capacity || m.Throughput != thr) {
			t.Errorf("log %d: capacity %v throughput %v, want %v %v", i, m.Capacity, m.Throughput, capacity, thr)
		}
		if m.DelaysValid != ok {
			t.Fatalf("log %d: DelaysValid = %v", i, m.DelaysValid)
		}
		if ok && (m.DelayP95 != p95 || m.DelayP50 != p50 || m.SignalP95 != sig95) {
			t.Errorf("log %d (fractional %v): p95 %v p50 %v signal %v, want %v %v %v", i, fractional, m.DelayP95, m.DelayP50, m.SignalP95, p95, p50, sig95)
		}
		perFlow, pooled := refPantheonDelays(evs)
		if ok && a.Pantheon.DelayP95 != pooled {
			t.Errorf("log %d: pantheon pooled p95 %v, want %v", i, a.Pantheon.DelayP95, pooled)
		}
		for _, f := range a.Pantheon.Flows {
			if want, has := perFlow[f.ID]; has != f.DelayValid || (has && f.DelayP95 != want) {
				t.Errorf("log %d flow %d: p95 %v (%v), want %v (%v)", i, f.ID, f.DelayP95, f.DelayValid, want, has)
			}
		}
		if !slices.IsSortedFunc(a.Pantheon.Flows, func(x, y PantheonFlow) int { return x.ID - y.ID }) {
			t.Errorf("log %d: flows not sorted", i)
		}
	}
}
