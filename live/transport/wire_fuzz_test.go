package transport

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecodeSegment checks that no input makes DecodeSegment panic, that
// every rejection wraps ErrBadSegment, and that whatever it accepts
// encodes back to the input's canonical form (the input with a data
// segment's payload zeroed), with a size that matches IPSize. The seed
// corpus is in testdata/fuzz/FuzzDecodeSegment.
func FuzzDecodeSegment(f *testing.F) {
	for _, s := range []Segment{
		{Kind: KindData, Seq: 1448, Len: MSS, Sent: 12345},
		{Kind: KindData, Seq: 1 << 47, Len: 1, Sent: -5, Retransmit: true},
		{Kind: KindAck, Ack: 2896, Sent: 1, Echo: 2},
		{Kind: KindAck, Ack: 0, Sent: 3, Echo: 4, NSACK: 3, SACK: [MaxSACK]Range{{1448, 2896}, {4344, 5792}, {8688, 10136}}},
	} {
		f.Add(AppendSegment(nil, &s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Segment
		if err := DecodeSegment(b, &s); err != nil {
			if !errors.Is(err, ErrBadSegment) {
				t.Fatalf("error %v does not wrap ErrBadSegment", err)
			}
			return
		}
		canon := bytes.Clone(b)
		if s.Kind == KindData {
			clear(canon[WireHeaderBytes:])
		}
		out := AppendSegment(nil, &s)
		if !bytes.Equal(out, canon) {
			t.Fatalf("re-encoding differs:\n  in %x\n out %x\n seg %+v", canon, out, s)
		}
		if len(out)+ipUDPBytes != s.IPSize() {
			t.Fatalf("%d-byte payload, IPSize %d", len(out), s.IPSize())
		}
		var again Segment
		if err := DecodeSegment(out, &again); err != nil || again != s {
			t.Fatalf("second decode: %v, %+v, want %+v", err, again, s)
		}
	})
}
