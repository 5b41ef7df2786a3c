package ipc

import (
	"errors"
	"sync/atomic"
)

// End is one end of an in-process pipe. Send copies the message and hands
// it to the other end's handler before returning, so a run with an
// in-process agent is as deterministic as the code on both ends: a report
// sent during a datapath invocation has its reply staged before the
// invocation returns, as a fast agent's would be. Messages still travel
// encoded, so both ends exercise the codec.
type End struct {
	peer    *End
	handler atomic.Pointer[func(msg []byte)]
	closed  atomic.Bool
	sent    atomic.Int64
}

// Pipe returns two connected ends.
func Pipe() (a, b *End) {
	a, b = &End{}, &End{}
	a.peer, b.peer = b, a
	return a, b
}

// ErrClosed marks a send on or to a closed end.
var ErrClosed = errors.New("ccp pipe: closed")

// Handle sets the function that receives the messages sent to this end.
func (e *End) Handle(fn func(msg []byte)) { e.handler.Store(&fn) }

// Send delivers a copy of msg to the other end's handler.
func (e *End) Send(msg []byte) error {
	if e.closed.Load() || e.peer.closed.Load() {
		return ErrClosed
	}
	h := e.peer.handler.Load()
	if h == nil {
		return errors.New("ccp pipe: nobody handles this end yet")
	}
	e.sent.Add(1)
	(*h)(append([]byte(nil), msg...))
	return nil
}

// Close makes every later send on either end fail, as a dead peer's
// socket would.
func (e *End) Close() { e.closed.Store(true) }

// Sent counts the messages this end sent.
func (e *End) Sent() int64 { return e.sent.Load() }
