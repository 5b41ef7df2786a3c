// bbr_cwnd.go owns BBR's outputs: the pacing rate, the BDP and cwnd target
// with their quantization budget and ACK-aggregation headroom, and cwnd
// through loss recovery (draft-cardwell-iccrg-bbr-congestion-control-00
// §4.2; tcp_bbr.c bbr_set_pacing_rate, bbr_set_cwnd,
// bbr_set_cwnd_to_recover_or_restore, bbr_update_ack_aggregation).
package cc

import (
	"math"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// rate is the pacing rate for bandwidth bw (bytes/s) at a gain, with the
// pacing margin taken off.
func (b *BBR) rate(bw, gain float64) float64 {
	return bw * gain * (1 - b.cfg.PacingMargin)
}

// initPacingRate is the pacing rate before the model has a bandwidth:
// HighGain·cwnd/SRTT, or per millisecond before any RTT sample (draft
// §4.2.1, tcp_bbr.c bbr_init_pacing_rate_from_rtt).
func (b *BBR) initPacingRate(srtt time.Duration) {
	rtt := time.Millisecond
	if srtt > 0 {
		rtt = srtt
		b.hasSeenRTT = true
	}
	b.pacingRate = b.rate(float64(b.cwnd*b.mss)/rtt.Seconds(), b.cfg.HighGain)
}

// setPacingRate paces at gain·bw. Before the pipe is first filled the rate
// only goes up, so that a low early sample does not slow Startup.
func (b *BBR) setPacingRate(s *transport.Sample, bw, gain float64) {
	r := b.rate(bw, gain)
	if !b.hasSeenRTT && s.SRTT > 0 {
		b.initPacingRate(s.SRTT)
	}
	if b.fullBwReached || r > b.pacingRate {
		b.pacingRate = r
	}
}

// bdp is gain·bw·min_rtt in packets, rounded up; IW before any RTT sample.
func (b *BBR) bdp(bw, gain float64) int {
	if b.minRTT == bbrNoRTT {
		return b.cfg.IW
	}
	return int(math.Ceil(bw*b.minRTT.Seconds()*gain/float64(b.mss) - 1e-9))
}

// quantize adds the quantization budget: 3 send quanta, rounded up to an
// even number of packets, and 2 more in the 1.25 phase so that inflight
// can reach 1.25·BDP.
func (b *BBR) quantize(cwnd int) int {
	cwnd += 3 * bbrTSOSegs
	cwnd += cwnd & 1
	if b.mode == bbrProbeBW && b.cycleIdx == 0 {
		cwnd += 2
	}
	return cwnd
}

// inflight is the inflight target gain·BDP plus the quantization budget.
func (b *BBR) inflight(bw, gain float64) int {
	return b.quantize(b.bdp(bw, gain))
}

// setCwnd sets cwnd for an ACK of acked packets: loss recovery first, then
// growth toward cwnd_gain·BDP + headroom; at least 4 packets, and 4 at
// most in ProbeRTT.
func (b *BBR) setCwnd(s *transport.Sample, bw float64) {
	acked := s.PacketsAcked
	cwnd := b.cwnd
	if acked > 0 {
		var conserving bool
		cwnd, conserving = b.recoverOrRestore(s, acked)
		if !conserving {
			target := b.quantize(b.bdp(bw, b.cwndGain) + b.aggregationCwnd(bw))
			b.target = target
			switch {
			case b.fullBwReached:
				cwnd = min(cwnd+acked, target)
			case cwnd < target || s.Delivered < int64(b.cfg.IW*b.mss):
				cwnd += acked
			}
			cwnd = max(cwnd, bbrMinCwnd)
		}
	}
	b.cwnd = min(cwnd, bbrMaxCwndPackets)
	if b.mode == bbrProbeRTT {
		b.cwnd = min(b.cwnd, bbrMinCwnd)
	}
}

// recoverOrRestore applies loss recovery to cwnd and reports whether packet
// conservation decides it (tcp_bbr.c bbr_set_cwnd_to_recover_or_restore):
// the packets lost on this ACK come off cwnd; entering recovery starts a
// round of packet conservation at cwnd = inflight + acked; leaving recovery
// (or the loss state after an RTO) brings back the saved cwnd.
func (b *BBR) recoverOrRestore(s *transport.Sample, acked int) (int, bool) {
	cwnd := b.cwnd
	if s.LostPackets > 0 {
		cwnd = max(cwnd-s.LostPackets, 1)
	}
	state, prev := b.ca, b.prevCA
	switch {
	case state == bbrRecovery && prev != bbrRecovery:
		b.conservation = true
		b.nextRound = s.Delivered // the conservation round starts now
		cwnd = s.PacketsInFlight + acked
	case prev >= bbrRecovery && state < bbrRecovery:
		cwnd = max(cwnd, b.priorCwnd)
		b.conservation = false
	}
	b.prevCA = state
	if b.conservation {
		return max(cwnd, s.PacketsInFlight+acked), true
	}
	return cwnd, false
}

// saveCwnd remembers cwnd before recovery or ProbeRTT cuts it; when it is
// already cut, the larger of the saved and current values is kept.
func (b *BBR) saveCwnd() {
	if b.prevCA < bbrRecovery && b.mode != bbrProbeRTT {
		b.priorCwnd = b.cwnd
	} else {
		b.priorCwnd = max(b.priorCwnd, b.cwnd)
	}
}

// bbrAggregation estimates ACK aggregation (tcp_bbr.c, Linux 5.1+): the
// packets ACKed beyond what btl_bw explains since the start of an epoch,
// as a max over two windows of bbrExtraAckedWin rounds.
type bbrAggregation struct {
	epochStart time.Duration
	epochAcked int // packets
	extraAcked [2]int
	winRounds  int
	idx        int
}

func (a *bbrAggregation) extra() int { return max(a.extraAcked[0], a.extraAcked[1]) }

// updateAckAggregation measures the ACK's excess over the expected
// delivery.
func (b *BBR) updateAckAggregation(s *transport.Sample, valid bool) {
	if b.cfg.ExtraAckedGain == 0 || s.PacketsAcked <= 0 || !valid {
		return
	}
	a := &b.aggr
	if b.roundStart {
		a.winRounds = min(a.winRounds+1, 31)
		if a.winRounds >= bbrExtraAckedWin {
			a.winRounds = 0
			a.idx ^= 1
			a.extraAcked[a.idx] = 0
		}
	}
	epoch := b.deliveredAt - a.epochStart
	expected := int(b.bwEstimate() * epoch.Seconds() / float64(b.mss))
	// A new epoch when ACKs fall behind the expected rate, or after very
	// many ACKs.
	if a.epochAcked <= expected || a.epochAcked+s.PacketsAcked >= bbrAckEpochMax {
		a.epochAcked = 0
		a.epochStart = b.deliveredAt
		expected = 0
	}
	a.epochAcked = min(a.epochAcked+s.PacketsAcked, bbrAckEpochMax-1)
	extra := min(a.epochAcked-expected, b.cwnd)
	if extra > a.extraAcked[a.idx] {
		a.extraAcked[a.idx] = extra
	}
}

// aggregationCwnd is the cwnd headroom for ACK aggregation once the pipe is
// full: ExtraAckedGain·extra_acked, at most 100 ms at btl_bw.
func (b *BBR) aggregationCwnd(bw float64) int {
	if b.cfg.ExtraAckedGain == 0 || !b.fullBwReached {
		return 0
	}
	limit := int(bw * bbrExtraAckedMax.Seconds() / float64(b.mss))
	return min(int(b.cfg.ExtraAckedGain*float64(b.aggr.extra())), limit)
}
