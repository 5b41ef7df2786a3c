//go:build unix && !linux

// proc_unix.go owns telling whether the process that wrote a journal is
// still running, on Unix systems other than Linux: without a portable way
// to read a process's start time, the pid alone decides.
package sessions

import (
	"errors"
	"syscall"
)

// processToken is "": no start token on this system.
func processToken(int) string { return "" }

// processAlive reports whether pid exists (signal 0 is delivered, or
// refused for lack of permission).
func processAlive(pid int, _ string) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
