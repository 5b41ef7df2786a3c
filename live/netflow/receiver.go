package netflow

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/ccscope/ccscope/live/transport"
)

// ReceiverConfig configures StartReceiver.
type ReceiverConfig struct {
	// Conn is the receiver's UDP socket, bound and not connected, created
	// by the caller (inside the receiver's namespace). The Receiver owns
	// it from StartReceiver on and closes it when it stops.
	Conn *net.UDPConn
	// Clock is the experiment's clock.
	Clock Clock
}

// Receiver runs a transport.Receiver over a UDP socket in real time: one
// goroutine reads data segments and answers each with an ACK to the
// datagram's source. A Receiver serves one flow: the source of the first
// data segment; datagrams from anywhere else are ignored.
type Receiver struct {
	conn  *net.UDPConn
	clock Clock

	mu  sync.Mutex // guards rcv
	rcv *transport.Receiver

	stopOnce  sync.Once
	stopping  atomic.Bool
	stopAfter func() bool
	done      chan struct{}

	errMu sync.Mutex
	err   error
}

// StartReceiver starts receiving on cfg.Conn.
func StartReceiver(ctx context.Context, cfg ReceiverConfig) (*Receiver, error) {
	switch {
	case cfg.Conn == nil:
		return nil, errors.New("netflow: receiver: no socket")
	case cfg.Clock == nil:
		return nil, errors.New("netflow: receiver: no clock")
	}
	r := &Receiver{conn: cfg.Conn, clock: cfg.Clock, rcv: transport.NewReceiver(), done: make(chan struct{})}
	r.stopAfter = context.AfterFunc(ctx, func() { r.shutdown(nil) })
	go r.loop()
	return r, nil
}

// Stats returns the receiver's counters; safe from any goroutine.
func (r *Receiver) Stats() transport.ReceiverStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rcv.Stats()
}

// Done is closed when the receiver has stopped (Stop, the context, or a
// socket failure) and its socket is closed.
func (r *Receiver) Done() <-chan struct{} { return r.done }

// Err is the socket error that stopped the receiver, or nil.
func (r *Receiver) Err() error {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	return r.err
}

// Stop stops the receiver, waits for its goroutine to exit and closes the
// socket. It may be called more than once and from any goroutine.
func (r *Receiver) Stop() {
	r.shutdown(nil)
	<-r.done
}

func (r *Receiver) shutdown(err error) {
	r.stopOnce.Do(func() {
		r.errMu.Lock()
		r.err = err
		r.errMu.Unlock()
		r.stopping.Store(true)
		r.conn.Close()
	})
}

func (r *Receiver) loop() {
	defer func() {
		r.stopAfter()
		close(r.done)
	}()
	buf := make([]byte, maxDatagram)
	out := make([]byte, 0, transport.WireHeaderBytes+8*transport.MaxSACK)
	var (
		seg, ack transport.Segment
		peer     netip.AddrPort
	)
	for {
		n, from, err := r.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if r.stopping.Load() {
				return
			}
			if errTransient(err) {
				continue
			}
			r.shutdown(fmt.Errorf("netflow: receiving: %w", err))
			return
		}
		if transport.DecodeSegment(buf[:n], &seg) != nil || seg.Kind != transport.KindData {
			continue // a stray datagram
		}
		if !peer.IsValid() {
			peer = from
		} else if from != peer {
			continue // another flow's: this receiver serves one
		}
		r.mu.Lock()
		r.rcv.OnData(r.clock(), &seg, &ack)
		r.mu.Unlock()
		out = transport.AppendSegment(out[:0], &ack)
		if _, err := r.conn.WriteToUDPAddrPort(out, from); err != nil && !errTransient(err) {
			if !r.stopping.Load() {
				r.shutdown(fmt.Errorf("netflow: sending ACK: %w", err))
			}
			return
		}
	}
}
