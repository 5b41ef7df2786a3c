package transport

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// unhex decodes a hex string, ignoring spaces.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWireGolden(t *testing.T) {
	cases := []struct {
		name string
		seg  Segment
		wire string
	}{
		{
			name: "data retransmit",
			seg:  Segment{Kind: KindData, Seq: 0x0102030405, Len: 4, Sent: 1500 * time.Microsecond, Retransmit: true},
			wire: "81 00 000102030405 000000000016e360 0000000000000000 00000000",
		},
		{
			name: "data first segment",
			seg:  Segment{Kind: KindData, Seq: 0, Len: 1, Sent: 0},
			wire: "01 00 000000000000 0000000000000000 0000000000000000 00",
		},
		{
			name: "data negative time, top of the sequence space",
			seg:  Segment{Kind: KindData, Seq: 1<<48 - 2, Len: 2, Sent: -1},
			wire: "01 00 fffffffffffe ffffffffffffffff 0000000000000000 0000",
		},
		{
			name: "ack no sack",
			seg:  Segment{Kind: KindAck, Ack: 1448, Sent: 2 * time.Millisecond, Echo: 1500 * time.Microsecond},
			wire: "02 00 0000000005a8 00000000001e8480 000000000016e360",
		},
		{
			name: "ack two sack blocks",
			seg: Segment{Kind: KindAck, Ack: 1000, Sent: 2 * time.Millisecond, Echo: 1500 * time.Microsecond,
				NSACK: 2, SACK: [MaxSACK]Range{{3000, 4448}, {6000, 7448}}},
			wire: "02 02 0000000003e8 00000000001e8480 000000000016e360 000007d0000005a8 00001388000005a8",
		},
		{
			name: "ack three sack blocks, widest offsets",
			seg: Segment{Kind: KindAck, Ack: 10, Sent: 1, Echo: 2,
				NSACK: 3, SACK: [MaxSACK]Range{{11, 12}, {10 + 1<<32 - 1, 10 + 1<<32 - 1 + 1<<32 - 1}, {20, 30}}},
			wire: "02 03 00000000000a 0000000000000001 0000000000000002 0000000100000001 ffffffffffffffff 0000000a0000000a",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := unhex(t, c.wire)
			got := AppendSegment(nil, &c.seg)
			if !bytes.Equal(got, want) {
				t.Fatalf("AppendSegment:\n got %x\nwant %x", got, want)
			}
			if len(got)+ipUDPBytes != c.seg.IPSize() {
				t.Errorf("payload %d bytes + %d = %d, IPSize %d", len(got), ipUDPBytes, len(got)+ipUDPBytes, c.seg.IPSize())
			}
			var back Segment
			if err := DecodeSegment(want, &back); err != nil {
				t.Fatalf("DecodeSegment: %v", err)
			}
			if back != c.seg {
				t.Fatalf("DecodeSegment:\n got %+v\nwant %+v", back, c.seg)
			}
		})
	}
}

func TestWireAppendsAndIgnoresUncarriedFields(t *testing.T) {
	// Fields a kind does not carry are not written, and AppendSegment
	// appends after what b holds, zeroing a reused buffer's payload.
	buf := bytes.Repeat([]byte{0xee}, 100)
	d := Segment{Kind: KindData, Seq: 7, Len: 30, Sent: 9, Ack: 99, Echo: 5, NSACK: 2, SACK: [MaxSACK]Range{{1, 2}}}
	got := AppendSegment(buf[:3], &d)
	want := append([]byte{0xee, 0xee, 0xee}, AppendSegment(nil, &Segment{Kind: KindData, Seq: 7, Len: 30, Sent: 9})...)
	if !bytes.Equal(got, want) {
		t.Fatalf("data:\n got %x\nwant %x", got, want)
	}
	a := Segment{Kind: KindAck, Ack: 5, Sent: 1, Echo: 2, Seq: 77, Len: 1000, Retransmit: true}
	if got, want := AppendSegment(nil, &a), AppendSegment(nil, &Segment{Kind: KindAck, Ack: 5, Sent: 1, Echo: 2}); !bytes.Equal(got, want) {
		t.Fatalf("ack:\n got %x\nwant %x", got, want)
	}
}

func TestWireDecodeErrors(t *testing.T) {
	hdr := func(s string) []byte { return unhex(t, s) }
	cases := []struct {
		name string
		b    []byte
		msg  string
	}{
		{"short", make([]byte, 10), "segment: 10 bytes, shorter than the 24-byte header"},
		{"empty", nil, "segment: 0 bytes, shorter than the 24-byte header"},
		{"kind 0", hdr("00 00 000000000000 0000000000000000 0000000000000000"), "segment: unknown kind 0"},
		{"kind 5", hdr("05 00 000000000000 0000000000000000 0000000000000000 00"), "segment: unknown kind 5"},
		{"reserved flags", hdr("11 00 000000000000 0000000000000000 0000000000000000 00"), "segment: reserved flag bits 0x10 set"},
		{"data with sack", hdr("01 01 000000000000 0000000000000000 0000000000000000 00"), "segment: data segment with 1 SACK blocks"},
		{"data with echo", hdr("01 00 000000000000 0000000000000000 0000000000000001 00"), "segment: data segment with a nonzero echo field"},
		{"data no payload", hdr("01 00 000000000000 0000000000000000 0000000000000000"), "segment: data segment with no payload"},
		{"ack retransmit", hdr("82 00 000000000000 0000000000000000 0000000000000000"), "segment: ACK with the retransmit flag set"},
		{"ack too many sack", hdr("02 04 000000000000 0000000000000000 0000000000000000"), "segment: ACK with 4 SACK blocks, more than 3"},
		{"ack short sack", hdr("02 01 000000000000 0000000000000000 0000000000000000 00000001"), "segment: ACK of 28 bytes with 1 SACK blocks, want 32 bytes"},
		{"ack trailing bytes", hdr("02 00 000000000000 0000000000000000 0000000000000000 00"), "segment: ACK of 25 bytes with 0 SACK blocks, want 24 bytes"},
		{"ack empty block", hdr("02 02 000000000000 0000000000000000 0000000000000000 0000000100000001 0000000500000000"), "segment: ACK with an empty SACK block 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var s Segment
			err := DecodeSegment(c.b, &s)
			if err == nil {
				t.Fatalf("accepted: %+v", s)
			}
			if !errors.Is(err, ErrBadSegment) {
				t.Errorf("error %v does not wrap ErrBadSegment", err)
			}
			if got := strings.TrimSuffix(err.Error(), ": "+ErrBadSegment.Error()); got != c.msg {
				t.Errorf("error %q, want %q", got, c.msg)
			}
		})
	}
}

// randSegment draws a segment within what the wire carries.
func randSegment(rng *rand.Rand) Segment {
	t := func() time.Duration {
		switch rng.IntN(3) {
		case 0:
			return time.Duration(rng.Int64N(int64(time.Hour)))
		case 1:
			return time.Duration(rng.Uint64())
		}
		return 0
	}
	if rng.IntN(2) == 0 {
		return Segment{Kind: KindData, Seq: rng.Uint64N(1 << 48), Len: 1 + rng.IntN(MSS), Sent: t(), Retransmit: rng.IntN(4) == 0}
	}
	s := Segment{Kind: KindAck, Ack: rng.Uint64N(1 << 48), Sent: t(), Echo: t(), NSACK: rng.IntN(MaxSACK + 1)}
	for i := range s.NSACK {
		start := s.Ack + rng.Uint64N(1<<32)
		s.SACK[i] = Range{start, start + 1 + rng.Uint64N(1<<32-1)}
	}
	return s
}

func TestWireRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var buf []byte
	for i := range 100_000 {
		s := randSegment(rng)
		buf = AppendSegment(buf[:0], &s)
		if len(buf)+ipUDPBytes != s.IPSize() {
			t.Fatalf("#%d %+v: %d-byte payload, IPSize %d", i, s, len(buf), s.IPSize())
		}
		var back Segment
		back.SACK[2] = Range{1, 2} // decoding must overwrite everything
		back.Len = 5
		if err := DecodeSegment(buf, &back); err != nil {
			t.Fatalf("#%d %+v: %v", i, s, err)
		}
		if back != s {
			t.Fatalf("#%d round trip:\n got %+v\nwant %+v", i, back, s)
		}
	}
}

// TestWireTransportSegments encodes every segment a sender and receiver
// exchange over a lossy, reordering path: all must round-trip and match
// IPSize.
func TestWireTransportSegments(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	snd, err := NewSender(SenderConfig{Size: 3 << 20}, &fixedCtl{cwnd: 200 * MSS}, 0)
	if err != nil {
		t.Fatal(err)
	}
	rcv := NewReceiver()
	var (
		buf       []byte
		seg, ack  Segment
		back      Segment
		now       time.Duration
		inFlight  []Segment
		acks, nsk int
	)
	check := func(s *Segment) {
		buf = AppendSegment(buf[:0], s)
		if len(buf)+ipUDPBytes != s.IPSize() {
			t.Fatalf("%+v: %d-byte payload, IPSize %d", *s, len(buf), s.IPSize())
		}
		if err := DecodeSegment(buf, &back); err != nil {
			t.Fatalf("%+v: %v", *s, err)
		}
		if back != *s {
			t.Fatalf("round trip:\n got %+v\nwant %+v", back, *s)
		}
	}
	for step := 0; !snd.Done() && step < 1_000_000; step++ {
		now += 10 * time.Microsecond
		if snd.NextTimer() <= now {
			snd.OnTimer(now)
		}
		for snd.NextSend() <= now && snd.Send(now, &seg) {
			check(&seg)
			if rng.IntN(30) != 0 {
				inFlight = append(inFlight, seg)
			}
		}
		// Deliver a few, in random order.
		for k := 0; k < 4 && len(inFlight) > 0; k++ {
			i := rng.IntN(min(len(inFlight), 8))
			d := inFlight[i]
			inFlight = append(inFlight[:i], inFlight[i+1:]...)
			rcv.OnData(now, &d, &ack)
			check(&ack)
			acks++
			if ack.NSACK > 0 {
				nsk++
			}
			snd.OnAck(now, &ack)
		}
	}
	if !snd.Done() {
		t.Fatalf("flow did not finish: %+v", snd.Stats())
	}
	if nsk == 0 || snd.Stats().Retransmits == 0 {
		t.Fatalf("%d of %d ACKs carried SACK blocks, %d retransmits: the path did not exercise recovery", nsk, acks, snd.Stats().Retransmits)
	}
}

func TestWireNoAllocs(t *testing.T) {
	buf := make([]byte, 0, 2048)
	d := Segment{Kind: KindData, Seq: 1 << 40, Len: MSS, Sent: time.Second}
	a := Segment{Kind: KindAck, Ack: 99, Sent: 1, Echo: 2, NSACK: 3, SACK: [MaxSACK]Range{{100, 200}, {300, 400}, {500, 600}}}
	var s Segment
	allocs := testing.AllocsPerRun(1000, func() {
		buf = AppendSegment(buf[:0], &d)
		_ = DecodeSegment(buf, &s)
		buf = AppendSegment(buf[:0], &a)
		_ = DecodeSegment(buf, &s)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per encode/decode, want 0", allocs)
	}
}

func BenchmarkAppendDecodeData(b *testing.B) {
	buf := make([]byte, 0, 2048)
	d := Segment{Kind: KindData, Seq: 1 << 40, Len: MSS, Sent: time.Second}
	var s Segment
	b.SetBytes(int64(MSS))
	for b.Loop() {
		buf = AppendSegment(buf[:0], &d)
		if err := DecodeSegment(buf, &s); err != nil {
			b.Fatal(err)
		}
	}
}
