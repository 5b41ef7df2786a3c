// gca_reno.go is Reno on generic-cong-avoid (gca.go): one MSS more per
// window of acked bytes, half the window (not below the initial one) on a
// loss.
//
// Reference: github.com/ccp-project/generic-cong-avoid src/reno.rs at
// 6c2411f (0.5.0, portus 0.8).
package agent

import "time"

// NewReno is generic-cong-avoid's Reno with cfg, its flows using env's
// clock and log (zero fields take the defaults, see Env).
func NewReno(cfg GCAConfig, env Env) Alg {
	return &gcaAlg{name: "reno", cfg: cfg, env: env.withDefaults(), newWindow: newRenoWindow}
}

func renoBuiltin() builtin {
	return builtin{
		info: AlgInfo{
			Name:   "reno",
			Doc:    "Reno on generic-cong-avoid: +1 MSS per window acked, halve on loss",
			Ref:    "github.com/ccp-project/generic-cong-avoid src/reno.rs",
			Params: gcaParams(),
		},
		check: gcaCheck,
		build: func(p params, env Env) Alg { return NewReno(gcaConfig(p), env) },
	}
}

// renoWindow keeps the window in bytes as a float, as the reference does.
type renoWindow struct {
	mss, initCwnd, window float64
}

func newRenoWindow(initCwnd, mss uint32, _ func() time.Duration) gcaWindow {
	return &renoWindow{mss: float64(mss), initCwnd: float64(initCwnd), window: float64(initCwnd)}
}

func (w *renoWindow) cwnd() uint32     { return sat32(w.window) }
func (w *renoWindow) setCwnd(b uint32) { w.window = float64(b) }
func (w *renoWindow) reset()           {}
func (w *renoWindow) increase(m gcaMeasurements) {
	if w.window <= 0 {
		w.window = w.initCwnd
	}
	w.window += w.mss * (float64(m.acked) / w.window)
}

func (w *renoWindow) reduction(gcaMeasurements) {
	w.window /= 2
	if w.window <= w.initCwnd {
		w.window = w.initCwnd
	}
}
