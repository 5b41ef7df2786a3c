package transport

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"
)

// wire.go owns the encoding of a Segment as a UDP payload, which the
// netns backend sends over real sockets.
//
// Every segment starts with a 24-byte header (WireHeaderBytes); all
// multi-byte fields are big-endian:
//
//	byte  0      kind and flags: bits 0–3 the Kind (1 data, 2 ACK),
//	             bit 7 Retransmit (data only), bits 4–6 zero
//	byte  1      NSACK: the number of SACK blocks (ACK: 0 to MaxSACK;
//	             data: 0)
//	bytes 2–7    Seq (data) or Ack (ACK), a 48-bit unsigned stream offset
//	bytes 8–15   Sent, a signed 64-bit count of nanoseconds of the
//	             sending end's clock (experiment time, since the run's
//	             start)
//	bytes 16–23  Echo (ACK), signed 64-bit nanoseconds as Sent; zero on
//	             data segments
//
// A data segment's header is followed by its Len payload bytes, all zero:
// the payload length is the datagram's length minus the header, so Len is
// not written. An ACK's header is followed by NSACK SACK blocks of 8
// bytes, each relative to the cumulative Ack:
//
//	bytes 0–3    Start − Ack, 32-bit unsigned
//	bytes 4–7    End − Start, 32-bit unsigned, not zero
//
// So the UDP payload of every segment is exactly IPSize() − 28 bytes (IPv4
// 20 + UDP 8): a real run charges a link for each packet what the sim
// charges it.
//
// Fields wider than their wire slot are truncated by AppendSegment (Seq
// and Ack modulo 2^48, SACK offsets and lengths modulo 2^32). The
// transport never produces such segments: a flow would have to send 256
// TiB, or hold 4 GiB above a hole.
//
// DecodeSegment accepts exactly the canonical encodings (reserved bits
// and unused fields zero, lengths that match), so a decoded segment
// encodes back to the same bytes, except that a data segment's payload
// bytes are not checked (they encode back as zeros).

// WireHeaderBytes is the size of the transport header at the start of
// every UDP payload; HeaderBytes adds the IPv4 and UDP headers to it.
const WireHeaderBytes = 24

// ipUDPBytes is what IPv4 and UDP add to a UDP payload.
const ipUDPBytes = HeaderBytes - WireHeaderBytes

const (
	wireKindMask   = 0x0f
	wireRetransmit = 0x80
	wireSeqBits    = 48
	wireSeqMask    = 1<<wireSeqBits - 1
)

// ErrBadSegment is wrapped by every error DecodeSegment returns.
var ErrBadSegment = errors.New("bad segment")

// badSegment formats a DecodeSegment error wrapping ErrBadSegment.
func badSegment(format string, args ...any) error {
	return fmt.Errorf("segment: %s: %w", fmt.Sprintf(format, args...), ErrBadSegment)
}

// AppendSegment appends the wire encoding of s to b and returns the
// extended slice. A data segment is followed by s.Len zero bytes (a
// negative Len counts as 0); an ACK by its s.NSACK SACK blocks (NSACK is
// clamped to [0, MaxSACK]). Fields a kind does not carry (Ack, Echo and
// SACK on data; Seq, Len and Retransmit on ACKs) are not written.
func AppendSegment(b []byte, s *Segment) []byte {
	var h [WireHeaderBytes]byte
	h[0] = byte(s.Kind) & wireKindMask
	var pos uint64
	nsack := 0
	if s.Kind == KindData {
		if s.Retransmit {
			h[0] |= wireRetransmit
		}
		pos = s.Seq
	} else {
		nsack = min(max(s.NSACK, 0), MaxSACK)
		pos = s.Ack
		binary.BigEndian.PutUint64(h[16:], uint64(s.Echo))
	}
	h[1] = byte(nsack)
	putUint48(h[2:], pos)
	binary.BigEndian.PutUint64(h[8:], uint64(s.Sent))
	b = append(b, h[:]...)
	if s.Kind == KindData {
		n := max(s.Len, 0)
		start := len(b)
		b = slices.Grow(b, n)[:start+n]
		clear(b[start:]) // a reused buffer holds old bytes
		return b
	}
	for i := range nsack {
		r := s.SACK[i]
		b = binary.BigEndian.AppendUint32(b, uint32(r.Start-s.Ack))
		b = binary.BigEndian.AppendUint32(b, uint32(r.End-r.Start))
	}
	return b
}

// DecodeSegment decodes one UDP payload into s, overwriting all of it.
// Errors wrap ErrBadSegment and say what is wrong; s is then undefined.
func DecodeSegment(b []byte, s *Segment) error {
	if len(b) < WireHeaderBytes {
		return badSegment("%d bytes, shorter than the %d-byte header", len(b), WireHeaderBytes)
	}
	*s = Segment{}
	kind := Kind(b[0] & wireKindMask)
	if f := b[0] &^ (wireKindMask | wireRetransmit); f != 0 {
		return badSegment("reserved flag bits %#02x set", f)
	}
	nsack := int(b[1])
	pos := uint64Of48(b[2:])
	sent := time.Duration(binary.BigEndian.Uint64(b[8:]))
	echo := time.Duration(binary.BigEndian.Uint64(b[16:]))
	switch kind {
	case KindData:
		if nsack != 0 {
			return badSegment("data segment with %d SACK blocks", nsack)
		}
		if echo != 0 {
			return badSegment("data segment with a nonzero echo field")
		}
		n := len(b) - WireHeaderBytes
		if n == 0 {
			return badSegment("data segment with no payload")
		}
		*s = Segment{Kind: KindData, Seq: pos, Len: n, Sent: sent, Retransmit: b[0]&wireRetransmit != 0}
		return nil
	case KindAck:
		if b[0]&wireRetransmit != 0 {
			return badSegment("ACK with the retransmit flag set")
		}
		if nsack > MaxSACK {
			return badSegment("ACK with %d SACK blocks, more than %d", nsack, MaxSACK)
		}
		if want := WireHeaderBytes + sackBlockBytes*nsack; len(b) != want {
			return badSegment("ACK of %d bytes with %d SACK blocks, want %d bytes", len(b), nsack, want)
		}
		*s = Segment{Kind: KindAck, Ack: pos, Sent: sent, Echo: echo, NSACK: nsack}
		p := b[WireHeaderBytes:]
		for i := range nsack {
			off := uint64(binary.BigEndian.Uint32(p[8*i:]))
			n := uint64(binary.BigEndian.Uint32(p[8*i+4:]))
			if n == 0 {
				return badSegment("ACK with an empty SACK block %d", i+1)
			}
			s.SACK[i] = Range{Start: pos + off, End: pos + off + n}
		}
		return nil
	default:
		return badSegment("unknown kind %d", kind)
	}
}

// putUint48 writes the low 48 bits of v big-endian into b[0:6].
func putUint48(b []byte, v uint64) {
	_ = b[5]
	b[0] = byte(v >> 40)
	b[1] = byte(v >> 32)
	b[2] = byte(v >> 24)
	b[3] = byte(v >> 16)
	b[4] = byte(v >> 8)
	b[5] = byte(v)
}

// uint64Of48 reads a 48-bit big-endian value from b[0:6].
func uint64Of48(b []byte) uint64 {
	_ = b[5]
	return uint64(b[0])<<40 | uint64(b[1])<<32 | uint64(b[2])<<24 |
		uint64(b[3])<<16 | uint64(b[4])<<8 | uint64(b[5])
}
