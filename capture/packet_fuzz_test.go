package capture

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
)

// refDecode is a plain, independent reading of the rules DecodeIP
// documents, straight from the header fields, without gopacket. It returns
// the expected PacketInfo or the sentinel error the result must wrap.
func refDecode(p []byte) (PacketInfo, error) {
	var info PacketInfo
	if len(p) == 0 {
		return info, ErrTruncated
	}
	switch p[0] >> 4 {
	case 4:
	case 6:
		return info, ErrIPv6
	default:
		return info, ErrNotIP
	}
	if len(p) < 20 {
		return info, ErrTruncated
	}
	hl := int(p[0]&15) * 4
	total := int(binary.BigEndian.Uint16(p[2:]))
	if hl < 20 || total < hl {
		return info, ErrMalformed
	}
	if len(p) < hl {
		return info, ErrTruncated
	}
	// IP options (RFC 791 3.1): EOL ends them, NOP is one byte, any other
	// is kind, length (≥ 2, within the header), data.
	for opts := p[20:hl]; len(opts) > 0; {
		if opts[0] == 0 {
			break
		}
		if opts[0] == 1 {
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 || opts[1] < 2 || int(opts[1]) > len(opts) {
			return info, ErrMalformed
		}
		opts = opts[opts[1]:]
	}
	info = PacketInfo{
		Src: netip.AddrFrom4([4]byte(p[12:16])), Dst: netip.AddrFrom4([4]byte(p[16:20])),
		Proto: IPProto(p[9]), IPLen: total, HeaderLen: hl, TTL: p[8],
		ID:            binary.BigEndian.Uint16(p[4:]),
		FragOffset:    int(binary.BigEndian.Uint16(p[6:])&0x1fff) * 8,
		MoreFragments: p[6]&0x20 != 0,
		Truncated:     len(p) < total,
	}
	if info.FragOffset != 0 || info.MoreFragments || (info.Proto != ProtoTCP && info.Proto != ProtoUDP) {
		return info, nil
	}
	payload := total - hl               // the IP payload, by the header
	captured := min(len(p), total) - hl // the part of it we have
	t := p[hl:]
	switch info.Proto {
	case ProtoTCP:
		if payload < 20 {
			return info, ErrMalformed
		}
		off := -1
		if captured > 12 {
			off = int(t[12]>>4) * 4
			if off > payload {
				return info, ErrMalformed
			}
		}
		if captured < 20 {
			return info, ErrTruncated
		}
		if off < 20 {
			return info, ErrMalformed
		}
		if captured < off {
			return info, ErrTruncated
		}
		info.SrcPort, info.DstPort = binary.BigEndian.Uint16(t), binary.BigEndian.Uint16(t[2:])
		info.Seq, info.Ack = binary.BigEndian.Uint32(t[4:]), binary.BigEndian.Uint32(t[8:])
		info.Flags = TCPFlags(t[13]) | TCPFlags(t[12]&1)<<8
		info.Window = binary.BigEndian.Uint16(t[14:])
		info.PayloadLen = payload - off
	case ProtoUDP:
		if payload < 8 {
			return info, ErrMalformed
		}
		if captured < 8 {
			return info, ErrTruncated
		}
		ulen := int(binary.BigEndian.Uint16(t[4:]))
		if ulen < 8 || ulen > payload {
			return info, ErrMalformed
		}
		info.SrcPort, info.DstPort = binary.BigEndian.Uint16(t), binary.BigEndian.Uint16(t[2:])
		info.PayloadLen = ulen - 8
	}
	return info, nil
}

// TestRefDecodeGolden keeps the reference honest: it agrees with the hand
// written expectations too.
func TestRefDecodeGolden(t *testing.T) {
	for _, tc := range []struct {
		pkt  []byte
		want PacketInfo
	}{
		{hexPacket(t, goldenSYN, 0), goldenSYNInfo},
		{hexPacket(t, goldenData, goldenDataPayload), goldenDataInfo},
		{hexPacket(t, goldenUDP, goldenUDPPayload), goldenUDPInfo},
		{hexPacket(t, goldenICMP, goldenICMPData), goldenICMPInfo},
	} {
		if got, err := refDecode(tc.pkt); err != nil || got != tc.want {
			t.Errorf("refDecode = %+v, %v; want %+v", got, err, tc.want)
		}
	}
}

// FuzzDecodeIP: DecodeIP never panics, agrees with refDecode on the result
// or the kind of error, and a decoded packet is self-consistent.
func FuzzDecodeIP(f *testing.F) {
	for _, s := range []string{goldenSYN, goldenData, goldenUDP, goldenICMP, goldenFrag1, goldenIPv6} {
		f.Add(hexPacket(f, s, 0))
	}
	sentinels := []error{ErrTruncated, ErrMalformed, ErrIPv6, ErrNotIP}
	d := NewDecoder()
	f.Fuzz(func(t *testing.T, pkt []byte) {
		orig := string(pkt)
		got, err := DecodeIP(pkt)
		if string(pkt) != orig {
			t.Fatal("DecodeIP modified its input")
		}
		if got2, err2 := d.Decode(pkt); got2 != got || (err == nil) != (err2 == nil) {
			t.Fatalf("Decoder.Decode = %+v, %v; DecodeIP %+v, %v", got2, err2, got, err)
		}
		want, wantErr := refDecode(pkt)
		if err != nil {
			kinds := 0
			for _, s := range sentinels {
				if errors.Is(err, s) {
					kinds++
				}
			}
			if kinds != 1 {
				t.Fatalf("error %q wraps %d of the sentinel errors", err, kinds)
			}
			if !errors.Is(err, wantErr) {
				t.Fatalf("DecodeIP error %q; the reference says %v (%+v)", err, wantErr, want)
			}
			return
		}
		if wantErr != nil {
			t.Fatalf("DecodeIP = %+v; the reference says %v", got, wantErr)
		}
		if got != want {
			t.Fatalf("DecodeIP:\n got %+v\nwant %+v", got, want)
		}
		// Invariants, independent of the reference.
		if got.HeaderLen < 20 || got.HeaderLen > 60 || got.HeaderLen%4 != 0 || got.HeaderLen > len(pkt) ||
			got.IPLen < got.HeaderLen || got.IPLen > 65535 || got.PayloadLen < 0 {
			t.Fatalf("inconsistent lengths: %+v (%d bytes)", got, len(pkt))
		}
		if got.Truncated != (len(pkt) < got.IPLen) {
			t.Fatalf("Truncated %v for %d of %d bytes", got.Truncated, len(pkt), got.IPLen)
		}
		if !got.Src.Is4() || !got.Dst.Is4() {
			t.Fatalf("addresses %v %v", got.Src, got.Dst)
		}
		transport := !got.IsFragment() && (got.Proto == ProtoTCP || got.Proto == ProtoUDP)
		switch {
		case !transport:
			if got.SrcPort != 0 || got.DstPort != 0 || got.PayloadLen != 0 || got.Flags != 0 || got.Seq != 0 || got.Ack != 0 || got.Window != 0 {
				t.Fatalf("transport fields on a non-TCP/UDP packet or a fragment: %+v", got)
			}
		case got.Proto == ProtoTCP:
			if got.PayloadLen > got.IPLen-got.HeaderLen-20 || (got.IPLen-got.HeaderLen-got.PayloadLen)%4 != 0 {
				t.Fatalf("TCP payload %d in a %d-byte packet with a %d-byte IP header", got.PayloadLen, got.IPLen, got.HeaderLen)
			}
		case got.Proto == ProtoUDP:
			if got.PayloadLen > got.IPLen-got.HeaderLen-8 || got.Flags != 0 || got.Seq != 0 {
				t.Fatalf("UDP payload %d in a %d-byte packet with a %d-byte IP header: %+v", got.PayloadLen, got.IPLen, got.HeaderLen, got)
			}
		}
		if k := got.Flow(); k.Canonical() != k.Reverse().Canonical() {
			t.Fatalf("flow %v: canonical keys differ by direction", k)
		}
	})
}
