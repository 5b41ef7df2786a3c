// bbr.go is CCP's simplified BBR: PROBE_BW and PROBE_RTT only.
//
// init_program measures the minimum RTT and the largest delivery rate
// (min of send and receive rate) and reports on every ACK once a min RTT
// has passed; the first report switches to probe_bw. probe_bw pulses the
// pacing rate through 3/4, 1 and 5/4 of the bottleneck rate (phases ending
// at 1, 2 and 8 min RTTs) and sets Cwnd to cwndCap = 2·rate·min RTT. The
// bottleneck rate is the largest rate reported (it never decays); when no
// smaller RTT has been seen for probe_rtt_interval (10 s), probe_rtt holds
// the window at 4 packets until that has lasted over 200 ms and over an
// RTT, then reports the new min RTT and BBR returns to probe_bw.
//
// Reference: github.com/ccp-project/bbr src/lib.rs and src/bin/bbr.rs at
// f4b6d13 (portus 0.6), followed exactly (programs token for token, the
// initial bottle rate of 125000 B/s and min RTT of 1 s, the order of
// updates and program changes). The clock is the host's (Env.Now). A
// report missing a variable is logged and ignored (the reference panics).
package agent

import (
	"log/slog"
	"sync"
	"time"
)

// Names of bbr's programs.
const (
	bbrProgInit     = "init_program"
	bbrProgProbeBW  = "probe_bw"
	bbrProgProbeRTT = "probe_rtt"
)

// BBR's constants (the reference's).
const (
	bbrDefaultProbeRTTInterval = 10 * time.Second
	bbrInitBottleRate          = 125_000   // bytes/s (1 Mbit/s)
	bbrInitMinRTT              = 1_000_000 // µs
	bbrProbeRTTMinRTT          = 0x3fff_ffff
	bbrProbeRTTPackets         = 4
)

// BBRConfig configures bbr.
type BBRConfig struct {
	// ProbeRTTInterval is how long without a smaller RTT before PROBE_RTT.
	ProbeRTTInterval time.Duration
}

// NewBBR is CCP's BBR with cfg (a zero ProbeRTTInterval means 10 s), its
// flows using env's clock and log.
func NewBBR(cfg BBRConfig, env Env) Alg {
	if cfg.ProbeRTTInterval <= 0 {
		cfg.ProbeRTTInterval = bbrDefaultProbeRTTInterval
	}
	return &bbrAlg{cfg: cfg, env: env.withDefaults()}
}

func bbrBuiltin() builtin {
	return builtin{
		info: AlgInfo{
			Name: "bbr",
			Doc:  "simplified BBR: pace at 3/4, 1, 5/4 × bottleneck rate, cwnd 2·BDP, PROBE_RTT every 10 s",
			Ref:  "github.com/ccp-project/bbr src/lib.rs",
			Params: []Param{
				{Name: "probe_rtt_interval", Doc: "time without a smaller RTT before PROBE_RTT", Unit: "s", Default: 10, Min: 1, Max: 3600, Kind: ParamInt},
			},
		},
		build: func(p params, env Env) Alg {
			return NewBBR(BBRConfig{ProbeRTTInterval: time.Duration(p.u32("probe_rtt_interval")) * time.Second}, env)
		},
	}
}

type bbrAlg struct {
	cfg BBRConfig
	env Env
}

func (a *bbrAlg) Name() string { return "bbr" }

func (a *bbrAlg) Programs() map[string]string {
	return map[string]string{
		bbrProgInit: `
(def
    (Report
        (volatile loss 0)
        (minrtt +infinity)
        (volatile rate 0)
        (pulseState 0)
    )
)
(when true
    (:= Report.loss (+ Report.loss Ack.lost_pkts_sample))
    (:= Report.minrtt (min Report.minrtt Flow.rtt_sample_us))
    (:= Report.rate (max Report.rate (min Flow.rate_outgoing Flow.rate_incoming)))
    (:= Report.pulseState 5)
    (fallthrough)
)
(when (> Micros Report.minrtt)
    (report)
)
`,
		bbrProgProbeRTT: `
(def
    (Report (volatile minrtt +infinity))
    (volatile target_inflight_reached 0)
)
(when true
    (:= Report.minrtt (min Report.minrtt Flow.rtt_sample_us))
    (fallthrough)
)
(when (&& (== target_inflight_reached 0)
          (|| (< Flow.packets_in_flight 4) (== Flow.packets_in_flight 4)))
    (:= target_inflight_reached 1)
    (:= Micros 0)
)
(when (&& (== target_inflight_reached 1)
          (&& (> Micros Flow.rtt_sample_us) (> Micros 200000))
      )
    (:= Micros 0)
    (report)
)
`,
		bbrProgProbeBW: `
(def
    (Report
        (volatile loss 0)
        (volatile minrtt +infinity)
        (volatile rate 0)
        (pulseState 0)
    )
    (pulseState 0)
    (cwndCap 0)
    (bottleRate 0)
    (threeFourthsRate 0)
    (fiveFourthsRate 0)
)
(when true
    (:= Report.loss (+ Report.loss Ack.lost_pkts_sample))
    (:= Report.minrtt (min Report.minrtt Flow.rtt_sample_us))
    (:= Report.pulseState pulseState)
    (:= Report.rate (max Report.rate (min Flow.rate_outgoing Flow.rate_incoming)))
    (fallthrough)
)
(when (&& (> Micros Report.minrtt) (== pulseState 0))
    (:= Rate threeFourthsRate)
    (:= pulseState 1)
    (report)
)
(when (&& (> Micros (* Report.minrtt 2)) (== pulseState 1))
    (:= Rate bottleRate)
    (:= pulseState 2)
    (report)
)
(when (&& (> Micros (* Report.minrtt 8)) (== pulseState 2))
    (:= pulseState 0)
    (:= Cwnd cwndCap)
    (:= Rate fiveFourthsRate)
    (:= Micros 0)
    (report)
)
`,
	}
}

func (a *bbrAlg) NewFlow(dp Datapath, info FlowInfo) Flow {
	now := a.env.Now()
	f := &bbrFlow{
		dp:            dp,
		log:           flowLog(a.env.Log, "bbr", info),
		now:           a.env.Now,
		interval:      a.cfg.ProbeRTTInterval,
		bottleRate:    bbrInitBottleRate,
		minRTTus:      bbrInitMinRTT,
		minRTTTimeout: now + a.cfg.ProbeRTTInterval,
		mode:          bbrProbeBW,
		mss:           flowMSS(info),
		init:          true,
	}
	sc, err := dp.SetProgram(bbrProgInit, fieldOf("Cwnd", flowInitCwnd(0, info)))
	if err != nil {
		f.log.Error("cannot set program", "program", bbrProgInit, "err", err)
		return f
	}
	f.sc, f.installed = sc, true
	return f
}

type bbrMode uint8

const (
	bbrProbeBW bbrMode = iota
	bbrProbeRTT
)

// bbrFlow is one bbr connection.
type bbrFlow struct {
	dp       Datapath
	log      *slog.Logger
	now      func() time.Duration
	interval time.Duration
	mss      uint32

	mu            sync.Mutex
	sc            Scope
	installed     bool
	closed        bool
	bottleRate    float64 // bytes/s
	minRTTus      uint32
	minRTTTimeout time.Duration
	mode          bbrMode
	init          bool // still running init_program
}

// update sends fields to the program in scope.
func (f *bbrFlow) update(fields ...Field) {
	if err := f.dp.Update(f.sc, fields...); err != nil {
		f.log.Warn("Cwnd and rate update error", "err", err)
	}
}

// setProgram switches programs; on failure the flow keeps the old one.
func (f *bbrFlow) setProgram(name string, fields ...Field) bool {
	sc, err := f.dp.SetProgram(name, fields...)
	if err != nil {
		f.log.Error("cannot set program", "program", name, "err", err)
		return false
	}
	f.sc = sc
	return true
}

// rates are the bottle rate and its 3/4 and 5/4, as u32 fields.
func (f *bbrFlow) rates() (rate, threeFourths, fiveFourths uint32) {
	return sat32(f.bottleRate), sat32(f.bottleRate * 0.75), sat32(f.bottleRate * 1.25)
}

// cwndCap is 2·bottle rate·min RTT.
func (f *bbrFlow) cwndCap() uint32 {
	return sat32(f.bottleRate * 2 * float64(f.minRTTus) / 1e6)
}

// replaceProbeBWRate updates probe_bw's rates and cap after the bottle
// rate grew.
func (f *bbrFlow) replaceProbeBWRate() {
	rate, threeFourths, fiveFourths := f.rates()
	f.update(fieldOf("bottleRate", rate), fieldOf("threeFourthsRate", threeFourths),
		fieldOf("fiveFourthsRate", fiveFourths), fieldOf("cwndCap", f.cwndCap()))
	f.log.Info("PROBE_BW: updating rate", "cwnd", f.cwndCap(), "bottle_rate_Bps", rate)
}

// installProbeBW sets Cwnd and Rate for pulse state 0 (in the current
// program, as the reference does) and switches to probe_bw.
func (f *bbrFlow) installProbeBW() {
	rate, threeFourths, fiveFourths := f.rates()
	cwndCap := f.cwndCap()
	f.log.Info("switching to PROBE_BW", "cwnd", cwndCap, "bottle_rate_Bps", rate, "min_rtt_us", f.minRTTus)
	f.update(fieldOf("Cwnd", cwndCap), fieldOf("Rate", fiveFourths))
	f.setProgram(bbrProgProbeBW, fieldOf("cwndCap", cwndCap), fieldOf("bottleRate", rate),
		fieldOf("threeFourthsRate", threeFourths), fieldOf("fiveFourthsRate", fiveFourths))
}

func (f *bbrFlow) Close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
}

func (f *bbrFlow) OnReport(r Report) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || !f.installed {
		return
	}
	if r.UID != f.sc.UID { // a report of the program before the last change
		f.log.Debug("ignoring stale report", "program", r.Program, "uid", r.UID)
		return
	}
	now := f.now()
	rr := reportReader{r: r, sc: f.sc}
	switch f.mode {
	case bbrProbeRTT:
		minRTT := rr.u32("minrtt")
		if rr.err != nil {
			logReportError(f.log, r, rr.err)
			return
		}
		f.minRTTus = minRTT
		f.minRTTTimeout = now + f.interval
		f.installProbeBW()
		f.mode = bbrProbeBW
		f.log.Info("PROBE_RTT done", "min_rtt_us", f.minRTTus)

	case bbrProbeBW:
		minRTT := rr.u32("minrtt")
		rr.u32("loss")
		rate := float64(rr.u32("rate"))
		rr.u32("pulseState")
		if rr.err != nil {
			logReportError(f.log, r, rr.err)
			return
		}
		f.log.Debug("probe_bw", "rate_Bps", rate, "bottle_rate_Bps", f.bottleRate)

		if minRTT < f.minRTTus {
			// probe_bw's own minrtt drives its phases, so only the cap
			// needs updating.
			f.minRTTus = minRTT
			f.minRTTTimeout = now + f.interval
			f.log.Info("new min_rtt", "min_rtt_us", f.minRTTus)
			if !f.init {
				f.update(fieldOf("cwndCap", f.cwndCap()))
			}
		}

		if now > f.minRTTTimeout {
			f.mode = bbrProbeRTT
			f.log.Info("switching to PROBE_RTT", "min_rtt_us", f.minRTTus)
			f.minRTTus = bbrProbeRTTMinRTT
			if f.setProgram(bbrProgProbeRTT) {
				f.update(fieldOf("Cwnd", satMul32(bbrProbeRTTPackets, f.mss)))
			}
			return
		}

		if f.bottleRate < rate {
			f.bottleRate = rate
			if !f.init {
				f.replaceProbeBWRate()
			}
		}

		if f.init {
			f.installProbeBW()
			f.init = false
		}
	}
}

// satMul32 is a·b, saturating.
func satMul32(a, b uint32) uint32 {
	p := uint64(a) * uint64(b)
	if p > maxU32 {
		return maxU32
	}
	return uint32(p)
}
