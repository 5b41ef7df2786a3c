package tcpflow

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
)

// serverReadBuf is the size of each connection's read buffer.
const serverReadBuf = 256 << 10

// Server accepts TCP connections and reads and discards everything they send.
type Server struct {
	ln    net.Listener
	bytes atomic.Int64

	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	closed  bool
	stopCtx func() bool // stops the ctx watcher; nil until Listen sets it

	wg        sync.WaitGroup
	closeOnce sync.Once
}

// Listen starts a Server on addr (for example "100.64.0.1:5001"), creating
// the listening socket inside in. Connections it accepts live in the same
// namespace. Cancelling ctx closes the Server as Close does.
func Listen(ctx context.Context, in InNS, addr string) (*Server, error) {
	var ln net.Listener
	err := runIn(in, func() error {
		var lc net.ListenConfig
		var err error
		ln, err = lc.Listen(ctx, "tcp", addr)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tcpflow: listen on %s: %w", addr, err)
	}
	s := &Server{ln: ln, conns: make(map[net.Conn]struct{})}
	s.wg.Add(1)
	go s.acceptLoop()
	stopCtx := context.AfterFunc(ctx, func() { s.Close() })
	s.mu.Lock()
	s.stopCtx = stopCtx
	s.mu.Unlock()
	return s, nil
}

// Addr is the address the Server listens on (useful with port 0).
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Bytes is the total number of bytes received on all connections so far.
func (s *Server) Bytes() int64 { return s.bytes.Load() }

// Close stops accepting, closes every connection and waits for the Server's
// goroutines to exit. It is safe to call more than once and concurrently.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.mu.Lock()
		if s.stopCtx != nil {
			s.stopCtx()
		}
		s.closed = true
		err = s.ln.Close()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		if err != nil {
			err = fmt.Errorf("tcpflow: close listener %s: %w", s.ln.Addr(), err)
		}
	})
	s.wg.Wait()
	return err
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			// Closed listener (or a fatal error): stop accepting. Close
			// reports listener errors; connections already accepted keep
			// being drained until they end or Close closes them.
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.drain(c)
	}
}

func (s *Server) drain(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	buf := make([]byte, serverReadBuf)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			s.bytes.Add(int64(n))
		}
		if err != nil {
			return
		}
	}
}
