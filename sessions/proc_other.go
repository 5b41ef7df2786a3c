//go:build !unix

// proc_other.go owns telling whether the process that wrote a journal is
// still running, on systems without Unix signals (Windows): the pid alone
// decides, through os.FindProcess, which fails for a pid that is gone.
package sessions

import "os"

// processToken is "": no start token on this system.
func processToken(int) string { return "" }

// processAlive reports whether pid exists.
func processAlive(pid int, _ string) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}
