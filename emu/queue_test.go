// queue_test.go tests queuespec.go and queue_drop.go: parsing, the header
// and argument text, spec validation, and the infinite, droptail and
// drophead disciplines (exact sequences and a randomized model check).
package emu

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestQueueKindString(t *testing.T) {
	want := map[QueueKind]string{
		QueueInfinite: "infinite", QueueDropTail: "droptail", QueueDropHead: "drophead",
		QueueCoDel: "codel", QueuePIE: "pie", QueueKind(7): "QueueKind(7)",
	}
	for k, s := range want {
		if got := k.String(); got != s {
			t.Errorf("QueueKind(%d).String() = %q, want %q", uint8(k), got, s)
		}
	}
}

func TestParseQueueAccepts(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		kind, args string
		want       QueueSpec
	}{
		{"infinite", "", QueueSpec{}},
		{"infinite", "  ", QueueSpec{}},
		// mahimahi's own examples.
		{"droptail", "packets=100", QueueSpec{Kind: QueueDropTail, Packets: 100}},
		{"droptail", "bytes=9000, packets=10", QueueSpec{Kind: QueueDropTail, Bytes: 9000, Packets: 10}},
		{"codel", "packets=100, target=5, interval=100",
			QueueSpec{Kind: QueueCoDel, Packets: 100, Target: 5 * ms, Interval: 100 * ms}},
		{"pie", "packets=1000, qdelay_ref=20, max_burst=100",
			QueueSpec{Kind: QueuePIE, Packets: 1000, QdelayRef: 20 * ms, MaxBurst: 100 * ms}},
		// Extensions: whitespace separators, units, decimals, order.
		{"drophead", "packets=10,bytes=9000", QueueSpec{Kind: QueueDropHead, Bytes: 9000, Packets: 10}},
		{"codel", "packets=100 target=5 interval=100",
			QueueSpec{Kind: QueueCoDel, Packets: 100, Target: 5 * ms, Interval: 100 * ms}},
		{"codel", " packets=100 ,target=5ms,\tinterval=0.1s ",
			QueueSpec{Kind: QueueCoDel, Packets: 100, Target: 5 * ms, Interval: 100 * ms}},
		{"codel", "bytes=100000, target=500us, interval=100ms",
			QueueSpec{Kind: QueueCoDel, Bytes: 100000, Target: 500 * time.Microsecond, Interval: 100 * ms}},
		{"codel", "packets = 100, target = 2.5, interval=100",
			QueueSpec{Kind: QueueCoDel, Packets: 100, Target: 2500 * time.Microsecond, Interval: 100 * ms}},
		{"codel", "packets=1, target=7µs, interval=1s",
			QueueSpec{Kind: QueueCoDel, Packets: 1, Target: 7 * time.Microsecond, Interval: time.Second}},
		{"pie", "packets=1000\tqdelay_ref=15ms\nmax_burst=0.15s",
			QueueSpec{Kind: QueuePIE, Packets: 1000, QdelayRef: 15 * ms, MaxBurst: 150 * ms}},
		{"pie", "max_burst=100, qdelay_ref=20, bytes=30000",
			QueueSpec{Kind: QueuePIE, Bytes: 30000, QdelayRef: 20 * ms, MaxBurst: 100 * ms}},
		// Bounds and leading zeros.
		{"droptail", "packets=007", QueueSpec{Kind: QueueDropTail, Packets: 7}},
		{"droptail", "packets=1000000000", QueueSpec{Kind: QueueDropTail, Packets: 1_000_000_000}},
		{"droptail", "bytes=1099511627776", QueueSpec{Kind: QueueDropTail, Bytes: 1 << 40}},
		{"codel", "packets=1, target=1ns, interval=3600000",
			QueueSpec{Kind: QueueCoDel, Packets: 1, Target: 1, Interval: time.Hour}},
		{"codel", "packets=1, target=3600s, interval=0.000001",
			QueueSpec{Kind: QueueCoDel, Packets: 1, Target: time.Hour, Interval: 1}},
	} {
		got, err := ParseQueue(tc.kind, tc.args)
		if err != nil {
			t.Errorf("ParseQueue(%q, %q): %v", tc.kind, tc.args, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseQueue(%q, %q) = %+v, want %+v", tc.kind, tc.args, got, tc.want)
		}
	}
}

func TestParseQueueRejects(t *testing.T) {
	for _, tc := range []struct{ kind, args, want string }{
		{"fifo", "", `unknown queue type "fifo" (want infinite, droptail, drophead, codel or pie)`},
		{"", "", `unknown queue type ""`},
		{"DropTail", "packets=10", `unknown queue type "DropTail" (queue types are lower-case: use "droptail")`},
		{"droptail ", "packets=10", `unknown queue type "droptail " (stray whitespace: use "droptail")`},
		{"infinite", "packets=10", `queue infinite takes no arguments (got "packets=10")`},
		{"droptail", "packets=1\x00", `queue droptail: packets="1\x00": not a whole number`},
		{"droptail", "", `queue droptail: needs a limit: packets=N and/or bytes=N`},
		{"drophead", " ", `queue drophead: needs a limit: packets=N and/or bytes=N`},
		{"codel", "target=5, interval=100", `queue codel: needs a limit`},
		{"codel", "packets=100", `queue codel: needs target and interval (e.g. "packets=100, target=5, interval=100")`},
		{"codel", "packets=100, target=5", `queue codel: needs target and interval`},
		{"pie", "packets=100, qdelay_ref=20", `queue pie: needs qdelay_ref and max_burst`},
		{"codel", "pakets=100, target=5, interval=100", `queue codel: unknown argument "pakets" (want bytes, packets, target, interval)`},
		{"pie", "packets=100, delay=5", `queue pie: unknown argument "delay" (want bytes, packets, qdelay_ref, max_burst)`},
		{"droptail", "Packets=100", `queue droptail: unknown argument "Packets" (argument names are lower-case: use "packets")`},
		{"droptail", "packets=100, target=5", `queue droptail: target is not a droptail argument (want bytes, packets; target belongs to codel)`},
		{"pie", "packets=100, qdelay_ref=20, max_burst=100, interval=100", `queue pie: interval is not a pie argument`},
		{"codel", "packets=100, max_burst=100", `max_burst belongs to pie`},
		{"droptail", "packets=10, packets=20", `queue droptail: duplicate argument packets`},
		{"codel", "packets=10, target=5, target=5ms, interval=100", `queue codel: duplicate argument target`},
		{"droptail", "packets=abc", `queue droptail: packets=abc: not a whole number`},
		{"droptail", "packets=1.5", `packets=1.5: not a whole number`},
		{"droptail", "packets=10;bytes=100", `not a whole number`},
		{"droptail", "packets=0", `queue droptail: packets=0: must be positive`},
		{"droptail", "bytes=-5", `queue droptail: bytes=-5: must be positive`},
		{"droptail", "packets=1000000001", `packets=1000000001: too large (at most 1000000000)`},
		{"droptail", "bytes=99999999999999999999999", `bytes=99999999999999999999999: too large (at most 1099511627776)`},
		{"codel", "packets=1, target=5x, interval=100", `queue codel: target=5x: unknown unit "x" (use ns, us, ms or s`},
		{"codel", "packets=1, target=5m, interval=100", `unknown unit "m"`},
		{"codel", "packets=1, target=abc, interval=100", `queue codel: target=abc: not a number`},
		{"codel", "packets=1, target=.5, interval=100", `target=.5: not a number`},
		{"codel", "packets=1, target=5., interval=100", `target=5.: not a number`},
		{"codel", "packets=1, target=0, interval=100", `queue codel: target=0: must be positive`},
		{"codel", "packets=1, target=0.0000001, interval=100", `target=0.0000001: must be positive`},
		{"codel", "packets=1, target=-5, interval=100", `target=-5: must be positive`},
		{"pie", "packets=1, qdelay_ref=3600001, max_burst=100", `queue pie: qdelay_ref=3600001: too large (at most 3600000ms)`},
		{"pie", "packets=1, qdelay_ref=20, max_burst=99999999999999999999s", `max_burst=99999999999999999999s: too large`},
		{"codel", "packets=1, target=5 ms, interval=100", `queue codel: stray "ms" in "packets=1, target=5 ms, interval=100" (write the unit without a space, e.g. target=5ms)`},
		{"droptail", "packets=100,,bytes=10", `queue droptail: empty argument at offset 12`},
		{"droptail", ",packets=100", `empty argument at offset 0`},
		{"droptail", "packets=100,", `queue droptail: trailing comma in "packets=100,"`},
		{"droptail", "packets", `queue droptail: argument "packets" has no value (want packets=NUM)`},
		{"droptail", "packets=", `argument "packets" has no value`},
		{"droptail", "packets 100", `argument "packets" has no value`},
		{"droptail", "=100", `queue droptail: missing argument name before "=100"`},
	} {
		_, err := ParseQueue(tc.kind, tc.args)
		if err == nil {
			t.Errorf("ParseQueue(%q, %q) succeeded, want error containing %q", tc.kind, tc.args, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseQueue(%q, %q) error\n  %v\nwant it to contain\n  %s", tc.kind, tc.args, err, tc.want)
		}
	}
}

func TestQueueSpecStringAndArgs(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		spec      QueueSpec
		str, args string
	}{
		{QueueSpec{}, "infinite", ""},
		{QueueSpec{Kind: QueueDropTail, Packets: 100}, "droptail [packets=100]", "packets=100"},
		{QueueSpec{Kind: QueueDropTail, Bytes: 9000, Packets: 10}, "droptail [bytes=9000, packets=10]", "bytes=9000, packets=10"},
		{QueueSpec{Kind: QueueDropHead, Bytes: 9000}, "drophead [bytes=9000]", "bytes=9000"},
		{QueueSpec{Kind: QueueCoDel, Packets: 100, Target: 5 * ms, Interval: 100 * ms},
			"codel [packets=100]", "packets=100, target=5, interval=100"},
		{QueueSpec{Kind: QueueCoDel, Packets: 100, Target: 500 * time.Microsecond, Interval: 100 * ms},
			"codel [packets=100]", "packets=100, target=0.5, interval=100"},
		{QueueSpec{Kind: QueuePIE, Packets: 1000, QdelayRef: 20 * ms, MaxBurst: 100 * ms},
			"pie [packets=1000]", "packets=1000, qdelay_ref=20, max_burst=100"},
		{QueueSpec{Kind: QueuePIE, Bytes: 30000, Packets: 20, QdelayRef: 1234567, MaxBurst: 1},
			"pie [bytes=30000, packets=20]", "bytes=30000, packets=20, qdelay_ref=1.234567, max_burst=0.000001"},
	} {
		if got := tc.spec.String(); got != tc.str {
			t.Errorf("%+v.String() = %q, want %q", tc.spec, got, tc.str)
		}
		if got := tc.spec.Args(); got != tc.args {
			t.Errorf("%+v.Args() = %q, want %q", tc.spec, got, tc.args)
		}
		back, err := ParseQueue(tc.spec.Kind.String(), tc.spec.Args())
		if err != nil || back != tc.spec {
			t.Errorf("ParseQueue(%q, %q) = %+v, %v; want %+v", tc.spec.Kind, tc.spec.Args(), back, err, tc.spec)
		}
	}
}

// A hand-built spec is validated by NewQueue: an error, never a panic.
func TestNewQueueRejectsBadSpecs(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		spec QueueSpec
		want string
	}{
		{QueueSpec{Kind: 9, Packets: 1}, "unknown queue type QueueKind(9)"},
		{QueueSpec{Packets: 10}, `queue infinite takes no arguments (got "packets=10")`},
		{QueueSpec{Kind: QueueDropTail}, "queue droptail: needs a limit"},
		{QueueSpec{Kind: QueueDropHead, Packets: -1}, "queue drophead: packets=-1 out of range"},
		{QueueSpec{Kind: QueueDropTail, Bytes: 1<<40 + 1}, "queue droptail: bytes=1099511627777 out of range"},
		{QueueSpec{Kind: QueueDropTail, Packets: 10, Target: 5 * ms}, "queue droptail: target is not a droptail argument"},
		{QueueSpec{Kind: QueueCoDel, Packets: 10, Target: 5 * ms}, "queue codel: needs target and interval"},
		{QueueSpec{Kind: QueueCoDel, Packets: 10, Target: -5 * ms, Interval: 100 * ms}, "queue codel: target=-5ms out of range"},
		{QueueSpec{Kind: QueuePIE, Packets: 10, QdelayRef: 2 * time.Hour, MaxBurst: 100 * ms}, "queue pie: qdelay_ref=2h0m0s out of range"},
		{QueueSpec{Kind: QueuePIE, Packets: 10, QdelayRef: 20 * ms}, "queue pie: needs qdelay_ref and max_burst"},
	} {
		q, err := NewQueue(tc.spec, rand.New(rand.NewPCG(1, 1)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewQueue(%+v) = %v, %v; want error containing %q", tc.spec, q, err, tc.want)
		}
		if err2 := tc.spec.Validate(); fmt.Sprint(err2) != fmt.Sprint(err) {
			t.Errorf("Validate(%+v) = %v, NewQueue said %v", tc.spec, err2, err)
		}
	}
}

func TestNewQueueTypes(t *testing.T) {
	for _, tc := range []struct {
		kind, args string
		want       Queue
	}{
		{"infinite", "", &InfiniteQueue{}},
		{"droptail", "packets=1", &DropTailQueue{}},
		{"drophead", "packets=1", &DropHeadQueue{}},
		{"codel", "packets=1, target=5, interval=100", &CoDelQueue{}},
		{"pie", "packets=1, qdelay_ref=20, max_burst=100", &PIEQueue{}},
	} {
		s, err := ParseQueue(tc.kind, tc.args)
		if err != nil {
			t.Fatal(err)
		}
		// A nil rng is allowed for every kind (PIE falls back to a fixed seed).
		q, err := NewQueue(s, nil)
		if err != nil {
			t.Fatalf("NewQueue(%v, nil): %v", s, err)
		}
		if reflect.TypeOf(q) != reflect.TypeOf(tc.want) {
			t.Errorf("NewQueue(%v) is a %T, want %T", s, q, tc.want)
		}
		if q.Spec() != s {
			t.Errorf("Spec() = %+v, want %+v", q.Spec(), s)
		}
		if q.Len() != 0 || q.Bytes() != 0 {
			t.Errorf("new %v queue holds %d packets, %d bytes", s, q.Len(), q.Bytes())
		}
		if _, ok, d := deq(q, 0, nil); ok || len(d) != 0 {
			t.Errorf("Dequeue on an empty %v queue: ok=%v dropped=%d", s, ok, len(d))
		}
	}
}

func mustQueue(t testing.TB, kind, args string) Queue {
	t.Helper()
	s, err := ParseQueue(kind, args)
	if err != nil {
		t.Fatal(err)
	}
	q, err := NewQueue(s, rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func qtIDs(ps []Packet) []uint64 {
	ids := make([]uint64, 0, len(ps))
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

// TestDropLimits runs exact sequences through droptail and drophead. ops is
// a list of "+SIZE" (enqueue a packet with the next ID, 1, 2, ...) and "-"
// (dequeue); the test checks which IDs are dropped, dequeued and left, in
// order.
func TestDropLimits(t *testing.T) {
	for _, tc := range []struct {
		kind, args string
		ops        string
		dropped    []uint64
		dequeued   []uint64
		left       []uint64
	}{
		// packets=3: the 4th and 5th arrivals are refused...
		{"droptail", "packets=3", "+1504 +1504 +1504 +1504 +1504", []uint64{4, 5}, nil, []uint64{1, 2, 3}},
		// ...or evict the oldest.
		{"drophead", "packets=3", "+1504 +1504 +1504 +1504 +1504", []uint64{1, 2}, nil, []uint64{3, 4, 5}},
		// A packet that lands exactly on the byte limit is accepted.
		{"droptail", "bytes=3000", "+1000 +1500 +600 +400 +100 +1", []uint64{3, 6}, nil, []uint64{1, 2, 4, 5}},
		// drophead evicts as many as needed for one arrival.
		{"drophead", "bytes=3000", "+1000 +1500 +600 +400 +100 +1 +1504", []uint64{1, 2}, nil, []uint64{3, 4, 5, 6, 7}},
		// A packet bigger than the byte limit evicts everything, itself too.
		{"drophead", "bytes=1000", "+600 +1504", []uint64{1, 2}, nil, nil},
		{"droptail", "bytes=1000", "+600 +1504 +400", []uint64{2}, nil, []uint64{1, 3}},
		// Both limits at once, with dequeues in between.
		{"droptail", "bytes=4000, packets=3",
			"+1504 +1504 +100 +100 - +1504 - +1504 - +1000 +992",
			[]uint64{4, 7}, []uint64{1, 2, 3}, []uint64{5, 6, 8}},
		{"drophead", "bytes=4000, packets=3",
			"+1504 +1504 +100 +100 - +1504 +1504 +1000",
			[]uint64{1, 3, 4, 5}, []uint64{2}, []uint64{6, 7}},
		// CoDel and PIE are limited like droptail at enqueue.
		{"codel", "bytes=4000, packets=3, target=5, interval=100",
			"+1504 +1504 +100 +100 - +1504 - +1504 - +1000 +992",
			[]uint64{4, 7}, []uint64{1, 2, 3}, []uint64{5, 6, 8}},
		{"pie", "bytes=4000, packets=3, qdelay_ref=20, max_burst=100",
			"+1504 +1504 +100 +100 - +1504 - +1504 - +1000 +992",
			[]uint64{4, 7}, []uint64{1, 2, 3}, []uint64{5, 6, 8}},
		// The limits count waiting packets only: a dequeue makes room.
		{"droptail", "packets=1", "+100 +100 - +100 +100", []uint64{2, 4}, []uint64{1}, []uint64{3}},
		// Infinite never drops.
		{"infinite", "", "+1504 +1504 - +1 +1504", nil, []uint64{1}, []uint64{2, 3, 4}},
	} {
		q := mustQueue(t, tc.kind, tc.args)
		var dropped, dequeued []Packet
		var id uint64
		bytes := 0
		for i, op := range strings.Fields(tc.ops) {
			now := time.Duration(i) * time.Millisecond
			if op == "-" {
				p, ok, d := deq(q, now, nil)
				if !ok || len(d) != 0 {
					t.Fatalf("%s %s op %d: Dequeue ok=%v dropped=%d", tc.kind, tc.args, i, ok, len(d))
				}
				dequeued = append(dequeued, p)
				continue
			}
			var size int
			fmt.Sscanf(op, "+%d", &size)
			id++
			before := len(dropped)
			dropped = q.Enqueue(now, &Packet{Size: size, ID: id, Arrival: now}, dropped)
			bytes += size
			for _, p := range dropped[before:] {
				bytes -= p.Size
			}
		}
		for _, p := range dequeued {
			bytes -= p.Size
		}
		if q.Bytes() != bytes {
			t.Errorf("%s %s: Bytes() = %d, want %d", tc.kind, tc.args, q.Bytes(), bytes)
		}
		if q.Len() != len(tc.left) {
			t.Errorf("%s %s: Len() = %d, want %d", tc.kind, tc.args, q.Len(), len(tc.left))
		}
		left := q.Drain()
		for _, c := range []struct {
			what      string
			got, want []uint64
		}{{"dropped", qtIDs(dropped), tc.dropped}, {"dequeued", qtIDs(dequeued), tc.dequeued}, {"left", qtIDs(left), tc.left}} {
			if !slices.Equal(c.got, c.want) {
				t.Errorf("%s %s (%s): %s %v, want %v", tc.kind, tc.args, tc.ops, c.what, c.got, c.want)
			}
		}
	}
}

// Enqueue and Dequeue append to the dropped slice they are given.
func TestQueueAppendsToDropped(t *testing.T) {
	q := mustQueue(t, "drophead", "packets=1")
	prior := []Packet{{ID: 99}}
	q.Enqueue(0, &Packet{Size: 10, ID: 1}, nil)
	got := q.Enqueue(0, &Packet{Size: 10, ID: 2}, prior)
	if !slices.Equal(qtIDs(got), []uint64{99, 1}) {
		t.Errorf("dropped = %v, want [99 1]", qtIDs(got))
	}
	_, _, got = deq(q, 0, prior)
	if !slices.Equal(qtIDs(got), []uint64{99}) {
		t.Errorf("Dequeue dropped = %v, want [99]", qtIDs(got))
	}
}

// TestQueueDrain fills each kind past a ring wrap-around, then drains it.
func TestQueueDrain(t *testing.T) {
	for _, tc := range []struct{ kind, args string }{
		{"infinite", ""},
		{"droptail", "packets=1000"},
		{"drophead", "packets=1000"},
		{"codel", "packets=1000, target=5, interval=100"},
		{"pie", "packets=1000, qdelay_ref=20, max_burst=100"},
	} {
		q := mustQueue(t, tc.kind, tc.args)
		var id uint64
		var want []uint64
		// Enqueue 3, dequeue 2 per step: the head moves through the ring
		// while it grows. Packets are small so CoDel and PIE never drop.
		for step := range 40 {
			now := time.Duration(step) * time.Microsecond
			for range 3 {
				id++
				if d := q.Enqueue(now, &Packet{Size: 40, ID: id, Arrival: now}, nil); len(d) != 0 {
					t.Fatalf("%s: unexpected drop", tc.kind)
				}
				want = append(want, id)
			}
			for range 2 {
				p, ok, d := deq(q, now, nil)
				if !ok || len(d) != 0 || p.ID != want[0] {
					t.Fatalf("%s: Dequeue = %d, %v, %d drops; want %d", tc.kind, p.ID, ok, len(d), want[0])
				}
				want = want[1:]
			}
		}
		got := q.Drain()
		if !slices.Equal(qtIDs(got), want) {
			t.Errorf("%s: Drain = %v, want %v", tc.kind, qtIDs(got), want)
		}
		if q.Len() != 0 || q.Bytes() != 0 {
			t.Errorf("%s: after Drain Len=%d Bytes=%d", tc.kind, q.Len(), q.Bytes())
		}
		if got := q.Drain(); len(got) != 0 {
			t.Errorf("%s: second Drain = %d packets", tc.kind, len(got))
		}
		// Still usable.
		q.Enqueue(time.Second, &Packet{Size: 40, ID: 1000, Arrival: time.Second}, nil)
		if p, ok, _ := deq(q, time.Second, nil); !ok || p.ID != 1000 {
			t.Errorf("%s: after Drain, Dequeue = %d, %v", tc.kind, p.ID, ok)
		}
	}
}

// TestQueueMatchesSliceModel drives infinite, droptail and drophead with
// random sizes, limits and bursts, and compares every result with a plain
// slice implementation of mahimahi's rules.
func TestQueueMatchesSliceModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 1))
	for round := range 60 {
		kind := []QueueKind{QueueInfinite, QueueDropTail, QueueDropHead}[round%3]
		spec := QueueSpec{Kind: kind}
		if kind != QueueInfinite {
			switch rng.IntN(3) {
			case 0:
				spec.Packets = 1 + rng.IntN(3000)
			case 1:
				spec.Bytes = 1 + rng.IntN(3000*1504)
			default:
				spec.Packets, spec.Bytes = 1+rng.IntN(3000), 1+rng.IntN(3000*1504)
			}
		}
		q, err := NewQueue(spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		fits := func(n, b int) bool {
			return (spec.Packets == 0 || n <= spec.Packets) && (spec.Bytes == 0 || b <= spec.Bytes)
		}
		var model []Packet
		modelBytes := 0
		var id uint64
		var scratch []Packet
		pEnq := 0.5
		for op := range 20000 {
			if op%2000 == 0 { // alternate bursts and drains
				pEnq = []float64{0.9, 0.1, 0.5, 0.98}[rng.IntN(4)]
			}
			now := time.Duration(op) * time.Microsecond
			if rng.Float64() < pEnq {
				id++
				p := Packet{Size: 1 + rng.IntN(OpportunityBytes), ID: id, Arrival: now}
				var wantDrop []Packet
				switch kind {
				case QueueDropTail:
					if fits(len(model)+1, modelBytes+p.Size) {
						model, modelBytes = append(model, p), modelBytes+p.Size
					} else {
						wantDrop = append(wantDrop, p)
					}
				default:
					model, modelBytes = append(model, p), modelBytes+p.Size
					for kind == QueueDropHead && !fits(len(model), modelBytes) {
						wantDrop = append(wantDrop, model[0])
						modelBytes -= model[0].Size
						model = model[1:]
					}
				}
				scratch = q.Enqueue(now, &p, scratch[:0])
				if !slices.Equal(qtIDs(scratch), qtIDs(wantDrop)) {
					t.Fatalf("%v op %d: Enqueue dropped %v, want %v", spec, op, qtIDs(scratch), qtIDs(wantDrop))
				}
			} else {
				p, ok, d := deq(q, now, scratch[:0])
				if ok != (len(model) > 0) || len(d) != 0 {
					t.Fatalf("%v op %d: Dequeue ok=%v drops=%d, model holds %d", spec, op, ok, len(d), len(model))
				}
				if ok {
					if p.ID != model[0].ID || p.Size != model[0].Size || p.Arrival != model[0].Arrival {
						t.Fatalf("%v op %d: Dequeue = %+v, want %+v", spec, op, p, model[0])
					}
					modelBytes -= model[0].Size
					model = model[1:]
				}
			}
			if q.Len() != len(model) || q.Bytes() != modelBytes {
				t.Fatalf("%v op %d: Len/Bytes = %d/%d, model %d/%d", spec, op, q.Len(), q.Bytes(), len(model), modelBytes)
			}
		}
		if got := q.Drain(); !slices.Equal(qtIDs(got), qtIDs(model)) {
			t.Fatalf("%v: Drain = %d packets, model %d", spec, len(got), len(model))
		}
	}
}

// The ring gives memory back after a burst and keeps FIFO order across
// growing and shrinking.
func TestRingGrowShrink(t *testing.T) {
	var r ring
	next, head := uint64(0), uint64(0)
	for range 100_000 {
		next++
		r.push(&Packet{ID: next, Size: 1, Payload: []byte{1}})
	}
	peak := len(r.buf)
	for r.n > 10 {
		if p := r.pop(); p.ID != head+1 || p.Payload == nil {
			t.Fatalf("pop = %d, want %d", p.ID, head+1)
		}
		head++
	}
	if len(r.buf) > ringShrinkCap || len(r.buf) >= peak {
		t.Errorf("ring holds %d slots for %d packets (peak %d)", len(r.buf), r.n, peak)
	}
	for i := range len(r.buf) {
		if r.buf[i].Payload != nil && (i-r.head)&(len(r.buf)-1) >= r.n {
			t.Fatalf("free slot %d still references packet data", i)
		}
	}
	for range 5000 {
		next++
		r.push(&Packet{ID: next, Size: 1})
		if p := r.pop(); p.ID != head+1 {
			t.Fatalf("pop = %d, want %d", p.ID, head+1)
		}
		head++
	}
	if r.n != 10 || r.bytes != 10 || r.front().ID != head+1 {
		t.Errorf("n=%d bytes=%d front=%d; want 10, 10, %d", r.n, r.bytes, r.front().ID, head+1)
	}
}

func benchQueue(b *testing.B, kind, args string) {
	q := mustQueue(b, kind, args)
	var scratch []Packet
	var p, out Packet
	p.Size = 1000
	for i := range 100 {
		p.ID = uint64(i)
		q.Enqueue(0, &p, nil)
	}
	now := time.Duration(0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now += time.Microsecond
		p.ID, p.Arrival = uint64(i), now
		scratch = q.Enqueue(now, &p, scratch[:0])
		_, scratch = q.Dequeue(now, &out, scratch[:0])
	}
}

// One enqueue plus one dequeue on a droptail queue holding 100 packets.
func BenchmarkQueueDropTail(b *testing.B) { benchQueue(b, "droptail", "packets=1000") }

// The same on CoDel with a short standing queue (sojourn 100 µs, no drops).
func BenchmarkQueueCoDel(b *testing.B) {
	benchQueue(b, "codel", "packets=1000, target=5, interval=100")
}

// The same on PIE (a probability update every 30 ms of queue time).
func BenchmarkQueuePIE(b *testing.B) {
	benchQueue(b, "pie", "packets=1000, qdelay_ref=20, max_burst=100")
}

func BenchmarkQueueInfinite(b *testing.B) { benchQueue(b, "infinite", "") }
