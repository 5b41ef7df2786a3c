// bbr.go owns BBR version 1: its configuration, its state, the Controller
// methods and the registry entry. The model (rounds, bandwidth and min_rtt
// filters, the state machine) is in bbr_model.go, cwnd and pacing in
// bbr_cwnd.go, the long-term (policer) bandwidth in bbr_lt.go, the
// windowed max filter in bbr_filter.go, and Mode and Vars (what users see)
// in bbr_vars.go.
//
// Sources: N. Cardwell, Y. Cheng, S. Hassas Yeganeh, V. Jacobson, "BBR
// Congestion Control", draft-cardwell-iccrg-bbr-congestion-control-00
// (July 2017), and the behaviour of Linux's net/ipv4/tcp_bbr.c (BBRv1, as
// in Linux 5.x/6.x). Where the two differ this follows Linux:
//
//   - pacing rate = pacing_gain · btl_bw · (1 − 1%) (bbr_pacing_margin_percent),
//     and it is never lowered before the pipe is first filled;
//   - long-term bandwidth sampling (policer detection, bbr_lt_bw_sampling),
//     which the draft does not have;
//   - ACK-aggregation headroom in cwnd (bbr_update_ack_aggregation, Linux
//     5.1+), which the draft does not have;
//   - the cwnd rules of loss recovery (bbr_set_cwnd_to_recover_or_restore):
//     packet conservation for the first round of recovery, the lost
//     packets taken out of cwnd, the saved cwnd restored when recovery (or
//     the loss state after an RTO) ends;
//   - a packet-timed round starts only on an ACK with a valid delivery-rate
//     sample (bbr_update_bw returns early otherwise).
//
// Choices where neither applies directly:
//
//   - The quantization budget is 3 segments (then rounded up to an even
//     number of packets, plus 2 in the 1.25 phase, as Linux does): Linux
//     and the draft budget 3 send quanta (TSO bursts); this transport sends
//     one segment at a time, so a send quantum is one segment.
//   - Where Linux compares its "inflight at the earliest departure time"
//     (EDT, Linux 4.20+), this uses the packets in flight (the draft's and
//     Linux 4.9's rule): before the ACK for the gain-cycle checks
//     (prior_in_flight = in flight after the ACK + packets it acked + packets
//     it marked lost), after it for the end of Drain.
//   - Linux marks the connection application-limited during ProbeRTT so
//     that the low delivery rates of that mode do not count. A controller
//     cannot mark the sender, so BBR remembers the span of delivered-byte
//     counts that packets sent while in ProbeRTT carry (from the Delivered
//     count when ProbeRTT began to Delivered+in flight at its last ACK) and
//     treats rate samples whose PriorDelivered falls in it as app-limited:
//     exactly the packets Linux would have marked.
//   - Linux picks the first ProbeBW phase at random (any but the 0.75 one);
//     here a PCG generator seeded from the seed parameter and the time of
//     Init picks it, so runs repeat exactly and flows started at different
//     times draw differently.
//   - Linux's TCP_INIT_CWND (the fallback BDP before any RTT sample, and
//     the count of deliveries below which cwnd always grows) is the iw
//     parameter.
//   - Restart after idle (Linux's CA_EVENT_TX_START) is not modelled: the
//     Controller interface has no transmit-start event.
package cc

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// BBRConfig holds BBR's parameters.
type BBRConfig struct {
	// HighGain is the pacing and cwnd gain of Startup; Drain paces at its
	// inverse (draft §4.3.2). 2/ln2 ≈ 2.885 is the smallest gain that
	// doubles the sending rate every round.
	HighGain float64
	// CwndGain is the cwnd gain of ProbeBW (draft §4.3.3: 2).
	CwndGain float64
	// ProbeRTTInterval is the min_rtt filter's window: ProbeRTT starts
	// when min_rtt has not been refreshed for this long (10 s).
	ProbeRTTInterval time.Duration
	// ProbeRTTDuration is how long ProbeRTT holds inflight at 4 packets
	// (at least, and at least one round; 200 ms). 0 disables ProbeRTT.
	ProbeRTTDuration time.Duration
	// BwWindow is the max filter's window in packet-timed rounds (10).
	BwWindow int
	// FullBwRounds is the number of rounds without 25% bandwidth growth
	// that ends Startup (3).
	FullBwRounds int
	// LTBw enables Linux's long-term bandwidth sampling (policer
	// detection).
	LTBw bool
	// ExtraAckedGain scales Linux's ACK-aggregation headroom; 0 disables
	// it.
	ExtraAckedGain float64
	// PacingMargin is the fraction by which pacing stays below
	// pacing_gain·btl_bw (Linux: 0.01).
	PacingMargin float64
	// Seed seeds the choice of the first ProbeBW phase.
	Seed uint64
	// IW is the initial window in segments.
	IW int
}

// DefaultBBRConfig is Linux's BBRv1: high gain 2.885, cwnd gain 2, ProbeRTT
// for 200 ms every 10 s, a 10-round bandwidth window, 3 rounds to leave
// Startup, long-term sampling and ACK-aggregation headroom on, a 1% pacing
// margin, and an initial window of 10.
func DefaultBBRConfig() BBRConfig {
	return BBRConfig{
		HighGain:         bbrHighGain,
		CwndGain:         2,
		ProbeRTTInterval: 10 * time.Second,
		ProbeRTTDuration: 200 * time.Millisecond,
		BwWindow:         10,
		FullBwRounds:     3,
		LTBw:             true,
		ExtraAckedGain:   1,
		PacingMargin:     0.01,
		IW:               10,
	}
}

// BBR constants (draft §4, tcp_bbr.c).
const (
	bbrHighGain       = 2.885 // Linux's 2885/1000 ≈ 2/ln2
	bbrCycleLen       = 8
	bbrCycleRand      = 7 // the first phase is drawn from 7 of the 8
	bbrMinCwnd        = 4 // packets: ProbeRTT's cwnd and cwnd's floor
	bbrFullBwThresh   = 1.25
	bbrTSOSegs        = 1 // one segment per transmission (see the file comment)
	bbrExtraAckedWin  = 5 // rounds per half of the extra_acked window
	bbrExtraAckedMax  = 100 * time.Millisecond
	bbrAckEpochMax    = 1 << 20 // packets ACKed before an aggregation epoch restarts
	bbrNoRTT          = time.Duration(math.MaxInt64)
	bbrMaxCwndPackets = InfiniteSsthresh / defaultMSS
)

// bbrCycleGain is the pacing gain of phase i of the ProbeBW cycle 1.25,
// 0.75, 1, 1, 1, 1, 1, 1 (draft §4.3.3).
func bbrCycleGain(i int) float64 {
	switch i {
	case 0:
		return 1.25
	case 1:
		return 0.75
	}
	return 1
}

// bbrMode is BBR's state.
type bbrMode uint8

const (
	bbrStartup bbrMode = iota
	bbrDrain
	bbrProbeBW
	bbrProbeRTT
)

// bbrCAState is the sender's loss state as Linux's icsk_ca_state orders
// it: open, fast recovery, and the loss state after an RTO.
type bbrCAState uint8

const (
	bbrOpen bbrCAState = iota
	bbrRecovery
	bbrLoss
)

// BBR is BBRv1 congestion control (see the file comment for its sources).
// It keeps cwnd in packets, as Linux does, and publishes it in bytes.
//
//   - Model: btl_bw is the max of delivery-rate samples over the last
//     BwWindow packet-timed rounds (app-limited samples count only when
//     they raise it); min_rtt is the lowest RTT sample, replaced by the
//     next sample once it is ProbeRTTInterval old.
//   - Startup: pacing and cwnd gain HighGain, until FullBwRounds (3)
//     rounds in a row, not counting app-limited ones, raise btl_bw by less
//     than 25%.
//   - Drain: pacing gain 1/HighGain until packets in flight fall to the
//     BDP (plus the quantization budget).
//   - ProbeBW: pacing gains 1.25, 0.75, 1, 1, 1, 1, 1, 1 in turn, starting
//     anywhere but 0.75; each phase lasts at least min_rtt, the 1.25 phase
//     until inflight reaches 1.25·BDP or a loss, the 0.75 phase ends early
//     once inflight is down to the BDP; cwnd gain CwndGain.
//   - ProbeRTT: when min_rtt is ProbeRTTInterval old, cwnd is held at 4
//     packets until 200 ms and a round have passed since inflight fell to
//     4, then the saved cwnd comes back and BBR returns to ProbeBW (or
//     Startup if the pipe was never filled).
//   - cwnd = CwndGain·BDP + ACK-aggregation headroom + quantization budget,
//     at least 4 packets; before the pipe is full it only grows (by the
//     packets ACKed), afterwards it moves toward the target, growing by at
//     most the packets ACKed.
//   - Loss: cwnd loses the lost packets; the first round of recovery
//     conserves packets (cwnd = inflight + ACKed); recovery's end restores
//     the cwnd saved at its start. An RTO sets cwnd to 1 packet (after
//     saving it), from which it grows by the packets ACKed until the loss
//     state ends and restores it.
type BBR struct {
	cfg BBRConfig
	mss int
	rng rand.PCG

	mode bbrMode

	// Rounds and delivery bookkeeping.
	round       int64         // packet-timed rounds so far
	nextRound   int64         // Delivered count that ends the current round
	roundStart  bool          // this ACK started a round
	delivered   int64         // bytes delivered (Sample.Delivered)
	deliveredAt time.Duration // time of the latest delivery
	lost        int64         // bytes marked lost
	losses      bbrLossKey    // the last sample whose losses were counted
	now         time.Duration // time of the latest call

	// The model.
	bw          bbrMaxFilter  // delivery rate, payload bytes/s
	minRTT      time.Duration // bbrNoRTT until the first sample
	minRTTStamp time.Duration

	// Startup.
	fullBw        float64
	fullBwCnt     int
	fullBwReached bool

	// ProbeBW.
	cycleIdx   int
	cycleStamp time.Duration
	pacingGain float64
	cwndGain   float64

	// ProbeRTT.
	probeRTTDone      time.Duration
	probeRTTDoneSet   bool
	probeRTTRoundDone bool
	// Packets sent while in ProbeRTT carry a delivered count in
	// [alStart, alEnd]; their rate samples are app-limited. alEnd < 0
	// when no ProbeRTT happened.
	alStart, alEnd int64

	// Loss recovery.
	ca, prevCA   bbrCAState
	conservation bool
	priorCwnd    int  // packets
	rtoBackoff   bool // an RTO fired and nothing was ACKed since

	// Output.
	cwnd       int // packets
	target     int // the last target cwnd, packets (for display)
	pacingRate float64
	hasSeenRTT bool

	lt   bbrLT
	aggr bbrAggregation
}

// NewBBR returns a BBR controller. Out-of-range values in cfg are replaced
// by the defaults; the registry rejects them before they get here.
func NewBBR(cfg BBRConfig) *BBR {
	def := DefaultBBRConfig()
	if !(cfg.HighGain > 1) || math.IsInf(cfg.HighGain, 0) {
		cfg.HighGain = def.HighGain
	}
	if !(cfg.CwndGain >= 1) || math.IsInf(cfg.CwndGain, 0) {
		cfg.CwndGain = def.CwndGain
	}
	if cfg.ProbeRTTInterval <= 0 {
		cfg.ProbeRTTInterval = def.ProbeRTTInterval
	}
	cfg.ProbeRTTDuration = max(cfg.ProbeRTTDuration, 0)
	if cfg.BwWindow < 1 {
		cfg.BwWindow = def.BwWindow
	}
	if cfg.FullBwRounds < 1 {
		cfg.FullBwRounds = def.FullBwRounds
	}
	if !(cfg.ExtraAckedGain >= 0) || math.IsInf(cfg.ExtraAckedGain, 0) {
		cfg.ExtraAckedGain = def.ExtraAckedGain
	}
	if !(cfg.PacingMargin >= 0 && cfg.PacingMargin < 1) {
		cfg.PacingMargin = def.PacingMargin
	}
	cfg.IW = max(cfg.IW, 1)
	return &BBR{cfg: cfg, mss: defaultMSS}
}

// Name implements transport.Controller.
func (b *BBR) Name() string { return "bbr" }

// Init implements transport.Controller (tcp_bbr.c bbr_init): Startup, cwnd
// = IW, pacing at HighGain·IW per millisecond until an RTT is known.
func (b *BBR) Init(c *transport.Control, now time.Duration) {
	*b = BBR{cfg: b.cfg, mss: initMSS(c.MSS)}
	b.rng.Seed(b.cfg.Seed, uint64(now)^0x9e3779b97f4a7c15)
	b.now = now
	b.minRTT = bbrNoRTT
	b.minRTTStamp = now
	b.deliveredAt = now
	b.alEnd = -1
	b.cwnd = b.cfg.IW
	b.resetLT()
	b.aggr.epochStart = now
	b.enterStartup()
	b.updateGains()
	b.initPacingRate(0)
	b.publish(c)
}

// OnAck implements transport.Controller (tcp_bbr.c bbr_main): update the
// model, then set the pacing rate and cwnd from it.
func (b *BBR) OnAck(s *transport.Sample, c *transport.Control) {
	b.now = s.Now
	b.delivered = s.Delivered
	if s.BytesAcked > 0 {
		b.deliveredAt = s.Now
		b.rtoBackoff = false
	}
	b.countLosses(s)
	// The sender's loss state: it may leave recovery without an event
	// (the end of the loss state after an RTO has none).
	switch {
	case !s.InRecovery:
		b.ca = bbrOpen
	case b.ca == bbrOpen:
		b.ca = bbrRecovery
	}
	b.updateModel(s)
	bw := b.bwEstimate()
	b.setPacingRate(s, bw, b.pacingGain)
	b.setCwnd(s, bw)
	b.publish(c)
}

// OnCongestion implements transport.Controller.
//
//   - EventLoss (Linux: tcp_enter_recovery, which calls bbr_ssthresh): save
//     cwnd; the next ACK starts packet conservation.
//   - EventRecoveryEnd: the next ACK restores the saved cwnd.
//   - EventTimeout (Linux: tcp_enter_loss and bbr_set_state(TCP_CA_Loss)):
//     save cwnd unless already in recovery or backing off, cwnd = packets
//     in flight + 1, forget the Startup bandwidth plateau (full_bw = 0),
//     count the RTO as a round end and a loss for long-term sampling.
func (b *BBR) OnCongestion(ev transport.CongestionEvent, s *transport.Sample, c *transport.Control) {
	if s != nil {
		b.now = max(b.now, s.Now)
		b.countLosses(s)
	}
	switch ev {
	case transport.EventLoss:
		if b.ca == bbrOpen {
			b.saveCwnd()
			b.ca = bbrRecovery
		}
	case transport.EventRecoveryEnd:
		if b.ca == bbrRecovery {
			b.ca = bbrOpen
		}
	case transport.EventTimeout:
		if b.ca == bbrOpen || b.ca == bbrLoss && !b.rtoBackoff {
			b.saveCwnd()
		}
		inflight := 0
		if s != nil {
			inflight = s.PacketsInFlight
		}
		b.cwnd = inflight + 1
		b.ca, b.prevCA = bbrLoss, bbrLoss
		b.rtoBackoff = true
		b.fullBw = 0
		b.roundStart = true
		if b.cfg.LTBw {
			b.ltSample(true, false)
		}
	}
	b.publish(c)
}

// bbrLossKey identifies a sample whose losses were counted, so that a
// sample handed to OnCongestion and then to OnAck counts once.
type bbrLossKey struct {
	now       time.Duration
	delivered int64
	lost      int
}

// countLosses adds the sample's newly lost bytes to the running total
// (Linux's tp->lost) once.
func (b *BBR) countLosses(s *transport.Sample) {
	if s.LostBytes <= 0 {
		return
	}
	k := bbrLossKey{now: s.Now, delivered: s.Delivered, lost: s.LostBytes}
	if k == b.losses {
		return
	}
	b.losses = k
	b.lost += int64(s.LostBytes)
}

func (b *BBR) publish(c *transport.Control) {
	c.Cwnd = b.cwnd * b.mss
	c.PacingRate = b.pacingRate
	c.Ssthresh = 0 // BBR has no slow-start threshold
}

// bbrScheme is bbr's registry entry.
func bbrScheme() Scheme {
	return Scheme{
		Name: "bbr",
		Doc:  "BBR v1: model-based, paces at the estimated bottleneck bandwidth and caps inflight near 2 BDP (draft-cardwell-iccrg-bbr-congestion-control-00, Linux tcp_bbr.c)",
		Params: []Param{
			{Name: "high_gain", Doc: "Startup's pacing and cwnd gain; Drain paces at its inverse (2/ln2 ≈ 2.885 doubles the rate each round)", Default: bbrHighGain, Min: 1.1, Max: 10},
			{Name: "cwnd_gain", Doc: "ProbeBW's cwnd gain: cwnd = cwnd_gain·BDP + a few packets", Default: 2, Min: 1, Max: 10},
			{Name: "probe_rtt_interval", Doc: "min_rtt filter window: ProbeRTT starts when min_rtt was not refreshed for this long", Unit: "s", Default: 10, Min: 0.1, Max: 3600},
			{Name: "probe_rtt_duration", Doc: "time ProbeRTT holds inflight at 4 packets (and at least one round); 0 never enters ProbeRTT", Unit: "ms", Default: 200, Min: 0, Max: 10000},
			{Name: "bw_window", Doc: "window of the btl_bw max filter", Unit: "rounds", Default: 10, Min: 2, Max: 1000, Kind: KindInt},
			{Name: "full_bw_rounds", Doc: "rounds without 25% bandwidth growth that end Startup", Unit: "rounds", Default: 3, Min: 1, Max: 100, Kind: KindInt},
			{Name: "lt_bw", Doc: "long-term bandwidth sampling: detect a token-bucket policer from sustained loss and pace at its rate (Linux)", Default: 1, Min: 0, Max: 1, Kind: KindBool},
			{Name: "extra_acked_gain", Doc: "cwnd headroom for data ACKed faster than btl_bw (ACK aggregation, Linux 5.1+); 0 turns it off", Default: 1, Min: 0, Max: 10},
			{Name: "pacing_margin", Doc: "pace this far below pacing_gain·btl_bw (Linux: 1%)", Unit: "%", Default: 1, Min: 0, Max: 50},
			{Name: "seed", Doc: "seeds the random choice of the first ProbeBW phase (mixed with the flow's start time)", Default: 0, Min: 0, Max: 1<<53 - 1, Kind: KindInt},
			iwParam(),
		},
		New: func(p Params) transport.Controller {
			return NewBBR(BBRConfig{
				HighGain:         p.Get("high_gain"),
				CwndGain:         p.Get("cwnd_gain"),
				ProbeRTTInterval: time.Duration(p.Get("probe_rtt_interval") * float64(time.Second)),
				ProbeRTTDuration: time.Duration(p.Get("probe_rtt_duration") * float64(time.Millisecond)),
				BwWindow:         p.Int("bw_window"),
				FullBwRounds:     p.Int("full_bw_rounds"),
				LTBw:             p.Bool("lt_bw"),
				ExtraAckedGain:   p.Get("extra_acked_gain"),
				PacingMargin:     p.Get("pacing_margin") / 100,
				Seed:             uint64(p.Get("seed")),
				IW:               p.Int("iw"),
			})
		},
	}
}
