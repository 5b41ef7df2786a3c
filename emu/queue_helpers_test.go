package emu

import "time"

// deq is Dequeue in value form, for tests.
func deq(q Queue, now time.Duration, dropped []Packet) (Packet, bool, []Packet) {
	var p Packet
	ok, d := q.Dequeue(now, &p, dropped)
	return p, ok, d
}
