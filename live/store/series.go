// series.go owns a single Series: its state, the append path (clamping,
// NaN normalisation, eviction from the full-resolution tier) and the small
// accessors (Last, Len, Span, Stats, Version).
package store

import (
	"sync"
	"time"
)

// Series is a bounded time series of float64 values at experiment times.
// One goroutine appends while others read. All methods are safe for
// concurrent use, and readers get copies, never slices of the rings.
//
// Ordering: appends must come in non-decreasing time order. An append
// earlier than the previous one (or before 0) is clamped: its value is kept
// at the previous time (or 0); a time after MaxTime is clamped to MaxTime.
// Stats().Clamped counts them. Clamping never reorders stored data.
//
// Non-finite values: NaN and ±Inf are stored as NaN, meaning "no value at
// this time". They stay in the full-resolution tier (Points and Last return
// them, so charts can draw a gap) but every aggregate skips them, and they
// are dropped when they leave the full-resolution tier.
type Series struct {
	key  string
	meta Meta // normalised; never mutated after creation

	// mu guards everything below. A plain Mutex, not an RWMutex: readers
	// are a few per redraw and short, while every append pays the lock, and
	// RWMutex.Lock/Unlock measured ~5 ns more per append (23 vs 18 ns).
	mu       sync.Mutex
	recent   time.Duration
	pts      ring[Point]
	tiers    []tier
	lastT    time.Duration // time of the newest append (after clamping)
	appended uint64
	clamped  uint64
}

func newSeries(key string, m Meta) *Series {
	s := &Series{key: key, meta: m, recent: m.Recent, pts: newRing[Point](m.MaxPoints)}
	s.tiers = make([]tier, len(m.Tiers))
	for i, t := range m.Tiers {
		s.tiers[i] = tier{width: t.Width, ring: newRing[bucket](t.Buckets)}
	}
	return s
}

// Key returns the series' key.
func (s *Series) Key() string { return s.key }

// Meta returns the series' normalised metadata.
func (s *Series) Meta() Meta {
	m := s.meta
	m.Tiers = append([]Tier(nil), m.Tiers...)
	return m
}

// Append adds v at time t. It never allocates once the rings have grown.
func (s *Series) Append(t time.Duration, v float64) {
	s.mu.Lock()
	s.append(t, v)
	s.mu.Unlock()
}

func (s *Series) append(t time.Duration, v float64) {
	if t < s.lastT || t > MaxTime {
		t = clampTime(t, s.lastT)
		s.clamped++
	}
	v = normValue(v)
	p := &s.pts
	for p.n > 0 && (p.n >= p.limit || t-p.buf[p.head].T > s.recent) {
		if old := p.popFront(); old.V == old.V {
			s.foldPoint(old)
		}
	}
	// p.push, inlined: this is the hottest path of a run.
	if p.n == len(p.buf) {
		p.grow()
	}
	j := p.head + p.n
	if j >= len(p.buf) {
		j -= len(p.buf)
	}
	p.buf[j] = Point{T: t, V: v}
	p.n++
	s.lastT = t
	s.appended++
}

// Last returns the newest point (its V may be NaN: no value), or false if
// nothing was appended.
func (s *Series) Last() (Point, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pts.n == 0 {
		return Point{}, false
	}
	return *s.pts.back(), true
}

// Len returns the number of points held at full resolution (what Points can
// return at most). It stops growing at Meta.MaxPoints or when the Recent
// span is reached; Stats().Appended counts every append.
func (s *Series) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pts.n
}

// Span returns the times of the oldest and newest data retained in any
// tier; both are 0 for an empty series.
func (s *Series) Span() (first, last time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.span()
}

func (s *Series) span() (first, last time.Duration) {
	haveFirst := false
	for k := len(s.tiers) - 1; k >= 0; k-- {
		r := &s.tiers[k].ring
		if r.n > 0 {
			if !haveFirst {
				first, haveFirst = r.front().first, true
			}
			last = r.back().last
		}
	}
	if s.pts.n > 0 {
		if !haveFirst {
			first = s.pts.front().T
		}
		last = s.pts.back().T
	}
	return first, last
}

// FullSince returns the time of the oldest point still at full resolution:
// Points returns every point appended after it (of several points at
// exactly that time, the older may already be folded). False when empty.
func (s *Series) FullSince() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pts.n == 0 {
		return 0, false
	}
	return s.pts.front().T, true
}

// Version increases by one on every append; a reader that saw the same
// version has nothing new to draw.
func (s *Series) Version() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appended
}

// Stats describes what a series holds.
type Stats struct {
	Appended uint64 // appends since the series was created
	Clamped  uint64 // appends whose time was moved (backwards, < 0, > MaxTime)
	Points   int    // points held at full resolution
	Buckets  []int  // buckets held per coarse tier, finest first
	// Widths are the current bucket widths per coarse tier; the last one
	// doubles each time that tier fills.
	Widths []time.Duration
	Bytes  int // memory held by the rings plus overhead; ≤ Meta.MaxBytes()
}

// Stats returns a snapshot of the series' counters and retained sizes.
func (s *Series) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{
		Appended: s.appended,
		Clamped:  s.clamped,
		Points:   s.pts.n,
		Buckets:  make([]int, len(s.tiers)),
		Widths:   make([]time.Duration, len(s.tiers)),
		Bytes:    seriesOverhead + s.pts.capBytes(pointBytes),
	}
	for i := range s.tiers {
		st.Buckets[i] = s.tiers[i].ring.n
		st.Widths[i] = s.tiers[i].width
		st.Bytes += s.tiers[i].ring.capBytes(bucketBytes)
	}
	return st
}
