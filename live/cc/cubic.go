// cubic.go owns CUBIC congestion control per RFC 9438, with HyStart++
// (RFC 9406, hystart.go) for the initial slow start.
package cc

import (
	"math"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// CubicConfig holds CUBIC's parameters.
type CubicConfig struct {
	// Beta is β_cubic, the multiplicative decrease factor (RFC 9438 §4.6).
	Beta float64
	// C scales the cubic function, in segments/s³ (RFC 9438 §4.2).
	C float64
	// FastConvergence enables RFC 9438 §4.7.
	FastConvergence bool
	// HyStart enables HyStart++ (RFC 9406) in the initial slow start.
	HyStart bool
	// IW is the initial window in segments (RFC 6928).
	IW int
}

// DefaultCubicConfig is RFC 9438's recommendation: β = 0.7, C = 0.4, fast
// convergence and HyStart++ on, and RFC 6928's initial window of 10.
func DefaultCubicConfig() CubicConfig {
	return CubicConfig{Beta: 0.7, C: 0.4, FastConvergence: true, HyStart: true, IW: 10}
}

// cubicState is where a Cubic is in its state machine. Conservative slow
// start is ssSlowStart with hs.css set.
type cubicState uint8

const (
	ssSlowStart cubicState = iota
	ssCongestionAvoidance
	ssRecovery
)

// Cubic is CUBIC congestion control (RFC 9438). The sender runs loss
// detection, SACK-based recovery and the recovery point; Cubic sets cwnd
// and ssthresh. The formulas work in segments (cwnd/MSS) while cwnd is kept
// in bytes.
//
//   - Slow start (cwnd < ssthresh) is RFC 5681's with Appropriate Byte
//     Counting; the initial slow start runs HyStart++ (RFC 9406) when
//     enabled, with L = 8 because the sender does not pace (RFC 9406 §4.3;
//     L is infinite only for paced senders). Other slow starts (after a
//     timeout) are standard, with RFC 3465's L = 2.
//   - Congestion avoidance (§4.2–4.5): t is the time since the current
//     congestion-avoidance epoch began, which is the first ACK processed
//     in congestion avoidance after slow start or after recovery. At that
//     ACK cwnd_epoch = cwnd, W_est = cwnd_epoch and
//     K = cbrt((W_max − cwnd_epoch)/C) (Figure 2); when W_max is undefined
//     (after HyStart++ exits without loss, or after a timeout) W_max =
//     cwnd_epoch, so K = 0 (§4.8, §4.10). Per ACK of N bytes:
//     target = W_cubic(t + SRTT) clamped to [cwnd, 1.5·cwnd];
//     W_est += α·(N/MSS)/cwnd with α = 3(1−β)/(1+β), or 1 once W_est ≥
//     cwnd_prior (§4.3); if W_cubic(t) < W_est cwnd = W_est (Reno-friendly
//     region), otherwise cwnd += (target − cwnd)/cwnd·N bytes (§4.4, §4.5).
//   - EventLoss (§4.6, §4.7): cwnd_prior = cwnd; with fast convergence, a
//     loss below the previous W_max sets W_max = cwnd·(1+β)/2, otherwise
//     W_max = cwnd; ssthresh = max(cwnd·β, 2·MSS) and cwnd = ssthresh for
//     the whole episode (no growth in recovery). HyStart++ ends for good.
//   - EventRecoveryEnd: cwnd = ssthresh; the next ACK starts a new epoch.
//   - EventTimeout (§4.8): ssthresh as for a loss, cwnd = one MSS, W_max
//     undefined (so the next epoch has K = 0 and W_max = cwnd_epoch) and a
//     standard slow start up to ssthresh.
//   - Application-limited ACKs (Sample.AppLimited) do not grow cwnd, and the
//     time they span is left out of t (§5.8).
//
// Where this departs from the RFC text:
//   - §4.6 computes ssthresh from flight_size. Like Linux, this uses cwnd
//     (which §4.6 allows provided cwnd does not grow while it is not fully
//     used: done here through AppLimited), because the sender's
//     BytesInFlight excludes SACKed and lost bytes and would cut below β.
//   - Like Linux, ssthresh is reduced at most once per window of data: a
//     timeout during recovery, or a timer that fires again before new data
//     is acknowledged (RTO backoff), sets cwnd to one MSS but keeps
//     ssthresh.
//   - In the Reno-friendly region cwnd is set to W_est only when that grows
//     it: an ACK never shrinks cwnd (cwnd can be above W_est because the
//     cubic target looks one RTT ahead).
type Cubic struct {
	cfg   CubicConfig
	alpha float64 // α_cubic = 3(1−β)/(1+β)
	mss   int

	state    cubicState
	cwnd     float64 // bytes
	ssthresh int     // bytes
	hsOn     bool    // HyStart++ runs in this slow start
	hs       hystart
	timedOut bool // a timeout fired and no new data has been ACKed since

	// The congestion-avoidance epoch, in segments and seconds.
	epochOn    bool
	epochStart time.Duration
	wMax       float64 // 0 when undefined
	k          float64
	wEst       float64
	cwndPrior  float64
	target     float64
	lastAck    time.Duration
}

// NewCubic returns a CUBIC controller. Out-of-range values in cfg are
// replaced by the defaults (β and C) or clamped (IW ≥ 1); the registry
// rejects them before they get here.
func NewCubic(cfg CubicConfig) *Cubic {
	def := DefaultCubicConfig()
	if !(cfg.Beta > 0 && cfg.Beta < 1) {
		cfg.Beta = def.Beta
	}
	if !(cfg.C > 0) || math.IsInf(cfg.C, 0) {
		cfg.C = def.C
	}
	cfg.IW = max(cfg.IW, 1)
	return &Cubic{
		cfg:   cfg,
		alpha: 3 * (1 - cfg.Beta) / (1 + cfg.Beta),
		mss:   defaultMSS,
	}
}

// Name implements transport.Controller.
func (q *Cubic) Name() string { return "cubic" }

// Init implements transport.Controller.
func (q *Cubic) Init(c *transport.Control, now time.Duration) {
	cfg, alpha := q.cfg, q.alpha
	*q = Cubic{cfg: cfg, alpha: alpha, mss: initMSS(c.MSS)}
	q.cwnd = float64(cfg.IW * q.mss)
	q.ssthresh = InfiniteSsthresh
	q.hsOn = cfg.HyStart
	q.hs.reset()
	q.lastAck = now
	q.publish(c)
}

// OnAck implements transport.Controller.
func (q *Cubic) OnAck(s *transport.Sample, c *transport.Control) {
	if s.BytesAcked > 0 {
		q.timedOut = false // new data arrived: the next timeout is a fresh one
	}
	prev := q.lastAck
	q.lastAck = s.Now
	if q.state == ssRecovery && !s.InRecovery {
		// The sender left recovery without telling us: behave as if it
		// had reported EventRecoveryEnd.
		q.endRecovery()
	}
	n := s.BytesAcked
	if q.state == ssRecovery || n <= 0 {
		q.publish(c)
		return
	}
	if s.AppLimited {
		// RFC 9438 §5.8: no growth while the window is not used, and t
		// does not advance.
		if q.epochOn && s.Now > prev {
			q.epochStart += s.Now - prev
		}
		q.publish(c)
		return
	}
	if q.state == ssSlowStart {
		n = q.slowStart(s, n)
	}
	if q.state == ssCongestionAvoidance && n > 0 {
		q.congestionAvoidance(s, n)
	}
	q.publish(c)
}

// slowStart grows cwnd for an ACK of n bytes and returns the bytes left for
// congestion avoidance when slow start ends on this ACK.
func (q *Cubic) slowStart(s *transport.Sample, n int) int {
	limit, div := abcLimit, 1
	if q.hsOn {
		if q.hs.startRound(s) {
			// RFC 9406 §4.2: CSS_ROUNDS rounds of CSS are over.
			q.leaveHyStart()
			return n
		}
		limit, div = hystartLimit, q.hs.growthDivisor()
	}
	inc := float64(slowStartIncrease(n, limit, q.mss)) / float64(div)
	left := 0
	if room := float64(q.ssthresh) - q.cwnd; inc >= room {
		// Slow start ends exactly at ssthresh (RFC 5681 §3.1).
		left = max(n-int(math.Ceil(room)), 0)
		q.cwnd = float64(q.ssthresh)
		q.state = ssCongestionAvoidance
		q.hsOn = false
		return left
	}
	q.cwnd += inc
	if q.hsOn {
		q.hs.sample(s)
	}
	return 0
}

// leaveHyStart enters congestion avoidance at the end of CSS: ssthresh =
// cwnd (RFC 9406 §4.2), cwnd_prior = cwnd and W_max undefined (RFC 9438
// §4.10).
func (q *Cubic) leaveHyStart() {
	q.ssthresh = int(q.cwnd)
	q.cwnd = float64(q.ssthresh)
	q.cwndPrior = q.cwnd / float64(q.mss)
	q.wMax = 0
	q.epochOn = false
	q.hsOn = false
	q.state = ssCongestionAvoidance
}

// congestionAvoidance grows cwnd for n bytes acknowledged in congestion
// avoidance (RFC 9438 §4.2–4.5).
func (q *Cubic) congestionAvoidance(s *transport.Sample, n int) {
	mss := float64(q.mss)
	w := q.cwnd / mss
	if !q.epochOn {
		q.epochOn = true
		q.epochStart = s.Now
		if q.wMax <= 0 {
			q.wMax = w // §4.8, §4.10: W_max undefined
		}
		q.k = math.Cbrt((q.wMax - w) / q.cfg.C)
		q.wEst = w
	}
	t := (s.Now - q.epochStart).Seconds()
	rtt := s.SRTT
	if rtt <= 0 {
		rtt = max(s.RTT, s.MinRTT)
	}
	q.target = min(max(q.wCubic(t+rtt.Seconds()), w), 1.5*w)

	alpha := q.alpha
	if q.wEst >= q.cwndPrior {
		alpha = 1
	}
	q.wEst += alpha * (float64(n) / mss) / w

	if q.wCubic(t) < q.wEst {
		if q.wEst > w {
			q.cwnd = q.wEst * mss
		}
	} else {
		q.cwnd += (q.target - w) / w * float64(n)
	}
	q.cwnd = min(q.cwnd, InfiniteSsthresh)
}

// wCubic is W_cubic(t) = C·(t−K)³ + W_max in segments (RFC 9438 Figure 1).
func (q *Cubic) wCubic(t float64) float64 {
	d := t - q.k
	return q.cfg.C*d*d*d + q.wMax
}

// OnCongestion implements transport.Controller.
func (q *Cubic) OnCongestion(ev transport.CongestionEvent, s *transport.Sample, c *transport.Control) {
	switch ev {
	case transport.EventLoss:
		if q.state != ssRecovery {
			q.reduce()
			q.cwnd = float64(q.ssthresh)
			q.state = ssRecovery
		}
	case transport.EventRecoveryEnd:
		q.endRecovery()
	case transport.EventTimeout:
		if !q.timedOut && q.state != ssRecovery {
			q.reduce()
		}
		// §4.8: the next epoch has K = 0 and W_max = cwnd_epoch.
		q.wMax, q.k = 0, 0
		q.epochOn = false
		q.hsOn = false
		q.cwnd = float64(q.mss)
		q.state = ssSlowStart
		q.timedOut = true
	}
	q.publish(c)
}

// reduce is the multiplicative decrease with fast convergence (RFC 9438
// §4.6, §4.7): it sets cwnd_prior, W_max and ssthresh, ends HyStart++ and
// the epoch, and leaves cwnd to the caller.
func (q *Cubic) reduce() {
	w := q.cwnd / float64(q.mss)
	q.cwndPrior = w
	if q.cfg.FastConvergence && w < q.wMax {
		q.wMax = w * (1 + q.cfg.Beta) / 2
	} else {
		q.wMax = w
	}
	q.ssthresh = max(int(q.cwnd*q.cfg.Beta), 2*q.mss)
	q.epochOn = false
	q.hsOn = false
}

func (q *Cubic) endRecovery() {
	if q.state == ssRecovery {
		q.cwnd = float64(q.ssthresh)
		q.state = ssCongestionAvoidance
		q.epochOn = false
	}
}

func (q *Cubic) publish(c *transport.Control) {
	c.Cwnd = max(int(q.cwnd), q.mss)
	c.Ssthresh = q.ssthresh
}

// Mode implements transport.Controller.
func (q *Cubic) Mode() string {
	switch q.state {
	case ssRecovery:
		return modeRecovery
	case ssCongestionAvoidance:
		return modeCongestionAvoidance
	}
	if q.hsOn && q.hs.css {
		return modeConservativeSlowStart
	}
	return modeSlowStart
}

// Vars implements transport.Controller: W_max, K, the time since the epoch
// began, W_est, ssthresh and the last growth target.
func (q *Cubic) Vars(dst []transport.Var) []transport.Var {
	epoch := 0.0
	if q.epochOn {
		epoch = (q.lastAck - q.epochStart).Seconds()
	}
	return append(dst,
		transport.Var{Name: "w_max", Value: q.wMax, Unit: unitPackets},
		transport.Var{Name: "k", Value: q.k, Unit: unitSeconds},
		transport.Var{Name: "epoch", Value: epoch, Unit: unitSeconds},
		transport.Var{Name: "w_est", Value: q.wEst, Unit: unitPackets},
		transport.Var{Name: "ssthresh", Value: float64(q.ssthresh), Unit: unitBytes},
		transport.Var{Name: "target", Value: q.target, Unit: unitPackets},
	)
}

// cubicScheme is cubic's registry entry.
func cubicScheme() Scheme {
	return Scheme{
		Name: "cubic",
		Doc:  "CUBIC: cubic window growth around the last saturation point, with HyStart++ (RFC 9438, RFC 9406)",
		Params: []Param{
			{Name: "beta", Doc: "multiplicative decrease factor β_cubic: cwnd after a loss as a fraction of cwnd before it", Default: 0.7, Min: 0.1, Max: 0.95},
			{Name: "c", Doc: "cubic scaling constant C: how fast the window grows away from W_max", Unit: "segments/s³", Default: 0.4, Min: 0.01, Max: 10},
			{Name: "fast_convergence", Doc: "lower W_max after a loss below the previous one, to release bandwidth to new flows (RFC 9438 §4.7)", Default: 1, Min: 0, Max: 1, Kind: KindBool},
			{Name: "hystart", Doc: "HyStart++: leave the initial slow start when the RTT rises (RFC 9406)", Default: 1, Min: 0, Max: 1, Kind: KindBool},
			iwParam(),
		},
		New: func(p Params) transport.Controller {
			return NewCubic(CubicConfig{
				Beta:            p.Get("beta"),
				C:               p.Get("c"),
				FastConvergence: p.Bool("fast_convergence"),
				HyStart:         p.Bool("hystart"),
				IW:              p.Int("iw"),
			})
		},
	}
}
