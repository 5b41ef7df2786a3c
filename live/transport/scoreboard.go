package transport

import "time"

// Segment flags in the scoreboard.
const (
	fSacked  uint8 = 1 << iota // delivered, reported by SACK
	fLost                      // deemed lost and not yet retransmitted
	fRetrans                   // retransmitted at least once
	fInRack                    // linked in the send-time list
)

// segInfo is the sender's record of one outstanding segment.
type segInfo struct {
	seq     uint64
	len     int32
	flags   uint8
	txCount uint8
	// sent is the time of the latest transmission.
	sent time.Duration
	// The delivery-rate snapshot taken at the latest transmission
	// (draft-cheng-iccrg-delivery-rate-estimation §3.2).
	delivered     int64
	deliveredTime time.Duration
	firstSentTime time.Duration
	appLimited    bool
	// prev and next link the send-time list by segment number; -1 ends it.
	prev, next int64
}

// scoreboard holds the outstanding segments [base, base+n) in a ring
// indexed by segment number: segments are cut at multiples of the MSS and
// never re-cut, so segment k starts at byte k·MSS and lookups are O(1).
// It also threads the segments that are in flight (not SACKed, not lost)
// on a list ordered by transmission time, oldest first, for RACK: a
// retransmission moves its segment to the tail.
type scoreboard struct {
	buf        []segInfo
	base       uint64 // segment number of the first outstanding segment
	n          int
	head, tail int64 // send-time list ends (segment numbers), -1 when empty
}

func newScoreboard() scoreboard {
	return scoreboard{buf: make([]segInfo, 64), head: -1, tail: -1}
}

func (b *scoreboard) at(k uint64) *segInfo { return &b.buf[k&uint64(len(b.buf)-1)] }

// contains reports whether segment k is outstanding.
func (b *scoreboard) contains(k uint64) bool { return k >= b.base && k < b.base+uint64(b.n) }

// push appends the next segment (number base+n) and returns its record.
func (b *scoreboard) push() *segInfo {
	if b.n == len(b.buf) {
		nb := make([]segInfo, 2*len(b.buf))
		for i := 0; i < b.n; i++ {
			k := b.base + uint64(i)
			nb[k&uint64(len(nb)-1)] = *b.at(k)
		}
		b.buf = nb
	}
	s := b.at(b.base + uint64(b.n))
	*s = segInfo{prev: -1, next: -1}
	b.n++
	return s
}

// popFront drops the first outstanding segment (it was cumulatively
// acknowledged); the caller has unlinked it.
func (b *scoreboard) popFront() {
	b.base++
	b.n--
}

// link appends segment k at the tail of the send-time list.
func (b *scoreboard) link(k uint64) {
	s := b.at(k)
	s.flags |= fInRack
	s.prev, s.next = b.tail, -1
	if b.tail >= 0 {
		b.at(uint64(b.tail)).next = int64(k)
	} else {
		b.head = int64(k)
	}
	b.tail = int64(k)
}

// unlink removes segment k from the send-time list if it is on it.
func (b *scoreboard) unlink(k uint64) {
	s := b.at(k)
	if s.flags&fInRack == 0 {
		return
	}
	s.flags &^= fInRack
	if s.prev >= 0 {
		b.at(uint64(s.prev)).next = s.next
	} else {
		b.head = s.next
	}
	if s.next >= 0 {
		b.at(uint64(s.next)).prev = s.prev
	} else {
		b.tail = s.prev
	}
	s.prev, s.next = -1, -1
}
