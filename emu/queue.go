package emu

import "time"

// Queue is a bottleneck queue discipline. It holds the packets waiting for a
// delivery opportunity; the packet currently being transmitted (straddling
// two opportunities) has already been dequeued and is outside the queue, as
// in mahimahi, so limits count waiting packets only.
//
// Packets arrive with Arrival already set by the Link; disciplines that need
// a sojourn time (CoDel, PIE) read it from there and never overwrite it.
type Queue interface {
	// Enqueue offers *p at time now; the queue copies it and does not keep
	// p. Any packets the discipline drops because of this arrival (*p
	// itself, or older packets for drophead) are appended to dropped, in the
	// order they were dropped, and the slice is returned.
	Enqueue(now time.Duration, p *Packet, dropped []Packet) []Packet
	// Dequeue removes the packet to transmit next at time now and copies it
	// into *into. ok is false when the queue is empty. Packets dropped at
	// dequeue time (CoDel) are appended to dropped.
	//
	// Packets move by pointer on this path because a Packet is several
	// words long and the link moves millions of them a second.
	Dequeue(now time.Duration, into *Packet, dropped []Packet) (ok bool, _ []Packet)
	// Len is the number of waiting packets.
	Len() int
	// Bytes is the number of waiting bytes.
	Bytes() int
	// Spec is the configuration the queue was built from.
	Spec() QueueSpec
	// Drain removes and returns every waiting packet, oldest first. The link
	// uses it when the discipline changes mid-run and re-offers the packets
	// to the new queue.
	Drain() []Packet
}
