// gca.go is generic-cong-avoid, the report-driven core that reno
// (gca_reno.go) and cubic (gca_cubic.go) share: the datapath programs that
// collect acked/sacked/loss/timeout/rtt/inflight, slow start up to
// ss_thresh, the cwnd-reduction deficit after a loss, timeouts and sending
// Cwnd to the datapath.
//
// Reference: github.com/ccp-project/generic-cong-avoid src/lib.rs and
// src/bin_helper.rs at 6c2411f (0.5.0, portus 0.8). The programs are the
// reference's, token for token. Deviations (reference bugs, not
// replicated):
//   - the deficit timeout waits deficit_timeout RTTs; the reference reads
//     the RTT (µs) as milliseconds, waiting 1000× longer;
//   - a report missing a variable, or a stale one, is logged and ignored
//     (the reference panics).
//
// Kept as the reference has it: with ss_in_fold, the first report (the
// first loss) sets the window to the packets in flight and then slow
// start adds that report's acked bytes on top, although the datapath
// already grew Cwnd by them.
package agent

import (
	"log/slog"
	"math"
	"sync"
	"time"
)

// Names of generic-cong-avoid's datapath programs.
const (
	gcaProgInterval = "DatapathIntervalProg"    // report every reportTime µs
	gcaProgRTT      = "DatapathIntervalRTTProg" // report every RTT (default)
	gcaProgAck      = "AckUpdateProg"           // report every ACK (per_ack)
	gcaProgSS       = "SSUpdateProg"            // slow start in the datapath (ss_in_fold)
)

// gcaDefaultSSThresh is the reference's DEFAULT_SS_THRESH (bytes).
const gcaDefaultSSThresh = 0x7fff_ffff

// gcaPrograms are the reference's four programs. All four report, in
// this order: acked (bytes), sacked (packets), loss (packets), timeout,
// rtt (µs), inflight (packets).
func gcaPrograms() map[string]string {
	return map[string]string{
		gcaProgInterval: `
(def
    (Report
        (volatile acked 0)
        (volatile sacked 0)
        (volatile loss 0)
        (volatile timeout false)
        (volatile rtt 0)
        (volatile inflight 0)
    )
    (reportTime 0)
)
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
(when (> Micros reportTime)
    (report)
    (:= Micros 0)
)
`,
		gcaProgRTT: `
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
`,
		gcaProgAck: `
(def (Report
    (volatile acked 0)
    (volatile sacked 0)
    (volatile loss 0)
    (volatile timeout false)
    (volatile rtt 0)
    (volatile inflight 0)
))
(when true
    (:= Report.acked (+ Report.acked Ack.bytes_acked))
    (:= Report.sacked (+ Report.sacked Ack.packets_misordered))
    (:= Report.loss Ack.lost_pkts_sample)
    (:= Report.timeout Flow.was_timeout)
    (:= Report.rtt Flow.rtt_sample_us)
    (:= Report.inflight Flow.packets_in_flight)
    (report)
)
`,
		gcaProgSS: `
(def (Report
    (volatile acked 0)
    (volatile sacked 0)
    (volatile loss 0)
    (volatile timeout false)
    (volatile rtt 0)
    (volatile inflight 0)
))
(when true
    (:= Report.acked (+ Report.acked Ack.bytes_acked))
    (:= Report.sacked (+ Report.sacked Ack.packets_misordered))
    (:= Report.loss Ack.lost_pkts_sample)
    (:= Report.timeout Flow.was_timeout)
    (:= Report.rtt Flow.rtt_sample_us)
    (:= Report.inflight Flow.packets_in_flight)
    (:= Cwnd (+ Cwnd Ack.bytes_acked))
    (fallthrough)
)
(when (|| Report.timeout (> Report.loss 0))
    (report)
)
`,
	}
}

// GCAConfig configures generic-cong-avoid (the reference's command-line
// options).
type GCAConfig struct {
	// InitCwnd is the initial window in bytes; 0 takes the datapath's.
	InitCwnd uint32
	// SSThresh is the slow-start threshold in bytes.
	SSThresh uint32
	// SSInFold does slow start in the datapath (SSUpdateProg) until the
	// first loss or timeout.
	SSInFold bool
	// PerAck reports every ACK (AckUpdateProg).
	PerAck bool
	// ReportInterval reports at this interval (DatapathIntervalProg)
	// instead of once per RTT; 0 means per RTT. Ignored with PerAck.
	ReportInterval time.Duration
	// Compensate overshoots slow start's increase (acked/ln 2) to make up
	// for reporting delay.
	Compensate bool
	// DeficitTimeout is how many RTTs after a reduction the cwnd deficit
	// is forgiven (a new loss may reduce cwnd again); 0 enforces the
	// deficit strictly.
	DeficitTimeout uint32
}

// DefaultGCAConfig is the reference's defaults — the datapath's initial
// window, ss_thresh 0x7fffffff, slow start in the agent, reports per RTT —
// except the deficit timeout: 1 RTT, where the reference's default is 0
// (strict). With the strict rule a flow whose first reduction leaves it
// above the path's capacity never reduces again: every report carries
// losses or SACKs, so the deficit is never paid, and the flow sits there
// with persistent loss (19% for reno on the workbench's default link,
// against 0.5% for native reno). deficit_timeout=0 restores it.
func DefaultGCAConfig() GCAConfig { return GCAConfig{SSThresh: gcaDefaultSSThresh, DeficitTimeout: 1} }

// gcaMeasurements is one report (the reference's
// GenericCongAvoidMeasurements).
type gcaMeasurements struct {
	acked    uint32 // bytes
	sacked   uint32 // packets
	loss     uint32 // packets
	rtt      uint32 // µs
	inflight uint32 // packets
	timeout  bool
}

// gcaWindow is the algorithm-specific part (the reference's
// GenericCongAvoidFlow).
type gcaWindow interface {
	// cwnd is the current window in bytes.
	cwnd() uint32
	// setCwnd overrides the window (bytes).
	setCwnd(bytes uint32)
	// increase grows the window for acked bytes without loss.
	increase(m gcaMeasurements)
	// reduction shrinks it on a loss.
	reduction(m gcaMeasurements)
	// reset forgets the algorithm's state after a timeout.
	reset()
}

// gcaAlg is a generic-cong-avoid algorithm (reno or cubic).
type gcaAlg struct {
	name      string
	cfg       GCAConfig
	env       Env
	newWindow func(initCwnd, mss uint32, now func() time.Duration) gcaWindow
}

func (a *gcaAlg) Name() string                { return a.name }
func (a *gcaAlg) Programs() map[string]string { return gcaPrograms() }

// reportProgram is the program that reports after slow start, with its
// initial fields.
func (a *gcaAlg) reportProgram() (string, []Field) {
	switch {
	case a.cfg.PerAck:
		return gcaProgAck, nil
	case a.cfg.ReportInterval > 0:
		return gcaProgInterval, []Field{fieldOf("reportTime", sat32(float64(a.cfg.ReportInterval.Microseconds())))}
	}
	return gcaProgRTT, nil
}

func (a *gcaAlg) NewFlow(dp Datapath, info FlowInfo) Flow {
	mss := flowMSS(info)
	initCwnd := flowInitCwnd(a.cfg.InitCwnd, info)
	f := &gcaFlow{
		alg:      a,
		dp:       dp,
		log:      flowLog(a.env.Log, a.name, info),
		now:      a.env.Now,
		w:        a.newWindow(initCwnd, mss, a.env.Now),
		initCwnd: initCwnd,
		mss:      mss,
		ssThresh: a.cfg.SSThresh,
	}
	f.lastReduction = f.now() - 500*time.Millisecond
	if a.cfg.SSInFold {
		f.install(gcaProgSS, nil)
		f.inStartup = true
	} else {
		f.install(a.reportProgram())
	}
	return f
}

// gcaFlow is one generic-cong-avoid connection.
type gcaFlow struct {
	alg *gcaAlg
	dp  Datapath
	log *slog.Logger
	now func() time.Duration
	w   gcaWindow

	mu            sync.Mutex
	sc            Scope
	installed     bool // sc is a program the datapath accepted
	closed        bool
	initCwnd      uint32 // bytes
	mss           uint32 // bytes
	ssThresh      uint32 // bytes
	rtt           uint32 // µs, of the last report
	inStartup     bool   // running SSUpdateProg
	deficit       uint32 // packets of the last loss not yet acked over
	lastReduction time.Duration
}

// install switches the flow to a program; on failure it keeps the old one.
func (f *gcaFlow) install(name string, fields []Field) {
	sc, err := f.dp.SetProgram(name, fields...)
	if err != nil {
		f.log.Error("cannot set program", "program", name, "err", err)
		return
	}
	f.sc, f.installed = sc, true
}

// sendCwnd sends the window to the datapath.
func (f *gcaFlow) sendCwnd() {
	if err := f.dp.Update(f.sc, fieldOf("Cwnd", f.w.cwnd())); err != nil {
		f.log.Warn("Cwnd update error", "err", err)
	}
}

func (f *gcaFlow) Close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
}

func (f *gcaFlow) OnReport(r Report) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || !f.installed {
		return
	}
	rr := reportReader{r: r, sc: f.sc}
	m := gcaMeasurements{
		acked:    rr.u32("acked"),
		sacked:   rr.u32("sacked"),
		timeout:  rr.u32("timeout") == 1,
		inflight: rr.u32("inflight"),
		loss:     rr.u32("loss"),
		rtt:      rr.u32("rtt"),
	}
	if rr.err != nil {
		logReportError(f.log, r, rr.err)
		return
	}

	if f.inStartup {
		// The first report of SSUpdateProg (a loss or timeout) ends slow
		// start in the datapath: report as configured from now on, and
		// take the window the datapath reached.
		f.install(f.alg.reportProgram())
		f.w.setCwnd(sat32(float64(m.inflight) * float64(f.mss)))
		f.inStartup = false
	}

	f.rtt = m.rtt
	if m.timeout {
		f.handleTimeout()
		return
	}
	m.acked = f.slowStartIncrease(m.acked)
	f.w.increase(m)
	f.maybeReduceCwnd(m)
	if f.deficit > 0 {
		f.log.Debug("in cwnd reduction", "acked_pkts", m.acked/f.mss, "deficit", f.deficit)
		return
	}
	f.sendCwnd()
	f.log.Debug("report", "acked_pkts", m.acked/f.mss, "cwnd_pkts", f.w.cwnd()/f.mss,
		"inflight_pkts", m.inflight, "loss", m.loss, "ssthresh", f.ssThresh, "rtt_us", m.rtt)
}

// handleTimeout halves ss_thresh (not below the initial window) and
// restarts from the initial window.
func (f *gcaFlow) handleTimeout() {
	f.ssThresh = max(f.ssThresh/2, f.initCwnd)
	f.w.reset()
	f.w.setCwnd(f.initCwnd)
	f.deficit = 0
	f.log.Warn("timeout", "cwnd_pkts", f.initCwnd/f.mss, "ssthresh", f.ssThresh)
	f.sendCwnd()
}

// maybeReduceCwnd reduces the window once per loss event: a loss while no
// deficit is outstanding (or a partial ACK while the window sits at
// ss_thresh) reduces it and sets ss_thresh to the result; the lost and
// sacked packets become a deficit that clean ACKs pay back before the
// window is sent again.
func (f *gcaFlow) maybeReduceCwnd(m gcaMeasurements) {
	switch {
	case m.loss > 0 || m.sacked > 0:
		if to := f.alg.cfg.DeficitTimeout; to > 0 {
			wait := time.Duration(float64(f.rtt)*float64(to)) * time.Microsecond
			if f.now()-f.lastReduction > wait {
				f.deficit = 0
			}
		}
		if (m.loss > 0 && f.deficit == 0) || (m.acked > 0 && f.w.cwnd() == f.ssThresh) {
			f.w.reduction(m)
			f.lastReduction = f.now()
			f.ssThresh = f.w.cwnd()
			f.sendCwnd()
		}
		f.deficit = satAdd32(f.deficit, satAdd32(m.sacked, m.loss))
	case m.acked < f.deficit:
		// As the reference: acked (bytes) is compared with the deficit
		// (packets), so any clean report acknowledging a few bytes more
		// than the deficit's packet count clears it. Paying it back
		// packet by packet instead would leave a flow with losses in
		// every report (a window far above the path's) stuck at its
		// first reduction.
		f.deficit -= m.acked / f.mss
	default:
		f.deficit = 0
	}
}

// slowStartIncrease grows the window by the acked bytes while it is below
// ss_thresh and returns the acked bytes left for congestion avoidance.
func (f *gcaFlow) slowStartIncrease(acked uint32) uint32 {
	cwnd := f.w.cwnd()
	if cwnd >= f.ssThresh {
		return acked
	}
	if uint64(cwnd)+uint64(acked) > uint64(f.ssThresh) {
		f.w.setCwnd(f.ssThresh)
		return acked - (f.ssThresh - cwnd)
	}
	if f.alg.cfg.Compensate {
		// Deliberately overshoot to make up for the throughput lost to
		// infrequent updates while the window grows exponentially.
		f.w.setCwnd(sat32(float64(cwnd) + math.Floor(float64(acked)/math.Ln2)))
	} else {
		f.w.setCwnd(cwnd + acked)
	}
	return 0
}

// satAdd32 is a+b, saturating.
func satAdd32(a, b uint32) uint32 {
	if s := a + b; s >= a {
		return s
	}
	return maxU32
}

// gcaParams are generic-cong-avoid's options (the reference's flags).
func gcaParams() []Param {
	return []Param{
		initCwndParam("initial congestion window; 0 takes the datapath's"),
		{Name: "ss_thresh", Doc: "slow start threshold", Unit: "bytes", Default: gcaDefaultSSThresh, Min: 0, Max: math.MaxInt32, Kind: ParamInt},
		{Name: "ss_in_fold", Doc: "do slow start in the datapath (SSUpdateProg) until the first loss", Kind: ParamBool, Max: 1},
		{Name: "per_ack", Doc: "report every ACK (AckUpdateProg)", Kind: ParamBool, Max: 1},
		{Name: "report_interval_ms", Doc: "report at this interval (DatapathIntervalProg); 0 reports once per RTT", Unit: "ms", Min: 0, Max: 60000, Kind: ParamInt},
		{Name: "compensate_update", Doc: "scale slow start's increase by 1/ln 2 to make up for reporting delay", Kind: ParamBool, Max: 1},
		{Name: "deficit_timeout", Doc: "RTTs after a reduction before another loss may reduce again; 0 waits until the losses are acked over (the reference's default)", Unit: "RTTs", Default: 1, Min: 0, Max: 1000, Kind: ParamInt},
	}
}

// gcaCheck rejects contradictory options (the reference's clap group).
func gcaCheck(p params) error {
	if p.b("per_ack") && p.f("report_interval_ms") > 0 {
		return errConflict("per_ack", "report_interval_ms")
	}
	return nil
}

// gcaConfig reads the options.
func gcaConfig(p params) GCAConfig {
	return GCAConfig{
		InitCwnd:       p.u32("init_cwnd"),
		SSThresh:       p.u32("ss_thresh"),
		SSInFold:       p.b("ss_in_fold"),
		PerAck:         p.b("per_ack"),
		ReportInterval: time.Duration(p.u32("report_interval_ms")) * time.Millisecond,
		Compensate:     p.b("compensate_update"),
		DeficitTimeout: p.u32("deficit_timeout"),
	}
}
