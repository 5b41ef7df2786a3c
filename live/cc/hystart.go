// hystart.go owns HyStart++ (RFC 9406): the delay-increase exit from the
// initial slow start, Conservative Slow Start (CSS), and the return to slow
// start when the exit was spurious. CUBIC uses it (RFC 9438 §4.10).
package cc

import (
	"math"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// RFC 9406 §4.3 constants.
const (
	hsMinRTTThresh  = 4 * time.Millisecond
	hsMaxRTTThresh  = 16 * time.Millisecond
	hsMinRTTDivisor = 8
	hsNRTTSample    = 8
	hsCSSGrowthDiv  = 4
	hsCSSRounds     = 5
	hsNoRTT         = time.Duration(math.MaxInt64) // "infinity"
)

// hystart is the HyStart++ state of one slow start.
//
// Rounds. RFC 9406 §4.2 delimits rounds by sequence number: windowEnd is
// SND.NXT when a round starts, and the round ends when windowEnd is
// acknowledged. A controller sees no sequence numbers, so this uses the
// delivered count instead: at a round's first ACK the end of the round is
// Delivered + BytesInFlight, the bytes the sender has sent that will have
// been delivered once everything now in flight arrives; this is SND.NXT in
// delivered-byte space. The ACK that brings Delivered past that mark is the
// first ACK of the next round (its RTT sample belongs to the new round).
// Packets declared lost are not in flight, so a round can end a little
// early after a loss, but HyStart++ runs only before the first loss.
type hystart struct {
	css      bool          // in Conservative Slow Start
	cssRound int           // CSS rounds begun, counting the partial first one
	roundEnd int64         // Delivered value that ends the current round
	lastMin  time.Duration // lastRoundMinRTT
	curMin   time.Duration // currentRoundMinRTT
	samples  int           // rttSampleCount
	baseline time.Duration // cssBaselineMinRtt
}

func (h *hystart) reset() {
	*h = hystart{lastMin: hsNoRTT, curMin: hsNoRTT, baseline: hsNoRTT, roundEnd: -1}
}

// startRound is called first on every slow-start ACK. It starts a new round
// when the ACK is past the current one, and reports true when that
// completes CSS_ROUNDS rounds of CSS: time to enter congestion avoidance.
func (h *hystart) startRound(s *transport.Sample) (exit bool) {
	if s.Delivered <= h.roundEnd {
		return false
	}
	h.lastMin = h.curMin
	h.curMin = hsNoRTT
	h.samples = 0
	h.roundEnd = s.Delivered + int64(s.BytesInFlight)
	if h.css {
		if h.cssRound >= hsCSSRounds {
			return true
		}
		h.cssRound++
	}
	return false
}

// growthDivisor is 1 in slow start and CSS_GROWTH_DIVISOR in CSS.
func (h *hystart) growthDivisor() int {
	if h.css {
		return hsCSSGrowthDiv
	}
	return 1
}

// sample records the ACK's RTT sample, after cwnd was updated, and moves
// into CSS when the round's minimum RTT rose by RttThresh over the last
// round's, or back to slow start when it fell below the CSS baseline
// (RFC 9406 §4.2). Both need N_RTT_SAMPLE samples in the round.
func (h *hystart) sample(s *transport.Sample) {
	if s.RTT <= 0 {
		return
	}
	h.curMin = min(h.curMin, s.RTT)
	h.samples++
	if h.samples < hsNRTTSample {
		return
	}
	switch {
	case !h.css:
		if h.curMin != hsNoRTT && h.lastMin != hsNoRTT && h.curMin >= h.lastMin+rttThresh(h.lastMin) {
			h.baseline = h.curMin
			h.css = true
			h.cssRound = 1 // the round CSS starts in counts toward CSS_ROUNDS
		}
	case h.curMin < h.baseline:
		h.baseline = hsNoRTT
		h.css = false
		h.cssRound = 0
	}
}

// rttThresh is RttThresh = max(MIN_RTT_THRESH, min(lastRoundMinRTT /
// MIN_RTT_DIVISOR, MAX_RTT_THRESH)).
func rttThresh(last time.Duration) time.Duration {
	return max(hsMinRTTThresh, min(last/hsMinRTTDivisor, hsMaxRTTThresh))
}
