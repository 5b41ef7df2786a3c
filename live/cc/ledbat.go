// ledbat.go owns LEDBAT, Low Extra Delay Background Transport: S. Shalunov,
// G. Hazel, J. Iyengar and M. Kuehlewind, RFC 6817, December 2012 (section
// numbers below are the RFC's). Written from the RFC; no code was copied
// from libutp or any other implementation.
package cc

import (
	"math"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// LEDBATConfig holds LEDBAT's parameters (RFC 6817 §2.4.2 and §2.5).
type LEDBATConfig struct {
	// Target is TARGET, the queuing delay LEDBAT aims at (RFC: 100 ms or
	// less).
	Target time.Duration
	// Gain is GAIN (RFC: 1 or less).
	Gain float64
	// AllowedIncrease is ALLOWED_INCREASE in MSS (RFC: SHOULD be 1, MUST
	// be above 0). Values below 1 are not accepted: cwnd ≤ flightsize +
	// ALLOWED_INCREASE·MSS, and a sender of full segments then never has
	// one more segment in flight to grow from.
	AllowedIncrease float64
	// MinCwnd and IW are MIN_CWND and INIT_CWND in segments (RFC: 2).
	MinCwnd, IW int
	// BaseHistory is BASE_HISTORY, the number of one-minute minima of the
	// one-way delay kept for the base delay (RFC: 10).
	BaseHistory int
	// CurrentFilter is CURRENT_FILTER, the number of recent delay samples
	// whose minimum is the current delay.
	CurrentFilter int
	// SlowStart enables ccscope's slow start (see LEDBAT).
	SlowStart bool
}

// DefaultLEDBATConfig is RFC 6817's recommendation, with a four-sample
// current filter and ccscope's slow start on.
func DefaultLEDBATConfig() LEDBATConfig {
	return LEDBATConfig{
		Target: 100 * time.Millisecond, Gain: 1, AllowedIncrease: 1,
		MinCwnd: 2, IW: 2, BaseHistory: 10, CurrentFilter: 4, SlowStart: true,
	}
}

// Bounds of the history arrays.
const (
	ledbatMaxBaseHistory   = 64
	ledbatMaxCurrentFilter = 32
)

type ledbatState uint8

const (
	ledbatSlowStart ledbatState = iota
	ledbatCongestionAvoidance
	ledbatRecovery
)

// LEDBAT is RFC 6817's sender-side controller over ccscope's transport. It
// keeps cwnd in bytes (as a float, the per-ACK steps being fractions of a
// byte at large windows).
//
// Delays. Every ACK that carries an RTT sample carries a one-way delay
// (Sample.OWD: receiver clock at arrival − sender clock at sending); the
// clocks' offset is unknown and cancels in queuing_delay.
//   - base delay (§2.4.2 update_base_delay): BASE_HISTORY buckets, each the
//     minimum OWD over one minute of the sender's clock (a new bucket when
//     now/1min changes, as the RFC's round_to_minute); base = the minimum of
//     the buckets.
//   - current delay (§2.4.2 update_current_delay and FILTER, with the MIN
//     filter the RFC discusses): the minimum of the last CURRENT_FILTER
//     samples, leaving out samples older than one srtt (the RFC: samples in
//     the list MUST NOT be older than an RTT, and there SHOULD be at least 4
//     per RTT); the newest sample always counts.
//   - queuing_delay = current − base, off_target = (TARGET − queuing_delay)
//     / TARGET.
//
// Congestion avoidance, per ACK of bytes_acked (§2.4.2 on acknowledgment):
//
//	cwnd += GAIN·off_target·bytes_acked·MSS/cwnd, the increase also capped at
//	        ALLOWED_INCREASE·MSS·bytes_acked/cwnd (at most Reno's one MSS per RTT)
//	cwnd  = min(cwnd, flightsize + ALLOWED_INCREASE·MSS)
//	cwnd  = max(cwnd, MIN_CWND·MSS)
//
// where flightsize is the data outstanding before this ACK: the sender's
// FlightSize (or pipe, if larger) plus the bytes it acknowledged.
//
// Losses (§2.4.2 on data loss): EventLoss, which the sender reports
// once per recovery episode (so at most once per RTT), sets cwnd =
// min(cwnd, max(cwnd/2, MIN_CWND·MSS)); during the episode cwnd does not
// grow, though queuing delay above TARGET still shrinks it. A timeout sets
// cwnd = 1 MSS, the RFC's response to a congestion timeout (§2.4.2 "if no
// ACKs are received within a CTO": cwnd = 1·MSS; the MIN_CWND floor applies
// again from the next ACK).
//
// Slow start is not part of RFC 6817's controller: a strict LEDBAT flow
// starts at INIT_CWND and grows at most one MSS per RTT (slow_start=0). By
// default ccscope runs a standard slow start (RFC 5681 with RFC 3465's L =
// 2, so never more aggressive than standard TCP, which RFC 6817's abstract
// requires of LEDBAT) at the start of the flow and after a timeout (up to
// ssthresh = half the window), and leaves it for the RFC controller when
// queuing_delay reaches TARGET/2, on a loss, or at ssthresh. When it leaves
// because of delay it halves cwnd: slow start doubles cwnd per RTT and the
// delay that ends it is an RTT old, so the halved window is the one that
// produced that delay, not an RTT's worth of overshoot that the controller,
// which sheds at most a few MSS per RTT near TARGET, would take hundreds of
// RTTs to drain.
type LEDBAT struct {
	cfg      LEDBATConfig
	mss      int
	state    ledbatState
	cwnd     float64 // bytes
	ssthresh int     // bytes
	timedOut bool

	// Base delay history: base[(baseHead−i) mod len] for i < baseN.
	base       [ledbatMaxBaseHistory]time.Duration
	baseN      int
	baseHead   int
	baseMinute int64

	// Current delay samples: a ring of the last CurrentFilter.
	cur     [ledbatMaxCurrentFilter]ledbatSample
	curN    int
	curHead int

	haveDelay               bool
	baseDelay, currentDelay time.Duration
	queuingDelay            time.Duration
	offTarget               float64
}

type ledbatSample struct{ at, owd time.Duration }

// NewLEDBAT returns a LEDBAT controller. Out-of-range values in cfg are
// replaced by the defaults or clamped; the registry rejects them before
// they get here.
func NewLEDBAT(cfg LEDBATConfig) *LEDBAT {
	def := DefaultLEDBATConfig()
	if cfg.Target <= 0 {
		cfg.Target = def.Target
	}
	if !(cfg.Gain > 0) || math.IsInf(cfg.Gain, 0) {
		cfg.Gain = def.Gain
	}
	if !(cfg.AllowedIncrease >= 1) || math.IsInf(cfg.AllowedIncrease, 0) {
		cfg.AllowedIncrease = def.AllowedIncrease
	}
	cfg.MinCwnd = max(cfg.MinCwnd, 1)
	cfg.IW = max(cfg.IW, 1)
	cfg.BaseHistory = min(max(cfg.BaseHistory, 1), ledbatMaxBaseHistory)
	cfg.CurrentFilter = min(max(cfg.CurrentFilter, 1), ledbatMaxCurrentFilter)
	return &LEDBAT{cfg: cfg, mss: defaultMSS}
}

// Name implements transport.Controller.
func (l *LEDBAT) Name() string { return "ledbat" }

// Init implements transport.Controller.
func (l *LEDBAT) Init(c *transport.Control, now time.Duration) {
	*l = LEDBAT{cfg: l.cfg, mss: initMSS(c.MSS)}
	l.cwnd = float64(l.cfg.IW * l.mss)
	l.ssthresh = InfiniteSsthresh
	l.state = ledbatCongestionAvoidance
	if l.cfg.SlowStart {
		l.state = ledbatSlowStart
	}
	l.publish(c)
}

// OnAck implements transport.Controller.
func (l *LEDBAT) OnAck(s *transport.Sample, c *transport.Control) {
	if s.BytesAcked > 0 {
		l.timedOut = false
	}
	if l.state == ledbatRecovery && !s.InRecovery {
		l.state = ledbatCongestionAvoidance // the episode ended without an event
	}
	if s.RTT > 0 { // the ACK delivered data: its OWD is valid
		l.addDelay(s.Now, s.OWD, s.SRTT)
	}
	n := s.BytesAcked
	if n <= 0 || !l.haveDelay {
		l.publish(c)
		return
	}
	if l.state == ledbatSlowStart {
		l.slowStart(n)
	} else {
		l.controller(s, n)
	}
	l.publish(c)
}

// addDelay records a one-way delay sample (§2.4.2 update_base_delay and
// update_current_delay) and recomputes the queuing delay.
func (l *LEDBAT) addDelay(now, owd, srtt time.Duration) {
	minute := int64(now / time.Minute)
	if l.baseN == 0 || minute != l.baseMinute {
		l.baseMinute = minute
		l.baseHead = (l.baseHead + 1) % l.cfg.BaseHistory
		l.base[l.baseHead] = owd
		l.baseN = min(l.baseN+1, l.cfg.BaseHistory)
	} else if owd < l.base[l.baseHead] {
		l.base[l.baseHead] = owd
	}
	l.curHead = (l.curHead + 1) % l.cfg.CurrentFilter
	l.cur[l.curHead] = ledbatSample{at: now, owd: owd}
	l.curN = min(l.curN+1, l.cfg.CurrentFilter)

	base := l.base[l.baseHead]
	for i := 1; i < l.baseN; i++ {
		base = min(base, l.base[(l.baseHead-i+l.cfg.BaseHistory)%l.cfg.BaseHistory])
	}
	cur := owd
	for i := 1; i < l.curN; i++ {
		p := l.cur[(l.curHead-i+l.cfg.CurrentFilter)%l.cfg.CurrentFilter]
		if srtt > 0 && now-p.at > srtt {
			break // older than an RTT (§2.5); older ones are older still
		}
		cur = min(cur, p.owd)
	}
	l.baseDelay, l.currentDelay = base, cur
	l.queuingDelay = cur - base
	l.offTarget = float64(l.cfg.Target-l.queuingDelay) / float64(l.cfg.Target)
	l.haveDelay = true
}

// slowStart grows cwnd for n bytes acknowledged in slow start, or leaves
// slow start.
func (l *LEDBAT) slowStart(n int) {
	if l.queuingDelay >= l.cfg.Target/2 {
		l.cwnd = max(l.cwnd/2, float64(l.cfg.MinCwnd*l.mss))
		l.ssthresh = int(l.cwnd)
		l.state = ledbatCongestionAvoidance
		return
	}
	l.cwnd += float64(slowStartIncrease(n, abcLimit, l.mss))
	if l.cwnd >= float64(l.ssthresh) {
		l.cwnd = float64(l.ssthresh)
		l.state = ledbatCongestionAvoidance
	}
}

// controller is RFC 6817's per-ACK window update for n bytes acknowledged.
func (l *LEDBAT) controller(s *transport.Sample, n int) {
	mss := float64(l.mss)
	inc := l.cfg.Gain * l.offTarget * float64(n) * mss / l.cwnd
	inc = min(inc, l.cfg.AllowedIncrease*mss*float64(n)/l.cwnd)
	if l.state == ledbatRecovery {
		inc = min(inc, 0)
	}
	l.cwnd += inc
	flight := max(s.FlightSize, s.BytesInFlight) + n
	l.cwnd = min(l.cwnd, float64(flight)+l.cfg.AllowedIncrease*mss)
	l.cwnd = max(l.cwnd, float64(l.cfg.MinCwnd)*mss)
}

// OnCongestion implements transport.Controller.
func (l *LEDBAT) OnCongestion(ev transport.CongestionEvent, s *transport.Sample, c *transport.Control) {
	floor := float64(l.cfg.MinCwnd * l.mss)
	switch ev {
	case transport.EventLoss:
		if l.state != ledbatRecovery {
			l.cwnd = min(l.cwnd, max(l.cwnd/2, floor))
			l.ssthresh = int(l.cwnd)
			l.state = ledbatRecovery
		}
	case transport.EventRecoveryEnd:
		if l.state == ledbatRecovery {
			l.state = ledbatCongestionAvoidance
		}
	case transport.EventTimeout:
		if !l.timedOut {
			l.ssthresh = int(max(l.cwnd/2, floor))
		}
		l.timedOut = true
		l.cwnd = float64(l.mss)
		l.state = ledbatCongestionAvoidance
		if l.cfg.SlowStart {
			l.state = ledbatSlowStart
		}
	}
	l.publish(c)
}

func (l *LEDBAT) publish(c *transport.Control) {
	c.Cwnd = max(int(l.cwnd), l.mss)
	c.Ssthresh = l.ssthresh
	c.PacingRate = 0
}

// Mode implements transport.Controller.
func (l *LEDBAT) Mode() string {
	switch l.state {
	case ledbatSlowStart:
		return modeSlowStart
	case ledbatRecovery:
		return modeRecovery
	}
	return modeCongestionAvoidance
}

// Vars implements transport.Controller: the base, current and queuing
// delays (ms; base and current include the unknown clock offset, which is
// zero in the sim) and off_target (0 until the first delay sample).
func (l *LEDBAT) Vars(dst []transport.Var) []transport.Var {
	return append(dst,
		transport.Var{Name: "base_delay", Value: durMillis(l.baseDelay), Unit: unitMs},
		transport.Var{Name: "current_delay", Value: durMillis(l.currentDelay), Unit: unitMs},
		transport.Var{Name: "queuing_delay", Value: durMillis(l.queuingDelay), Unit: unitMs},
		transport.Var{Name: "off_target", Value: l.offTarget},
	)
}

// ledbatScheme is ledbat's registry entry.
func ledbatScheme() Scheme {
	return Scheme{
		Name: "ledbat",
		Doc:  "LEDBAT: a scavenger that keeps the one-way queuing delay at TARGET and yields to other traffic (RFC 6817)",
		Params: []Param{
			{Name: "target", Doc: "TARGET queuing delay (RFC 6817 requires 100 ms or less)", Unit: "ms", Default: 100, Min: 1, Max: 1000},
			{Name: "gain", Doc: "GAIN: cwnd moves GAIN·off_target MSS per RTT (RFC 6817 requires 1 or less)", Default: 1, Min: 0.01, Max: 1},
			{Name: "allowed_increase", Doc: "ALLOWED_INCREASE: cwnd grows at most this many MSS per RTT and beyond the flight size (at least 1: this sender sends whole segments)", Unit: "segments", Default: 1, Min: 1, Max: 10},
			{Name: "min_cwnd", Doc: "MIN_CWND", Unit: "segments", Default: 2, Min: 1, Max: 100, Kind: KindInt},
			{Name: "iw", Doc: "INIT_CWND, the initial window (RFC 6817 recommends 2)", Unit: "segments", Default: 2, Min: 1, Max: 1000, Kind: KindInt},
			{Name: "base_history", Doc: "BASE_HISTORY: one-minute delay minima kept for the base delay", Unit: "minutes", Default: 10, Min: 1, Max: ledbatMaxBaseHistory, Kind: KindInt},
			{Name: "current_filter", Doc: "CURRENT_FILTER: the current delay is the minimum of this many recent samples (none older than an RTT)", Unit: "samples", Default: 4, Min: 1, Max: ledbatMaxCurrentFilter, Kind: KindInt},
			{Name: "slow_start", Doc: "slow start until the queuing delay reaches TARGET/2 (not in RFC 6817, whose controller alone grows at most one MSS per RTT)", Default: 1, Min: 0, Max: 1, Kind: KindBool},
		},
		New: func(p Params) transport.Controller {
			return NewLEDBAT(LEDBATConfig{
				Target:          time.Duration(p.Get("target") * float64(time.Millisecond)),
				Gain:            p.Get("gain"),
				AllowedIncrease: p.Get("allowed_increase"),
				MinCwnd:         p.Int("min_cwnd"),
				IW:              p.Int("iw"),
				BaseHistory:     p.Int("base_history"),
				CurrentFilter:   p.Int("current_filter"),
				SlowStart:       p.Bool("slow_start"),
			})
		},
	}
}
