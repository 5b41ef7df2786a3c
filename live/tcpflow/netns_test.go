package tcpflow

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// newNS starts a goroutine locked to a thread inside a fresh network
// namespace with loopback up, and returns an InNS that runs functions on it.
// The thread dies (it exits locked) at cleanup, taking the namespace along
// once its sockets are closed.
func newNS(t *testing.T) InNS {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CCSCOPE_CI") == "" {
			t.Skip("needs root to create a network namespace")
		}
		t.Fatal("needs root to create a network namespace (CCSCOPE_CI is set)")
	}
	reqs := make(chan func())
	ready := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		err := unix.Unshare(unix.CLONE_NEWNET)
		if err == nil {
			var lo netlink.Link
			if lo, err = netlink.LinkByName("lo"); err == nil {
				err = netlink.LinkSetUp(lo)
			}
		}
		ready <- err
		if err != nil {
			return
		}
		for fn := range reqs {
			fn()
		}
	}()
	if err := <-ready; err != nil {
		t.Fatalf("create network namespace: %v", err)
	}
	t.Cleanup(func() { close(reqs) })
	return func(fn func() error) error {
		errc := make(chan error, 1)
		reqs <- func() { errc <- fn() }
		return <-errc
	}
}

// TestNamespace checks that sockets are created through InNS: a server in
// another namespace is reachable through the same InNS and not from here.
func TestNamespace(t *testing.T) {
	ns := newNS(t)
	s, err := Listen(context.Background(), ns, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	addr := s.Addr().String()

	if c, err := Dial(context.Background(), host, ClientConfig{Addr: addr, CC: "reno"}); err == nil {
		c.Stop()
		t.Fatalf("dialled %s (in another namespace) from the host namespace", addr)
	}

	const size = 4 << 20
	c, err := Dial(context.Background(), ns, ClientConfig{Addr: addr, CC: "reno", Size: size})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done not closed after 10 s")
	}
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Bytes() != size && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if s.Bytes() != size || c.Info().BytesAcked != size {
		t.Errorf("server got %d, client acked %d, want %d", s.Bytes(), c.Info().BytesAcked, size)
	}
}
