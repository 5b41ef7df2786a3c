// queue_codel.go owns the CoDel discipline: Controlled Delay, RFC 8289
// (section 5 pseudo-code; the count re-entry rule is the Linux one the RFC
// prints), with mahimahi's parameterisation (src/packet/codel_packet_queue.cc):
// the enqueue side is a droptail queue with the spec's limits, MAXPACKET is
// OpportunityBytes, and target and interval come from the spec.
//
// Deliberate differences from mahimahi:
//   - mahimahi's dequeue shadows its result variable, so it always returns
//     the head and drops the packets behind it; this file does what RFC 8289
//     does: it drops the head and returns the next survivor.
//   - Time is the link's nanosecond clock (now and each packet's Arrival),
//     not whole milliseconds, and "now - drop_next < 16*interval" is a signed
//     comparison, as in Linux (mahimahi's is unsigned).
//   - The packets CoDel drops at dequeue time are returned to the caller
//     (mahimahi does not log them). A drop needs more than MAXPACKET bytes
//     behind the head, so a dequeue on a non-empty queue always returns a
//     packet.
package emu

import (
	"math"
	"time"
)

// codelMaxPacket is RFC 8289's MAXPACKET: no drop while at most this many
// bytes are left in the queue (mahimahi uses its PACKET_SIZE).
const codelMaxPacket = OpportunityBytes

// CoDelQueue is a CoDel queue. Build it with NewQueue.
type CoDelQueue struct {
	queueBase
	lim      queueLimits
	target   time.Duration
	interval time.Duration

	firstAbove time.Duration // first_above_time, valid when aboveSet
	aboveSet   bool          // first_above_time != 0 in the RFC
	dropNext   time.Duration // drop_next
	count      int           // count: drops in the current dropping state
	lastCount  int           // lastcount: count when the state was last entered
	dropping   bool          // dropping state
}

func newCoDelQueue(s QueueSpec) *CoDelQueue {
	return &CoDelQueue{
		queueBase: queueBase{spec: s},
		lim:       queueLimits{packets: s.Packets, bytes: s.Bytes},
		target:    s.Target,
		interval:  s.Interval,
	}
}

// Dropping reports whether CoDel is in its dropping state.
func (q *CoDelQueue) Dropping() bool { return q.dropping }

// Count is CoDel's drop count: the drops since the dropping state was last
// entered (or its re-entry value), which sets the drop rate interval/√count.
func (q *CoDelQueue) Count() int { return q.count }

// Enqueue is droptail with the spec's limits.
func (q *CoDelQueue) Enqueue(_ time.Duration, p *Packet, dropped []Packet) []Packet {
	if !q.lim.ok(q.q.n+1, q.q.bytes+p.Size) {
		return append(dropped, *p)
	}
	q.q.push(p)
	return dropped
}

// judgeHead is RFC 8289's dodequeue without the removal (the caller pops
// the head next; this saves copying a Packet): it says whether the head may
// be dropped, i.e. its sojourn time and the bytes that will be left behind
// it have been above target and MAXPACKET for at least an interval. The
// queue must not be empty.
func (q *CoDelQueue) judgeHead(now time.Duration) (okToDrop bool) {
	h := q.q.front()
	if now-h.Arrival < q.target || q.q.bytes-h.Size <= codelMaxPacket {
		q.aboveSet = false
	} else if !q.aboveSet {
		q.firstAbove, q.aboveSet = now+q.interval, true
	} else if now >= q.firstAbove {
		okToDrop = true
	}
	return okToDrop
}

// controlLaw is t + interval/√count.
func (q *CoDelQueue) controlLaw(t time.Duration) time.Duration {
	return t + time.Duration(float64(q.interval)/math.Sqrt(float64(q.count)))
}

// Dequeue returns the next packet to send, dropping packets at the head
// first when CoDel's control law says so (RFC 8289 dequeue). The drops are
// appended to dropped.
func (q *CoDelQueue) Dequeue(now time.Duration, into *Packet, dropped []Packet) (bool, []Packet) {
	if q.q.n == 0 {
		// An empty queue ends the dropping state.
		q.aboveSet, q.dropping = false, false
		return false, dropped
	}
	okToDrop := q.judgeHead(now)
	if q.dropping {
		if !okToDrop {
			q.dropping = false
		}
		// Several drops may be due at once under a large backlog.
		for q.dropping && now >= q.dropNext {
			dropped = append(dropped, q.q.pop())
			q.count++
			if q.q.n == 0 {
				q.aboveSet, q.dropping = false, false
				return false, dropped
			}
			if !q.judgeHead(now) {
				q.dropping = false
			} else {
				q.dropNext = q.controlLaw(q.dropNext)
			}
		}
	} else if okToDrop {
		// Sojourn above target for an interval: drop the head and enter
		// the dropping state.
		dropped = append(dropped, q.q.pop())
		if q.q.n == 0 {
			q.aboveSet = false
		} else {
			q.judgeHead(now)
		}
		q.dropping = true
		// Re-entering soon after the last dropping state: resume near the
		// drop rate that controlled the queue then.
		delta := q.count - q.lastCount
		q.count = 1
		if delta > 1 && now-q.dropNext < 16*q.interval {
			q.count = delta
		}
		q.dropNext = q.controlLaw(now)
		q.lastCount = q.count
		if q.q.n == 0 {
			return false, dropped
		}
	}
	q.q.popInto(into)
	return true, dropped
}
