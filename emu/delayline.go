package emu

import (
	"container/heap"
	"math/rand/v2"
	"time"
)

// delayLine holds packets between their departure from the bottleneck and
// their exit from the link: the one-way propagation delay plus jitter.
// Without reordering it is a FIFO whose exit times never decrease (a packet
// whose jittered exit would pass the one ahead waits for it, as on a real
// wire); with reordering packets leave in exit-time order.
type delayLine struct {
	delay, jitter time.Duration
	reorder       bool
	rng           *rand.Rand

	fifo     ring
	lastExit time.Duration

	byExit exitHeap
	seq    uint64
}

// exitTime is when a packet departing the bottleneck at t leaves the line:
// t + delay + a jitter drawn uniformly from [-jitter, +jitter] (tc-netem's
// default), never before t.
func (d *delayLine) exitTime(t time.Duration) time.Duration {
	e := t + d.delay
	if d.jitter > 0 {
		e += time.Duration((d.rng.Float64()*2 - 1) * float64(d.jitter))
		if e < t {
			e = t
		}
	}
	return e
}

func (d *delayLine) push(p *Packet) {
	if d.reorder {
		d.seq++
		heap.Push(&d.byExit, exitItem{p: *p, seq: d.seq})
		return
	}
	if p.Exit < d.lastExit {
		p.Exit = d.lastExit
	}
	d.lastExit = p.Exit
	d.fifo.push(p)
}

// next is the earliest exit time, or Never.
func (d *delayLine) next() time.Duration {
	if d.fifo.n > 0 {
		n := d.fifo.front().Exit
		if len(d.byExit) > 0 && d.byExit[0].p.Exit < n {
			return d.byExit[0].p.Exit
		}
		return n
	}
	if len(d.byExit) > 0 {
		return d.byExit[0].p.Exit
	}
	return Never
}

// popDue appends every packet whose exit time is ≤ now, in exit order.
func (d *delayLine) popDue(now time.Duration, out []Packet) []Packet {
	for {
		fifoOK := d.fifo.n > 0 && d.fifo.front().Exit <= now
		heapOK := len(d.byExit) > 0 && d.byExit[0].p.Exit <= now
		switch {
		case fifoOK && (!heapOK || d.fifo.front().Exit <= d.byExit[0].p.Exit):
			out = append(out, Packet{})
			d.fifo.popInto(&out[len(out)-1])
		case heapOK:
			out = append(out, heap.Pop(&d.byExit).(exitItem).p)
		default:
			return out
		}
	}
}

// maxExit is the latest exit time of the packets in the reordering heap.
func (d *delayLine) maxExit() time.Duration {
	m := time.Duration(0)
	for _, it := range d.byExit {
		m = max(m, it.p.Exit)
	}
	return m
}

func (d *delayLine) len() int { return d.fifo.n + len(d.byExit) }

type exitItem struct {
	p   Packet
	seq uint64
}

// exitHeap orders packets by exit time, then by departure order.
type exitHeap []exitItem

func (h exitHeap) Len() int { return len(h) }
func (h exitHeap) Less(i, j int) bool {
	if h[i].p.Exit != h[j].p.Exit {
		return h[i].p.Exit < h[j].p.Exit
	}
	return h[i].seq < h[j].seq
}
func (h exitHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *exitHeap) Push(x any)   { *h = append(*h, x.(exitItem)) }
func (h *exitHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
