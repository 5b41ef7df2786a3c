package netrun

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccscope/ccscope/emu/netns"
	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
	"github.com/ccscope/ccscope/live/store"
)

// needRoot skips without the netns backend unless CCSCOPE_CI is set (CI
// is root: there it is a failure).
func needRoot(t testing.TB) {
	t.Helper()
	if err := netns.Check(); err != nil {
		if os.Getenv("CCSCOPE_CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

func experiment(d time.Duration, rate string, flows ...string) live.Experiment {
	exp := live.DefaultExperiment()
	exp.Name = ""
	exp.Backend = live.BackendNetns
	exp.Duration = d
	exp.Uplink = live.LinkSpec{Capacity: rate, Delay: 10 * time.Millisecond, Queue: "droptail", QueueArgs: "packets=100"}
	exp.Downlink = live.LinkSpec{Capacity: rate, Delay: 10 * time.Millisecond}
	exp.Flows = nil
	for _, s := range flows {
		exp.Flows = append(exp.Flows, live.FlowSpec{Scheme: s})
	}
	return exp
}

// lastMean is the mean of a series' values after t.
func meanAfter(t *testing.T, st *store.Store, key string, after time.Duration) float64 {
	t.Helper()
	s := st.Lookup(key)
	if s == nil {
		t.Fatalf("no series %s (have %v)", key, st.Keys())
	}
	sum, n := 0.0, 0
	for _, p := range s.Points(after, time.Hour) {
		if !math.IsNaN(p.V) {
			sum += p.V
			n++
		}
	}
	if n == 0 {
		t.Fatalf("series %s has no values after %v", key, after)
	}
	return sum / float64(n)
}

// A kernel flow and a userspace flow share a 20 Mbit/s link; a bandwidth
// change applies at once; the series, snapshot and summary describe it;
// Close leaves nothing behind.
func TestEngineRun(t *testing.T) {
	needRoot(t)
	st := store.NewStore()
	exp := experiment(4*time.Second, "20mbit", "kernel:reno", "cubic")
	exp.Timeline = []live.TimedChange{{At: 2 * time.Second, Command: "uplink bw 10mbit"}}
	e, err := New(exp, Options{NewController: cc.New, Recorder: live.StoreRecorder(st)})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if !e.RealTime() {
		t.Fatal("not real time")
	}
	time.Sleep(1500 * time.Millisecond)
	e.RunUntil(e.End())
	sn := e.Snapshot()
	if sn.Backend != live.BackendNetns || len(sn.Flows) != 2 {
		t.Fatalf("snapshot: backend %q, %d flows", sn.Backend, len(sn.Flows))
	}
	for _, f := range sn.Flows {
		if !f.Started || f.Cwnd <= 0 || f.SRTT < 20*time.Millisecond || f.Delivered <= 0 {
			t.Errorf("flow %d (%s) at 1.5 s: started %v cwnd %d srtt %v delivered %d", f.ID, f.Scheme, f.Started, f.Cwnd, f.SRTT, f.Delivered)
		}
	}
	if sn.Flows[0].Scheme != "kernel:reno" || sn.Flows[1].Scheme != "cubic" {
		t.Errorf("schemes %q %q", sn.Flows[0].Scheme, sn.Flows[1].Scheme)
	}
	if err := e.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if !e.Done() || e.Now() < 4*time.Second-50*time.Millisecond {
		t.Fatalf("done %v at %v", e.Done(), e.Now())
	}
	if c := meanAfter(t, st, "link/uplink/capacity", 0); c < 10e6 {
		t.Errorf("uplink capacity %.1f Mbit/s before the change", c/1e6)
	}
	if c := meanAfter(t, st, "link/uplink/capacity", 2100*time.Millisecond); math.Abs(c-10e6) > 0.5e6 {
		t.Errorf("uplink capacity %.2f Mbit/s after bw 10mbit, want 10", c/1e6)
	}
	if d := meanAfter(t, st, "link/uplink/departures", 2500*time.Millisecond); d < 8e6 || d > 10.2e6 {
		t.Errorf("uplink egress %.2f Mbit/s after bw 10mbit, want about 10", d/1e6)
	}
	for _, k := range []string{"flow/1/cwnd", "flow/1/srtt", "flow/2/cwnd", "flow/1/owd", "flow/2/throughput"} {
		meanAfter(t, st, k, 0)
	}
	sum := e.Summary()
	if sum.Utilization < 80 || len(sum.Flows) != 2 {
		t.Errorf("summary: utilization %.1f%%, %d flows", sum.Utilization, len(sum.Flows))
	}
	for _, f := range sum.Flows {
		if f.Throughput <= 0.5 || !f.DelayValid || f.DelayP95 < 10 {
			t.Errorf("flow %d: %.2f Mbit/s, p95 %.1f ms", f.ID, f.Throughput, f.DelayP95)
		}
	}
	var changed bool
	for _, r := range e.Timeline() {
		if r.Kind == live.RecordChange && r.Scripted && strings.Contains(r.Text, "10mbit") {
			changed = true
		}
	}
	if !changed {
		t.Errorf("the change is not in the timeline: %v", e.Timeline())
	}
	st0 := e.ForwardStats()
	if st0.Written[0] == 0 || st0.Written[1] == 0 {
		t.Errorf("forwarder stats %+v", st0)
	}
	e.Close()
	if err := e.CloseErr(); err != nil {
		t.Errorf("close: %v", err)
	}
}

// A manual flow follows the rate the user sets, on real packets, and the
// pcap files hold what crossed.
func TestEngineManualAndPcap(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	exp := experiment(3*time.Second, "50mbit", "manual")
	e, err := New(exp, Options{NewController: cc.New, Pcap: filepath.Join(dir, "s.pcap"), ReceiverPcap: filepath.Join(dir, "r.pcap")})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	time.Sleep(200 * time.Millisecond)
	if err := e.Apply(live.FlowSet{ID: 1, What: "cwnd", Value: 1000}); err != nil {
		t.Fatal(err)
	}
	if err := e.Apply(live.FlowSet{ID: 1, What: "rate", Value: 5e6}); err != nil {
		t.Fatal(err)
	}
	if err := e.Apply(live.FlowSet{ID: 2, What: "rate", Value: 5e6}); err == nil {
		t.Error("setting a flow that does not exist worked")
	}
	if err := e.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	sum := e.Summary()
	if got := sum.Flows[0].Throughput; got < 4.5 || got > 5.8 {
		t.Errorf("manual flow at 5 Mbit/s: %.2f Mbit/s", got)
	}
	snd, rcv := e.Captured()
	fs := e.ForwardStats()
	e.Close()
	if snd <= 0 || rcv <= 0 {
		t.Fatalf("captured %d and %d packets", snd, rcv)
	}
	// Data packets (5 Mbit/s for ~3 s) on both sides; nothing lost on
	// an unloaded link, so the two sides differ only by the packets in
	// flight at the end, either way (data not yet out of the uplink, ACKs
	// not yet out of the downlink).
	if d := snd - rcv; d > snd/10 || d < -snd/10 {
		t.Errorf("sender side %d packets, receiver side %d", snd, rcv)
	}
	if int64(snd) < fs.Read[0] {
		t.Errorf("sender pcap %d packets, but %d entered the uplink", snd, fs.Read[0])
	}
	for _, p := range []string{"s.pcap", "r.pcap"} {
		fi, err := os.Stat(filepath.Join(dir, p))
		if err != nil || fi.Size() < 24 {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// A command in the sender's namespace sees the receiver's address; the run
// ends when it exits.
func TestEngineCommand(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "env")
	exp := experiment(10*time.Second, "10mbit")
	exp.Command = []string{"sh", "-c", "echo $CCSCOPE_BASE $MAHIMAHI_BASE > " + out + "; sleep 0.5"}
	e, err := New(exp, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	start := time.Now()
	if err := e.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the run lasted %v after its command exited at 0.5 s", d)
	}
	b, err := os.ReadFile(out)
	if err != nil || strings.TrimSpace(string(b)) != "100.64.0.1 100.64.0.1" {
		t.Errorf("command saw %q (%v)", b, err)
	}
	if e.End() >= 10*time.Second {
		t.Errorf("end %v: not the command's exit", e.End())
	}
}

// Bad experiments are refused with errors that say what to do.
func TestEngineErrors(t *testing.T) {
	needRoot(t)
	exp := experiment(time.Second, "10mbit", "kernel:nosuchcc")
	if _, err := New(exp, Options{NewController: cc.New}); err == nil || !strings.Contains(err.Error(), "this kernel offers") {
		t.Errorf("unknown kernel cc: %v", err)
	}
	exp = experiment(time.Second, "10mbit", "cubic")
	exp.Backend = live.BackendSim
	if _, err := New(exp, Options{NewController: cc.New}); err == nil {
		t.Error("a sim experiment was accepted")
	}
	exp = experiment(time.Second, "10mbit")
	exp.Command = []string{"no-such-program-ccscope"}
	if _, err := New(exp, Options{}); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("missing program: %v", err)
	}
}

// CCP flows run on real packets: two share the in-process agent's
// datapath (run with -race), and both get their share of the link.
func TestEngineCCP(t *testing.T) {
	needRoot(t)
	e, err := New(experiment(3*time.Second, "20mbit", "ccp:cubic", "ccp:reno"), Options{NewController: cc.New})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	sn := e.Snapshot()
	if sn.CCP == nil || len(sn.CCP.Flows) != 2 {
		t.Fatalf("CCP status %+v", sn.CCP)
	}
	sum := e.Summary()
	for _, f := range sum.Flows {
		if f.Throughput < 1 {
			t.Errorf("flow %d (%s): %.2f Mbit/s", f.ID, f.Scheme, f.Throughput)
		}
	}
	if sum.Utilization < 85 {
		t.Errorf("utilization %.1f%%", sum.Utilization)
	}
}
