// queue_pie_test.go tests queue_pie.go: the control law in mahimahi's
// units, the early-drop gates (burst allowance, light load, small backlog),
// the lazy 30-ms updates, the behaviour under overload and after it, and a
// comparison with an integer-millisecond model of mahimahi's
// pie_packet_queue.cc.
package emu

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

const pieRef = 20 * time.Millisecond

// pieArrival is one Enqueue call of a PIE drive.
type pieArrival struct {
	at          time.Duration
	bytesBefore int
	dropped     bool
	st          PIEState // after the call
}

// pieUpdate is one 30-ms probability update seen by a drive.
type pieUpdate struct {
	at            time.Duration
	bytes         int // queued bytes when the update ran
	before, after PIEState
}

type pieRun struct {
	arrivals []pieArrival
	updates  []pieUpdate
	sojourn  []time.Duration // of each dequeued packet
	depAt    []time.Duration
}

// pieDrive runs q like codelDrive: a 1-ms service of 1504-byte packets and
// 1504-byte arrivals every gap(now) (0: none), on a 0.5-ms grid, dequeue
// before arrival, Dequeue only on a non-empty queue.
func pieDrive(t *testing.T, q *PIEQueue, start, end time.Duration, gap func(time.Duration) time.Duration, id *uint64, run *pieRun) {
	t.Helper()
	const tick = 500 * time.Microsecond
	noteUpdate := func(now time.Duration, before PIEState, bytes int) {
		after := q.State()
		if after.LastUpdate != before.LastUpdate {
			if after.LastUpdate-before.LastUpdate != pieTUpdate {
				t.Fatalf("%v: %v of updates in one call on a 0.5-ms grid", now, after.LastUpdate-before.LastUpdate)
			}
			run.updates = append(run.updates, pieUpdate{now, bytes, before, after})
		}
	}
	for now := start; now < end; now += tick {
		if now%time.Millisecond == 0 && q.Len() > 0 {
			before := q.State()
			p, ok, d := deq(q, now, nil)
			if !ok || len(d) != 0 {
				t.Fatalf("%v: Dequeue ok=%v drops=%d", now, ok, len(d))
			}
			run.sojourn = append(run.sojourn, now-p.Arrival)
			run.depAt = append(run.depAt, now)
			noteUpdate(now, before, q.Bytes())
		}
		if g := gap(now); g > 0 && now%g == 0 {
			*id++
			before, bytes := q.State(), q.Bytes()
			d := q.Enqueue(now, &Packet{Size: OpportunityBytes, ID: *id, Arrival: now}, nil)
			if len(d) > 1 || (len(d) == 1 && d[0].ID != *id) {
				t.Fatalf("%v: Enqueue dropped %v", now, qtIDs(d))
			}
			run.arrivals = append(run.arrivals, pieArrival{now, bytes, len(d) == 1, q.State()})
			noteUpdate(now, before, bytes)
		}
	}
}

func pieQueue(t *testing.T, args string, seed uint64) *PIEQueue {
	t.Helper()
	s, err := ParseQueue("pie", args)
	if err != nil {
		t.Fatal(err)
	}
	q, err := NewQueue(s, rand.New(rand.NewPCG(seed, 99)))
	if err != nil {
		t.Fatal(err)
	}
	return q.(*PIEQueue)
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// checkPIEUpdates recomputes every update's new probability from the
// delays it reports, with the draft's formula in mahimahi's units (delays in
// ms, α=0.125, β=1.25, scaled by 1/128, 1/32 or 1/16 by the current
// probability, clamped to [0,1], decayed by 0.98 when both delays are 0).
func checkPIEUpdates(t *testing.T, ups []pieUpdate, ref time.Duration) {
	t.Helper()
	for _, u := range ups {
		old, cur := msOf(u.before.QueueDelay), msOf(u.after.QueueDelay)
		if math.Abs(msOf(u.after.OldQueueDelay)-old) > 1e-6 {
			t.Fatalf("%v: old delay %v, previous delay was %v", u.at, u.after.OldQueueDelay, u.before.QueueDelay)
		}
		p := 0.125*(cur-msOf(ref)) + 1.25*(cur-old)
		prob := u.before.DropProb
		switch {
		case prob < 0.01:
			p /= 128
		case prob < 0.1:
			p /= 32
		default:
			p /= 16
		}
		want := prob + p
		clampedHigh := want > 1
		want = math.Max(0, math.Min(1, want))
		if cur == 0 && old == 0 && !clampedHigh && u.bytes == 0 {
			want *= 0.98
		}
		// The delays are read back as whole nanoseconds: 1e-6 ms of error.
		if math.Abs(u.after.DropProb-want) > 1e-6 {
			t.Fatalf("%v: drop probability %.9f -> %.9f with delays %.6f -> %.6f ms; control law gives %.9f",
				u.at, prob, u.after.DropProb, old, cur, want)
		}
	}
}

// checkPIEGates checks that every drop passed drop_early's gates: no
// burst allowance left, not (old delay < ref/2 and p < 0.2), and at least
// two full packets queued.
func checkPIEGates(t *testing.T, arr []pieArrival, ref time.Duration) {
	t.Helper()
	for _, a := range arr {
		if !a.dropped {
			continue
		}
		switch {
		case a.st.BurstAllowance > 0:
			t.Fatalf("%v: early drop with %v of burst allowance left", a.at, a.st.BurstAllowance)
		case a.st.OldQueueDelay < ref/2 && a.st.DropProb < 0.2:
			t.Fatalf("%v: early drop with old delay %v < ref/2 and p=%.3f < 0.2", a.at, a.st.OldQueueDelay, a.st.DropProb)
		case a.bytesBefore < 2*OpportunityBytes:
			t.Fatalf("%v: early drop with only %d bytes queued", a.at, a.bytesBefore)
		}
	}
}

func meanDuration(ds []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(max(len(ds), 1))
}

// TestPIEOverload drives PIE (qdelay_ref 20 ms, max_burst 100 ms) with
// twice the link rate for 20 s, then with half of it for 10 s.
func TestPIEOverload(t *testing.T) {
	const overEnd = 20 * time.Second
	q := pieQueue(t, "packets=100000, qdelay_ref=20, max_burst=100", 1)
	// mahimahi starts with no burst allowance and p = 0.
	if st := q.State(); st.BurstAllowance != 0 || st.DropProb != 0 || st.LastUpdate != 0 {
		t.Fatalf("initial state %+v", st)
	}
	var id uint64
	var run pieRun
	pieDrive(t, q, 0, 30*time.Second, func(now time.Duration) time.Duration {
		if now < overEnd {
			return 500 * time.Microsecond
		}
		return 2 * time.Millisecond
	}, &id, &run)
	checkPIEUpdates(t, run.updates, pieRef)
	checkPIEGates(t, run.arrivals, pieRef)
	if len(run.updates) != int(30*time.Second/pieTUpdate)-1 {
		t.Errorf("%d updates in 30 s, want one per 30 ms", len(run.updates))
	}

	// Nothing is dropped and p stays 0 until the first update has seen a
	// measured delay.
	firstEstimate := time.Duration(-1)
	for _, u := range run.updates {
		if u.after.QueueDelay > 0 {
			firstEstimate = u.at
			break
		}
		if u.after.DropProb != 0 {
			t.Fatalf("%v: p=%v before any delay estimate", u.at, u.after.DropProb)
		}
	}
	if firstEstimate < 0 {
		t.Fatal("no delay estimate")
	}
	for _, a := range run.arrivals {
		if a.dropped && a.at <= firstEstimate {
			t.Fatalf("drop at %v, before the first delay estimate at %v", a.at, firstEstimate)
		}
	}
	// With no initial burst allowance (mahimahi), the drops start soon
	// after: well within max_burst of the first estimate.
	firstDrop := time.Duration(-1)
	for _, a := range run.arrivals {
		if a.dropped {
			firstDrop = a.at
			break
		}
	}
	if firstDrop < 0 || firstDrop > firstEstimate+100*time.Millisecond {
		t.Errorf("first drop at %v, first estimate at %v", firstDrop, firstEstimate)
	}

	// p rises at every update where the delay estimate is above qdelay_ref
	// and not falling (both terms of the control law are then >= 0).
	rising := 0
	for _, u := range run.updates {
		if u.at < overEnd && u.after.QueueDelay > pieRef && u.after.QueueDelay >= u.before.QueueDelay {
			rising++
			if u.after.DropProb <= u.before.DropProb && u.before.DropProb < 1 {
				t.Errorf("%v: delay %v (was %v) above ref but p went %.4f -> %.4f",
					u.at, u.after.QueueDelay, u.before.QueueDelay, u.before.DropProb, u.after.DropProb)
			}
		}
	}
	if rising < 20 {
		t.Errorf("only %d updates with a rising delay above ref", rising)
	}

	// The departure-rate estimate converges to the link rate, 1504 bytes
	// per ms (its first sample counts 11 packets over 10 ms, +10%; the
	// EWMA forgets it by 7/8 per 11-ms sample).
	for _, u := range run.updates {
		if u.at > 2*time.Second && u.at < overEnd && math.Abs(u.after.DepartureRate-1504) > 15 {
			t.Fatalf("%v: departure rate %.1f bytes/ms, link rate 1504", u.at, u.after.DepartureRate)
		}
	}

	// Steady state, 5 s to 20 s. The queue must stay bounded, so about half
	// the arrivals are dropped: with D departures (one per ms) and A
	// arrivals (two per ms), drops = A - D - growth, and growth is at most
	// the 300-packet bound checked below, 1% of A.
	var arrivals, drops int
	for _, a := range run.arrivals {
		if a.at >= 5*time.Second && a.at < overEnd {
			arrivals++
			if a.dropped {
				drops++
			}
		}
	}
	if f := float64(drops) / float64(arrivals); f < 0.49 || f > 0.51 {
		t.Errorf("steady-state drop fraction %.3f, want 0.5 (the overload is 2x)", f)
	}
	var first, second []time.Duration
	for i, s := range run.sojourn {
		at := run.depAt[i]
		switch {
		case at >= 5*time.Second && at < 12500*time.Millisecond:
			first = append(first, s)
		case at >= 12500*time.Millisecond && at < overEnd:
			second = append(second, s)
		}
		if at >= 5*time.Second && at < overEnd && s > 300*time.Millisecond {
			t.Fatalf("%v: sojourn %v: the queue is not bounded", at, s)
		}
	}
	// Where the delay settles. In mahimahi's units (delays in ms, where the
	// draft has seconds) the controller is a bang-bang one under a 2x
	// overload: p swings between 0 and 1 every few updates. It only lets go
	// of p = 1 once α(qdelay-ref) + β(qdelay-old) <= -16 (the 1/16 scaling
	// at p >= 0.1) while the queue drains by 30 ms per update, i.e. once
	// qdelay <= ref + (1.25*30 - 16)/0.125 = ref + 172 ms. So the delay
	// settles near ref + 172 ms, not near ref (see TestPIESettlesNearRef
	// for a load that PIE does hold near ref); allow ±25% for the swing.
	level := pieRef + 172*time.Millisecond
	for _, half := range [][]time.Duration{first, second} {
		if m := meanDuration(half); m < level*3/4 || m > level*5/4 {
			t.Errorf("steady-state mean sojourn %v, want %v ± 25%%", m, level)
		}
	}
	if a, b := meanDuration(first), meanDuration(second); math.Abs(float64(a-b)) > 0.1*float64(a) {
		t.Errorf("mean sojourn %v in 5-12.5 s but %v in 12.5-20 s: not settled", a, b)
	}

	// After the overload: the queue drains, p decays to 0 within 2 s and
	// stays there, the burst allowance is reset to max_burst once the
	// queue is calm, and nothing more is dropped.
	lastNonZero := time.Duration(-1)
	reset := false
	for _, u := range run.updates {
		if u.after.DropProb != 0 {
			lastNonZero = u.at
		}
		if u.at >= overEnd && u.after.BurstAllowance == 100*time.Millisecond {
			reset = true
		}
	}
	if lastNonZero < overEnd || lastNonZero > overEnd+2*time.Second {
		t.Errorf("p last nonzero at %v, overload ended at %v", lastNonZero, overEnd)
	}
	if !reset {
		t.Error("burst allowance never reset to max_burst after the overload")
	}
	for _, a := range run.arrivals {
		if a.dropped && a.at > lastNonZero {
			t.Fatalf("drop at %v, after p decayed to 0 at %v", a.at, lastNonZero)
		}
	}
	if q.Len() > 1 {
		t.Errorf("%d packets still queued under a light load", q.Len())
	}
}

// TestPIESettlesNearRef: at 1.6x the link rate PIE holds the delay near
// qdelay_ref. Tolerance [ref/2, 2·ref]: the integral term drives the
// *estimated* delay toward ref only on average, and the gates (no early
// drop while old delay < ref/2 and p < 0.2) and the clamping of p at 0 bias
// where it sits; a factor of two either way still tells "held near ref"
// from both "not controlled" and the ~ref+172-ms plateau of a 2x overload.
func TestPIESettlesNearRef(t *testing.T) {
	// 1.6 arrivals per ms (every 0.625 ms) against one departure per ms,
	// on a 0.125-ms grid.
	q := pieQueue(t, "packets=100000, qdelay_ref=20, max_burst=100", 3)
	var id uint64
	var sojourn []time.Duration
	var arrivals, drops int
	const tick = 125 * time.Microsecond
	for n := 1; n <= 20*8000; n++ {
		now := time.Duration(n) * tick
		if n%8 == 0 && q.Len() > 0 {
			p, _, _ := deq(q, now, nil)
			if now >= 5*time.Second {
				sojourn = append(sojourn, now-p.Arrival)
			}
		}
		if n%5 == 0 { // every 0.625 ms: 1.6x
			id++
			d := q.Enqueue(now, &Packet{Size: OpportunityBytes, ID: id, Arrival: now}, nil)
			if now >= 5*time.Second {
				arrivals++
				drops += len(d)
			}
		}
	}
	if m := meanDuration(sojourn); m < pieRef/2 || m > 2*pieRef {
		t.Errorf("mean sojourn %v at 1.6x load, want within [%v, %v]", m, pieRef/2, 2*pieRef)
	}
	// Bounded queue: drops make up the 0.6 excess, 0.375 of arrivals.
	if f := float64(drops) / float64(arrivals); math.Abs(f-0.375) > 0.01 {
		t.Errorf("drop fraction %.3f at 1.6x load, want 0.375", f)
	}
}

// TestPIEBurstAllowance: once the queue has calmed down after some use,
// PIE resets its burst allowance to max_burst and does not drop early until
// it has run out, even with p well above 0.
func TestPIEBurstAllowance(t *testing.T) {
	q := pieQueue(t, "packets=100000, qdelay_ref=20, max_burst=100", 5)
	var run pieRun
	var id uint64
	// Warm-up: 30 packets at once, drained at 1 per ms. The departure
	// rate gets measured (the queue holds > 16384 bytes for a while).
	for range 30 {
		id++
		q.Enqueue(0, &Packet{Size: OpportunityBytes, ID: id}, nil)
	}
	pieDrive(t, q, time.Millisecond, 31*time.Millisecond, func(time.Duration) time.Duration { return 0 }, &id, &run)
	if q.Len() != 0 || q.State().DepartureRate == 0 {
		t.Fatalf("warm-up: %d packets left, rate %v", q.Len(), q.State().DepartureRate)
	}
	// 2x overload from 31 ms. The first call runs the 30-ms update on a
	// calm queue (p = 0, both delays 0, rate measured): burst allowance.
	const start = 31 * time.Millisecond
	run = pieRun{}
	pieDrive(t, q, start, start+time.Second, func(time.Duration) time.Duration { return 500 * time.Microsecond }, &id, &run)
	checkPIEUpdates(t, run.updates, pieRef)
	checkPIEGates(t, run.arrivals, pieRef)
	if got := run.arrivals[0].st.BurstAllowance; got != 100*time.Millisecond {
		t.Fatalf("burst allowance %v after the calm update, want max_burst", got)
	}
	covered, pHigh := 0, 0.0
	end := time.Duration(-1)
	for _, a := range run.arrivals {
		if a.st.BurstAllowance == 0 {
			end = a.at
			break
		}
		covered++
		pHigh = math.Max(pHigh, a.st.DropProb)
		if a.dropped {
			t.Fatalf("%v: drop with %v of burst allowance left", a.at, a.st.BurstAllowance)
		}
	}
	// The allowance is time: it is used up by the 30-ms updates and by
	// the time between rate samples, so it ends within max_burst plus one
	// update period.
	if end < 0 || end > start+130*time.Millisecond {
		t.Fatalf("burst allowance ran out at %v, want by %v", end, start+130*time.Millisecond)
	}
	if covered < 100 || pHigh < 0.2 {
		t.Errorf("allowance covered %d arrivals with p up to %.2f: too weak a test", covered, pHigh)
	}
	dropsAfter := 0
	for _, a := range run.arrivals {
		if a.at >= end && a.at < end+200*time.Millisecond && a.dropped {
			dropsAfter++
		}
	}
	if dropsAfter == 0 {
		t.Errorf("no drop in the 200 ms after the burst allowance ran out at %v", end)
	}
}

// TestPIELazyUpdates checks the update grid (every 30 ms from time 0, run
// when more than 30 ms have passed) and that a long idle gap, handled by
// skipping updates that cannot change anything, ends in the same state as
// running every update.
func TestPIELazyUpdates(t *testing.T) {
	q := pieQueue(t, "packets=100000, qdelay_ref=20, max_burst=100", 1)
	for _, c := range []struct{ now, last time.Duration }{
		{10 * time.Millisecond, 0},
		{30 * time.Millisecond, 0},
		{30*time.Millisecond + 1, 30 * time.Millisecond},
		{95 * time.Millisecond, 90 * time.Millisecond},
		{120 * time.Millisecond, 90 * time.Millisecond},
		{121 * time.Millisecond, 120 * time.Millisecond},
	} {
		q.Enqueue(c.now, &Packet{Size: 100, Arrival: c.now}, nil)
		if got := q.State().LastUpdate; got != c.last {
			t.Errorf("after a call at %v, last update %v, want %v", c.now, got, c.last)
		}
	}

	// Two identical queues with a real state (p > 0, rate measured, 200
	// packets queued), then a 10-minute gap: one catches up in a single
	// call, the other is stepped through every update.
	var a, b *PIEQueue
	for i := range 2 {
		q := pieQueue(t, "packets=100000, qdelay_ref=20, max_burst=100", 9)
		var id uint64
		var run pieRun
		pieDrive(t, q, 0, 700*time.Millisecond, func(time.Duration) time.Duration { return 500 * time.Microsecond }, &id, &run)
		if i == 0 {
			a = q
		} else {
			b = q
		}
	}
	if a.State() != b.State() || a.State().DropProb == 0 || a.Len() < 50 {
		t.Fatalf("premise: states %+v / %+v, %d packets", a.State(), b.State(), a.Len())
	}
	from := 700 * time.Millisecond
	// Off the 30-ms grid, then on it.
	for _, gapEnd := range []time.Duration{from + 10*time.Minute, 20 * time.Minute} {
		steps := 0
		for now := from; now <= gapEnd; now += 7 * time.Millisecond {
			b.update(now)
			steps++
		}
		b.update(gapEnd)
		a.update(gapEnd)
		if a.State() != b.State() {
			t.Errorf("after a gap to %v:\n one call  %+v\n %d calls %+v", gapEnd, a.State(), steps, b.State())
		}
		// The first grid point no more than 30 ms before gapEnd.
		want := gapEnd - pieTUpdate
		if r := want % pieTUpdate; r != 0 {
			want += pieTUpdate - r
		}
		if got := a.State().LastUpdate; got != want {
			t.Errorf("gap to %v: last update %v, want the grid point %v", gapEnd, got, want)
		}
		from = gapEnd
	}
}

// TestPIEDropEarlyGates sets the controller state directly and checks
// drop_early's gates one at a time.
func TestPIEDropEarlyGates(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct {
		name   string
		prob   float64
		old    time.Duration
		burst  time.Duration
		queued []int  // sizes already queued
		drops  [2]int // acceptable range of drops out of 1000 tries
	}{
		{"p=1", 1, 100 * ms, 0, []int{1504, 1504}, [2]int{1000, 1000}},
		{"burst allowance left", 1, 100 * ms, 1, []int{1504, 1504}, [2]int{0, 0}},
		{"p>=0.2 without delay", 1, 0, 0, []int{1504, 1504}, [2]int{1000, 1000}},
		{"backlog 3007 bytes", 1, 100 * ms, 0, []int{1504, 1503}, [2]int{0, 0}},
		{"empty", 1, 100 * ms, 0, nil, [2]int{0, 0}},
		{"light: old delay < ref/2 and p < 0.2", 0.19, 10*ms - 1, 0, []int{1504, 1504}, [2]int{0, 0}},
		// Binomial(1000, 0.19): mean 190, sd 12.4; ±5 sd.
		{"old delay = ref/2, p = 0.19", 0.19, 10 * ms, 0, []int{1504, 1504}, [2]int{128, 252}},
		{"p = 0", 0, 100 * ms, 0, []int{1504, 1504}, [2]int{0, 0}},
	} {
		q := pieQueue(t, "packets=100000, qdelay_ref=20, max_burst=100", 4)
		const now = 300 * time.Millisecond
		drops := 0
		for range 1000 {
			q.q = ring{}
			for _, size := range c.queued {
				q.q.push(&Packet{Size: size})
			}
			// No update runs at now: the state stays as set.
			q.lastUpdate = now
			// The gate reads the old delay, not the current one: make
			// them differ.
			q.v = pieVars{dropProb: c.prob, qdelayOld: msOf(c.old), qdelay: msOf(100*ms - c.old), burst: c.burst, dqCount: -1}
			drops += len(q.Enqueue(now, &Packet{Size: 1504}, nil))
		}
		if drops < c.drops[0] || drops > c.drops[1] {
			t.Errorf("%s: %d drops in 1000, want %d..%d", c.name, drops, c.drops[0], c.drops[1])
		}
	}
}

// TestPIERateEstimator drains 100 queued packets at one per ms and checks
// the departure-rate samples, their 1/8 EWMA and the burst allowance they
// use up.
func TestPIERateEstimator(t *testing.T) {
	q := pieQueue(t, "packets=100000, qdelay_ref=20, max_burst=100", 4)
	for range 100 {
		q.Enqueue(0, &Packet{Size: 1504}, nil)
	}
	q.v.burst = time.Second
	// The measurement starts at the first dequeue leaving >= 16384 bytes
	// (1 ms) and counts that packet: the first sample is 11 packets over
	// 10 ms, at 11 ms. The next ones count 11 packets over 11 ms.
	type sample struct {
		at    time.Duration
		rate  float64
		burst time.Duration
	}
	ms := time.Millisecond
	rate, burst := 16544.0/10, time.Second-10*ms
	want := []sample{{11 * ms, rate, burst}}
	for k := 2; k <= 5; k++ {
		rate = rate*7/8 + 1504.0/8
		burst -= 11 * ms
		if k == 3 {
			burst -= 30 * ms // the 30-ms update, run at the 31-ms dequeue
		}
		want = append(want, sample{time.Duration(11*k) * ms, rate, burst})
	}
	var got []sample
	prev := 0.0
	for now := ms; now <= 57*ms; now += ms {
		deq(q, now, nil)
		if st := q.State(); st.DepartureRate != prev {
			prev = st.DepartureRate
			got = append(got, sample{now, st.DepartureRate, st.BurstAllowance})
		}
	}
	if len(got) != len(want) {
		t.Fatalf("samples %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].at != want[i].at || math.Abs(got[i].rate-want[i].rate) > 1e-9 || got[i].burst != want[i].burst {
			t.Errorf("sample %d: %+v, want %+v", i+1, got[i], want[i])
		}
	}
}

// TestPIEDecay checks the update on an idle queue: p falls by
// α·ref/16 per update and, with both delays 0 and the queue empty, is
// multiplied by 0.98; with packets queued but no measured rate (delay 0)
// there is no decay.
func TestPIEDecay(t *testing.T) {
	q := pieQueue(t, "packets=100000, qdelay_ref=20, max_burst=100", 4)
	q.v.dropProb = 1
	want := 1.0
	for k := 1; k <= 8; k++ {
		now := time.Duration(k)*pieTUpdate + 1
		q.update(now)
		switch {
		case want >= 0.1:
			want -= 0.125 * 20 / 16
		case want >= 0.01:
			want -= 0.125 * 20 / 32
		default:
			want -= 0.125 * 20 / 128
		}
		want = math.Max(want, 0) * 0.98
		if got := q.DropProb(); math.Abs(got-want) > 1e-12 {
			t.Fatalf("update %d: p=%.6f, want %.6f", k, got, want)
		}
	}
	if q.DropProb() != 0 {
		t.Errorf("p=%v after 8 idle updates", q.DropProb())
	}

	q = pieQueue(t, "packets=100000, qdelay_ref=20, max_burst=100", 4)
	q.Enqueue(0, &Packet{Size: 1504}, nil)
	q.v.dropProb = 0.5
	q.update(pieTUpdate + 1)
	if got, want := q.DropProb(), 0.5-0.125*20/16; math.Abs(got-want) > 1e-12 {
		t.Errorf("p=%v with a packet queued and no rate, want %v (no decay)", got, want)
	}
}

// Same seed, same drops; another seed, other drops.
func TestPIEDeterministic(t *testing.T) {
	drops := func(seed uint64) []time.Duration {
		q := pieQueue(t, "packets=100000, qdelay_ref=20, max_burst=100", seed)
		var id uint64
		var run pieRun
		pieDrive(t, q, 0, 5*time.Second, func(time.Duration) time.Duration { return 500 * time.Microsecond }, &id, &run)
		var ds []time.Duration
		for _, a := range run.arrivals {
			if a.dropped {
				ds = append(ds, a.at)
			}
		}
		return ds
	}
	a, b, c := drops(1), drops(1), drops(2)
	same := func(x, y []time.Duration) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if len(a) == 0 || !same(a, b) {
		t.Errorf("seed 1 twice: %d and %d drops, different", len(a), len(b))
	}
	if same(a, c) {
		t.Errorf("seeds 1 and 2 dropped the very same %d packets", len(a))
	}
}

// mmPIE is an independent model of mahimahi's PIEPacketQueue as written
// in C++: integer milliseconds, integer delays (bytes / integer rate),
// integer rate EWMA with shifts. Only 1504-byte packets.
type mmPIE struct {
	arrivals                []int // ms
	bytes                   int
	ref, maxBurst           int
	prob                    float64
	burst, qdelayOld, qdel  int
	dqCount, dqStamp, avgDQ int
	last                    int
	rng                     *rand.Rand
}

func (m *mmPIE) calculate(now int) {
	for now-m.last > 30 {
		updateProb := true
		m.qdelayOld = m.qdel
		m.qdel = 0
		if m.avgDQ > 0 {
			m.qdel = m.bytes / m.avgDQ
		}
		if m.qdel == 0 && m.bytes != 0 {
			updateProb = false
		}
		p := 0.125*float64(m.qdel-m.ref) + 1.25*float64(m.qdel-m.qdelayOld)
		if m.prob < 0.01 {
			p /= 128
		} else if m.prob < 0.1 {
			p /= 32
		} else {
			p /= 16
		}
		m.prob += p
		if m.prob < 0 {
			m.prob = 0
		} else if m.prob > 1 {
			m.prob, updateProb = 1, false
		}
		if m.qdel == 0 && m.qdelayOld == 0 && updateProb {
			m.prob *= 0.98
		}
		m.burst = max(0, m.burst-30)
		m.last += 30
		if m.prob == 0 && m.qdel < m.ref/2 && m.qdelayOld < m.ref/2 && m.avgDQ > 0 {
			m.dqCount, m.avgDQ, m.burst = -1, 0, m.maxBurst
		}
	}
}

func (m *mmPIE) enqueue(now int) bool {
	m.calculate(now)
	if m.burst == 0 && (m.qdelayOld >= m.ref/2 || m.prob >= 0.2) && m.bytes >= 3008 && m.rng.Float64() < m.prob {
		return false
	}
	m.arrivals = append(m.arrivals, now)
	m.bytes += 1504
	return true
}

func (m *mmPIE) dequeue(now int) int {
	arr := m.arrivals[0]
	m.arrivals = m.arrivals[1:]
	m.bytes -= 1504
	if m.bytes >= 16384 && m.dqCount < 0 {
		m.dqStamp, m.dqCount = now, 0
	}
	if m.dqCount >= 0 {
		m.dqCount += 1504
		if dt := now - m.dqStamp; m.dqCount > 16384 && dt > 0 {
			sample := m.dqCount / dt
			if m.avgDQ == 0 {
				m.avgDQ = sample
			} else {
				m.avgDQ = m.avgDQ - m.avgDQ>>3 + sample>>3
			}
			if m.bytes < 16384 {
				m.dqCount = -1
			} else {
				m.dqCount, m.dqStamp = 0, now
			}
			m.burst = max(0, m.burst-dt)
		}
	}
	m.calculate(now)
	return now - arr
}

// TestPIEMatchesMahimahiModel compares the long-run drop fraction and
// delay with the integer model at three loads on whole-ms events (the only
// differences are float versus integer delays and rates, and the random
// draws). Tolerances: 0.01 in drop fraction, 15% in mean sojourn.
func TestPIEMatchesMahimahiModel(t *testing.T) {
	for _, load := range []struct {
		name  string
		every []int // arrivals per ms, cycled
	}{
		{"2x", []int{2}},
		{"1.6x", []int{2, 2, 1, 2, 1}},
		{"1.33x", []int{1, 1, 2}},
	} {
		q := pieQueue(t, "packets=100000, qdelay_ref=20, max_burst=100", 11)
		m := &mmPIE{ref: 20, maxBurst: 100, dqCount: -1, rng: rand.New(rand.NewPCG(12, 12))}
		var id uint64
		type stats struct {
			arrivals, drops int
			sojourn         time.Duration
			n               int
		}
		var ours, theirs stats
		for now := 1; now <= 20000; now++ {
			at := time.Duration(now) * time.Millisecond
			steady := now >= 5000
			if q.Len() > 0 {
				p, _, _ := deq(q, at, nil)
				if steady {
					ours.sojourn += at - p.Arrival
					ours.n++
				}
			}
			if len(m.arrivals) > 0 {
				s := m.dequeue(now)
				if steady {
					theirs.sojourn += time.Duration(s) * time.Millisecond
					theirs.n++
				}
			}
			for range load.every[now%len(load.every)] {
				id++
				d := q.Enqueue(at, &Packet{Size: 1504, ID: id, Arrival: at}, nil)
				ok := m.enqueue(now)
				if steady {
					ours.arrivals++
					theirs.arrivals++
					ours.drops += len(d)
					if !ok {
						theirs.drops++
					}
				}
			}
		}
		fo := float64(ours.drops) / float64(ours.arrivals)
		fm := float64(theirs.drops) / float64(theirs.arrivals)
		so := ours.sojourn / time.Duration(ours.n)
		sm := theirs.sojourn / time.Duration(theirs.n)
		if math.Abs(fo-fm) > 0.01 {
			t.Errorf("%s: drop fraction %.3f, mahimahi model %.3f", load.name, fo, fm)
		}
		if math.Abs(float64(so-sm)) > 0.15*float64(sm) {
			t.Errorf("%s: mean sojourn %v, mahimahi model %v", load.name, so, sm)
		}
		t.Logf("%s: drop fraction %.3f (model %.3f), mean sojourn %v (model %v)", load.name, fo, fm, so, sm)
	}
}
