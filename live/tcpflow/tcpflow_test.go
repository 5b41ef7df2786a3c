package tcpflow

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// host runs fn in the current (host) namespace.
func host(fn func() error) error { return fn() }

func listen(t *testing.T) *Server {
	t.Helper()
	s, err := Listen(context.Background(), host, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func needCC(t *testing.T, cc string) {
	t.Helper()
	if err := CheckCC(cc); err != nil {
		t.Skip(err)
	}
}

func TestAvailable(t *testing.T) {
	avail, err := Available()
	if err != nil {
		t.Fatal(err)
	}
	for _, cc := range []string{"cubic", "reno"} {
		if !slices.Contains(avail, cc) {
			t.Errorf("Available() = %v, missing %q", avail, cc)
		}
	}
}

func TestCheckCC(t *testing.T) {
	avail, err := Available()
	if err != nil {
		t.Fatal(err)
	}
	for _, cc := range append([]string{""}, avail...) {
		if err := CheckCC(cc); err != nil {
			t.Errorf("CheckCC(%q) = %v", cc, err)
		}
	}
	err = CheckCC("nope")
	if err == nil {
		t.Fatal("CheckCC(nope) = nil")
	}
	msg := err.Error()
	want := `kernel TCP congestion control "nope" is not available; this kernel offers ` + strings.Join(avail, " ") + ` (load a module with modprobe tcp_nope)`
	if msg != want {
		t.Errorf("CheckCC(nope) =\n %s\nwant\n %s", msg, want)
	}
}

func TestDialUnavailableCC(t *testing.T) {
	s := listen(t)
	c, err := Dial(context.Background(), host, ClientConfig{Addr: s.Addr().String(), CC: "nope"})
	if err == nil {
		c.Stop()
		t.Fatal("Dial with CC nope succeeded")
	}
	for _, want := range []string{"tcpflow: dial " + s.Addr().String() + " with nope", `"nope" is not available`, "cubic"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestDialRefused(t *testing.T) {
	s, err := Listen(context.Background(), host, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := s.Addr().String()
	s.Close()
	_, err = Dial(context.Background(), host, ClientConfig{Addr: addr, CC: "cubic"})
	if err == nil || !strings.Contains(err.Error(), "tcpflow: dial "+addr+" with cubic") {
		t.Fatalf("Dial to closed port: err = %v", err)
	}
}

func TestInNSIsUsed(t *testing.T) {
	var calls atomic.Int32
	in := func(fn func() error) error { calls.Add(1); return fn() }
	s, err := Listen(context.Background(), in, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := Dial(context.Background(), in, ClientConfig{Addr: s.Addr().String(), Size: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	if got := calls.Load(); got != 2 {
		t.Errorf("InNS called %d times, want 2 (Listen and Dial)", got)
	}
}

func TestTransfer(t *testing.T) {
	const size = 20 << 20
	for _, cc := range []string{"reno", "cubic"} {
		t.Run(cc, func(t *testing.T) {
			needCC(t, cc)
			s := listen(t)
			var (
				mu      sync.Mutex
				samples []Info
				ccSeen  string
				ccErr   error
				c       *Client
				ready   = make(chan struct{})
			)
			cfg := ClientConfig{Addr: s.Addr().String(), CC: cc, Size: size, OnSample: func(in Info) {
				mu.Lock()
				defer mu.Unlock()
				samples = append(samples, in)
				if ccSeen == "" && ccErr == nil {
					<-ready
					ccSeen, ccErr = c.CC() // the socket is open while the sampler runs
				}
			}}
			var err error
			c, err = Dial(context.Background(), host, cfg)
			if err != nil {
				t.Fatal(err)
			}
			close(ready)
			defer c.Stop()
			if got, err := c.CC(); err != nil || got != cc {
				t.Errorf("CC() = %q, %v; want %q", got, err, cc)
			}
			select {
			case <-c.Done():
			case <-time.After(20 * time.Second):
				t.Fatal("Done not closed after 20 s")
			}
			if err := c.Err(); err != nil {
				t.Fatalf("Err() = %v", err)
			}
			if c.Sent() != size {
				t.Errorf("Sent() = %d, want %d", c.Sent(), size)
			}
			// Acked data may still sit in the server's receive buffer.
			deadline := time.Now().Add(5 * time.Second)
			for s.Bytes() != size && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if s.Bytes() != size {
				t.Errorf("server Bytes() = %d, want %d", s.Bytes(), size)
			}
			in := c.Info()
			if in.BytesAcked != size {
				t.Errorf("final Info.BytesAcked = %d, want %d", in.BytesAcked, size)
			}
			if in.MSS <= 0 || in.SRTT <= 0 || in.CwndPackets <= 0 || in.Cwnd != in.CwndPackets*in.MSS {
				t.Errorf("final Info: MSS %d SRTT %v cwnd %d pkts %d", in.MSS, in.SRTT, in.Cwnd, in.CwndPackets)
			}
			if in.BytesSent < size {
				t.Errorf("final Info.BytesSent = %d, want >= %d", in.BytesSent, size)
			}
			mu.Lock()
			defer mu.Unlock()
			if ccErr != nil || ccSeen != cc {
				t.Errorf("CC() during the flow = %q, %v; want %q", ccSeen, ccErr, cc)
			}
			if len(samples) == 0 {
				t.Fatal("no samples")
			}
			if last := samples[len(samples)-1]; last.BytesAcked != size {
				t.Errorf("last OnSample BytesAcked = %d, want %d", last.BytesAcked, size)
			}
			for i := 1; i < len(samples); i++ {
				if samples[i].At < samples[i-1].At || samples[i].BytesAcked < samples[i-1].BytesAcked {
					t.Fatalf("samples %d,%d go backwards: %+v then %+v", i-1, i, samples[i-1], samples[i])
				}
			}
			t.Logf("%s: %d samples over %v, final %+v", cc, len(samples), in.At, in)
		})
	}
}

func TestSampleCadence(t *testing.T) {
	s := listen(t)
	var n atomic.Int32
	c, err := Dial(context.Background(), host, ClientConfig{Addr: s.Addr().String(), CC: "cubic",
		OnSample: func(Info) { n.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	n.Store(0)
	time.Sleep(500 * time.Millisecond)
	got := n.Load()
	t.Logf("%d samples in 500 ms", got)
	if got < 30 || got > 70 {
		t.Errorf("%d samples in 500 ms at 10 ms, want 30..70", got)
	}
	in := c.Info()
	if in.MSS <= 0 || in.SRTT <= 0 || in.BytesAcked <= 0 || in.DeliveryRate <= 0 {
		t.Errorf("Info of a running flow: %+v", in)
	}
	select {
	case <-c.Done():
		t.Fatalf("unlimited flow ended: %v", c.Err())
	default:
	}
}

func TestStopUnlimited(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := Listen(context.Background(), host, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Dial(context.Background(), host, ClientConfig{Addr: s.Addr().String(), CC: "reno"})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let the writer block on a full send buffer
	if c.Sent() == 0 {
		t.Fatal("nothing sent")
	}
	t0 := time.Now()
	c.Stop()
	if d := time.Since(t0); d > 100*time.Millisecond {
		t.Errorf("Stop took %v, want <= 100 ms", d)
	}
	select {
	case <-c.Done():
	default:
		t.Error("Done not closed after Stop")
	}
	if err := c.Err(); err != nil {
		t.Errorf("Err() after Stop = %v", err)
	}
	c.Stop() // idempotent
	if _, err := c.CC(); err == nil {
		t.Error("CC() on a stopped client succeeded")
	}
	t0 = time.Now()
	if err := s.Close(); err != nil {
		t.Errorf("server Close: %v", err)
	}
	if d := time.Since(t0); d > 100*time.Millisecond {
		t.Errorf("server Close took %v", d)
	}
	s.Close() // idempotent
	waitGoroutines(t, before)
}

// TestServerCloseUnblocksReaders closes the server while a client is still
// sending: the server's readers must exit, and the client must see an error.
func TestServerCloseUnblocksReaders(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := Listen(context.Background(), host, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Dial(context.Background(), host, ClientConfig{Addr: s.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	t0 := time.Now()
	s.Close()
	if d := time.Since(t0); d > 100*time.Millisecond {
		t.Errorf("server Close took %v", d)
	}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("client did not notice the server closing")
	}
	if err := c.Err(); err == nil || !strings.Contains(err.Error(), "tcpflow: write to") {
		t.Errorf("client Err() = %v, want a write error", err)
	}
	c.Stop()
	waitGoroutines(t, before)
}

func TestContextCancel(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Listen(ctx, host, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Dial(ctx, host, ClientConfig{Addr: s.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case <-c.Done():
	case <-time.After(time.Second):
		t.Fatal("client not done after cancel")
	}
	if err := c.Err(); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("Err() after cancel = %v", err)
	}
	c.Stop()
	s.Close()
	waitGoroutines(t, before)
}

func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
