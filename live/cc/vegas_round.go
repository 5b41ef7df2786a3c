// vegas_round.go owns delayRound, the packet-timed round-trip counter that
// vegas.go and copa.go use to act once per RTT, and the units the delay-based
// schemes (vegas, copa, ledbat) give their Vars.
package cc

import (
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// durMillis is d in milliseconds.
func durMillis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// delayRound delimits packet-timed round trips as BBR does, from the
// sender's delivered count: a round starts at an ACK that delivers a packet
// sent after the current round began, i.e. whose Sample.PriorDelivered (the
// Delivered count when that packet was sent) has reached the Delivered count
// at the round's first ACK. This is the sequence-number round of Linux's
// tcp_vegas.c (an ACK beyond the SND.NXT of the round's start) in
// delivered-byte space, and it needs no sequence numbers.
//
// The ACKs of round k (from its first ACK up to the first ACK of round k+1)
// acknowledge exactly the packets sent during round k−1, so a decision taken
// at the first ACK of round k+1 about round k's samples sees packets that
// left before the decision at the start of round k: the usual one-RTT
// feedback delay of per-RTT delay-based control.
type delayRound struct {
	started bool
	end     int64 // Delivered at the round's first ACK
	count   int64 // rounds begun
}

// reset forgets the current round: the next ACK that delivers data starts
// a new one.
func (r *delayRound) reset() { r.started = false }

// next reports whether the ACK s starts a new round, and starts it.
func (r *delayRound) next(s *transport.Sample) bool {
	if s.PriorDelivered < 0 || s.BytesAcked <= 0 {
		return false // delivered nothing
	}
	if r.started && s.PriorDelivered < r.end {
		return false
	}
	r.started = true
	r.end = s.Delivered
	r.count++
	return true
}
