package netns

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// simHint ends every Check error.
const simHint = "; the sim backend (--backend sim) needs neither root nor TUN"

// Check reports whether this process can build the netns backend: Linux,
// effective root with CAP_NET_ADMIN and CAP_SYS_ADMIN, /dev/net/tun present
// and openable, and unshare(CLONE_NEWNET) allowed. The error names what is
// missing and what to do about it, and points to the sim backend.
func Check() error { return check("/dev/net/tun") }

func check(tunPath string) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("netns backend: "+format+simHint, args...)
	}
	if uid := os.Geteuid(); uid != 0 {
		return fail("needs root, but the effective uid is %d (run ccscope with sudo)", uid)
	}
	capEff, err := effectiveCaps()
	if err != nil {
		return fail("cannot read capabilities: %v", err)
	}
	var missing []string
	for _, c := range []struct {
		bit  uint
		name string
	}{{unix.CAP_NET_ADMIN, "CAP_NET_ADMIN"}, {unix.CAP_SYS_ADMIN, "CAP_SYS_ADMIN"}} {
		if capEff&(1<<c.bit) == 0 {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		return fail("root lacks %s (in a container, run it with --cap-add NET_ADMIN --cap-add SYS_ADMIN, or --privileged)",
			strings.Join(missing, " and "))
	}
	if _, err := os.Stat(tunPath); errors.Is(err, os.ErrNotExist) {
		return fail("%s is missing (load the tun module: modprobe tun; in a container, pass --device %s)", tunPath, tunPath)
	} else if err != nil {
		return fail("cannot stat %s: %v", tunPath, err)
	}
	fd, err := unix.Open(tunPath, unix.O_RDWR|unix.O_CLOEXEC, 0)
	switch {
	case errors.Is(err, unix.ENODEV) || errors.Is(err, unix.ENXIO):
		return fail("%s exists but the tun driver is not loaded (load it: modprobe tun)", tunPath)
	case errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES):
		return fail("cannot open %s: %v (in a container, pass --device %s or allow it in the device cgroup)", tunPath, err, tunPath)
	case err != nil:
		return fail("cannot open %s: %v", tunPath, err)
	}
	unix.Close(fd)
	err = runLocked(func() error { return unix.Unshare(unix.CLONE_NEWNET) })
	if err != nil {
		return fail("cannot create a network namespace: unshare(CLONE_NEWNET): %v (in a container, run it with --privileged or a seccomp profile that allows unshare)", err)
	}
	return nil
}

// effectiveCaps returns the CapEff mask from /proc/self/status.
func effectiveCaps() (uint64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no CapEff line in /proc/self/status")
}
