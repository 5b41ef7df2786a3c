package netns

import (
	"os"
	"sync"
	"time"
)

// TUN is one TUN device (IFF_TUN|IFF_NO_PI): every Read returns one raw IP
// packet the namespace sent through the device, every Write injects one raw
// IP packet into the namespace. There is no packet-information header, no
// virtio-net header and no offload, so packets are never larger than MTU.
//
// Reads go through Go's network poller: Close (or an expired read deadline)
// unblocks a pending Read. After Close, Read and Write return an error for
// which errors.Is(err, os.ErrClosed) is true; an expired deadline gives
// errors.Is(err, os.ErrDeadlineExceeded). Read and Write may be called
// concurrently with each other and with Close.
type TUN struct {
	f         *os.File
	name      string
	mtu       int
	closeOnce sync.Once
	closeErr  error
}

// Read reads one packet into p and returns its length. A packet longer
// than p is truncated (the rest is lost), so p should hold at least MTU()
// bytes.
func (t *TUN) Read(p []byte) (int, error) { return t.f.Read(p) }

// Write writes p as one packet into the namespace. p must be a complete
// IPv4 (or IPv6) packet; the kernel drops malformed packets.
func (t *TUN) Write(p []byte) (int, error) { return t.f.Write(p) }

// SetReadDeadline sets the deadline for pending and future Reads; the zero
// time means no deadline.
func (t *TUN) SetReadDeadline(d time.Time) error { return t.f.SetReadDeadline(d) }

// Name returns the interface name of the device inside its namespace.
func (t *TUN) Name() string { return t.name }

// MTU returns the device MTU in bytes.
func (t *TUN) MTU() int { return t.mtu }

// Close closes the device file, unblocking pending Reads. The device itself
// disappears when its namespace does. Close is idempotent.
func (t *TUN) Close() error {
	t.closeOnce.Do(func() { t.closeErr = t.f.Close() })
	return t.closeErr
}
