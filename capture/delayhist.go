package capture

// This file owns DelayHist: exact percentiles of delays at microsecond
// resolution in bounded memory, for live runs whose delays are not whole
// milliseconds (the summary of `ccscope run`).

import (
	"maps"
	"math"
	"slices"
	"time"
)

// delayPageUs is the span of one histogram page: 1 ms of 1-µs bins.
const delayPageUs = 1000

// maxDensePages bounds the dense page index (about 17 minutes of delay);
// larger delays go to a sparse map.
const maxDensePages = 1 << 20

// DelayHist counts delays rounded down to whole microseconds, so that
// percentiles are exact at that resolution. Memory grows with the spread
// of the delays (4 KB per millisecond that holds any), not with their
// number.
type DelayHist struct {
	n       int64
	pages   []*[delayPageUs]uint32
	counts  []int64 // samples per page
	sparse  map[int64]int64
	maxSeen int64
}

// Add counts one delay (negative delays count as 0).
func (h *DelayHist) Add(d time.Duration) { h.addN(max(int64(d/time.Microsecond), 0), 1) }

// addN counts c delays of us microseconds.
func (h *DelayHist) addN(us, c int64) {
	h.n += c
	h.maxSeen = max(h.maxSeen, us)
	page := us / delayPageUs
	if page >= maxDensePages {
		if h.sparse == nil {
			h.sparse = make(map[int64]int64)
		}
		h.sparse[us] += c
		return
	}
	if page >= int64(len(h.pages)) {
		n := max(page+1, 2*int64(len(h.pages)), 64)
		n = min(n, maxDensePages)
		np := make([]*[delayPageUs]uint32, n)
		copy(np, h.pages)
		nc := make([]int64, n)
		copy(nc, h.counts)
		h.pages, h.counts = np, nc
	}
	p := h.pages[page]
	if p == nil {
		p = new([delayPageUs]uint32)
		h.pages[page] = p
	}
	bin := &p[us%delayPageUs]
	add := min(c, int64(math.MaxUint32-*bin)) // saturates after 4·10⁹ equal delays
	*bin += uint32(add)
	h.counts[page] += add
}

// N is the number of delays counted.
func (h *DelayHist) N() int64 { return h.n }

// Merge adds every delay of o.
func (h *DelayHist) Merge(o *DelayHist) {
	for page, p := range o.pages {
		if p == nil {
			continue
		}
		for i, c := range p {
			if c > 0 {
				h.addN(int64(page)*delayPageUs+int64(i), int64(c))
			}
		}
	}
	for us, c := range o.sparse {
		h.addN(us, c)
	}
}

// kth returns the k-th smallest delay (0-based).
func (h *DelayHist) kth(k int64) time.Duration {
	seen := int64(0)
	for page, c := range h.counts {
		if c == 0 {
			continue
		}
		if seen+c <= k {
			seen += c
			continue
		}
		for i, n := range h.pages[page] {
			if seen+int64(n) > k {
				return time.Duration(int64(page)*delayPageUs+int64(i)) * time.Microsecond
			}
			seen += int64(n)
		}
	}
	// Beyond the dense pages: the sparse delays, ascending.
	keys := slices.Sorted(maps.Keys(h.sparse))
	for _, us := range keys {
		if seen+h.sparse[us] > k {
			return time.Duration(us) * time.Microsecond
		}
		seen += h.sparse[us]
	}
	return time.Duration(h.maxSeen) * time.Microsecond
}

// PantheonP95 is Pantheon's 95th percentile: numpy's percentile with
// interpolation='nearest', i.e. the value at index round_half_even((n−1)·0.95)
// of the sorted delays. ok is false when there are none.
func (h *DelayHist) PantheonP95() (time.Duration, bool) {
	if h.n == 0 {
		return 0, false
	}
	return h.kth(numpyNearestIndex(h.n)), true
}

// MahimahiPercentile is mm-throughput-graph's percentile q (0..1): the
// value at index int(q·n) of the sorted delays.
func (h *DelayHist) MahimahiPercentile(q float64) (time.Duration, bool) {
	if h.n == 0 {
		return 0, false
	}
	return h.kth(mahimahiIndex(h.n, q)), true
}

// Max is the largest delay counted.
func (h *DelayHist) Max() time.Duration { return time.Duration(h.maxSeen) * time.Microsecond }
