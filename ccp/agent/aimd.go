// aimd.go is aimd: additive increase, multiplicative decrease, once per
// report (per RTT, or at once on a loss or timeout). A report with lost or
// sacked packets multiplies the window by md (½); otherwise it grows by
// ai MSS per window of acked bytes. The window never goes below the
// initial one (init_cwnd segments).
//
// Reference: github.com/ccp-project/portus python/example/aimd.py at
// a948935 (v0.8.0), whose program ("default", the same as
// generic-cong-avoid's DatapathIntervalRTTProg) is kept token for token.
// Its constants (10-segment initial window, +1 MSS, ½) are the defaults of
// init_cwnd, ai and md. Like the reference it does not treat a timeout
// specially.
package agent

import (
	"log/slog"
	"sync"
)

// aimdProg is the name of aimd's program.
const aimdProg = "default"

// AIMDConfig configures aimd.
type AIMDConfig struct {
	// InitPackets is the initial (and least) window in segments.
	InitPackets uint32
	// AI is the increase in segments per window of acked bytes.
	AI float64
	// MD is the factor the window is multiplied by on a loss, in (0, 1).
	MD float64
}

// DefaultAIMDConfig is the reference's: 10 segments, +1, ×½.
func DefaultAIMDConfig() AIMDConfig { return AIMDConfig{InitPackets: 10, AI: 1, MD: 0.5} }

// NewAIMD is aimd with cfg, its flows using env's log. Zero or invalid
// fields take DefaultAIMDConfig's.
func NewAIMD(cfg AIMDConfig, env Env) Alg {
	def := DefaultAIMDConfig()
	if cfg.InitPackets == 0 {
		cfg.InitPackets = def.InitPackets
	}
	if !(cfg.AI > 0) {
		cfg.AI = def.AI
	}
	if !(cfg.MD > 0 && cfg.MD < 1) {
		cfg.MD = def.MD
	}
	return &aimdAlg{cfg: cfg, env: env.withDefaults()}
}

func aimdBuiltin() builtin {
	return builtin{
		info: AlgInfo{
			Name: "aimd",
			Doc:  "AIMD per report: +ai MSS per window acked, ×md on loss or sack",
			Ref:  "github.com/ccp-project/portus python/example/aimd.py",
			Params: []Param{
				{Name: "init_cwnd", Doc: "initial and least window", Unit: "segments", Default: 10, Min: 1, Max: 100000, Kind: ParamInt},
				{Name: "ai", Doc: "additive increase per window of acked bytes", Unit: "segments", Default: 1, Min: 0.01, Max: 1000, Kind: ParamReal},
				{Name: "md", Doc: "multiplicative decrease factor on loss", Default: 0.5, Min: 0.01, Max: 0.99, Kind: ParamReal},
			},
		},
		build: func(p params, env Env) Alg {
			return NewAIMD(AIMDConfig{InitPackets: p.u32("init_cwnd"), AI: p.f("ai"), MD: p.f("md")}, env)
		},
	}
}

type aimdAlg struct {
	cfg AIMDConfig
	env Env
}

func (a *aimdAlg) Name() string { return "aimd" }

// Programs is the reference's program; it reports, in order: acked
// (bytes), sacked, loss (packets), timeout, rtt (µs), inflight (packets).
func (a *aimdAlg) Programs() map[string]string {
	return map[string]string{aimdProg: `
(def (Report
    (volatile acked 0)
    (volatile sacked 0)
    (volatile loss 0)
    (volatile timeout false)
    (volatile rtt 0)
    (volatile inflight 0)
))
(when true
    (:= Report.inflight Flow.packets_in_flight)
    (:= Report.rtt Flow.rtt_sample_us)
    (:= Report.acked (+ Report.acked Ack.bytes_acked))
    (:= Report.sacked (+ Report.sacked Ack.packets_misordered))
    (:= Report.loss Ack.lost_pkts_sample)
    (:= Report.timeout Flow.was_timeout)
    (fallthrough)
)
(when (|| Report.timeout (> Report.loss 0))
    (report)
    (:= Micros 0)
)
(when (> Micros Flow.rtt_sample_us)
    (report)
    (:= Micros 0)
)
`}
}

func (a *aimdAlg) NewFlow(dp Datapath, info FlowInfo) Flow {
	mss := float64(flowMSS(info))
	initCwnd := mss * float64(a.cfg.InitPackets)
	f := &aimdFlow{
		dp:       dp,
		log:      flowLog(a.env.Log, "aimd", info),
		cfg:      a.cfg,
		mss:      mss,
		initCwnd: initCwnd,
		cwnd:     initCwnd,
	}
	sc, err := dp.SetProgram(aimdProg, fieldOf("Cwnd", sat32(initCwnd)))
	if err != nil {
		f.log.Error("cannot set program", "program", aimdProg, "err", err)
		return f
	}
	f.sc, f.installed = sc, true
	return f
}

// aimdFlow is one aimd connection; the window is a float in bytes.
type aimdFlow struct {
	dp  Datapath
	log *slog.Logger
	cfg AIMDConfig
	mss float64

	mu                sync.Mutex
	sc                Scope
	installed, closed bool
	initCwnd, cwnd    float64
}

func (f *aimdFlow) OnReport(r Report) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || !f.installed {
		return
	}
	rr := reportReader{r: r, sc: f.sc}
	acked, sacked, loss := rr.u32("acked"), rr.u32("sacked"), rr.u32("loss")
	rtt, inflight := rr.u32("rtt"), rr.u32("inflight")
	if rr.err != nil {
		logReportError(f.log, r, rr.err)
		return
	}
	if loss > 0 || sacked > 0 {
		f.cwnd *= f.cfg.MD
	} else {
		f.cwnd += f.cfg.AI * f.mss * (float64(acked) / f.cwnd)
	}
	f.cwnd = max(f.cwnd, f.initCwnd)
	f.log.Debug("report", "acked", acked, "rtt_us", rtt, "inflight", inflight, "cwnd", f.cwnd)
	if err := f.dp.Update(f.sc, fieldOf("Cwnd", sat32(f.cwnd))); err != nil {
		f.log.Warn("Cwnd update error", "err", err)
	}
}

func (f *aimdFlow) Close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
}
