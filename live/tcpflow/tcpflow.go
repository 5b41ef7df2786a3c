// Package tcpflow runs real kernel TCP flows for the netns backend: a Server
// that accepts connections and discards what it reads, and a Client that
// sends bulk data with a chosen kernel congestion control (TCP_CONGESTION)
// and samples TCP_INFO at a fixed cadence.
//
// The package knows nothing about network namespaces. Callers pass an InNS
// function that runs socket creation inside the right namespace; sockets
// stay in the namespace they were created in, so everything after creation
// (reads, writes, getsockopt) runs on ordinary goroutines.
//
// Every goroutine the package starts is owned by a Server or Client and
// exits when Close or Stop returns (or, for a Client, when Done is closed).
package tcpflow

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// InNS runs fn with the calling OS thread inside the network namespace where
// sockets must be created, and returns fn's error. A nil InNS runs fn in the
// current namespace.
type InNS func(fn func() error) error

func runIn(in InNS, fn func() error) error {
	if in == nil {
		return fn()
	}
	return in(fn)
}

// availablePath is where the kernel lists its loaded congestion controls.
const availablePath = "/proc/sys/net/ipv4/tcp_available_congestion_control"

// Available lists the congestion controls the kernel offers, in the order
// the kernel lists them.
func Available() ([]string, error) {
	b, err := os.ReadFile(availablePath)
	if err != nil {
		return nil, fmt.Errorf("tcpflow: list kernel congestion controls: %w", err)
	}
	return strings.Fields(string(b)), nil
}

// CheckCC returns nil when the kernel offers congestion control cc (or cc is
// empty, meaning the kernel default), and otherwise an error that names what
// the kernel does offer and how to load more.
func CheckCC(cc string) error {
	if cc == "" {
		return nil
	}
	avail, err := Available()
	if err != nil {
		return err
	}
	if slices.Contains(avail, cc) {
		return nil
	}
	return fmt.Errorf("kernel TCP congestion control %q is not available; this kernel offers %s (load a module with modprobe tcp_%s)",
		cc, strings.Join(avail, " "), cc)
}
