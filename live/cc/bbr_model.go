// bbr_model.go owns BBR's path model and state machine: packet-timed
// rounds, the btl_bw and min_rtt filters, Startup's full-pipe detection,
// Drain, the ProbeBW gain cycle and ProbeRTT (draft-cardwell-iccrg-bbr-
// congestion-control-00 §4.1–4.3; tcp_bbr.c bbr_update_model and the
// functions it calls, in the same order).
package cc

import (
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// updateModel runs the per-ACK model update.
func (b *BBR) updateModel(s *transport.Sample) {
	valid := s.PriorDelivered >= 0 && s.RateInterval > 0 && s.RateDelivered > 0
	appLimited := s.AppLimited || b.inProbeRTTSpan(s.PriorDelivered)
	b.updateBw(s, valid, appLimited)
	b.updateAckAggregation(s, valid)
	b.updateCyclePhase(s)
	b.checkFullBwReached(appLimited)
	b.checkDrain(s)
	b.updateMinRTT(s)
	b.updateGains()
}

// updateBw counts packet-timed rounds and feeds the delivery-rate sample to
// the max filter. A round ends when an ACK's PriorDelivered reaches the
// Delivered count at the round's start (draft §4.1.1.3); like Linux, only
// ACKs with a valid rate sample count. App-limited samples enter the
// filter only when they raise it (draft §4.1.1.2).
func (b *BBR) updateBw(s *transport.Sample, valid, appLimited bool) {
	b.roundStart = false
	if !valid {
		return
	}
	if s.PriorDelivered >= b.nextRound {
		b.nextRound = s.Delivered
		b.round++
		b.roundStart = true
		b.conservation = false
	}
	if b.cfg.LTBw {
		b.ltSample(s.LostPackets > 0, appLimited)
	}
	bw := float64(s.RateDelivered) / s.RateInterval.Seconds()
	if !appLimited || bw >= b.bw.get() {
		b.bw.update(b.round, bw, int64(b.cfg.BwWindow))
	}
}

// maxBw is the max filter's estimate, payload bytes/s.
func (b *BBR) maxBw() float64 { return b.bw.get() }

// bwEstimate is the bandwidth BBR paces and sizes cwnd with: the long-term
// estimate while a policer is suspected, the max filter otherwise.
func (b *BBR) bwEstimate() float64 {
	if b.lt.useBw {
		return b.lt.bw
	}
	return b.bw.get()
}

// updateCyclePhase advances the ProbeBW gain cycle.
func (b *BBR) updateCyclePhase(s *transport.Sample) {
	if b.mode == bbrProbeBW && b.isNextCyclePhase(s) {
		b.advanceCycle()
	}
}

// isNextCyclePhase says whether the current ProbeBW phase is over (draft
// §4.3.4.3, tcp_bbr.c bbr_is_next_cycle_phase). A phase lasts at least
// min_rtt (measured between delivery times); the 1.25 phase also waits
// until inflight reaches 1.25·BDP or a loss; the 0.75 phase ends early
// once inflight is down to the BDP.
func (b *BBR) isNextCyclePhase(s *transport.Sample) bool {
	fullLength := b.minRTT != bbrNoRTT && b.deliveredAt-b.cycleStamp > b.minRTT
	if b.pacingGain == 1 {
		return fullLength
	}
	prior := priorInflight(s)
	bw := b.maxBw()
	if b.pacingGain > 1 {
		return fullLength && (s.LostPackets > 0 || prior >= b.inflight(bw, b.pacingGain))
	}
	return fullLength || prior <= b.inflight(bw, 1)
}

// priorInflight is the packets in flight before this ACK: those still in
// flight plus those it delivered or marked lost.
func priorInflight(s *transport.Sample) int {
	return s.PacketsInFlight + s.PacketsAcked + s.LostPackets
}

func (b *BBR) advanceCycle() {
	b.cycleIdx = (b.cycleIdx + 1) % bbrCycleLen
	b.cycleStamp = b.deliveredAt
}

// checkFullBwReached is Startup's exit test (draft §4.3.2.2): the pipe is
// full after FullBwRounds rounds in a row, not counting app-limited ones,
// in which btl_bw grew less than 25% over the plateau.
func (b *BBR) checkFullBwReached(appLimited bool) {
	if b.fullBwReached || !b.roundStart || appLimited {
		return
	}
	if bw := b.maxBw(); bw >= b.fullBw*bbrFullBwThresh {
		b.fullBw = bw
		b.fullBwCnt = 0
		return
	}
	b.fullBwCnt++
	b.fullBwReached = b.fullBwCnt >= b.cfg.FullBwRounds
}

// checkDrain moves Startup to Drain once the pipe is full, and Drain to
// ProbeBW once packets in flight are down to the BDP (draft §4.3.3).
func (b *BBR) checkDrain(s *transport.Sample) {
	if b.mode == bbrStartup && b.fullBwReached {
		b.mode = bbrDrain
	}
	if b.mode == bbrDrain && s.PacketsInFlight <= b.inflight(b.maxBw(), 1) {
		b.enterProbeBW()
	}
}

// updateMinRTT keeps min_rtt and runs ProbeRTT (draft §4.1.2, §4.3.5;
// tcp_bbr.c bbr_update_min_rtt). min_rtt takes any lower sample, and the
// next sample at all once it is ProbeRTTInterval old; at that age BBR
// also enters ProbeRTT.
func (b *BBR) updateMinRTT(s *transport.Sample) {
	expired := s.Now-b.minRTTStamp > b.cfg.ProbeRTTInterval
	if s.RTT > 0 && (s.RTT < b.minRTT || expired) {
		b.minRTT = s.RTT
		b.minRTTStamp = s.Now
	}
	if b.cfg.ProbeRTTDuration > 0 && expired && b.mode != bbrProbeRTT {
		b.mode = bbrProbeRTT
		b.saveCwnd()
		b.probeRTTDoneSet = false
		b.alStart = s.Delivered
	}
	if b.mode != bbrProbeRTT {
		return
	}
	// Packets sent from now on are app-limited (see the file comment of
	// bbr.go).
	b.alEnd = max(s.Delivered+int64(s.BytesInFlight), 1)
	switch {
	case !b.probeRTTDoneSet && s.PacketsInFlight <= bbrMinCwnd:
		// Inflight is down: hold it for ProbeRTTDuration and a round.
		b.probeRTTDone = s.Now + b.cfg.ProbeRTTDuration
		b.probeRTTDoneSet = true
		b.probeRTTRoundDone = false
		b.nextRound = s.Delivered
	case b.probeRTTDoneSet:
		if b.roundStart {
			b.probeRTTRoundDone = true
		}
		if b.probeRTTRoundDone {
			b.checkProbeRTTDone(s.Now)
		}
	}
}

// inProbeRTTSpan reports whether a rate sample's packet was sent during
// ProbeRTT (its delivered count is in the span recorded then).
func (b *BBR) inProbeRTTSpan(priorDelivered int64) bool {
	return b.alEnd >= 0 && priorDelivered >= b.alStart && priorDelivered <= b.alEnd
}

// checkProbeRTTDone leaves ProbeRTT once its time is up: min_rtt counts as
// fresh, cwnd gets back the cwnd saved at entry, and BBR returns to ProbeBW
// (or Startup if the pipe was never filled).
func (b *BBR) checkProbeRTTDone(now time.Duration) {
	if !b.probeRTTDoneSet || now <= b.probeRTTDone {
		return
	}
	b.minRTTStamp = now
	b.cwnd = max(b.cwnd, b.priorCwnd)
	if b.fullBwReached {
		b.enterProbeBW()
	} else {
		b.enterStartup()
	}
}

func (b *BBR) enterStartup() { b.mode = bbrStartup }

// enterProbeBW starts ProbeBW at a random phase other than 0.75: Linux
// draws an index in 1..7 and advances it, so the first phase is any of
// the eight but phase 1.
func (b *BBR) enterProbeBW() {
	b.mode = bbrProbeBW
	b.cycleIdx = bbrCycleLen - 1 - b.randBelow(bbrCycleRand)
	b.advanceCycle()
}

// randBelow draws uniformly from 0..n-1.
func (b *BBR) randBelow(n uint64) int {
	limit := ^uint64(0) - ^uint64(0)%n
	for {
		if x := b.rng.Uint64(); x < limit {
			return int(x % n)
		}
	}
}

// updateGains sets the pacing and cwnd gains of the mode (draft §4.3).
func (b *BBR) updateGains() {
	switch b.mode {
	case bbrStartup:
		b.pacingGain, b.cwndGain = b.cfg.HighGain, b.cfg.HighGain
	case bbrDrain:
		b.pacingGain, b.cwndGain = 1/b.cfg.HighGain, b.cfg.HighGain
	case bbrProbeBW:
		b.pacingGain, b.cwndGain = bbrCycleGain(b.cycleIdx), b.cfg.CwndGain
		if b.lt.useBw {
			b.pacingGain = 1
		}
	case bbrProbeRTT:
		b.pacingGain, b.cwndGain = 1, 1
	}
}
