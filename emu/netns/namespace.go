package netns

import "sync"

// Namespace is an unnamed network namespace. It is created with
// unshare(CLONE_NEWNET) on a locked OS thread and held by an open file
// descriptor of /proc/thread-self/ns/net, so it vanishes with the process:
// there is no bind mount and nothing in /var/run/netns.
//
// A fresh Namespace has only the loopback device, which is up; IPv4 reverse
// path filtering is off. Methods may be called from any goroutine.
type Namespace struct {
	label string // "sender", "receiver" or "namespace", for errors
	ino   uint64

	mu     sync.Mutex
	fd     int // -1 once closed
	closed bool
	procs  map[*Process]struct{}
}

// Inode returns the inode number of the namespace (what
// readlink /proc/PID/ns/net shows as net:[INODE]); it identifies the
// namespace while it exists.
func (n *Namespace) Inode() uint64 { return n.ino }
