package capture

// This file owns the test-only generator of realistic mahimahi logs: a
// 12 Mbit/s link (one 1504-byte opportunity per ms, mahimahi's byte
// accounting) fed by a bursty sender through a droptail queue, written through
// LogWriter.

import (
	"io"
	"math/rand/v2"
	"time"

	"github.com/ccscope/ccscope/emu"
)

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// genLink is a minimal mm-link model for generating logs.
type genLink struct {
	tap      emu.Tap
	queue    []emu.Packet
	qlimit   int
	inFlight int // bytes of the head packet still to send
}

// opportunity burns one 1504-byte opportunity at t, as rationalize does.
func (g *genLink) opportunity(t time.Duration) {
	g.tap.Opportunity(t)
	left := emu.OpportunityBytes
	for left > 0 && len(g.queue) > 0 {
		if g.inFlight == 0 {
			g.inFlight = g.queue[0].Size
		}
		n := min(left, g.inFlight)
		left -= n
		g.inFlight -= n
		if g.inFlight == 0 {
			p := g.queue[0]
			p.Departure = t
			g.tap.Departure(t, &p)
			g.queue = g.queue[1:]
		}
	}
}

// arrive enqueues a packet at t, dropping it when the queue is full.
func (g *genLink) arrive(t time.Duration, p emu.Packet) {
	p.Arrival = t
	g.tap.Arrival(t, &p)
	if len(g.queue) >= g.qlimit {
		g.tap.Drop(t, emu.DropQueue, []emu.Packet{p})
		return
	}
	g.queue = append(g.queue, p)
}

// genLog writes a realistic log of at least size bytes to w: header, then per
// ms an opportunity (with its departures) and a bursty sender's arrivals,
// sometimes at sub-millisecond times. It returns the number of events.
func genLog(w io.Writer, size int64, seed uint64) (int64, error) {
	cw := &countingWriter{w: w}
	lw := NewLogWriter(cw, LogHeader{
		Link:          "Uplink",
		TracePath:     "12mbit",
		LogPath:       "gen.log",
		CommandLine:   []string{"ccscope", "gen"},
		Queue:         "droptail [packets=100]",
		InitTimestamp: 1700000000000,
		BaseTimestamp: 17,
	})
	tap := &countingTap{Tap: lw}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := &genLink{tap: tap, qlimit: 100}
	burst := 0
	for ms := int64(1); ; ms++ {
		t := time.Duration(ms) * time.Millisecond
		g.opportunity(t)
		if burst == 0 && rng.IntN(100) < 8 {
			burst = 1 + rng.IntN(30)
		}
		for k := 0; burst > 0 && k < 4; k++ {
			size := 1504
			if rng.IntN(8) == 0 {
				size = 52 + rng.IntN(200)
			}
			at := t + time.Duration(rng.IntN(1000))*time.Microsecond
			g.arrive(at, emu.Packet{Size: size, Flow: 1 + rng.IntN(2)})
			burst--
		}
		if ms%1024 == 0 {
			if err := lw.Err(); err != nil {
				return tap.n, err
			}
			if cw.n >= size {
				break
			}
		}
	}
	return tap.n, lw.Flush()
}

// countingTap counts the events passed to a tap.
type countingTap struct {
	emu.Tap
	n int64
}

func (c *countingTap) Opportunity(t time.Duration) { c.n++; c.Tap.Opportunity(t) }
func (c *countingTap) Arrival(t time.Duration, p *emu.Packet) {
	c.n++
	c.Tap.Arrival(t, p)
}
func (c *countingTap) Departure(t time.Duration, p *emu.Packet) {
	c.n++
	c.Tap.Departure(t, p)
}
func (c *countingTap) Drop(t time.Duration, r emu.DropReason, p []emu.Packet) {
	c.n++
	c.Tap.Drop(t, r, p)
}
