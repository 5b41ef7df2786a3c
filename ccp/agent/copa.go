// copa.go is Copa (Arun & Balakrishnan, NSDI 2018) on CCP.
//
// The program reports every half base RTT (or at once on a loss or
// timeout). Copa's target rate is 1/(δ·d_q) packets per second, d_q the
// queueing delay (report's min RTT − base RTT): the window grows while
// cwnd/RTT is below it and shrinks while above, by velocity/(δ·cwnd)
// packets per acked packet; the velocity doubles after three RTTs of
// moving the same way. δ is default_delta (0.5), or in "TCP-cooperative"
// mode (while the RTT window does not rule out competing buffer-filling
// flows) 1/δ grows by one per report and halves on a loss; over 10% loss
// switches to a loss mode. Slow start doubles the window per RTT until
// the first decrease. The agent sends Cwnd and Rate = 2·cwnd/base RTT
// after every report.
//
// Reference: github.com/venkatarun95/ccp_copa src/lib.rs,
// src/delta_manager.rs, src/rtt_window.rs, src/agg_measurement.rs at
// 30a8ecd (portus 0.5), with its constants (1460/1448-byte packets, 1/16
// srtt gain, a 2000 B/s rate floor). Deviations (reference bugs, not
// replicated):
//   - the agent updates the program's base RTT variable by its name,
//     basertt; the reference sends "base_rtt", which the program does not
//     declare (portus rejects it and the reference's unwrap panics);
//   - the RTT window keeps max(10 s, 30·srtt) of samples; the reference
//     turns that length into a cut-off time and then subtracts it from
//     now again, so in the first 10 s it kept only the newest sample (no
//     queueing delay ever seen) and afterwards never dropped any;
//   - "base RTT changed" means changed by the latest sample; the
//     reference's flag, once set, stayed set;
//   - no Rate is sent before the first RTT sample: the reference sends
//     2·cwnd/u32::MAX, floored to 2000 B/s, which stalls a paced flow
//     until its first report;
//   - the RTT history is also capped at 65536 samples (the reference's
//     grew without bound);
//   - the reference's u64 subtractions that can underflow early in a flow
//     (now − base RTT, last − 10·srtt) are done as signed comparisons, its
//     asserts are dropped, and a report missing a variable is logged and
//     ignored.
package agent

import (
	"log/slog"
	"math"
	"sync"
)

// copaProg is the name of Copa's program.
const copaProg = "copa"

// Copa's constants (the reference's).
const (
	copaDefaultDelta     = 0.5
	copaPktIncrease      = 1460 // bytes per packet in the increase test
	copaPktChange        = 1448 // bytes per packet in the window change
	copaMinRate          = 2000 // bytes/s
	copaReportInterval   = 0.5  // of the smoothed RTT
	copaSRTTGain         = 1.0 / 16
	copaWindowMin        = 10_000_000 // µs of RTT history, at least
	copaWindowSRTTs      = 30
	copaMaxRTTSamples    = 1 << 16 // bound on the RTT history
	copaMaxVelocity      = 0xffff
	copaIncreaseHistory  = 40
	copaTCPDetectSamples = 10
)

// CopaConfig configures copa.
type CopaConfig struct {
	// InitCwnd is the initial window in bytes; 0 takes the datapath's.
	InitCwnd uint32
	// DefaultDelta is δ in the default mode, in (0, 1].
	DefaultDelta float64
	// NoTCPMode keeps δ at DefaultDelta instead of switching to the
	// TCP-cooperative mode when competing flows may be present.
	NoTCPMode bool
}

// NewCopa is Copa with cfg (a DefaultDelta outside (0, 1] means 0.5), its
// flows using env's log.
func NewCopa(cfg CopaConfig, env Env) Alg {
	if !(cfg.DefaultDelta > 0 && cfg.DefaultDelta <= 1) {
		cfg.DefaultDelta = copaDefaultDelta
	}
	return &copaAlg{cfg: cfg, env: env.withDefaults()}
}

func copaBuiltin() builtin {
	return builtin{
		info: AlgInfo{
			Name: "copa",
			Doc:  "Copa: target rate 1/(δ·queueing delay), velocity, TCP-cooperative δ",
			Ref:  "github.com/venkatarun95/ccp_copa src/lib.rs",
			Params: []Param{
				initCwndParam("initial congestion window; 0 takes the datapath's"),
				{Name: "default_delta", Doc: "δ in the default mode (smaller is more aggressive)", Default: copaDefaultDelta, Min: 0.001, Max: 1, Kind: ParamReal},
				{Name: "tcp_mode", Doc: "switch δ to the TCP-cooperative mode when buffer-filling flows may compete", Default: 1, Max: 1, Kind: ParamBool},
			},
		},
		build: func(p params, env Env) Alg {
			return NewCopa(CopaConfig{InitCwnd: p.u32("init_cwnd"), DefaultDelta: p.f("default_delta"), NoTCPMode: !p.b("tcp_mode")}, env)
		},
	}
}

type copaAlg struct {
	cfg CopaConfig
	env Env
}

func (a *copaAlg) Name() string { return "copa" }

// Programs is the reference's program; its report variables are, in
// order: acked (bytes), sacked (packets), loss (packets), inflight
// (packets), timeout, rtt (µs), now (µs, Ack.now), minrtt (µs).
func (a *copaAlg) Programs() map[string]string {
	return map[string]string{copaProg: `
(def
    (Report
        (volatile acked 0)
        (volatile sacked 0)
        (volatile loss 0)
        (volatile inflight 0)
        (volatile timeout 0)
        (volatile rtt 0)
        (volatile now 0)
        (volatile minrtt +infinity)
    )
    (basertt +infinity)
)
(when true
    (:= Report.acked (+ Report.acked Ack.bytes_acked))
    (:= Report.inflight Flow.packets_in_flight)
    (:= Report.rtt Flow.rtt_sample_us)
    (:= Report.minrtt (min Report.minrtt Flow.rtt_sample_us))
    (:= basertt (min basertt Flow.rtt_sample_us))
    (:= Report.sacked (+ Report.sacked Ack.packets_misordered))
    (:= Report.loss Ack.lost_pkts_sample)
    (:= Report.timeout Flow.was_timeout)
    (:= Report.now Ack.now)
    (fallthrough)
)
(when (|| Flow.was_timeout (> Report.loss 0))
    (:= Micros 0)
    (report)
)
(when (> Micros (/ basertt 2))
    (:= Micros 0)
    (report)
)
`}
}

func (a *copaAlg) NewFlow(dp Datapath, info FlowInfo) Flow {
	initCwnd := flowInitCwnd(a.cfg.InitCwnd, info)
	f := &copaFlow{
		dp:        dp,
		log:       flowLog(a.env.Log, "copa", info),
		cwnd:      initCwnd,
		initCwnd:  initCwnd,
		delta:     newCopaDelta(a.cfg.DefaultDelta, !a.cfg.NoTCPMode),
		slowStart: true,
		rttWin:    newCopaRTTWindow(),
		velocity:  1,
		agg:       copaAgg{minRTT: maxU32},
	}
	sc, err := dp.SetProgram(copaProg)
	if err != nil {
		f.log.Error("cannot set program", "program", copaProg, "err", err)
		return f
	}
	f.sc, f.installed = sc, true
	f.update()
	return f
}

// copaFlow is one Copa connection.
type copaFlow struct {
	dp  Datapath
	log *slog.Logger

	mu                 sync.Mutex
	sc                 Scope
	installed, closed  bool
	delta              copaDelta
	cwnd, initCwnd     uint32 // bytes
	slowStart          bool
	rttWin             copaRTTWindow
	velocity           uint32
	curDirection       int64
	prevDirection      int64
	timeSinceDirection uint64 // µs
	prevUpdateRTT      uint64 // µs
	agg                copaAgg
}

// rate is the pacing rate for the window: 2·cwnd/base RTT, at least
// 2000 B/s; ok is false before any RTT sample.
func (f *copaFlow) rate() (rate uint32, ok bool) {
	base := f.rttWin.baseRTT
	if base == maxU32 || base == 0 {
		return 0, false
	}
	r := 2 * uint64(f.cwnd) * 1_000_000 / uint64(base)
	return uint32(min(max(r, copaMinRate), maxU32)), true
}

// update sends Cwnd and Rate.
func (f *copaFlow) update() {
	fields := []Field{fieldOf("Cwnd", f.cwnd)}
	if rate, ok := f.rate(); ok {
		fields = append(fields, fieldOf("Rate", rate))
	}
	if err := f.dp.Update(f.sc, fields...); err != nil {
		f.log.Warn("Cwnd and Rate update error", "err", err)
	}
}

func (f *copaFlow) Close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
}

func (f *copaFlow) OnReport(r Report) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || !f.installed {
		return
	}
	a, err := f.agg.report(r, f.sc)
	if err != nil {
		logReportError(f.log, r, err)
		return
	}
	switch {
	case a.status == copaUrgent:
		if a.timeout {
			f.cwnd = f.initCwnd
			f.slowStart = true
			f.log.Warn("timeout", "cwnd_pkts", f.cwnd/copaPktChange)
		}
		f.delta.report(&f.rttWin, 0, a.loss, a.now)
	case a.status == copaNoReport || uint64(a.acked)+uint64(a.loss)+uint64(a.sacked) == 0:
		// nothing to act on yet
	default:
		if f.rttWin.newSample(a.minRTT, a.now) {
			if err := f.dp.Update(f.sc, fieldOf("basertt", f.rttWin.baseRTT)); err != nil {
				f.log.Warn("basertt update error", "err", err)
			}
		}
		f.delta.report(&f.rttWin, a.acked, a.loss, a.now)
		f.delayControl(a.minRTT, a.acked, a.now)
	}
	f.update()
	f.log.Debug("report", "acked", a.acked, "cwnd_pkts", f.cwnd/copaPktIncrease, "loss", a.loss,
		"delta", f.delta.delta, "min_rtt_us", a.minRTT, "base_rtt_us", f.rttWin.baseRTT,
		"velocity", f.velocity, "mode", f.delta.mode.String())
}

// delayControl moves the window toward Copa's target rate.
func (f *copaFlow) delayControl(rtt, actualAcked uint32, now uint64) {
	base := f.rttWin.baseRTT
	queueing := float64(rtt) - float64(base)
	if rtt < base {
		queueing = 0
	}
	// cwnd/rtt below the target rate 1/(δ·d_q) (packets): increase.
	increase := uint64(rtt)*copaPktIncrease > satU64(queueing*f.delta.delta*float64(f.cwnd))

	// Reports can come much later than asked, with a huge acked.
	acked := min(actualAcked, f.cwnd)

	if increase {
		f.curDirection++
	} else {
		f.curDirection--
	}
	if f.velocity > 1 && ((increase && f.prevDirection < 0) || (!increase && f.prevDirection > 0)) {
		f.velocity = 1
		f.timeSinceDirection = now
	}
	if int64(now)-int64(f.prevUpdateRTT) >= 2*int64(rtt) && !f.slowStart {
		if (f.prevDirection > 0 && f.curDirection > 0) || (f.prevDirection < 0 && f.curDirection < 0) {
			if int64(now)-int64(f.timeSinceDirection) > 3*int64(rtt) {
				f.velocity *= 2
			}
		} else {
			f.velocity = 1
			f.timeSinceDirection = now
		}
		f.velocity = min(f.velocity, copaMaxVelocity)
		f.prevDirection = f.curDirection
		f.curDirection = 0
		f.prevUpdateRTT = now
	}

	if f.slowStart {
		if increase {
			f.cwnd = satAdd32(f.cwnd, acked)
		} else {
			f.slowStart = false
		}
		return
	}
	velocity := uint64(1)
	if (increase && f.prevDirection > 0) || (!increase && f.prevDirection < 0) {
		velocity = uint64(f.velocity)
	}
	// In TCP mode δ changes with time; account for it.
	delta := f.delta.delta
	if !increase && f.delta.mode == copaModeTCP {
		delta = 1 / (1 + 1/delta)
	}
	denom := max(satU64(float64(f.cwnd)*delta), 1)
	change := uint32(min(velocity*copaPktChange*uint64(acked)/denom, maxU32))
	switch {
	case increase:
		f.cwnd = satAdd32(f.cwnd, change)
	case uint64(change)+uint64(f.initCwnd) > uint64(f.cwnd):
		f.cwnd = f.initCwnd
		f.velocity = 1
		f.timeSinceDirection = now
	default:
		f.cwnd -= change
	}
}

// satU64 converts a float as Rust's `as u64` does.
func satU64(x float64) uint64 {
	switch {
	case math.IsNaN(x) || x <= 0:
		return 0
	case x >= math.MaxUint64:
		return math.MaxUint64
	}
	return uint64(x)
}

// copaStatus is what the aggregator makes of a report.
type copaStatus uint8

const (
	copaNoReport copaStatus = iota // too soon: keep aggregating
	copaReport                     // an interval's worth: act on it
	copaUrgent                     // a loss or timeout
)

// copaAgg aggregates reports until half a smoothed RTT has passed (the
// reference's AggMeasurement: "CCP may return before the specified
// time").
type copaAgg struct {
	srtt           float64 // µs
	lastReportTime uint64
	acked, sacked  uint32
	rtt, minRTT    uint32
}

// copaAggregate is one aggregated measurement.
type copaAggregate struct {
	status                copaStatus
	timeout               bool
	acked, sacked, loss   uint32
	inflight, rtt, minRTT uint32
	now                   uint64 // µs since the datapath started
}

func (g *copaAgg) report(r Report, sc Scope) (copaAggregate, error) {
	rr := reportReader{r: r, sc: sc}
	acked := rr.u32("acked")
	sacked := rr.u32("sacked")
	timeout := rr.u32("timeout")
	inflight := rr.u32("inflight")
	loss := rr.u32("loss")
	rtt := rr.u32("rtt")
	now := rr.u64("now")
	minRTT := rr.u32("minrtt")
	if rr.err != nil {
		return copaAggregate{}, rr.err
	}

	g.acked = satAdd32(g.acked, acked)
	g.sacked = sacked
	g.minRTT = min(g.minRTT, minRTT)
	if timeout == 1 || loss > 0 {
		return copaAggregate{status: copaUrgent, timeout: timeout == 1, loss: loss, now: now}, nil
	}
	if rtt != 0 {
		g.rtt = rtt
		g.srtt = copaSRTTGain*float64(rtt) + (1-copaSRTTGain)*g.srtt
	}
	if now > 0 && int64(g.lastReportTime) < int64(now)-int64(g.srtt*copaReportInterval) {
		a := copaAggregate{status: copaReport, acked: g.acked, sacked: g.sacked, loss: loss,
			inflight: inflight, rtt: g.rtt, minRTT: g.minRTT, now: now}
		g.lastReportTime = now
		g.acked, g.sacked, g.rtt, g.minRTT = 0, 0, 0, maxU32
		return a, nil
	}
	return copaAggregate{status: copaNoReport, now: now}, nil
}

// copaMode is how δ is chosen.
type copaMode uint8

const (
	copaModeDefault copaMode = iota // δ = default_delta
	copaModeTCP                     // TCP-cooperative: AIMD on 1/δ
	copaModeLoss                    // over 10% loss
)

func (m copaMode) String() string {
	switch m {
	case copaModeTCP:
		return "tcp"
	case copaModeLoss:
		return "loss"
	}
	return "const"
}

// copaDelta chooses δ (the reference's DeltaManager).
type copaDelta struct {
	auto            bool
	defaultDelta    float64
	prevLossCycle   uint64
	prevLossRate    float64
	curAcked        uint32
	curLosses       uint32
	prevLossRedTime uint64
	mode            copaMode
	delta           float64
}

func newCopaDelta(defaultDelta float64, auto bool) copaDelta {
	mode := copaModeDefault
	if auto {
		mode = copaModeTCP
	}
	return copaDelta{auto: auto, defaultDelta: defaultDelta, mode: mode, delta: 0.5}
}

// report updates the loss rate, the mode and δ for a report.
func (d *copaDelta) report(w *copaRTTWindow, acked, lost uint32, now uint64) {
	d.curAcked = satAdd32(d.curAcked, acked)
	d.curLosses = satAdd32(d.curLosses, lost)
	if now > d.prevLossCycle+2*uint64(w.baseRTT) {
		d.prevLossCycle = now
		if total := uint64(d.curLosses) + uint64(d.curAcked); total > 0 {
			d.prevLossRate = float64(d.curLosses) / float64(total)
		}
		d.curAcked, d.curLosses = 0, 0
	}

	switch {
	case d.prevLossRate >= 0.1:
		d.mode = copaModeLoss
	case d.auto && (w.numTCPDetectSamples() < copaTCPDetectSamples || w.tcpDetected()):
		d.mode = copaModeTCP
	default:
		d.mode = copaModeDefault
		d.delta = d.defaultDelta
	}

	switch d.mode {
	case copaModeDefault:
		d.delta = d.defaultDelta
	case copaModeTCP:
		if lost > 0 {
			if int64(now)-int64(w.baseRTT) > int64(d.prevLossRedTime) {
				d.delta *= 2
				d.prevLossRedTime = now
			}
		} else {
			d.delta = 1 / (1 + 1/d.delta)
		}
		d.delta = min(d.delta, d.defaultDelta)
	case copaModeLoss:
		if lost > 0 {
			d.delta *= 2
		}
		d.delta = min(d.delta, d.defaultDelta)
	}
}

// copaRTTSample is one RTT measurement and when it was reported.
type copaRTTSample struct {
	rtt uint32
	at  uint64
}

// copaRTTWindow keeps the recent RTTs: the base RTT, the smoothed RTT and
// whether the RTT trend suggests buffer-filling competition (the
// reference's RTTWindow).
type copaRTTWindow struct {
	baseRTT uint32 // µs; maxU32 before any sample
	srtt    uint32
	samples []copaRTTSample
	// increase records, every 2 base RTTs, whether the min RTT rose.
	increase                 []bool
	lastIncreaseAt           uint64
	curMinRTT, prevMinRTT    uint32
	numIncrease, numDecrease uint32
}

func newCopaRTTWindow() copaRTTWindow {
	// prevMinRTT starts at 0 to bias toward TCP mode.
	return copaRTTWindow{baseRTT: maxU32, curMinRTT: maxU32}
}

// newSample records rtt at now and reports whether the base RTT changed.
func (w *copaRTTWindow) newSample(rtt uint32, now uint64) bool {
	before := w.baseRTT
	keep := max(uint64(copaWindowMin), copaWindowSRTTs*uint64(w.srtt))

	w.samples = append(w.samples, copaRTTSample{rtt: rtt, at: now})
	w.baseRTT = min(w.baseRTT, rtt)
	if w.srtt == 0 {
		w.srtt = rtt
	} else {
		w.srtt = uint32((1-copaSRTTGain)*float64(w.srtt) + copaSRTTGain*float64(rtt))
	}

	if len(w.increase) == 0 || int64(w.lastIncreaseAt) < int64(now)-2*int64(w.baseRTT) {
		inc := w.curMinRTT > w.prevMinRTT
		w.increase = append(w.increase, inc)
		w.lastIncreaseAt = now
		w.prevMinRTT = w.curMinRTT
		w.curMinRTT = maxU32
		if inc {
			w.numIncrease++
		} else {
			w.numDecrease++
		}
	}
	w.curMinRTT = min(w.curMinRTT, rtt)

	w.clearOld(now, keep)
	return w.baseRTT != before
}

// clearOld drops samples older than keep µs (always keeping the newest)
// and increase records beyond the last 40.
func (w *copaRTTWindow) clearOld(now, keep uint64) {
	drop, recompute := 0, false
	for drop < len(w.samples)-1 && (len(w.samples)-drop > copaMaxRTTSamples || int64(w.samples[drop].at) < int64(now)-int64(keep)) {
		if w.samples[drop].rtt <= w.baseRTT {
			recompute = true
		}
		drop++
	}
	if drop > 0 {
		w.samples = append(w.samples[:0], w.samples[drop:]...)
	}
	if recompute {
		w.baseRTT = maxU32
		for _, s := range w.samples {
			w.baseRTT = min(w.baseRTT, s.rtt)
		}
	}
	for len(w.increase) > copaIncreaseHistory {
		if w.increase[0] {
			w.numIncrease--
		} else {
			w.numDecrease--
		}
		w.increase = w.increase[1:]
	}
}

// tcpDetected reports whether the RTTs of the last 10 srtt stayed well
// above the base RTT (a buffer-filling flow keeps the queue from
// draining).
func (w *copaRTTWindow) tcpDetected() bool {
	if len(w.samples) == 0 {
		return false
	}
	last := w.samples[len(w.samples)-1].at
	cutoff := int64(last) - 10*int64(w.srtt)
	minRTT, maxRTT := uint32(maxU32), uint32(0)
	for _, s := range w.samples {
		if int64(s.at) > cutoff {
			minRTT = min(minRTT, s.rtt)
			maxRTT = max(maxRTT, s.rtt)
		}
	}
	if maxRTT < w.baseRTT { // no sample in the span (srtt 0)
		maxRTT = w.baseRTT
	}
	thresh := uint64(w.baseRTT) + uint64(maxRTT-w.baseRTT)/10 + 100
	return uint64(minRTT) > thresh
}

// numTCPDetectSamples is how many increase records there are.
func (w *copaRTTWindow) numTCPDetectSamples() uint32 { return w.numIncrease + w.numDecrease }
