// builtin.go holds what the built-in algorithms (gca*.go, bbr.go, copa.go,
// const.go, aimd.go) share: the Env a host gives them (clock and log) and
// small helpers for reading reports and building fields.
package agent

import (
	"errors"
	"log/slog"
	"math"
	"time"
)

// Env is what the built-in algorithms take from their host.
//
// Now is the time source of the timers some of them keep (cubic's epoch,
// bbr's PROBE_RTT interval, generic-cong-avoid's deficit timeout): the time
// since any fixed origin, monotonic. A host running an experiment in
// virtual time must pass the experiment's clock; nil means the wall clock
// (monotonic time since the algorithm was made), which is what the
// reference implementations use. Now may be called from the goroutines
// that deliver reports.
//
// Log receives what the flows have to say: reports they cannot use
// (a missing field is logged and the report ignored; a stale report is
// logged at debug level), datapath errors, mode changes. nil discards it.
type Env struct {
	Now func() time.Duration
	Log *slog.Logger
}

// withDefaults fills in a wall clock and a discarding log.
func (e Env) withDefaults() Env {
	if e.Now == nil {
		start := time.Now()
		e.Now = func() time.Duration { return time.Since(start) }
	}
	if e.Log == nil {
		e.Log = slog.New(slog.DiscardHandler)
	}
	return e
}

// Defaults the reference datapaths use when a CREATE leaves them out.
const (
	defaultMSS         = 1448 // bytes, when a CREATE says mss 0
	defaultInitPackets = 10   // RFC 6928, when a CREATE says init_cwnd 0
	maxU32             = math.MaxUint32
)

// flowMSS is info.MSS, or defaultMSS when the datapath sent 0 (the
// algorithms divide by it).
func flowMSS(info FlowInfo) uint32 {
	if info.MSS == 0 {
		return defaultMSS
	}
	return info.MSS
}

// flowInitCwnd is override if non-zero, else the datapath's initial
// window, else defaultInitPackets segments.
func flowInitCwnd(override uint32, info FlowInfo) uint32 {
	switch {
	case override != 0:
		return override
	case info.InitCwnd != 0:
		return info.InitCwnd
	}
	return defaultInitPackets * flowMSS(info)
}

// flowLog is the algorithm's log with the flow's identity attached.
func flowLog(log *slog.Logger, alg string, info FlowInfo) *slog.Logger {
	return log.With("alg", alg, "sock", info.SockID)
}

// sat32 converts x to a u32 field value the way Rust's `as u32` does for
// floats: NaN and negatives give 0, too-large values saturate.
func sat32(x float64) uint32 {
	switch {
	case math.IsNaN(x) || x <= 0:
		return 0
	case x >= maxU32:
		return maxU32
	}
	return uint32(x)
}

// fieldOf is a Field with a u32 value (portus's (&str, u32)).
func fieldOf(name string, v uint32) Field { return Field{Name: name, Value: uint64(v)} }

// reportReader reads several variables of a report in one scope, keeping
// the first error so a caller checks once.
type reportReader struct {
	r   Report
	sc  Scope
	err error
}

// u64 is the variable's value, or 0 after an error.
func (rr *reportReader) u64(name string) uint64 {
	if rr.err != nil {
		return 0
	}
	v, err := rr.r.Get(rr.sc, name)
	if err != nil {
		rr.err = err
	}
	return v
}

// u32 is the variable's value as portus's algorithms read it (`as u32`:
// the low 32 bits).
func (rr *reportReader) u32(name string) uint32 { return uint32(rr.u64(name)) }

// logReportError logs why a report was not used: a stale report (the flow
// has switched programs since it was sent) is routine and logged at debug
// level, anything else (a report missing a variable) is a warning.
func logReportError(log *slog.Logger, r Report, err error) {
	if errors.Is(err, ErrStaleProgram) {
		log.Debug("ignoring stale report", "program", r.Program, "uid", r.UID)
		return
	}
	log.Warn("ignoring unusable report", "program", r.Program, "uid", r.UID, "err", err)
}
