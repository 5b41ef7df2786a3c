// window.go owns the read queries charts and summaries use: Window (at
// most N min/max/mean aggregates over a time range, from the finest tier
// holding each part) and Points (raw full-resolution points).
package store

import (
	"math"
	"time"
)

// Window returns at most maxPoints aggregates of the finite values with
// times in [from, to], oldest first. See AppendWindow.
func (s *Series) Window(from, to time.Duration, maxPoints int) []Agg {
	return s.AppendWindow(nil, from, to, maxPoints)
}

// AppendWindow appends Window's result to dst and returns it, so a chart
// can reuse one slice per redraw.
//
// The range is cut into slots of a width W aligned to multiples of W (so a
// chart sliding forward keeps the same slot edges and its envelope does
// not flicker). W is the smallest 1-2-5×10ⁿ ns width at least
// (to−from)/(maxPoints−1), which guarantees at most maxPoints slots,
// rounded up to a multiple of the widest bucket (among the tiers holding
// data in the range) no wider than it. Each non-empty slot gives one Agg;
// empty slots give nothing (a gap). maxPoints = 1 gives one Agg for the
// whole range (a summary); maxPoints ≤ 0, to < from or no data give none
// (nil from Window).
//
// Every value lives in exactly one tier. Full-resolution points count when
// from ≤ t ≤ to. A coarse bucket counts whole when it overlaps [from, to],
// so the first and last Agg may include values just outside the range (its
// First/Last say so), and it goes to the slot holding its last value.
// Each Agg therefore summarises exactly the finite values appended between
// its First and Last, and Aggs never overlap.
func (s *Series) AppendWindow(dst []Agg, from, to time.Duration, maxPoints int) []Agg {
	if maxPoints <= 0 || to < from || to < 0 || from > MaxTime {
		return dst
	}
	from, to = max(from, 0), min(to, MaxTime)
	s.mu.Lock()
	defer s.mu.Unlock()

	w := windower{dst: dst, cur: -1}
	w.slotWidth(s, from, to, maxPoints)
	if dst == nil {
		slots := int64(1)
		if w.width > 0 {
			slots = w.hiSlot - int64(from/w.width) + 1
		}
		w.dst = make([]Agg, 0, min(slots, int64(maxPoints), 1024))
	}
	for k := len(s.tiers) - 1; k >= 0; k-- {
		r := &s.tiers[k].ring
		if r.n == 0 || r.back().last < from || r.front().first > to {
			continue
		}
		for i := r.search(func(b *bucket) bool { return b.last >= from }); i < r.n; i++ {
			b := r.at(i)
			if b.first > to {
				break
			}
			w.add(b.last, b)
		}
	}
	a, b := s.pts.segments(s.pts.search(func(q *Point) bool { return q.T >= from }))
	if !w.addPoints(a, to) {
		w.addPoints(b, to)
	}
	out := w.flush()
	if dst == nil && len(out) == 0 {
		return nil
	}
	return out
}

// windower accumulates items, in time order, into slots.
type windower struct {
	dst    []Agg
	width  time.Duration // slot width; 0: one slot for everything
	hiSlot int64         // slot of `to`; later items are clamped into it
	cur    int64         // current slot, -1 before the first item
	curEnd time.Duration // exclusive end of the current slot
	acc    bucket
}

// slotWidth picks the slot width for [from, to] and maxPoints (see
// AppendWindow).
func (w *windower) slotWidth(s *Series, from, to time.Duration, maxPoints int) {
	if maxPoints == 1 {
		return
	}
	maxPoints = min(maxPoints, 1<<31) // more slots than that cannot matter
	// x = ceil((to−from) / (maxPoints−1))
	x := (int64(to-from) + int64(maxPoints-2)) / int64(maxPoints-1)
	if x < 1 {
		x = 1
	}
	width := niceWidth(time.Duration(x))
	if width > MaxTime {
		return // one slot covers every time there is
	}
	// Tier buckets must not straddle slots where the tier is finer than a
	// slot; widths divide each other, so rounding to the widest such tier
	// rounds to all of them.
	for k := len(s.tiers) - 1; k >= 0; k-- {
		tr := &s.tiers[k]
		if tr.ring.n == 0 || tr.ring.back().last < from || tr.ring.front().first > to {
			continue
		}
		if tr.width <= width {
			width = (width + tr.width - 1) / tr.width * tr.width
			break
		}
	}
	w.width = width
	w.hiSlot = int64(to / width)
}

// niceWidth returns the smallest 1, 2 or 5 × 10ⁿ that is ≥ x (x ≥ 1, x ≤
// MaxTime, so the result fits).
func niceWidth(x time.Duration) time.Duration {
	for p := time.Duration(1); ; p *= 10 {
		for _, m := range [...]time.Duration{1, 2, 5} {
			if m*p >= x {
				return m * p
			}
		}
	}
}

// add accumulates b whose slot is decided by time t (non-decreasing).
func (w *windower) add(t time.Duration, b *bucket) {
	if w.cur >= 0 && t < w.curEnd {
		w.acc.merge(*b)
		return
	}
	slot := int64(0)
	end := time.Duration(math.MaxInt64)
	if w.width > 0 {
		slot = min(int64(t/w.width), w.hiSlot)
		if slot < w.hiSlot {
			end = time.Duration(slot+1) * w.width
		}
	}
	if slot == w.cur {
		w.acc.merge(*b)
		return
	}
	w.emit()
	w.cur, w.curEnd, w.acc = slot, end, *b
}

// addPoints accumulates the finite points of pts (oldest first) up to
// time to, and reports whether it met a later point. It is add specialised
// for points, with the accumulator in locals: a chart's window is mostly
// full-resolution points.
func (w *windower) addPoints(pts []Point, to time.Duration) (past bool) {
	// Scalars rather than a bucket: the compiler keeps them in registers.
	cur, end := w.cur, w.curEnd
	last, lo, hi, sum, count := w.acc.last, w.acc.min, w.acc.max, w.acc.sum, w.acc.count
	for _, p := range pts {
		if p.T > to {
			past = true
			break
		}
		v := p.V
		if v != v {
			continue
		}
		if cur >= 0 && p.T < end {
			last = p.T
			if v < lo {
				lo = v
			}
			if v > hi {
				hi = v
			}
			sum += v
			count++
			continue
		}
		w.acc.last, w.acc.min, w.acc.max, w.acc.sum, w.acc.count = last, lo, hi, sum, count
		b := pointBucket(p)
		w.add(p.T, &b)
		cur, end = w.cur, w.curEnd
		last, lo, hi, sum, count = w.acc.last, w.acc.min, w.acc.max, w.acc.sum, w.acc.count
	}
	w.acc.last, w.acc.min, w.acc.max, w.acc.sum, w.acc.count = last, lo, hi, sum, count
	return past
}

func (w *windower) emit() {
	if w.cur < 0 {
		return
	}
	a := w.acc
	w.dst = append(w.dst, Agg{
		T:     a.first + (a.last-a.first)/2,
		First: a.first,
		Last:  a.last,
		Min:   a.min,
		Max:   a.max,
		Mean:  a.sum / float64(a.count),
		Count: int(a.count),
	})
}

func (w *windower) flush() []Agg {
	w.emit()
	return w.dst
}

// Points returns copies of the full-resolution points with from ≤ t ≤ to,
// oldest first, NaN values (no value) included. Data older than FullSince
// survives only as aggregates (use Window): for a range reaching before it,
// Points returns only the part at or after FullSince, and nil when none.
func (s *Series) Points(from, to time.Duration) []Point {
	if to < from {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.pts
	i := p.search(func(q *Point) bool { return q.T >= from })
	j := p.search(func(q *Point) bool { return q.T > to })
	if j <= i {
		return nil
	}
	out := make([]Point, j-i)
	for k := range out {
		out[k] = *p.at(i + k)
	}
	return out
}
