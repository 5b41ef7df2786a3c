package emu

import (
	"context"
	"fmt"
	"math"
	"time"
)

// CBR is a constant-bit-rate source of equal-sized packets, for driving a
// link without any transport (`ccscope link --cbr`).
type CBR struct {
	// Rate is in bits per second of IP packets.
	Rate float64
	// Size is the IP packet size in bytes; the link charges
	// Size+TUNHeaderBytes, so 1500 fills one opportunity exactly.
	Size int
}

// Validate checks a CBR source.
func (c CBR) Validate() error {
	if c.Size <= 0 || c.Size+TUNHeaderBytes > OpportunityBytes {
		return fmt.Errorf("cbr packet size %d: want 1..%d bytes", c.Size, OpportunityBytes-TUNHeaderBytes)
	}
	if !(c.Rate >= 1) || c.Rate > MaxRate || math.IsInf(c.Rate, 0) {
		return fmt.Errorf("cbr rate %v: want between 1bit and %s", c.Rate, FormatRate(MaxRate))
	}
	return nil
}

// Drive is one link of a LinkRun and the source feeding it (Source may be
// nil for a link with no traffic).
type Drive struct {
	Link   *Link
	Source *CBR
}

// RunLinks runs links side by side in virtual time from 0 through end
// (inclusive): each CBR source sends its first packet at 0 and then one per
// interval, scheduled changes apply at their instants, and every opportunity
// up to end is accounted, so a tap sees the complete run. Packets that exit
// are discarded. It checks ctx every few thousand events.
func RunLinks(ctx context.Context, drives []Drive, end time.Duration) error {
	type src struct {
		next  time.Duration
		steps evenSteps
		size  int
		id    uint64
	}
	srcs := make([]*src, len(drives))
	for i, d := range drives {
		if d.Source == nil {
			continue
		}
		if err := d.Source.Validate(); err != nil {
			return err
		}
		srcs[i] = &src{size: d.Source.Size + TUNHeaderBytes,
			steps: newEvenSteps(uint64(d.Source.Size)*8*uint64(time.Second), uint64(math.Round(d.Source.Rate)))}
	}
	var out []Packet
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		// The earliest thing to do, over every link and source.
		t := Never
		for i, d := range drives {
			t = min(t, d.Link.NextEvent())
			if s := srcs[i]; s != nil {
				t = min(t, s.next)
			}
		}
		if t > end {
			break
		}
		for i, d := range drives {
			out = d.Link.Advance(t, out[:0])
			if s := srcs[i]; s != nil && s.next == t {
				d.Link.Enqueue(t, Packet{Size: s.size, ID: s.id})
				s.id++
				s.next = s.steps.step(s.next)
			}
		}
	}
	for _, d := range drives {
		d.Link.Advance(end, out[:0])
	}
	return nil
}

// OnceEnd is when a run of links with --once traces should stop: the last
// opportunity of the longest trace. ok is false when no link has a trace.
func OnceEnd(cfgs ...Config) (end time.Duration, ok bool) {
	for _, c := range cfgs {
		if c.Capacity.Trace != nil {
			end = max(end, time.Duration(c.Capacity.Trace.Period())*time.Millisecond)
			ok = true
		}
	}
	return end, ok
}
