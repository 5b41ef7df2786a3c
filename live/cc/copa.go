// copa.go owns Copa: V. Arun and H. Balakrishnan, "Copa: Practical
// Delay-Based Congestion Control for the Internet", NSDI 2018 (section
// numbers below are the paper's). Written from the paper; no code was
// copied from genericCC, mvfst or any other implementation.
package cc

import (
	"math"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// CopaConfig holds Copa's parameters.
type CopaConfig struct {
	// Delta is δ of the default mode: the flow aims at a standing queue of
	// 1/δ packets (§2.1). The paper uses 0.5; Pantheon's copa used 0.1.
	Delta float64
	// MinRTTWindow is the span over which RTT_min is the smallest RTT (§2.1:
	// 10 s).
	MinRTTWindow time.Duration
	// Competitive enables the detection of buffer-filling competitors and
	// the competitive mode (§2.2); off keeps δ fixed.
	Competitive bool
	// IW is the initial window in segments.
	IW int
}

// DefaultCopaConfig is the paper's: δ = 0.5, RTT_min over 10 s, competitive
// mode on, and an initial window of 10 segments.
func DefaultCopaConfig() CopaConfig {
	return CopaConfig{Delta: 0.5, MinRTTWindow: 10 * time.Second, Competitive: true, IW: 10}
}

// Copa's constants.
const (
	copaMinCwnd = 2.0 // packets; cwnd never shrinks below this but after a timeout
	// copaSameDirRounds is how many consecutive rounds cwnd must move in one
	// direction before the velocity starts doubling (§2.1 step 4).
	copaSameDirRounds = 3
	// copaEmptyRTTs: competitive mode when the queue has not nearly emptied
	// for this many RTTs (§2.2).
	copaEmptyRTTs = 5
	// copaMaxRTTs is the span of RTT_max, in RTTs (§2.2: four).
	copaMaxRTTs = 4
	// copaNearlyEmpty: the queue is nearly empty when d_q ≤ this fraction of
	// RTT_max − RTT_min (§2.2: 10%), or when it holds about one packet:
	// copaEmptyPackets bottleneck packet times (a quarter of a packet more
	// than one, for the estimate's rounding).
	copaNearlyEmpty  = 0.1
	copaEmptyPackets = 1.25
	// copaMaxInvDelta bounds 1/δ in competitive mode (numerical guard).
	copaMaxInvDelta = 1e6
)

// Copa is Copa congestion control. It keeps cwnd in packets (MSS) and
// paces.
//
// Per ACK (§2.1):
//   - RTT_standing is the smallest RTT over the last srtt/2, RTT_min the
//     smallest over the last MinRTTWindow, d_q = RTT_standing − RTT_min, and
//     the target rate λ_t = 1/(δ·d_q) packets/s (infinite when d_q = 0). The
//     windowed extremes are time-bucketed (copa_filter.go): each covers its
//     window and at most an eighth more.
//   - Slow start: cwnd += the packets acknowledged (doubling per RTT) while
//     the current rate λ = cwnd/RTT_standing ≤ λ_t; the first ACK with λ >
//     λ_t ends slow start for good (until a timeout).
//   - Otherwise, per packet acknowledged: cwnd += v/(δ·cwnd) when λ ≤ λ_t,
//     else cwnd −= v/(δ·cwnd), so cwnd moves about v/δ packets per RTT;
//     cwnd ≥ 2 packets.
//   - Pacing at 2·cwnd/RTT_standing.
//   - Application-limited ACKs (Sample.AppLimited) do not increase cwnd:
//     an unused window would otherwise grow without bound, as the queue
//     never builds (as cubic.go, RFC 9438 §5.8).
//
// The velocity v (§2.1 step 4), once per packet-timed round (delayRound)
// outside slow start: the direction is up when cwnd is above its value at
// the round's start and down when below; v resets to 1 when the direction
// changes, and doubles at the end of each round once the direction has
// held for copaSameDirRounds rounds (so not in the steady state, where it
// holds about 2.5 RTTs). Two guards of ours: an ACK that moves cwnd against
// the direction v was built up in resets v to 1 at once rather than at the
// round's end (otherwise the rest of that round applies, say, v = 64 the
// wrong way and cwnd collapses or balloons by 64/δ packets, which keeps the
// flow oscillating for good); and v ≤ δ·cwnd, so one RTT never moves cwnd
// by more than cwnd.
//
// Equilibrium (§2.1): λ = λ_t means cwnd/(R + d_q) = 1/(δ·d_q); on a
// path whose bottleneck runs at μ packets/s, cwnd = μ·(R + d_q), so μ·d_q =
// 1/δ: the flow keeps 1/δ packets queued whatever the bandwidth-delay
// product. Because cwnd keeps moving by 1/δ per RTT and the decision lags
// by about 1.5 RTTs, the queue swings between about 0 and 2.5/δ packets,
// holding each direction about 2.5 RTTs: a cycle of about 5 RTTs, the
// periodic emptying (§2.2) that lets the detector below tell Copa-only
// paths from shared ones. This needs 1/δ well below the bandwidth-delay
// product: when 2.5/δ packets are more than the path holds, the troughs no
// longer reach an empty queue.
//
// Competitive mode (§2.2): the queue is "nearly empty" when d_q ≤ 0.1·
// (RTT_max − RTT_min), RTT_max being the largest RTT over the last four
// srtt, or (ours) when d_q is at most about one packet's transmission time
// at the bottleneck (1.25·MSS over the largest delivery-rate sample of the
// RTT_min window). On a clean path with δ = 0.5 Copa's whole swing is a
// few packets, 10% of it is less than a packet, and a trough that leaves
// one packet queued would otherwise count as a competitor. Sharing the path
// only lowers the delivery rate, stretching the estimate to at most Copa's
// own packet spacing, which at its target rate is δ·d_q: for δ < 0.8 the
// slack stays below d_q and never hides a competitor's standing queue. (The
// gap between ACKs would be a finer estimate, but links that batch small
// packets, as mahimahi's do, deliver ACKs together.)
//
// If the queue has not been nearly empty within the last 5·srtt, a buffer
// filler is assumed and δ adapts: AIMD on 1/δ, +1 per round without loss
// and halved on a loss (EventLoss, once per episode, or a timeout), never
// below the default 1/δ (δ ≤ the default δ). As soon as the queue is
// nearly empty again, default mode resumes with the default δ. The 5-RTT
// clock does not run in default mode while v > 1 (ours): the periodic
// emptying holds in the steady state (v = 1), not while Copa drains its
// own overshoot (after slow start, or after the path changed), which takes
// longer than 5 RTTs whenever more than about 10/δ packets are queued.
// Without this guard such a drain is taken for a competitor, and the
// growing 1/δ keeps the queue from ever emptying. Competitive mode makes
// Copa as aggressive as the buffer filler it emulates, and the flow leaves
// it only when the queue empties: after a long competitive episode 1/δ can
// exceed what the path lets Copa's own oscillation drain, and Copa then
// stays competitive, holding about 1/δ packets, until losses bring 1/δ
// back down. This is the paper's design (analysed as a weakness in
// "Improvement of Copa: Behaviors and Friendliness of Delay-Based
// Congestion Control Algorithm", IEEE/ACM ToN 2023); competitive=0 turns
// the mode off.
//
// Losses. The paper reacts to loss only through the competitive mode's
// 1/δ, so in default mode losses do not change cwnd (Copa is robust to
// non-congestive loss). Choices the paper leaves open, made here: a loss in
// slow start halves cwnd and ends slow start (the window was up to twice
// what the path holds); a timeout sets cwnd to 1 packet, resets the
// velocity and slow-starts again.
type Copa struct {
	cfg CopaConfig
	mss int

	cwnd        float64 // packets
	slowStart   bool
	competitive bool
	invDelta    float64 // 1/δ now
	timedOut    bool

	// Velocity (§2.1 step 4).
	velocity   float64
	dir        int8 // +1 up, −1 down, 0 unknown
	sameDir    int  // consecutive rounds in direction dir
	round      delayRound
	roundCwnd  float64 // cwnd at the round's start
	lossRound  bool    // a loss in this round: no additive increase of 1/δ
	lastEmpty  time.Duration
	standingF  copaWindowed
	minF, maxF copaWindowed
	pktF       copaWindowed // smallest MSS/delivery rate: the bottleneck's packet time

	// The latest estimates.
	haveRTT                  bool
	now                      time.Duration // time of the latest ACK
	srtt                     time.Duration
	standing, rttMin, rttMax time.Duration
	dq                       time.Duration
}

// NewCopa returns a Copa controller. Out-of-range values in cfg are replaced
// by the defaults; the registry rejects them before they get here.
func NewCopa(cfg CopaConfig) *Copa {
	def := DefaultCopaConfig()
	if !(cfg.Delta > 0) || math.IsInf(cfg.Delta, 0) {
		cfg.Delta = def.Delta
	}
	if cfg.MinRTTWindow <= 0 {
		cfg.MinRTTWindow = def.MinRTTWindow
	}
	cfg.IW = max(cfg.IW, 1)
	return &Copa{cfg: cfg, mss: defaultMSS}
}

// Name implements transport.Controller.
func (q *Copa) Name() string { return "copa" }

// Init implements transport.Controller.
func (q *Copa) Init(c *transport.Control, now time.Duration) {
	*q = Copa{cfg: q.cfg, mss: initMSS(c.MSS)}
	q.cwnd = float64(q.cfg.IW)
	q.slowStart = true
	q.invDelta = 1 / q.cfg.Delta
	q.velocity = 1
	q.roundCwnd = q.cwnd
	q.maxF.max = true
	q.lastEmpty = now
	q.publish(c)
}

// OnAck implements transport.Controller.
func (q *Copa) OnAck(s *transport.Sample, c *transport.Control) {
	if s.BytesAcked > 0 {
		q.timedOut = false
	}
	now := s.Now
	q.now = now
	if s.DeliveryRate > 0 {
		q.pktF.add(now, time.Duration(float64(q.mss)/s.DeliveryRate*1e9), q.cfg.MinRTTWindow)
	}
	if s.RTT > 0 {
		q.srtt = s.SRTT
		if q.srtt <= 0 {
			q.srtt = s.RTT
		}
		q.standingF.add(now, s.RTT, q.srtt/2)
		q.minF.add(now, s.RTT, q.cfg.MinRTTWindow)
		q.maxF.add(now, s.RTT, copaMaxRTTs*q.srtt)
		q.haveRTT = true
	}
	if !q.haveRTT {
		q.publish(c)
		return
	}
	q.estimate(now)
	if inRound := q.round.started; q.round.next(s) && inRound {
		q.endRound()
	}
	if q.cfg.Competitive && !q.slowStart {
		q.detect(now)
	}
	if acked := float64(s.BytesAcked) / float64(q.mss); acked > 0 {
		q.adjust(acked, s.AppLimited)
	}
	q.publish(c)
}

// estimate updates RTT_standing, RTT_min, RTT_max and d_q.
func (q *Copa) estimate(now time.Duration) {
	q.standing, _ = q.standingF.get(now, q.srtt/2)
	q.rttMin, _ = q.minF.get(now, q.cfg.MinRTTWindow)
	q.rttMax, _ = q.maxF.get(now, copaMaxRTTs*q.srtt)
	q.rttMin = min(q.rttMin, q.standing) // the long window covers the short one
	q.rttMax = max(q.rttMax, q.standing)
	q.dq = q.standing - q.rttMin
}

// belowTarget reports whether the current rate cwnd/RTT_standing is at most
// the target 1/(δ·d_q).
func (q *Copa) belowTarget() bool {
	return q.cwnd*q.dq.Seconds() <= q.invDelta*q.standing.Seconds()
}

// adjust moves cwnd for acked packets (§2.1 steps 2–3, slow start); an
// application-limited ACK does not increase it.
func (q *Copa) adjust(acked float64, appLimited bool) {
	below := q.belowTarget()
	if q.slowStart {
		if below {
			if !appLimited {
				q.cwnd += acked
			}
			return
		}
		q.leaveSlowStart()
	}
	if q.velocity > 1 && (below && q.dir < 0 || !below && q.dir > 0) {
		// v was built up moving the other way: it does not carry over.
		q.velocity, q.sameDir = 1, 0
	}
	step := q.velocity * acked * q.invDelta / q.cwnd
	if below {
		if !appLimited {
			q.cwnd += step
		}
	} else {
		q.cwnd = max(q.cwnd-step, copaMinCwnd)
	}
}

// leaveSlowStart enters the default (or competitive) mode with velocity 1;
// the detector gets a fresh 5 RTTs.
func (q *Copa) leaveSlowStart() {
	q.slowStart = false
	q.velocity, q.dir, q.sameDir = 1, 0, 0
	q.roundCwnd = q.cwnd
	q.lastEmpty = max(q.lastEmpty, q.now)
}

// endRound runs the once-per-RTT updates at the first ACK of a round: the
// velocity, and competitive mode's additive increase of 1/δ.
func (q *Copa) endRound() {
	if !q.slowStart {
		var d int8
		switch {
		case q.cwnd > q.roundCwnd:
			d = 1
		case q.cwnd < q.roundCwnd:
			d = -1
		}
		if d != 0 && d == q.dir {
			q.sameDir++
		} else {
			q.velocity = 1
			q.sameDir = 0
			if d != 0 {
				q.sameDir = 1
			}
		}
		q.dir = d
		if q.sameDir >= copaSameDirRounds {
			q.velocity *= 2
		}
		q.velocity = max(min(q.velocity, q.cwnd/q.invDelta), 1)
		if q.competitive && !q.lossRound {
			q.invDelta = min(q.invDelta+1, copaMaxInvDelta)
		}
	}
	q.lossRound = false
	q.roundCwnd = q.cwnd
}

// detect switches between default and competitive mode (§2.2).
func (q *Copa) detect(now time.Duration) {
	pkt, _ := q.pktF.get(now, q.cfg.MinRTTWindow)
	if float64(q.dq) <= max(copaNearlyEmpty*float64(q.rttMax-q.rttMin), copaEmptyPackets*float64(pkt)) || !q.competitive && q.velocity > 1 {
		q.lastEmpty = now
	}
	if now-q.lastEmpty > copaEmptyRTTs*q.srtt {
		q.competitive = true
		return
	}
	if q.competitive {
		q.competitive = false
		q.invDelta = 1 / q.cfg.Delta
	}
}

// OnCongestion implements transport.Controller.
func (q *Copa) OnCongestion(ev transport.CongestionEvent, s *transport.Sample, c *transport.Control) {
	switch ev {
	case transport.EventLoss:
		q.onLoss()
		if q.slowStart {
			q.cwnd = max(q.cwnd/2, copaMinCwnd)
			q.leaveSlowStart()
		}
	case transport.EventTimeout:
		if !q.timedOut {
			q.onLoss()
		}
		q.timedOut = true
		q.cwnd = 1
		q.slowStart = true
		q.velocity, q.dir, q.sameDir = 1, 0, 0
		q.round.reset()
		q.roundCwnd = q.cwnd
	}
	q.publish(c)
}

// onLoss is competitive mode's multiplicative decrease of 1/δ.
func (q *Copa) onLoss() {
	if q.competitive {
		q.invDelta = max(q.invDelta/2, 1/q.cfg.Delta)
		q.lossRound = true
	}
}

func (q *Copa) publish(c *transport.Control) {
	c.Cwnd = max(int(q.cwnd*float64(q.mss)), q.mss)
	c.Ssthresh = 0
	c.PacingRate = 0
	if q.haveRTT && q.standing > 0 {
		c.PacingRate = 2 * q.cwnd * float64(q.mss) / q.standing.Seconds()
	}
}

// Mode implements transport.Controller.
func (q *Copa) Mode() string {
	switch {
	case q.slowStart:
		return modeSlowStart
	case q.competitive:
		return "competitive"
	}
	return "default"
}

// Vars implements transport.Controller: the current δ, the velocity, the
// RTT estimates, d_q, the target rate 1/(δ·d_q) in payload bit/s (0 when
// d_q = 0: no finite target) and the direction of the last round (+1 up,
// −1 down, 0 unknown).
func (q *Copa) Vars(dst []transport.Var) []transport.Var {
	target := 0.0
	if q.dq > 0 {
		target = q.invDelta / q.dq.Seconds() * float64(q.mss) * 8
	}
	return append(dst,
		transport.Var{Name: "delta", Value: 1 / q.invDelta},
		transport.Var{Name: "velocity", Value: q.velocity},
		transport.Var{Name: "rtt_standing", Value: durMillis(q.standing), Unit: unitMs},
		transport.Var{Name: "rtt_min", Value: durMillis(q.rttMin), Unit: unitMs},
		transport.Var{Name: "dq", Value: durMillis(q.dq), Unit: unitMs},
		transport.Var{Name: "target_rate", Value: target, Unit: unitBitsPerSecond},
		transport.Var{Name: "direction", Value: float64(q.dir)},
	)
}

// copaScheme is copa's registry entry.
func copaScheme() Scheme {
	return Scheme{
		Name: "copa",
		Doc:  "Copa: aim at the rate 1/(δ·queueing delay), keeping about 1/δ packets queued; competes with buffer fillers by adapting δ (Arun & Balakrishnan, NSDI 2018)",
		Params: []Param{
			{Name: "delta", Doc: "δ: the flow keeps about 1/δ packets queued (the paper uses 0.5; Pantheon's copa ran with 0.1)", Default: 0.5, Min: 0.01, Max: 1},
			{Name: "min_rtt_window", Doc: "RTT_min is the smallest RTT over this span", Unit: "s", Default: 10, Min: 0.1, Max: 600},
			{Name: "competitive", Doc: "detect buffer-filling competitors and adapt δ to them (§2.2); off keeps the default mode", Default: 1, Min: 0, Max: 1, Kind: KindBool},
			iwParam(),
		},
		New: func(p Params) transport.Controller {
			return NewCopa(CopaConfig{
				Delta:        p.Get("delta"),
				MinRTTWindow: time.Duration(p.Get("min_rtt_window") * float64(time.Second)),
				Competitive:  p.Bool("competitive"),
				IW:           p.Int("iw"),
			})
		},
	}
}
