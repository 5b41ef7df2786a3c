package store

import (
	"math"
	"runtime"
	"testing"
	"time"
)

// TestDefaultMetaBounds pins the memory bounds the package documents.
func TestDefaultMetaBounds(t *testing.T) {
	if pointBytes != 16 || bucketBytes != 48 {
		t.Fatalf("element sizes changed: point %d, bucket %d bytes", pointBytes, bucketBytes)
	}
	g, e := DefaultMeta(Gauge).MaxBytes(), DefaultMeta(Event).MaxBytes()
	if g != 1009664 || e != 3287040 {
		t.Fatalf("MaxBytes gauge %d, event %d; update the doc comment of DefaultMeta", g, e)
	}
	if g > 1<<20 || e > 4<<20 {
		t.Fatalf("bounds exceed the promised 1 MiB per gauge / 4 MiB per event series: %d, %d", g, e)
	}
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// checkBound asserts a series' counted and measured memory are within its
// Meta.MaxBytes and every tier within its cap.
func checkBound(t *testing.T, s *Series, heapGrowth uint64) Stats {
	t.Helper()
	st, m := s.Stats(), s.Meta()
	if st.Points > m.MaxPoints {
		t.Fatalf("%d full-resolution points > cap %d", st.Points, m.MaxPoints)
	}
	for i, n := range st.Buckets {
		if n > m.Tiers[i].Buckets {
			t.Fatalf("tier %d holds %d buckets > cap %d", i+1, n, m.Tiers[i].Buckets)
		}
	}
	if st.Bytes > m.MaxBytes() {
		t.Fatalf("series holds %d bytes > bound %d", st.Bytes, m.MaxBytes())
	}
	if heapGrowth > uint64(m.MaxBytes()) {
		t.Fatalf("heap grew %d bytes > bound %d", heapGrowth, m.MaxBytes())
	}
	t.Logf("%s: %d appends, %d points, buckets %v, widths %v, %d bytes counted, heap +%d, bound %d",
		s.Key(), st.Appended, st.Points, st.Buckets, st.Widths, st.Bytes, heapGrowth, m.MaxBytes())
	return st
}

func gaugeValue(i int) float64 { return float64(i%1000) + 0.25*math.Sin(float64(i)) }

// TestMemoryBoundGauge10h: 10 hours of a 10-ms gauge stay within the
// gauge bound; the last 60 s are at full resolution and the first hour is
// still there as aggregates with exact counts and extremes.
func TestMemoryBoundGauge10h(t *testing.T) {
	const step = 10 * time.Millisecond
	const n = 10 * 3600 * 100
	before := heapInUse()
	st := NewStore()
	s := st.Series("flow/1/cwnd")
	for i := 0; i < n; i++ {
		s.Append(time.Duration(i)*step, gaugeValue(i))
	}
	after := heapInUse()
	growth := uint64(0)
	if after > before {
		growth = after - before
	}
	stats := checkBound(t, s, growth)
	runtime.KeepAlive(st)
	if stats.Appended != n {
		t.Fatalf("appended %d, want %d", stats.Appended, n)
	}
	last := time.Duration(n-1) * step
	// The recent 60 s at full resolution: 6001 points, exact values.
	pts := s.Points(last-60*time.Second, last)
	if len(pts) != 6001 {
		t.Fatalf("last 60 s: %d full-resolution points, want 6001", len(pts))
	}
	for k, p := range pts {
		i := n - 6001 + k
		if p.T != time.Duration(i)*step || p.V != gaugeValue(i) {
			t.Fatalf("point %d = %+v, want %v at %v", k, p, gaugeValue(i), time.Duration(i)*step)
		}
	}
	// The first hour as aggregates: 360000 values, min 0, max 999.25-ish.
	first, _ := s.Span()
	if first != 0 {
		t.Fatalf("span starts at %v: old data was dropped", first)
	}
	h := s.Window(0, time.Hour-1, 1)
	if len(h) != 1 || h[0].Count != 360000 || h[0].First != 0 || h[0].Last != time.Hour-step {
		t.Fatalf("first hour summary %+v", h)
	}
	lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
	for i := 0; i < 360000; i++ {
		v := gaugeValue(i)
		lo, hi, sum = math.Min(lo, v), math.Max(hi, v), sum+v
	}
	if h[0].Min != lo || h[0].Max != hi || !closeEnough(h[0].Mean, sum/360000) {
		t.Fatalf("first hour min/max/mean %v/%v/%v, want %v/%v/%v", h[0].Min, h[0].Max, h[0].Mean, lo, hi, sum/360000)
	}
	all := s.Window(0, last, 200)
	total := 0
	for _, a := range all {
		total += a.Count
	}
	if len(all) > 200 || total != n {
		t.Fatalf("whole run into 200 points: %d aggregates holding %d values, want ≤200 holding %d", len(all), total, n)
	}
}

// TestMemoryBoundEvent: two minutes of a 100k/s event series hit the point
// cap long before the 60-s span; memory stays within the event bound
// (≤ 4 MiB), the newest MaxPoints points are at full resolution and every
// older value is still counted in the aggregates.
func TestMemoryBoundEvent(t *testing.T) {
	const step = 10 * time.Microsecond
	n := 120 * 100000
	if testing.Short() {
		n = 20 * 100000
	}
	before := heapInUse()
	st := NewStore()
	s, err := st.Define("flow/1/owd", Meta{Kind: Event, Unit: "s"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		s.Append(time.Duration(i)*step, float64(i%977)*1e-6)
	}
	after := heapInUse()
	growth := uint64(0)
	if after > before {
		growth = after - before
	}
	stats := checkBound(t, s, growth)
	runtime.KeepAlive(st)
	if stats.Bytes > 4<<20 {
		t.Fatalf("event series holds %d bytes > 4 MiB", stats.Bytes)
	}
	m := s.Meta()
	if stats.Points != m.MaxPoints {
		t.Fatalf("%d full-resolution points, want the cap %d", stats.Points, m.MaxPoints)
	}
	since, _ := s.FullSince()
	last := time.Duration(n-1) * step
	if want := last - time.Duration(m.MaxPoints-1)*step; since != want {
		t.Fatalf("full resolution since %v, want %v", since, want)
	}
	if pts := s.Points(since, last); len(pts) != m.MaxPoints || pts[0].V != float64((n-m.MaxPoints)%977)*1e-6 {
		t.Fatalf("recent points: %d, first %+v", len(pts), pts[0])
	}
	sum := s.Window(0, last, 1)
	if len(sum) != 1 || sum[0].Count != n || sum[0].Min != 0 || sum[0].Max != 976e-6 {
		t.Fatalf("whole-run summary %+v, want %d values in [0, 976e-6]", sum, n)
	}
}

// TestMemoryBoundWorstCase fills every tier of the default metas to its
// cap — sparse points for 20 days (the coarsest tier coarsens), then a
// dense burst of MaxPoints points — and checks the counted and measured
// memory against MaxBytes.
func TestMemoryBoundWorstCase(t *testing.T) {
	for _, kind := range []Kind{Gauge, Event} {
		t.Run(kind.String(), func(t *testing.T) {
			before := heapInUse()
			st := NewStore()
			s, err := st.Define("x", Meta{Kind: kind})
			if err != nil {
				t.Fatal(err)
			}
			m := s.Meta()
			var tm time.Duration
			for tm < 20*24*time.Hour {
				s.Append(tm, float64(tm%1000))
				tm += 7 * time.Second
			}
			for i := 0; i < m.MaxPoints; i++ {
				s.Append(tm+time.Duration(i), 1)
			}
			after := heapInUse()
			growth := uint64(0)
			if after > before {
				growth = after - before
			}
			stats := checkBound(t, s, growth)
			runtime.KeepAlive(st)
			if stats.Points != m.MaxPoints {
				t.Fatalf("tier 0 holds %d points, want the cap %d", stats.Points, m.MaxPoints)
			}
			for i, n := range stats.Buckets[:len(stats.Buckets)-1] {
				if n != m.Tiers[i].Buckets {
					t.Fatalf("tier %d holds %d buckets, want its cap %d", i+1, n, m.Tiers[i].Buckets)
				}
			}
			k := len(m.Tiers) - 1
			if stats.Widths[k] <= m.Tiers[k].Width {
				t.Fatalf("last tier did not coarsen: width %v", stats.Widths[k])
			}
			if first, _ := s.Span(); first != 0 {
				t.Fatalf("oldest data dropped: span starts at %v", first)
			}
			if got := s.Window(0, MaxTime, 1); got[0].Count != int(stats.Appended) {
				t.Fatalf("summary counts %d values, appended %d", got[0].Count, stats.Appended)
			}
		})
	}
}
