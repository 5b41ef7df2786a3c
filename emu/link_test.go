package emu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// recTap records a link's events as mahimahi-like log lines in whole ms.
type recTap struct {
	lines []string
	opps  []time.Duration
}

func ms(t time.Duration) int64 { return int64(t / time.Millisecond) }

func (r *recTap) Opportunity(t time.Duration) {
	r.opps = append(r.opps, t)
	r.lines = append(r.lines, fmt.Sprintf("%d # 1504", ms(t)))
}
func (r *recTap) Arrival(t time.Duration, p *Packet) {
	r.lines = append(r.lines, fmt.Sprintf("%d + %d", ms(t), p.Size))
}
func (r *recTap) Drop(t time.Duration, reason DropReason, pkts []Packet) {
	b := 0
	for _, p := range pkts {
		b += p.Size
	}
	r.lines = append(r.lines, fmt.Sprintf("%d d %d %d %s", ms(t), len(pkts), b, reason))
}
func (r *recTap) Departure(t time.Duration, p *Packet) {
	r.lines = append(r.lines, fmt.Sprintf("%d - %d %d", ms(t), p.Size, ms(t)-ms(p.Arrival)))
}

func (r *recTap) only(kind string) []string {
	var out []string
	for _, l := range r.lines {
		if strings.Fields(l)[1] == kind {
			out = append(out, l)
		}
	}
	return out
}

func mustTrace(t testing.TB, s string) *Trace {
	t.Helper()
	tr, err := ParseTrace("t", strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func mustLink(t testing.TB, cfg Config, tap Tap) *Link {
	t.Helper()
	l, err := NewLink(cfg, tap)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// drain advances the link event by event until idle or until end, and
// returns what exited.
func drain(l *Link, end time.Duration) []Packet {
	var out []Packet
	for {
		n := l.NextEvent()
		if n == Never || n > end {
			out = l.Advance(end, out)
			return out
		}
		out = l.Advance(n, out)
	}
}

func TestThreeThousandBytePackets(t *testing.T) {
	// Spec §1.2: trace "1", three 1000-B packets arriving at t=10 leave as
	// "11 - 1000 1", "12 - 1000 2", "12 - 1000 2".
	tap := &recTap{}
	l := mustLink(t, Config{Capacity: TraceCapacity(mustTrace(t, "1\n"))}, tap)
	for i := 0; i < 3; i++ {
		l.Enqueue(10*time.Millisecond, Packet{Size: 1000, ID: uint64(i)})
	}
	out := drain(l, 20*time.Millisecond)
	got := strings.Join(tap.only("-"), ", ")
	if want := "11 - 1000 1, 12 - 1000 2, 12 - 1000 2"; got != want {
		t.Fatalf("departures %q, want %q", got, want)
	}
	if len(out) != 3 || out[0].ID != 0 || out[2].ID != 2 || out[2].Exit != 12*time.Millisecond {
		t.Fatalf("exits %+v", out)
	}
	// The opportunity at 10 ms was burned before the arrivals.
	if tap.lines[9] != "10 # 1504" || tap.lines[10] != "10 + 1000" {
		t.Fatalf("order around the arrival: %v", tap.lines[8:12])
	}
}

func TestIssue168Log(t *testing.T) {
	// Spec §1.2, the real log from mahimahi #168 (one opportunity per 2 ms).
	tap := &recTap{}
	l := mustLink(t, Config{Capacity: TraceCapacity(mustTrace(t, "2\n"))}, tap)
	for _, sz := range []int{80, 52, 80} {
		l.Enqueue(142*time.Millisecond, Packet{Size: sz})
	}
	drain(l, 144*time.Millisecond)
	got := strings.Join(tap.lines[70:], "\n")
	want := "142 # 1504\n142 + 80\n142 + 52\n142 + 80\n144 # 1504\n144 - 80 2\n144 - 52 2\n144 - 80 2"
	if got != want {
		t.Fatalf("log tail:\n%s\nwant:\n%s", got, want)
	}
}

func TestStraddleAndWaste(t *testing.T) {
	// Opportunities every ms. A 1504-B packet fills one exactly; a 1000-B
	// then a 1504-B packet: the second straddles (504 + 1000 bytes) and
	// leaves at the second opportunity; the 1504-B packet after it needs a
	// third, because the 504 bytes left at the second are wasted... no: it
	// takes 504 there and 1000 at the third.
	tap := &recTap{}
	l := mustLink(t, Config{Capacity: RateCapacity(12e6)}, tap)
	for _, sz := range []int{1504, 1000, 1504, 1504} {
		l.Enqueue(0, Packet{Size: sz})
	}
	drain(l, 10*time.Millisecond)
	got := strings.Join(tap.only("-"), ", ")
	want := "1 - 1504 1, 2 - 1000 2, 3 - 1504 3, 4 - 1504 4"
	if got != want {
		t.Fatalf("got %s want %s", got, want)
	}
	// Leftover bytes are wasted: one 100-B packet per ms uses one
	// opportunity each, so two arrivals in different ms leave in different
	// opportunities even though 1404 bytes were left.
	tap = &recTap{}
	l = mustLink(t, Config{Capacity: RateCapacity(12e6)}, tap)
	l.Enqueue(0, Packet{Size: 100})
	l.Enqueue(1500*time.Microsecond, Packet{Size: 100})
	drain(l, 10*time.Millisecond)
	if got := strings.Join(tap.only("-"), ", "); got != "1 - 100 1, 2 - 100 1" {
		t.Fatalf("got %s", got)
	}
}

func TestNextEvent(t *testing.T) {
	l := mustLink(t, Config{Capacity: RateCapacity(12e6), Delay: 20 * time.Millisecond}, nil)
	if l.NextEvent() != Never {
		t.Fatalf("idle link NextEvent %v", l.NextEvent())
	}
	l.Enqueue(500*time.Microsecond, Packet{Size: 1500})
	if n := l.NextEvent(); n != time.Millisecond {
		t.Fatalf("next event %v, want the 1 ms opportunity", n)
	}
	if out := l.Advance(time.Millisecond, nil); len(out) != 0 {
		t.Fatal("exited before the delay")
	}
	if n := l.NextEvent(); n != 21*time.Millisecond {
		t.Fatalf("next event %v, want exit at 21ms", n)
	}
	out := l.Advance(21*time.Millisecond, nil)
	if len(out) != 1 || out[0].Departure != time.Millisecond || out[0].Exit != 21*time.Millisecond || out[0].Arrival != 500*time.Microsecond {
		t.Fatalf("out %+v", out)
	}
	if l.NextEvent() != Never {
		t.Fatal("not idle after the exit")
	}
}

func TestJitterWithoutReorder(t *testing.T) {
	for _, reorder := range []bool{false, true} {
		l := mustLink(t, Config{Capacity: RateCapacity(120e6), Delay: 10 * time.Millisecond,
			Jitter: 5 * time.Millisecond, Reorder: reorder, Seed: 7}, nil)
		for i := 0; i < 5000; i++ {
			l.Enqueue(time.Duration(i)*100*time.Microsecond, Packet{Size: 1500, ID: uint64(i)})
		}
		out := drain(l, time.Hour)
		if len(out) != 5000 {
			t.Fatalf("%d exits", len(out))
		}
		reordered := 0
		var minD, maxD time.Duration = time.Hour, 0
		for i, p := range out {
			d := p.Exit - p.Departure
			minD, maxD = min(minD, d), max(maxD, d)
			if i > 0 && p.ID < out[i-1].ID {
				reordered++
			}
			if i > 0 && p.Exit < out[i-1].Exit {
				t.Fatal("exits out of time order")
			}
		}
		if !reorder && reordered > 0 {
			t.Fatalf("reordered %d packets without reorder", reordered)
		}
		if reorder && reordered == 0 {
			t.Fatal("jitter of ±5ms at 10 kpkt/s never reordered with reorder on")
		}
		if minD < 5*time.Millisecond || (reorder && maxD > 15*time.Millisecond) {
			t.Fatalf("delay range %v..%v outside 10ms±5ms", minD, maxD)
		}
		if reorder && (minD > 5500*time.Microsecond || maxD < 14500*time.Microsecond) {
			t.Fatalf("jitter does not span ±5ms: %v..%v", minD, maxD)
		}
	}
}

// sendN offers n 100-byte packets one per 10 µs to a fast link and counts
// the packets dropped for each reason.
func sendN(t *testing.T, cfg Config, n int) (*Link, []bool) {
	l := mustLink(t, cfg, nil)
	lost := make([]bool, n)
	var prev int64
	for i := 0; i < n; i++ {
		l.Enqueue(time.Duration(i)*10*time.Microsecond, Packet{Size: 100})
		d := l.Stats().Drops
		lost[i] = d > prev
		prev = d
	}
	return l, lost
}

func TestIIDLoss(t *testing.T) {
	const n = 200000
	spec, err := ParseLoss("1%")
	if err != nil {
		t.Fatal(err)
	}
	l, lost := sendN(t, Config{Capacity: RateCapacity(1e9), Loss: spec, Seed: 1}, n)
	got := float64(l.Stats().DropsByReason[DropLoss]) / n
	sigma := math.Sqrt(0.01 * 0.99 / n)
	if math.Abs(got-0.01) > 4*sigma {
		t.Fatalf("loss %.5f, want 0.01 ± %.5f", got, 4*sigma)
	}
	// Same seed, same losses; another seed, other losses.
	_, again := sendN(t, Config{Capacity: RateCapacity(1e9), Loss: spec, Seed: 1}, n)
	_, other := sendN(t, Config{Capacity: RateCapacity(1e9), Loss: spec, Seed: 2}, n)
	same, diff := true, false
	for i := range lost {
		same = same && lost[i] == again[i]
		diff = diff || lost[i] != other[i]
	}
	if !same || !diff {
		t.Fatalf("determinism: same seed identical=%v, other seed differs=%v", same, diff)
	}
}

func TestGilbertElliottLoss(t *testing.T) {
	// p=1%, r=20%, loss 100% when bad, 0% when good: the chain is bad for
	// p/(p+r) = 1/21 of the packets and bursts last 1/r = 5 packets.
	spec, err := ParseLoss("gemodel 1% 20%")
	if err != nil {
		t.Fatal(err)
	}
	if spec.BadLoss != 1 || spec.GoodLoss != 0 {
		t.Fatalf("netem defaults: %+v", spec)
	}
	const n = 400000
	l, lost := sendN(t, Config{Capacity: RateCapacity(1e9), Loss: spec, Seed: 3}, n)
	got := float64(l.Stats().Drops) / n
	if want := spec.Mean(); math.Abs(got-want)/want > 0.08 {
		t.Fatalf("GE loss %.4f, want %.4f ± 8%%", got, want)
	}
	bursts, inBurst := 0, 0
	for i, x := range lost {
		if x {
			inBurst++
			if i == 0 || !lost[i-1] {
				bursts++
			}
		}
	}
	if mean := float64(inBurst) / float64(bursts); math.Abs(mean-5)/5 > 0.1 {
		t.Fatalf("mean burst %.2f packets, want 5 ± 10%%", mean)
	}
}

func TestOnOff(t *testing.T) {
	// intermittent 1s 1s: on during [0,1), off during [1,2), on again...
	spec, err := ParseOnOff("intermittent 1s 1s")
	if err != nil {
		t.Fatal(err)
	}
	l := mustLink(t, Config{Capacity: RateCapacity(1e9), OnOff: spec}, nil)
	for _, c := range []struct {
		at   time.Duration
		drop bool
	}{{0, false}, {999 * time.Millisecond, false}, {time.Second, true}, {1999 * time.Millisecond, true}, {2 * time.Second, false}, {3500 * time.Millisecond, true}} {
		before := l.Stats().DropsByReason[DropOff]
		l.Enqueue(c.at, Packet{Size: 100})
		if got := l.Stats().DropsByReason[DropOff] > before; got != c.drop {
			t.Errorf("at %v dropped=%v, want %v", c.at, got, c.drop)
		}
	}
	// onoff (exponential) 2s 1s: off a third of the time in the long run.
	spec, _ = ParseOnOff("onoff 2s 1s")
	l = mustLink(t, Config{Capacity: RateCapacity(1e9), OnOff: spec, Seed: 9}, nil)
	const n = 200000
	for i := 0; i < n; i++ {
		l.Enqueue(time.Duration(i)*50*time.Millisecond, Packet{Size: 100}) // 10000 s
	}
	if f := float64(l.Stats().DropsByReason[DropOff]) / n; math.Abs(f-1.0/3) > 0.03 {
		t.Fatalf("off fraction %.3f, want 1/3 ± 0.03", f)
	}
}

func TestRateHalvesAtChange(t *testing.T) {
	tap := &recTap{}
	l := mustLink(t, Config{Capacity: RateCapacity(12e6)}, tap)
	cmd, err := ParseTimedCommand("5s bw 6mbit", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Dir != Uplink || cmd.Change.At != 5*time.Second {
		t.Fatalf("parsed %+v", cmd)
	}
	if err := l.Schedule(cmd.Change); err != nil {
		t.Fatal(err)
	}
	if l.NextEvent() != 5*time.Second {
		t.Fatalf("the scheduled change is not the next event: %v", l.NextEvent())
	}
	l.Advance(10*time.Second, nil)
	bins := make([]int, 20)
	for _, o := range tap.opps {
		if b := int(o / (500 * time.Millisecond)); b < 20 {
			bins[b]++
		}
	}
	// 12 Mbit/s is one opportunity per ms, at 1, 2, ... ms: bin 0 holds
	// 499 (1..499 ms), the others 500. From 5 s the new schedule starts
	// afresh at 6 Mbit/s, one per 2 ms: 5002..5498 ms (249) in bin 10,
	// then 250 per bin.
	for i, n := range bins {
		want := 500
		switch {
		case i == 0:
			want = 499
		case i == 10:
			want = 249
		case i > 10:
			want = 250
		}
		if n != want {
			t.Fatalf("bin %d has %d opportunities, want %d (bins %v)", i, n, want, bins)
		}
	}
	if got := l.Config().Capacity.Rate; got != 6e6 {
		t.Fatalf("config rate %v after the change", got)
	}
}

func TestQueueChangeKeepsPackets(t *testing.T) {
	q, _ := ParseQueue("droptail", "packets=100")
	l := mustLink(t, Config{Capacity: RateCapacity(12e6), Queue: q}, nil)
	for i := 0; i < 50; i++ {
		l.Enqueue(0, Packet{Size: 1500, ID: uint64(i)})
	}
	cmd, err := ParseCommand("queue droptail packets=10", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Apply(0, cmd.Change); err != nil {
		t.Fatal(err)
	}
	// The shorter limit applies to the waiting packets: 10 remain.
	if l.QueueLen() != 10 || l.Stats().DropsByReason[DropQueue] != 40 {
		t.Fatalf("queue %d, drops %d", l.QueueLen(), l.Stats().DropsByReason[DropQueue])
	}
	out := drain(l, time.Second)
	for i, p := range out {
		if p.ID != uint64(i) {
			t.Fatalf("packet %d is %d: order changed", i, p.ID)
		}
	}
}

func TestDelayChangeNoReorder(t *testing.T) {
	l := mustLink(t, Config{Capacity: RateCapacity(12e6), Delay: 50 * time.Millisecond}, nil)
	for i := 0; i < 10; i++ {
		l.Enqueue(time.Duration(i)*time.Millisecond, Packet{Size: 1500, ID: uint64(i)})
		if i == 4 {
			c, _ := ParseCommand("delay 10ms", nil)
			if err := l.Apply(time.Duration(i)*time.Millisecond, c.Change); err != nil {
				t.Fatal(err)
			}
		}
	}
	out := drain(l, time.Second)
	for i, p := range out {
		if p.ID != uint64(i) {
			t.Fatalf("reordered after a delay decrease: %d at %d", p.ID, i)
		}
	}
	// Packet 0 left the bottleneck at 1 ms and keeps its 50 ms delay.
	if out[0].Exit != 51*time.Millisecond {
		t.Fatalf("first exit %v", out[0].Exit)
	}
	// Packets that departed after the change carry 10 ms, but wait for the
	// ones ahead: packet 9 departs at 10 ms, exit max(20ms, 54ms).
	if out[9].Exit != 54*time.Millisecond {
		t.Fatalf("last exit %v", out[9].Exit)
	}
}

func TestTooBigAndOnce(t *testing.T) {
	l := mustLink(t, Config{Capacity: TraceCapacity(mustTrace(t, "1\n2\n")), Once: true}, nil)
	l.Enqueue(0, Packet{Size: 1505})
	if l.Stats().DropsByReason[DropTooBig] != 1 {
		t.Fatal("oversized packet not dropped")
	}
	for i := 0; i < 3; i++ {
		l.Enqueue(0, Packet{Size: 1504})
	}
	out := drain(l, time.Second)
	if len(out) != 2 || !l.Finished() || l.QueueLen() != 1 {
		t.Fatalf("once: %d exits, finished %v, queue %d", len(out), l.Finished(), l.QueueLen())
	}
}

func TestLinkDeterminism(t *testing.T) {
	run := func(seed uint64) string {
		q, _ := ParseQueue("pie", "packets=200, qdelay_ref=20, max_burst=100")
		loss, _ := ParseLoss("gemodel 2% 30%")
		l := mustLink(t, Config{Capacity: RateCapacity(10e6), Queue: q, Loss: loss,
			Delay: 10 * time.Millisecond, Jitter: 3 * time.Millisecond, Reorder: true, Seed: seed}, nil)
		var sb strings.Builder
		for i := 0; i < 20000; i++ {
			now := time.Duration(i) * 600 * time.Microsecond // 2× overload
			for _, p := range l.Advance(now, nil) {
				fmt.Fprintf(&sb, "%d:%d ", p.ID, p.Exit)
			}
			l.Enqueue(now, Packet{Size: 1500, ID: uint64(i)})
		}
		return sb.String()
	}
	a, b, c := run(5), run(5), run(6)
	if a != b {
		t.Fatal("same seed gave different departures")
	}
	if a == c {
		t.Fatal("different seeds gave identical departures")
	}
}

func TestParseCommand(t *testing.T) {
	good := map[string]string{
		"bw 24mbit":           "uplink bw 24mbit",
		"down bw 1.5gbit":     "downlink bw 1.5gbit",
		"delay 40ms":          "both delay 40ms",
		"uplink delay 5ms":    "uplink delay 5ms",
		"jitter 5ms":          "both jitter 5ms",
		"loss 1%":             "uplink loss 1%",
		"loss 0.5":            "uplink loss 50%",
		"loss gemodel 1% 30%": "uplink loss gemodel 1% 30% 100% 0%",
		"queue infinite":      "uplink queue infinite",
		"onoff 5s 1s":         "uplink onoff 5s 1s",
		"intermittent 1s 2s":  "uplink intermittent 1s 2s",
		"onoff none":          "uplink none",
		"reorder on":          "both reorder on",
	}
	for in, want := range good {
		c, err := ParseCommand(in, nil)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := c.String(); got != want {
			t.Errorf("%q parsed as %q, want %q", in, got, want)
		}
	}
	bad := map[string]string{
		"":                     "empty command",
		"bw":                   "usage: bw RATE",
		"bw 24":                "missing unit",
		"delay 40":             "missing unit",
		"loss 150%":            "between 0 and 100%",
		"queue fifo":           "unknown queue type",
		"frobnicate 3":         "unknown link command",
		"trace /nonexistent/x": "no such file",
		"uplink":               "missing command",
		"onoff 5s":             "want",
	}
	for in, want := range bad {
		_, err := ParseCommand(in, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", in, err, want)
		}
	}
}

// TestNextExitIsNeverLate drives links by waking only at NextExit (and at
// arrivals), as the netns forwarder does, and checks that every packet is
// handed out exactly at its exit time and that the exits are the ones
// event-by-event driving gives.
func TestNextExitIsNeverLate(t *testing.T) {
	cfgs := map[string]Config{
		"rate":   {Capacity: RateCapacity(50e6), Delay: 10 * time.Millisecond},
		"zero":   {Capacity: RateCapacity(12e6)},
		"jitter": {Capacity: RateCapacity(24e6), Delay: 5 * time.Millisecond, Jitter: 3 * time.Millisecond, Seed: 7},
		"reord":  {Capacity: RateCapacity(24e6), Delay: time.Millisecond, Jitter: 3 * time.Millisecond, Reorder: true, Seed: 3},
		"trace":  {Capacity: TraceCapacity(mustTrace(t, "1\n1\n3\n8\n")), Delay: 2 * time.Millisecond, Queue: QueueSpec{Kind: QueueDropTail, Packets: 30}},
	}
	for name, cfg := range cfgs {
		t.Run(name, func(t *testing.T) {
			var arrivals []time.Duration
			r := rand.New(rand.NewPCG(1, 9))
			at := time.Duration(0)
			for range 3000 {
				at += time.Duration(r.Int64N(int64(400 * time.Microsecond)))
				arrivals = append(arrivals, at)
			}
			// Reference: event by event.
			ref := mustLink(t, cfg, nil)
			var want []Packet
			for i, a := range arrivals {
				want = append(want, drain(ref, a-1)...)
				ref.Enqueue(a, Packet{Size: 1000 + i%500, ID: uint64(i)})
			}
			want = append(want, drain(ref, at+time.Second)...)
			// Woken only at NextExit and arrivals.
			l := mustLink(t, cfg, nil)
			var got []Packet
			i := 0
			for {
				next := l.NextExit()
				if i < len(arrivals) && arrivals[i] <= next {
					l.Enqueue(arrivals[i], Packet{Size: 1000 + i%500, ID: uint64(i)})
					i++
					continue
				}
				if next > at+time.Second {
					break
				}
				n := len(got)
				got = l.Advance(next, got)
				for _, p := range got[n:] {
					if p.Exit != next {
						t.Fatalf("packet %d handed out at %v, its exit is %v", p.ID, next, p.Exit)
					}
				}
			}
			if len(got) == 0 {
				t.Fatal("nothing exited")
			}
			if len(got) != len(want) {
				t.Fatalf("%d exits, event-by-event %d", len(got), len(want))
			}
			for k := range got {
				if got[k].ID != want[k].ID || got[k].Exit != want[k].Exit {
					t.Fatalf("exit %d: packet %d at %v, event-by-event packet %d at %v", k, got[k].ID, got[k].Exit, want[k].ID, want[k].Exit)
				}
			}
		})
	}
}
