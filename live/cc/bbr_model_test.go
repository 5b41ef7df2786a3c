package cc

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

func TestBBRMaxFilterWindow(t *testing.T) {
	// A constant rate for 10 rounds, then a tenth of it: the old rate is
	// the maximum while any of its samples is within 10 rounds.
	var f bbrMaxFilter
	for r := int64(0); r < 30; r++ {
		v := 100.0
		if r >= 10 {
			v = 10
		}
		for range 5 { // several samples per round
			f.update(r, v, 10)
		}
		want := 100.0
		if r > 19 {
			want = 10
		}
		if got := f.get(); got != want {
			t.Errorf("round %d: max %v, want %v", r, got, want)
		}
	}
}

func TestBBRMaxFilterProperties(t *testing.T) {
	// Against a brute-force windowed max on random series: the estimate
	// is always a value sampled within the window (so at most the true
	// windowed max) and at least every sample taken since its own.
	rng := rand.New(rand.NewPCG(3, 4))
	for _, window := range []int64{1, 4, 10, 33} {
		var f bbrMaxFilter
		type smp struct {
			r int64
			v float64
		}
		var all []smp
		level := 1000.0
		for r := int64(0); r < 400; r++ {
			if rng.IntN(20) == 0 {
				level = 100 + rng.Float64()*1900 // occasional steps
			}
			for range 1 + rng.IntN(4) {
				v := level * (0.8 + 0.2*rng.Float64())
				all = append(all, smp{r, v})
				got := f.update(r, v, window)
				trueMax, found := 0.0, false
				for _, s := range all {
					if r-s.r <= window {
						trueMax = max(trueMax, s.v)
					}
					if s.v == got && r-s.r <= window {
						found = true
					}
				}
				if got > trueMax || !found {
					t.Fatalf("window %d, round %d: estimate %v, windowed max %v, sampled in window: %v", window, r, got, trueMax, found)
				}
				if got < v {
					t.Fatalf("window %d, round %d: estimate %v below the newest sample %v", window, r, got, v)
				}
			}
		}
	}
}

// bbrFeed drives a controller with made-up ACKs: rounds of n ACKs of one
// segment each, every ACK carrying a rate sample at rate bytes/s over the
// previous round, and an RTT of rtt.
type bbrFeed struct {
	c   transport.Controller
	ctl transport.Control
	s   transport.Sample
	n   int
	rtt time.Duration
}

func newBBRFeed(c transport.Controller, n int, rtt time.Duration) *bbrFeed {
	f := &bbrFeed{c: c, n: n, rtt: rtt}
	f.ctl.MSS = testMSS
	c.Init(&f.ctl, 0)
	return f
}

func (f *bbrFeed) rounds(k int, rate float64, appLimited bool) {
	for range k * f.n {
		s := &f.s
		s.Now += time.Duration(float64(testMSS) / rate * 1e9)
		s.Delivered += testMSS
		s.BytesAcked, s.PacketsAcked = testMSS, 1
		s.PriorDelivered = max(s.Delivered-int64(f.n*testMSS), 0)
		s.RateDelivered = s.Delivered - s.PriorDelivered
		s.RateInterval = time.Duration(float64(s.RateDelivered) / rate * 1e9)
		s.DeliveryRate = rate
		s.AppLimited = appLimited
		s.RTT, s.SRTT, s.MinRTT = f.rtt, f.rtt, f.rtt
		s.BytesInFlight, s.PacketsInFlight = f.n*testMSS, f.n
		f.c.OnAck(s, &f.ctl)
	}
}

func TestBBRAppLimitedSamples(t *testing.T) {
	const rate = 1e6
	b := NewBBR(DefaultBBRConfig())
	f := newBBRFeed(b, 20, 10*time.Millisecond)
	f.rounds(15, rate, false)
	if got := varOf(t, b, "max_bw") / 8; got != rate {
		t.Fatalf("max_bw %v, want %v", got, rate)
	}
	// App-limited samples below the maximum are ignored, however long.
	f.rounds(30, rate/4, true)
	if got := varOf(t, b, "max_bw") / 8; got != rate {
		t.Errorf("max_bw %v after 30 rounds of app-limited samples at a quarter, want %v", got, rate)
	}
	// ... but one above it counts.
	f.rounds(1, 2*rate, true)
	if got := varOf(t, b, "max_bw") / 8; got != 2*rate {
		t.Errorf("max_bw %v after an app-limited sample at twice the rate, want %v", got, 2*rate)
	}
	// Ordinary samples age it out after the window.
	f.rounds(12, rate/4, false)
	if got := varOf(t, b, "max_bw") / 8; got != rate/4 {
		t.Errorf("max_bw %v after 12 rounds at a quarter, want %v", got, rate/4)
	}
}

func TestBBRFullBwIgnoresAppLimitedRounds(t *testing.T) {
	const rate = 1e6
	b := NewBBR(DefaultBBRConfig())
	f := newBBRFeed(b, 20, 10*time.Millisecond)
	// The bandwidth stops growing, but the samples are app-limited: the
	// pipe is not known to be full.
	f.rounds(10, rate, true)
	if b.Mode() != "startup" || varOf(t, b, "full_bw") != 0 {
		t.Fatalf("mode %q, full_bw %v after app-limited rounds, want startup", b.Mode(), varOf(t, b, "full_bw"))
	}
	// Three rounds without growth that are not app-limited fill it (the
	// first sets the plateau).
	f.rounds(3, rate, false)
	if varOf(t, b, "full_bw") != 0 {
		t.Fatalf("full_bw after the plateau and 2 flat rounds, want 3")
	}
	f.rounds(1, rate, false)
	if varOf(t, b, "full_bw") != 1 || b.Mode() == "startup" {
		t.Errorf("full_bw %v, mode %q after 3 flat rounds, want the pipe full", varOf(t, b, "full_bw"), b.Mode())
	}
}

func TestBBRInitialPacing(t *testing.T) {
	for _, iw := range []int{4, 10, 30} {
		cfg := DefaultBBRConfig()
		cfg.IW = iw
		b := NewBBR(cfg)
		ctl := transport.Control{MSS: testMSS}
		b.Init(&ctl, 0)
		if ctl.Cwnd != iw*testMSS {
			t.Errorf("iw=%d: initial cwnd %d bytes", iw, ctl.Cwnd)
		}
		// 2.885·IW per millisecond before any RTT sample, 1% below.
		if want := 2.885 * float64(iw*testMSS) / 1e-3 * 0.99; math.Abs(ctl.PacingRate-want) > 1e-6*want {
			t.Errorf("iw=%d: initial pacing %v, want %v", iw, ctl.PacingRate, want)
		}
		// The first RTT sample resets it to 2.885·cwnd/SRTT.
		s := transport.Sample{Now: 40 * time.Millisecond, PriorDelivered: -1, RTT: 40 * time.Millisecond, SRTT: 40 * time.Millisecond}
		b.OnAck(&s, &ctl)
		if want := 2.885 * float64(iw*testMSS) / 0.040 * 0.99; math.Abs(ctl.PacingRate-want) > 1e-6*want {
			t.Errorf("iw=%d: pacing after the first RTT sample %v, want %v", iw, ctl.PacingRate, want)
		}
	}
}
