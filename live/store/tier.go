// tier.go owns the coarse tiers: buckets aligned to multiples of their
// width, folding points and buckets into them, moving the oldest bucket of
// a full tier into the next, and doubling the width of the last tier when
// it is full so that it never drops data.
package store

import "time"

// bucket aggregates the finite values with times in one aligned interval
// [k·width, (k+1)·width) of its tier. first and last are the times of the
// earliest and latest value; count ≥ 1.
type bucket struct {
	first, last   time.Duration
	min, max, sum float64
	count         int64
}

func pointBucket(p Point) bucket {
	return bucket{first: p.T, last: p.T, min: p.V, max: p.V, sum: p.V, count: 1}
}

// merge adds the values of a later bucket o.
func (b *bucket) merge(o bucket) {
	b.last = o.last
	if o.min < b.min {
		b.min = o.min
	}
	if o.max > b.max {
		b.max = o.max
	}
	b.sum += o.sum
	b.count += o.count
}

type tier struct {
	width   time.Duration // current bucket width (the last tier's doubles)
	ring    ring[bucket]
	tailEnd time.Duration // exclusive end of the newest bucket's interval
}

// alignedEnd is the exclusive end of the width-aligned interval holding t;
// t ≤ MaxTime and width ≤ 2·MaxTime+2 keep it inside int64.
func alignedEnd(t, width time.Duration) time.Duration {
	return (t/width + 1) * width
}

// foldPoint moves a finite point leaving the full-resolution tier into the
// first coarse tier.
func (s *Series) foldPoint(p Point) {
	tr := &s.tiers[0]
	if tr.ring.n > 0 && p.T < tr.tailEnd {
		b := tr.ring.back()
		b.last = p.T
		if p.V < b.min {
			b.min = p.V
		}
		if p.V > b.max {
			b.max = p.V
		}
		b.sum += p.V
		b.count++
		return
	}
	s.addBucket(0, pointBucket(p))
}

// addBucket folds b, which is newer than everything in tier k and lies in
// one aligned interval of it, into tier k.
func (s *Series) addBucket(k int, b bucket) {
	tr := &s.tiers[k]
	if tr.ring.n > 0 && b.first < tr.tailEnd {
		tr.ring.back().merge(b)
		return
	}
	if tr.ring.full() {
		if k+1 < len(s.tiers) {
			s.addBucket(k+1, tr.ring.popFront())
		} else {
			tr.coarsen()
			if tr.ring.n > 0 && b.first < tr.tailEnd {
				tr.ring.back().merge(b)
				return
			}
			if tr.ring.full() { // cannot happen: see coarsen
				tr.ring.popFront()
			}
		}
	}
	tr.ring.push(b)
	tr.tailEnd = alignedEnd(b.first, tr.width)
}

// coarsen doubles the width of a full tier, merging the buckets that now
// share an interval, until it has room. Times are at most MaxTime, so once
// the width exceeds MaxTime everything is one bucket: a tier doubles at
// most ~60 times in its life.
func (tr *tier) coarsen() {
	for tr.ring.full() && tr.width <= MaxTime {
		tr.width *= 2
		r := &tr.ring
		w := 0
		for i := 1; i < r.n; i++ {
			cur, b := r.at(w), r.at(i)
			if b.first/tr.width == cur.first/tr.width {
				cur.merge(*b)
				continue
			}
			w++
			*r.at(w) = *b
		}
		r.truncate(w + 1)
	}
	if tr.ring.n > 0 {
		tr.tailEnd = alignedEnd(tr.ring.back().first, tr.width)
	}
}
