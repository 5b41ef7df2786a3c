// bbr_filter.go owns BBR's windowed max filter of the delivery rate: the
// running maximum over the last N packet-timed round trips, kept in three
// samples as in Kathleen Nichols' windowed min/max algorithm (the one
// Linux's lib/minmax.c implements and tcp_bbr.c uses for its bw filter).
package cc

// bbrMaxSample is one filter entry: a value and the round it was taken in.
type bbrMaxSample struct {
	round int64
	v     float64
}

// bbrMaxFilter tracks the maximum of a series over a sliding window of
// rounds with O(1) state: best[0] is the maximum, best[1] and best[2] are
// the best values seen after it, taken from later parts of the window, so
// that when best[0] ages out a good successor is at hand.
//
// A sample taken in round r stays eligible while the current round is at
// most r+window. The estimate is always a value that was sampled inside
// the window, and no sample newer than best[0] exceeds it.
type bbrMaxFilter struct {
	best [3]bbrMaxSample
}

// get is the current maximum (0 before any sample).
func (f *bbrMaxFilter) get() float64 { return f.best[0].v }

// reset forgets everything and starts over from one sample.
func (f *bbrMaxFilter) reset(round int64, v float64) {
	s := bbrMaxSample{round: round, v: v}
	f.best = [3]bbrMaxSample{s, s, s}
}

// update adds a sample v taken in round and returns the new maximum.
func (f *bbrMaxFilter) update(round int64, v float64, window int64) float64 {
	s := bbrMaxSample{round: round, v: v}
	// A new maximum, or a window with nothing left in it: start over.
	if v >= f.best[0].v || round-f.best[2].round > window {
		f.reset(round, v)
		return v
	}
	switch {
	case v >= f.best[1].v:
		f.best[1], f.best[2] = s, s
	case v >= f.best[2].v:
		f.best[2] = s
	}
	age := round - f.best[0].round
	switch {
	case age > window:
		// The maximum aged out: promote the successors. The second one
		// may be too old as well (the third is in the window: checked
		// above).
		f.best[0], f.best[1], f.best[2] = f.best[1], f.best[2], s
		if round-f.best[0].round > window {
			f.best[0], f.best[1], f.best[2] = f.best[1], f.best[2], s
		}
	case f.best[1].round == f.best[0].round && age > window/4:
		// A quarter of the window passed with no second choice: take one
		// from the second quarter.
		f.best[1], f.best[2] = s, s
	case f.best[2].round == f.best[1].round && age > window/2:
		// Half the window passed with no third choice: take one from the
		// second half.
		f.best[2] = s
	}
	return f.best[0].v
}
