// bbr_vars.go owns what BBR shows users: its mode names and the internal
// values it exposes as Vars, with their units.
package cc

import (
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// Mode implements transport.Controller: "startup", "drain", "probe_bw" or
// "probe_rtt".
func (b *BBR) Mode() string {
	switch b.mode {
	case bbrDrain:
		return "drain"
	case bbrProbeBW:
		return "probe_bw"
	case bbrProbeRTT:
		return "probe_rtt"
	}
	return "startup"
}

// Vars implements transport.Controller:
//
//   - btl_bw: the bandwidth estimate in use (payload bit/s): max_bw, or
//     lt_bw while the long-term estimate is in use;
//   - max_bw: the max filter's value; lt_bw: the long-term estimate (0
//     when none), lt_use: 1 while it replaces max_bw;
//   - min_rtt (ms), min_rtt_age (s since it was last set; ProbeRTT comes
//     at probe_rtt_interval);
//   - bdp (packets, btl_bw·min_rtt), target_cwnd (packets, the latest
//     cwnd target), prior_cwnd (packets, saved for recovery and ProbeRTT);
//   - pacing_gain, cwnd_gain, cycle_idx (0..7, the ProbeBW phase), round
//     (packet-timed rounds so far), full_bw (1 once Startup found the
//     pipe full), full_bw_cnt (rounds without 25% growth);
//   - extra_acked (packets of ACK-aggregation headroom), recovery (0 open,
//     1 fast recovery, 2 after an RTO), conservation (1 during the first
//     round of recovery).
func (b *BBR) Vars(dst []transport.Var) []transport.Var {
	bw := b.bwEstimate()
	minRTT, age := 0.0, 0.0
	if b.minRTT != bbrNoRTT {
		minRTT = float64(b.minRTT) / float64(time.Millisecond)
		age = (b.now - b.minRTTStamp).Seconds()
	}
	lt, ltUse := 0.0, 0.0
	if b.lt.useBw {
		ltUse = 1
	}
	if b.lt.bw > 0 {
		lt = b.lt.bw * 8
	}
	bdp := 0.0
	if b.minRTT != bbrNoRTT {
		bdp = bw * b.minRTT.Seconds() / float64(b.mss)
	}
	return append(dst,
		transport.Var{Name: "btl_bw", Value: bw * 8, Unit: unitBitsPerSecond},
		transport.Var{Name: "max_bw", Value: b.bw.get() * 8, Unit: unitBitsPerSecond},
		transport.Var{Name: "lt_bw", Value: lt, Unit: unitBitsPerSecond},
		transport.Var{Name: "lt_use", Value: ltUse},
		transport.Var{Name: "min_rtt", Value: minRTT, Unit: unitMs},
		transport.Var{Name: "min_rtt_age", Value: age, Unit: unitSeconds},
		transport.Var{Name: "bdp", Value: bdp, Unit: unitPackets},
		transport.Var{Name: "target_cwnd", Value: float64(b.target), Unit: unitPackets},
		transport.Var{Name: "prior_cwnd", Value: float64(b.priorCwnd), Unit: unitPackets},
		transport.Var{Name: "pacing_gain", Value: b.pacingGain},
		transport.Var{Name: "cwnd_gain", Value: b.cwndGain},
		transport.Var{Name: "cycle_idx", Value: float64(b.cycleIdx)},
		transport.Var{Name: "round", Value: float64(b.round)},
		transport.Var{Name: "full_bw", Value: boolVar(b.fullBwReached)},
		transport.Var{Name: "full_bw_cnt", Value: float64(b.fullBwCnt)},
		transport.Var{Name: "extra_acked", Value: float64(b.aggr.extra()), Unit: unitPackets},
		transport.Var{Name: "recovery", Value: float64(b.ca)},
		transport.Var{Name: "conservation", Value: boolVar(b.conservation)},
	)
}

func boolVar(v bool) float64 {
	if v {
		return 1
	}
	return 0
}
