// const.go is const: a fixed congestion window, or a fixed pacing rate
// under a window cap, set once when the flow starts and kept for its life.
// Its program reports the RTT, receive and send rates and losses once per
// RTT, which the agent only logs.
//
// Reference: github.com/ccp-project/const src/lib.rs and
// src/bin/ccp_const.rs at 9f40d4a (portus 0.5), whose algorithm is named
// "constant" (here "const"; the program keeps the name "constant").
// Deviations: the program stores Flow.rate_incoming in Report.rin and
// Flow.rate_outgoing in Report.rout (the reference has them the wrong way
// round); parameters are in bytes and bytes/s (the reference's command
// line takes 1500-byte packets and Mbit/s); without a cwnd the window is
// the datapath's initial one, and a rate without a cwnd_cap is capped at
// 2³¹−1 bytes (the reference requires one of cwnd or rate, and a cwnd_cap
// with a rate).
package agent

import (
	"log/slog"
	"math"
	"sync"
)

// constProg is the name of const's program.
const constProg = "constant"

// constUncapped is the window a rate is paced under without a cwnd_cap.
const constUncapped = math.MaxInt32

// ConstConfig configures const. Rate 0 sets only the window.
type ConstConfig struct {
	// Cwnd is the window in bytes without a rate; 0 takes the datapath's
	// initial window.
	Cwnd uint32
	// Rate is the pacing rate in bytes/s; 0 sets no rate.
	Rate uint32
	// CwndCap is the window in bytes under a rate; 0 is 2³¹−1.
	CwndCap uint32
}

// NewConst is const with cfg, its flows using env's log.
func NewConst(cfg ConstConfig, env Env) Alg { return &constAlg{cfg: cfg, env: env.withDefaults()} }

func constBuiltin() builtin {
	return builtin{
		info: AlgInfo{
			Name: "const",
			Doc:  "a constant window, or a constant rate under a window cap",
			Ref:  "github.com/ccp-project/const src/lib.rs",
			Params: []Param{
				{Name: "cwnd", Doc: "the window; 0 keeps the datapath's initial window", Unit: "bytes", Min: 0, Max: math.MaxInt32, Kind: ParamInt},
				{Name: "rate", Doc: "pace at this rate instead (with cwnd_cap as the window); 0 sets no rate", Unit: "bytes/s", Min: 0, Max: math.MaxUint32, Kind: ParamInt},
				{Name: "cwnd_cap", Doc: "the window under a rate; 0 is no cap (2147483647)", Unit: "bytes", Min: 0, Max: math.MaxInt32, Kind: ParamInt},
			},
		},
		check: func(p params) error {
			if p.f("rate") > 0 && p.f("cwnd") > 0 {
				return errConflict("cwnd", "rate")
			}
			if p.f("cwnd_cap") > 0 && p.f("rate") == 0 {
				return errNeeds("cwnd_cap", "rate")
			}
			return nil
		},
		build: func(p params, env Env) Alg {
			return NewConst(ConstConfig{Cwnd: p.u32("cwnd"), Rate: p.u32("rate"), CwndCap: p.u32("cwnd_cap")}, env)
		},
	}
}

type constAlg struct {
	cfg ConstConfig
	env Env
}

func (a *constAlg) Name() string { return "const" }

// Programs is the reference's program (with rin and rout fixed); it
// reports, in order: rtt (µs), rin, rout (bytes/s), loss (packets).
func (a *constAlg) Programs() map[string]string {
	return map[string]string{constProg: `
(def (Report
    (volatile rtt 0)
    (volatile rin 0)
    (volatile rout 0)
    (volatile loss 0)
))
(when true
    (:= Report.rtt Flow.rtt_sample_us)
    (:= Report.rin Flow.rate_incoming)
    (:= Report.rout Flow.rate_outgoing)
    (:= Report.loss (+ Report.loss Ack.lost_pkts_sample))
    (fallthrough)
)
(when (> Micros Flow.rtt_sample_us)
    (report)
    (:= Micros 0)
)
`}
}

// fields are the values the flow starts with.
func (a *constAlg) fields(info FlowInfo) []Field {
	if a.cfg.Rate == 0 {
		return []Field{fieldOf("Cwnd", flowInitCwnd(a.cfg.Cwnd, info))}
	}
	cwndCap := a.cfg.CwndCap
	if cwndCap == 0 {
		cwndCap = constUncapped
	}
	return []Field{fieldOf("Cwnd", cwndCap), fieldOf("Rate", a.cfg.Rate)}
}

func (a *constAlg) NewFlow(dp Datapath, info FlowInfo) Flow {
	f := &constFlow{log: flowLog(a.env.Log, "const", info)}
	sc, err := dp.SetProgram(constProg, a.fields(info)...)
	if err != nil {
		f.log.Error("cannot set program", "program", constProg, "err", err)
		return f
	}
	f.sc, f.installed = sc, true
	return f
}

// constFlow is one const connection: it only logs its reports.
type constFlow struct {
	log *slog.Logger

	mu                sync.Mutex
	sc                Scope
	installed, closed bool
}

func (f *constFlow) OnReport(r Report) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || !f.installed {
		return
	}
	rr := reportReader{r: r, sc: f.sc}
	rtt, rin, rout, loss := rr.u32("rtt"), rr.u32("rin"), rr.u32("rout"), rr.u32("loss")
	if rr.err != nil {
		logReportError(f.log, r, rr.err)
		return
	}
	f.log.Debug("report", "rtt_us", rtt, "rin_Bps", rin, "rout_Bps", rout, "loss_pkts", loss)
}

func (f *constFlow) Close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
}
