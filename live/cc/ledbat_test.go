package cc

import (
	"math"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// ledbatOf builds spec as a *LEDBAT.
func ledbatOf(t *testing.T, spec string) *LEDBAT {
	t.Helper()
	l, ok := mustNew(t, spec).(*LEDBAT)
	if !ok {
		t.Fatalf("%s is not a *LEDBAT", spec)
	}
	return l
}

// LEDBAT's controller is at rest when off_target = 0, i.e. when the
// queuing delay it measures equals TARGET (RFC 6817 §2.4.2); alone on a
// path it settles there, with the bottleneck full. Its current delay is the
// minimum of the last samples, so in the steady state it reads the
// queue's low point: the queue the packets see settles within one packet
// time (1 ms here) of TARGET. The approach is exponential (growth ∝
// off_target, at most one MSS per RTT), with a time constant of TARGET in
// packets times the RTT, hence the long runs.
func TestLEDBATSettlesAtTarget(t *testing.T) {
	for _, tc := range []struct {
		spec   string
		target time.Duration
		run    time.Duration
	}{
		{"ledbat", 100 * time.Millisecond, 120 * time.Second},
		{"ledbat:target=25", 25 * time.Millisecond, 30 * time.Second},
		{"ledbat:target=50,slow_start=0", 50 * time.Millisecond, 90 * time.Second},
	} {
		c := ledbatOf(t, tc.spec)
		f := newPath(t, c, 1000, 40*time.Millisecond) // 1 ms per packet
		losses := 0
		f.onEvent = func(transport.CongestionEvent, *transport.Sample, int, int) { losses++ }
		f.runUntil(tc.run - 10*time.Second)
		var st pathStats
		f.watch(tc.run-10*time.Second, &st)
		f.runUntil(tc.run)
		want := float64(tc.target / time.Millisecond) // packets of queue
		if math.Abs(st.meanQ()-want) > 1 || st.maxQ-st.minQ > 1 {
			t.Errorf("%s: queue %.2f..%.2f packets (mean %.2f), want TARGET = %v packets ± 1", tc.spec, st.minQ, st.maxQ, st.meanQ(), want)
		}
		if qd := varOf(t, c, "queuing_delay"); math.Abs(qd-want) > 1 {
			t.Errorf("%s: queuing_delay %.2f ms, want %v", tc.spec, qd, want)
		}
		if off := varOf(t, c, "off_target"); math.Abs(off) > 1/want {
			t.Errorf("%s: off_target %.3f at rest", tc.spec, off)
		}
		if u := st.utilization(f.rate); u < 0.999 || losses != 0 {
			t.Errorf("%s: utilization %.4f with %d congestion events", tc.spec, u, losses)
		}
		if base := varOf(t, c, "base_delay"); math.Abs(base-durMillis(f.base/2+f.serv())) > 1e-9 {
			t.Errorf("%s: base_delay %.3f ms, want the empty-path OWD %.3f", tc.spec, base, durMillis(f.base/2+f.serv()))
		}
	}
}

// A buffer filler that holds the queuing delay above TARGET makes LEDBAT
// yield: off_target < 0, so cwnd shrinks on every ACK down to MIN_CWND and
// stays there (RFC 6817 §2.4.2, the "scavenger" goal). The base delay does
// not absorb the competitor's queue: it is the minimum over BASE_HISTORY
// minutes. When the competitor leaves, LEDBAT grows back.
func TestLEDBATYieldsToBufferFiller(t *testing.T) {
	for _, tc := range []struct {
		spec    string
		minCwnd int
	}{{"ledbat:target=25", 2}, {"ledbat:target=25,min_cwnd=4", 4}} {
		c := ledbatOf(t, tc.spec)
		f := newPath(t, c, 1000, 40*time.Millisecond)
		const from, to = 30 * time.Second, 90 * time.Second
		f.extra = func(t time.Duration) time.Duration {
			if t >= from && t < to {
				return 100 * time.Millisecond // four TARGETs of queue ahead
			}
			return 0
		}
		f.runUntil(from)
		base := varOf(t, c, "base_delay")
		grew := time.Duration(0)
		last := f.ctl.Cwnd
		f.onAck = func(s *transport.Sample, _ *pathPkt) {
			if s.Now > from+time.Second && f.ctl.Cwnd > last && grew == 0 {
				grew = s.Now
			}
			last = f.ctl.Cwnd
		}
		f.runUntil(to)
		if f.ctl.Cwnd != tc.minCwnd*testMSS {
			t.Errorf("%s: cwnd %d behind the buffer filler, want MIN_CWND = %d", tc.spec, f.ctl.Cwnd, tc.minCwnd*testMSS)
		}
		if grew != 0 {
			t.Errorf("%s: cwnd grew at %v while the queuing delay was above TARGET", tc.spec, grew)
		}
		if got := varOf(t, c, "base_delay"); got != base {
			t.Errorf("%s: base_delay %v → %v: the competitor's queue leaked into it", tc.spec, base, got)
		}
		if off := varOf(t, c, "off_target"); off > -3 {
			t.Errorf("%s: off_target %.2f behind 100 ms of extra queue, want ≤ −3", tc.spec, off)
		}
		f.onAck = nil
		f.runUntil(to + 20*time.Second)
		if f.cwndPkts() < f.bdpPackets() {
			t.Errorf("%s: cwnd %.1f packets 20 s after the competitor left, want ≥ BDP %.1f", tc.spec, f.cwndPkts(), f.bdpPackets())
		}
	}
}

// With GAIN ≤ 1 the window never grows faster than Reno's congestion
// avoidance, one MSS per RTT, even with the queue empty (off_target = 1):
// GAIN scales the growth (RFC 6817 §2.5: "A GAIN of 1 limits the maximum
// cwnd ramp-up to the same rate as TCP Reno"), and a larger
// ALLOWED_INCREASE does not lift that limit.
func TestLEDBATNeverFasterThanReno(t *testing.T) {
	for _, tc := range []struct {
		spec    string
		perRTT  float64 // expected growth per RTT with an empty queue, MSS
		maxRate float64
	}{
		{"ledbat:slow_start=0", 1, 1},
		{"ledbat:slow_start=0,gain=0.5", 0.5, 0.5},
		{"ledbat:slow_start=0,gain=0.25,allowed_increase=4", 0.25, 0.25},
	} {
		c := ledbatOf(t, tc.spec)
		f := newPath(t, c, 20000, 100*time.Millisecond) // BDP 2001: no queue for a long while
		var r delayRound
		start, rounds := 0.0, 0
		var growth []float64
		f.onAck = func(s *transport.Sample, p *pathPkt) {
			if !r.next(s) {
				return
			}
			// From 20 packets on: a round of N ACKs at cwnd W adds
			// N·MSS/W ≈ 1 − 1/W MSS, below that the ramp is visibly slower.
			w := f.cwndPkts()
			if start >= 20 && f.queuePkts(p) == 0 {
				growth = append(growth, w-start)
			}
			start = w
			rounds++
		}
		f.runUntil(20 * time.Second)
		if len(growth) < 100 {
			t.Fatalf("%s: only %d rounds measured", tc.spec, len(growth))
		}
		for i, g := range growth {
			if g > tc.maxRate+1e-9 || g < 0.9*tc.perRTT {
				t.Fatalf("%s: cwnd grew %.4f MSS in round %d, want %.2f (never above %.2f)", tc.spec, g, i, tc.perRTT, tc.maxRate)
			}
		}
	}
}

// RFC 6817 caps cwnd at flightsize + ALLOWED_INCREASE·MSS: a sender that
// does not use its window does not grow it.
func TestLEDBATFlightSizeCap(t *testing.T) {
	c := ledbatOf(t, "ledbat:slow_start=0,iw=20")
	ctl := transport.Control{MSS: testMSS}
	c.Init(&ctl, 0)
	s := transport.Sample{
		Now: 100 * time.Millisecond, BytesAcked: testMSS, PacketsAcked: 1,
		RTT: 40 * time.Millisecond, SRTT: 40 * time.Millisecond, OWD: 20 * time.Millisecond,
		FlightSize: 3 * testMSS, BytesInFlight: 3 * testMSS, Delivered: testMSS,
	}
	c.OnAck(&s, &ctl)
	if want := 3*testMSS + testMSS + testMSS; ctl.Cwnd != want {
		t.Errorf("cwnd %d with 4 MSS outstanding before the ACK, want flightsize + 1 MSS = %d", ctl.Cwnd, want)
	}
}

// ccscope's slow start (not in RFC 6817) ends at the first ACK whose
// queuing delay reaches TARGET/2, halving cwnd; with slow_start=0 the flow
// starts at INIT_CWND = 2 and grows at most one MSS per RTT from the start.
func TestLEDBATSlowStart(t *testing.T) {
	c := ledbatOf(t, "ledbat")
	f := newPath(t, c, 2000, 60*time.Millisecond)
	if f.ctl.Cwnd != 2*testMSS || c.Mode() != modeSlowStart {
		t.Fatalf("initial cwnd %d, mode %q; want INIT_CWND = 2 MSS in slow start", f.ctl.Cwnd, c.Mode())
	}
	prevQD, prevCwnd := 0.0, 0
	exited := false
	f.onAck = func(s *transport.Sample, _ *pathPkt) {
		qd := varOf(t, c, "queuing_delay")
		if !exited && c.Mode() != modeSlowStart {
			exited = true
			if qd < 50 || prevQD >= 50 {
				t.Errorf("left slow start at queuing delay %.1f ms (before: %.1f), want the first ACK at ≥ TARGET/2 = 50 ms", qd, prevQD)
			}
			if f.ctl.Cwnd != prevCwnd/2 {
				t.Errorf("cwnd %d → %d on leaving slow start, want halved", prevCwnd, f.ctl.Cwnd)
			}
		}
		prevQD, prevCwnd = qd, f.ctl.Cwnd
	}
	f.runUntil(3 * time.Second)
	if !exited || c.Mode() != modeCongestionAvoidance {
		t.Fatalf("mode %q after 3 s", c.Mode())
	}

	strict := ledbatOf(t, "ledbat:slow_start=0")
	g := newPath(t, strict, 2000, 60*time.Millisecond)
	if strict.Mode() != modeCongestionAvoidance {
		t.Errorf("slow_start=0 starts in %q", strict.Mode())
	}
	g.runUntil(time.Second) // 16 RTTs
	if w := g.cwndPkts(); w > 2+16+1 {
		t.Errorf("slow_start=0: cwnd %.1f packets after 16 RTTs from 2, want ≤ 2 + 16 (+1 for the round in flight)", w)
	}
}

// On data loss cwnd = min(cwnd, max(cwnd/2, MIN_CWND·MSS)) once per
// episode (RFC 6817 §2.4.2: at most once per RTT); cwnd does not grow until
// the episode ends; a timeout sets cwnd to 1 MSS (the RFC's response to a
// congestion timeout), the next ACK raises it to MIN_CWND, and slow start
// runs again up to half the window before the timeout.
func TestLEDBATLossAndTimeout(t *testing.T) {
	c := ledbatOf(t, "ledbat")
	f := newPath(t, c, 1000, 40*time.Millisecond)
	f.runUntil(5 * time.Second) // still ramping up: off_target ≈ 0.5
	var events []transport.CongestionEvent
	halved := 0
	f.onEvent = func(ev transport.CongestionEvent, s *transport.Sample, before, after int) {
		events = append(events, ev)
		if ev == transport.EventRecoveryEnd && after != halved {
			t.Errorf("recovery ended with cwnd %d, want the halved %d held through it", after, halved)
		}
		if ev == transport.EventLoss {
			halved = after
			if want := max(before/2, 2*testMSS); after != want {
				t.Errorf("loss: cwnd %d → %d, want %d", before, after, want)
			}
			c.OnCongestion(ev, s, &f.ctl)
			if f.ctl.Cwnd != after {
				t.Errorf("second EventLoss of an episode: cwnd %d → %d", after, f.ctl.Cwnd)
			}
		}
	}
	held := 0
	f.onAck = func(s *transport.Sample, _ *pathPkt) {
		if s.InRecovery {
			if c.Mode() != modeRecovery {
				t.Fatalf("mode %q during recovery", c.Mode())
			}
			held++
		}
	}
	f.lose(2)
	f.runUntil(31 * time.Second)
	if len(events) != 2 || events[0] != transport.EventLoss || events[1] != transport.EventRecoveryEnd || held == 0 {
		t.Fatalf("events %v, %d ACKs in recovery", events, held)
	}
	if c.Mode() != modeCongestionAvoidance {
		t.Errorf("after the episode: mode %q", c.Mode())
	}

	// MIN_CWND floors the halving.
	m := ledbatOf(t, "ledbat:min_cwnd=3,iw=4")
	ctl := transport.Control{MSS: testMSS}
	m.Init(&ctl, 0)
	m.OnCongestion(transport.EventLoss, &transport.Sample{}, &ctl)
	if ctl.Cwnd != 3*testMSS {
		t.Errorf("loss at 4 MSS with MIN_CWND 3: cwnd %d, want %d", ctl.Cwnd, 3*testMSS)
	}

	f.onEvent, f.onAck = nil, nil
	f.runUntil(20 * time.Second)
	before := f.ctl.Cwnd
	f.timeout(time.Second)
	if f.ctl.Cwnd != testMSS || c.Mode() != modeSlowStart {
		t.Fatalf("after a timeout: cwnd %d, mode %q; want 1 MSS, slow start", f.ctl.Cwnd, c.Mode())
	}
	f.step()
	if f.ctl.Cwnd != 2*testMSS {
		t.Errorf("first ACK after the timeout: cwnd %d, want MIN_CWND = %d", f.ctl.Cwnd, 2*testMSS)
	}
	f.runUntil(f.now + 2*time.Second)
	if c.Mode() != modeCongestionAvoidance || f.ctl.Ssthresh != before/2 {
		t.Errorf("2 s after the timeout: mode %q, ssthresh %d; want congestion avoidance, %d", c.Mode(), f.ctl.Ssthresh, before/2)
	}
}

// ledbatFeed sends LEDBAT single ACKs with chosen times and one-way delays.
func ledbatFeed(l *LEDBAT, ctl *transport.Control, now, owd, srtt time.Duration) {
	s := transport.Sample{
		Now: now, BytesAcked: testMSS, PacketsAcked: 1, RTT: srtt, SRTT: srtt, OWD: owd,
		FlightSize: 100 * testMSS, BytesInFlight: 100 * testMSS,
	}
	l.OnAck(&s, ctl)
}

// The base delay is the minimum of BASE_HISTORY one-minute minima (RFC 6817
// §2.4.2 update_base_delay): a lower delay counts at once, a higher one
// only once every bucket that saw the old delay has rolled out, that is
// after BASE_HISTORY minutes ("a LEDBAT sender will take BASE_HISTORY
// minutes to adapt").
func TestLEDBATBaseHistory(t *testing.T) {
	for _, hist := range []int{10, 3} {
		l := NewLEDBAT(LEDBATConfig{Target: 100 * time.Millisecond, Gain: 1, AllowedIncrease: 1, MinCwnd: 2, IW: 2, BaseHistory: hist, CurrentFilter: 4})
		ctl := transport.Control{MSS: testMSS}
		l.Init(&ctl, 0)
		srtt := 100 * time.Millisecond
		for t0 := time.Duration(0); t0 < time.Minute; t0 += 10 * time.Second {
			ledbatFeed(l, &ctl, t0, 50*time.Millisecond, srtt)
		}
		// The path's delay rises to 80 ms at minute 1.
		var adopted time.Duration
		for t0 := time.Minute; t0 < 15*time.Minute; t0 += 10 * time.Second {
			ledbatFeed(l, &ctl, t0, 80*time.Millisecond, srtt)
			if b := varOf(t, l, "base_delay"); b == 80 && adopted == 0 {
				adopted = t0
			} else if adopted == 0 && b != 50 {
				t.Fatalf("BASE_HISTORY %d: base_delay %v at %v, want 50 or 80", hist, b, t0)
			}
		}
		if want := time.Duration(hist) * time.Minute; adopted != want {
			t.Errorf("BASE_HISTORY %d: the higher base delay was adopted at %v, want %v", hist, adopted, want)
		}
		ledbatFeed(l, &ctl, 15*time.Minute, 30*time.Millisecond, srtt)
		if b := varOf(t, l, "base_delay"); b != 30 {
			t.Errorf("BASE_HISTORY %d: base_delay %v after a 30 ms sample, want 30 at once", hist, b)
		}
	}
}

// The current delay is the minimum of the last CURRENT_FILTER samples, none
// older than an RTT (srtt).
func TestLEDBATCurrentFilter(t *testing.T) {
	l := ledbatOf(t, "ledbat:slow_start=0")
	ctl := transport.Control{MSS: testMSS}
	l.Init(&ctl, 0)
	srtt := 100 * time.Millisecond
	now := time.Second
	step := func(owd time.Duration, gap time.Duration) float64 {
		now += gap
		ledbatFeed(l, &ctl, now, owd, srtt)
		return varOf(t, l, "current_delay")
	}
	ms := time.Millisecond
	for i, tc := range []struct {
		owd, gap time.Duration
		want     float64
	}{
		{20 * ms, ms, 20}, {50 * ms, ms, 20}, {60 * ms, ms, 20}, {70 * ms, ms, 20},
		{80 * ms, ms, 50},       // 20 ms is now the fifth sample back
		{90 * ms, ms, 60},       // last four: 60 70 80 90
		{95 * ms, 150 * ms, 95}, // the others are older than an RTT
		{45 * ms, ms, 45},
		{85 * ms, ms, 45},
	} {
		if got := step(tc.owd, tc.gap); got != tc.want {
			t.Fatalf("sample %d (%v): current_delay %v, want %v", i, tc.owd, got, tc.want)
		}
	}
}

// Only differences of one-way delays matter: a constant offset between the
// sender's and the receiver's clocks, of either sign, changes nothing.
func TestLEDBATIgnoresClockOffset(t *testing.T) {
	run := func(offset time.Duration) []int {
		f := newPath(t, mustNew(t, "ledbat"), 1000, 40*time.Millisecond)
		f.owdOffset = offset
		var cw []int
		f.onAck = func(*transport.Sample, *pathPkt) { cw = append(cw, f.ctl.Cwnd) }
		f.runUntil(20 * time.Second)
		return cw
	}
	ref := run(0)
	for _, off := range []time.Duration{-7 * time.Second, 3*time.Hour + 17*time.Microsecond} {
		got := run(off)
		if len(got) != len(ref) {
			t.Fatalf("offset %v: %d ACKs, want %d", off, len(got), len(ref))
		}
		for i := range got {
			if got[i] != ref[i] {
				t.Fatalf("offset %v: cwnd %d at ACK %d, want %d", off, got[i], i, ref[i])
			}
		}
	}
}

// The registry builds LEDBAT with its parameters.
func TestLEDBATParams(t *testing.T) {
	def := DefaultLEDBATConfig()
	for spec, want := range map[string]LEDBATConfig{
		"ledbat":                    def,
		"ledbat:target=25,gain=0.5": {Target: 25 * time.Millisecond, Gain: 0.5, AllowedIncrease: 1, MinCwnd: 2, IW: 2, BaseHistory: 10, CurrentFilter: 4, SlowStart: true},
		"ledbat:slow_start=off,base_history=3,current_filter=8,min_cwnd=1,iw=4,allowed_increase=2": {
			Target: 100 * time.Millisecond, Gain: 1, AllowedIncrease: 2, MinCwnd: 1, IW: 4, BaseHistory: 3, CurrentFilter: 8},
	} {
		l := ledbatOf(t, spec)
		if l.cfg != want {
			t.Errorf("New(%q) = %+v, want %+v", spec, l.cfg, want)
		}
	}
	for _, bad := range []string{"ledbat:gain=1.5", "ledbat:target=0", "ledbat:allowed_increase=0.5", "ledbat:current_filter=0"} {
		if _, err := New(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func BenchmarkLEDBATOnAck(b *testing.B) {
	benchReplay(b, "ledbat", recordSamples(b, "ledbat", 2000, 40*time.Millisecond, 20*time.Second))
}
