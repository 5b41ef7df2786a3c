package ipc

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestUnixRoundTrip: two endpoints in a private directory exchange
// datagrams; the receiver learns the sender's path and replies to it; a
// send to a socket nobody listens on fails with ErrNoPeer; Close removes
// the path; a stale socket is replaced, a regular file is not.
func TestUnixRoundTrip(t *testing.T) {
	dir := t.TempDir()
	agent, err := Listen(dir, "portus")
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Close()
	dp, err := Listen(dir, "dp-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := dp.SendTo(agent.Path(), []byte("hello")); err != nil {
		t.Fatal(err)
	}
	msg, from, err := agent.Recv(time.Now().Add(time.Second))
	if err != nil || string(msg) != "hello" || from != dp.Path() {
		t.Fatalf("recv %q from %q: %v", msg, from, err)
	}
	if err := agent.SendTo(from, []byte("reply")); err != nil {
		t.Fatal(err)
	}
	if msg, _, err := dp.Recv(time.Now().Add(time.Second)); err != nil || !bytes.Equal(msg, []byte("reply")) {
		t.Fatalf("reply %q: %v", msg, err)
	}
	if _, _, err := dp.Recv(time.Now().Add(10 * time.Millisecond)); !IsTimeout(err) {
		t.Fatalf("recv with nothing sent: %v", err)
	}
	if err := dp.SendTo(Path(dir, "nobody"), []byte("x")); !errors.Is(err, ErrNoPeer) {
		t.Fatalf("send to nobody: %v", err)
	}
	dp.Close()
	if _, err := os.Stat(Path(dir, "dp-1")); !os.IsNotExist(err) {
		t.Fatalf("the socket is still there after Close: %v", err)
	}
	if err := agent.SendTo(Path(dir, "dp-1"), []byte("x")); !errors.Is(err, ErrNoPeer) {
		t.Fatalf("send to a closed peer: %v", err)
	}
	// A new agent replaces a stale socket (a crashed one's).
	again, err := Listen(dir, "portus")
	if err != nil {
		t.Fatalf("rebinding over the old socket: %v", err)
	}
	again.Close()
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)
	if _, err := Listen(dir, "file"); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("binding over a regular file: %v", err)
	}
	for _, bad := range []string{"", "a/b", "..", strings.Repeat("x", 120)} {
		if _, err := Listen(dir, bad); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
}

// TestPipe: sends arrive synchronously as copies; closed ends fail.
func TestPipe(t *testing.T) {
	a, b := Pipe()
	var got [][]byte
	b.Handle(func(m []byte) { got = append(got, m) })
	msg := []byte{1, 2, 3}
	if err := a.Send(msg); err != nil {
		t.Fatal(err)
	}
	msg[0] = 9
	if len(got) != 1 || got[0][0] != 1 {
		t.Fatalf("got %v: not a synchronous copy", got)
	}
	if err := b.Send(msg); err == nil {
		t.Fatal("send to an end without a handler succeeded")
	}
	b.Close()
	if err := a.Send(msg); !errors.Is(err, ErrClosed) {
		t.Fatalf("send to a closed end: %v", err)
	}
	if a.Sent() != 1 {
		t.Fatalf("sent %d", a.Sent())
	}
}

// BenchmarkUnixMessages: messages per second one way through the unix
// transport (a 64-byte MEASURE-sized datagram), sender and receiver in
// separate goroutines.
func BenchmarkUnixMessages(b *testing.B) {
	dir := b.TempDir()
	rx, err := Listen(dir, "rx")
	if err != nil {
		b.Fatal(err)
	}
	defer rx.Close()
	tx, err := Listen(dir, "tx")
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Close()
	done := make(chan int)
	go func() {
		n := 0
		for n < b.N {
			if _, _, err := rx.Recv(time.Now().Add(2 * time.Second)); err != nil {
				break
			}
			n++
		}
		done <- n
	}()
	msg := make([]byte, 64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for tx.SendTo(rx.Path(), msg) != nil {
			// the receiver's buffer is full: let it drain
		}
	}
	n := <-done
	b.StopTimer()
	if n != b.N {
		b.Fatalf("received %d of %d", n, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
