// point.go owns the values a series hands out (Point, Agg), the range of
// timestamps a series stores, and how non-finite values are normalised.
package store

import (
	"math"
	"time"
)

// MaxTime is the latest timestamp a series stores (about 36 years of
// experiment time); later appends are clamped to it. Timestamps are never
// negative: appends before 0 are clamped to 0.
const MaxTime = time.Duration(1<<60 - 1)

// Point is one appended value at its experiment time. V is NaN when the
// appended value was NaN or ±Inf: "no value at this time".
type Point struct {
	T time.Duration
	V float64
}

// Agg summarises the finite values of a contiguous stretch of a series.
// Count is always at least 1; Min ≤ Mean ≤ Max up to rounding.
type Agg struct {
	T     time.Duration // representative time: the midpoint of First and Last
	First time.Duration // time of the earliest value aggregated
	Last  time.Duration // time of the latest value aggregated
	Min   float64
	Max   float64
	Mean  float64
	Count int // number of (finite) values aggregated
}

// normValue maps NaN and ±Inf to NaN and leaves finite values alone.
func normValue(v float64) float64 {
	if v-v != 0 { // NaN or ±Inf
		return math.NaN()
	}
	return v
}

// clampTime moves t into [notBefore, MaxTime].
func clampTime(t, notBefore time.Duration) time.Duration {
	if t < notBefore {
		return notBefore
	}
	if t > MaxTime {
		return MaxTime
	}
	return t
}
