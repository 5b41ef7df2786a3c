// copa_filter.go owns copaWindowed, the windowed minimum and maximum of RTT
// samples over a span of time that Copa needs three of: RTT_standing (the
// minimum over the last srtt/2), RTT_min (the minimum over the last 10 s)
// and RTT_max (the maximum over the last four RTTs).
package cc

import "time"

// copaSlots is the number of time buckets a copaWindowed keeps; a window is
// cut into copaSlotsPerWindow of them, so the ring holds about two windows.
const (
	copaSlots          = 16
	copaSlotsPerWindow = 8
)

// copaWindowed is the minimum (or, with max set, the maximum) of the samples
// of roughly the last window of time. Samples fall into buckets of width
// window/8, each keeping its extreme value and the time of its last sample;
// a query takes the extreme over the buckets whose last sample lies within
// the window. So a query covers at least the last window and at most one
// bucket (window/8) more, whatever the sample rate, in constant memory and
// time and without allocating. The window may change from one call to the
// next (RTT_standing's follows srtt).
type copaWindowed struct {
	max  bool
	n    int // buckets in use
	head int // index of the newest bucket
	b    [copaSlots]copaBucket
}

type copaBucket struct {
	start, last time.Duration // times of the bucket's first and last sample
	v           time.Duration // extreme value of its samples
}

// better reports whether a beats b for this filter.
func (w *copaWindowed) better(a, b time.Duration) bool {
	if w.max {
		return a > b
	}
	return a < b
}

// add records sample v at time now; window is the span the filter is
// currently queried over.
func (w *copaWindowed) add(now, v, window time.Duration) {
	width := max(window/copaSlotsPerWindow, 1)
	if w.n > 0 {
		cur := &w.b[w.head]
		if now-cur.start < width {
			if w.better(v, cur.v) {
				cur.v = v
			}
			cur.last = now
			return
		}
		w.head = (w.head + 1) % copaSlots
	}
	w.n = min(w.n+1, copaSlots)
	w.b[w.head] = copaBucket{start: now, last: now, v: v}
}

// get is the extreme of the samples within window of now; ok is false when
// there are none.
func (w *copaWindowed) get(now, window time.Duration) (v time.Duration, ok bool) {
	for i := range w.n {
		b := &w.b[(w.head-i+copaSlots)%copaSlots]
		if now-b.last > window {
			break // older buckets are older still
		}
		if !ok || w.better(b.v, v) {
			v, ok = b.v, true
		}
	}
	return v, ok
}
