package emu

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseTraceErrors(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"crlf", "1\r\n2\r\n", "line 1: carriage return"},
		{"blank line", "1\n\n2\n", "line 2: empty line"},
		{"blank at end", "1\n2\n\n", "line 3: empty line"},
		{"not a number", "1\nabc\n", "line 2: not a number"},
		{"float", "1.5\n", "line 1: not a number"},
		{"trailing space", "1 \n", "line 1: trailing whitespace"},
		{"negative", "-3\n", "line 1: negative timestamp"},
		{"decreasing", "5\n3\n", "line 2: timestamp 3 ms is before the previous line's 5 ms"},
		{"empty", "", "empty trace"},
		{"zero length", "0\n0\n", "zero-length trace"},
		{"huge", "99999999999999999999\n", "line 1: timestamp"},
		{"long line", strings.Repeat("1", 5000) + "\n", "line 1: line longer"},
	}
	for _, c := range cases {
		_, err := ParseTrace("x.trace", strings.NewReader(c.in))
		if err == nil {
			t.Errorf("%s: no error for %q", c.name, c.in)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "trace x.trace") {
			t.Errorf("%s: error %q, want it to name the trace and contain %q", c.name, err, c.want)
		}
	}
}

func TestParseTraceAccepts(t *testing.T) {
	cases := []struct {
		in   string
		want []int64
	}{
		{"1\n", []int64{1}},
		{"1", []int64{1}}, // no newline at EOF
		{"0\n5\n", []int64{0, 5}},
		{" 7\n7\n9\n", []int64{7, 7, 9}}, // strtol accepts leading blanks
		{"1\n1\n1\n1\n1\n", []int64{1, 1, 1, 1, 1}},
	}
	for _, c := range cases {
		tr, err := ParseTrace("t", strings.NewReader(c.in))
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if !equalInts(tr.Ms, c.want) {
			t.Errorf("%q: got %v want %v", c.in, tr.Ms, c.want)
		}
	}
}

func TestLoadTraceMissingFile(t *testing.T) {
	_, err := LoadTrace(filepath.Join(t.TempDir(), "nope.trace"))
	if err == nil || !strings.Contains(err.Error(), "nope.trace") || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("got %v", err)
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// oppTimes lists the first n opportunity times of a capacity, in ms.
func oppTimes(c Capacity, once bool, n int) []float64 {
	o := newOpportunities(c, 0, once)
	var out []float64
	for i := 0; i < n && !o.finished(); i++ {
		out = append(out, float64(o.next)/1e6)
		o.pop()
	}
	return out
}

func TestTraceWrapTimes(t *testing.T) {
	// Spec §1.1: trace 0,5 gives 0,5,5,10,10,15,15 (doubled at each wrap).
	tr, _ := ParseTrace("t", strings.NewReader("0\n5\n"))
	got := oppTimes(TraceCapacity(tr), false, 7)
	want := []float64{0, 5, 5, 10, 10, 15, 15}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("wrap times %v, want %v", got, want)
		}
	}
	// --once stops after one pass.
	if got := oppTimes(TraceCapacity(tr), true, 10); len(got) != 2 {
		t.Fatalf("once: %v", got)
	}
	// A trace starting after 0 does not double: 3,7 → 3,7,10,14,17,21.
	tr2, _ := ParseTrace("t", strings.NewReader("3\n7\n"))
	got = oppTimes(TraceCapacity(tr2), false, 6)
	want = []float64{3, 7, 10, 14, 17, 21}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("wrap times %v, want %v", got, want)
		}
	}
}

func TestConstantRateOpportunities(t *testing.T) {
	cases := []struct {
		rate     string
		interval time.Duration // expected mean interval
		perSec   int           // opportunities in the first second
	}{
		{"12mbit", time.Millisecond, 1000},
		{"24mbit", 500 * time.Microsecond, 2000},
		{"1.5gbit", 8 * time.Microsecond, 125000},
		{"800kbit", 15 * time.Millisecond, 66},
		{"7mbit", 0, 583}, // 12000/7e6 s = 1.714285… ms, not whole ns
	}
	for _, c := range cases {
		r, err := ParseRate(c.rate)
		if err != nil {
			t.Fatal(err)
		}
		o := newOpportunities(RateCapacity(r), 0, false)
		n := 0
		var prev time.Duration
		for o.next <= time.Second {
			if c.interval != 0 && o.next-prev != c.interval {
				t.Fatalf("%s: opportunity %d at %v, previous %v, want interval %v", c.rate, n, o.next, prev, c.interval)
			}
			prev = o.next
			o.pop()
			n++
		}
		if n != c.perSec {
			t.Errorf("%s: %d opportunities in 1 s, want %d", c.rate, n, c.perSec)
		}
	}
	// Exactness over a long run: 7 Mbit/s for 1200 s = 700000 opportunities,
	// the 700000th exactly at 1200 s.
	o := newOpportunities(RateCapacity(7e6), 0, false)
	for i := 1; i < 700000; i++ {
		o.pop()
	}
	if o.next != 1200*time.Second {
		t.Fatalf("700000th opportunity at %v, want 1200s", o.next)
	}
}

// TestTraceStatsMatchSources checks `trace stats` numbers against the table
// in ../shared/traces/SOURCES.md, which was computed independently.
func TestTraceStatsMatchSources(t *testing.T) {
	dir := sharedTraces(t)
	f, err := os.Open(filepath.Join(dir, "SOURCES.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cols := strings.Split(line, "|")
		if len(cols) < 9 {
			continue
		}
		name := strings.Trim(strings.TrimSpace(cols[1]), "`")
		if strings.Contains(cols[2], "github.com") {
			continue // the provenance table
		}
		lines, _ := strconv.Atoi(strings.TrimSpace(cols[3]))
		first, _ := strconv.ParseInt(strings.TrimSpace(cols[4]), 10, 64)
		period, _ := strconv.ParseInt(strings.Fields(cols[5])[0], 10, 64)
		mean := strings.TrimSpace(cols[6])
		minmax := strings.Fields(cols[7]) // "0.00 / 12.95"
		tr, err := LoadTrace(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		s := tr.Stats()
		if s.Opportunities != lines || s.First != first || s.Period != period {
			t.Errorf("%s: opportunities/first/period %d/%d/%d, table says %d/%d/%d", name, s.Opportunities, s.First, s.Period, lines, first, period)
		}
		if got := strconv.FormatFloat(s.Mbps1500, 'f', 3, 64); got != mean {
			t.Errorf("%s: mean %s Mbit/s, table says %s", name, got, mean)
		}
		if got := strconv.FormatFloat(s.MinSecMbps, 'f', 2, 64); got != minmax[0] {
			t.Errorf("%s: worst second %s, table says %s", name, got, minmax[0])
		}
		if got := strconv.FormatFloat(s.MaxSecMbps, 'f', 2, 64); got != minmax[2] {
			t.Errorf("%s: best second %s, table says %s", name, got, minmax[2])
		}
		// mahimahi's scale is 1504/1500 of Pantheon's.
		if d := s.Mbps1504/s.Mbps1500 - 1504.0/1500; d > 1e-12 || d < -1e-12 {
			t.Errorf("%s: 1504/1500 ratio off by %g", name, d)
		}
		rows++
	}
	if rows < 20 {
		t.Fatalf("checked %d traces from SOURCES.md, want all 20", rows)
	}
}

func TestGenerateSteps(t *testing.T) {
	segs, err := ParseSteps("24mbit:7s,48mbit:7s")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := GenerateSteps("gen", segs)
	if err != nil {
		t.Fatal(err)
	}
	// 24 Mbit/s = 2 opportunities per ms for 7000 ms, then 4 per ms.
	if tr.Opportunities() != 14000+28000 || tr.Period() != 14000 || tr.Ms[0] != 1 {
		t.Fatalf("opportunities %d period %d first %d", tr.Opportunities(), tr.Period(), tr.Ms[0])
	}
	s := tr.Stats()
	// Whole seconds 0..13 run at 24 then 48 Mbit/s; second 14 holds only
	// the 4 opportunities at exactly 14000 ms (0.048 Mbit/s).
	if s.MaxSecMbps != 48 || s.MinSec != 14 || s.MinSecMbps != 0.048 {
		t.Fatalf("seconds %v (s%d) .. %v Mbit/s", s.MinSecMbps, s.MinSec, s.MaxSecMbps)
	}
	// ms 1..999 at 2 per ms; second 7 holds ms 7000 (still 24 Mbit/s) and
	// 7001..7999 at 4 per ms.
	secs := map[int64]int{}
	for _, m := range tr.Ms {
		secs[m/1000]++
	}
	if secs[0] != 1998 || secs[3] != 2000 || secs[6] != 2000 || secs[7] != 3998 || secs[13] != 4000 {
		t.Fatalf("per-second counts %v", secs)
	}
	// The written trace parses back identically.
	var sb strings.Builder
	if err := WriteTrace(&sb, tr); err != nil {
		t.Fatal(err)
	}
	back, err := ParseTrace("back", strings.NewReader(sb.String()))
	if err != nil || !equalInts(back.Ms, tr.Ms) {
		t.Fatalf("round trip: %v", err)
	}

	// 14.7 Mbit/s (keithw's recipe) is exact with a 40-ms period: 49 lines.
	r, _ := ParseRate("14.7mbit")
	if p := ExactPeriod(r, time.Minute); p != 40*time.Millisecond {
		t.Fatalf("exact period %v", p)
	}
	tr, _ = GenerateSteps("g", []Segment{{Rate: r, Duration: 40 * time.Millisecond}})
	if got := tr.Stats().Mbps1500; got < 14.7-1e-9 || got > 14.7+1e-9 {
		t.Fatalf("14.7mbit trace loops at %v Mbit/s", got)
	}

	for _, bad := range []string{"24mbit", "24mbit:0s", "24:7s", "24mbit:1.5ms", "x"} {
		if _, err := ParseSteps(bad); err == nil {
			t.Errorf("ParseSteps(%q): no error", bad)
		}
	}
}

func TestParseRate(t *testing.T) {
	good := map[string]float64{"12mbit": 12e6, "1.5gbit": 1.5e9, "800kbit": 8e5, "100bit": 100, "12Mbit": 12e6, "12mbit/s": 12e6}
	for in, want := range good {
		got, err := ParseRate(in)
		if err != nil || got != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", in, got, err, want)
		}
		if back, _ := ParseRate(FormatRate(got)); back != got {
			t.Errorf("FormatRate(%v) = %q does not round-trip", got, FormatRate(got))
		}
	}
	bad := map[string]string{"12": "missing unit", "12mbps": "ambiguous", "0mbit": "above zero", "x": "want a number", "12furlongs": "unknown unit", "99tbit": "limit"}
	for in, want := range bad {
		_, err := ParseRate(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseRate(%q) error %v, want %q", in, err, want)
		}
	}
	if !LooksLikeRate("24mbit") || LooksLikeRate("./24mbit") || LooksLikeRate("Verizon-LTE-short.down") {
		t.Error("LooksLikeRate")
	}
}
