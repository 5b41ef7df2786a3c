//go:build !linux

package netns

import (
	"fmt"
	"io"
	"runtime"
	"syscall"
	"time"
)

func unsupported() error {
	return fmt.Errorf("netns backend: needs Linux, this is %s; the sim backend (--backend sim) needs neither root nor TUN", runtime.GOOS)
}

// Check reports whether this process can build the netns backend. On this
// system it cannot: the netns backend needs Linux.
func Check() error { return unsupported() }

// NewPair creates the sender and receiver namespaces; it needs Linux.
func NewPair(opt Options) (*Pair, error) {
	if _, err := opt.withDefaults(); err != nil {
		return nil, err
	}
	return nil, unsupported()
}

// NewNamespace creates a new network namespace; it needs Linux.
func NewNamespace() (*Namespace, error) { return nil, unsupported() }

// Do runs fn inside the namespace; it needs Linux.
func (n *Namespace) Do(fn func() error) error { return unsupported() }

// Start runs argv inside the namespace; it needs Linux.
func (n *Namespace) Start(argv []string, env []string, stdout, stderr io.Writer) (*Process, error) {
	return nil, unsupported()
}

// Close releases the namespace.
func (n *Namespace) Close() error { return nil }

// Stop ends the process.
func (p *Process) Stop(grace time.Duration) error { return nil }

func signalName(s syscall.Signal) string { return s.String() }
