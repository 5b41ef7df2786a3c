package netns

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ccscope/ccscope/emu"
)

// pipeDev is a Device for tests: Read takes packets from in, Write records
// each packet with the wall-clock time it was written.
type pipeDev struct {
	in     chan []byte
	closed chan struct{}
	once   sync.Once
	start  time.Time

	mu      sync.Mutex
	written []stamped
}

type stamped struct {
	at  time.Duration
	pkt []byte
}

func newPipeDev(start time.Time) *pipeDev {
	return &pipeDev{in: make(chan []byte, 4096), closed: make(chan struct{}), start: start}
}

func (d *pipeDev) Read(p []byte) (int, error) {
	select {
	case b := <-d.in:
		return copy(p, b), nil
	case <-d.closed:
		return 0, errors.New("closed")
	}
}

func (d *pipeDev) Write(p []byte) (int, error) {
	at := time.Since(d.start)
	d.mu.Lock()
	d.written = append(d.written, stamped{at, append([]byte(nil), p...)})
	d.mu.Unlock()
	return len(p), nil
}

func (d *pipeDev) Close() error {
	d.once.Do(func() { close(d.closed) })
	return nil
}

func (d *pipeDev) got() []stamped {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]stamped(nil), d.written...)
}

func mustLink(t *testing.T, cfg emu.Config) *emu.Link {
	t.Helper()
	l, err := emu.NewLink(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

type testRig struct {
	f        *Forwarder
	snd, rcv *pipeDev
	start    time.Time
	up, down *emu.Link

	mu    sync.Mutex
	exits []emu.Packet // uplink packets as written, with the link's times
}

func (r *testRig) upExits() []emu.Packet {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]emu.Packet(nil), r.exits...)
}

func startRig(t *testing.T, up, down emu.Config) *testRig {
	t.Helper()
	r := &testRig{start: time.Now()}
	r.snd, r.rcv = newPipeDev(r.start), newPipeDev(r.start)
	r.up, r.down = mustLink(t, up), mustLink(t, down)
	f, err := StartForwarder(context.Background(), ForwarderConfig{
		Up: r.up, Down: r.down, SenderDev: r.snd, ReceiverDev: r.rcv,
		Clock:    func() time.Duration { return time.Since(r.start) },
		Classify: func(up bool, pkt []byte) int { return int(pkt[0]) },
		OnExit: func(up bool, p *emu.Packet, _ time.Duration) {
			if up {
				r.mu.Lock()
				q := *p
				q.Payload = nil
				r.exits = append(r.exits, q)
				r.mu.Unlock()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	r.f = f
	t.Cleanup(func() { f.Stop() })
	return r
}

func packet(flow byte, size int) []byte {
	b := make([]byte, size)
	b[0] = flow
	return b
}

// waitFor polls until cond or the timeout.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// A burst through a 12 Mbit/s link with 5 ms of delay leaves one
// 1500-byte packet per 1504-byte opportunity, 1.0027 ms apart, 5 ms after
// its opportunity, in order; the forwarder writes each about when the
// link's schedule says. (The schedule is checked exactly; the wall clock
// only loosely, since a loaded test machine delays any thread.)
func TestForwarderPacesToTheLink(t *testing.T) {
	r := startRig(t, emu.Config{Capacity: emu.RateCapacity(12e6), Delay: 5 * time.Millisecond}, emu.Config{Capacity: emu.RateCapacity(12e6)})
	const n = 40
	for i := range n {
		r.snd.in <- packet(byte(i), 1500)
	}
	waitFor(t, 5*time.Second, "the burst", func() bool { return len(r.rcv.got()) == n })
	got := r.rcv.got()
	for i, s := range got {
		if s.pkt[0] != byte(i) || len(s.pkt) != 1500 {
			t.Fatalf("packet %d: got packet %d of %d bytes", i, s.pkt[0], len(s.pkt))
		}
	}
	exits := r.upExits()
	bps := 12e6
	period := time.Duration(float64(emu.OpportunityBytes*8) / bps * 1e9)
	for i, p := range exits {
		if p.Exit-p.Departure != 5*time.Millisecond {
			t.Errorf("packet %d: exit %v, departure %v: want 5 ms apart", i, p.Exit, p.Departure)
		}
		if i > 0 {
			if gap := p.Departure - exits[i-1].Departure; gap < period-time.Millisecond || gap > period+time.Millisecond {
				t.Errorf("packet %d left %v after the one before, want about %v", i, gap, period)
			}
		}
	}
	// The link rounds a rate's schedule to whole milliseconds, keeping the
	// mean rate: check the mean gap to 0.5%.
	if gaps := (exits[n-1].Departure - exits[0].Departure) / (n - 1); gaps < period*995/1000 || gaps > period*1005/1000 {
		t.Errorf("packets left %v apart on average, want %v", gaps, period)
	}
	if first := exits[0].Departure - exits[0].Arrival; first <= 0 || first > period {
		t.Errorf("first packet waited %v for an opportunity, want (0, %v]", first, period)
	}
	st := r.f.Stats()
	if st.Read[0] != n || st.Written[0] != n || st.Delivered != n {
		t.Errorf("stats %+v", st)
	}
	if len(r.snd.got()) != 0 {
		t.Error("something came back on the sender's side")
	}
	if st.ErrorP50 > 20*time.Millisecond {
		t.Errorf("half the packets were written more than %v late", st.ErrorP50)
	}
	t.Logf("delivery error p50 %v p99 %v max %v (real-time priority %v)", st.ErrorP50, st.ErrorP99, st.ErrorMax, st.RealTime)
}

// Both directions work at once and flows are classified.
func TestForwarderBothWays(t *testing.T) {
	var mu sync.Mutex
	flows := map[int]int{}
	r := &testRig{start: time.Now()}
	r.snd, r.rcv = newPipeDev(r.start), newPipeDev(r.start)
	cfg := emu.Config{Capacity: emu.RateCapacity(100e6), Delay: time.Millisecond}
	f, err := StartForwarder(context.Background(), ForwarderConfig{
		Up: mustLink(t, cfg), Down: mustLink(t, cfg), SenderDev: r.snd, ReceiverDev: r.rcv,
		Clock:    func() time.Duration { return time.Since(r.start) },
		Classify: func(up bool, pkt []byte) int { return int(pkt[0]) },
		OnExit: func(up bool, p *emu.Packet, t time.Duration) {
			mu.Lock()
			if up {
				flows[p.Flow]++
			} else {
				flows[-p.Flow]++
			}
			if b := PacketBytes(p); len(b)+emu.TUNHeaderBytes != p.Size {
				panic("PacketBytes does not match the size")
			}
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	for i := range 100 {
		r.snd.in <- packet(byte(1+i%2), 200)
		r.rcv.in <- packet(3, 60)
	}
	waitFor(t, 2*time.Second, "both directions", func() bool { return len(r.rcv.got()) == 100 && len(r.snd.got()) == 100 })
	mu.Lock()
	defer mu.Unlock()
	if flows[1] != 50 || flows[2] != 50 || flows[-3] != 100 {
		t.Fatalf("flows seen at exit: %v", flows)
	}
}

// A change made through Do applies at once: after the capacity drops to
// 1.2 Mbit/s, packets leave 10.027 ms apart.
func TestForwarderDoAppliesAtOnce(t *testing.T) {
	r := startRig(t, emu.Config{Capacity: emu.RateCapacity(120e6)}, emu.Config{Capacity: emu.RateCapacity(12e6)})
	r.snd.in <- packet(0, 1500)
	waitFor(t, 5*time.Second, "the first packet", func() bool { return len(r.rcv.got()) == 1 })
	var changedAt time.Duration
	r.f.Do(func(up, down *emu.Link, now time.Duration) {
		changedAt = now
		if err := up.Apply(now, emu.Change{Param: emu.ParamCapacity, Capacity: emu.RateCapacity(1.2e6)}); err != nil {
			t.Error(err)
		}
	})
	if changedAt <= 0 {
		t.Fatalf("Do saw now = %v", changedAt)
	}
	for i := range 5 {
		r.snd.in <- packet(byte(i+1), 1500)
	}
	waitFor(t, 5*time.Second, "the slow packets", func() bool { return len(r.rcv.got()) == 6 })
	exits := r.upExits()
	bps := 1.2e6
	period := time.Duration(float64(emu.OpportunityBytes*8) / bps * 1e9)
	// The link rounds a rate's schedule (to 10 ms here, 10.027 ms on
	// average): check the mean of the gaps to 1%.
	if gaps := (exits[5].Departure - exits[1].Departure) / 4; gaps < period*99/100 || gaps > period*101/100 {
		t.Errorf("packets left %v apart after the change, want %v", gaps, period)
	}
	if exits[1].Arrival < changedAt {
		t.Errorf("packet 1 arrived at %v, before the change at %v", exits[1].Arrival, changedAt)
	}
	if wait := exits[1].Departure - exits[1].Arrival; wait > period {
		t.Errorf("the first packet after the change waited %v, more than an opportunity", wait)
	}
}

// Stop ends every goroutine and closes the devices.
func TestForwarderStop(t *testing.T) {
	before := runtime.NumGoroutine()
	r := startRig(t, emu.Config{Capacity: emu.RateCapacity(12e6), Delay: time.Second}, emu.Config{Capacity: emu.RateCapacity(12e6)})
	for range 10 {
		r.snd.in <- packet(0, 100)
	}
	done := make(chan error)
	go func() { done <- r.f.Stop() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Second):
		t.Fatal("Stop hangs")
	}
	waitFor(t, time.Second, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
	if err := r.f.Stop(); err != nil {
		t.Fatal("second Stop:", err)
	}
}

// A device that fails stops the forwarder with an error naming it.
func TestForwarderDeviceError(t *testing.T) {
	r := startRig(t, emu.Config{Capacity: emu.RateCapacity(12e6)}, emu.Config{Capacity: emu.RateCapacity(12e6)})
	r.rcv.Close()
	waitFor(t, time.Second, "the error", func() bool { return r.f.Err() != nil })
	if err := r.f.Stop(); err == nil || !strings.Contains(err.Error(), "receiver's device") {
		t.Fatalf("Stop = %v", err)
	}
}

func TestErrHist(t *testing.T) {
	var h errHist
	for i := range 100 {
		h.add(time.Duration(i) * time.Microsecond)
	}
	h.add(time.Second)
	if p := h.quantile(0.5); p != 51*time.Microsecond {
		t.Errorf("p50 %v", p)
	}
	if p := h.quantile(0.99); p != 100*time.Microsecond {
		t.Errorf("p99 %v", p)
	}
	if p := h.quantile(1); p != time.Second {
		t.Errorf("max %v", p)
	}
}

// BenchmarkForwarderDeliveryError streams packets through a 100 Mbit/s,
// 10 ms link at about 90% load and reports how late the forwarder wrote
// them against the link's schedule, and the scheduler's CPU use.
func BenchmarkForwarderDeliveryError(b *testing.B) {
	start := time.Now()
	snd, rcv := newPipeDev(start), newPipeDev(start)
	cfg := emu.Config{Capacity: emu.RateCapacity(100e6), Delay: 10 * time.Millisecond}
	up, _ := emu.NewLink(cfg, nil)
	down, _ := emu.NewLink(cfg, nil)
	f, err := StartForwarder(context.Background(), ForwarderConfig{Up: up, Down: down, SenderDev: snd, ReceiverDev: rcv,
		Clock: func() time.Duration { return time.Since(start) }})
	if err != nil {
		b.Fatal(err)
	}
	pkt := packet(1, 1500)
	gap := time.Duration(1504*8*1e9/100e6) * 10 / 9
	b.ResetTimer()
	// The feeder sleeps and sends what is due in bursts: it must not take
	// a core from the forwarder, as a spinning feeder would.
	t0 := time.Now()
	for sent := 0; sent < b.N; {
		time.Sleep(500 * time.Microsecond)
		for due := min(int(time.Since(t0)/gap), b.N); sent < due; sent++ {
			snd.in <- pkt
		}
	}
	time.Sleep(20 * time.Millisecond)
	b.StopTimer()
	st := f.Stats()
	f.Stop()
	b.ReportMetric(float64(st.ErrorP50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(st.ErrorP99.Microseconds()), "p99-µs")
	b.ReportMetric(float64(st.ErrorMax.Microseconds()), "max-µs")
	b.ReportMetric(st.SchedulerCPU.Seconds()/time.Since(start).Seconds()*100, "sched-cpu-%")
}
