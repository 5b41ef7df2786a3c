package capture

// This file owns mm-throughput-graph's bins: bits of capacity, arrivals and
// departures per MS_PER_BIN, kept in a slice that grows in both directions
// up to maxBins.

import "fmt"

// maxBins bounds the number of bins Analyze keeps (48 MiB of counters).
const maxBins = 1 << 21

// Bins holds mm-throughput-graph's per-bin bit counts. Bin b covers the
// times t (ms since the base timestamp) with int(t/MsPerBin) == b, truncated
// toward zero as Perl's int does.
type Bins struct {
	MsPerBin int
	// First is the bin number of the first element: the earliest bin.
	First int64
	// Capacity, Arrivals and Departures are bits per bin from First to the
	// latest bin, 0 where nothing happened.
	Capacity, Arrivals, Departures []int64
}

// binAcc accumulates the bins during the pass.
type binAcc struct {
	lo     int64      // bin number of v[0]
	v      [][3]int64 // capacity, arrivals, departures
	minBin int64
	maxBin int64
	any    bool
	err    error
}

// add adds bits to series which (0 capacity, 1 arrivals, 2 departures) of
// bin b.
func (a *binAcc) add(b int64, which int, bits int64) {
	if a.err != nil {
		return
	}
	if i := b - a.lo; i >= 0 && i < int64(len(a.v)) {
		a.v[i][which] += bits
		if b < a.minBin {
			a.minBin = b
		} else if b > a.maxBin {
			a.maxBin = b
		}
		return
	}
	if !a.grow(b) {
		return
	}
	a.v[b-a.lo][which] += bits
}

// grow makes room for bin b, or gives up when the bins would exceed maxBins.
func (a *binAcc) grow(b int64) bool {
	if !a.any {
		a.any, a.minBin, a.maxBin = true, b, b
		a.lo = b
		a.v = make([][3]int64, 64)
		return true
	}
	lo, hi := min(a.minBin, b), max(a.maxBin, b)
	if hi-lo+1 > maxBins || hi-lo < 0 {
		a.err = fmt.Errorf("the log spans more than %d bins", maxBins)
		a.v = nil
		return false
	}
	n := hi - lo + 1
	slack := min(max(n, 64), maxBins-n)
	newLo := lo
	if b < a.minBin {
		newLo = lo - slack
	}
	v := make([][3]int64, n+slack)
	copy(v[a.minBin-newLo:], a.v[a.minBin-a.lo:a.maxBin-a.lo+1])
	a.v, a.lo = v, newLo
	a.minBin, a.maxBin = lo, hi
	return true
}

// bins returns the finished bins from the earliest to the latest.
func (a *binAcc) bins(msPerBin int) Bins {
	bs := Bins{MsPerBin: msPerBin}
	if !a.any || a.err != nil {
		return bs
	}
	n := a.maxBin - a.minBin + 1
	bs.First = a.minBin
	bs.Capacity = make([]int64, n)
	bs.Arrivals = make([]int64, n)
	bs.Departures = make([]int64, n)
	for i := range n {
		c := a.v[a.minBin-a.lo+i]
		bs.Capacity[i], bs.Arrivals[i], bs.Departures[i] = c[0], c[1], c[2]
	}
	return bs
}
