package cc

import (
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

func TestRenoInitialWindow(t *testing.T) {
	for _, tc := range []struct {
		spec string
		iw   int
	}{{"reno", 10}, {"reno:iw=4", 4}, {"reno:iw=1", 1}} {
		c := mustNew(t, tc.spec)
		ctl := transport.Control{MSS: testMSS}
		c.Init(&ctl, 0)
		if ctl.Cwnd != tc.iw*testMSS {
			t.Errorf("%s: initial cwnd %d, want %d (%d segments, RFC 6928)", tc.spec, ctl.Cwnd, tc.iw*testMSS, tc.iw)
		}
		if ctl.Ssthresh < 1<<30 {
			t.Errorf("%s: initial ssthresh %d, want effectively infinite", tc.spec, ctl.Ssthresh)
		}
		if c.Mode() != "slow start" {
			t.Errorf("%s: mode %q, want slow start", tc.spec, c.Mode())
		}
	}
}

// Slow start doubles cwnd every RTT from the initial 10 segments.
func TestRenoSlowStartDoublesPerRTT(t *testing.T) {
	f := newFlow(t, mustNew(t, "reno"), constRTT(100*time.Millisecond))
	want := 10 * testMSS
	for k := range 12 {
		if f.ctl.Cwnd != want {
			t.Fatalf("round %d: cwnd %d, want %d", k, f.ctl.Cwnd, want)
		}
		if m := f.cc.Mode(); m != "slow start" {
			t.Fatalf("round %d: mode %q", k, m)
		}
		f.round()
		want *= 2
	}
}

// RFC 3465 §2.2: with L = 2, one ACK covering many segments grows cwnd by
// at most 2 MSS in slow start.
func TestRenoSlowStartByteCountingLimit(t *testing.T) {
	c := mustNew(t, "reno")
	ctl := transport.Control{MSS: testMSS}
	c.Init(&ctl, 0)
	s := transport.Sample{Now: time.Millisecond, BytesAcked: 5 * testMSS, PacketsAcked: 5, Delivered: 5 * testMSS}
	c.OnAck(&s, &ctl)
	if want := 12 * testMSS; ctl.Cwnd != want {
		t.Fatalf("cwnd after a 5-segment ACK: %d, want %d (10 + L=2 segments)", ctl.Cwnd, want)
	}
	s = transport.Sample{Now: 2 * time.Millisecond, BytesAcked: 700, PacketsAcked: 1, Delivered: 5*testMSS + 700}
	c.OnAck(&s, &ctl)
	if want := 12*testMSS + 700; ctl.Cwnd != want {
		t.Fatalf("cwnd after a 700-byte ACK: %d, want %d", ctl.Cwnd, want)
	}
}

// After a timeout, slow start runs up to ssthresh and stops exactly there;
// congestion avoidance then grows cwnd by exactly one MSS per RTT.
func TestRenoExitsAtSsthreshThenGrowsOneMSSPerRTT(t *testing.T) {
	f := newFlow(t, mustNew(t, "reno"), constRTT(50*time.Millisecond))
	f.rounds(3) // 80 segments
	flight := f.last.BytesInFlight
	f.timeout(time.Second)
	ssthresh := max(flight/2, 2*testMSS)
	if f.ctl.Ssthresh != ssthresh || f.ctl.Cwnd != testMSS {
		t.Fatalf("after timeout: cwnd %d ssthresh %d, want %d and %d", f.ctl.Cwnd, f.ctl.Ssthresh, testMSS, ssthresh)
	}
	rounds := 0
	for f.ctl.Cwnd < ssthresh {
		before := f.ctl.Cwnd
		f.round()
		rounds++
		if f.ctl.Cwnd > ssthresh {
			t.Fatalf("slow start overshot: cwnd %d > ssthresh %d", f.ctl.Cwnd, ssthresh)
		}
		if f.ctl.Cwnd < ssthresh && f.ctl.Cwnd != 2*before {
			t.Fatalf("slow start round %d: cwnd %d → %d, want doubling", rounds, before, f.ctl.Cwnd)
		}
		if rounds > 20 {
			t.Fatal("slow start never reached ssthresh")
		}
	}
	if f.ctl.Cwnd != ssthresh || f.cc.Mode() != "congestion avoidance" {
		t.Fatalf("at the end of slow start: cwnd %d (ssthresh %d), mode %q", f.ctl.Cwnd, ssthresh, f.cc.Mode())
	}
	f.rounds(2) // let the leftover of the last slow-start round settle
	start := f.ctl.Cwnd
	for k := range 50 {
		before := f.ctl.Cwnd
		f.round()
		if f.ctl.Cwnd-before != testMSS {
			t.Fatalf("CA round %d: cwnd grew %d bytes, want exactly one MSS (%d)", k, f.ctl.Cwnd-before, testMSS)
		}
	}
	if got := f.ctl.Cwnd - start; got != 50*testMSS {
		t.Fatalf("50 CA rounds grew cwnd by %d, want %d", got, 50*testMSS)
	}
}

// Byte counting: the growth does not depend on how the bytes are split
// into ACKs: cwnd grows by one MSS exactly when a full cwnd of bytes has
// been acknowledged.
func TestRenoCongestionAvoidanceCountsBytes(t *testing.T) {
	for _, ack := range []int{100, 1000, 3000, testMSS} {
		c := mustNew(t, "reno")
		ctl := transport.Control{MSS: testMSS}
		c.Init(&ctl, 0)
		s := transport.Sample{Now: time.Millisecond, BytesInFlight: 40 * testMSS, FlightSize: 40 * testMSS}
		c.OnCongestion(transport.EventTimeout, &s, &ctl) // ssthresh = 20 MSS
		for ctl.Cwnd < ctl.Ssthresh {
			c.OnAck(&transport.Sample{BytesAcked: min(2*testMSS, ctl.Ssthresh-ctl.Cwnd)}, &ctl)
		}
		w := ctl.Cwnd
		if w != 20*testMSS || c.Mode() != "congestion avoidance" {
			t.Fatalf("setup: cwnd %d mode %q", w, c.Mode())
		}
		end := w + (w + testMSS) // two windows
		for total := 0; total < end; {
			n := min(ack, end-total)
			c.OnAck(&transport.Sample{BytesAcked: n}, &ctl)
			total += n
			want := w
			if total >= w {
				want += testMSS
			}
			if total >= end {
				want += testMSS
			}
			if ctl.Cwnd != want {
				t.Fatalf("ACKs of %d bytes: after %d bytes cwnd %d, want %d", ack, total, ctl.Cwnd, want)
			}
		}
	}
}

func TestRenoLossSetsHalfFlight(t *testing.T) {
	for _, n := range []int{0, testMSS, 3 * testMSS, 3*testMSS + 1, 4 * testMSS, 57*testMSS + 701, 100 * testMSS} {
		c := mustNew(t, "reno")
		ctl := transport.Control{MSS: testMSS}
		c.Init(&ctl, 0)
		s := transport.Sample{Now: time.Second, BytesInFlight: n, FlightSize: n, LostPackets: 1, LostBytes: testMSS, InRecovery: true}
		c.OnCongestion(transport.EventLoss, &s, &ctl)
		want := n / 2
		if want < 2*testMSS {
			want = 2 * testMSS
		}
		if ctl.Cwnd != want || ctl.Ssthresh != want {
			t.Errorf("loss with %d bytes in flight: cwnd %d ssthresh %d, want both %d", n, ctl.Cwnd, ctl.Ssthresh, want)
		}
		if c.Mode() != "recovery" {
			t.Errorf("mode %q after loss, want recovery", c.Mode())
		}
	}
}

// One reduction per episode, no growth during recovery, cwnd = ssthresh
// at the end, then congestion avoidance.
func TestRenoRecoveryEpisode(t *testing.T) {
	f := newFlow(t, mustNew(t, "reno"), constRTT(40*time.Millisecond))
	f.rounds(3) // 80 segments
	var events []transport.CongestionEvent
	var lossFlight int
	f.onEvent = func(ev transport.CongestionEvent, s *transport.Sample, before, after int) {
		events = append(events, ev)
		if ev == transport.EventLoss {
			lossFlight = s.BytesInFlight
		}
	}
	f.lose(1)
	f.step()
	want := max(lossFlight/2, 2*testMSS)
	if len(events) != 1 || f.ctl.Cwnd != want || f.ctl.Ssthresh != want {
		t.Fatalf("after loss (flight %d): events %v cwnd %d ssthresh %d, want cwnd = ssthresh = %d", lossFlight, events, f.ctl.Cwnd, f.ctl.Ssthresh, want)
	}
	acks := 0
	f.onAck = func(s *transport.Sample) {
		if !s.InRecovery {
			return
		}
		acks++
		if f.ctl.Cwnd != want || f.cc.Mode() != "recovery" {
			t.Fatalf("recovery ACK %d: cwnd %d mode %q, want %d and recovery", acks, f.ctl.Cwnd, f.cc.Mode(), want)
		}
		if acks%10 == 0 {
			f.lose(2) // more losses in the same window: not reported again
		}
	}
	f.stepUntil(1000, func() bool { return !f.inRecovery })
	if acks < 20 {
		t.Fatalf("only %d ACKs in recovery", acks)
	}
	if len(events) != 2 || events[1] != transport.EventRecoveryEnd {
		t.Fatalf("events %v, want [loss recovery-end]", events)
	}
	if f.ctl.Cwnd != want || f.cc.Mode() != "congestion avoidance" {
		t.Fatalf("after recovery: cwnd %d mode %q, want %d, congestion avoidance", f.ctl.Cwnd, f.cc.Mode(), want)
	}
}

// EventRecoveryEnd restores cwnd to ssthresh whatever happened during
// recovery, and a second EventLoss inside the episode does not reduce.
func TestRenoEventsDirect(t *testing.T) {
	c := mustNew(t, "reno")
	ctl := transport.Control{MSS: testMSS}
	c.Init(&ctl, 0)
	s := transport.Sample{Now: time.Second, BytesInFlight: 60 * testMSS, InRecovery: true}
	c.OnCongestion(transport.EventLoss, &s, &ctl)
	s.BytesInFlight = 20 * testMSS
	c.OnCongestion(transport.EventLoss, &s, &ctl)
	if ctl.Cwnd != 30*testMSS {
		t.Fatalf("second loss in one episode changed cwnd to %d, want %d", ctl.Cwnd, 30*testMSS)
	}
	for i := range 100 {
		c.OnAck(&transport.Sample{Now: time.Second + time.Duration(i)*time.Millisecond, BytesAcked: testMSS, LostPackets: i % 2, InRecovery: true, BytesInFlight: 29 * testMSS}, &ctl)
	}
	if ctl.Cwnd != 30*testMSS {
		t.Fatalf("cwnd %d after 100 recovery ACKs, want %d", ctl.Cwnd, 30*testMSS)
	}
	ctl.Cwnd = 5 // something else touched it
	c.OnCongestion(transport.EventRecoveryEnd, &s, &ctl)
	if ctl.Cwnd != 30*testMSS || c.Mode() != "congestion avoidance" {
		t.Fatalf("recovery end: cwnd %d mode %q", ctl.Cwnd, c.Mode())
	}
}

func TestRenoTimeout(t *testing.T) {
	f := newFlow(t, mustNew(t, "reno"), constRTT(30*time.Millisecond))
	f.rounds(4) // 160 segments
	flight := f.last.BytesInFlight
	f.timeout(time.Second)
	ssthresh := max(flight/2, 2*testMSS)
	if f.ctl.Cwnd != testMSS || f.ctl.Ssthresh != ssthresh || f.cc.Mode() != "slow start" {
		t.Fatalf("timeout: cwnd %d ssthresh %d mode %q, want %d, %d, slow start", f.ctl.Cwnd, f.ctl.Ssthresh, f.cc.Mode(), testMSS, ssthresh)
	}
	// The timer fires again (backoff) before any ACK: RFC 5681 reduces
	// ssthresh only for a segment not yet resent by the timer.
	f.timeout(2 * time.Second)
	if f.ctl.Cwnd != testMSS || f.ctl.Ssthresh != ssthresh {
		t.Fatalf("second timeout: cwnd %d ssthresh %d, want %d, %d", f.ctl.Cwnd, f.ctl.Ssthresh, testMSS, ssthresh)
	}
	// A timeout after new ACKs reduces again, from the new flight.
	f.rounds(3)
	flight = f.last.BytesInFlight
	f.timeout(time.Second)
	if want := max(flight/2, 2*testMSS); f.ctl.Ssthresh != want || f.ctl.Cwnd != testMSS {
		t.Fatalf("third timeout: cwnd %d ssthresh %d, want %d, %d", f.ctl.Cwnd, f.ctl.Ssthresh, testMSS, want)
	}
}

func TestRenoVars(t *testing.T) {
	c := mustNew(t, "reno")
	ctl := transport.Control{MSS: testMSS}
	c.Init(&ctl, 0)
	c.OnCongestion(transport.EventLoss, &transport.Sample{BytesInFlight: 50 * testMSS}, &ctl)
	if got := varOf(t, c, "ssthresh"); got != 25*testMSS {
		t.Errorf("ssthresh var %v, want %d", got, 25*testMSS)
	}
	if got := varOf(t, c, "cwnd"); got != 25 {
		t.Errorf("cwnd var %v packets, want 25", got)
	}
	if c.Name() != "reno" {
		t.Errorf("name %q", c.Name())
	}
}

// The ACK that takes slow start past ssthresh stops cwnd at ssthresh, and
// its remaining bytes count toward congestion avoidance.
func TestRenoSlowStartLeftoverCountsInCA(t *testing.T) {
	c := mustNew(t, "reno")
	ctl := transport.Control{MSS: testMSS}
	c.Init(&ctl, 0)
	c.OnCongestion(transport.EventTimeout, &transport.Sample{BytesInFlight: 20 * testMSS}, &ctl) // ssthresh 10 MSS
	for ctl.Cwnd < 9*testMSS {
		c.OnAck(&transport.Sample{BytesAcked: testMSS}, &ctl)
	}
	c.OnAck(&transport.Sample{BytesAcked: 2 * testMSS}, &ctl) // one MSS to reach ssthresh, one left over
	if ctl.Cwnd != 10*testMSS || c.Mode() != "congestion avoidance" {
		t.Fatalf("cwnd %d mode %q, want %d, congestion avoidance", ctl.Cwnd, c.Mode(), 10*testMSS)
	}
	c.OnAck(&transport.Sample{BytesAcked: 9*testMSS - 1}, &ctl)
	if ctl.Cwnd != 10*testMSS {
		t.Fatalf("grew after %d of %d bytes", 10*testMSS-1, 10*testMSS)
	}
	c.OnAck(&transport.Sample{BytesAcked: 1}, &ctl)
	if ctl.Cwnd != 11*testMSS {
		t.Fatalf("cwnd %d after a full window in CA (counting the leftover), want %d", ctl.Cwnd, 11*testMSS)
	}
}

// A timer that fires again before any ACK keeps ssthresh, even when the
// sender's flight has dropped to nothing meanwhile.
func TestRenoTimeoutBackoffKeepsSsthresh(t *testing.T) {
	c := mustNew(t, "reno")
	ctl := transport.Control{MSS: testMSS}
	c.Init(&ctl, 0)
	c.OnCongestion(transport.EventTimeout, &transport.Sample{BytesInFlight: 40 * testMSS}, &ctl)
	c.OnCongestion(transport.EventTimeout, &transport.Sample{BytesInFlight: 0}, &ctl)
	if ctl.Ssthresh != 20*testMSS || ctl.Cwnd != testMSS {
		t.Fatalf("after two timeouts: ssthresh %d cwnd %d, want %d, %d", ctl.Ssthresh, ctl.Cwnd, 20*testMSS, testMSS)
	}
	c.OnAck(&transport.Sample{BytesAcked: testMSS, BytesInFlight: 0}, &ctl)
	c.OnCongestion(transport.EventTimeout, &transport.Sample{BytesInFlight: 6 * testMSS}, &ctl)
	if ctl.Ssthresh != 3*testMSS {
		t.Fatalf("timeout after an ACK: ssthresh %d, want %d", ctl.Ssthresh, 3*testMSS)
	}
}

// An ACK without new data (say, one reporting only a loss) between two
// timeouts does not make the second one a fresh reduction.
func TestTimeoutBackoffIgnoresEmptyACKs(t *testing.T) {
	for _, spec := range []string{"reno", "cubic"} {
		c := mustNew(t, spec)
		ctl := transport.Control{MSS: testMSS}
		c.Init(&ctl, 0)
		c.OnCongestion(transport.EventTimeout, &transport.Sample{BytesInFlight: 10 * testMSS}, &ctl)
		ss := ctl.Ssthresh
		c.OnAck(&transport.Sample{Now: time.Second, LostPackets: 1, LostBytes: testMSS}, &ctl)
		c.OnCongestion(transport.EventTimeout, &transport.Sample{BytesInFlight: 0}, &ctl)
		if ctl.Ssthresh != ss || ctl.Cwnd != testMSS {
			t.Errorf("%s: ssthresh %d → %d, cwnd %d across a backed-off timeout", spec, ss, ctl.Ssthresh, ctl.Cwnd)
		}
	}
}

// TestRenoTakeOver: taking over a flow at 40 segments, reno stays in
// congestion avoidance (one MSS per window of ACKed bytes), stops pacing,
// and halves on the next loss.
func TestRenoTakeOver(t *testing.T) {
	r := NewReno(10)
	c := transport.Control{MSS: testMSS, Cwnd: 40 * testMSS, PacingRate: 1e6}
	r.TakeOver(&c)
	if c.Cwnd != 40*testMSS || c.Ssthresh != 40*testMSS || c.PacingRate != 0 || r.Mode() != "congestion avoidance" {
		t.Fatalf("after take-over: cwnd %d ssthresh %d pacing %v mode %q", c.Cwnd, c.Ssthresh, c.PacingRate, r.Mode())
	}
	r.OnAck(&transport.Sample{BytesAcked: 40 * testMSS, PacketsAcked: 40}, &c)
	if c.Cwnd != 41*testMSS {
		t.Fatalf("a window of ACKs: cwnd %d segments, want 41", c.Cwnd/testMSS)
	}
	r.OnCongestion(transport.EventLoss, &transport.Sample{FlightSize: 41 * testMSS, InRecovery: true}, &c)
	if c.Cwnd > 21*testMSS || c.Cwnd < 20*testMSS {
		t.Fatalf("after a loss: cwnd %d segments, want about 20.5", c.Cwnd/testMSS)
	}
}
