// Package ipc owns how CCP messages travel between a datapath and an
// agent: unix datagram sockets with portus's conventions (every endpoint
// binds /tmp/ccp/<name>; the agent's default name is "portus"; replies go
// to the sender's path) and an in-process pipe that still passes encoded
// messages, synchronously, for deterministic runs.
package ipc

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// DefaultDir is where portus puts its sockets.
const DefaultDir = "/tmp/ccp"

// DefaultAgent is portus's default socket name.
const DefaultAgent = "portus"

// MaxDatagram is the largest message a socket reads (libccp's
// BIGGEST_MSG_SIZE, rounded up).
const MaxDatagram = 1 << 15

// sendTimeout bounds a send to a receiver whose buffer is full: a hung
// peer makes sends fail (which arms the datapath's fallback timer) rather
// than stall the caller.
const sendTimeout = 10 * time.Millisecond

// maxPath is the longest socket path (sun_path holds 108 bytes, NUL
// included).
const maxPath = 107

// Unix is one endpoint: a unix datagram socket bound to dir/name.
type Unix struct {
	conn *net.UnixConn
	path string
	buf  []byte
}

// Path is the socket path of name in dir (DefaultDir when dir is "").
func Path(dir, name string) string {
	if dir == "" {
		dir = DefaultDir
	}
	return filepath.Join(dir, name)
}

// CheckName reports why name cannot name a socket in dir, or nil.
func CheckName(dir, name string) error {
	switch {
	case name == "":
		return errors.New("empty CCP socket name")
	case strings.ContainsRune(name, '/') || name == "." || name == "..":
		return fmt.Errorf("CCP socket name %q: want a plain name like portus (the socket is %s)", name, Path(dir, "NAME"))
	case len(Path(dir, name)) > maxPath:
		return fmt.Errorf("CCP socket path %s is %d bytes, longer than a unix socket path can be (%d)", Path(dir, name), len(Path(dir, name)), maxPath)
	}
	return nil
}

// Listen binds dir/name as portus does: it creates dir, removes a stale
// socket at the path and binds. Close removes the socket.
func Listen(dir, name string) (*Unix, error) {
	if err := CheckName(dir, name); err != nil {
		return nil, err
	}
	p := Path(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, fmt.Errorf("ccp socket %s: %w", p, err)
	}
	if fi, err := os.Lstat(p); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("ccp socket %s: a file that is not a socket is in the way; remove it", p)
		}
		if err := os.Remove(p); err != nil {
			return nil, fmt.Errorf("ccp socket %s: remove the stale socket: %w", p, err)
		}
	}
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: p, Net: "unixgram"})
	if err != nil {
		return nil, fmt.Errorf("ccp socket %s: %w", p, err)
	}
	return &Unix{conn: c, path: p, buf: make([]byte, MaxDatagram)}, nil
}

// Path is the endpoint's own socket path.
func (u *Unix) Path() string { return u.path }

// SendTo sends one message to the socket at path. A peer that is gone
// gives an error wrapping ErrNoPeer; a peer whose buffer stays full for
// 10 ms gives a timeout error.
func (u *Unix) SendTo(path string, msg []byte) error {
	if err := u.conn.SetWriteDeadline(time.Now().Add(sendTimeout)); err != nil {
		return err
	}
	_, err := u.conn.WriteToUnix(msg, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
			return fmt.Errorf("ccp send to %s: %w", path, ErrNoPeer)
		}
		return fmt.Errorf("ccp send to %s: %w", path, err)
	}
	return nil
}

// ErrNoPeer marks a send to a socket nobody listens on.
var ErrNoPeer = errors.New("nobody listens there (is the agent running?)")

// Recv waits for one datagram until the deadline (zero: no deadline) and
// returns it with the sender's path. The message is valid until the next
// Recv. Datagrams from unnamed sockets are refused, as portus refuses
// them: replies need a path.
func (u *Unix) Recv(deadline time.Time) (msg []byte, from string, err error) {
	if err := u.conn.SetReadDeadline(deadline); err != nil {
		return nil, "", err
	}
	n, addr, err := u.conn.ReadFromUnix(u.buf)
	if err != nil {
		return nil, "", err
	}
	if addr == nil || addr.Name == "" || addr.Name[0] == '@' {
		return u.buf[:n], "", errors.New("ccp: datagram from an unnamed socket (bind a path to get replies)")
	}
	return u.buf[:n], addr.Name, nil
}

// Close closes the socket and removes its path.
func (u *Unix) Close() error {
	err := u.conn.Close()
	if rerr := os.Remove(u.path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
		err = rerr
	}
	return err
}

// IsTimeout reports whether err is a Recv deadline passing.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
