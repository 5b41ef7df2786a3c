package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunSummary(t *testing.T) {
	out := mustRun(t, "run", "--uplink", "12mbit", "--downlink", "12mbit", "--delay", "20ms",
		"--uplink-queue", "droptail", "--uplink-queue-args", "packets=40", "--scheme", "reno", "--duration", "20s", "-q")
	for _, want := range []string{"-- Total of 1 flow:", "Average capacity: 12.00 Mbit/s", "Average throughput: 1", "95th percentile per-packet one-way delay: ", "-- Flow 1 (reno, from 0s):"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

func TestRunPantheonFlowsJSON(t *testing.T) {
	out := mustRun(t, "run", "--scheme", "cubic", "-f", "3", "--interval", "2s", "--duration", "10s", "--json", "--seed", "3")
	var sum struct {
		Seed  uint64 `json:"seed"`
		Jain  float64
		Flows []struct {
			ID     int     `json:"id"`
			Scheme string  `json:"scheme"`
			Start  float64 `json:"start_s"`
		} `json:"flows"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if sum.Seed != 3 || len(sum.Flows) != 3 || sum.Flows[2].Start != 4 || sum.Flows[1].Scheme != "cubic" {
		t.Fatalf("summary %+v", sum)
	}
	// Deterministic: the same command prints the same bytes.
	if again := mustRun(t, "run", "--scheme", "cubic", "-f", "3", "--interval", "2s", "--duration", "10s", "--json", "--seed", "3"); again != out {
		t.Fatal("two identical runs printed different summaries")
	}
}

func TestRunConfigAndLogs(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "exp.toml")
	os.WriteFile(cfg, []byte(`
duration = "5s"
[uplink]
capacity = "12mbit"
queue = "droptail"
queue-args = "packets=30"
delay = "10ms"
[downlink]
capacity = "12mbit"
delay = "10ms"
[[flow]]
scheme = "cubic"
[[event]]
at = "2s"
do = "bw 6mbit"
`), 0o644)
	log := filepath.Join(dir, "up.log")
	out := mustRun(t, "run", "--config", cfg, "--uplink-log", log, "-q")
	if !strings.Contains(out, "Average capacity: 8.40 Mbit/s") { // 12 Mbit/s for 2 s, 6 for 3 s
		t.Errorf("summary:\n%s", out)
	}
	// The log analyses like any mahimahi log, flows and all.
	a := mustRun(t, "analyze", log)
	if !strings.HasPrefix(a, "Average capacity: ") || !strings.Contains(a, "utilization") {
		t.Fatalf("analyze: %s", a)
	}
	// A flag overrides the file.
	out = mustRun(t, "run", "--config", cfg, "--scheme", "reno", "-q")
	if !strings.Contains(out, "(reno,") {
		t.Fatalf("--scheme did not override the config:\n%s", out)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("duration = \"5s\"\n[uplink]\ncapacty = \"12mbit\"\n"), 0o644)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "--scheme", "cubci"}, 2, `unknown congestion-control scheme "cubci" (did you mean "cubic"?`},
		{[]string{"run", "--duration", "0s"}, 2, "--duration must be above zero"},
		{[]string{"run", "--duration", "-5s"}, 2, "must not be negative"},
		{[]string{"run", "--uplink", "/no/such/trace"}, 2, `--uplink: trace file "/no/such/trace" not found`},
		{[]string{"run", "--scheme", "cubic", "-f", "3", "--interval", "40s", "--duration", "30s"}, 2, "after the end of the run"},
		{[]string{"run", "--config", bad}, 1, `bad.toml line 3: unknown key "capacty" in [uplink] (did you mean "capacity"?)`},
		{[]string{"run", "--config", filepath.Join(dir, "none.toml")}, 1, "none.toml"},
		{[]string{"run", "--scheme", "cubic:beta=2"}, 2, "beta=2 is out of range"},
	}
	for _, c := range cases {
		code, _, errs := run(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("ccscope %s: exit %d, stderr %q; want %d and %q", strings.Join(c.args, " "), code, errs, c.code, c.want)
		}
	}
}

func TestSchemesCommand(t *testing.T) {
	out := mustRun(t, "schemes", "cubic")
	if !strings.Contains(out, "cubic — CUBIC") || !strings.Contains(out, "beta ") || !strings.Contains(out, "default 0.7") {
		t.Fatalf("%s", out)
	}
	if code, _, errs := run(t, "schemes", "nope"); code != 2 || !strings.Contains(errs, `unknown scheme "nope"`) {
		t.Fatalf("exit %d: %s", code, errs)
	}
}
