package capture

// This file owns mahimahi's "signal delay": for every millisecond between the
// first and the last arrival of a delivered packet, the least time a message
// created then needed to reach the receiver.
//
// mm-throughput-graph keeps signal[arrival ms] = min delay of the packets
// that arrived in that ms, then walks ts from the largest key down to the
// smallest, giving a missing ts the value signal[ts+1] + 1. The 95th
// percentile is sorted(values)[int(0.95·count)].
//
// Here the per-ms minima live in pages of a dense array allocated only where
// arrivals happened; the walk runs over the pages and treats the gaps between
// them arithmetically (a gap of g ms below a value v holds v+1 … v+g ms), so
// the cost is bounded by the traffic, not by the time span.

import (
	"math"
	"slices"
)

const (
	sigPageBits = 10
	sigPageLen  = 1 << sigPageBits
	// sigBig marks a page entry whose delay is too large for 32 bits; the
	// exact value is in signalMap.big.
	sigBig = math.MaxUint32
	// sigShortGap is the longest gap whose values are counted one by one;
	// longer gaps are kept as ranges.
	sigShortGap = 64
)

// sigPage holds, per ms, 0 for no arrival or 1 + the least delay in µs.
type sigPage [sigPageLen]uint32

// signalMap records the least delay per arrival millisecond.
type signalMap struct {
	pages   map[int64]*sigPage
	lastIdx int64
	last    *sigPage
	big     map[int64]int64
	any     bool
	minKey  int64
	maxKey  int64
}

// add records a packet that arrived in millisecond key with delay d µs.
func (m *signalMap) add(key, d int64) {
	pi := key >> sigPageBits
	p := m.last
	if p == nil || pi != m.lastIdx {
		if m.pages == nil {
			m.pages = make(map[int64]*sigPage)
		}
		p = m.pages[pi]
		if p == nil {
			p = new(sigPage)
			m.pages[pi] = p
		}
		m.last, m.lastIdx = p, pi
	}
	i := key & (sigPageLen - 1)
	old := p[i]
	if d < sigBig-1 {
		if old == 0 || uint32(d)+1 < old {
			p[i] = uint32(d) + 1
		}
	} else {
		switch old {
		case 0:
			p[i] = sigBig
			if m.big == nil {
				m.big = make(map[int64]int64)
			}
			m.big[key] = d
		case sigBig:
			if d < m.big[key] {
				m.big[key] = d
			}
		}
	}
	if !m.any {
		m.any, m.minKey, m.maxKey = true, key, key
	} else if key < m.minKey {
		m.minKey = key
	} else if key > m.maxKey {
		m.maxKey = key
	}
}

// sigVisitor receives the filled signal series from the top down: point for
// a millisecond that had arrivals, gap for the g milliseconds top−g … top−1
// below a point at top with value v, which hold v+1 ms … v+g ms.
type sigVisitor interface {
	point(key, v int64)
	gap(top, v, g int64)
}

// walk visits the filled series from the largest key down to the smallest.
func (m *signalMap) walk(vis sigVisitor) {
	idx := make([]int64, 0, len(m.pages))
	for pi := range m.pages {
		idx = append(idx, pi)
	}
	slices.Sort(idx)
	started := false
	var prevKey, prevVal int64
	for j := len(idx) - 1; j >= 0; j-- {
		pi := idx[j]
		p := m.pages[pi]
		for i := sigPageLen - 1; i >= 0; i-- {
			e := p[i]
			if e == 0 {
				continue
			}
			key := pi<<sigPageBits | int64(i)
			v := int64(e) - 1
			if e == sigBig {
				v = m.big[key]
			}
			if started && prevKey-key > 1 {
				vis.gap(prevKey, prevVal, prevKey-key-1)
			}
			vis.point(key, v)
			started, prevKey, prevVal = true, key, v
		}
	}
}

// sigRange is a long gap: the values v+1000·j µs for j = 1 … g.
type sigRange struct{ v, g int64 }

// sigDist collects the multiset of filled signal values.
type sigDist struct {
	hist   delayHist
	ranges []sigRange
	max    int64
}

func (d *sigDist) point(_, v int64) {
	d.hist.add(v)
	d.max = max(d.max, v)
}

func (d *sigDist) gap(_, v, g int64) {
	d.max = max(d.max, v+1000*g)
	if g <= sigShortGap {
		for j := int64(1); j <= g; j++ {
			d.hist.add(v + 1000*j)
		}
		return
	}
	d.ranges = append(d.ranges, sigRange{v, g})
}

// signalStats returns the 95th percentile and the largest value of the
// filled series, in µs, and the number of milliseconds it covers. ok is false
// when no packet departed.
func (m *signalMap) stats() (p95, maxVal, count int64, ok bool) {
	if !m.any {
		return 0, 0, 0, false
	}
	var d sigDist
	m.walk(&d)
	h := sortHists(&d.hist)
	count = h.total()
	for _, r := range d.ranges {
		count += r.g
	}
	k := mahimahiIndex(count, 0.95)
	if len(d.ranges) == 0 {
		return h.kth(k), d.max, count, true
	}
	// The k-th smallest value is the least x with more than k values ≤ x.
	lo, hi := h.vals[0], d.max
	for lo < hi {
		mid := lo + (hi-lo)/2
		if d.countLE(h, mid) > k {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, d.max, count, true
}

// countLE counts the values ≤ x in the histogram and the ranges.
func (d *sigDist) countLE(h sortedHist, x int64) int64 {
	c := h.countLE(x)
	for _, r := range d.ranges {
		if x <= r.v {
			continue
		}
		c += min((x-r.v)/1000, r.g)
	}
	return c
}
