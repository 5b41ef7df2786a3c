// proc_linux.go owns telling whether the process that wrote a journal is
// still running, on Linux: a pid is the same process when /proc/PID/stat
// gives the same start time (in clock ticks since boot) and the machine
// has not rebooted since (the boot id), so a pid reused by an unrelated
// process does not hide a crashed run.
package sessions

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// processToken identifies process pid across pid reuse: "BOOTID/STARTTIME",
// or "" when /proc cannot tell.
func processToken(pid int) string {
	start, state, err := procStat(pid)
	if err != nil || state == 'Z' || state == 'X' {
		return ""
	}
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(boot)) + "/" + start
}

// processAlive reports whether pid is running and, when token is not "",
// is the process that token was taken from. A zombie counts as gone.
func processAlive(pid int, token string) bool {
	_, state, err := procStat(pid)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false
	case err != nil:
		// No /proc (a restricted container): the pid alone decides.
		e := syscall.Kill(pid, 0)
		return e == nil || errors.Is(e, syscall.EPERM)
	case state == 'Z' || state == 'X':
		return false
	case token == "":
		return true
	}
	return processToken(pid) == token
}

// procStat reads the start time (field 22) and state (field 3) of
// /proc/PID/stat. The command name (field 2) is in parentheses and may
// hold spaces or parentheses itself, so fields are counted after the last
// ')'.
func procStat(pid int) (start string, state byte, err error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0, err
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return "", 0, errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(string(data[i+1:]))
	// f[0] is field 3 (state); field 22 is f[19].
	if len(f) < 20 || len(f[0]) != 1 {
		return "", 0, errors.New("unexpected /proc stat format")
	}
	return f[19], f[0][0], nil
}
