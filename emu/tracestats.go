package emu

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// TraceStats summarises one pass of a trace.
type TraceStats struct {
	Opportunities int
	First, Period int64 // ms: first timestamp and loop period (last)
	// Mbps1504 is the looping mean on mahimahi's log and graph scale
	// (1504-byte opportunities): n·12032/period bits per ms.
	Mbps1504 float64
	// Mbps1500 is the looping mean on Pantheon's scale (1500 bytes).
	Mbps1500 float64
	// OncePass1504 is what mm-throughput-graph prints as "Average capacity"
	// for a --once run with no traffic: n·12032/(last−first); 0 when the
	// trace is a single instant.
	OncePass1504 float64
	// Worst and best whole second of one pass (seconds [k, k+1) from the
	// trace start, up to the one holding the last timestamp), Mbit/s on the
	// 1500-byte scale, and which second.
	MinSecMbps, MaxSecMbps float64
	MinSec, MaxSec         int64
}

// Stats computes a trace's summary.
func (t *Trace) Stats() TraceStats {
	n := len(t.Ms)
	s := TraceStats{Opportunities: n, First: t.Ms[0], Period: t.Period()}
	p := float64(s.Period)
	s.Mbps1504 = float64(n) * OpportunityBytes * 8 / p / 1e3
	s.Mbps1500 = float64(n) * opportunityBits / p / 1e3
	if span := t.Period() - t.Ms[0]; span > 0 {
		s.OncePass1504 = float64(n) * OpportunityBytes * 8 / float64(span) / 1e3
	}
	// Whole seconds [k, k+1) s of one pass, from second 0 to the one that
	// holds the last timestamp; the trace is sorted, so walk it once and
	// account every run of empty seconds by its first one.
	s.MinSecMbps, s.MaxSecMbps = math.Inf(1), math.Inf(-1)
	record := func(sec, count int64) {
		v := float64(count) * opportunityBits / 1e6
		if v < s.MinSecMbps {
			s.MinSecMbps, s.MinSec = v, sec
		}
		if v > s.MaxSecMbps {
			s.MaxSecMbps, s.MaxSec = v, sec
		}
	}
	cur, count := int64(0), int64(0)
	for _, ms := range t.Ms {
		if sec := ms / 1000; sec != cur {
			record(cur, count)
			if sec > cur+1 {
				record(cur+1, 0)
			}
			cur, count = sec, 0
		}
		count++
	}
	record(cur, count)
	return s
}

// Write prints a trace's summary for `ccscope trace stats`.
func (s TraceStats) Write(w io.Writer, name string) error {
	once := "n/a (all opportunities at one instant)"
	if s.OncePass1504 > 0 {
		once = fmt.Sprintf("%.3f Mbit/s", s.OncePass1504)
	}
	_, err := fmt.Fprintf(w, "%s\n"+
		"  opportunities   %d (first at %d ms)\n"+
		"  period          %d ms (%.3f s)\n"+
		"  mean rate       %.3f Mbit/s on mahimahi's 1504-byte scale, %.3f Mbit/s on Pantheon's 1500-byte scale\n"+
		"  one pass        %s (mm-throughput-graph's capacity for mm-link --once with no traffic)\n"+
		"  worst second    %.2f Mbit/s (%d–%d s)\n"+
		"  best second     %.2f Mbit/s (%d–%d s)\n",
		name, s.Opportunities, s.First, s.Period, float64(s.Period)/1e3,
		s.Mbps1504, s.Mbps1500, once, s.MinSecMbps, s.MinSec, s.MinSec+1, s.MaxSecMbps, s.MaxSec, s.MaxSec+1)
	return err
}

// Segment is one constant-rate piece of a generated trace.
type Segment struct {
	Rate     float64 // bits per second, 1500-byte scale
	Duration time.Duration
}

// ParseSteps reads "24mbit:7s,48mbit:7s" into segments.
func ParseSteps(s string) ([]Segment, error) {
	var segs []Segment
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		r, d, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("steps %q: segment %q: want RATE:DURATION, e.g. 24mbit:7s", s, part)
		}
		rate, err := ParseRate(r)
		if err != nil {
			return nil, fmt.Errorf("steps %q: %w", s, err)
		}
		dur, err := ParseDuration("segment duration", d)
		if err != nil {
			return nil, fmt.Errorf("steps %q: %w", s, err)
		}
		if dur < time.Millisecond || dur%time.Millisecond != 0 {
			return nil, fmt.Errorf("steps %q: segment %q: the duration must be a whole number of milliseconds, at least 1ms", s, part)
		}
		segs = append(segs, Segment{Rate: rate, Duration: dur})
	}
	return segs, nil
}

// maxGenLines bounds a generated trace (about 60 MB of text).
const maxGenLines = 10_000_000

// GenerateSteps builds a trace from constant-rate segments with
// mm-rate-to-events' rule: every millisecond adds the rate's bits to a
// reserve, and each 12000 bits of reserve become one opportunity in that
// millisecond. The period is the total duration, so the trace loops with
// exactly the requested rates whenever rate·duration is a whole number of
// opportunities; any remainder is carried into the next segment.
func GenerateSteps(name string, segs []Segment) (*Trace, error) {
	if len(segs) == 0 {
		return nil, fmt.Errorf("trace gen: no segments")
	}
	t := &Trace{Name: name}
	var ms int64
	var reserve float64 // bits, in units of 1 bit
	for _, sg := range segs {
		perMs := sg.Rate / 1e3
		end := ms + int64(sg.Duration/time.Millisecond)
		for ms < end {
			ms++
			reserve += perMs
			for reserve >= opportunityBits-1e-6 {
				t.Ms = append(t.Ms, ms)
				reserve -= opportunityBits
				if len(t.Ms) > maxGenLines {
					return nil, fmt.Errorf("trace gen: more than %d lines; use a lower rate or a shorter duration", maxGenLines)
				}
			}
		}
	}
	if len(t.Ms) == 0 {
		return nil, fmt.Errorf("trace gen: the rate is too low for the duration to hold even one 1500-byte opportunity; lengthen the duration")
	}
	if last := t.Ms[len(t.Ms)-1]; last != ms {
		// Make the period the full duration: mahimahi's period is the last
		// timestamp, so a trace that ended early would loop too fast. The
		// last opportunity moves to the final millisecond.
		t.Ms[len(t.Ms)-1] = ms
	}
	return t, nil
}

// ExactPeriod is the shortest whole-millisecond period in which a constant
// rate delivers a whole number of 1500-byte opportunities, so that a
// looping trace reproduces the rate exactly; 0 if it exceeds limit.
func ExactPeriod(bps float64, limit time.Duration) time.Duration {
	r := uint64(math.Round(bps))
	if float64(r) != bps {
		return 0
	}
	// opportunities in D ms = r·D/12e6; whole when 12e6 divides r·D.
	const unit = opportunityBits * 1000
	g := gcd(r, unit)
	d := time.Duration(unit/g) * time.Millisecond
	if d > limit {
		return 0
	}
	return d
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// WriteTrace writes a trace in mahimahi's format: one timestamp per line.
func WriteTrace(w io.Writer, t *Trace) error {
	buf := make([]byte, 0, 64<<10)
	for _, ms := range t.Ms {
		buf = strconv.AppendInt(buf, ms, 10)
		buf = append(buf, '\n')
		if len(buf) > 60<<10 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	_, err := w.Write(buf)
	return err
}
