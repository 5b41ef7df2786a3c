package netflow

import (
	"golang.org/x/sys/unix"

	"errors"
	"runtime"
	"syscall"
	"time"
)

// Clock returns experiment time: monotonic nanoseconds since the run's
// start. The netns backend shares one Clock between its flows and its link
// forwarder, so that every timestamp of a run is on one time line.
type Clock func() time.Duration

// Wait stages (see the package comment): a Go timer until coarseMargin
// before a deadline, a nanosleep until spinMargin before it, a yield-spin
// for the rest.
const (
	// coarseMargin covers Go timers' lateness: the network poller
	// sleeps in whole milliseconds, so a timer fires up to ~1.1 ms late
	// on an idle machine.
	coarseMargin = 1500 * time.Microsecond
	// spinMargin covers nanosleep's lateness: Linux's default timer slack
	// (50 µs) plus a wake-up.
	spinMargin = 80 * time.Microsecond
)

// errTransient reports socket errors that lose one datagram but do not end
// a flow: an ICMP port unreachable answering an earlier datagram (the peer
// not listening yet), or a full device or socket buffer. The transport
// treats the datagram as lost and recovers.
func errTransient(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOBUFS) ||
		errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH)
}

// nanosleep blocks the calling OS thread for d (the Go scheduler hands
// its P to another thread meanwhile). Unlike a Go timer it wakes within
// Linux's timer slack, not the poller's millisecond.
func nanosleep(d time.Duration) {
	ts := unix.NsecToTimespec(int64(d))
	for unix.Nanosleep(&ts, &ts) == unix.EINTR {
	}
}

// yield lets other goroutines run while spinning on the clock.
func yield() { runtime.Gosched() }
