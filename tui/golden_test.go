package tui

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// updating reports whether -update was given (the flag is registered by
// teatest's golden package, which this file shares).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden compares got with testdata/name.golden (or rewrites it).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -run Golden -update to create it)", err)
	}
	if string(want) != got {
		t.Fatalf("%s differs from the golden file; got:\n%s", name, got)
	}
}

// runTeatest drives the workbench through a real bubbletea program (the
// teatest harness) with keys, and returns the final view without colours.
func runTeatest(t *testing.T, w, h int, keys ...string) string {
	t.Helper()
	m, _ := testModel(t, w, h)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	for _, k := range keys {
		if len(k) > 1 && k[0] == ':' {
			tm.Send(keyMsg(":"))
			for _, r := range k[1:] {
				if r == ' ' {
					tm.Send(keyMsg("space"))
				} else {
					tm.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
				}
			}
			tm.Send(keyMsg("enter"))
			continue
		}
		tm.Send(keyMsg(k))
	}
	tm.Send(keyMsg("q"))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	return ansi.Strip(final.Frame())
}

// TestGoldenOverview: the default experiment after 10 s, 120×40.
func TestGoldenOverview(t *testing.T) {
	golden(t, "overview-120x40", runTeatest(t, 120, 40))
}

// TestGoldenMeter: the meter view of the same run.
func TestGoldenMeter(t *testing.T) {
	golden(t, "meter-120x40", runTeatest(t, 120, 40, "2"))
}

// TestGoldenAfterChange: at 80×24, the bandwidth drops to 6 Mbit/s and
// the run goes on 5 s: the marker, the capacity step and the queue.
func TestGoldenAfterChange(t *testing.T) {
	golden(t, "change-80x24", runTeatest(t, 80, 24, ":bw 6mbit", ":step 5s"))
}
