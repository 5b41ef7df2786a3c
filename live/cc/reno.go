// reno.go owns NewReno: RFC 5681 slow start and congestion avoidance, the
// RFC 6582 rule of one window reduction per recovery episode, RFC 6675 §5's
// SACK-based recovery window (cwnd = ssthresh throughout recovery),
// Appropriate Byte Counting per RFC 3465, and RFC 6928's initial window.
package cc

import (
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// Reno is NewReno congestion control. The sender runs loss detection,
// retransmission and the recovery point; Reno only sets cwnd and ssthresh.
//
//   - Slow start (cwnd < ssthresh): cwnd grows by min(acked, 2·MSS) per ACK
//     (RFC 3465 §2.2, L = 2), and stops exactly at ssthresh; the rest of
//     that ACK counts toward congestion avoidance.
//   - Congestion avoidance: byte counting (RFC 3465 §2.1): once cwnd bytes
//     have been acknowledged cwnd grows by one MSS, so it grows exactly one
//     MSS per window whatever the ACK pattern.
//   - EventLoss: ssthresh = max(FlightSize/2, 2·MSS) (RFC 5681 eq. (4))
//     and cwnd = ssthresh for the whole episode (RFC 6675 §5); ACKs during
//     recovery do not grow cwnd.
//   - EventRecoveryEnd: cwnd = ssthresh (RFC 6582 §3.2 step 6).
//   - EventTimeout: ssthresh = max(FlightSize/2, 2·MSS) and cwnd = one MSS
//     (RFC 5681 §3.1, the loss window). A timer that fires again before
//     new data is acknowledged (RTO backoff) does not lower ssthresh again:
//     RFC 5681 eq. (4) applies only to a segment not yet resent by the
//     timer.
type Reno struct {
	iw       int // initial window in segments
	mss      int
	cwnd     int // bytes
	ssthresh int // bytes
	// acked counts bytes acknowledged in congestion avoidance toward the
	// next MSS of growth (RFC 3465 bytes_acked).
	acked    int
	recovery bool
	// timedOut is set by a timeout and cleared by the next ACK of new
	// data, so that RTO backoff does not shrink ssthresh again.
	timedOut bool
}

// NewReno returns a NewReno controller with an initial window of iw
// segments (RFC 6928 recommends 10; values below 1 mean 1).
func NewReno(iw int) *Reno {
	return &Reno{iw: max(iw, 1), mss: defaultMSS}
}

// Name implements transport.Controller.
func (r *Reno) Name() string { return "reno" }

// Init implements transport.Controller: cwnd = IW segments, ssthresh
// infinite (RFC 5681 §3.1, RFC 6928).
func (r *Reno) Init(c *transport.Control, now time.Duration) {
	r.mss = initMSS(c.MSS)
	r.cwnd = r.iw * r.mss
	r.ssthresh = InfiniteSsthresh
	r.acked = 0
	r.recovery = false
	r.timedOut = false
	r.publish(c)
}

// OnAck implements transport.Controller.
func (r *Reno) OnAck(s *transport.Sample, c *transport.Control) {
	if s.BytesAcked > 0 {
		r.timedOut = false // new data arrived: the next timeout is a fresh one
	}
	if r.recovery && !s.InRecovery {
		// The sender left recovery without telling us: behave as if it
		// had reported EventRecoveryEnd.
		r.endRecovery()
	}
	n := s.BytesAcked
	if r.recovery || n <= 0 {
		r.publish(c)
		return
	}
	if r.cwnd < r.ssthresh {
		inc := slowStartIncrease(n, abcLimit, r.mss)
		if r.cwnd+inc < r.ssthresh {
			r.cwnd += inc
			r.publish(c)
			return
		}
		// Slow start ends at ssthresh; the bytes that took cwnd past it
		// count toward congestion avoidance.
		n -= r.ssthresh - r.cwnd
		r.cwnd = r.ssthresh
		r.acked = 0
	}
	r.acked += n
	for r.acked >= r.cwnd {
		r.acked -= r.cwnd
		r.cwnd += r.mss
	}
	r.publish(c)
}

// OnCongestion implements transport.Controller.
func (r *Reno) OnCongestion(ev transport.CongestionEvent, s *transport.Sample, c *transport.Control) {
	switch ev {
	case transport.EventLoss:
		if !r.recovery {
			r.ssthresh = r.halfFlight(s)
			r.cwnd = r.ssthresh
			r.acked = 0
			r.recovery = true
		}
	case transport.EventRecoveryEnd:
		r.endRecovery()
	case transport.EventTimeout:
		if !r.timedOut {
			r.ssthresh = r.halfFlight(s)
		}
		r.cwnd = r.mss
		r.acked = 0
		r.recovery = false
		r.timedOut = true
	}
	r.publish(c)
}

// halfFlight is RFC 5681 eq. (4): max(FlightSize/2, 2·SMSS), with the
// sender's FlightSize (cwnd when there is no sample).
func (r *Reno) halfFlight(s *transport.Sample) int {
	flight := r.cwnd
	if s != nil {
		flight = max(s.FlightSize, s.BytesInFlight) // FlightSize ≥ pipe
	}
	return max(flight/2, 2*r.mss)
}

func (r *Reno) endRecovery() {
	if r.recovery {
		r.cwnd = r.ssthresh
		r.acked = 0
		r.recovery = false
	}
}

// TakeOver starts reno on a flow another controller has been driving (a
// CCP flow whose agent stopped answering): from the flow's current
// window, in congestion avoidance, without pacing.
func (r *Reno) TakeOver(c *transport.Control) {
	r.mss = initMSS(c.MSS)
	r.cwnd = max(c.Cwnd, 2*r.mss)
	r.ssthresh = r.cwnd
	r.acked, r.recovery, r.timedOut = 0, false, false
	c.PacingRate = 0
	r.publish(c)
}

func (r *Reno) publish(c *transport.Control) {
	c.Cwnd = r.cwnd
	c.Ssthresh = r.ssthresh
}

// Mode implements transport.Controller.
func (r *Reno) Mode() string {
	switch {
	case r.recovery:
		return modeRecovery
	case r.cwnd < r.ssthresh:
		return modeSlowStart
	}
	return modeCongestionAvoidance
}

// Vars implements transport.Controller: ssthresh in bytes and cwnd in
// packets.
func (r *Reno) Vars(dst []transport.Var) []transport.Var {
	return append(dst,
		transport.Var{Name: "ssthresh", Value: float64(r.ssthresh), Unit: unitBytes},
		transport.Var{Name: "cwnd", Value: float64(r.cwnd) / float64(r.mss), Unit: unitPackets},
	)
}

// renoScheme is reno's registry entry.
func renoScheme() Scheme {
	return Scheme{
		Name:   "reno",
		Doc:    "NewReno: slow start, AIMD congestion avoidance, halve on loss (RFC 5681, RFC 6582)",
		Params: []Param{iwParam()},
		New: func(p Params) transport.Controller {
			return NewReno(p.Int("iw"))
		},
	}
}
