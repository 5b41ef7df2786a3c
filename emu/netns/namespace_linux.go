package netns

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// killWait bounds how long Close waits for a killed process to be reaped.
const killWait = 5 * time.Second

// NewNamespace creates a new, empty network namespace with loopback up and
// IPv4 reverse path filtering off. Release it with Close.
func NewNamespace() (*Namespace, error) {
	return newNamespace("namespace")
}

func newNamespace(label string) (*Namespace, error) {
	n := &Namespace{label: label, fd: -1, procs: map[*Process]struct{}{}}
	err := runLocked(func() error {
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("unshare(CLONE_NEWNET): %w", err)
		}
		fd, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open /proc/thread-self/ns/net: %w", err)
		}
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			unix.Close(fd)
			return fmt.Errorf("stat namespace: %w", err)
		}
		n.fd, n.ino = fd, st.Ino
		return setupNamespace()
	})
	if err != nil {
		if n.fd >= 0 {
			unix.Close(n.fd)
		}
		return nil, fmt.Errorf("netns: create %s namespace: %w", label, err)
	}
	return n, nil
}

// setupNamespace brings loopback up and turns reverse path filtering off in
// the namespace of the calling (locked) thread.
func setupNamespace() error {
	h, err := netlink.NewHandle()
	if err != nil {
		return fmt.Errorf("netlink: %w", err)
	}
	defer h.Close()
	lo, err := h.LinkByName("lo")
	if err != nil {
		return fmt.Errorf("find lo: %w", err)
	}
	if err := h.LinkSetUp(lo); err != nil {
		return fmt.Errorf("set lo up: %w", err)
	}
	for _, dev := range []string{"all", "default"} {
		if err := writeSysctl("net/ipv4/conf/"+dev+"/rp_filter", "0"); err != nil {
			return err
		}
	}
	return nil
}

// writeSysctl writes value to /proc/sys/key. /proc/sys/net shows the
// network namespace of the calling thread, so the caller must be locked
// inside the namespace.
func writeSysctl(key, value string) error {
	path := "/proc/sys/" + key
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("sysctl: %w", err)
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sysctl: write %s: %w", path, err)
	}
	return nil
}

// enter moves the calling (locked) thread into n. It fails once n is closed.
func (n *Namespace) enter() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.enterLocked()
}

func (n *Namespace) enterLocked() error {
	if n.closed {
		return fmt.Errorf("netns: %s namespace is closed", n.label)
	}
	if err := unix.Setns(n.fd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("netns: enter %s namespace: setns: %w", n.label, err)
	}
	return nil
}

// Do runs fn on an OS thread inside the namespace and returns fn's error.
// Sockets, netlink handles and TUN devices fn creates belong to the
// namespace and may be used from any goroutine afterwards. fn must not start
// goroutines that expect to run in the namespace (they do not), and must not
// call runtime.UnlockOSThread. The thread never returns to Go's thread pool
// while it is in the namespace. A panic in fn is re-raised in the caller.
func (n *Namespace) Do(fn func() error) error {
	return runLocked(func() error {
		if err := n.enter(); err != nil {
			return err
		}
		return fn()
	})
}

// Start runs argv inside the namespace with env appended to os.Environ(),
// stdin from /dev/null and stdout and stderr to the given writers (nil means
// discard). argv[0] is looked up in the PATH of ccscope's environment; a
// program that cannot be found or run is reported by Start, as in
// `command "foo": executable file not found in $PATH`.
//
// The command runs as PID 1 of a new PID namespace, in its own process
// group, with a parent-death signal of SIGKILL. It is started from a locked
// OS thread that stays alive, reaping it, until it exits; the parent-death
// signal fires when that thread dies, which is only when ccscope dies. When
// PID 1 of a PID namespace dies the kernel kills everything else in it, so
// nothing the command started can outlive ccscope either.
//
// Stop it with [Process.Stop]; Close kills it.
func (n *Namespace) Start(argv []string, env []string, stdout, stderr io.Writer) (*Process, error) {
	if len(argv) == 0 || argv[0] == "" {
		return nil, errors.New("netns: start: empty command")
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		var ee *exec.Error
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("command %q: %w", argv[0], ee.Err)
		}
		return nil, fmt.Errorf("command %q: %w", argv[0], err)
	}
	cmd := &exec.Cmd{
		Path: path,
		Args: append([]string(nil), argv...),
		Env:  append(os.Environ(), env...),
		SysProcAttr: &syscall.SysProcAttr{
			Pdeathsig:  syscall.SIGKILL,
			Setpgid:    true,
			Cloneflags: syscall.CLONE_NEWPID,
		},
	}
	if stdout != nil {
		cmd.Stdout = stdout
	}
	if stderr != nil {
		cmd.Stderr = stderr
	}
	p := &Process{name: argv[0], cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	goLocked(func() {
		n.mu.Lock()
		if err := n.enterLocked(); err != nil {
			n.mu.Unlock()
			started <- err
			return
		}
		if err := cmd.Start(); err != nil {
			n.mu.Unlock()
			started <- fmt.Errorf("command %q: %w", argv[0], err)
			return
		}
		p.pid = cmd.Process.Pid
		n.procs[p] = struct{}{}
		n.mu.Unlock()
		started <- nil

		// Stay on this thread until the process is gone: its parent-death
		// signal is tied to this thread.
		werr := cmd.Wait()
		var xe *exec.ExitError
		if errors.As(werr, &xe) {
			werr = &exitError{name: argv[0], err: xe}
		} else if werr != nil {
			werr = fmt.Errorf("command %q: %w", argv[0], werr)
		}
		p.err = werr
		n.mu.Lock()
		delete(n.procs, p)
		n.mu.Unlock()
	}, func(panicked any) {
		if panicked != nil {
			// Only possible before Start succeeded (cmd.Wait does not
			// panic); report it rather than crash.
			select {
			case started <- fmt.Errorf("netns: start %q: panic: %v", argv[0], panicked):
			default:
			}
		}
		close(p.done)
	})
	if err := <-started; err != nil {
		return nil, err
	}
	return p, nil
}

// Close kills the processes started in the namespace that are still
// running, waits (a few seconds at most) until they are reaped, and releases
// the namespace's file descriptor. The namespace itself disappears once
// nothing else (a TUN device file, a socket created in it) refers to it.
// Close is idempotent.
func (n *Namespace) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	procs := make([]*Process, 0, len(n.procs))
	for p := range n.procs {
		procs = append(procs, p)
	}
	err := unix.Close(n.fd)
	n.fd = -1
	n.mu.Unlock()

	var errs []error
	if err != nil {
		errs = append(errs, fmt.Errorf("netns: close %s namespace: %w", n.label, err))
	}
	for _, p := range procs {
		if err := p.Stop(0); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Stop ends the process: SIGTERM to its process group, then, if it is still
// running after grace, SIGKILL (a grace of 0 kills at once). SIGKILL is
// needed for commands without a SIGTERM handler, because PID 1 of a PID
// namespace ignores signals it does not handle. Killing PID 1 kills every
// other process in its PID namespace. Stop returns once the process has been
// reaped (its exit status stays available from Wait), or an error if it has
// not been reaped a few seconds after SIGKILL.
func (p *Process) Stop(grace time.Duration) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	if grace > 0 {
		// Signalling the group by number could hit a reused PGID once the
		// process is reaped; Done is closed only after reaping, and the
		// check above narrows that window to a negligible one.
		_ = unix.Kill(-p.pid, unix.SIGTERM)
		t := time.NewTimer(grace)
		select {
		case <-p.done:
			t.Stop()
			return nil
		case <-t.C:
		}
	}
	// Process.Kill goes through the pidfd, so it never hits a reused PID.
	_ = p.cmd.Process.Kill()
	t := time.NewTimer(killWait)
	defer t.Stop()
	select {
	case <-p.done:
		return nil
	case <-t.C:
		return fmt.Errorf("netns: command %q (pid %d) did not exit %v after SIGKILL", p.name, p.pid, killWait)
	}
}

func signalName(s syscall.Signal) string {
	if name := unix.SignalName(s); name != "" {
		return name
	}
	return s.String()
}
