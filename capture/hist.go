package capture

// This file owns exact percentiles without keeping every sample: a histogram
// of delays in microseconds, dense for whole milliseconds (all of a mahimahi
// log's delays) and a map for the rest, and the two percentile index rules.

import (
	"math"
	"slices"
)

// histDenseMs bounds the dense part: whole-millisecond delays below it are
// counted in a slice, everything else in a map.
const histDenseMs = 1 << 16

// delayHist counts values in microseconds.
type delayHist struct {
	n     int64
	dense []int64         // dense[ms]: count of values of exactly ms milliseconds
	other map[int64]int64 // value in µs → count, for values not in dense
}

func (h *delayHist) add(us int64) { h.addN(us, 1) }

func (h *delayHist) addN(us, count int64) {
	h.n += count
	if us >= 0 && us < histDenseMs*1000 {
		ms := us / 1000
		if ms*1000 == us {
			if ms >= int64(len(h.dense)) {
				h.grow(ms)
			}
			h.dense[ms] += count
			return
		}
	}
	if h.other == nil {
		h.other = make(map[int64]int64)
	}
	h.other[us] += count
}

func (h *delayHist) grow(ms int64) {
	n := max(ms+1, 2*int64(len(h.dense)), 256)
	n = min(n, histDenseMs)
	d := make([]int64, n)
	copy(d, h.dense)
	h.dense = d
}

// valueCount is one distinct value and how often it occurs.
type valueCount struct{ v, n int64 }

// sortedHist is a histogram frozen for queries: distinct values ascending
// and cumulative counts.
type sortedHist struct {
	vals []int64
	cum  []int64 // cum[i] = number of values ≤ vals[i]
}

// sortHists merges histograms into one sorted histogram.
func sortHists(hs ...*delayHist) sortedHist {
	var dense []int64
	other := map[int64]int64{}
	for _, h := range hs {
		if len(h.dense) > len(dense) {
			d := make([]int64, len(h.dense))
			copy(d, dense)
			dense = d
		}
		for i, c := range h.dense {
			dense[i] += c
		}
		for v, c := range h.other {
			other[v] += c
		}
	}
	pairs := make([]valueCount, 0, len(other)+64)
	for i, c := range dense {
		if c > 0 {
			pairs = append(pairs, valueCount{int64(i) * 1000, c})
		}
	}
	for v, c := range other {
		if c > 0 {
			pairs = append(pairs, valueCount{v, c})
		}
	}
	slices.SortFunc(pairs, func(a, b valueCount) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	s := sortedHist{vals: make([]int64, 0, len(pairs)), cum: make([]int64, 0, len(pairs))}
	var total int64
	for _, p := range pairs {
		total += p.n
		if k := len(s.vals); k > 0 && s.vals[k-1] == p.v {
			s.cum[k-1] = total
			continue
		}
		s.vals = append(s.vals, p.v)
		s.cum = append(s.cum, total)
	}
	return s
}

// total is the number of values counted.
func (s sortedHist) total() int64 {
	if len(s.cum) == 0 {
		return 0
	}
	return s.cum[len(s.cum)-1]
}

// kth returns the k-th smallest value (0-based), the element at index k of
// the sorted list of all values. k must be in [0, total).
func (s sortedHist) kth(k int64) int64 {
	i, _ := slices.BinarySearchFunc(s.cum, k, func(c, k int64) int {
		if c <= k {
			return -1
		}
		return 1
	})
	return s.vals[i]
}

// countLE returns how many values are ≤ x.
func (s sortedHist) countLE(x int64) int64 {
	i, found := slices.BinarySearch(s.vals, x)
	if found {
		return s.cum[i]
	}
	if i == 0 {
		return 0
	}
	return s.cum[i-1]
}

// mahimahiIndex is the index Perl's $sorted[q * scalar @sorted] reads: the
// product in double precision, truncated.
func mahimahiIndex(n int64, q float64) int64 {
	return int64(q * float64(n))
}

// numpyNearestIndex is the index np.percentile(x, 95,
// interpolation='nearest') reads in the numpy versions Pantheon runs on:
// round-half-even of 0.95·(n−1), in double precision.
func numpyNearestIndex(n int64) int64 {
	return int64(math.RoundToEven(0.95 * float64(n-1)))
}
