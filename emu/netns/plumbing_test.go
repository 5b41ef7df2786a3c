package netns

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
)

// requirePlumbing skips the test when this process cannot build namespaces,
// unless CCSCOPE_CI=1, where it fails.
func requirePlumbing(t *testing.T) {
	t.Helper()
	if err := Check(); err != nil {
		if os.Getenv("CCSCOPE_CI") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

// plumbPair makes a Pair that is closed when the test ends.
func plumbPair(t *testing.T) *Pair {
	t.Helper()
	p, err := NewPair(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func plumbInode(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// plumbNSLink returns "net:[INODE]" for a namespace inode.
func plumbNSLink(ino uint64) string { return fmt.Sprintf("net:[%d]", ino) }

// plumbSelfNetRefs lists the network namespaces this process refers to through
// its threads and its open files.
func plumbSelfNetRefs(t *testing.T) map[string]bool {
	t.Helper()
	refs := map[string]bool{}
	tasks, _ := filepath.Glob("/proc/self/task/*/ns/net")
	fds, _ := filepath.Glob("/proc/self/fd/*")
	for _, p := range append(tasks, fds...) {
		if l, err := os.Readlink(p); err == nil && strings.HasPrefix(l, "net:[") {
			refs[l] = true
		}
	}
	return refs
}

// plumbPoll polls cond every 10 ms until it holds or d has passed.
func plumbPoll(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// plumbGone reports whether pid no longer exists or is a zombie (a zombie
// reparented to a PID 1 that does not reap still counts as dead).
func plumbGone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && (s[i+2] == 'Z' || s[i+2] == 'X')
}

func TestOptionsDefaultsAndValidation(t *testing.T) {
	o, err := Options{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if o.MTU != 1500 || o.SenderAddr != netip.MustParseAddr("100.64.0.2") || o.ReceiverAddr != netip.MustParseAddr("100.64.0.1") {
		t.Fatalf("defaults: %+v", o)
	}
	for _, bad := range []Options{
		{MTU: 20},
		{MTU: 70000},
		{SenderAddr: netip.MustParseAddr("fd00::1")},
		{SenderAddr: netip.MustParseAddr("100.64.0.1")},
		{ReceiverAddr: netip.MustParseAddr("10.0.0.1")},
	} {
		if _, err := bad.withDefaults(); err == nil {
			t.Errorf("%+v: no error", bad)
		} else if !strings.HasPrefix(err.Error(), "netns: ") {
			t.Errorf("%+v: error %q lacks context", bad, err)
		}
	}
}

func TestCheckMessages(t *testing.T) {
	err := Check()
	if os.Geteuid() != 0 {
		if err == nil || !strings.Contains(err.Error(), "root") {
			t.Fatalf("Check as non-root: %v", err)
		}
	}
	if err != nil {
		if !strings.HasSuffix(err.Error(), "the sim backend (--backend sim) needs neither root nor TUN") {
			t.Errorf("Check error does not point to the sim backend: %v", err)
		}
		if os.Getenv("CCSCOPE_CI") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	err = check("/nonexistent/net/tun")
	want := "netns backend: /nonexistent/net/tun is missing (load the tun module: modprobe tun"
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "--backend sim") {
		t.Fatalf("check of a missing TUN: %v", err)
	}
	err = check("/dev/null") // exists, but is no TUN: the open works, so only a missing driver shows
	if err != nil {
		t.Logf("check(/dev/null): %v", err)
	}
}

func TestPairDeliversThroughTUN(t *testing.T) {
	requirePlumbing(t)
	p := plumbPair(t)
	if p.SenderTUN.Name() != SenderTUNName || p.ReceiverTUN.Name() != ReceiverTUNName {
		t.Errorf("TUN names %q %q", p.SenderTUN.Name(), p.ReceiverTUN.Name())
	}
	if p.SenderTUN.MTU() != 1500 || p.ReceiverTUN.MTU() != 1500 {
		t.Errorf("MTU %d %d", p.SenderTUN.MTU(), p.ReceiverTUN.MTU())
	}

	var rc *net.UDPConn
	if err := p.Receiver.Do(func() (err error) {
		rc, err = net.ListenUDP("udp4", &net.UDPAddr{IP: p.ReceiverAddr.AsSlice(), Port: 9000})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var sc *net.UDPConn
	if err := p.Sender.Do(func() (err error) {
		sc, err = net.DialUDP("udp4", nil, &net.UDPAddr{IP: p.ReceiverAddr.AsSlice(), Port: 9000})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer sc.Close()

	msg := []byte("hello through the emulated link")
	if _, err := sc.Write(msg); err != nil {
		t.Fatal(err)
	}

	// Read the raw packet from the sender's TUN.
	buf := make([]byte, 65536)
	p.SenderTUN.SetReadDeadline(time.Now().Add(5 * time.Second))
	var pkt []byte
	for pkt == nil {
		n, err := p.SenderTUN.Read(buf)
		if err != nil {
			t.Fatalf("read sender TUN: %v", err)
		}
		b := buf[:n]
		if n < 20 || b[0]>>4 != 4 {
			t.Fatalf("not an IPv4 packet without PI header: % x", b[:min(n, 32)])
		}
		if b[9] != syscall.IPPROTO_UDP {
			t.Logf("skipping protocol %d", b[9])
			continue
		}
		src, _ := netip.AddrFromSlice(b[12:16])
		dst, _ := netip.AddrFromSlice(b[16:20])
		if src != p.SenderAddr || dst != p.ReceiverAddr {
			t.Fatalf("UDP packet %s -> %s, want %s -> %s", src, dst, p.SenderAddr, p.ReceiverAddr)
		}
		ihl := int(b[0]&0xf) * 4
		if got := b[ihl+8:]; !bytes.Equal(got, msg) {
			t.Fatalf("payload %q", got)
		}
		pkt = append([]byte(nil), b...)
	}

	// Inject it into the receiver's TUN and receive it on the socket.
	if n, err := p.ReceiverTUN.Write(pkt); err != nil || n != len(pkt) {
		t.Fatalf("write receiver TUN: %d %v", n, err)
	}
	rc.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err := rc.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	if !bytes.Equal(buf[:n], msg) || from.Addr() != p.SenderAddr {
		t.Fatalf("received %q from %s", buf[:n], from)
	}
}

func TestNamespacesAreDistinct(t *testing.T) {
	requirePlumbing(t)
	p := plumbPair(t)
	host := plumbInode(t, "/proc/self/ns/net")
	var snd, rcv uint64
	if err := p.Sender.Do(func() error { snd = plumbInode(t, "/proc/thread-self/ns/net"); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := p.Receiver.Do(func() error { rcv = plumbInode(t, "/proc/thread-self/ns/net"); return nil }); err != nil {
		t.Fatal(err)
	}
	if snd == host || rcv == host || snd == rcv {
		t.Fatalf("host %d sender %d receiver %d", host, snd, rcv)
	}
	if snd != p.Sender.Inode() || rcv != p.Receiver.Inode() {
		t.Fatalf("Inode() %d %d, inside %d %d", p.Sender.Inode(), p.Receiver.Inode(), snd, rcv)
	}
	// Do leaves the calling goroutine where it was.
	if got := plumbInode(t, "/proc/thread-self/ns/net"); got != host {
		t.Fatalf("caller's thread moved to %d", got)
	}
	// Nothing in /var/run/netns.
	if ents, _ := os.ReadDir("/var/run/netns"); len(ents) > 0 {
		for _, e := range ents {
			if fi, err := os.Stat(filepath.Join("/var/run/netns", e.Name())); err == nil {
				if ino := fi.Sys().(*syscall.Stat_t).Ino; ino == snd || ino == rcv {
					t.Fatalf("namespace bound at /var/run/netns/%s", e.Name())
				}
			}
		}
	}
}

func TestDoErrorsAndPanics(t *testing.T) {
	requirePlumbing(t)
	n, err := NewNamespace()
	if err != nil {
		t.Fatal(err)
	}
	sentinel := errors.New("sentinel")
	if err := n.Do(func() error { return sentinel }); err != sentinel {
		t.Fatalf("Do returned %v", err)
	}
	func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Fatalf("recovered %v", v)
			}
		}()
		n.Do(func() error { panic("boom") })
	}()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := n.Do(func() error { return nil }); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("Do after Close: %v", err)
	}
	if _, err := n.Start([]string{"true"}, nil, nil, nil); err == nil {
		t.Fatal("Start after Close succeeded")
	}
}

func TestStartRunsInNamespaceAndCloseKills(t *testing.T) {
	requirePlumbing(t)
	p, err := NewPair(Options{MTU: 1400})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.SenderTUN.MTU() != 1400 {
		t.Errorf("MTU %d", p.SenderTUN.MTU())
	}
	proc, err := p.Sender.Start([]string{"sleep", "30"}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pid := proc.Pid()
	l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		t.Fatal(err)
	}
	if want := plumbNSLink(p.Sender.Inode()); l != want {
		t.Fatalf("process in %s, sender is %s", l, want)
	}
	// PID 1 of its own PID namespace.
	if mine, _ := os.Readlink("/proc/self/ns/pid"); true {
		if its, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid)); its == mine || its == "" {
			t.Fatalf("process pid ns %q, ours %q", its, mine)
		}
	}
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if !plumbIsPID1(string(status)) {
		t.Errorf("process is not PID 1 of its PID namespace:\n%s", status)
	}
	// Device MTU as the kernel sees it, from inside the namespace.
	p.Sender.Do(func() error {
		ifc, err := net.InterfaceByName(SenderTUNName)
		if err != nil {
			t.Error(err)
		} else if ifc.MTU != 1400 || ifc.Flags&net.FlagUp == 0 {
			t.Errorf("interface %+v", ifc)
		}
		if l, err := netlink.LinkByName(SenderTUNName); err != nil {
			t.Error(err)
		} else if q := l.Attrs().TxQLen; q != DefaultTxQueueLen {
			t.Errorf("txqueuelen %d", q)
		}
		for _, k := range []string{"all", "default", SenderTUNName} {
			b, _ := os.ReadFile("/proc/sys/net/ipv4/conf/" + k + "/rp_filter")
			if strings.TrimSpace(string(b)) != "0" {
				t.Errorf("rp_filter %s = %q", k, b)
			}
		}
		return nil
	})

	readErr := make(chan error, 1)
	go func() {
		b := make([]byte, 2048)
		for {
			if _, err := p.ReceiverTUN.Read(b); err != nil {
				readErr <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond) // let the reader block

	start := time.Now()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %v", d)
	}
	select {
	case <-proc.Done():
	default:
		t.Fatal("process not done after Close")
	}
	if err := proc.Wait(); err == nil || !strings.Contains(err.Error(), `command "sleep" killed by SIGKILL`) {
		t.Errorf("Wait after Close: %v", err)
	}
	if !plumbGone(pid) {
		t.Errorf("process %d still exists", pid)
	}
	select {
	case err := <-readErr:
		if !errors.Is(err, os.ErrClosed) {
			t.Errorf("blocked Read returned %v, want os.ErrClosed", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not unblock Read")
	}
	if _, err := p.SenderTUN.Read(make([]byte, 10)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Read after Close: %v", err)
	}
	if _, err := p.SenderTUN.Write(make([]byte, 20)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
	fds, _ := filepath.Glob("/proc/self/fd/*")
	for _, fd := range fds {
		if l, _ := os.Readlink(fd); l == "/dev/net/tun" {
			t.Errorf("%s still open on /dev/net/tun", fd)
		}
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// plumbIsPID1 reports whether the NSpid line of a /proc/PID/status ends in 1.
func plumbIsPID1(status string) bool {
	for _, line := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(line, "NSpid:"); ok {
			f := strings.Fields(v)
			return len(f) >= 2 && f[len(f)-1] == "1"
		}
	}
	return false
}

func TestStartMissingProgram(t *testing.T) {
	requirePlumbing(t)
	n, err := NewNamespace()
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	_, err = n.Start([]string{"ccscope-no-such-program"}, nil, nil, nil)
	want := `command "ccscope-no-such-program": executable file not found in $PATH`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	if !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("error does not wrap exec.ErrNotFound")
	}
	_, err = n.Start([]string{"/nonexistent/prog"}, nil, nil, nil)
	if err == nil || !strings.HasPrefix(err.Error(), `command "/nonexistent/prog": `) {
		t.Fatalf("absolute missing path: %v", err)
	}
	if _, err := n.Start(nil, nil, nil, nil); err == nil {
		t.Fatal("empty argv accepted")
	}
}

func TestStartOutputEnvAndExitStatus(t *testing.T) {
	requirePlumbing(t)
	n, err := NewNamespace()
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	var out, errOut bytes.Buffer
	proc, err := n.Start([]string{"sh", "-c", `echo "out $CCS_TEST_VAR"; echo err >&2; exit 3`},
		[]string{"CCS_TEST_VAR=42"}, &out, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	err = proc.Wait()
	if err == nil || err.Error() != `command "sh" exited with status 3` {
		t.Fatalf("Wait: %v", err)
	}
	var xe *exec.ExitError
	if !errors.As(err, &xe) || xe.ExitCode() != 3 {
		t.Errorf("error does not unwrap to *exec.ExitError: %#v", err)
	}
	if out.String() != "out 42\n" || errOut.String() != "err\n" {
		t.Errorf("stdout %q stderr %q", out.String(), errOut.String())
	}
	ok, err := n.Start([]string{"true"}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ok.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := ok.Stop(time.Second); err != nil {
		t.Fatalf("Stop of an exited process: %v", err)
	}
}

func TestStop(t *testing.T) {
	requirePlumbing(t)
	n, err := NewNamespace()
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()

	// PID 1 without a SIGTERM handler ignores SIGTERM: SIGKILL after grace.
	proc, err := n.Start([]string{"sleep", "30"}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := proc.Stop(200 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 150*time.Millisecond || d > 3*time.Second {
		t.Errorf("Stop took %v", d)
	}
	if err := proc.Wait(); err == nil || !strings.Contains(err.Error(), "SIGKILL") {
		t.Errorf("Wait: %v", err)
	}

	// A command that handles SIGTERM stops at once, and its children die.
	out := &plumbBuffer{}
	proc, err = n.Start([]string{"sh", "-c", `trap 'exit 0' TERM; sleep 30 & echo $!; while :; do sleep 0.05; done`}, nil, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !plumbPoll(5*time.Second, func() bool { return strings.Contains(out.String(), "\n") }) {
		t.Fatal("no child pid printed")
	}
	kids, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", proc.Pid(), proc.Pid()))
	var kidPids []int
	for _, f := range strings.Fields(string(kids)) {
		if k, err := strconv.Atoi(f); err == nil {
			kidPids = append(kidPids, k)
		}
	}
	if len(kidPids) == 0 {
		t.Fatal("no children found")
	}
	start = time.Now()
	if err := proc.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Stop of a SIGTERM-handling command took %v", d)
	}
	if err := proc.Wait(); err != nil {
		t.Errorf("Wait: %v", err)
	}
	// Its children died with it (PID 1 of their PID namespace exited).
	for _, k := range kidPids {
		if !plumbPoll(2*time.Second, func() bool { return plumbGone(k) }) {
			t.Errorf("child %d survived", k)
		}
	}
}

// plumbBuffer is a bytes.Buffer safe for concurrent use.
type plumbBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *plumbBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *plumbBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestCloseReleasesNamespaces(t *testing.T) {
	requirePlumbing(t)
	// Threads of earlier tests may still be leaving.
	host := plumbNSLink(plumbInode(t, "/proc/self/ns/net"))
	onlyHost := func() bool {
		r := plumbSelfNetRefs(t)
		return len(r) == 1 && r[host]
	}
	if !plumbPoll(2*time.Second, onlyHost) {
		t.Fatalf("before: references %v", plumbSelfNetRefs(t))
	}
	p, err := NewPair(Options{})
	if err != nil {
		t.Fatal(err)
	}
	proc, err := p.Receiver.Start([]string{"sleep", "30"}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	refs := plumbSelfNetRefs(t)
	if !refs[plumbNSLink(p.Sender.Inode())] || !refs[plumbNSLink(p.Receiver.Inode())] {
		t.Fatalf("namespaces not referenced while open: %v", refs)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if !plumbGone(proc.Pid()) {
		t.Errorf("process still there")
	}
	if !plumbPoll(2*time.Second, onlyHost) {
		t.Fatalf("after Close: references %v, want only %s", plumbSelfNetRefs(t), host)
	}
}

func TestNewPairFailureReleasesEverything(t *testing.T) {
	requirePlumbing(t)
	if _, err := NewPair(Options{MTU: 1}); err == nil {
		t.Fatal("bad MTU accepted")
	}
	host := plumbNSLink(plumbInode(t, "/proc/self/ns/net"))
	onlyHost := func() bool { r := plumbSelfNetRefs(t); return len(r) == 1 && r[host] }
	if !plumbPoll(2*time.Second, onlyHost) {
		t.Fatalf("before: references %v", plumbSelfNetRefs(t))
	}
	// The sender side is complete (namespace, TUN) when the receiver's
	// device name is refused.
	_, err := newPair(Options{}, SenderTUNName, "name-longer-than-ifnamsiz")
	if err == nil || !strings.HasPrefix(err.Error(), "netns: set up receiver namespace: ") {
		t.Fatalf("got %v", err)
	}
	if !plumbPoll(2*time.Second, onlyHost) {
		t.Fatalf("after a failed NewPair: references %v", plumbSelfNetRefs(t))
	}
	fds, _ := filepath.Glob("/proc/self/fd/*")
	for _, fd := range fds {
		if l, _ := os.Readlink(fd); l == "/dev/net/tun" {
			t.Errorf("%s still open on /dev/net/tun", fd)
		}
	}
}

// TestHelperProcess is not a test: TestKilledParentLeavesNothing runs the
// test binary with CCSCOPE_NETNS_HELPER=1 and this test alone; it builds a
// Pair, starts sleep in it, prints what the parent needs and waits to be
// killed.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("CCSCOPE_NETNS_HELPER") != "1" {
		t.Skip("helper for TestKilledParentLeavesNothing")
	}
	p, err := NewPair(Options{})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	proc, err := p.Sender.Start([]string{"sleep", "300"}, nil, nil, nil)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Printf("READY %d %d %d\n", proc.Pid(), p.Sender.Inode(), p.Receiver.Inode())
	time.Sleep(time.Minute)
	os.Exit(2)
}

func TestKilledParentLeavesNothing(t *testing.T) {
	requirePlumbing(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "CCSCOPE_NETNS_HELPER=1")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if l := sc.Text(); strings.HasPrefix(l, "READY ") || strings.HasPrefix(l, "ERROR ") {
				lines <- l
				break
			}
		}
		close(lines)
	}()
	var line string
	select {
	case line = <-lines:
	case <-time.After(20 * time.Second):
		t.Fatal("helper did not report")
	}
	f := strings.Fields(line)
	if len(f) != 4 || f[0] != "READY" {
		t.Fatalf("helper said %q", line)
	}
	pid, _ := strconv.Atoi(f[1])
	inos := map[string]bool{"net:[" + f[2] + "]": true, "net:[" + f[3] + "]": true}
	if plumbGone(pid) {
		t.Fatalf("sleep %d not running before the kill", pid)
	}

	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	killed := time.Now()

	stillReferenced := func() []string {
		var found []string
		a, _ := filepath.Glob("/proc/[0-9]*/ns/net")
		b, _ := filepath.Glob("/proc/[0-9]*/task/[0-9]*/ns/net")
		for _, p := range append(a, b...) {
			if l, err := os.Readlink(p); err == nil && inos[l] {
				found = append(found, p+" -> "+l)
			}
		}
		return found
	}
	if !plumbPoll(2*time.Second, func() bool { return plumbGone(pid) && len(stillReferenced()) == 0 }) {
		t.Fatalf("2 s after SIGKILL of the parent: sleep gone=%v, namespaces still referenced by %v",
			plumbGone(pid), stillReferenced())
	}
	t.Logf("sleep %d and both namespaces gone %v after SIGKILL of the parent", pid, time.Since(killed).Round(time.Millisecond))
}
