package capture

// This file owns decoding raw IPv4 packets, as a TUN device opened with
// IFF_NO_PI hands them over (no link-layer header), into the few fields the
// captures and meters need.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// The errors DecodeIP wraps; test for them with errors.Is.
var (
	// ErrTruncated: the packet ends inside its IPv4, TCP or UDP header.
	ErrTruncated = errors.New("truncated packet")
	// ErrMalformed: a header field contradicts the others (an IHL below
	// 5, a total length shorter than the header, a TCP data offset or
	// UDP length beyond the IP payload, bad options).
	ErrMalformed = errors.New("malformed packet")
	// ErrIPv6: an IPv6 packet; only IPv4 is decoded.
	ErrIPv6 = errors.New("IPv6 packet (only IPv4 is decoded)")
	// ErrNotIP: the version nibble is neither 4 nor 6.
	ErrNotIP = errors.New("not an IP packet")
)

// IPProto is an IP protocol number.
type IPProto uint8

// The protocols the decoder knows by name.
const (
	ProtoICMP IPProto = 1
	ProtoTCP  IPProto = 6
	ProtoUDP  IPProto = 17
)

// String is "tcp", "udp", "icmp" or "proto N".
func (p IPProto) String() string {
	switch p {
	case ProtoICMP:
		return "icmp"
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	}
	return "proto " + strconv.Itoa(int(p))
}

// TCPFlags are the flag bits of a TCP header: bit 0 FIN … bit 7 CWR as on
// the wire (byte 13), bit 8 NS (the low bit of byte 12).
type TCPFlags uint16

// The TCP flags.
const (
	TCPFin TCPFlags = 1 << iota
	TCPSyn
	TCPRst
	TCPPsh
	TCPAck
	TCPUrg
	TCPEce
	TCPCwr
	TCPNs
)

var tcpFlagNames = [...]string{"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"}

// String lists the set flags, for example "SYN|ACK" ("" when none is set).
func (f TCPFlags) String() string {
	var b strings.Builder
	for i, name := range tcpFlagNames {
		if f&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(name)
		}
	}
	return b.String()
}

// PacketInfo is what DecodeIP reads from a packet. Lengths come from the
// headers, not from the number of bytes captured, so a packet cut short by
// a snap length still reports its real sizes (and Truncated).
type PacketInfo struct {
	// Src and Dst are the IPv4 addresses.
	Src, Dst netip.Addr
	// SrcPort and DstPort are the TCP or UDP ports; 0 for other protocols
	// and for fragments.
	SrcPort, DstPort uint16
	// Proto is the IP protocol field.
	Proto IPProto
	// IPLen is the IP total length: header, transport header and payload.
	IPLen int
	// HeaderLen is the IP header length, options included (IHL·4).
	HeaderLen int
	// TTL and ID are the IP header's time to live and identification.
	TTL uint8
	ID  uint16
	// FragOffset is the fragment offset in bytes and MoreFragments the MF
	// flag. A fragment (either nonzero) is decoded at the IP layer only:
	// its ports and transport fields stay 0, even for the first fragment,
	// which keeps every fragment of a datagram in the same flow.
	FragOffset    int
	MoreFragments bool
	// Truncated is true when fewer than IPLen bytes were given: the
	// headers are complete but the payload was cut, as a snap length does.
	Truncated bool

	// Flags, Seq, Ack and Window are the TCP header's (TCP only).
	Flags    TCPFlags
	Seq, Ack uint32
	Window   uint16
	// PayloadLen is the TCP or UDP payload length in bytes: for TCP the IP
	// payload minus the TCP header, for UDP the UDP length minus 8.
	PayloadLen int
}

// IsFragment reports whether the packet is an IP fragment.
func (p *PacketInfo) IsFragment() bool { return p.FragOffset != 0 || p.MoreFragments }

// Flow is the packet's 5-tuple, in the packet's direction.
func (p *PacketInfo) Flow() FlowKey {
	return FlowKey{Src: p.Src, Dst: p.Dst, SrcPort: p.SrcPort, DstPort: p.DstPort, Proto: p.Proto}
}

// ipLayer, tcpLayer and udpLayer are gopacket's layers with the chain cut
// after the transport header: the parser never decodes beyond TCP or UDP,
// and an IP-in-IP packet does not overwrite the outer header with the inner
// one.
type ipLayer struct{ layers.IPv4 }

func (l *ipLayer) NextLayerType() gopacket.LayerType {
	switch t := l.IPv4.NextLayerType(); t {
	case layers.LayerTypeTCP, layers.LayerTypeUDP:
		return t
	}
	return gopacket.LayerTypeZero
}

type tcpLayer struct{ layers.TCP }

func (*tcpLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }

type udpLayer struct{ layers.UDP }

func (*udpLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }

// Decoder decodes raw IPv4 packets with a gopacket.DecodingLayerParser,
// reusing its layers: decoding allocates nothing. A Decoder is not safe for
// concurrent use; DecodeIP uses a pool of them.
type Decoder struct {
	ip      ipLayer
	tcp     tcpLayer
	udp     udpLayer
	parser  *gopacket.DecodingLayerParser
	decoded []gopacket.LayerType
}

// NewDecoder returns a Decoder.
func NewDecoder() *Decoder {
	d := &Decoder{decoded: make([]gopacket.LayerType, 0, 4)}
	d.parser = gopacket.NewDecodingLayerParser(layers.LayerTypeIPv4)
	d.parser.SetDecodingLayerContainer(gopacket.DecodingLayerSparse(nil))
	d.parser.AddDecodingLayer(&d.ip)
	d.parser.AddDecodingLayer(&d.tcp)
	d.parser.AddDecodingLayer(&d.udp)
	d.parser.IgnoreUnsupported = true
	return d
}

var decoderPool = sync.Pool{New: func() any { return NewDecoder() }}

// DecodeIP decodes a raw IPv4 packet (no link-layer header). It is safe for
// concurrent use; the PacketInfo it returns holds no reference to pkt, so
// the caller may reuse the buffer at once.
//
// The headers must be complete: a packet that ends inside its IP header,
// its TCP header or its UDP header is an error wrapping ErrTruncated; one
// whose payload alone was cut is decoded with Truncated set. Inconsistent
// headers wrap ErrMalformed, IPv6 packets ErrIPv6 and anything else
// ErrNotIP. Checksums are not verified (TUN devices see offloaded ones).
// Other protocols than TCP and UDP decode at the IP layer, ports 0.
func DecodeIP(pkt []byte) (PacketInfo, error) {
	d := decoderPool.Get().(*Decoder)
	info, err := d.Decode(pkt)
	decoderPool.Put(d)
	return info, err
}

// Decode is DecodeIP with this decoder's buffers.
func (d *Decoder) Decode(pkt []byte) (PacketInfo, error) {
	var info PacketInfo
	if len(pkt) == 0 {
		return info, fmt.Errorf("decode IP: %w: empty packet", ErrTruncated)
	}
	switch v := pkt[0] >> 4; v {
	case 4:
	case 6:
		return info, fmt.Errorf("decode IP: %w", ErrIPv6)
	default:
		return info, fmt.Errorf("decode IP: %w: version %d", ErrNotIP, v)
	}
	if len(pkt) < 20 {
		return info, fmt.Errorf("decode IP: %w: %d bytes, shorter than an IPv4 header (20)", ErrTruncated, len(pkt))
	}
	// gopacket takes a total length of 0 for TSO and uses the captured
	// length instead; on a TUN device it is simply wrong.
	hl := int(pkt[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(pkt[2:4]))
	switch {
	case hl < 20:
		return info, fmt.Errorf("decode IP: %w: header length %d < 20", ErrMalformed, hl)
	case total < hl:
		return info, fmt.Errorf("decode IP: %w: total length %d < header length %d", ErrMalformed, total, hl)
	case len(pkt) < hl:
		return info, fmt.Errorf("decode IP: %w: %d bytes, shorter than the IPv4 header (%d)", ErrTruncated, len(pkt), hl)
	}

	err := d.parser.DecodeLayers(pkt, &d.decoded)
	var hasIP, hasTCP, hasUDP bool
	for _, t := range d.decoded {
		switch t {
		case layers.LayerTypeIPv4:
			hasIP = true
		case layers.LayerTypeTCP:
			hasTCP = true
		case layers.LayerTypeUDP:
			hasUDP = true
		}
	}
	if !hasIP {
		if err == nil {
			err = errors.New("no IPv4 layer")
		}
		return info, fmt.Errorf("decode IP: %w: %v", ErrMalformed, err)
	}
	ip := &d.ip.IPv4
	info.Src = netip.AddrFrom4([4]byte(ip.SrcIP))
	info.Dst = netip.AddrFrom4([4]byte(ip.DstIP))
	info.Proto = IPProto(ip.Protocol)
	info.IPLen = total
	info.HeaderLen = hl
	info.TTL = ip.TTL
	info.ID = ip.Id
	info.FragOffset = int(ip.FragOffset) * 8
	info.MoreFragments = ip.Flags&layers.IPv4MoreFragments != 0
	info.Truncated = len(pkt) < total
	if info.IsFragment() || (info.Proto != ProtoTCP && info.Proto != ProtoUDP) {
		return info, nil
	}

	// A TCP or UDP packet, not a fragment: its transport header must be
	// there. It is truncated when the capture ends inside a header that
	// the IP total length has room for, malformed otherwise.
	ipPayload := total - hl
	if err != nil || (!hasTCP && !hasUDP) {
		need := hl + 8
		if info.Proto == ProtoTCP {
			need = hl + 20
			if len(pkt) > hl+12 {
				need = hl + max(20, int(pkt[hl+12]>>4)*4)
			}
		}
		kind := ErrMalformed
		if len(pkt) < need && total >= need {
			kind = ErrTruncated
		}
		if err == nil {
			err = fmt.Errorf("no header in the %d captured bytes of a %d-byte IP payload", len(pkt)-hl, ipPayload)
		}
		return info, fmt.Errorf("decode IP: %w: %v: %v", kind, info.Proto, err)
	}
	if hasTCP {
		tcp := &d.tcp.TCP
		off := int(tcp.DataOffset) * 4
		if off > ipPayload {
			return info, fmt.Errorf("decode IP: %w: tcp: data offset %d beyond the %d-byte IP payload", ErrMalformed, off, ipPayload)
		}
		info.SrcPort, info.DstPort = uint16(tcp.SrcPort), uint16(tcp.DstPort)
		info.Seq, info.Ack, info.Window = tcp.Seq, tcp.Ack, tcp.Window
		info.Flags = TCPFlags(pkt[hl+13])
		if pkt[hl+12]&1 != 0 {
			info.Flags |= TCPNs
		}
		info.PayloadLen = ipPayload - off
		return info, nil
	}
	udp := &d.udp.UDP
	if udp.Length < 8 || int(udp.Length) > ipPayload {
		return info, fmt.Errorf("decode IP: %w: udp: length %d outside 8..%d (the IP payload)", ErrMalformed, udp.Length, ipPayload)
	}
	info.SrcPort, info.DstPort = uint16(udp.SrcPort), uint16(udp.DstPort)
	info.PayloadLen = int(udp.Length) - 8
	return info, nil
}

// FlowKey is a 5-tuple. It is comparable: use it as a map key. A packet's
// key (PacketInfo.Flow) is in its own direction; Canonical maps both
// directions of a connection to the same key.
type FlowKey struct {
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
	Proto            IPProto
}

// Reverse is the key of the opposite direction.
func (k FlowKey) Reverse() FlowKey {
	return FlowKey{Src: k.Dst, Dst: k.Src, SrcPort: k.DstPort, DstPort: k.SrcPort, Proto: k.Proto}
}

// Canonical is k or k.Reverse(), whichever has the smaller source
// endpoint (address, then port): the same key for both directions.
func (k FlowKey) Canonical() FlowKey {
	if c := k.Src.Compare(k.Dst); c > 0 || (c == 0 && k.SrcPort > k.DstPort) {
		return k.Reverse()
	}
	return k
}

// String is "100.64.0.2:45678 → 100.64.0.1:5201 tcp"; without ports for
// protocols other than TCP and UDP: "100.64.0.2 → 100.64.0.1 icmp". An
// IPv6 address with a port is bracketed ("[2001:db8::1]:443"), an invalid
// (zero) address prints as "?".
func (k FlowKey) String() string {
	b := make([]byte, 0, 64)
	ports := k.Proto == ProtoTCP || k.Proto == ProtoUDP
	b = appendEndpoint(b, k.Src, k.SrcPort, ports)
	b = append(b, " → "...)
	b = appendEndpoint(b, k.Dst, k.DstPort, ports)
	b = append(b, ' ')
	b = append(b, k.Proto.String()...)
	return string(b)
}

// appendEndpoint appends "addr" or "addr:port" to b.
func appendEndpoint(b []byte, a netip.Addr, port uint16, withPort bool) []byte {
	switch {
	case !a.IsValid():
		b = append(b, '?')
	case withPort && a.Is6():
		b = append(b, '[')
		b = a.AppendTo(b)
		b = append(b, ']')
	default:
		b = a.AppendTo(b)
	}
	if withPort {
		b = append(b, ':')
		b = strconv.AppendUint(b, uint64(port), 10)
	}
	return b
}

// DefaultMaxFlows is the bound of a FlowTable made with a bound ≤ 0.
const DefaultMaxFlows = 1024

// FlowTable numbers flows 1, 2, 3… in order of appearance, both directions
// of a connection under one id. It holds at most its bound of flows: once
// full, packets of new flows get id 0 ("unknown", as in emu.Packet.Flow)
// and are counted (Untracked); known flows keep their ids. Flows are never
// forgotten during a run.
//
// One goroutine (the writer) calls ID and Lookup; Len, Key, Flows and
// Untracked are safe from any goroutine at the same time.
type FlowTable struct {
	max int
	ids map[FlowKey]int // canonical key → id; the writer's alone

	mu        sync.Mutex
	keys      []FlowKey // keys[id-1] is the first-seen direction of flow id
	untracked uint64
}

// NewFlowTable returns a table of at most maxFlows flows (DefaultMaxFlows
// when maxFlows ≤ 0).
func NewFlowTable(maxFlows int) *FlowTable {
	if maxFlows <= 0 {
		maxFlows = DefaultMaxFlows
	}
	return &FlowTable{max: maxFlows, ids: make(map[FlowKey]int)}
}

// ID returns the flow id of k (either direction), assigning the next id to
// a new flow, or 0 when the table is full.
func (t *FlowTable) ID(k FlowKey) int {
	c := k.Canonical()
	if id, ok := t.ids[c]; ok {
		return id
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.keys) >= t.max {
		t.untracked++
		return 0
	}
	t.keys = append(t.keys, k)
	id := len(t.keys)
	t.ids[c] = id
	return id
}

// Lookup returns the id of k (either direction) without assigning one.
func (t *FlowTable) Lookup(k FlowKey) (int, bool) {
	id, ok := t.ids[k.Canonical()]
	return id, ok
}

// Len is the number of flows with an id.
func (t *FlowTable) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.keys)
}

// Key returns flow id's key, in the direction of its first packet.
func (t *FlowTable) Key(id int) (FlowKey, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if id < 1 || id > len(t.keys) {
		return FlowKey{}, false
	}
	return t.keys[id-1], true
}

// Flows returns the keys of all flows, Flows()[id-1] for flow id, each in
// the direction of the flow's first packet.
func (t *FlowTable) Flows() []FlowKey {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]FlowKey(nil), t.keys...)
}

// Untracked counts the ID calls that returned 0 because the table was full.
func (t *FlowTable) Untracked() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.untracked
}
