package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// run executes ccscope in-process and returns its exit status and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, Args: append([]string{"ccscope"}, args...)}
	code := Run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := run(t, args...)
	if code != 0 {
		t.Fatalf("ccscope %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func sharedTraces(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("..", "..", "shared", "traces"))
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CCSCOPE_CI") != "" {
			t.Fatalf("CCSCOPE_CI is set but the shared traces are missing: %v", err)
		}
		t.Skipf("shared traces not found at %s", dir)
	}
	return dir
}

// expectedCapacityLine computes what mm-throughput-graph prints for a
// --once, no-traffic log of a trace, straight from the trace's lines:
// n·12032/(last−first) bits per ms.
func expectedCapacityLine(t *testing.T, path string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var n, first, last int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, err := strconv.ParseInt(sc.Text(), 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if n == 0 {
			first = v
		}
		last = v
		n++
	}
	return fmt.Sprintf("Average capacity: %.2f Mbits/s", float64(n)*12032/float64(last-first)/1000)
}

// TestOnceCapacityMatchesMahimahi: for every shared trace, `ccscope link
// --once` with no traffic then `ccscope analyze` prints mahimahi's
// Average capacity line.
func TestOnceCapacityMatchesMahimahi(t *testing.T) {
	dir := sharedTraces(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	checked := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		want := expectedCapacityLine(t, path)
		if strings.Contains(want, "Inf") {
			continue // a single-instant trace (e.g. "1"): no span to divide by
		}
		log := filepath.Join(tmp, e.Name()+".log")
		mustRun(t, "link", "--uplink", path, "--downlink", path, "--once", "--uplink-log", log)
		out := mustRun(t, "analyze", log)
		if got := strings.SplitN(out, "\n", 2)[0]; got != want {
			t.Errorf("%s: %q, want %q", e.Name(), got, want)
		}
		checked++
	}
	if checked < 15 {
		t.Fatalf("checked %d traces", checked)
	}
	// The spec's published number (sourdough contest).
	log := filepath.Join(tmp, "vz.log")
	mustRun(t, "link", filepath.Join(dir, "Verizon-LTE-short.down"), filepath.Join(dir, "Verizon-LTE-short.up"), "--once", "--uplink-log", log)
	if out := mustRun(t, "analyze", log); !strings.HasPrefix(out, "Average capacity: 5.04 Mbits/s\n") {
		t.Fatalf("Verizon-LTE-short.down: %q", out)
	}
}

// TestRateHalvingBins: a 10-s CBR run whose rate halves at 5 s shows the
// capacity per 500-ms bin halving at that bin.
func TestRateHalvingBins(t *testing.T) {
	log := filepath.Join(t.TempDir(), "up.log")
	mustRun(t, "link", "--uplink", "12mbit", "--downlink", "12mbit", "--cbr", "12mbit",
		"--duration", "10s", "--at", "5s bw 6mbit", "--uplink-log", log)
	out := mustRun(t, "analyze", "--bins", log)
	var caps []float64
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 4 && line[0] >= '0' && line[0] <= '9' {
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				t.Fatalf("bin line %q", line)
			}
			caps = append(caps, v)
		}
	}
	if len(caps) != 21 {
		t.Fatalf("%d bins:\n%s", len(caps), out)
	}
	// Mahimahi's scale: one 1504-byte opportunity per ms is 24.064 Mbit
	// per 500-ms bin... i.e. 12.032 Mbit/s; half is 6.016.
	for i, c := range caps[:20] {
		want := 12.032
		if i >= 10 {
			want = 6.016
		}
		if c < want*0.99 || c > want*1.001 {
			t.Errorf("bin %d capacity %.3f Mbit/s, want %.3f", i, c, want)
		}
	}
	// The CBR source keeps sending 12 Mbit/s: egress follows the capacity.
	if !strings.Contains(out, "Average capacity: 9.0") {
		t.Errorf("summary: %s", out)
	}
}

func TestTraceCommands(t *testing.T) {
	tmp := t.TempDir()
	tr := filepath.Join(tmp, "step.trace")
	mustRun(t, "trace", "gen", "--steps", "24mbit:7s,48mbit:7s", "-o", tr)
	out := mustRun(t, "trace", "stats", tr)
	for _, want := range []string{"opportunities   42000", "period          14000 ms", "36.000 Mbit/s on Pantheon's", "36.096 Mbit/s on mahimahi's", "best second     48.00 Mbit/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("stats missing %q:\n%s", want, out)
		}
	}
	out = mustRun(t, "trace", "gen", "--rate", "24mbit")
	if out != "1\n1\n" {
		t.Errorf("24mbit trace %q, want two lines of 1", out)
	}
	out = mustRun(t, "trace", "gen", "--rate", "800kbit")
	if out != "15\n" { // 800 kbit/s for 15 ms is one 12000-bit opportunity
		t.Errorf("800kbit trace %q", out)
	}
}

func TestUsageErrors(t *testing.T) {
	bad := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"link", "--uplink", "12mbit"}, 2, "need both --uplink and --downlink"},
		{[]string{"link", "12mbit", "12mbit"}, 2, "give --duration"},
		{[]string{"link", "12mbps", "12mbit", "--duration", "1s"}, 2, "--uplink: rate \"12mbps\": ambiguous unit"},
		{[]string{"link", "12mbit", "12mbit", "--duration", "10"}, 2, "missing unit"},
		{[]string{"link", "12mbit", "12mbit", "--duration", "1s", "--uplink-queue", "droptail"}, 2, "needs a limit"},
		{[]string{"link", "12mbit", "12mbit", "--duration", "1s", "--at", "5s warp 9"}, 2, "unknown link command"},
		{[]string{"link", "/no/such.trace", "12mbit", "--duration", "1s"}, 2, "--uplink: trace file \"/no/such.trace\" not found"},
		{[]string{"link", "12mbit", "12mbit", "--duration", "1s", "--downlink-loss", "150%"}, 2, "--downlink-loss: loss \"150%\""},
		{[]string{"link", "12mbit", "12mbit", "--duration", "1s", "--cbr", "1mbit", "--cbr-size", "9000"}, 2, "cbr packet size"},
		{[]string{"analyze", "/no/such.log"}, 1, "log /no/such.log: open: no such file"},
		{[]string{"trace", "gen"}, 2, "give --rate"},
		{[]string{"trace", "stats"}, 1, "requires at least 1 arg"},
		{[]string{"frobnicate"}, 1, "unknown command"},
		{[]string{}, 1, "the workbench needs a terminal"},
		{[]string{"open", "--theme", "nope"}, 2, "--theme: unknown theme"},
	}
	for _, b := range bad {
		code, _, errs := run(t, b.args...)
		if code != b.code || !strings.Contains(errs, b.want) {
			t.Errorf("ccscope %s: exit %d, stderr %q; want exit %d and %q", strings.Join(b.args, " "), code, errs, b.code, b.want)
		}
	}
}

func TestDemo(t *testing.T) {
	out := mustRun(t, "demo")
	// 24 Mbit/s for 10 s then 12 for 10 s: 18 Mbit/s on average.
	for _, want := range []string{"Average capacity: 18.00 Mbit/s", "-- Flow 2 (reno, from 5s):", "    10      12.", "Jain's fairness index"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}
