// queue_fuzz_test.go fuzzes ParseQueue: no panic, accepted specs are valid,
// round-trip through Args, and build a working queue.
package emu

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func FuzzParseQueue(f *testing.F) {
	for _, seed := range [][2]string{
		{"infinite", ""},
		{"droptail", "packets=100"},
		{"droptail", "bytes=9000, packets=10"},
		{"drophead", "packets=10 bytes=9000"},
		{"codel", "packets=100, target=5, interval=100"},
		{"codel", "packets=100 target=5ms interval=0.1s"},
		{"codel", "bytes=30000, target=500us, interval=2.5"},
		{"pie", "packets=1000, qdelay_ref=20, max_burst=100"},
		{"pie", "packets = 1000 , qdelay_ref = 15µs , max_burst = 1s"},
		{"DropTail", "packets=10"},
		{"codel", "pakets=100, target=5, interval=100"},
		{"droptail", "packets=100,,bytes=1"},
		{"codel", "packets=1, target=5 ms, interval=100"},
		{"pie", "packets=1, qdelay_ref=3600000, max_burst=0.000001"},
		{"droptail", "packets=-0"},
		{"infinite", "packets=10"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, kind, args string) {
		s, err := ParseQueue(kind, args)
		if err != nil {
			if s != (QueueSpec{}) {
				t.Errorf("error %v with a non-zero spec %+v", err, s)
			}
			msg := err.Error()
			if msg == "" || !(strings.HasPrefix(msg, "queue ") || strings.HasPrefix(msg, "unknown queue type")) {
				t.Errorf("error %q does not name the queue", msg)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("ParseQueue(%q, %q) = %+v, which does not validate: %v", kind, args, s, err)
		}
		if s.Kind.String() != kind {
			t.Errorf("kind %q parsed as %v", kind, s.Kind)
		}
		back, err := ParseQueue(s.Kind.String(), s.Args())
		if err != nil || back != s {
			t.Fatalf("ParseQueue(%q, %q) = %+v; round trip through %q gave %+v, %v", kind, args, s, s.Args(), back, err)
		}
		if str := s.String(); !strings.HasPrefix(str, kind) {
			t.Errorf("String() = %q", str)
		}
		q, err := NewQueue(s, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatalf("NewQueue(%+v): %v", s, err)
		}
		// A few packets through the queue: whatever it drops, the rest
		// comes out in order and the counts add up.
		var dropped []Packet
		for i := range 8 {
			now := time.Duration(i) * time.Millisecond
			dropped = q.Enqueue(now, &Packet{Size: 1000, ID: uint64(i), Arrival: now}, dropped)
		}
		out := 0
		last := -1
		for q.Len() > 0 {
			p, ok, d := deq(q, time.Second, nil)
			dropped = append(dropped, d...)
			if ok {
				if int(p.ID) <= last {
					t.Fatalf("%v: packet %d after %d", s, p.ID, last)
				}
				last = int(p.ID)
				out++
			}
		}
		if out+len(dropped) != 8 || q.Bytes() != 0 {
			t.Fatalf("%v: %d out + %d dropped of 8, %d bytes left", s, out, len(dropped), q.Bytes())
		}
	})
}
