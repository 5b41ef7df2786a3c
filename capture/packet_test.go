package capture

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// hexPacket turns "45 00 00 3c …" (spaces and newlines ignored) into bytes
// and appends pad zero bytes (a payload nobody reads).
func hexPacket(t testing.TB, s string, pad int) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return append(b, make([]byte, pad)...)
}

// The golden packets, written byte by byte from the RFCs (791, 9293, 768,
// 792, 8200), not produced by the code under test or by gopacket.
const (
	// A Linux-style SYN 172.16.10.99:42606 → 172.16.10.12:80: DF, TTL 64,
	// ID 0x1c46, data offset 10 with MSS 1460, SACK permitted, timestamps,
	// NOP, window scale 7. 60 bytes.
	goldenSYN = `45 00 00 3c 1c 46 40 00 40 06 00 00 ac 10 0a 63 ac 10 0a 0c
		a6 6e 00 50 12 34 56 78 00 00 00 00 a0 02 fa f0 00 00 00 00
		02 04 05 b4 04 02 08 0a 00 0a 1b 2c 00 00 00 00 01 03 03 07`
	// A data segment 100.64.0.2:45678 → 100.64.0.1:5201 with an IP
	// header of 24 bytes (NOP NOP NOP EOL), TOS 0xb8, TTL 63, ID 7, seq
	// 1000, ack 2000, PSH|ACK, window 501 and 100 payload bytes: 144.
	goldenData = `46 b8 00 90 00 07 00 00 3f 06 00 00 64 40 00 02 64 40 00 01
		01 01 01 00
		b2 6e 14 51 00 00 03 e8 00 00 07 d0 50 18 01 f5 00 00 00 00`
	goldenDataPayload = 100
	// The classic UDP example 192.168.0.1:53 → 192.168.0.199:57842, total
	// length 115, UDP length 95 (87 payload bytes).
	goldenUDP = `45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7
		00 35 e1 f2 00 5f 00 00`
	goldenUDPPayload = 87
	// An ICMP echo request 10.0.0.1 → 10.0.0.2 with 56 data bytes: 84.
	goldenICMP = `45 00 00 54 ab cd 40 00 40 01 00 00 0a 00 00 01 0a 00 00 02
		08 00 f7 ff 00 01 00 01`
	goldenICMPData = 56
	// The three fragments of a UDP datagram 10.0.0.1:12345 → 10.0.0.2:53
	// (ID 0x1234) of 4008 bytes (UDP length, 4000 payload bytes): offsets
	// 0 (MF), 1480 (MF) and 2960, carrying 1480, 1480 and 1048 bytes.
	goldenFrag1 = `45 00 05 dc 12 34 20 00 40 11 00 00 0a 00 00 01 0a 00 00 02
		30 39 00 35 0f a8 00 00`
	goldenFrag2 = `45 00 05 dc 12 34 20 b9 40 11 00 00 0a 00 00 01 0a 00 00 02`
	goldenFrag3 = `45 00 04 2c 12 34 01 72 40 11 00 00 0a 00 00 01 0a 00 00 02`
	// An IPv6/UDP packet ::1 → ::2.
	goldenIPv6 = `60 00 00 00 00 08 11 40
		00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01
		00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02
		30 39 00 35 00 08 00 00`
)

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

// goldenSYNInfo etc. are the expected decodings, field by field.
var (
	goldenSYNInfo = PacketInfo{
		Src: addr("172.16.10.99"), Dst: addr("172.16.10.12"), SrcPort: 42606, DstPort: 80,
		Proto: ProtoTCP, IPLen: 60, HeaderLen: 20, TTL: 64, ID: 0x1c46,
		Flags: TCPSyn, Seq: 0x12345678, Ack: 0, Window: 64240, PayloadLen: 0,
	}
	goldenDataInfo = PacketInfo{
		Src: addr("100.64.0.2"), Dst: addr("100.64.0.1"), SrcPort: 45678, DstPort: 5201,
		Proto: ProtoTCP, IPLen: 144, HeaderLen: 24, TTL: 63, ID: 7,
		Flags: TCPPsh | TCPAck, Seq: 1000, Ack: 2000, Window: 501, PayloadLen: 100,
	}
	goldenUDPInfo = PacketInfo{
		Src: addr("192.168.0.1"), Dst: addr("192.168.0.199"), SrcPort: 53, DstPort: 57842,
		Proto: ProtoUDP, IPLen: 115, HeaderLen: 20, TTL: 64, ID: 0, PayloadLen: 87,
	}
	goldenICMPInfo = PacketInfo{
		Src: addr("10.0.0.1"), Dst: addr("10.0.0.2"),
		Proto: ProtoICMP, IPLen: 84, HeaderLen: 20, TTL: 64, ID: 0xabcd,
	}
	goldenFragInfo = PacketInfo{
		Src: addr("10.0.0.1"), Dst: addr("10.0.0.2"),
		Proto: ProtoUDP, IPLen: 1500, HeaderLen: 20, TTL: 64, ID: 0x1234,
	}
)

func TestDecodeIPGolden(t *testing.T) {
	frag1, frag2, frag3 := goldenFragInfo, goldenFragInfo, goldenFragInfo
	frag1.MoreFragments = true
	frag2.MoreFragments, frag2.FragOffset = true, 1480
	frag3.FragOffset, frag3.IPLen = 2960, 1068
	allFlags := goldenDataInfo
	allFlags.Flags = TCPFin | TCPSyn | TCPRst | TCPPsh | TCPAck | TCPUrg | TCPEce | TCPCwr | TCPNs
	ipip := goldenICMPInfo
	ipip.Proto, ipip.IPLen = 4, 104

	for _, tc := range []struct {
		name string
		pkt  []byte
		want PacketInfo
	}{
		{"tcp syn with options", hexPacket(t, goldenSYN, 0), goldenSYNInfo},
		{"tcp data with ip options", hexPacket(t, goldenData, goldenDataPayload), goldenDataInfo},
		{"udp", hexPacket(t, goldenUDP, goldenUDPPayload), goldenUDPInfo},
		{"icmp echo", hexPacket(t, goldenICMP, goldenICMPData), goldenICMPInfo},
		{"first fragment", hexPacket(t, goldenFrag1, 1500-28), frag1},
		{"middle fragment", hexPacket(t, goldenFrag2, 1480), frag2},
		{"last fragment", hexPacket(t, goldenFrag3, 1048), frag3},
		// Ethernet pads short frames; the padding is not part of the packet.
		{"trailing padding", hexPacket(t, goldenSYN, 6), goldenSYNInfo},
		{"all tcp flags", func() []byte {
			p := hexPacket(t, goldenData, goldenDataPayload)
			p[24+12] |= 0x01 // NS
			p[24+13] = 0xff
			return p
		}(), allFlags},
		// IP in IP: the outer header only, never the inner one.
		{"ip in ip", func() []byte {
			p := hexPacket(t, `45 00 00 68 ab cd 40 00 40 04 00 00 0a 00 00 01 0a 00 00 02`, 0)
			return append(p, hexPacket(t, goldenICMP, goldenICMPData)...)
		}(), ipip},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeIP(tc.pkt)
			if err != nil {
				t.Fatalf("DecodeIP: %v", err)
			}
			if got != tc.want {
				t.Fatalf("DecodeIP:\n got %+v\nwant %+v", got, tc.want)
			}
			if got2, err := NewDecoder().Decode(tc.pkt); err != nil || got2 != got {
				t.Fatalf("Decoder.Decode = %+v, %v; DecodeIP %+v", got2, err, got)
			}
			if got.IsFragment() != (tc.want.FragOffset != 0 || tc.want.MoreFragments) {
				t.Fatalf("IsFragment = %v", got.IsFragment())
			}
		})
	}
}

// TestDecodeIPSnaplen: a packet cut after its headers decodes with its real
// lengths and Truncated set.
func TestDecodeIPSnaplen(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pkt     []byte
		want    PacketInfo
		headers int // bytes of IP and transport headers
	}{
		{"tcp", hexPacket(t, goldenData, goldenDataPayload), goldenDataInfo, 44},
		{"udp", hexPacket(t, goldenUDP, goldenUDPPayload), goldenUDPInfo, 28},
		{"icmp", hexPacket(t, goldenICMP, goldenICMPData), goldenICMPInfo, 20},
		{"fragment", hexPacket(t, goldenFrag2, 1480), PacketInfo{
			Src: addr("10.0.0.1"), Dst: addr("10.0.0.2"), Proto: ProtoUDP, IPLen: 1500,
			HeaderLen: 20, TTL: 64, ID: 0x1234, FragOffset: 1480, MoreFragments: true,
		}, 20},
	} {
		for n := tc.headers; n < len(tc.pkt); n++ {
			got, err := DecodeIP(tc.pkt[:n])
			want := tc.want
			want.Truncated = true
			if err != nil || got != want {
				t.Fatalf("%s cut to %d bytes: got %+v, %v\nwant %+v", tc.name, n, got, err, want)
			}
		}
	}
}

// TestDecodeIPTruncatedHeaders cuts packets at every byte inside their
// headers: each cut is ErrTruncated, never a panic or a wrong decode.
func TestDecodeIPTruncatedHeaders(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pkt     []byte
		headers int
	}{
		{"tcp syn (ip 20, tcp 40)", hexPacket(t, goldenSYN, 0), 60},
		{"tcp data (ip 24, tcp 20)", hexPacket(t, goldenData, goldenDataPayload), 44},
		{"udp (ip 20, udp 8)", hexPacket(t, goldenUDP, goldenUDPPayload), 28},
		{"icmp (ip 20)", hexPacket(t, goldenICMP, goldenICMPData), 20},
	} {
		for n := 0; n < tc.headers; n++ {
			got, err := DecodeIP(tc.pkt[:n])
			if !errors.Is(err, ErrTruncated) {
				t.Fatalf("%s cut to %d bytes: got %+v, %v; want ErrTruncated", tc.name, n, got, err)
			}
			if !strings.HasPrefix(err.Error(), "decode IP: truncated packet") {
				t.Fatalf("%s cut to %d bytes: error %q", tc.name, n, err)
			}
		}
	}
}

func TestDecodeIPErrors(t *testing.T) {
	// edit returns a golden packet with some bytes changed.
	edit := func(s string, pad int, f func(p []byte)) []byte {
		p := hexPacket(t, s, pad)
		f(p)
		return p
	}
	put16 := func(p []byte, at int, v uint16) { binary.BigEndian.PutUint16(p[at:], v) }
	for _, tc := range []struct {
		name string
		pkt  []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"ipv6", hexPacket(t, goldenIPv6, 0), ErrIPv6},
		{"ipv6 one byte", []byte{0x60}, ErrIPv6},
		{"version 0", make([]byte, 40), ErrNotIP},
		{"version 5", edit(goldenSYN, 0, func(p []byte) { p[0] = 0x55 }), ErrNotIP},
		{"ihl 4", edit(goldenSYN, 0, func(p []byte) { p[0] = 0x44 }), ErrMalformed},
		{"ihl 0", edit(goldenSYN, 0, func(p []byte) { p[0] = 0x40 }), ErrMalformed},
		{"total length 0", edit(goldenSYN, 0, func(p []byte) { put16(p, 2, 0) }), ErrMalformed},
		{"total length < ihl", edit(goldenSYN, 0, func(p []byte) { put16(p, 2, 19) }), ErrMalformed},
		{"total length < ihl with options", edit(goldenData, goldenDataPayload, func(p []byte) { put16(p, 2, 22) }), ErrMalformed},
		{"ip option length 0", edit(goldenData, goldenDataPayload, func(p []byte) { copy(p[20:], []byte{7, 0, 0, 0}) }), ErrMalformed},
		{"ip option past header", edit(goldenData, goldenDataPayload, func(p []byte) { copy(p[20:], []byte{7, 5, 0, 0}) }), ErrMalformed},
		{"ip option cut", edit(goldenData, goldenDataPayload, func(p []byte) { copy(p[20:], []byte{1, 1, 1, 7}) }), ErrMalformed},
		{"tcp data offset beyond ip payload", edit(goldenData, goldenDataPayload, func(p []byte) {
			put16(p, 2, 24+20+20) // 40 bytes of IP payload, data offset 60
			p[24+12] = 0xf0
		}), ErrMalformed},
		{"tcp data offset beyond ip payload, cut", edit(goldenData, 0, func(p []byte) {
			put16(p, 2, 24+40)
			p[24+12] = 0xf0
		}), ErrMalformed},
		{"tcp data offset 4", edit(goldenSYN, 0, func(p []byte) { p[20+12] = 0x40 }), ErrMalformed},
		{"tcp data offset 0", edit(goldenSYN, 0, func(p []byte) { p[20+12] = 0x00 }), ErrMalformed},
		{"tcp header beyond total length", edit(goldenSYN, 0, func(p []byte) { put16(p, 2, 30) }), ErrMalformed},
		{"tcp no header", edit(goldenSYN, 0, func(p []byte) { put16(p, 2, 20) }), ErrMalformed},
		{"udp length 200", edit(goldenUDP, goldenUDPPayload, func(p []byte) { put16(p, 24, 200) }), ErrMalformed},
		{"udp length 96", edit(goldenUDP, goldenUDPPayload, func(p []byte) { put16(p, 24, 96) }), ErrMalformed},
		{"udp length 7", edit(goldenUDP, goldenUDPPayload, func(p []byte) { put16(p, 24, 7) }), ErrMalformed},
		{"udp length 0", edit(goldenUDP, goldenUDPPayload, func(p []byte) { put16(p, 24, 0) }), ErrMalformed},
		{"udp header beyond total length", edit(goldenUDP, goldenUDPPayload, func(p []byte) { put16(p, 2, 24) }), ErrMalformed},
		{"udp no header", edit(goldenUDP, goldenUDPPayload, func(p []byte) { put16(p, 2, 20) }), ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeIP(tc.pkt)
			if !errors.Is(err, tc.want) {
				t.Fatalf("DecodeIP = %+v, %v; want %v", got, err, tc.want)
			}
			for _, other := range []error{ErrTruncated, ErrMalformed, ErrIPv6, ErrNotIP} {
				if other != tc.want && errors.Is(err, other) {
					t.Fatalf("error %q wraps %v as well as %v", err, other, tc.want)
				}
			}
			if !strings.HasPrefix(err.Error(), "decode IP: ") {
				t.Fatalf("error %q lacks the context prefix", err)
			}
		})
	}
}

// TestDecodeIPUDPShortLength: a UDP length shorter than the IP payload is
// legal (the rest is padding); the payload is what UDP says.
func TestDecodeIPUDPShortLength(t *testing.T) {
	p := hexPacket(t, goldenUDP, goldenUDPPayload)
	binary.BigEndian.PutUint16(p[24:], 20)
	got, err := DecodeIP(p)
	want := goldenUDPInfo
	want.PayloadLen = 12
	if err != nil || got != want {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
}

// TestDecodeIPMatchesGopacket serializes random TCP and UDP packets with
// gopacket and checks DecodeIP against gopacket's full, independent
// decoding of the same bytes (gopacket.NewPacket), whole and cut.
func TestDecodeIPMatchesGopacket(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		pkt, proto := randomPacket(t, rng)
		n := len(pkt)
		if i%3 == 0 {
			n = rng.IntN(len(pkt) + 1) // a snap length
		}
		got, err := DecodeIP(pkt[:n])

		full := gopacket.NewPacket(pkt, layers.LayerTypeIPv4, gopacket.Default)
		ip := full.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		hl := int(ip.IHL) * 4
		var thl int // transport header length
		var want PacketInfo
		want.Src, _ = netip.AddrFromSlice(ip.SrcIP)
		want.Dst, _ = netip.AddrFromSlice(ip.DstIP)
		want.Proto, want.IPLen, want.HeaderLen = IPProto(ip.Protocol), int(ip.Length), hl
		want.TTL, want.ID = ip.TTL, ip.Id
		want.Truncated = n < int(ip.Length)
		switch proto {
		case layers.IPProtocolTCP:
			tcp := full.Layer(layers.LayerTypeTCP).(*layers.TCP)
			thl = int(tcp.DataOffset) * 4
			want.SrcPort, want.DstPort = uint16(tcp.SrcPort), uint16(tcp.DstPort)
			want.Seq, want.Ack, want.Window = tcp.Seq, tcp.Ack, tcp.Window
			for bit, set := range []bool{tcp.FIN, tcp.SYN, tcp.RST, tcp.PSH, tcp.ACK, tcp.URG, tcp.ECE, tcp.CWR, tcp.NS} {
				if set {
					want.Flags |= 1 << bit
				}
			}
			want.PayloadLen = len(tcp.Payload)
		case layers.IPProtocolUDP:
			udp := full.Layer(layers.LayerTypeUDP).(*layers.UDP)
			thl = 8
			want.SrcPort, want.DstPort = uint16(udp.SrcPort), uint16(udp.DstPort)
			want.PayloadLen = len(udp.Payload)
		}
		if n < hl+thl {
			if !errors.Is(err, ErrTruncated) {
				t.Fatalf("packet %d (%v) cut to %d of %d bytes inside its headers (%d+%d): got %+v, %v; want ErrTruncated",
					i, proto, n, len(pkt), hl, thl, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Fatalf("packet %d (%v, %d of %d bytes):\n got %+v, %v\nwant %+v", i, proto, n, len(pkt), got, err, want)
		}
	}
}

// randomPacket serializes a random IPv4 TCP or UDP packet with gopacket,
// with lengths and checksums computed.
func randomPacket(t testing.TB, rng *rand.Rand) ([]byte, layers.IPProtocol) {
	t.Helper()
	ip := &layers.IPv4{
		Version: 4, TTL: uint8(rng.Uint32()), Id: uint16(rng.Uint32()), TOS: uint8(rng.Uint32()),
		SrcIP: net.IP(binary.BigEndian.AppendUint32(nil, rng.Uint32())),
		DstIP: net.IP(binary.BigEndian.AppendUint32(nil, rng.Uint32())),
	}
	if rng.IntN(4) == 0 {
		ip.Flags = layers.IPv4DontFragment
	}
	if rng.IntN(5) == 0 { // router alert, 4 bytes
		ip.Options = []layers.IPv4Option{{OptionType: 148, OptionLength: 4, OptionData: []byte{0, 0}}}
	}
	payload := gopacket.Payload(make([]byte, rng.IntN(1400)))
	for i := range payload {
		payload[i] = byte(rng.Uint32())
	}
	var l4 gopacket.SerializableLayer
	if rng.IntN(2) == 0 {
		ip.Protocol = layers.IPProtocolTCP
		tcp := &layers.TCP{
			SrcPort: layers.TCPPort(rng.Uint32()), DstPort: layers.TCPPort(rng.Uint32()),
			Seq: rng.Uint32(), Ack: rng.Uint32(), Window: uint16(rng.Uint32()),
		}
		f := rng.Uint32()
		tcp.FIN, tcp.SYN, tcp.RST, tcp.PSH = f&1 != 0, f&2 != 0, f&4 != 0, f&8 != 0
		tcp.ACK, tcp.URG, tcp.ECE, tcp.CWR, tcp.NS = f&16 != 0, f&32 != 0, f&64 != 0, f&128 != 0, f&256 != 0
		if rng.IntN(2) == 0 {
			tcp.Options = []layers.TCPOption{
				{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{5, 0xb4}},
				{OptionType: layers.TCPOptionKindNop},
				{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{7}},
			}
		}
		if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
			t.Fatal(err)
		}
		l4 = tcp
	} else {
		ip.Protocol = layers.IPProtocolUDP
		udp := &layers.UDP{SrcPort: layers.UDPPort(rng.Uint32()), DstPort: layers.UDPPort(rng.Uint32())}
		if err := udp.SetNetworkLayerForChecksum(ip); err != nil {
			t.Fatal(err)
		}
		l4 = udp
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ip, l4, payload); err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), buf.Bytes()...), ip.Protocol
}

// TestDecodeIPConcurrent decodes from many goroutines (run with -race).
func TestDecodeIPConcurrent(t *testing.T) {
	pkts := [][]byte{
		hexPacket(t, goldenSYN, 0), hexPacket(t, goldenData, goldenDataPayload),
		hexPacket(t, goldenUDP, goldenUDPPayload), hexPacket(t, goldenICMP, goldenICMPData),
	}
	want := []PacketInfo{goldenSYNInfo, goldenDataInfo, goldenUDPInfo, goldenICMPInfo}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				k := (i + g) % len(pkts)
				if got, err := DecodeIP(pkts[k]); err != nil || got != want[k] {
					errs <- fmt.Errorf("packet %d: got %+v, %v", k, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestDecodeIPAllocs(t *testing.T) {
	syn := hexPacket(t, goldenSYN, 0)
	udp := hexPacket(t, goldenUDP, goldenUDPPayload)
	d := NewDecoder()
	if n := testing.AllocsPerRun(1000, func() {
		if _, err := d.Decode(syn); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Decode(udp); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("Decoder.Decode allocates %.1f times per call pair", n)
	}
	if raceEnabled() {
		t.Log("the race detector makes sync.Pool drop decoders: DecodeIP's allocations not checked")
		return
	}
	if n := testing.AllocsPerRun(1000, func() {
		if _, err := DecodeIP(syn); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("DecodeIP allocates %.1f times per call", n)
	}
}

// raceEnabled reports whether the test binary was built with -race.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

func BenchmarkDecodeIP(b *testing.B) {
	pkt := hexPacket(b, goldenData, goldenDataPayload)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeIP(pkt); err != nil {
			b.Fatal(err)
		}
	}
}

func TestIPProtoString(t *testing.T) {
	for p, want := range map[IPProto]string{ProtoTCP: "tcp", ProtoUDP: "udp", ProtoICMP: "icmp", 0: "proto 0", 4: "proto 4", 255: "proto 255"} {
		if got := p.String(); got != want {
			t.Errorf("IPProto(%d).String() = %q, want %q", uint8(p), got, want)
		}
	}
}

func TestTCPFlagsString(t *testing.T) {
	for f, want := range map[TCPFlags]string{
		0:                        "",
		TCPSyn:                   "SYN",
		TCPSyn | TCPAck:          "SYN|ACK",
		TCPFin | TCPPsh | TCPAck: "FIN|PSH|ACK",
		TCPNs | TCPCwr | TCPEce:  "ECE|CWR|NS",
		0x1ff:                    "FIN|SYN|RST|PSH|ACK|URG|ECE|CWR|NS",
	} {
		if got := f.String(); got != want {
			t.Errorf("TCPFlags(%#x).String() = %q, want %q", uint16(f), got, want)
		}
	}
}

func TestFlowKey(t *testing.T) {
	k := FlowKey{Src: addr("100.64.0.2"), Dst: addr("100.64.0.1"), SrcPort: 45678, DstPort: 5201, Proto: ProtoTCP}
	for _, tc := range []struct {
		k    FlowKey
		want string
	}{
		{k, "100.64.0.2:45678 → 100.64.0.1:5201 tcp"},
		{k.Reverse(), "100.64.0.1:5201 → 100.64.0.2:45678 tcp"},
		{FlowKey{Src: addr("10.0.0.1"), Dst: addr("10.0.0.2"), SrcPort: 53, DstPort: 0, Proto: ProtoUDP}, "10.0.0.1:53 → 10.0.0.2:0 udp"},
		{FlowKey{Src: addr("100.64.0.2"), Dst: addr("100.64.0.1"), Proto: ProtoICMP}, "100.64.0.2 → 100.64.0.1 icmp"},
		{FlowKey{Src: addr("100.64.0.2"), Dst: addr("100.64.0.1"), Proto: 47}, "100.64.0.2 → 100.64.0.1 proto 47"},
		{FlowKey{Src: addr("2001:db8::1"), Dst: addr("::1"), SrcPort: 443, DstPort: 1, Proto: ProtoTCP}, "[2001:db8::1]:443 → [::1]:1 tcp"},
		{FlowKey{}, "? → ? proto 0"},
		{FlowKey{Proto: ProtoUDP}, "?:0 → ?:0 udp"},
	} {
		if got := tc.k.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}

	if r := k.Reverse(); r.Src != k.Dst || r.Dst != k.Src || r.SrcPort != k.DstPort || r.DstPort != k.SrcPort || r.Proto != k.Proto || r.Reverse() != k {
		t.Errorf("Reverse(%v) = %v", k, r)
	}
	if c := k.Canonical(); c != k.Reverse() || k.Reverse().Canonical() != c {
		t.Errorf("Canonical: %v and %v", k.Canonical(), k.Reverse().Canonical())
	}
	// Same address: the smaller port is the source.
	same := FlowKey{Src: addr("10.0.0.1"), Dst: addr("10.0.0.1"), SrcPort: 9, DstPort: 7, Proto: ProtoUDP}
	if c := same.Canonical(); c.SrcPort != 7 || same.Reverse().Canonical() != c {
		t.Errorf("Canonical(%v) = %v", same, c)
	}
	info, err := DecodeIP(hexPacket(t, goldenSYN, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Flow().String(); got != "172.16.10.99:42606 → 172.16.10.12:80 tcp" {
		t.Errorf("Flow() = %q", got)
	}
}

func TestFlowTable(t *testing.T) {
	key := func(i int) FlowKey {
		return FlowKey{Src: netip.AddrFrom4([4]byte{10, 0, 0, 2}), Dst: netip.AddrFrom4([4]byte{10, 0, 0, 1}),
			SrcPort: uint16(40000 + i), DstPort: 5201, Proto: ProtoTCP}
	}
	ft := NewFlowTable(3)
	if ft.Len() != 0 || len(ft.Flows()) != 0 || ft.Untracked() != 0 {
		t.Fatal("new table not empty")
	}
	if _, ok := ft.Lookup(key(0)); ok {
		t.Fatal("Lookup found a flow in an empty table")
	}
	// Ids in order of appearance; replies (the reverse direction) share
	// the id, and the key keeps the first packet's direction.
	steps := []struct {
		k    FlowKey
		want int
	}{
		{key(5), 1}, {key(5).Reverse(), 1}, {key(2).Reverse(), 2}, {key(2), 2}, {key(5), 1},
		{key(9), 3}, {key(7), 0}, {key(7).Reverse(), 0}, {key(8), 0}, {key(2), 2}, {key(9).Reverse(), 3},
	}
	for i, s := range steps {
		if got := ft.ID(s.k); got != s.want {
			t.Fatalf("step %d: ID(%v) = %d, want %d", i, s.k, got, s.want)
		}
	}
	if ft.Len() != 3 || ft.Untracked() != 3 {
		t.Fatalf("Len %d Untracked %d, want 3 and 3", ft.Len(), ft.Untracked())
	}
	wantFlows := []FlowKey{key(5), key(2).Reverse(), key(9)}
	flows := ft.Flows()
	if len(flows) != 3 {
		t.Fatalf("Flows() = %v", flows)
	}
	for i, k := range wantFlows {
		if flows[i] != k {
			t.Errorf("Flows()[%d] = %v, want %v", i, flows[i], k)
		}
		if got, ok := ft.Key(i + 1); !ok || got != k {
			t.Errorf("Key(%d) = %v, %v; want %v", i+1, got, ok, k)
		}
		for _, dir := range []FlowKey{k, k.Reverse()} {
			if id, ok := ft.Lookup(dir); !ok || id != i+1 {
				t.Errorf("Lookup(%v) = %d, %v; want %d", dir, id, ok, i+1)
			}
		}
	}
	flows[0] = FlowKey{} // a copy: the table is unchanged
	if k, _ := ft.Key(1); k != key(5) {
		t.Error("Flows() returned the table's own slice")
	}
	for _, id := range []int{-1, 0, 4} {
		if _, ok := ft.Key(id); ok {
			t.Errorf("Key(%d) found a flow", id)
		}
	}
	if _, ok := ft.Lookup(key(7)); ok {
		t.Error("Lookup found an untracked flow")
	}
	if ft.Untracked() != 3 {
		t.Errorf("Lookup changed Untracked to %d", ft.Untracked())
	}

	// The default bound.
	def := NewFlowTable(0)
	for i := range DefaultMaxFlows + 10 {
		k := FlowKey{Src: netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), Dst: addr("10.0.0.1"), Proto: ProtoICMP}
		want := i + 1
		if i >= DefaultMaxFlows {
			want = 0
		}
		if got := def.ID(k); got != want {
			t.Fatalf("flow %d: ID = %d, want %d", i, got, want)
		}
	}
	if def.Len() != DefaultMaxFlows || def.Untracked() != 10 {
		t.Fatalf("default table: Len %d Untracked %d", def.Len(), def.Untracked())
	}
}

// TestFlowTableConcurrentReaders: one writer assigns ids while readers call
// Len, Key, Flows and Untracked (run with -race).
func TestFlowTableConcurrentReaders(t *testing.T) {
	const flows, bound = 3000, 2000
	ft := NewFlowTable(bound)
	key := func(i int) FlowKey {
		return FlowKey{Src: netip.AddrFrom4([4]byte{10, 2, byte(i >> 8), byte(i)}), Dst: addr("10.0.0.1"),
			SrcPort: uint16(i), DstPort: 80, Proto: ProtoUDP}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				n := ft.Len()
				fl := ft.Flows()
				if len(fl) < n {
					errs <- fmt.Errorf("Flows has %d keys after Len %d", len(fl), n)
					return
				}
				for id := 1; id <= n; id++ {
					if k, ok := ft.Key(id); !ok || k != key(id-1) {
						errs <- fmt.Errorf("Key(%d) = %v, %v", id, k, ok)
						return
					}
				}
				_ = ft.Untracked()
			}
		})
	}
	for i := range flows {
		want := i + 1
		if i >= bound {
			want = 0
		}
		if got := ft.ID(key(i)); got != want {
			t.Errorf("ID(flow %d) = %d, want %d", i, got, want)
		}
		if got := ft.ID(key(i).Reverse()); got != want {
			t.Errorf("ID(reverse of flow %d) = %d, want %d", i, got, want)
		}
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if ft.Len() != bound || ft.Untracked() != 2*(flows-bound) {
		t.Fatalf("Len %d Untracked %d", ft.Len(), ft.Untracked())
	}
}
