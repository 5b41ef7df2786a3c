// gca_cubic.go is Cubic on generic-cong-avoid (gca.go). The window is kept
// in packets; every acked packet runs the cubic update: after a loss at
// W_max the window follows W(t) = C·(t−K)³ + W_max, K = ∛(W_max·β/C), with
// C = 0.4 and a multiplicative decrease to (1−β)·W, β = 0.3; fast
// convergence lowers W_max to W·(2−β)/2 when a loss comes below the last
// W_max; TCP-friendliness keeps the window at least Reno's estimate
// W_tcp, which grows 3β/(2−β) packets per window acked.
//
// Reference: github.com/ccp-project/generic-cong-avoid src/cubic.rs at
// 6c2411f (0.5.0, portus 0.8), followed exactly, including its time
// argument t = now − d_min − epoch_start (RFC 8312 and Linux use
// now + d_min − epoch_start; kept so the window matches the reference's)
// and its strict "cwnd_cnt > cnt". The clock is the host's (Env.Now), not
// the wall clock, so cubic runs in the experiment's time.
package agent

import (
	"math"
	"time"
)

// NewCubic is generic-cong-avoid's Cubic with cfg, its flows using env's
// clock and log (zero fields take the defaults, see Env).
func NewCubic(cfg GCAConfig, env Env) Alg {
	return &gcaAlg{name: "cubic", cfg: cfg, env: env.withDefaults(), newWindow: newCubicWindow}
}

func cubicBuiltin() builtin {
	return builtin{
		info: AlgInfo{
			Name:   "cubic",
			Doc:    "Cubic on generic-cong-avoid: W(t) = 0.4·(t−K)³ + W_max, β = 0.3",
			Ref:    "github.com/ccp-project/generic-cong-avoid src/cubic.rs",
			Params: gcaParams(),
		},
		check: gcaCheck,
		build: func(p params, env Env) Alg { return NewCubic(gcaConfig(p), env) },
	}
}

// Cubic's constants (the reference's new_flow).
const (
	cubicC    = 0.4
	cubicBeta = 0.3
	// cubicDefaultDMin is d_min before any RTT sample.
	cubicDefaultDMin = 100 * time.Millisecond
	// cubicMaxAcksPerReport bounds the per-packet loop for a report
	// claiming absurdly many acked bytes (65536 packets is 95 MB of
	// 1448-byte packets in one report).
	cubicMaxAcksPerReport = 1 << 16
)

// cubicWindow is the reference's Cubic struct; windows are in packets.
type cubicWindow struct {
	now      func() time.Duration
	pktSize  uint32
	initCwnd uint32 // packets

	window          float64 // packets
	cwndCnt         float64
	tcpFriendliness bool
	fastConvergence bool
	wlastMax        float64
	epochStart      time.Duration
	haveEpoch       bool
	originPoint     float64
	dMin            time.Duration
	haveDMin        bool
	wtcp            float64
	k               float64
	ackCnt          float64
	cnt             float64
}

func newCubicWindow(initCwnd, mss uint32, now func() time.Duration) gcaWindow {
	return &cubicWindow{
		now:             now,
		pktSize:         mss,
		initCwnd:        initCwnd / mss,
		window:          float64(initCwnd / mss),
		tcpFriendliness: true,
		fastConvergence: true,
	}
}

func (w *cubicWindow) cwnd() uint32 { return sat32(w.window * float64(w.pktSize)) }

func (w *cubicWindow) setCwnd(b uint32) { w.window = float64(b) / float64(w.pktSize) }

// target is the cubic window at t seconds into the epoch.
func (w *cubicWindow) target(t float64) float64 {
	d := t - w.k
	return w.originPoint + cubicC*d*d*d
}

// update is the reference's cubic_update, run once per acked packet (all
// the packets of a report at the same time, now).
func (w *cubicWindow) update(now time.Duration) {
	w.ackCnt++
	if !w.haveEpoch {
		w.epochStart, w.haveEpoch = now, true
		if w.window < w.wlastMax {
			w.k = math.Cbrt(max((w.wlastMax-w.window)/cubicC, 0))
			w.originPoint = w.wlastMax
		} else {
			w.k = 0
			w.originPoint = w.window
		}
		w.ackCnt = 1
		w.wtcp = w.window
	}
	dMin := cubicDefaultDMin
	if w.haveDMin {
		dMin = w.dMin
	}
	t := max(now-dMin-w.epochStart, 0).Seconds()
	if target := w.target(t); target > w.window {
		w.cnt = w.window / (target - w.window)
	} else {
		w.cnt = 100 * w.window
	}
	if w.tcpFriendliness {
		w.friendliness()
	}
}

// friendliness is the reference's cubic_tcp_friendliness: grow W_tcp as
// Reno with Cubic's β would and never grow slower than it.
func (w *cubicWindow) friendliness() {
	w.wtcp += (3 * cubicBeta / (2 - cubicBeta)) * (w.ackCnt / w.window)
	w.ackCnt = 0
	if w.wtcp > w.window {
		if maxCnt := w.window / (w.wtcp - w.window); w.cnt > maxCnt {
			w.cnt = maxCnt
		}
	}
}

func (w *cubicWindow) increase(m gcaMeasurements) {
	rtt := time.Duration(m.rtt) * time.Microsecond
	acks := min(m.acked/w.pktSize, cubicMaxAcksPerReport)
	now := w.now()
	for range acks {
		if !w.haveDMin || rtt < w.dMin {
			w.dMin, w.haveDMin = rtt, true
		}
		w.update(now)
		if w.cwndCnt > w.cnt {
			w.window++
			w.cwndCnt = 0
		} else {
			w.cwndCnt++
		}
	}
}

func (w *cubicWindow) reduction(gcaMeasurements) {
	w.haveEpoch = false
	if w.window < w.wlastMax && w.fastConvergence {
		w.wlastMax = w.window * ((2 - cubicBeta) / 2)
	} else {
		w.wlastMax = w.window
	}
	w.window *= 1 - cubicBeta
	if sat32(w.window) <= w.initCwnd {
		w.window = float64(w.initCwnd)
	}
}

// reset is the reference's cubic_reset (on a timeout). Like the
// reference it leaves cnt and cwnd_cnt alone.
func (w *cubicWindow) reset() {
	w.wlastMax = 0
	w.haveEpoch = false
	w.originPoint = 0
	w.haveDMin = false
	w.wtcp = 0
	w.k = 0
	w.ackCnt = 0
}
