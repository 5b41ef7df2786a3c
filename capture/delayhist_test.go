package capture

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestDelayHistMatchesSorting(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 50; trial++ {
		var h, a, b DelayHist
		n := 1 + rng.IntN(5000)
		var all []int64
		for i := 0; i < n; i++ {
			var us int64
			switch rng.IntN(4) {
			case 0:
				us = rng.Int64N(50_000) // 0–50 ms
			case 1:
				us = 20_000 + rng.Int64N(300) // a tight cluster
			case 2:
				us = rng.Int64N(5_000_000) // up to 5 s
			default:
				us = int64(maxDensePages)*delayPageUs + rng.Int64N(1e9) // sparse
			}
			all = append(all, us)
			d := time.Duration(us)*time.Microsecond + time.Duration(rng.IntN(1000)) // sub-µs noise floors away
			h.Add(d)
			if i%2 == 0 {
				a.Add(d)
			} else {
				b.Add(d)
			}
		}
		slices.Sort(all)
		// numpy nearest: round half to even of (n−1)·0.95.
		idx := int64(math.RoundToEven(float64(n-1) * 0.95))
		if got, _ := h.PantheonP95(); got != time.Duration(all[idx])*time.Microsecond {
			t.Fatalf("trial %d n=%d: Pantheon p95 %v, want %dµs", trial, n, got, all[idx])
		}
		if got, _ := h.MahimahiPercentile(0.95); got != time.Duration(all[int(0.95*float64(n))])*time.Microsecond {
			t.Fatalf("trial %d: mahimahi p95 %v", trial, got)
		}
		a.Merge(&b)
		if x, _ := a.PantheonP95(); x != time.Duration(all[idx])*time.Microsecond || a.N() != int64(n) {
			t.Fatalf("merged p95 %v n %d", x, a.N())
		}
		if h.Max() != time.Duration(all[n-1])*time.Microsecond {
			t.Fatalf("max %v", h.Max())
		}
	}
	// Delays 1..20 ms: Pantheon 19, mahimahi 20 (spec §6).
	var h DelayHist
	for i := 1; i <= 20; i++ {
		h.Add(time.Duration(i) * time.Millisecond)
	}
	p, _ := h.PantheonP95()
	m, _ := h.MahimahiPercentile(0.95)
	if p != 19*time.Millisecond || m != 20*time.Millisecond {
		t.Fatalf("1..20: pantheon %v mahimahi %v", p, m)
	}
	var empty DelayHist
	if _, ok := empty.PantheonP95(); ok {
		t.Fatal("empty histogram has a percentile")
	}
}

func BenchmarkDelayHistAdd(b *testing.B) {
	var h DelayHist
	rng := rand.New(rand.NewPCG(1, 2))
	ds := make([]time.Duration, 4096)
	for i := range ds {
		ds[i] = 20*time.Millisecond + time.Duration(rng.Int64N(int64(200*time.Millisecond)))
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		h.Add(ds[i&4095])
	}
}
