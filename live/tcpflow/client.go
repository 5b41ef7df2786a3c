package tcpflow

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const (
	// DefaultInterval is the TCP_INFO sampling period when
	// ClientConfig.Interval is zero.
	DefaultInterval = 10 * time.Millisecond
	// clientWriteBuf is the size of the reused write buffer.
	clientWriteBuf = 128 << 10
	// completionPoll is how often the sampler checks for the final ack once
	// all Size bytes are written, so Done is not late by up to an Interval.
	completionPoll = time.Millisecond
	// tcpClose is the kernel's TCP_CLOSE state.
	tcpClose = 7
)

// ClientConfig describes one bulk-sending flow.
type ClientConfig struct {
	// Addr is the server's address, for example "100.64.0.1:5001".
	Addr string
	// CC is the kernel congestion control to use (see Available); empty
	// means the kernel default.
	CC string
	// Size is how many bytes to send; 0 sends until Stop.
	Size int64
	// Interval is the TCP_INFO sampling period (DefaultInterval when 0).
	Interval time.Duration
	// OnSample, if set, is called with every sample, one call at a time and
	// in order, from the Client's writer or sampler goroutine. It must
	// return quickly and must not call Stop (Stop waits for those
	// goroutines); Info, Sent, CC and Err are fine.
	OnSample func(Info)
}

// Client is one TCP connection that sends bulk data and samples TCP_INFO.
type Client struct {
	cfg   ClientConfig
	conn  *net.TCPConn
	raw   syscall.RawConn
	start time.Time

	sent  atomic.Int64
	wrote chan struct{} // closed when all Size bytes have been written
	stop  chan struct{} // closed by shutdown: writer and sampler exit
	done  chan struct{} // closed once writer and sampler have exited and the socket is closed
	wg    sync.WaitGroup

	once sync.Once

	sampleMu sync.Mutex
	grid     time.Time     // the sampling grid starts here
	nextDue  time.Duration // next sample is due at grid+nextDue

	mu      sync.Mutex
	err     error
	info    Info
	stopCtx func() bool // stops the ctx watcher; nil until Dial sets it
}

// Dial connects to cfg.Addr with the socket created inside in and
// TCP_CONGESTION set to cfg.CC before connect, verifies that the kernel
// took the congestion control, and starts the writer and the TCP_INFO
// sampler. ctx bounds the connect and the flow's whole life: cancelling it
// stops the flow as Stop does, with Err reporting the cancellation. Call
// Stop when done with the Client (also after Done is closed; it is cheap).
func Dial(ctx context.Context, in InNS, cfg ClientConfig) (*Client, error) {
	name := cfg.CC
	if name == "" {
		name = "the kernel default congestion control"
	}
	wrap := func(err error) error { return fmt.Errorf("tcpflow: dial %s with %s: %w", cfg.Addr, name, err) }
	if cfg.Size < 0 {
		return nil, wrap(fmt.Errorf("size %d is negative", cfg.Size))
	}
	if cfg.Interval < 0 {
		return nil, wrap(fmt.Errorf("sampling interval %v is negative", cfg.Interval))
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultInterval
	}

	start := time.Now()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		if cfg.CC == "" {
			return nil
		}
		var serr error
		if err := rc.Control(func(fd uintptr) {
			serr = unix.SetsockoptString(int(fd), unix.IPPROTO_TCP, unix.TCP_CONGESTION, cfg.CC)
		}); err != nil {
			return err
		}
		if serr != nil {
			if errors.Is(serr, unix.ENOENT) {
				if cerr := CheckCC(cfg.CC); cerr != nil {
					return cerr
				}
			}
			return fmt.Errorf("set TCP_CONGESTION %q: %w", cfg.CC, serr)
		}
		return nil
	}}
	var conn net.Conn
	err := runIn(in, func() error {
		var err error
		conn, err = d.DialContext(ctx, "tcp", cfg.Addr)
		return err
	})
	if err != nil {
		return nil, wrap(err)
	}
	tc, ok := conn.(*net.TCPConn)
	if !ok { // cannot happen for network "tcp"
		conn.Close()
		return nil, wrap(fmt.Errorf("unexpected connection type %T", conn))
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		tc.Close()
		return nil, wrap(err)
	}
	c := &Client{
		cfg:   cfg,
		conn:  tc,
		raw:   raw,
		start: start,
		wrote: make(chan struct{}),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	if cfg.CC != "" {
		got, err := c.CC()
		if err != nil {
			tc.Close()
			return nil, wrap(err)
		}
		if got != cfg.CC {
			tc.Close()
			return nil, wrap(fmt.Errorf("kernel reports congestion control %q after setting %q", got, cfg.CC))
		}
	}
	// A first sample so Info is meaningful (MSS, SRTT of the handshake)
	// before the sampler's first tick.
	if ti, err := c.readInfo(); err == nil {
		c.info = ti
	}

	c.grid = time.Now()
	c.nextDue = cfg.Interval
	c.wg.Add(2)
	go c.writer()
	go c.sampler()
	go func() {
		c.wg.Wait()
		close(c.done)
	}()
	stopCtx := context.AfterFunc(ctx, func() {
		c.shutdown(fmt.Errorf("tcpflow: flow to %s with %s: %w", cfg.Addr, name, context.Cause(ctx)))
	})
	c.mu.Lock()
	c.stopCtx = stopCtx
	c.mu.Unlock()
	return c, nil
}

// CC reads the congestion control the kernel is using on the socket
// (getsockopt TCP_CONGESTION). It fails once the socket is closed.
func (c *Client) CC() (string, error) {
	var (
		cc   string
		gerr error
	)
	if err := c.raw.Control(func(fd uintptr) {
		cc, gerr = unix.GetsockoptString(int(fd), unix.IPPROTO_TCP, unix.TCP_CONGESTION)
	}); err != nil {
		return "", fmt.Errorf("tcpflow: read TCP_CONGESTION: %w", err)
	}
	if gerr != nil {
		return "", fmt.Errorf("tcpflow: read TCP_CONGESTION: %w", gerr)
	}
	return cc, nil
}

// LocalAddr is the client's end of the connection.
func (c *Client) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// Info returns the latest TCP_INFO sample. It is safe from any goroutine
// and keeps returning the last sample after the flow ends.
func (c *Client) Info() Info {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.info
}

// Sent is the number of bytes written to the socket so far.
func (c *Client) Sent() int64 { return c.sent.Load() }

// Done is closed when the flow has ended — all Size bytes sent and acked,
// Stop, ctx cancelled, or an error — and the socket is closed and the
// Client's goroutines have exited.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err is why the flow ended: nil when it completed or was stopped, the
// error otherwise (nil while it runs).
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Stop stops the writer and the sampler, closes the socket and waits for the
// Client's goroutines to exit. It is safe to call more than once, from any
// goroutine except OnSample.
func (c *Client) Stop() {
	c.shutdown(nil)
	<-c.done
}

// shutdown ends the flow for reason err (nil for completion or Stop); the
// first caller wins. Closing the socket unblocks a blocked Write.
func (c *Client) shutdown(err error) {
	c.once.Do(func() {
		c.mu.Lock()
		c.err = err
		stopCtx := c.stopCtx
		c.mu.Unlock()
		close(c.stop)
		c.conn.Close()
		if stopCtx != nil {
			stopCtx()
		}
	})
}

func (c *Client) stopping() bool {
	select {
	case <-c.stop:
		return true
	default:
		return false
	}
}

func (c *Client) writer() {
	defer c.wg.Done()
	buf := make([]byte, clientWriteBuf)
	size := c.cfg.Size
	for size == 0 || c.sent.Load() < size {
		p := buf
		if size > 0 {
			if rem := size - c.sent.Load(); rem < int64(len(p)) {
				p = p[:rem]
			}
		}
		n, err := c.conn.Write(p)
		c.sent.Add(int64(n))
		if err != nil {
			if !c.stopping() {
				c.shutdown(fmt.Errorf("tcpflow: write to %s: %w", c.cfg.Addr, err))
			}
			return
		}
		if _, _, _, err := c.sample(false); err != nil {
			c.sampleFailed(err)
			return
		}
	}
	close(c.wrote)
}

// readInfo reads TCP_INFO once.
func (c *Client) readInfo() (Info, error) {
	var (
		ti   *unix.TCPInfo
		gerr error
	)
	if err := c.raw.Control(func(fd uintptr) {
		ti, gerr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	}); err != nil {
		return Info{}, err
	}
	if gerr != nil {
		return Info{}, gerr
	}
	return convertInfo(ti, time.Since(c.start)), nil
}

// sample reads TCP_INFO when a sample is due on the Interval grid, or
// always when final is set (all bytes written: looking for the last ack),
// and publishes it — stores it for Info and calls OnSample — when it is due
// or shows the flow complete. Both the writer and the sampler call it, so
// that samples keep their cadence when the sampler's ticker is starved by a
// CPU-bound flow; sampleMu keeps OnSample calls one at a time and in order.
func (c *Client) sample(final bool) (in Info, read, complete bool, err error) {
	c.sampleMu.Lock()
	defer c.sampleMu.Unlock()
	el := time.Since(c.grid)
	due := el >= c.nextDue
	if !due && !final {
		return Info{}, false, false, nil
	}
	in, err = c.readInfo()
	if err != nil {
		return Info{}, false, false, err
	}
	complete = final && in.BytesAcked >= c.cfg.Size
	if due {
		c.nextDue = (el/c.cfg.Interval + 1) * c.cfg.Interval
	}
	if due || complete {
		c.mu.Lock()
		c.info = in
		c.mu.Unlock()
		if c.cfg.OnSample != nil {
			c.cfg.OnSample(in)
		}
	}
	return in, true, complete, nil
}

func (c *Client) sampleFailed(err error) {
	if !c.stopping() {
		c.shutdown(fmt.Errorf("tcpflow: read TCP_INFO of flow to %s: %w", c.cfg.Addr, err))
	}
}

func (c *Client) sampler() {
	defer c.wg.Done()
	tick := time.NewTicker(c.cfg.Interval)
	defer tick.Stop()
	wrote := c.wrote
	if c.cfg.Size == 0 {
		wrote = nil // never completes on its own
	}
	var (
		poll     <-chan time.Time
		allWrote bool
	)
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		case <-wrote:
			wrote, allWrote = nil, true
			if c.cfg.Interval > completionPoll {
				p := time.NewTicker(completionPoll)
				defer p.Stop()
				poll = p.C
			}
		case <-poll:
		}
		in, read, complete, err := c.sample(allWrote)
		switch {
		case err != nil:
			c.sampleFailed(err)
			return
		case complete:
			c.shutdown(nil)
			return
		case read && allWrote && in.State == tcpClose:
			c.shutdown(fmt.Errorf("tcpflow: connection to %s closed with %d of %d bytes acked", c.cfg.Addr, in.BytesAcked, c.cfg.Size))
			return
		}
	}
}
