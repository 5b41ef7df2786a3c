package store

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// randomQueries checks n random windows of s against the raw model; the
// ranges reach a little past both ends of the data.
func randomQueries(t *testing.T, rng *rand.Rand, r *raw, s *Series, n int, fullRes bool) {
	t.Helper()
	first, last := r.pts[0].T, r.pts[len(r.pts)-1].T
	span := int64(last-first) + 1
	for i := 0; i < n; i++ {
		a := first + time.Duration(rng.Int64N(span+span/5)) - time.Duration(span/10)
		b := first + time.Duration(rng.Int64N(span+span/5)) - time.Duration(span/10)
		if rng.IntN(10) == 0 { // short ranges too
			b = a + time.Duration(rng.Int64N(span/50+1))
		}
		if a > b && rng.IntN(2) == 0 {
			a, b = b, a
		}
		mp := []int{0, 1, 2, 3, 7, 50, 200, 1000, 100000}[rng.IntN(9)]
		checkWindow(t, r, s.Window(a, b, mp), a, b, mp, fullRes)
	}
}

// irregular appends n points with random gaps (including repeated times),
// random values and an occasional NaN/Inf.
func irregular(rng *rand.Rand, r *raw, s *Series, start time.Duration, n int, maxGap time.Duration) time.Duration {
	t := start
	for i := 0; i < n; i++ {
		if rng.IntN(8) != 0 {
			t += time.Duration(rng.Int64N(int64(maxGap)))
		}
		v := rng.NormFloat64() * 100
		switch rng.IntN(50) {
		case 0:
			v = math.NaN()
		case 1:
			v = math.Inf(1)
		case 2:
			v = math.Inf(-1)
		}
		feed(r, s, t, v)
	}
	return t
}

// TestWindowFullResolutionMatchesBruteForce: with everything still at full
// resolution, every Window aggregate equals the brute-force aggregate of
// the raw points, and the windows cover the range without gaps or overlap.
func TestWindowFullResolutionMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	st := NewStore()
	s, err := st.Define("flow/1/owd", Meta{Kind: Event, Recent: time.Hour, MaxPoints: 50000})
	if err != nil {
		t.Fatal(err)
	}
	var r raw
	irregular(rng, &r, s, 3*time.Millisecond, 20000, 2*time.Millisecond)
	if st := s.Stats(); st.Points != 20000 || st.Buckets[0] != 0 {
		t.Fatalf("data should all be at full resolution: %+v", st)
	}
	randomQueries(t, rng, &r, s, 1200, true)
}

// TestWindowFoldedMatchesBruteForce: with most data folded into coarse
// tiers (and the last tier coarsened), aggregates are still exact for the
// values they cover, ordered, disjoint and complete.
func TestWindowFoldedMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	st := NewStore()
	s, err := st.Define("link/up/qdelay", Meta{Recent: time.Second, MaxPoints: 64,
		Tiers: []Tier{{10 * time.Millisecond, 50}, {100 * time.Millisecond, 20}, {time.Second, 8}}})
	if err != nil {
		t.Fatal(err)
	}
	var r raw
	irregular(rng, &r, s, 0, 60000, 10*time.Millisecond)
	stats := s.Stats()
	for i, n := range stats.Buckets {
		if n == 0 {
			t.Fatalf("tier %d is empty: the test does not exercise folding: %+v", i+1, stats)
		}
	}
	if stats.Widths[2] <= time.Second {
		t.Fatalf("last tier did not coarsen: %+v", stats)
	}
	randomQueries(t, rng, &r, s, 1200, false)
	// The whole series in one aggregate holds every finite value.
	all := s.Window(0, MaxTime, 1)
	if want := r.brute(0, MaxTime); len(all) != 1 || all[0].Count != want.count {
		t.Fatalf("whole-series summary %+v, want count %d", all, want.count)
	}
}

// TestWindowExactSlots: hand-computed windows of a 10-ms gauge with value =
// index: slots are 1-2-5 widths aligned to multiples of themselves.
func TestWindowExactSlots(t *testing.T) {
	s := NewStore().Series("g")
	for i := 0; i < 100; i++ {
		s.Append(time.Duration(i)*10*time.Millisecond, float64(i))
	}
	// 0..990 ms into 100 points: ceil(990/99) = 10 ms slots, one point each.
	got := s.Window(0, 990*time.Millisecond, 100)
	if len(got) != 100 {
		t.Fatalf("got %d aggregates, want 100", len(got))
	}
	for i, a := range got {
		if a.Count != 1 || a.Min != float64(i) || a.Max != float64(i) || a.Mean != float64(i) || a.T != time.Duration(i)*10*time.Millisecond {
			t.Fatalf("aggregate %d = %+v", i, a)
		}
	}
	// 50 points: ceil(990/49) = 20.2 ms → 50-ms slots of 5 points.
	got = s.Window(0, 990*time.Millisecond, 50)
	if len(got) != 20 {
		t.Fatalf("got %d aggregates, want 20", len(got))
	}
	for i, a := range got {
		lo := float64(5 * i)
		if a.Count != 5 || a.Min != lo || a.Max != lo+4 || a.Mean != lo+2 ||
			a.First != time.Duration(50*i)*time.Millisecond || a.Last != time.Duration(50*i+40)*time.Millisecond {
			t.Fatalf("aggregate %d = %+v", i, a)
		}
	}
	// Shifting the range keeps the slot edges (aligned, not range-relative):
	// 25..985 ms: ceil(960/49) = 19.6 ms → 20-ms slots [20,40) [40,60) ….
	got = s.Window(25*time.Millisecond, 985*time.Millisecond, 50)
	if got[0].First != 30*time.Millisecond || got[0].Count != 1 || got[1].First != 40*time.Millisecond || got[1].Count != 2 {
		t.Fatalf("aligned slots: first aggregates %+v %+v", got[0], got[1])
	}
	if n := len(got); n != 49 || got[n-1].First != 980*time.Millisecond || got[n-1].Count != 1 {
		t.Fatalf("aligned slots: %d aggregates, last %+v", n, got[n-1])
	}
}

// TestWindowTierRounding: a window over folded data uses slots that are
// whole multiples of the tier's buckets, so bucket and slot edges agree.
func TestWindowTierRounding(t *testing.T) {
	s, err := NewStore().Define("g", Meta{Recent: time.Second, MaxPoints: 1000,
		Tiers: []Tier{{300 * time.Millisecond, 1000}}})
	if err != nil {
		t.Fatal(err)
	}
	var r raw
	for i := 0; i < 1000; i++ { // 10 s at 10 ms: 0..9 s folded into 300-ms buckets
		feed(&r, s, time.Duration(i)*10*time.Millisecond, float64(i%37))
	}
	// 0..6 s into 13 points: ceil(6 s/12) = 500 ms → rounded to 600 ms.
	got := s.Window(0, 6*time.Second, 13)
	checkWindow(t, &r, got, 0, 6*time.Second, 13, false)
	for i, a := range got[:len(got)-1] {
		if a.First != time.Duration(i)*600*time.Millisecond || a.Count != 60 {
			t.Fatalf("aggregate %d = %+v, want 60 values from %v", i, a, time.Duration(i)*600*time.Millisecond)
		}
	}
}

// TestFoldingTimingIndependent: two series with the same data, one folding
// early because of a small point cap and one folding late by span, hold
// the same coarse buckets for the data both have folded.
func TestFoldingTimingIndependent(t *testing.T) {
	tiers := []Tier{{100 * time.Millisecond, 10000}}
	early, _ := NewStore().Define("a", Meta{Recent: 2 * time.Second, MaxPoints: 17, Tiers: tiers})
	late, _ := NewStore().Define("b", Meta{Recent: 2 * time.Second, MaxPoints: 100000, Tiers: tiers})
	rng := rand.New(rand.NewPCG(5, 6))
	tm := time.Duration(0)
	for i := 0; i < 20000; i++ {
		tm += time.Duration(rng.Int64N(int64(time.Millisecond)))
		v := rng.Float64()
		early.Append(tm, v)
		late.Append(tm, v)
	}
	until := tm - 3*time.Second // folded in both
	a, b := early.Window(0, until, 1000), late.Window(0, until, 1000)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("windows differ in length: %d vs %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("aggregate %d differs: %+v vs %+v", i, a[i], b[i])
		}
	}
}

// TestWindowTierBoundarySameTime: when equal timestamps straddle the
// boundary between the full-resolution tier and a coarse bucket, a window
// finer than the bucket keeps them in one aggregate (a bucket goes to the
// slot of its last value), so aggregates stay disjoint.
func TestWindowTierBoundarySameTime(t *testing.T) {
	s, err := NewStore().Define("d", Meta{MaxPoints: 2, Tiers: []Tier{{100 * time.Millisecond, 10}}})
	if err != nil {
		t.Fatal(err)
	}
	var r raw
	for _, tm := range []time.Duration{0, 50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond} {
		feed(&r, s, tm, float64(tm/time.Millisecond)+1)
	}
	if st := s.Stats(); st.Points != 2 || st.Buckets[0] != 1 {
		t.Fatalf("setup: want a bucket [0, 50ms] and two points at 50ms: %+v", st)
	}
	for _, mp := range []int{2, 10, 1000} {
		got := s.Window(0, 60*time.Millisecond, mp)
		checkWindow(t, &r, got, 0, 60*time.Millisecond, mp, false)
		if mp == 1000 && (len(got) != 1 || got[0].Count != 4) {
			t.Fatalf("maxPoints %d: %+v, want one aggregate of 4 values", mp, got)
		}
	}
}
