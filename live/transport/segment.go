package transport

import "time"

// Segment sizes on the wire. A data segment is an IP packet of
// HeaderBytes+payload: IPv4 (20) + UDP (8) + this transport's header (24),
// the same 52 bytes of overhead as TCP with timestamps, so a full segment
// carries MSS = 1448 bytes in a 1500-byte packet.
const (
	HeaderBytes = 52
	MTU         = 1500
	MSS         = MTU - HeaderBytes
	// MaxSACK is the number of SACK blocks an ACK carries (TCP fits 3
	// beside timestamps).
	MaxSACK = 3
	// sackBlockBytes is what each SACK block adds to an ACK.
	sackBlockBytes = 8
)

// Kind tells data segments from ACKs.
type Kind uint8

const (
	KindData Kind = iota + 1
	KindAck
)

// Range is a half-open range of stream bytes [Start, End).
type Range struct{ Start, End uint64 }

// Len is the number of bytes in the range.
func (r Range) Len() uint64 { return r.End - r.Start }

// Segment is one transport packet. Data segments carry Seq, Len and Sent;
// ACKs carry Ack, the SACK blocks and Echo.
type Segment struct {
	Kind Kind
	// Seq is the stream offset of the first payload byte and Len the
	// payload length (data).
	Seq uint64
	Len int
	// Sent is the sender's clock when this transmission left (TSval); on
	// an ACK, the receiver's clock when the data segment it answers
	// arrived.
	Sent time.Duration
	// Retransmit marks a retransmission (for display and captures only).
	Retransmit bool

	// Ack is the cumulative acknowledgement: every byte below it arrived.
	Ack uint64
	// Echo is the Sent time of the data segment this ACK answers (TSecr).
	Echo time.Duration
	// SACK holds NSACK blocks of bytes received above Ack, the block
	// holding the segment that triggered the ACK first (RFC 2018).
	SACK  [MaxSACK]Range
	NSACK int
}

// IPSize is the segment's size as an IP packet, in bytes.
func (s *Segment) IPSize() int {
	if s.Kind == KindData {
		return HeaderBytes + s.Len
	}
	return HeaderBytes + sackBlockBytes*s.NSACK
}
