package cc

import (
	"math"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// rfcRTTThresh is RFC 9406's RttThresh for a round whose minimum RTT was
// last: max(4 ms, min(last/8, 16 ms)).
func rfcRTTThresh(last time.Duration) time.Duration {
	return max(4*time.Millisecond, min(last/8, 16*time.Millisecond))
}

// stepRTT is a path whose RTT is base for segments sent before at and
// base+delta after.
func stepRTT(base, delta, at time.Duration) func(time.Duration) time.Duration {
	return func(sent time.Duration) time.Duration {
		if sent >= at {
			return base + delta
		}
		return base
	}
}

const (
	modeSS  = "slow start"
	modeCSS = "conservative slow start"
	modeCA  = "congestion avoidance"
)

// With a constant RTT, or jitter below MIN_RTT_THRESH, slow start doubles
// every round and never exits.
func TestHyStartConstantRTTKeepsSlowStart(t *testing.T) {
	jitter := func(sent time.Duration) time.Duration {
		h := uint64(sent/time.Microsecond) * 2654435761 % 3900
		return 50*time.Millisecond + time.Duration(h)*time.Microsecond
	}
	for name, rtt := range map[string]func(time.Duration) time.Duration{
		"constant": constRTT(50 * time.Millisecond),
		"jitter":   jitter,
	} {
		f := newFlow(t, mustNew(t, "cubic"), rtt)
		want := 10 * testMSS
		for k := range 12 {
			if f.ctl.Cwnd != want || f.cc.Mode() != modeSS || f.ctl.Ssthresh != InfiniteSsthresh {
				t.Fatalf("%s, round %d: cwnd %d mode %q ssthresh %d, want %d, slow start, infinite", name, k, f.ctl.Cwnd, f.cc.Mode(), f.ctl.Ssthresh, want)
			}
			f.round()
			want *= 2
		}
	}
}

// An RTT rise of at least RttThresh between rounds enters CSS on the 8th
// RTT sample of the round; a rise just below it does not. RttThresh is
// clamped to [4 ms, 16 ms].
func TestHyStartDelayThreshold(t *testing.T) {
	for _, base := range []time.Duration{20 * time.Millisecond, 50 * time.Millisecond, 200 * time.Millisecond} {
		thresh := rfcRTTThresh(base)
		for _, tc := range []struct {
			delta time.Duration
			css   bool
		}{{thresh - 100*time.Microsecond, false}, {thresh + 100*time.Microsecond, true}} {
			// Segments sent from round 4 on (after 3.75 base RTTs) see the
			// higher RTT; their ACKs make up round 5.
			f := newFlow(t, mustNew(t, "cubic"), stepRTT(base, tc.delta, base*15/4))
			entered := -1
			for range 9 * 1024 {
				f.step()
				if f.cc.Mode() == modeCSS {
					entered = f.roundNo
					break
				}
				if f.roundNo > 9 {
					break
				}
			}
			switch {
			case !tc.css && entered >= 0:
				t.Errorf("base %v, rise %v < RttThresh %v: entered CSS in round %d", base, tc.delta, thresh, entered)
			case tc.css && entered != 5:
				t.Errorf("base %v, rise %v ≥ RttThresh %v: entered CSS in round %d, want 5", base, tc.delta, thresh, entered)
			case tc.css && f.ackInRound != 8:
				t.Errorf("base %v: entered CSS on ACK %d of the round, want the 8th (N_RTT_SAMPLE)", base, f.ackInRound)
			}
		}
	}
}

// In CSS cwnd grows at a quarter of the slow-start rate; after CSS_ROUNDS
// rounds (the partial round CSS began in counts) cubic enters congestion
// avoidance with ssthresh = cwnd, W_max = cwnd and K = 0.
func TestHyStartConservativeSlowStartToCA(t *testing.T) {
	const base = 50 * time.Millisecond
	f := newFlow(t, mustNew(t, "cubic"), stepRTT(base, 10*time.Millisecond, base*15/4))
	f.stepUntil(100000, func() bool { return f.cc.Mode() == modeCSS })
	first := f.roundNo
	if f.ctl.Ssthresh != InfiniteSsthresh {
		t.Fatalf("ssthresh %d on entering CSS, want still infinite", f.ctl.Ssthresh)
	}
	// Rest of the round CSS began in: slow-start ACKs grew 1 MSS, CSS
	// ones a quarter.
	w0, n0 := f.ctl.Cwnd, f.ackInRound
	f.finishRound()
	n := f.ackInRound - n0
	if want := w0 + n*testMSS/4; abs(f.ctl.Cwnd-want) > 1 || f.cc.Mode() != modeCSS {
		t.Fatalf("partial CSS round: %d ACKs took cwnd %d → %d, want %d, CSS (mode %q)", n, w0, f.ctl.Cwnd, want, f.cc.Mode())
	}
	for r := 2; r <= 5; r++ {
		w0 := f.ctl.Cwnd
		f.step()
		if f.roundNo != first+r-1 || f.cc.Mode() != modeCSS {
			t.Fatalf("CSS round %d: round %d mode %q", r, f.roundNo, f.cc.Mode())
		}
		f.finishRound()
		if want := w0 + f.ackInRound*testMSS/4; abs(f.ctl.Cwnd-want) > 1 {
			t.Fatalf("CSS round %d: %d ACKs took cwnd %d → %d, want %d (a quarter MSS per ACK)", r, f.ackInRound, w0, f.ctl.Cwnd, want)
		}
	}
	// The first ACK after CSS_ROUNDS rounds.
	w := f.ctl.Cwnd
	f.step()
	if f.cc.Mode() != modeCA {
		t.Fatalf("after 5 CSS rounds: mode %q, want congestion avoidance", f.cc.Mode())
	}
	if abs(f.ctl.Ssthresh-w) > 1 {
		t.Fatalf("ssthresh %d on leaving CSS, want cwnd %d", f.ctl.Ssthresh, w)
	}
	if got := varOf(t, f.cc, "k"); got != 0 {
		t.Fatalf("K %v after HyStart++ exit, want 0 (RFC 9438 §4.10)", got)
	}
	if got := varOf(t, f.cc, "w_max"); math.Abs(got-float64(w)/testMSS) > 1e-3 {
		t.Fatalf("W_max %v after HyStart++ exit, want cwnd %v", got, float64(w)/testMSS)
	}
	// Congestion avoidance from there: no more doubling.
	w = f.ctl.Cwnd
	f.rounds(3)
	if f.ctl.Cwnd > w+w/5 {
		t.Fatalf("cwnd %d → %d in 3 rounds of congestion avoidance", w, f.ctl.Cwnd)
	}
}

// If the RTT falls below the CSS baseline, the exit was spurious: back to
// slow start, which then doubles per round again.
func TestHyStartSpuriousExitResumesSlowStart(t *testing.T) {
	const base = 50 * time.Millisecond
	drop := time.Duration(math.MaxInt64)
	rtt := func(sent time.Duration) time.Duration {
		if sent >= base*15/4 && sent < drop {
			return base + 10*time.Millisecond
		}
		return base
	}
	f := newFlow(t, mustNew(t, "cubic"), rtt)
	f.stepUntil(100000, func() bool { return f.cc.Mode() == modeCSS })
	cssRound := f.roundNo
	drop = f.now // segments sent from now on see the base RTT again
	f.stepUntil(100000, func() bool { return f.cc.Mode() != modeCSS })
	if f.cc.Mode() != modeSS || f.roundNo != cssRound+1 {
		t.Fatalf("mode %q in round %d (CSS began in round %d), want slow start in the next round", f.cc.Mode(), f.roundNo, cssRound)
	}
	if f.ctl.Ssthresh != InfiniteSsthresh {
		t.Fatalf("ssthresh %d after resuming slow start", f.ctl.Ssthresh)
	}
	f.finishRound()
	for r := range 3 {
		w0 := f.ctl.Cwnd
		f.step()
		f.finishRound()
		if want := w0 + f.ackInRound*testMSS; abs(f.ctl.Cwnd-want) > 1 || f.cc.Mode() != modeSS {
			t.Fatalf("slow start round %d after resuming: cwnd %d → %d (mode %q), want %d", r, w0, f.ctl.Cwnd, f.cc.Mode(), want)
		}
	}
}

// With hystart=0 an RTT rise does not end slow start; only a loss does.
func TestHyStartDisabled(t *testing.T) {
	const base = 50 * time.Millisecond
	f := newFlow(t, mustNew(t, "cubic:hystart=0"), stepRTT(base, 30*time.Millisecond, base*15/4))
	want := 10 * testMSS
	for k := range 12 {
		if f.ctl.Cwnd != want || f.cc.Mode() != modeSS {
			t.Fatalf("round %d: cwnd %d mode %q, want %d, slow start", k, f.ctl.Cwnd, f.cc.Mode(), want)
		}
		f.round()
		want *= 2
	}
	before := f.ctl.Cwnd
	f.lose(1)
	f.step()
	if f.cc.Mode() != "recovery" || abs(f.ctl.Ssthresh-int(rfcBeta*float64(before))) > testMSS {
		t.Fatalf("loss: mode %q ssthresh %d, want recovery, %v", f.cc.Mode(), f.ctl.Ssthresh, rfcBeta*float64(before))
	}
}

// HyStart++ runs only in the initial slow start (RFC 9406 §4.2): the slow
// start after a timeout ignores RTT increases.
func TestHyStartOnlyInitialSlowStart(t *testing.T) {
	const base = 50 * time.Millisecond
	rise := time.Duration(math.MaxInt64)
	f := newFlow(t, mustNew(t, "cubic"), func(sent time.Duration) time.Duration {
		if sent >= rise {
			return base + time.Duration((sent-rise)/base)*20*time.Millisecond
		}
		return base
	})
	f.rounds(6)
	f.timeout(time.Second)
	rise = f.now
	for f.cc.Mode() == modeSS {
		f.step()
	}
	if f.cc.Mode() != modeCA || f.ctl.Cwnd < f.ctl.Ssthresh {
		t.Fatalf("slow start after a timeout ended in mode %q at cwnd %d (ssthresh %d), want congestion avoidance at ssthresh", f.cc.Mode(), f.ctl.Cwnd, f.ctl.Ssthresh)
	}
}

// feedRounds gives a fresh HyStart++ cubic one round of ACKs per element of
// rounds, one ACK per RTT sample, and returns the mode after each round.
func feedRounds(t *testing.T, rounds ...[]time.Duration) []string {
	t.Helper()
	c := mustNew(t, "cubic")
	ctl := transport.Control{MSS: testMSS}
	c.Init(&ctl, 0)
	var delivered int64
	var now time.Duration
	var modes []string
	for _, r := range rounds {
		for i, rtt := range r {
			delivered += testMSS
			now += time.Millisecond
			// The round's first ACK sees the rest of the round in flight.
			inflight := 100 * testMSS
			if i == 0 {
				inflight = (len(r) - 1) * testMSS
			}
			c.OnAck(&transport.Sample{Now: now, BytesAcked: testMSS, PacketsAcked: 1, RTT: rtt, Delivered: delivered, BytesInFlight: inflight}, &ctl)
		}
		modes = append(modes, c.Mode())
	}
	return modes
}

// ms builds a round of n samples of d milliseconds.
func ms(n int, d float64) []time.Duration {
	r := make([]time.Duration, n)
	for i := range r {
		r[i] = time.Duration(d * float64(time.Millisecond))
	}
	return r
}

// The round's minimum RTT is over all its samples, and the comparison is
// with the previous round's minimum only.
func TestHyStartRoundMinimum(t *testing.T) {
	// 50 ms; then one 50 ms sample and seven of 70 ms: the minimum is
	// still 50 ms, no exit.
	second := append(ms(1, 50), ms(9, 70)...)
	if got := feedRounds(t, ms(10, 50), second); got[1] != modeSS {
		t.Errorf("round with minimum 50 ms after 50 ms: %v, want slow start", got)
	}
	// 50, 54, 59 ms: each round is below the previous one + 6.25 ms, even
	// though the last is 9 ms above the first.
	if got := feedRounds(t, ms(10, 50), ms(10, 54), ms(10, 59)); got[2] != modeSS {
		t.Errorf("50, 54, 59 ms rounds: %v, want slow start", got)
	}
	// 50 then 57 ms (≥ 50 + 6.25): exit to CSS.
	if got := feedRounds(t, ms(10, 50), ms(10, 57)); got[1] != modeCSS {
		t.Errorf("50, 57 ms rounds: %v, want CSS", got)
	}
	// Fewer than N_RTT_SAMPLE samples in the round: no decision.
	if got := feedRounds(t, ms(10, 50), ms(7, 80)); got[1] != modeSS {
		t.Errorf("7 samples of 80 ms after 50 ms: %v, want slow start (needs 8 samples)", got)
	}
}
