// bbr_lt.go owns BBR's long-term bandwidth sampling (tcp_bbr.c
// bbr_lt_bw_sampling; not in the draft): a token-bucket policer lets
// bursts through and then drops everything above its rate, which inflates
// the max filter. BBR measures the delivery rate over intervals of 4 to 16
// rounds that begin and end with a loss; when two consecutive intervals
// both lose at least 20% and agree within 1/8 (or 4 kbit/s), it paces at
// their average with gain 1 for 48 rounds, then probes again.
package cc

import (
	"math"
	"time"
)

// Long-term sampling constants (tcp_bbr.c).
const (
	bbrLTIntervalMinRounds = 4
	bbrLTLossThresh        = 50.0 / 256 // lost/delivered that suggests a policer
	bbrLTBwRatio           = 1.0 / 8    // relative agreement of two intervals
	bbrLTBwDiff            = 4000 / 8   // absolute agreement, bytes/s
	bbrLTBwMaxRounds       = 48         // rounds at lt_bw before probing again
)

// bbrLT is the long-term sampling state.
type bbrLT struct {
	sampling      bool
	useBw         bool
	bw            float64 // bytes/s; 0 when none
	rounds        int     // rounds in the interval, or at lt_bw
	lastStamp     time.Duration
	lastDelivered int64
	lastLost      int64
}

// resetLT stops using and sampling the long-term rate.
func (b *BBR) resetLT() {
	b.lt.bw = 0
	b.lt.useBw = false
	b.lt.sampling = false
	b.resetLTInterval()
}

// resetLTInterval starts a sampling interval now.
func (b *BBR) resetLTInterval() {
	b.lt.lastStamp = b.deliveredAt
	b.lt.lastDelivered = b.delivered
	b.lt.lastLost = b.lost
	b.lt.rounds = 0
}

// ltSample runs on every ACK with a valid rate sample (and on an RTO, as a
// loss): losses says whether it reported lost packets.
func (b *BBR) ltSample(losses, appLimited bool) {
	lt := &b.lt
	if lt.useBw {
		if b.mode == bbrProbeBW && b.roundStart {
			lt.rounds++
			if lt.rounds >= bbrLTBwMaxRounds {
				b.resetLT()
				b.enterProbeBW()
			}
		}
		return
	}
	// Sample from the first loss on: by then a policer's bucket is empty.
	if !lt.sampling {
		if !losses {
			return
		}
		b.resetLTInterval()
		lt.sampling = true
	}
	if appLimited {
		b.resetLT() // the interval would underestimate the rate
		return
	}
	if b.roundStart {
		lt.rounds++
	}
	if lt.rounds < bbrLTIntervalMinRounds {
		return
	}
	if lt.rounds > 4*bbrLTIntervalMinRounds {
		b.resetLT()
		return
	}
	// End the interval at a loss: the policer's tokens are used up.
	if !losses {
		return
	}
	lost := b.lost - lt.lastLost
	delivered := b.delivered - lt.lastDelivered
	if delivered <= 0 || float64(lost) < bbrLTLossThresh*float64(delivered) {
		return
	}
	t := b.deliveredAt - lt.lastStamp
	if t < time.Millisecond {
		return
	}
	b.ltIntervalDone(float64(delivered) / t.Seconds())
}

// ltIntervalDone takes the rate of a finished interval: if it agrees with
// the previous one, a policer is assumed and their average is used.
func (b *BBR) ltIntervalDone(bw float64) {
	lt := &b.lt
	if lt.bw > 0 {
		diff := math.Abs(bw - lt.bw)
		if diff <= bbrLTBwRatio*lt.bw || b.rate(diff, 1) <= bbrLTBwDiff {
			lt.bw = (bw + lt.bw) / 2
			lt.useBw = true
			b.pacingGain = 1
			lt.rounds = 0
			return
		}
	}
	lt.bw = bw
	b.resetLTInterval()
}
