package netflow

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// SenderConfig configures StartSender.
type SenderConfig struct {
	// Conn is the sender's UDP socket, created and connected to the
	// receiver by the caller (inside the sender's namespace). The Sender
	// owns it from StartSender on and closes it when it stops.
	Conn *net.UDPConn
	// Size is the number of bytes to send; 0 sends until stopped.
	Size int64
	// Controller is the flow's congestion control; it is called only with
	// the sender's lock held (see Sender.Do).
	Controller transport.Controller
	// Clock is the experiment's clock.
	Clock Clock
	// Lock, if set, is the lock the sender holds while it runs the
	// transport and its controller, instead of one of its own: flows whose
	// controllers share state (CCP flows on one datapath) share one.
	Lock sync.Locker
}

// catchUpGaps is how many pacing gaps of lateness a paced flow makes up
// (see Sender.credit).
const catchUpGaps = 2

// maxBatch bounds the segments the send loop takes from the transport
// under one lock before writing them.
const maxBatch = 32

// maxDatagram is the largest datagram the sockets read: UDP's maximum
// payload, so that an oversized datagram is read whole and rejected, not
// truncated into something that decodes.
const maxDatagram = 65535

// Sender runs a transport.Sender over a connected UDP socket in real time.
// It owns two goroutines, a send loop and an ACK reader, which stop when
// the flow is completely acknowledged, Stop is called, the context given
// to StartSender is cancelled, or the socket fails.
type Sender struct {
	conn  *net.UDPConn
	clock Clock

	mu  sync.Locker // guards snd (and so the controller); cfg.Lock or its own
	snd *transport.Sender

	// wake tells the send loop that an ACK or a Do may have made a
	// transmission or a timer due earlier than it planned.
	wake chan struct{}

	stopOnce  sync.Once
	stop      chan struct{} // closed by shutdown
	stopping  atomic.Bool   // stop is closed; cheap to poll while spinning
	stopAfter func() bool   // unregisters the context's AfterFunc
	running   atomic.Int32  // goroutines still running
	done      chan struct{} // closed when both goroutines have exited

	errMu sync.Mutex
	err   error

	// Send loop state. lastSend is the latest time the loop gave snd's
	// Send or OnTimer: a paced segment's credit never takes its time
	// before it, so send times never go backwards. seg and out are reused
	// for every batch.
	lastSend time.Duration
	// stalled is the pacing lateness the credit did not make up (guarded
	// by mu).
	stalled time.Duration
	seg     transport.Segment
	out     [maxBatch][]byte
	timer   *time.Timer
}

// StartSender starts sending a flow over cfg.Conn. The flow starts at
// cfg.Clock()'s current time.
func StartSender(ctx context.Context, cfg SenderConfig) (*Sender, error) {
	switch {
	case cfg.Conn == nil:
		return nil, errors.New("netflow: sender: no socket")
	case cfg.Controller == nil:
		return nil, errors.New("netflow: sender: no congestion controller")
	case cfg.Clock == nil:
		return nil, errors.New("netflow: sender: no clock")
	}
	mu := cfg.Lock
	if mu == nil {
		mu = new(sync.Mutex)
	}
	mu.Lock()
	snd, err := transport.NewSender(transport.SenderConfig{Size: cfg.Size}, cfg.Controller, cfg.Clock())
	mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("netflow: sender: %w", err)
	}
	s := &Sender{
		mu:    mu,
		conn:  cfg.Conn,
		clock: cfg.Clock,
		snd:   snd,
		wake:  make(chan struct{}, 1),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
		timer: time.NewTimer(time.Hour),
	}
	s.timer.Stop()
	for i := range s.out {
		s.out[i] = make([]byte, 0, transport.WireHeaderBytes+transport.MSS)
	}
	s.running.Store(2)
	s.stopAfter = context.AfterFunc(ctx, func() { s.shutdown(nil) })
	go s.sendLoop()
	go s.ackLoop()
	return s, nil
}

// Do runs fn with the sender's state locked: to sample cwnd, RTT and
// counters, or to Reconfigure a manual or CCP flow from another goroutine.
// fn must not keep snd. Do works after the sender has stopped too (the
// state is then final).
func (s *Sender) Do(fn func(snd *transport.Sender)) {
	s.mu.Lock()
	fn(s.snd)
	s.mu.Unlock()
	s.poke()
}

// Stalled is how much later than their release times paced transmissions
// left, beyond what the send loop made up (see the package comment): the
// transmission time the host's scheduling cost the flow, which the sim
// would not have lost. A few ms a second means the host is too busy for
// this flow's rate to be faithful.
func (s *Sender) Stalled() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stalled
}

// Done is closed when the sender has stopped: a sized flow was completely
// acknowledged, Stop was called, the context was cancelled, or the socket
// failed (see Err). Both goroutines have exited and the socket is closed
// by then.
func (s *Sender) Done() <-chan struct{} { return s.done }

// Err is the socket error that stopped the sender, or nil (still running,
// finished, or stopped by Stop or the context).
func (s *Sender) Err() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

// Stop stops the sender, waits for its goroutines to exit and closes the
// socket. It may be called more than once and from any goroutine.
func (s *Sender) Stop() {
	s.shutdown(nil)
	<-s.done
}

// shutdown makes both goroutines stop (closing the socket unblocks the
// reader), recording err if it is the first reason.
func (s *Sender) shutdown(err error) {
	s.stopOnce.Do(func() {
		s.errMu.Lock()
		s.err = err
		s.errMu.Unlock()
		s.stopping.Store(true)
		close(s.stop)
		s.conn.Close()
	})
}

// exit is each goroutine's last act; the last one out closes done.
func (s *Sender) exit() {
	if s.running.Add(-1) == 0 {
		s.stopAfter()
		close(s.done)
	}
}

// poke wakes the send loop if it is waiting on its timer or the window.
func (s *Sender) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// sendLoop runs timers and transmissions as the sim's step does, at the
// real time of each wake-up.
func (s *Sender) sendLoop() {
	defer s.exit()
	planned := transport.Never // the pacing release the last wait was for
	for !s.stopping.Load() {
		s.mu.Lock()
		// Read under the lock: the times the ACK reader gives the
		// sender, also read under it, then never go backwards.
		now := s.clock()
		if s.snd.NextTimer() <= now {
			s.snd.OnTimer(now)
			s.lastSend = now // no credit before a timer's time
		}
		n := 0
		for n < maxBatch {
			due := s.snd.NextSend()
			if due > now {
				break
			}
			at := now
			if planned != transport.Never && due >= planned {
				c := s.credit(now - due)
				s.stalled += now - due - c
				at = max(now-c, s.lastSend)
			}
			if !s.snd.Send(at, &s.seg) {
				break
			}
			s.lastSend = at
			s.out[n] = transport.AppendSegment(s.out[n][:0], &s.seg)
			n++
		}
		nextSend := s.snd.NextSend()
		next := min(nextSend, s.snd.NextTimer())
		s.mu.Unlock()
		for i := range n {
			if _, err := s.conn.Write(s.out[i]); err != nil && !errTransient(err) {
				if !s.stopping.Load() {
					s.shutdown(fmt.Errorf("netflow: sending: %w", err))
				}
				return
			}
		}
		planned = transport.Never
		if n < maxBatch {
			if next == nextSend {
				planned = nextSend
			}
			s.waitUntil(next, planned != transport.Never)
		}
	}
}

// credit is how much of a paced transmission's lateness (how long after
// its release time the send loop got to it) the transmission may make up:
// the lateness, up to catchUpGaps pacing gaps of a full segment. Called
// with the lock held.
//
// transport.Sender paces from the time Send is called, which in real time
// is when the send loop woke up, so every late wake-up would be rate lost
// for good: on a busy machine a 20 Mbit/s flow lost 5–12%. Linux meets the
// same problem by shortening the next pacing gap by up to half of it
// (tcp_update_skb_after_send, "take into account OS jitter"); the send loop
// instead gives Send a time earlier than the clock by the credit (never
// earlier than the release time or the time of an earlier transmission
// or timer; an ACK may have been processed at a later time, which the
// transport does not mind). The schedule then continues from the release time, so after a stall of
// up to catchUpGaps gaps the flow catches up with a burst of at most
// catchUpGaps+1 segments, and the Sent stamps of those segments are early
// by at most the stall: they say when the segment was due, not when the
// host got round to it.
func (s *Sender) credit(late time.Duration) time.Duration {
	c := s.snd.Control()
	if c.PacingRate <= 0 || late <= 0 {
		return 0
	}
	gap := time.Duration(float64(c.MSS) / c.PacingRate * float64(time.Second))
	return min(late, catchUpGaps*gap)
}

// waitUntil returns at deadline (experiment time), or earlier when poked
// or stopped. A precise wait (for a pacing release) ends with a nanosleep
// and a spin, which a poke cannot cut short; a timer's (RTO, RACK) uses
// only the Go timer, about a millisecond coarse, so that an ACK opening
// the window meanwhile is acted on at once.
func (s *Sender) waitUntil(deadline time.Duration, precise bool) {
	if deadline == transport.Never {
		select {
		case <-s.wake:
		case <-s.stop:
		}
		return
	}
	for !s.stopping.Load() {
		d := deadline - s.clock()
		switch {
		case d <= 0:
			return
		case d > coarseMargin || !precise:
			if precise {
				d -= coarseMargin
			}
			s.timer.Reset(d)
			select {
			case <-s.timer.C:
			case <-s.wake:
				s.timer.Stop()
				return
			case <-s.stop:
				s.timer.Stop()
				return
			}
			continue
		}
		select {
		case <-s.wake:
			return
		default:
		}
		if d > spinMargin {
			nanosleep(d - spinMargin)
		} else {
			yield()
		}
	}
}

// ackLoop reads ACKs and hands them to the transport.
func (s *Sender) ackLoop() {
	defer s.exit()
	buf := make([]byte, maxDatagram)
	var ack transport.Segment
	for {
		n, err := s.conn.Read(buf)
		if err != nil {
			if s.stopping.Load() {
				return
			}
			if errTransient(err) {
				continue
			}
			s.shutdown(fmt.Errorf("netflow: reading ACKs: %w", err))
			return
		}
		if transport.DecodeSegment(buf[:n], &ack) != nil || ack.Kind != transport.KindAck {
			continue // not ours: a stray datagram
		}
		s.mu.Lock()
		s.snd.OnAck(s.clock(), &ack)
		finished := s.snd.Done()
		s.mu.Unlock()
		if finished {
			s.shutdown(nil)
			return
		}
		s.poke()
	}
}
