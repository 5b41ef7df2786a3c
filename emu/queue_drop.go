// queue_drop.go owns the packet ring shared by every discipline and the
// three simple ones: infinite, droptail and drophead (mahimahi's
// infinite_packet_queue.hh, drop_tail_packet_queue.hh,
// drop_head_packet_queue.hh over dropping_packet_queue.cc).
package emu

import "time"

// Ring sizes: the first allocation, and the size below which a ring never
// shrinks.
const (
	ringMinCap    = 16
	ringShrinkCap = 1024
)

// ring is a FIFO of Packet values in a power-of-two circular buffer. push
// and pop are amortised O(1) and allocate only when the ring grows or
// shrinks (it shrinks by half once it is less than 1/8 full, so a burst
// through an infinite queue does not pin its memory forever).
type ring struct {
	buf   []Packet // len is 0 or a power of two
	head  int      // index of the oldest packet
	n     int      // number of packets
	bytes int      // sum of their Size
}

func (r *ring) push(p *Packet) {
	if r.n == len(r.buf) {
		r.resize(max(2*len(r.buf), ringMinCap))
	}
	r.buf[(r.head+r.n)&(len(r.buf)-1)] = *p
	r.n++
	r.bytes += p.Size
}

// pop removes the oldest packet; the ring must not be empty.
func (r *ring) pop() Packet {
	var p Packet
	r.popInto(&p)
	return p
}

// popInto removes the oldest packet into *p; the ring must not be empty.
func (r *ring) popInto(p *Packet) {
	i := r.head
	*p = r.buf[i]
	r.buf[i].Payload = nil // do not pin the payload
	r.head = (i + 1) & (len(r.buf) - 1)
	r.n--
	r.bytes -= p.Size
	if r.n < len(r.buf)>>3 && len(r.buf) > ringShrinkCap {
		r.resize(len(r.buf) / 2)
	}
}

// front is the oldest packet; the ring must not be empty.
func (r *ring) front() *Packet { return &r.buf[r.head] }

// copyTo copies the packets, oldest first, into dst (len(dst) >= r.n).
func (r *ring) copyTo(dst []Packet) {
	k := copy(dst[:r.n], r.buf[r.head:])
	copy(dst[k:r.n], r.buf[:r.n-k])
}

func (r *ring) resize(c int) {
	buf := make([]Packet, c)
	r.copyTo(buf)
	r.buf, r.head = buf, 0
}

// drain removes and returns every packet, oldest first (nil when empty).
func (r *ring) drain() []Packet {
	if r.n == 0 {
		*r = ring{}
		return nil
	}
	out := make([]Packet, r.n)
	r.copyTo(out)
	*r = ring{}
	return out
}

// queueLimits are a dropping queue's limits; zero means no limit.
type queueLimits struct{ packets, bytes int }

// ok reports whether n packets of b bytes are within the limits (mahimahi's
// DroppingPacketQueue::good_with).
func (l queueLimits) ok(n, b int) bool {
	return (l.packets == 0 || n <= l.packets) && (l.bytes == 0 || b <= l.bytes)
}

// queueBase holds what every discipline shares: the FIFO and the spec.
type queueBase struct {
	q    ring
	spec QueueSpec
}

// Len is the number of waiting packets.
func (b *queueBase) Len() int { return b.q.n }

// Bytes is the number of waiting bytes.
func (b *queueBase) Bytes() int { return b.q.bytes }

// Spec is the configuration the queue was built from.
func (b *queueBase) Spec() QueueSpec { return b.spec }

// Drain removes and returns every waiting packet, oldest first. A CoDel or
// PIE controller keeps its state (the link discards a drained queue).
func (b *queueBase) Drain() []Packet { return b.q.drain() }

// InfiniteQueue is an unbounded FIFO: it never drops.
type InfiniteQueue struct {
	queueBase
}

// Enqueue appends p.
func (q *InfiniteQueue) Enqueue(_ time.Duration, p *Packet, dropped []Packet) []Packet {
	q.q.push(p)
	return dropped
}

// Dequeue removes the oldest packet.
func (q *InfiniteQueue) Dequeue(_ time.Duration, into *Packet, dropped []Packet) (bool, []Packet) {
	if q.q.n == 0 {
		return false, dropped
	}
	q.q.popInto(into)
	return true, dropped
}

// DropTailQueue is a FIFO that drops an arrival which would take it over
// its packet or byte limit.
type DropTailQueue struct {
	queueBase
	lim queueLimits
}

// Enqueue appends p if the queue stays within its limits, and drops it
// otherwise.
func (q *DropTailQueue) Enqueue(_ time.Duration, p *Packet, dropped []Packet) []Packet {
	if !q.lim.ok(q.q.n+1, q.q.bytes+p.Size) {
		return append(dropped, *p)
	}
	q.q.push(p)
	return dropped
}

// Dequeue removes the oldest packet.
func (q *DropTailQueue) Dequeue(_ time.Duration, into *Packet, dropped []Packet) (bool, []Packet) {
	if q.q.n == 0 {
		return false, dropped
	}
	q.q.popInto(into)
	return true, dropped
}

// DropHeadQueue is a FIFO that always accepts an arrival and then drops its
// oldest packets until it is within its limits again.
type DropHeadQueue struct {
	queueBase
	lim queueLimits
}

// Enqueue appends p and evicts from the head while over the limits (which
// evicts p itself if p alone exceeds the byte limit, as in mahimahi).
func (q *DropHeadQueue) Enqueue(_ time.Duration, p *Packet, dropped []Packet) []Packet {
	q.q.push(p)
	for q.q.n > 0 && !q.lim.ok(q.q.n, q.q.bytes) {
		dropped = append(dropped, q.q.pop())
	}
	return dropped
}

// Dequeue removes the oldest packet.
func (q *DropHeadQueue) Dequeue(_ time.Duration, into *Packet, dropped []Packet) (bool, []Packet) {
	if q.q.n == 0 {
		return false, dropped
	}
	q.q.popInto(into)
	return true, dropped
}
