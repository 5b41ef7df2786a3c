package store

import (
	"math"
	"sort"
	"testing"
	"time"
)

// raw is the test's independent model of a series: every appended point,
// with the documented clamping (t moved to ≥ the previous time and ≥ 0)
// and non-finite values as NaN.
type raw struct {
	pts []Point
}

func (r *raw) add(t time.Duration, v float64) {
	if len(r.pts) > 0 && t < r.pts[len(r.pts)-1].T {
		t = r.pts[len(r.pts)-1].T
	}
	if t < 0 {
		t = 0
	}
	if t > MaxTime {
		t = MaxTime
	}
	if math.IsInf(v, 0) {
		v = math.NaN()
	}
	r.pts = append(r.pts, Point{t, v})
}

// feed appends to both the model and the series.
func feed(r *raw, s *Series, t time.Duration, v float64) {
	r.add(t, v)
	s.Append(t, v)
}

// agg is a brute-force aggregate of the finite raw values with times in
// [from, to].
type agg struct {
	count       int
	min, max    float64
	sum         float64
	first, last time.Duration
}

func (r *raw) brute(from, to time.Duration) agg {
	a := agg{min: math.Inf(1), max: math.Inf(-1)}
	i := sort.Search(len(r.pts), func(i int) bool { return r.pts[i].T >= from })
	for ; i < len(r.pts) && r.pts[i].T <= to; i++ {
		p := r.pts[i]
		if math.IsNaN(p.V) {
			continue
		}
		if a.count == 0 {
			a.first = p.T
		}
		a.last = p.T
		a.count++
		a.min = math.Min(a.min, p.V)
		a.max = math.Max(a.max, p.V)
		a.sum += p.V
	}
	return a
}

func closeEnough(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// checkWindow asserts what Window promises, against the raw model:
// at most maxPoints aggregates, oldest first, disjoint, each overlapping
// [from, to], each equal to the brute-force aggregate of the raw values
// between its First and Last, and together covering every finite raw value
// in [from, to]. fullRes adds: no value outside [from, to], and no
// aggregate wider than the slot width the request allows.
func checkWindow(t *testing.T, r *raw, got []Agg, from, to time.Duration, maxPoints int, fullRes bool) {
	t.Helper()
	desc := func() string {
		return time.Duration(from).String() + ".." + time.Duration(to).String()
	}
	want := r.brute(from, to)
	if maxPoints <= 0 || to < from {
		if len(got) != 0 {
			t.Fatalf("%s maxPoints %d: got %d aggregates, want none", desc(), maxPoints, len(got))
		}
		return
	}
	if len(got) > maxPoints {
		t.Fatalf("%s: %d aggregates > maxPoints %d", desc(), len(got), maxPoints)
	}
	if want.count == 0 {
		if len(got) != 0 {
			t.Fatalf("%s: no finite values in range but got %d aggregates", desc(), len(got))
		}
		return
	}
	if len(got) == 0 {
		t.Fatalf("%s: %d finite values in range but no aggregates", desc(), want.count)
	}
	if maxPoints == 1 && len(got) != 1 {
		t.Fatalf("%s: maxPoints 1 gave %d aggregates", desc(), len(got))
	}
	total := 0
	for i, a := range got {
		if i > 0 && got[i-1].Last >= a.First {
			t.Fatalf("%s: aggregate %d [%v,%v] overlaps the previous [%v,%v]", desc(), i, a.First, a.Last, got[i-1].First, got[i-1].Last)
		}
		if a.First > to || a.Last < from || a.First > a.Last {
			t.Fatalf("%s: aggregate %d [%v,%v] outside the range", desc(), i, a.First, a.Last)
		}
		if fullRes && (a.First < from || a.Last > to) {
			t.Fatalf("%s: full-resolution aggregate %d [%v,%v] reaches outside the range", desc(), i, a.First, a.Last)
		}
		b := r.brute(a.First, a.Last)
		if a.Count != b.count || a.Min != b.min || a.Max != b.max || !closeEnough(a.Mean, b.sum/float64(b.count)) ||
			b.first != a.First || b.last != a.Last {
			t.Fatalf("%s maxPoints %d: aggregate %d = %+v, brute force over its [First, Last] = %+v (mean %v)",
				desc(), maxPoints, i, a, b, b.sum/float64(b.count))
		}
		if a.T != a.First+(a.Last-a.First)/2 {
			t.Fatalf("aggregate %d: T %v is not the midpoint of [%v, %v]", i, a.T, a.First, a.Last)
		}
		total += a.Count
	}
	lo, hi := min(from, got[0].First), max(to, got[len(got)-1].Last)
	if all := r.brute(lo, hi); total != all.count {
		t.Fatalf("%s: aggregates hold %d values, the raw data %d between %v and %v: some value is missing",
			desc(), total, all.count, lo, hi)
	}
	if fullRes && maxPoints >= 2 {
		// W ≤ 2.5 × ceil(span / (maxPoints−1)) (1-2-5 rounding), and an
		// aggregate lies inside one slot.
		span := int64(to - from)
		x := (span + int64(maxPoints-2)) / int64(maxPoints-1)
		limit := time.Duration(max(x, 1)) * 5 / 2
		for i, a := range got {
			if a.Last-a.First >= limit+1 {
				t.Fatalf("%s maxPoints %d: aggregate %d spans %v, slots are at most %v", desc(), maxPoints, i, a.Last-a.First, limit)
			}
		}
	}
}
