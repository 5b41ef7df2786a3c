package emu

import (
	"math"
	"time"
)

// OpportunityBytes is the size of one delivery opportunity: mahimahi's
// PACKET_SIZE, the 1500-byte MTU plus the 4-byte TUN packet-info header.
const OpportunityBytes = 1504

// TUNHeaderBytes is what mahimahi's accounting adds to every IP packet: a
// 1500-byte IP packet is charged (and logged) as 1504 bytes.
const TUNHeaderBytes = 4

// Never is the time NextEvent returns when nothing is pending.
const Never = time.Duration(math.MaxInt64)

// Packet is one packet crossing a Link. Times are experiment time: the
// nanoseconds since the start of the run.
type Packet struct {
	// Size is the number of bytes the link charges, on mahimahi's scale
	// (IP length + TUNHeaderBytes). It must be in 1..OpportunityBytes.
	Size int
	// Flow identifies the flow the packet belongs to (0 when unknown).
	Flow int
	// ID is opaque to the link: the owner's sequence or packet number.
	ID uint64
	// Payload is opaque to the link: the transport segment in the sim
	// backend, the packet's bytes in the netns backend, or nil.
	Payload any

	// Arrival is set by the link: when the packet entered it.
	Arrival time.Duration
	// Departure is set by the link: when the opportunity carrying the
	// packet's last byte happened (it left the bottleneck queue).
	Departure time.Duration
	// Exit is set by the link: when the packet leaves the delay stage and
	// is handed to the receiver (Departure + one-way delay + jitter).
	Exit time.Duration
}

// DropReason says why a link dropped a packet.
type DropReason uint8

const (
	// DropQueue is a queue-discipline drop: a full droptail queue, a
	// drophead eviction, a CoDel or PIE drop.
	DropQueue DropReason = iota + 1
	// DropLoss is a random loss (i.i.d. or Gilbert-Elliott).
	DropLoss
	// DropOff is a packet that arrived while an on/off link was off.
	DropOff
	// DropTooBig is a packet larger than OpportunityBytes (mahimahi aborts
	// on these; the link drops them and counts them instead).
	DropTooBig
)

func (r DropReason) String() string {
	switch r {
	case DropQueue:
		return "queue"
	case DropLoss:
		return "loss"
	case DropOff:
		return "off"
	case DropTooBig:
		return "too-big"
	}
	return "unknown"
}

// Tap observes every event of a Link, in time order. A mahimahi log writer,
// a pcap writer and the meter bins are taps. Taps run synchronously inside
// the link's calls and must not call back into the link. Packets passed to a
// tap are only valid for the duration of the call.
type Tap interface {
	// Opportunity reports a delivery opportunity of OpportunityBytes at t,
	// used or not.
	Opportunity(t time.Duration)
	// Arrival reports a packet entering the link, before any drop decision.
	Arrival(t time.Duration, p *Packet)
	// Drop reports the packets one decision dropped at t: several when a
	// drophead queue evicts more than one packet for one arrival.
	Drop(t time.Duration, reason DropReason, pkts []Packet)
	// Departure reports a packet leaving the bottleneck queue at t
	// (p.Departure == t); it exits the link at p.Exit.
	Departure(t time.Duration, p *Packet)
}
