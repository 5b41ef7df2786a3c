package store

import (
	"math"
	"testing"
	"time"
)

// TestEmptySeries: every query on a series without points returns nothing.
func TestEmptySeries(t *testing.T) {
	s := NewStore().Series("e")
	if _, ok := s.Last(); ok {
		t.Fatal("Last on an empty series reported a point")
	}
	if _, ok := s.FullSince(); ok {
		t.Fatal("FullSince on an empty series reported a time")
	}
	if f, l := s.Span(); f != 0 || l != 0 || s.Len() != 0 || s.Version() != 0 {
		t.Fatalf("span %v..%v len %d version %d", f, l, s.Len(), s.Version())
	}
	if w := s.Window(0, time.Hour, 100); w != nil {
		t.Fatalf("window %+v", w)
	}
	if p := s.Points(0, time.Hour); p != nil {
		t.Fatalf("points %+v", p)
	}
}

// TestSinglePoint: one point is its own Last, Span, Points and Window for
// any range containing it and any maxPoints ≥ 1.
func TestSinglePoint(t *testing.T) {
	s := NewStore().Series("one")
	s.Append(5*time.Second, 42)
	if p, ok := s.Last(); !ok || p != (Point{5 * time.Second, 42}) {
		t.Fatalf("last %+v", p)
	}
	if f, l := s.Span(); f != 5*time.Second || l != 5*time.Second || s.Len() != 1 {
		t.Fatalf("span %v..%v", f, l)
	}
	want := Agg{T: 5 * time.Second, First: 5 * time.Second, Last: 5 * time.Second, Min: 42, Max: 42, Mean: 42, Count: 1}
	for _, mp := range []int{1, 2, 200} {
		for _, r := range [][2]time.Duration{{0, 10 * time.Second}, {5 * time.Second, 5 * time.Second}, {0, 5 * time.Second}, {5 * time.Second, MaxTime}} {
			if w := s.Window(r[0], r[1], mp); len(w) != 1 || w[0] != want {
				t.Fatalf("Window(%v, %v, %d) = %+v", r[0], r[1], mp, w)
			}
		}
	}
	for _, r := range [][2]time.Duration{{0, 5*time.Second - 1}, {5*time.Second + 1, time.Hour}} {
		if w := s.Window(r[0], r[1], 10); len(w) != 0 {
			t.Fatalf("Window(%v, %v) outside the point = %+v", r[0], r[1], w)
		}
		if p := s.Points(r[0], r[1]); p != nil {
			t.Fatalf("Points(%v, %v) outside the point = %+v", r[0], r[1], p)
		}
	}
}

// TestNonFinite: NaN and ±Inf are kept as NaN points (gaps) but never reach
// an aggregate; an all-NaN series has points and no aggregates, also after
// folding.
func TestNonFinite(t *testing.T) {
	s, _ := NewStore().Define("n", Meta{Recent: 50 * time.Millisecond, Tiers: []Tier{{10 * time.Millisecond, 100}}})
	for i := 0; i < 100; i++ {
		s.Append(time.Duration(i)*time.Millisecond, []float64{math.NaN(), math.Inf(1), math.Inf(-1)}[i%3])
	}
	if p, ok := s.Last(); !ok || !math.IsNaN(p.V) || p.T != 99*time.Millisecond {
		t.Fatalf("last %+v", p)
	}
	if pts := s.Points(0, time.Second); len(pts) != 51 || !math.IsNaN(pts[0].V) {
		t.Fatalf("points %+v", pts)
	}
	if w := s.Window(0, time.Second, 10); len(w) != 0 {
		t.Fatalf("all-NaN window %+v", w)
	}
	if st := s.Stats(); st.Buckets[0] != 0 {
		t.Fatalf("NaN points folded into buckets: %+v", st)
	}
	// Mixed: aggregates ignore the non-finite values.
	s.Append(100*time.Millisecond, 3)
	s.Append(101*time.Millisecond, math.Inf(1))
	s.Append(102*time.Millisecond, -1)
	w := s.Window(0, time.Second, 1)
	if len(w) != 1 || w[0].Count != 2 || w[0].Min != -1 || w[0].Max != 3 || w[0].Mean != 1 ||
		w[0].First != 100*time.Millisecond || w[0].Last != 102*time.Millisecond {
		t.Fatalf("mixed window %+v", w)
	}
}

// TestTimeGoingBackwards: an earlier append is clamped to the previous time
// (kept, counted); negative and beyond-MaxTime times are clamped too.
func TestTimeGoingBackwards(t *testing.T) {
	s := NewStore().Series("b")
	s.Append(-time.Second, 1)
	s.Append(10*time.Second, 2)
	s.Append(3*time.Second, 3)
	s.Append(10*time.Second, 4)
	pts := s.Points(0, MaxTime)
	want := []Point{{0, 1}, {10 * time.Second, 2}, {10 * time.Second, 3}, {10 * time.Second, 4}}
	if !equalSlices(pts, want) {
		t.Fatalf("points %+v, want %+v", pts, want)
	}
	if st := s.Stats(); st.Clamped != 2 || st.Appended != 4 {
		t.Fatalf("stats %+v", st)
	}
	w := s.Window(10*time.Second, 10*time.Second, 5)
	if len(w) != 1 || w[0].Count != 3 || w[0].Mean != 3 {
		t.Fatalf("window over the clamped points %+v", w)
	}
	s.Append(time.Duration(math.MaxInt64), 9)
	if p, _ := s.Last(); p.T != MaxTime {
		t.Fatalf("append at MaxInt64 stored at %v, want MaxTime", p.T)
	}
	if w := s.Window(0, time.Duration(math.MaxInt64), 1000); len(w) == 0 || w[len(w)-1].Last != MaxTime {
		t.Fatalf("window to MaxInt64: %+v", w)
	}
}

// TestWindowArguments: maxPoints ≤ 0, inverted and out-of-span ranges give
// nothing; maxPoints 1 gives one summary; AppendWindow appends.
func TestWindowArguments(t *testing.T) {
	s := NewStore().Series("w")
	var r raw
	for i := 0; i < 1000; i++ {
		feed(&r, s, time.Second+time.Duration(i)*time.Millisecond, float64(i))
	}
	for _, c := range []struct {
		from, to time.Duration
		mp       int
	}{
		{0, time.Hour, 0}, {0, time.Hour, -3}, {2 * time.Second, time.Second, 10},
		{0, time.Second - 1, 10}, {3 * time.Second, time.Hour, 10}, {-time.Hour, -1, 10},
		{MaxTime + 1, time.Duration(math.MaxInt64), 10},
	} {
		if w := s.Window(c.from, c.to, c.mp); len(w) != 0 {
			t.Fatalf("Window(%v, %v, %d) = %d aggregates, want none", c.from, c.to, c.mp, len(w))
		}
	}
	w := s.Window(-time.Hour, time.Hour, 1)
	if len(w) != 1 || w[0].Count != 1000 || w[0].Min != 0 || w[0].Max != 999 || w[0].Mean != 499.5 {
		t.Fatalf("summary %+v", w)
	}
	checkWindow(t, &r, s.Window(1500*time.Millisecond, 1500*time.Millisecond, 1), 1500*time.Millisecond, 1500*time.Millisecond, 1, true)
	dst := []Agg{{Count: 7}}
	dst = s.AppendWindow(dst, time.Second, 2*time.Second, 10)
	if len(dst) < 2 || dst[0].Count != 7 || len(dst) > 11 {
		t.Fatalf("AppendWindow %+v", dst)
	}
	if w := s.Window(0, time.Hour, math.MaxInt); len(w) != 1000 {
		t.Fatalf("maxPoints MaxInt: %d aggregates, want one per point", len(w))
	}
}

// TestPointsPartial: Points returns only what is still at full resolution;
// Window still covers the folded part.
func TestPointsPartial(t *testing.T) {
	s, _ := NewStore().Define("p", Meta{Recent: time.Second})
	for i := 0; i <= 500; i++ {
		s.Append(time.Duration(i)*10*time.Millisecond, float64(i))
	}
	since, _ := s.FullSince()
	if since != 4*time.Second {
		t.Fatalf("full resolution since %v, want 4s", since)
	}
	pts := s.Points(0, 5*time.Second)
	if len(pts) != 101 || pts[0].T != since {
		t.Fatalf("%d points from %v, want 101 from 4s", len(pts), pts[0].T)
	}
	if pts := s.Points(0, 3*time.Second); pts != nil {
		t.Fatalf("points before FullSince: %+v", pts)
	}
	// The 100-ms bucket [3 s, 3.1 s) overlaps the range and counts whole.
	w := s.Window(0, 3*time.Second, 1)
	if len(w) != 1 || w[0].Count != 310 || w[0].Last != 3090*time.Millisecond {
		t.Fatalf("folded part: %+v", w)
	}
}

// TestRingLimitOne: the smallest legal configuration (1 point, 1 bucket)
// still keeps every value counted.
func TestRingLimitOne(t *testing.T) {
	s, err := NewStore().Define("tiny", Meta{MaxPoints: 1, Tiers: []Tier{{time.Millisecond, 1}}})
	if err != nil {
		t.Fatal(err)
	}
	var r raw
	for i := 0; i < 5000; i++ {
		feed(&r, s, time.Duration(i*i)*time.Microsecond, float64(i%17))
	}
	st := s.Stats()
	if st.Points != 1 || st.Buckets[0] != 1 {
		t.Fatalf("stats %+v", st)
	}
	w := s.Window(0, MaxTime, 1)
	if want := r.brute(0, MaxTime); len(w) != 1 || w[0].Count != want.count || w[0].Min != want.min || w[0].Max != want.max {
		t.Fatalf("summary %+v, want %+v", w, want)
	}
}
