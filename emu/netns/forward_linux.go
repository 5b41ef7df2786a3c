//go:build linux

package netns

// This file owns the forwarder: the real-time driver of the two emulated
// links between the namespaces' TUN devices.

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ccscope/ccscope/emu"
)

// Forwarder moves packets between the two devices through the links in
// real time. Two reader goroutines timestamp each packet and enqueue it;
// one scheduler goroutine, on a locked OS thread with fine timer slack,
// sleeps until the next packet can exit (emu.Link.NextExit) and then
// writes every packet due, in exit order. Runtime changes go through Do
// and take effect at once.
type Forwarder struct {
	cfg  ForwarderConfig
	mu   sync.Mutex
	out  []emu.Packet
	wake int // eventfd the readers and Do poke when the next exit moved earlier
	// planned is the time the scheduler sleeps until (under mu).
	planned time.Duration
	pool    sync.Pool
	hist    errHist // delivery error, under mu
	stopped bool    // under mu: Stop has ended the goroutines

	cancel context.CancelFunc
	wg     sync.WaitGroup
	done   chan struct{}
	errMu  sync.Mutex
	err    error
	reads  [2]atomic.Int64
	writes [2]atomic.Int64
	wErrs  atomic.Int64
	cpu    atomic.Int64 // scheduler thread CPU ns, updated as it runs
	rt     atomic.Bool  // the scheduler thread runs at real-time priority
	stop   sync.Once
}

// StartForwarder starts forwarding; Stop ends it.
func StartForwarder(ctx context.Context, cfg ForwarderConfig) (*Forwarder, error) {
	if cfg.Up == nil || cfg.Down == nil || cfg.SenderDev == nil || cfg.ReceiverDev == nil || cfg.Clock == nil {
		return nil, errors.New("forwarder: links, devices and clock are required")
	}
	if cfg.TimerSlack <= 0 {
		cfg.TimerSlack = time.Microsecond
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("forwarder: eventfd: %w", err)
	}
	f := &Forwarder{cfg: cfg, wake: efd, planned: emu.Never, done: make(chan struct{})}
	f.pool.New = func() any { return new(buf) }
	ctx, f.cancel = context.WithCancel(ctx)
	f.wg.Add(4)
	go f.read(ctx, true)
	go f.read(ctx, false)
	go f.schedule(ctx)
	go func() { // wakes the scheduler to stop
		defer f.wg.Done()
		<-ctx.Done()
		f.poke()
	}()
	return f, nil
}

// Stop stops the goroutines, closes both devices and waits. It returns the
// first error that stopped the forwarder early, if any.
func (f *Forwarder) Stop() error {
	f.stop.Do(func() {
		f.cancel()
		f.cfg.SenderDev.Close()
		f.cfg.ReceiverDev.Close()
		f.wg.Wait()
		f.mu.Lock()
		f.stopped = true
		f.mu.Unlock()
		unix.Close(f.wake)
		close(f.done)
	})
	return f.Err()
}

// Err is the error that stopped the forwarder early (a device failing), or
// nil.
func (f *Forwarder) Err() error {
	f.errMu.Lock()
	defer f.errMu.Unlock()
	return f.err
}

func (f *Forwarder) fail(err error) {
	f.errMu.Lock()
	if f.err == nil {
		f.err = err
	}
	f.errMu.Unlock()
	f.cancel()
}

// Do runs fn with both links locked, after delivering everything due: fn
// sees the links at now and may read or change them (a change applies
// from now). The scheduler then replans.
//
// After Stop, Do still runs fn on the links as they were left (nothing
// moves any more).
func (f *Forwarder) Do(fn func(up, down *emu.Link, now time.Duration)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.cfg.Clock()
	if f.stopped {
		fn(f.cfg.Up, f.cfg.Down, now)
		return
	}
	f.deliver(now)
	fn(f.cfg.Up, f.cfg.Down, now)
	f.replan()
}

// read is a reader goroutine: packets from the sender's device enter the
// uplink (up), the receiver's the downlink.
func (f *Forwarder) read(ctx context.Context, up bool) {
	defer f.wg.Done()
	dev, link, dir := f.cfg.ReceiverDev, f.cfg.Down, 1
	if up {
		dev, link, dir = f.cfg.SenderDev, f.cfg.Up, 0
	}
	for {
		b := f.pool.Get().(*buf)
		n, err := dev.Read(b.b[:])
		if err != nil {
			f.pool.Put(b)
			if ctx.Err() == nil {
				f.fail(fmt.Errorf("forwarder: read %s device: %w", side(up), err))
			}
			return
		}
		if n == 0 {
			f.pool.Put(b)
			continue
		}
		b.n = n
		f.reads[dir].Add(1)
		f.mu.Lock()
		flow := 0
		if f.cfg.Classify != nil {
			flow = f.cfg.Classify(up, b.b[:n])
		}
		size := min(n, MaxPacket) + emu.TUNHeaderBytes
		link.Enqueue(f.cfg.Clock(), emu.Packet{Size: size, Flow: flow, Payload: b})
		f.replan()
		f.mu.Unlock()
	}
}

// replan pokes the scheduler when the next exit is now earlier than the
// time it sleeps until. Called with mu held.
func (f *Forwarder) replan() {
	if next := min(f.cfg.Up.NextExit(), f.cfg.Down.NextExit()); next < f.planned {
		f.planned = next
		f.poke()
	}
}

func (f *Forwarder) poke() {
	var one = [8]byte{1}
	unix.Write(f.wake, one[:]) // EAGAIN means a poke is already pending
}

// schedule is the scheduler goroutine.
func (f *Forwarder) schedule(ctx context.Context) {
	defer f.wg.Done()
	// The thread sleeps in ppoll with a nanosecond timeout; Go's own
	// timers wake at millisecond granularity when the runtime is idle.
	// The thread is never unlocked: the runtime discards it at exit.
	runtime.LockOSThread()
	unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(f.cfg.TimerSlack.Nanoseconds()), 0, 0, 0)
	// Real-time priority (root may have it) makes the kernel run the
	// thread the moment its timer fires, whatever else is runnable: the
	// difference between a p99 delivery error of 40 µs and of milliseconds
	// on a busy 2-core machine. The thread sleeps between deliveries, and
	// the kernel's RT throttling bounds it if it ever did not.
	if unix.SchedSetAttr(0, &unix.SchedAttr{Policy: unix.SCHED_FIFO, Priority: 1}, 0) == nil {
		f.rt.Store(true)
		defer unix.SchedSetAttr(0, &unix.SchedAttr{Policy: 0 /* SCHED_OTHER */}, 0)
	}
	cpu0 := threadCPU()
	fds := []unix.PollFd{{Fd: int32(f.wake), Events: unix.POLLIN}}
	var drain [8]byte
	for ctx.Err() == nil {
		f.mu.Lock()
		now := f.cfg.Clock()
		f.deliver(now)
		next := min(f.cfg.Up.NextExit(), f.cfg.Down.NextExit())
		f.planned = next
		f.mu.Unlock()
		f.cpu.Store(threadCPU() - cpu0)

		var ts *unix.Timespec
		if next != emu.Never {
			d := max(next-f.cfg.Clock(), 0)
			t := unix.NsecToTimespec(d.Nanoseconds())
			ts = &t
		}
		if ts != nil && ts.Sec == 0 && ts.Nsec == 0 {
			continue
		}
		if _, err := unix.Ppoll(fds, ts, nil); err != nil && !errors.Is(err, unix.EINTR) {
			f.fail(fmt.Errorf("forwarder: ppoll: %w", err))
			return
		}
		if fds[0].Revents&unix.POLLIN != 0 {
			unix.Read(f.wake, drain[:])
		}
	}
}

// deliver writes out every packet due by now. Called with mu held.
func (f *Forwarder) deliver(now time.Duration) {
	for dir, l := range [2]*emu.Link{f.cfg.Up, f.cfg.Down} {
		f.out = l.Advance(now, f.out[:0])
		if len(f.out) == 0 {
			continue
		}
		up := dir == 0
		dev := f.cfg.SenderDev
		if up {
			dev = f.cfg.ReceiverDev
		}
		for i := range f.out {
			p := &f.out[i]
			b := p.Payload.(*buf)
			t := f.cfg.Clock()
			if _, err := dev.Write(b.b[:b.n]); err != nil {
				f.wErrs.Add(1)
			} else {
				f.writes[dir].Add(1)
			}
			f.hist.add(t - p.Exit)
			if f.cfg.OnExit != nil {
				f.cfg.OnExit(up, p, t)
			}
			p.Payload = nil
			f.pool.Put(b)
		}
	}
}

func side(up bool) string {
	if up {
		return "sender's"
	}
	return "receiver's"
}

// Stats returns the counters so far.
func (f *Forwarder) Stats() ForwardStats {
	var st ForwardStats
	for i := range 2 {
		st.Read[i], st.Written[i] = f.reads[i].Load(), f.writes[i].Load()
	}
	st.WriteErrors = f.wErrs.Load()
	f.mu.Lock()
	st.Delivered = f.hist.n
	st.ErrorP50, st.ErrorP99, st.ErrorMax = f.hist.quantile(0.5), f.hist.quantile(0.99), f.hist.max
	f.mu.Unlock()
	st.SchedulerCPU = time.Duration(f.cpu.Load())
	st.RealTime = f.rt.Load()
	return st
}

// threadCPU is the calling thread's CPU time in ns.
func threadCPU() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return ts.Nano()
}
