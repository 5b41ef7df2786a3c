package ccpflow

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ccscope/ccscope/ccp/ipc"
	"github.com/ccscope/ccscope/live/transport"
)

func TestSpecs(t *testing.T) {
	for _, c := range []struct {
		spec, alg string
		ccp       bool
	}{{"ccp", "", true}, {"ccp:cubic", "cubic", true}, {"ccp:reno:per_ack=1", "reno:per_ack=1", true}, {"ccpx", "", false}, {"cubic", "", false}} {
		if IsCCP(c.spec) != c.ccp || (c.ccp && Alg(c.spec) != c.alg) {
			t.Errorf("%q: IsCCP %v Alg %q", c.spec, IsCCP(c.spec), Alg(c.spec))
		}
	}
	if err := Check("ccp:nosuch", false); err == nil {
		t.Error("an unknown built-in algorithm passed")
	}
	if err := Check("ccp:nosuch", true); err != nil {
		t.Errorf("an external agent's algorithm name: %v", err)
	}
}

// TestInProcessFlow: a CCP flow with the in-process agent gets its
// program at once, and the agent's window reaches the sender's control
// at the next ACK after a report.
func TestInProcessFlow(t *testing.T) {
	var notes []string
	d, err := New(Options{Notify: func(s string, _ bool) { notes = append(notes, s) }}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	c, err := d.NewController("ccp:const:cwnd=50000")
	if err != nil {
		t.Fatal(err)
	}
	ctl := transport.Control{MSS: 1448}
	c.Init(&ctl, 0)
	s := transport.Sample{Now: time.Millisecond, CumBytesAcked: 1448, CumPacketsAcked: 1, BytesAcked: 1448, PacketsAcked: 1, RTT: 40 * time.Millisecond}
	c.OnAck(&s, &ctl)
	if ctl.Cwnd != 50000 || c.Mode() != "ccp" {
		t.Fatalf("cwnd %d mode %q, want const's 50000 under ccp; notes %v", ctl.Cwnd, c.Mode(), notes)
	}
	st := d.Status()
	if len(st.Flows) != 1 || st.Flows[0].Cwnd != 50000 || st.State != "connected" {
		t.Fatalf("status %+v", st)
	}
	c.Close(2 * time.Millisecond)
	if len(d.Status().Flows) != 0 {
		t.Fatal("a closed flow is still listed")
	}
}

// BenchmarkOnAck: the per-ACK cost of a CCP cubic flow with the
// in-process agent — filling the primitives, the VM running
// generic-cong-avoid's default program and, once per RTT (every 4000
// ACKs here), a report to the agent and its update.
func BenchmarkOnAck(b *testing.B) {
	d, err := New(Options{}, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	c, err := d.NewController("ccp:cubic")
	if err != nil {
		b.Fatal(err)
	}
	ctl := transport.Control{MSS: 1448}
	c.Init(&ctl, 0)
	s := transport.Sample{CumBytesAcked: 1448, CumPacketsAcked: 1, BytesAcked: 1448, PacketsAcked: 1,
		RTT: 40 * time.Millisecond, BytesInFlight: 100 * 1448, PacketsInFlight: 100, DeliveryRate: 3e6, SendRate: 3e6}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Now = time.Duration(i+1) * 10 * time.Microsecond
		c.OnAck(&s, &ctl)
	}
}

// TestStaleSockets: a socket left by a ccscope process that is gone is
// removed when the next run starts; a live process's socket is kept.
func TestStaleSockets(t *testing.T) {
	dir := t.TempDir()
	dead, err := ipc.Listen(dir, "ccscope-999999999-1") // no such pid
	if err != nil {
		t.Fatal(err)
	}
	dead.Close()
	// Close removed it: make the leftover by hand, as a killed run leaves it.
	left, _ := ipc.Listen(dir, "ccscope-999999999-2")
	mine, _ := ipc.Listen(dir, fmt.Sprintf("ccscope-%d-3", os.Getpid()))
	defer mine.Close()
	_ = left // not closed: its file stays
	removeStaleSockets(dir)
	if _, err := os.Stat(filepath.Join(dir, "ccscope-999999999-2")); !os.IsNotExist(err) {
		t.Fatalf("the dead process's socket is still there: %v", err)
	}
	if _, err := os.Stat(mine.Path()); err != nil {
		t.Fatalf("a live process's socket was removed: %v", err)
	}
}
