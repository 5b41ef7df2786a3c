package emu

import (
	"fmt"
	"math"
	"math/bits"
	"sort"
	"time"
)

// opportunityBits is the payload a delivery opportunity stands for when a
// rate is written in bits per second: mahimahi's trace "1" (one opportunity
// per ms) is called 12 Mbit/s, i.e. 1500 bytes of IP payload.
const opportunityBits = 1500 * 8

// Capacity is what a link can deliver: a mahimahi trace, or a constant rate.
type Capacity struct {
	// Trace is the trace, or nil for a constant rate.
	Trace *Trace
	// Rate is the constant rate in bits per second of 1500-byte packets
	// (the scale mahimahi traces are named on: trace "1" is 12 Mbit/s). One
	// opportunity of OpportunityBytes happens every 12000/Rate seconds.
	Rate float64
}

// RateCapacity is a constant-rate capacity.
func RateCapacity(bps float64) Capacity { return Capacity{Rate: bps} }

// TraceCapacity is a trace-driven capacity.
func TraceCapacity(t *Trace) Capacity { return Capacity{Trace: t} }

// ParseCapacity reads a rate ("24mbit") or, if s is not written as a rate,
// loads the trace file at path s.
func ParseCapacity(s string) (Capacity, error) {
	if LooksLikeRate(s) {
		r, err := ParseRate(s)
		if err != nil {
			return Capacity{}, err
		}
		return RateCapacity(r), nil
	}
	if s == "" {
		return Capacity{}, fmt.Errorf("capacity: empty; want a rate like 24mbit or a mahimahi trace file")
	}
	t, err := LoadTrace(s)
	if err != nil {
		return Capacity{}, err
	}
	return TraceCapacity(t), nil
}

// String names the capacity: the trace's name or the rate, e.g. "24mbit".
func (c Capacity) String() string {
	if c.Trace != nil {
		return c.Trace.Name
	}
	return FormatRate(c.Rate)
}

// MeanRate is the long-run rate in bits per second on the 1500-byte scale
// (Pantheon's): lines·12000/period for a trace.
func (c Capacity) MeanRate() float64 {
	if c.Trace != nil {
		return float64(len(c.Trace.Ms)) * opportunityBits / (float64(c.Trace.Period()) / 1e3)
	}
	return c.Rate
}

func (c Capacity) validate() error {
	if c.Trace != nil {
		if len(c.Trace.Ms) == 0 || c.Trace.Period() <= 0 {
			return fmt.Errorf("trace %s: empty or zero-length", c.Trace.Name)
		}
		return nil
	}
	if !(c.Rate >= 1) || c.Rate > MaxRate || math.IsInf(c.Rate, 0) {
		return fmt.Errorf("rate %v bit/s: want between 1bit and %s", c.Rate, FormatRate(MaxRate))
	}
	return nil
}

// opportunities walks the delivery-opportunity times of a capacity from a
// start instant. It is a concrete type, not an interface: it sits on the
// link's hot path.
type opportunities struct {
	next time.Duration // time of the next opportunity, Never when finished

	// trace
	ms   []int64
	idx  int
	base time.Duration
	once bool

	// constant rate
	steps evenSteps
}

// evenSteps walks instants spaced num/den nanoseconds apart exactly: the
// fractional part of the interval is carried as a remainder, so the k-th
// instant is start + floor(k·num/den) with no drift and no overflow.
type evenSteps struct {
	q, r, den, rem uint64
}

func newEvenSteps(num, den uint64) evenSteps {
	return evenSteps{q: num / den, r: num % den, den: den}
}

// skip moves past every instant ≤ limit, t being the current one (≤ limit),
// in O(1): with the exact position x = t + rem/den and interval num/den,
// instant k ahead is floor(x + k·num/den), which is ≤ limit exactly when
// k < ((limit+1−t)·den − rem)/num. It returns the new current instant and
// how many were skipped. The arithmetic is 128-bit, so it cannot overflow.
func (e *evenSteps) skip(t, limit time.Duration) (time.Duration, int64) {
	num := e.q*e.den + e.r
	// X = (limit+1−t)·den − rem > 0 because t ≤ limit and rem < den.
	hi, lo := bits.Mul64(uint64(limit-t)+1, e.den)
	lo, borrow := bits.Sub64(lo, e.rem, 0)
	hi -= borrow
	// count = ceil(X/num)
	lo, carry := bits.Add64(lo, num-1, 0)
	hi += carry
	if hi >= num {
		return Never, math.MaxInt64 // beyond any representable time
	}
	count, _ := bits.Div64(hi, lo, num)
	// advance: total = rem + count·num; t += total/den; rem = total%den
	hi, lo = bits.Mul64(count, num)
	lo, carry = bits.Add64(lo, e.rem, 0)
	hi += carry
	adv, rem := bits.Div64(hi, lo, e.den)
	e.rem = rem
	return t + time.Duration(adv), int64(count)
}

// step returns t advanced by one interval.
func (e *evenSteps) step(t time.Duration) time.Duration {
	t += time.Duration(e.q)
	e.rem += e.r
	if e.rem >= e.den {
		e.rem -= e.den
		t++
	}
	return t
}

func newOpportunities(c Capacity, start time.Duration, once bool) opportunities {
	if c.Trace != nil {
		o := opportunities{ms: c.Trace.Ms, base: start, once: once}
		o.next = o.base + time.Duration(o.ms[0])*time.Millisecond
		return o
	}
	o := opportunities{steps: newEvenSteps(opportunityBits*uint64(time.Second), uint64(math.Round(c.Rate)))}
	o.next = o.steps.step(start)
	return o
}

// pop moves to the opportunity after next.
func (o *opportunities) pop() {
	if o.ms != nil {
		o.idx++
		if o.idx == len(o.ms) {
			if o.once {
				o.next = Never
				return
			}
			o.idx = 0
			o.base += time.Duration(o.ms[len(o.ms)-1]) * time.Millisecond
		}
		o.next = o.base + time.Duration(o.ms[o.idx])*time.Millisecond
		return
	}
	o.next = o.steps.step(o.next)
}

// skipTo moves past every opportunity up to now (inclusive or not) without
// visiting them one by one, and returns how many it passed. The link uses
// it while nothing is queued and no tap watches the opportunities.
func (o *opportunities) skipTo(now time.Duration, inclusive bool) int64 {
	limit := now
	if !inclusive {
		limit--
	}
	if o.next > limit {
		return 0
	}
	if o.ms == nil {
		var n int64
		o.next, n = o.steps.skip(o.next, limit)
		return n
	}
	var count int64
	n := len(o.ms)
	period := time.Duration(o.ms[n-1]) * time.Millisecond
	for o.next <= limit {
		// Within this pass: the first opportunity after limit.
		rel := limit - o.base
		j := o.idx + sort.Search(n-o.idx, func(i int) bool {
			return time.Duration(o.ms[o.idx+i])*time.Millisecond > rel
		})
		count += int64(j - o.idx)
		if j < n {
			o.idx = j
			o.next = o.base + time.Duration(o.ms[j])*time.Millisecond
			return count
		}
		if o.once {
			o.idx, o.next = n-1, Never
			return count
		}
		// Wrap, then skip the passes that end by limit in one step.
		o.idx = 0
		o.base += period
		if full := int64((limit - o.base) / period); full > 0 {
			count += full * int64(n)
			o.base += time.Duration(full) * period
		}
		o.next = o.base + time.Duration(o.ms[0])*time.Millisecond
	}
	return count
}

// finished reports whether a --once trace has used its last opportunity.
func (o *opportunities) finished() bool { return o.next == Never }
