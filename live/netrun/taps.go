package netrun

import (
	"fmt"
	"time"

	"github.com/ccscope/ccscope/capture"
	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/emu/netns"
	"github.com/ccscope/ccscope/live"
)

// linkTap watches a link for the summary, the series and the captures, and
// forwards every event to next (a mahimahi log). It runs under the
// forwarder's lock.
type linkTap struct {
	e    *Engine
	up   bool
	next emu.Tap
}

func (t *linkTap) Opportunity(at time.Duration) {
	if t.up {
		t.e.sum.Opportunity(at)
	}
	if t.next != nil {
		t.next.Opportunity(at)
	}
}

// Arrival is a link's ingress: the uplink's is on the sender's side, the
// downlink's on the receiver's.
func (t *linkTap) Arrival(at time.Duration, p *emu.Packet) {
	side := 1
	if t.up {
		t.e.sum.Arrival(p)
		side = 0
	}
	if c := t.e.caps[side]; c != nil {
		c.write(t.e.start.Add(at), netns.PacketBytes(p))
	}
	if t.next != nil {
		t.next.Arrival(at, p)
	}
}

func (t *linkTap) Drop(at time.Duration, reason emu.DropReason, pkts []emu.Packet) {
	if t.next != nil {
		t.next.Drop(at, reason, pkts)
	}
}

func (t *linkTap) Departure(at time.Duration, p *emu.Packet) {
	i := 1
	if t.up {
		i = 0
	}
	if ls := t.e.links[i]; ls != nil {
		ls.Departure(p, at)
	}
	if t.next != nil {
		t.next.Departure(at, p)
	}
}

// onExit sees each packet the forwarder writes out: a link's egress, on
// the receiver's side for the uplink, the sender's for the downlink.
func (e *Engine) onExit(up bool, p *emu.Packet, t time.Duration) {
	side := 0
	if up {
		side = 1
		e.sum.Exit(p, t)
		if e.opt.Recorder != nil && p.Flow > 0 {
			a, ok := e.owd[p.Flow]
			if !ok {
				a = e.opt.Recorder.Series(live.FlowKey(p.Flow)+"owd", live.SeriesInfo{Unit: "ms",
					Label: fmt.Sprintf("flow %d one-way delay", p.Flow), Event: true})
				e.owd[p.Flow] = a
			}
			a.Append(t, float64(p.Exit-p.Arrival)/float64(time.Millisecond))
		}
	}
	if c := e.caps[side]; c != nil {
		c.write(e.start.Add(t), netns.PacketBytes(p))
	}
}

// pcapTap writes one side's packets to a pcap file. The first write error
// stops the capture and is reported when it closes.
type pcapTap struct {
	path    string
	f       *capture.PcapFile
	err     error
	stopped bool // the run finished: what still moves is not captured
}

func newPcapTap(path string) (*pcapTap, error) {
	f, err := capture.CreatePcap(path, 0)
	if err != nil {
		return nil, err
	}
	return &pcapTap{path: path, f: f}, nil
}

func (c *pcapTap) write(ts time.Time, pkt []byte) {
	if c.err != nil || c.stopped || pkt == nil {
		return
	}
	if err := c.f.WritePacket(ts, pkt); err != nil {
		c.err = err
	}
}

// stop ends the capture at the end of the run and flushes it.
func (c *pcapTap) stop() {
	c.stopped = true
	if c.err == nil {
		c.err = c.f.Flush()
	}
}

func (c *pcapTap) packets() int64 { return c.f.Packets() }

func (c *pcapTap) close() error {
	err := c.f.Close()
	if c.err != nil {
		err = c.err
	}
	if err != nil {
		return fmt.Errorf("capture %s: %w", c.path, err)
	}
	return nil
}

// Captured reports how many packets each capture file holds (sender's
// side, receiver's side; -1 for none).
func (e *Engine) Captured() (sender, receiver int64) {
	n := [2]int64{-1, -1}
	e.fwd.Do(func(_, _ *emu.Link, _ time.Duration) {
		for i, c := range e.caps {
			if c != nil {
				n[i] = c.packets()
			}
		}
	})
	return n[0], n[1]
}
