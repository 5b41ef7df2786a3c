package transport

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ccscope/ccscope/emu"
)

// fixedCtl is a controller with a constant window, recording what the
// sender reported.
type fixedCtl struct {
	cwnd    int
	pacing  float64
	events  []CongestionEvent
	samples []Sample
	keep    bool
}

func (f *fixedCtl) Name() string { return "fixed" }
func (f *fixedCtl) Init(c *Control, _ time.Duration) {
	c.Cwnd, c.PacingRate = f.cwnd, f.pacing
}
func (f *fixedCtl) OnAck(s *Sample, c *Control) {
	if f.keep {
		f.samples = append(f.samples, *s)
	}
	c.Cwnd = f.cwnd
}
func (f *fixedCtl) OnCongestion(ev CongestionEvent, _ *Sample, _ *Control) {
	f.events = append(f.events, ev)
}
func (f *fixedCtl) Mode() string         { return "fixed" }
func (f *fixedCtl) Vars(dst []Var) []Var { return dst }

// path is a sender and a receiver joined by two emu links, with optional
// extra mischief (drops and reordering) applied by the test.
type path struct {
	t        *testing.T
	up, down *emu.Link
	snd      *Sender
	rcv      *Receiver
	now      time.Duration
	rng      *rand.Rand
	// dropData/dropAck decide the fate of each packet before the link.
	dropData, dropAck func(*Segment) bool
	// extra delays a data packet by a random amount (reordering).
	extraDelay func() time.Duration
	delayed    []timedSeg
	delivered  []Range // every in-order delivery, to check exactly-once
	acks       int
}

type timedSeg struct {
	at  time.Duration
	seg Segment
}

func newPath(t *testing.T, upCfg, downCfg emu.Config, cfg SenderConfig, ctl Controller) *path {
	t.Helper()
	up, err := emu.NewLink(upCfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	down, err := emu.NewLink(downCfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	snd, err := NewSender(cfg, ctl, 0)
	if err != nil {
		t.Fatal(err)
	}
	return &path{t: t, up: up, down: down, snd: snd, rcv: NewReceiver(), rng: rand.New(rand.NewPCG(1, 1))}
}

// run drives the path until end or until the sender is done.
func (p *path) run(end time.Duration) {
	var out []emu.Packet
	for steps := 0; ; steps++ {
		if steps > 50_000_000 {
			p.t.Fatal("runaway event loop")
		}
		t := min(p.up.NextEvent(), p.down.NextEvent(), p.snd.NextSend(), p.snd.NextTimer())
		for _, d := range p.delayed {
			t = min(t, d.at)
		}
		t = max(t, p.now)
		if t > end || p.snd.Done() {
			return
		}
		p.now = t
		// Reordered data whose extra delay is over.
		kept := p.delayed[:0]
		var due []Segment
		for _, d := range p.delayed {
			if d.at <= t {
				due = append(due, d.seg)
			} else {
				kept = append(kept, d)
			}
		}
		p.delayed = kept
		for i := range due {
			p.receive(&due[i])
		}
		out = p.up.Advance(t, out[:0])
		for i := range out {
			seg := out[i].Payload.(*Segment)
			if p.extraDelay != nil {
				if d := p.extraDelay(); d > 0 {
					p.delayed = append(p.delayed, timedSeg{t + d, *seg})
					continue
				}
			}
			p.receive(seg)
		}
		out = p.down.Advance(t, out[:0])
		for i := range out {
			p.acks++
			p.snd.OnAck(t, out[i].Payload.(*Segment))
		}
		if p.snd.NextTimer() <= t {
			p.snd.OnTimer(t)
		}
		for p.snd.NextSend() <= t {
			seg := &Segment{}
			if !p.snd.Send(t, seg) {
				p.t.Fatalf("NextSend %v <= %v but Send refused", p.snd.NextSend(), t)
			}
			if p.dropData != nil && p.dropData(seg) {
				continue
			}
			p.up.Enqueue(t, emu.Packet{Size: seg.IPSize() + emu.TUNHeaderBytes, Payload: seg})
		}
	}
}

func (p *path) receive(seg *Segment) {
	before := p.rcv.Next()
	ack := &Segment{}
	if n := p.rcv.OnData(p.now, seg, ack); n > 0 {
		p.delivered = append(p.delivered, Range{before, before + uint64(n)})
	}
	if p.dropAck != nil && p.dropAck(ack) {
		return
	}
	p.down.Enqueue(p.now, emu.Packet{Size: ack.IPSize() + emu.TUNHeaderBytes, Payload: ack})
}

// checkExactlyOnce asserts that the in-order deliveries tile [0, size)
// with no gap and no overlap.
func (p *path) checkExactlyOnce(size int64) {
	p.t.Helper()
	var next uint64
	for _, r := range p.delivered {
		if r.Start != next {
			p.t.Fatalf("delivery %v does not continue at %d", r, next)
		}
		next = r.End
	}
	if int64(next) != size || p.rcv.Stats().Delivered != size {
		p.t.Fatalf("delivered %d bytes (receiver says %d), want %d", next, p.rcv.Stats().Delivered, size)
	}
}

func rateLink(bps float64, delay time.Duration, queue string) emu.Config {
	q, err := emu.ParseQueue("droptail", queue)
	if queue == "" {
		q, err = emu.QueueSpec{}, nil
	}
	if err != nil {
		panic(err)
	}
	return emu.Config{Capacity: emu.RateCapacity(bps), Delay: delay, Queue: q}
}
