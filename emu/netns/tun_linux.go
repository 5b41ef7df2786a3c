package netns

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// createTUN creates and configures a TUN device in the namespace of the
// calling (locked) thread: /dev/net/tun must be opened from inside the
// namespace because the device is created in the opener's namespace.
func createTUN(name string, mtu int, addr netip.Prefix) (*TUN, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("open /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("TUN name %q: %w", name, err)
	}
	ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("create TUN %s: TUNSETIFF: %w", name, err)
	}
	// The fd is non-blocking, so os.NewFile registers it with the poller.
	t := &TUN{f: os.NewFile(uintptr(fd), "/dev/net/tun["+name+"]"), name: name, mtu: mtu}
	if err := configureLink(name, mtu, addr); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// configureLink sets MTU, txqueuelen and the address of the device, turns
// IPv6 and reverse path filtering off on it and brings it up.
func configureLink(name string, mtu int, addr netip.Prefix) error {
	h, err := netlink.NewHandle()
	if err != nil {
		return fmt.Errorf("netlink: %w", err)
	}
	defer h.Close()
	link, err := h.LinkByName(name)
	if err != nil {
		return fmt.Errorf("find %s: %w", name, err)
	}
	if err := h.LinkSetMTU(link, mtu); err != nil {
		return fmt.Errorf("set MTU %d on %s: %w", mtu, name, err)
	}
	if err := h.LinkSetTxQLen(link, DefaultTxQueueLen); err != nil {
		return fmt.Errorf("set txqueuelen on %s: %w", name, err)
	}
	// No IPv6 on the device: otherwise the kernel sends router
	// solicitations and MLD reports through it. Absent when the kernel has
	// no IPv6, which is fine.
	if err := writeSysctl("net/ipv6/conf/"+name+"/disable_ipv6", "1"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := writeSysctl("net/ipv4/conf/"+name+"/rp_filter", "0"); err != nil {
		return err
	}
	a := addr.Addr().As4()
	ipnet := &net.IPNet{IP: net.IP(a[:]), Mask: net.CIDRMask(addr.Bits(), 32)}
	if err := h.AddrAdd(link, &netlink.Addr{IPNet: ipnet}); err != nil {
		return fmt.Errorf("add address %s to %s: %w", addr, name, err)
	}
	if err := h.LinkSetUp(link); err != nil {
		return fmt.Errorf("set %s up: %w", name, err)
	}
	return nil
}

// NewPair creates the sender and receiver namespaces with their TUN devices
// and addresses as described at [Pair]. On error everything made so far is
// released.
func NewPair(opt Options) (*Pair, error) {
	return newPair(opt, SenderTUNName, ReceiverTUNName)
}

// newPair is NewPair with the device names as parameters (tests use an
// invalid name to make set-up fail half-way).
func newPair(opt Options, sndName, rcvName string) (*Pair, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	p := &Pair{SenderAddr: opt.SenderAddr, ReceiverAddr: opt.ReceiverAddr}
	ok := false
	defer func() {
		if !ok {
			p.Close()
		}
	}()
	if p.Sender, err = newNamespace("sender"); err != nil {
		return nil, err
	}
	if p.Receiver, err = newNamespace("receiver"); err != nil {
		return nil, err
	}
	err = p.Sender.Do(func() (err error) {
		p.SenderTUN, err = createTUN(sndName, opt.MTU, netip.PrefixFrom(opt.SenderAddr, PrefixLen))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("netns: set up sender namespace: %w", err)
	}
	err = p.Receiver.Do(func() (err error) {
		p.ReceiverTUN, err = createTUN(rcvName, opt.MTU, netip.PrefixFrom(opt.ReceiverAddr, PrefixLen))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("netns: set up receiver namespace: %w", err)
	}
	ok = true
	return p, nil
}
