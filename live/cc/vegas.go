// vegas.go owns TCP Vegas: L. S. Brakmo and L. L. Peterson, "TCP Vegas: End
// to End Congestion Avoidance on a Global Internet", IEEE JSAC 13(8), 1995
// (first presented as "TCP Vegas: New Techniques for Congestion Detection
// and Avoidance", SIGCOMM 1994), with the parameters and per-RTT rules that
// Linux's tcp_vegas module made the common reference. Written from the paper
// and that description; no code was copied.
package cc

import (
	"math"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// VegasConfig holds Vegas's parameters, in packets (MSS) of queue.
type VegasConfig struct {
	// Alpha and Beta bound the packets the flow keeps queued in congestion
	// avoidance: cwnd grows when diff < Alpha and shrinks when diff > Beta.
	Alpha, Beta float64
	// Gamma ends slow start when diff > Gamma.
	Gamma float64
	// IW is the initial window in segments (RFC 6928).
	IW int
}

// DefaultVegasConfig is Linux's: α = 2, β = 4, γ = 1, and RFC 6928's
// initial window of 10.
func DefaultVegasConfig() VegasConfig {
	return VegasConfig{Alpha: 2, Beta: 4, Gamma: 1, IW: 10}
}

type vegasState uint8

const (
	vegasSlowStart vegasState = iota
	vegasCongestionAvoidance
	vegasRecovery
)

// vegasMinSamples is the number of RTT samples a round needs for the Vegas
// computation; with fewer (tiny windows) the round grows cwnd like Reno.
const vegasMinSamples = 3

// Vegas is TCP Vegas congestion avoidance with Vegas slow start and Reno's
// loss response. cwnd is kept in bytes and changes in whole MSS steps.
//
//   - baseRTT is the smallest RTT sample seen on the connection.
//   - Rounds are packet-timed (delayRound): a round ends at the first ACK of
//     a packet sent after the round began. Each round records the minimum
//     of its RTT samples, rtt, and the number of samples.
//   - At the end of each round, outside recovery, with at least 3 samples:
//     W is the window the round's packets were sent under (cwnd at the start
//     of the previous round: see delayRound), Expected = W/baseRTT, Actual
//     = W/rtt and diff = (Expected − Actual)·baseRTT = W·(rtt − baseRTT)/rtt,
//     in packets: the packets this flow keeps queued at the bottleneck.
//   - Congestion avoidance: diff < α: cwnd += 1 MSS; diff > β: cwnd −= 1
//     MSS (never below 2 MSS); otherwise cwnd holds. A round with fewer than
//     3 samples adds 1 MSS, Reno's growth.
//   - Slow start: cwnd grows by min(acked, 2·MSS) per ACK (RFC 3465, as
//     Linux's tcp_slow_start), up to ssthresh. At the end of a round with
//     diff > γ, slow start ends: cwnd = min(cwnd, W·baseRTT/rtt + 1 MSS)
//     (the target window plus one packet, as Linux) and ssthresh = cwnd.
//     The paper's slow start doubles cwnd every other RTT to measure in
//     between; like Linux this one grows every RTT, and takes W from the
//     window of the measured packets so that the doubling during the
//     measurement does not inflate the target.
//   - Application-limited ACKs (Sample.AppLimited) do not grow cwnd, and a
//     round with one does not end with an increase: an unused window says
//     nothing about the path (as cubic.go, RFC 9438 §5.8).
//   - Losses are Reno's (reno.go): EventLoss sets ssthresh = max(FlightSize/
//     2, 2·MSS) and cwnd = ssthresh for the episode, without Vegas changes;
//     EventRecoveryEnd resumes congestion avoidance at ssthresh with fresh
//     rounds; EventTimeout sets cwnd = 1 MSS and slow-starts to ssthresh
//     (halved once per backoff series, as reno.go).
type Vegas struct {
	cfg      VegasConfig
	mss      int
	state    vegasState
	cwnd     int // bytes
	ssthresh int // bytes
	timedOut bool

	baseRTT  time.Duration // 0 until the first sample
	round    delayRound
	roundMin time.Duration // minimum RTT of the current round, 0 if none
	roundN   int           // RTT samples in the current round
	roundApp bool          // an application-limited ACK in the current round
	// cwnd at the start of the current and of the previous round.
	cwndCur, cwndPrev int

	// The last round's evaluation, for display.
	lastRTT          time.Duration
	diff             float64
	expected, actual float64 // bytes/s
	evaluated        bool
}

// NewVegas returns a Vegas controller. Out-of-range values in cfg are
// replaced by the defaults; the registry rejects them before they get here.
func NewVegas(cfg VegasConfig) *Vegas {
	def := DefaultVegasConfig()
	if !(cfg.Alpha >= 0) || math.IsInf(cfg.Alpha, 0) {
		cfg.Alpha = def.Alpha
	}
	if !(cfg.Beta >= 0) || math.IsInf(cfg.Beta, 0) {
		cfg.Beta = def.Beta
	}
	cfg.Beta = max(cfg.Beta, cfg.Alpha) // an empty band, never an inverted one
	if !(cfg.Gamma >= 0) || math.IsInf(cfg.Gamma, 0) {
		cfg.Gamma = def.Gamma
	}
	cfg.IW = max(cfg.IW, 1)
	return &Vegas{cfg: cfg, mss: defaultMSS}
}

// Name implements transport.Controller.
func (v *Vegas) Name() string { return "vegas" }

// Init implements transport.Controller.
func (v *Vegas) Init(c *transport.Control, now time.Duration) {
	*v = Vegas{cfg: v.cfg, mss: initMSS(c.MSS)}
	v.cwnd = v.cfg.IW * v.mss
	v.ssthresh = InfiniteSsthresh
	v.freshRounds()
	v.publish(c)
}

// freshRounds starts round bookkeeping over: the next ACK starts a round
// without evaluating the one before, so the next evaluation covers one
// whole round begun after the reset.
func (v *Vegas) freshRounds() {
	v.round.reset()
	v.roundMin, v.roundN, v.roundApp = 0, 0, false
	v.cwndCur, v.cwndPrev = v.cwnd, v.cwnd
}

// OnAck implements transport.Controller.
func (v *Vegas) OnAck(s *transport.Sample, c *transport.Control) {
	if s.BytesAcked > 0 {
		v.timedOut = false
	}
	if v.state == vegasRecovery && !s.InRecovery {
		v.endRecovery() // the sender left recovery without telling us
	}
	if s.RTT > 0 && (v.baseRTT == 0 || s.RTT < v.baseRTT) {
		v.baseRTT = s.RTT
	}
	if inRound := v.round.started; v.round.next(s) {
		if inRound && v.state != vegasRecovery {
			v.endRound()
		}
		v.roundMin, v.roundN, v.roundApp = 0, 0, false
		v.cwndPrev, v.cwndCur = v.cwndCur, v.cwnd
	}
	v.roundApp = v.roundApp || s.AppLimited
	if s.RTT > 0 {
		if v.roundN == 0 || s.RTT < v.roundMin {
			v.roundMin = s.RTT
		}
		v.roundN++
	}
	if v.state == vegasSlowStart && s.BytesAcked > 0 && !s.AppLimited {
		v.cwnd += slowStartIncrease(s.BytesAcked, abcLimit, v.mss)
		if v.cwnd >= v.ssthresh {
			v.cwnd = v.ssthresh
			v.state = vegasCongestionAvoidance
		}
	}
	v.publish(c)
}

// endRound evaluates the round that just ended (RTT minimum and sample
// count) and adjusts cwnd.
func (v *Vegas) endRound() {
	if v.roundN < vegasMinSamples || v.baseRTT <= 0 {
		v.evaluated = false
		if v.state == vegasCongestionAvoidance && !v.roundApp {
			v.cwnd += v.mss // too few samples: Reno's one MSS per RTT
		}
		return
	}
	rtt := v.roundMin
	w := float64(v.cwndPrev)
	v.lastRTT = rtt
	v.evaluated = true
	v.expected = w / v.baseRTT.Seconds()
	v.actual = w / rtt.Seconds()
	v.diff = w / float64(v.mss) * float64(rtt-v.baseRTT) / float64(rtt)
	switch v.state {
	case vegasSlowStart:
		if v.diff > v.cfg.Gamma {
			target := int(w * float64(v.baseRTT) / float64(rtt))
			v.cwnd = max(min(v.cwnd, target+v.mss), 2*v.mss)
			v.ssthresh = v.cwnd
			v.state = vegasCongestionAvoidance
		}
	case vegasCongestionAvoidance:
		switch {
		case v.diff < v.cfg.Alpha && !v.roundApp:
			v.cwnd += v.mss
		case v.diff > v.cfg.Beta:
			v.cwnd = max(v.cwnd-v.mss, 2*v.mss)
		}
	}
}

// OnCongestion implements transport.Controller.
func (v *Vegas) OnCongestion(ev transport.CongestionEvent, s *transport.Sample, c *transport.Control) {
	switch ev {
	case transport.EventLoss:
		if v.state != vegasRecovery {
			v.ssthresh = v.halfFlight(s)
			v.cwnd = v.ssthresh
			v.state = vegasRecovery
		}
	case transport.EventRecoveryEnd:
		v.endRecovery()
	case transport.EventTimeout:
		if !v.timedOut {
			v.ssthresh = v.halfFlight(s)
		}
		v.cwnd = v.mss
		v.state = vegasSlowStart
		v.timedOut = true
		v.freshRounds()
	}
	v.publish(c)
}

// halfFlight is RFC 5681 eq. (4): max(FlightSize/2, 2·SMSS).
func (v *Vegas) halfFlight(s *transport.Sample) int {
	flight := v.cwnd
	if s != nil {
		flight = max(s.FlightSize, s.BytesInFlight)
	}
	return max(flight/2, 2*v.mss)
}

func (v *Vegas) endRecovery() {
	if v.state == vegasRecovery {
		v.cwnd = v.ssthresh
		v.state = vegasCongestionAvoidance
		v.freshRounds()
	}
}

func (v *Vegas) publish(c *transport.Control) {
	c.Cwnd = v.cwnd
	c.Ssthresh = v.ssthresh
	c.PacingRate = 0
}

// Mode implements transport.Controller.
func (v *Vegas) Mode() string {
	switch v.state {
	case vegasRecovery:
		return modeRecovery
	case vegasCongestionAvoidance:
		return modeCongestionAvoidance
	}
	return modeSlowStart
}

// Vars implements transport.Controller: baseRTT, the last evaluated round's
// minimum RTT, diff, and the expected and actual rates (payload bit/s) of
// that evaluation (0 until a round has been evaluated).
func (v *Vegas) Vars(dst []transport.Var) []transport.Var {
	rtt, diff, exp, act := 0.0, 0.0, 0.0, 0.0
	if v.evaluated {
		rtt, diff, exp, act = durMillis(v.lastRTT), v.diff, v.expected*8, v.actual*8
	}
	return append(dst,
		transport.Var{Name: "base_rtt", Value: durMillis(v.baseRTT), Unit: unitMs},
		transport.Var{Name: "rtt", Value: rtt, Unit: unitMs},
		transport.Var{Name: "diff", Value: diff, Unit: unitPackets},
		transport.Var{Name: "expected", Value: exp, Unit: unitBitsPerSecond},
		transport.Var{Name: "actual", Value: act, Unit: unitBitsPerSecond},
	)
}

// vegasScheme is vegas's registry entry.
func vegasScheme() Scheme {
	return Scheme{
		Name: "vegas",
		Doc:  "TCP Vegas: keep alpha..beta packets queued by comparing expected and actual rates once per RTT (Brakmo & Peterson 1995)",
		Params: []Param{
			{Name: "alpha", Doc: "grow cwnd by one packet per RTT while fewer than alpha packets are queued", Unit: "packets", Default: 2, Min: 0, Max: 1000},
			{Name: "beta", Doc: "shrink cwnd by one packet per RTT while more than beta packets are queued (a beta below alpha counts as alpha)", Unit: "packets", Default: 4, Min: 0, Max: 1000},
			{Name: "gamma", Doc: "leave slow start once more than gamma packets are queued", Unit: "packets", Default: 1, Min: 0, Max: 1000},
			iwParam(),
		},
		New: func(p Params) transport.Controller {
			return NewVegas(VegasConfig{Alpha: p.Get("alpha"), Beta: p.Get("beta"), Gamma: p.Get("gamma"), IW: p.Int("iw")})
		},
	}
}
