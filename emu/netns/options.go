package netns

import (
	"fmt"
	"net/netip"
)

// Defaults used by [NewPair] for zero fields of [Options].
const (
	// DefaultMTU is the MTU of both TUN devices when Options.MTU is zero.
	DefaultMTU = 1500
	// DefaultTxQueueLen is the transmit queue length of both TUN devices:
	// the packets a kernel sender can burst into a TUN before the
	// forwarder reads them. Drops there would be losses the link model
	// never made; at 1000 (Linux's default; mahimahi keeps it) kernel
	// cubic lost packets there at 1 Gbit/s and reached 60-77% of the link,
	// at 20000 it reaches 95%.
	DefaultTxQueueLen = 20000
	// SenderTUNName is the name of the TUN device in the sender namespace.
	SenderTUNName = "ccs-snd"
	// ReceiverTUNName is the name of the TUN device in the receiver namespace.
	ReceiverTUNName = "ccs-rcv"
	// PrefixLen is the prefix length of the addresses on both TUN devices:
	// the whole /10 around them routes through the TUN.
	PrefixLen = 10
)

// DefaultSenderAddr is the sender's address when Options.SenderAddr is unset.
func DefaultSenderAddr() netip.Addr { return netip.AddrFrom4([4]byte{100, 64, 0, 2}) }

// DefaultReceiverAddr is the receiver's address when Options.ReceiverAddr is unset.
func DefaultReceiverAddr() netip.Addr { return netip.AddrFrom4([4]byte{100, 64, 0, 1}) }

// Options configures [NewPair]. The zero value is ready to use.
type Options struct {
	// MTU of both TUN devices; 0 means DefaultMTU. Must be within 68..65535.
	MTU int
	// SenderAddr is the IPv4 address of the sender namespace; the zero
	// value means DefaultSenderAddr (100.64.0.2).
	SenderAddr netip.Addr
	// ReceiverAddr is the IPv4 address of the receiver namespace; the zero
	// value means DefaultReceiverAddr (100.64.0.1). It must lie in the same
	// /10 as SenderAddr.
	ReceiverAddr netip.Addr
}

// withDefaults fills zero fields and validates the result.
func (o Options) withDefaults() (Options, error) {
	if o.MTU == 0 {
		o.MTU = DefaultMTU
	}
	if o.MTU < 68 || o.MTU > 65535 {
		return o, fmt.Errorf("netns: MTU %d is out of range (68..65535)", o.MTU)
	}
	if !o.SenderAddr.IsValid() {
		o.SenderAddr = DefaultSenderAddr()
	}
	if !o.ReceiverAddr.IsValid() {
		o.ReceiverAddr = DefaultReceiverAddr()
	}
	o.SenderAddr = o.SenderAddr.Unmap()
	o.ReceiverAddr = o.ReceiverAddr.Unmap()
	if !o.SenderAddr.Is4() {
		return o, fmt.Errorf("netns: sender address %s is not IPv4", o.SenderAddr)
	}
	if !o.ReceiverAddr.Is4() {
		return o, fmt.Errorf("netns: receiver address %s is not IPv4", o.ReceiverAddr)
	}
	if o.SenderAddr == o.ReceiverAddr {
		return o, fmt.Errorf("netns: sender and receiver address are both %s", o.SenderAddr)
	}
	sp := netip.PrefixFrom(o.SenderAddr, PrefixLen).Masked()
	if !sp.Contains(o.ReceiverAddr) {
		return o, fmt.Errorf("netns: receiver address %s is not in the sender's %s (both must share one /%d, e.g. 100.64.0.0/10)",
			o.ReceiverAddr, sp, PrefixLen)
	}
	return o, nil
}
