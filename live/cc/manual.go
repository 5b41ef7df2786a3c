package cc

import (
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// Manual is the by-hand scheme: the window (and optionally a pacing rate)
// is whatever the user last set, from the workbench's keys or a
// "flow N cwnd W" command. Losses and timeouts change nothing; the user
// watches what the queue and the throughput do.
type Manual struct {
	mss    int
	cwnd   int     // packets
	rate   float64 // payload bytes per second, 0 = not paced
	losses int
}

// NewManual starts with cwnd packets and a pacing rate in bit/s (0: none).
func NewManual(cwnd int, rateBps float64) *Manual {
	return &Manual{cwnd: max(cwnd, 1), rate: rateBps / 8}
}

// Name implements transport.Controller.
func (m *Manual) Name() string { return "manual" }

// Init implements transport.Controller.
func (m *Manual) Init(c *transport.Control, _ time.Duration) {
	m.mss = c.MSS
	m.publish(c)
}

// OnAck implements transport.Controller.
func (m *Manual) OnAck(_ *transport.Sample, c *transport.Control) { m.publish(c) }

// OnCongestion implements transport.Controller: losses are only counted.
func (m *Manual) OnCongestion(ev transport.CongestionEvent, _ *transport.Sample, c *transport.Control) {
	if ev == transport.EventLoss || ev == transport.EventTimeout {
		m.losses++
	}
	m.publish(c)
}

// Mode implements transport.Controller.
func (m *Manual) Mode() string {
	if m.rate > 0 {
		return "manual (paced)"
	}
	return "manual"
}

// Vars implements transport.Controller.
func (m *Manual) Vars(dst []transport.Var) []transport.Var {
	return append(dst,
		transport.Var{Name: "cwnd", Value: float64(m.cwnd), Unit: unitPackets},
		transport.Var{Name: "rate", Value: m.rate * 8, Unit: unitBitsPerSecond},
		transport.Var{Name: "loss_events", Value: float64(m.losses), Unit: ""},
	)
}

// Window is the window in packets; Rate the pacing rate in bit/s.
func (m *Manual) Window() int       { return m.cwnd }
func (m *Manual) Rate() float64     { return m.rate * 8 }
func (m *Manual) SetWindow(n int)   { m.cwnd = min(max(n, 1), maxManualWindow) }
func (m *Manual) SetRate(b float64) { m.rate = max(b, 0) / 8 }

// Apply puts the current setting into c (the sender calls it to make a
// change take effect at once instead of at the next ACK).
func (m *Manual) Apply(c *transport.Control) { m.publish(c) }

// maxManualWindow bounds a hand-set window (packets).
const maxManualWindow = 1 << 20

func (m *Manual) publish(c *transport.Control) {
	c.Cwnd = m.cwnd * m.mss
	c.PacingRate = m.rate
	c.Ssthresh = 0
}

// manualScheme is manual's registry entry.
func manualScheme() Scheme {
	return Scheme{
		Name: "manual",
		Doc:  "by hand: the window (and pacing rate) the user sets with keys or \"flow N cwnd W\"; losses change nothing",
		Params: []Param{
			{Name: "cwnd", Doc: "initial window", Unit: "segments", Default: 10, Min: 1, Max: maxManualWindow, Kind: KindInt},
			{Name: "rate", Doc: "pacing rate, 0 for none", Unit: "Mbit/s", Default: 0, Min: 0, Max: 100000},
		},
		New: func(p Params) transport.Controller { return NewManual(p.Int("cwnd"), p.Get("rate")*1e6) },
	}
}
