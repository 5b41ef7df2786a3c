// queue_codel_test.go tests queue_codel.go against RFC 8289's behaviour:
// when the first drop may happen, the interval/√count drop spacing, the exit
// from the dropping state, the count re-entry rule and the MAXPACKET rule.
package emu

import (
	"math"
	"testing"
	"time"
)

// codelEvent is one Dequeue call in a CoDel drive.
type codelEvent struct {
	at       time.Duration
	got      Packet // the returned packet (ok is always true in these drives)
	dropped  []Packet
	dropping bool // Dropping() after the call
	count    int  // Count() after the call
	left     int  // Bytes() after the call
}

// codelDrive runs a CoDel queue with a 1-ms service (one dequeue of a
// 1504-byte packet per ms, as a 12 Mbit/s link does) and 1504-byte arrivals
// every gap(now) (0: none), on a 0.5-ms grid, until end. As in the link, the
// dequeue at t comes before the arrivals at t, and Dequeue is only called
// on a non-empty queue.
func codelDrive(t *testing.T, q *CoDelQueue, start, end time.Duration, gap func(time.Duration) time.Duration, id *uint64) []codelEvent {
	t.Helper()
	const tick = 500 * time.Microsecond
	var evs []codelEvent
	for now := start; now < end; now += tick {
		if now%time.Millisecond == 0 && q.Len() > 0 {
			p, ok, d := deq(q, now, nil)
			if !ok {
				t.Fatalf("%v: Dequeue on a non-empty queue returned nothing", now)
			}
			evs = append(evs, codelEvent{now, p, d, q.Dropping(), q.Count(), q.Bytes()})
		}
		if g := gap(now); g > 0 && now%g == 0 {
			*id++
			if d := q.Enqueue(now, &Packet{Size: OpportunityBytes, ID: *id, Arrival: now}, nil); len(d) != 0 {
				t.Fatalf("%v: enqueue drop with a large limit", now)
			}
		}
	}
	return evs
}

func codelQueue(t *testing.T, args string) *CoDelQueue {
	t.Helper()
	return mustQueue(t, "codel", args).(*CoDelQueue)
}

// dropTimes lists the time of every dequeue-time drop, one entry per packet.
func dropTimes(evs []codelEvent) []time.Duration {
	var ts []time.Duration
	for _, e := range evs {
		for range e.dropped {
			ts = append(ts, e.at)
		}
	}
	return ts
}

// checkHeadDrops checks RFC 8289's choice of victim (not mahimahi's): the
// drops of one call are the oldest packets, consecutive, and the packet
// returned is the next one after them.
func checkHeadDrops(t *testing.T, evs []codelEvent) {
	t.Helper()
	for _, e := range evs {
		for i, p := range e.dropped {
			next := e.got.ID
			if i+1 < len(e.dropped) {
				next = e.dropped[i+1].ID
			}
			if p.ID+1 != next {
				t.Fatalf("%v: dropped %d then took %d: CoDel must drop the head and return the next packet", e.at, p.ID, next)
			}
		}
	}
}

// TestCoDelOverload drives CoDel (target 5 ms, interval 100 ms, no useful
// limit) with twice the link rate for 3 s, then with half of it.
func TestCoDelOverload(t *testing.T) {
	const (
		target   = 5 * time.Millisecond
		interval = 100 * time.Millisecond
		overEnd  = 3 * time.Second
	)
	q := codelQueue(t, "packets=100000, target=5, interval=100")
	var id uint64
	evs := codelDrive(t, q, 0, 13*time.Second, func(now time.Duration) time.Duration {
		if now < overEnd {
			return 500 * time.Microsecond // 2x overload
		}
		return 2 * time.Millisecond // 0.5x: the queue drains
	}, &id)
	checkHeadDrops(t, evs)
	drops := dropTimes(evs)
	if len(drops) < 100 {
		t.Fatalf("only %d drops under a 3-s 2x overload", len(drops))
	}

	// (a) The sojourn time first reaches target at the dequeue at tA, with
	// more than MAXPACKET behind it. Nothing may be dropped before it has
	// stayed there a full interval; the first drop is the first dequeue at
	// or after tA+interval.
	tA := time.Duration(-1)
	for _, e := range evs {
		if e.at-e.got.Arrival >= target && e.left > OpportunityBytes {
			tA = e.at
			break
		}
	}
	if tA < 0 {
		t.Fatal("sojourn never reached target")
	}
	for _, e := range evs {
		if e.at > tA && e.at <= tA+interval && e.at-e.got.Arrival < target {
			t.Fatalf("premise: sojourn fell below target at %v", e.at)
		}
	}
	if drops[0] < tA+interval || drops[0] >= tA+interval+time.Millisecond {
		t.Errorf("first drop at %v; sojourn above target since %v, so want it in [%v, %v)",
			drops[0], tA, tA+interval, tA+interval+time.Millisecond)
	}

	// (b) While dropping, drop k+1 is due interval/√k after drop k was due
	// (the schedule advances from the due time, not the actual one) and
	// happens at the first dequeue at or after it.
	var over []time.Duration
	for _, d := range drops {
		if d < overEnd {
			over = append(over, d)
		}
	}
	for _, e := range evs {
		if e.at >= drops[0] && e.at < overEnd && !e.dropping {
			t.Fatalf("premise: CoDel left the dropping state at %v during the overload", e.at)
		}
	}
	due := float64(over[0])
	for k, d := range over {
		if k > 0 {
			due += float64(interval) / math.Sqrt(float64(k))
		}
		if float64(d) < due-float64(time.Microsecond) || float64(d) >= due+float64(time.Millisecond) {
			t.Fatalf("drop %d at %v, control law says due at %v (gap %v after drop %d)",
				k+1, d, time.Duration(due), d-over[max(k-1, 0)], k)
		}
	}
	if n := len(over); n < 150 {
		t.Errorf("only %d drops in the overload, the control law predicts about %d", n, 200)
	}

	// (c) Once the queue has drained (sojourn below target), CoDel leaves
	// the dropping state and never drops again under the light load.
	tBelow := time.Duration(-1)
	for _, e := range evs {
		if e.at-e.got.Arrival < target {
			if e.dropping {
				t.Fatalf("%v: returned a packet with sojourn %v < target but still dropping", e.at, e.at-e.got.Arrival)
			}
			if e.at > overEnd && tBelow < 0 {
				tBelow = e.at
			}
		}
	}
	if tBelow < 0 {
		t.Fatal("the queue never drained after the overload")
	}
	if last := drops[len(drops)-1]; last >= tBelow {
		t.Errorf("drop at %v, after the sojourn fell below target at %v", last, tBelow)
	}
	if drops[len(drops)-1] < overEnd {
		t.Errorf("no drop while the 3-s backlog drained (last drop %v)", drops[len(drops)-1])
	}
	if q.Dropping() {
		t.Error("still dropping at the end")
	}
}

// TestCoDelReentry checks the count re-entry rule: entering the dropping
// state again soon after leaving it resumes at count = (drops of the last
// state) - 1, while entering after a long calm starts again at 1.
func TestCoDelReentry(t *testing.T) {
	const interval = 100 * time.Millisecond
	for _, tc := range []struct {
		name   string
		calm   time.Duration // between the end of the drain and the second overload
		resume bool
	}{
		{"soon", 50 * time.Millisecond, true},
		{"after 16 intervals", 2 * time.Second, false},
	} {
		q := codelQueue(t, "packets=100000, target=5, interval=100")
		var id uint64
		// First dropping state: 1 s of 2x overload, then no arrivals until
		// CoDel leaves the dropping state.
		evs := codelDrive(t, q, 0, time.Second, func(time.Duration) time.Duration { return 500 * time.Microsecond }, &id)
		more := codelDrive(t, q, time.Second, 5*time.Second, func(time.Duration) time.Duration { return 0 }, &id)
		evs = append(evs, more...)
		exit := time.Duration(-1)
		n1 := 0
		for _, e := range evs {
			n1 += len(e.dropped)
			if n1 > 0 && !e.dropping {
				exit = e.at
				if e.count != n1 {
					t.Fatalf("%s: count %d after %d drops in the dropping state", tc.name, e.count, n1)
				}
				break
			}
		}
		if exit < 0 || n1 < 5 {
			t.Fatalf("%s: first dropping state: exit %v after %d drops", tc.name, exit, n1)
		}
		// Second overload, starting calm after that exit (CoDel's state
		// does not change while the queue is idle).
		start := exit + tc.calm
		start -= start % time.Millisecond
		evs2 := codelDrive(t, q, start, start+2*time.Second, func(time.Duration) time.Duration { return 500 * time.Microsecond }, &id)
		checkHeadDrops(t, evs)
		checkHeadDrops(t, evs2)
		drops := dropTimes(evs2)
		if len(drops) < 2 {
			t.Fatalf("%s: %d drops in the second overload", tc.name, len(drops))
		}
		wantCount := 1
		if tc.resume {
			wantCount = n1 - 1
		}
		for _, e := range evs2 {
			if len(e.dropped) > 0 {
				if e.count != wantCount {
					t.Errorf("%s: re-entered with count %d, want %d (%d drops last time)", tc.name, e.count, wantCount, n1)
				}
				break
			}
		}
		gap := drops[1] - drops[0]
		want := time.Duration(float64(interval) / math.Sqrt(float64(wantCount)))
		if gap < want || gap >= want+time.Millisecond {
			t.Errorf("%s: second drop %v after the first, want interval/√%d = %v", tc.name, gap, wantCount, want)
		}
	}
}

// With at most MAXPACKET (1504) bytes left behind the head, CoDel never
// drops, however long packets wait; with more, it does.
func TestCoDelMaxPacket(t *testing.T) {
	// standing runs a standing queue of n packets of size bytes for 10 s:
	// every 50 ms one arrives and then one leaves, after waiting n*50 ms.
	standing := func(n, size int) (drops int) {
		q := codelQueue(t, "packets=100, target=5, interval=100")
		for i := range n - 1 {
			q.Enqueue(0, &Packet{Size: size, ID: uint64(i)}, nil)
		}
		for k := range 200 {
			now := time.Duration(k) * 50 * time.Millisecond
			q.Enqueue(now, &Packet{Size: size, Arrival: now}, nil)
			_, ok, d := deq(q, now, nil)
			if !ok {
				t.Fatal("empty")
			}
			drops += len(d)
			for range d { // keep the queue standing
				q.Enqueue(now, &Packet{Size: size, Arrival: now}, nil)
			}
		}
		return drops
	}
	for _, c := range []struct {
		n, size int
		drop    bool
	}{
		{2, 1504, false}, // 1504 bytes left behind each head
		{3, 600, false},  // 1200
		{2, 1505 - 1, false},
		{3, 753, true}, // 1506
		{3, 1504, true},
	} {
		if d := standing(c.n, c.size); (d > 0) != c.drop {
			t.Errorf("standing queue of %d x %d bytes, sojourn >= 100 ms: %d drops, want drops: %v", c.n, c.size, d, c.drop)
		}
	}
}
