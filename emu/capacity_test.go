package emu

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestSkipToMatchesStepping: skipping idle opportunities arithmetically
// lands exactly where popping them one by one does, for rates whose
// interval is not a whole number of ns, for looping traces (first line 0 or
// not) and for --once.
func TestSkipToMatchesStepping(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	caps := []Capacity{RateCapacity(7e6), RateCapacity(12e6), RateCapacity(1.5e9), RateCapacity(1), RateCapacity(999_999_937)}
	for _, s := range []string{"0\n5\n", "3\n7\n", "1\n", "0\n0\n0\n4\n4\n9\n", "200\n200\n"} {
		caps = append(caps, TraceCapacity(mustTrace(t, s)))
	}
	for ci, c := range caps {
		for _, once := range []bool{false, true} {
			a := newOpportunities(c, 3*time.Millisecond, once)
			b := a
			var now time.Duration
			for step := 0; step < 300; step++ {
				now += time.Duration(rng.Int64N(int64(40 * time.Millisecond)))
				if rng.IntN(4) == 0 {
					now = b.next // land exactly on an opportunity
					if now == Never {
						break
					}
				}
				inclusive := rng.IntN(2) == 0
				got := a.skipTo(now, inclusive)
				var want int64
				for b.next < now || (inclusive && b.next == now) {
					b.pop()
					want++
				}
				if got != want || a.next != b.next {
					t.Fatalf("capacity %d once=%v step %d: skipTo(%v, %v) skipped %d to %v; stepping skipped %d to %v",
						ci, once, step, now, inclusive, got, a.next, want, b.next)
				}
			}
		}
	}
	// A long idle stretch on a fast link is O(1): 1 Gbit/s for a day.
	o := newOpportunities(RateCapacity(1e9), 0, false)
	if n := o.skipTo(24*time.Hour, true); n != 24*3600*1e9/12000 {
		t.Fatalf("skipped %d", n)
	}
}
