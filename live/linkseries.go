package live

import (
	"math"
	"time"

	"github.com/ccscope/ccscope/emu"
)

// LinkSeries records the series of one link direction, as both backends
// show it: "link/NAME/" capacity, arrivals (ingress) and departures
// (egress) in bit/s of IP packets, queue bytes and packets, the mean
// sojourn and drops per interval, and every packet's sojourn. One
// goroutine — the one driving the link — calls its methods.
type LinkSeries struct {
	name                           string
	capacity, arrivals, departures Appender
	queueBytes, queuePackets       Appender
	sojourn, drops, sojournPkt     Appender
	prev                           emu.Stats
	sojournSum                     time.Duration
	sojournN                       int64
}

// NewLinkSeries defines the series of the link direction name ("uplink",
// "downlink") in rec.
func NewLinkSeries(rec Recorder, name string) *LinkSeries {
	ls := &LinkSeries{name: name}
	k := "link/" + name + "/"
	ls.capacity = rec.Series(k+"capacity", SeriesInfo{Unit: "bit/s", Label: name + " capacity"})
	ls.arrivals = rec.Series(k+"arrivals", SeriesInfo{Unit: "bit/s", Label: name + " ingress"})
	ls.departures = rec.Series(k+"departures", SeriesInfo{Unit: "bit/s", Label: name + " egress"})
	ls.queueBytes = rec.Series(k+"queue_bytes", SeriesInfo{Unit: "B", Label: name + " queue"})
	ls.queuePackets = rec.Series(k+"queue_packets", SeriesInfo{Unit: "packets", Label: name + " queue"})
	ls.sojourn = rec.Series(k+"sojourn", SeriesInfo{Unit: "ms", Label: name + " mean sojourn"})
	ls.drops = rec.Series(k+"drops", SeriesInfo{Unit: "packets", Label: name + " drops"})
	ls.sojournPkt = rec.Series(k+"sojourn_pkt", SeriesInfo{Unit: "ms", Label: name + " per-packet sojourn", Event: true})
	return ls
}

// Departure records a packet leaving the bottleneck queue at t.
func (ls *LinkSeries) Departure(p *emu.Packet, t time.Duration) {
	soj := t - p.Arrival
	ls.sojournSum += soj
	ls.sojournN++
	ls.sojournPkt.Append(t, durMs(soj))
}

// Sample records the link's gauges at t, dt seconds after the previous
// sample.
func (ls *LinkSeries) Sample(t time.Duration, dt float64, l *emu.Link) {
	st := l.Stats()
	ls.capacity.Append(t, float64(st.Opportunities-ls.prev.Opportunities)*opportunityIPBits/dt)
	ls.arrivals.Append(t, float64(st.ArrivalBytes-ls.prev.ArrivalBytes-emu.TUNHeaderBytes*(st.Arrivals-ls.prev.Arrivals))*8/dt)
	ls.departures.Append(t, float64(st.DepartureBytes-ls.prev.DepartureBytes-emu.TUNHeaderBytes*(st.Departures-ls.prev.Departures))*8/dt)
	ls.queueBytes.Append(t, float64(l.QueueBytes()))
	ls.queuePackets.Append(t, float64(l.QueueLen()))
	if ls.sojournN > 0 {
		ls.sojourn.Append(t, durMs(ls.sojournSum)/float64(ls.sojournN))
	} else {
		ls.sojourn.Append(t, math.NaN())
	}
	ls.drops.Append(t, float64(st.Drops-ls.prev.Drops))
	ls.prev, ls.sojournSum, ls.sojournN = st, 0, 0
}
