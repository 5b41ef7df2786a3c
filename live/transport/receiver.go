package transport

import (
	"slices"
	"time"
)

// ReceiverStats counts what a receiver got.
type ReceiverStats struct {
	Segments, Bytes      int64 // data segments and payload bytes received
	Duplicates, DupBytes int64 // segments (or parts) already received
	Delivered            int64 // in-order bytes handed to the application
	OutOfOrder           int64 // segments that arrived above a hole
}

// maxRanges bounds the out-of-order ranges a receiver tracks; beyond it
// the highest ranges are forgotten (the sender retransmits them), so a
// hostile or broken peer cannot grow the receiver without bound.
const maxRanges = 1 << 16

// Receiver is the receiving end of a flow: it reassembles the stream and
// acknowledges every data segment at once with a cumulative ACK, up to
// MaxSACK SACK blocks and the echoed send time.
type Receiver struct {
	rcvNxt uint64
	ranges []sackRange // received ranges above rcvNxt, ascending, disjoint
	clock  uint64
	stats  ReceiverStats
}

type sackRange struct {
	Range
	touched uint64 // when the range last grew, for SACK block order
}

// NewReceiver makes a receiver expecting the stream from byte 0.
func NewReceiver() *Receiver { return &Receiver{} }

// Stats returns the receiver's counters.
func (r *Receiver) Stats() ReceiverStats { return r.stats }

// Next is the next in-order byte the receiver expects.
func (r *Receiver) Next() uint64 { return r.rcvNxt }

// OnData takes a data segment arriving at now and fills ack with the
// acknowledgement to send back. It returns the number of new in-order
// bytes delivered to the application.
func (r *Receiver) OnData(now time.Duration, d *Segment, ack *Segment) int64 {
	*ack = Segment{Kind: KindAck, Echo: d.Sent, Sent: now}
	r.stats.Segments++
	r.stats.Bytes += int64(d.Len)
	r.clock++
	start, end := d.Seq, d.Seq+uint64(d.Len)
	before := r.rcvNxt
	switch {
	case d.Len <= 0:
	case end <= r.rcvNxt:
		r.stats.Duplicates++
		r.stats.DupBytes += int64(d.Len)
	case start <= r.rcvNxt:
		r.rcvNxt = end
		r.absorb()
	default:
		r.stats.OutOfOrder++
		r.insert(Range{start, end})
	}
	ack.Ack = r.rcvNxt
	r.fillSACK(ack, start, end)
	delivered := int64(r.rcvNxt - before)
	r.stats.Delivered += delivered
	return delivered
}

// absorb merges the ranges that rcvNxt has reached.
func (r *Receiver) absorb() {
	i := 0
	for i < len(r.ranges) && r.ranges[i].Start <= r.rcvNxt {
		r.rcvNxt = max(r.rcvNxt, r.ranges[i].End)
		i++
	}
	if i > 0 {
		r.ranges = slices.Delete(r.ranges, 0, i)
	}
}

// insert adds an out-of-order range, merging neighbours.
func (r *Receiver) insert(x Range) {
	i, _ := slices.BinarySearchFunc(r.ranges, x.Start, func(a sackRange, s uint64) int {
		switch {
		case a.Start < s:
			return -1
		case a.Start > s:
			return 1
		}
		return 0
	})
	// Merge with the range before if they touch.
	if i > 0 && r.ranges[i-1].End >= x.Start {
		i--
		if r.ranges[i].End >= x.End {
			r.stats.Duplicates++
			r.stats.DupBytes += int64(x.Len())
			return
		}
		x.Start = r.ranges[i].Start
	} else {
		r.ranges = slices.Insert(r.ranges, i, sackRange{})
	}
	// Swallow following ranges that overlap or touch.
	j := i + 1
	for j < len(r.ranges) && r.ranges[j].Start <= x.End {
		x.End = max(x.End, r.ranges[j].End)
		j++
	}
	r.ranges[i] = sackRange{Range: x, touched: r.clock}
	r.ranges = slices.Delete(r.ranges, i+1, j)
	if len(r.ranges) > maxRanges {
		r.ranges = r.ranges[:maxRanges]
	}
}

// fillSACK writes the SACK blocks: first the range holding the segment
// that just arrived, then the most recently grown other ranges (RFC 2018
// §4).
func (r *Receiver) fillSACK(ack *Segment, start, end uint64) {
	if len(r.ranges) == 0 {
		return
	}
	first := -1
	for i := range r.ranges {
		if r.ranges[i].Start <= start && end <= r.ranges[i].End {
			first = i
			ack.SACK[0] = r.ranges[i].Range
			ack.NSACK = 1
			break
		}
	}
	for ack.NSACK < MaxSACK {
		best := -1
		for i := range r.ranges {
			if i == first || r.inAck(ack, i) {
				continue
			}
			if best < 0 || r.ranges[i].touched > r.ranges[best].touched ||
				r.ranges[i].touched == r.ranges[best].touched && r.ranges[i].Start > r.ranges[best].Start {
				best = i
			}
		}
		if best < 0 {
			return
		}
		ack.SACK[ack.NSACK] = r.ranges[best].Range
		ack.NSACK++
	}
}

func (r *Receiver) inAck(ack *Segment, i int) bool {
	for j := 0; j < ack.NSACK; j++ {
		if ack.SACK[j] == r.ranges[i].Range {
			return true
		}
	}
	return false
}
