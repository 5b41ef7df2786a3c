package chart_test

// golden_test.go pins whole renders of the sample charts: plain text
// (colours stripped) for the overview's charts at a few sizes, and one
// with its colours. go test ./tui/chart -run Golden -update rewrites them.

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/ccscope/ccscope/tui/chart/internal/demo"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestGolden(t *testing.T) {
	charts := map[string]demo.Named{}
	for _, n := range demo.Charts() {
		charts[n.Name] = n
	}
	for _, g := range []struct {
		chart  string
		w, h   int
		colour bool
	}{
		{"cwnd", 70, 20, false},
		{"throughput", 70, 20, false},
		{"queue_delay", 70, 20, false},
		{"rtt", 70, 20, false},
		{"rtt_aggs", 100, 24, false},
		{"cwnd", 20, 5, false},
		{"throughput", 40, 10, true},
	} {
		name := fmt.Sprintf("%s_%dx%d", g.chart, g.w, g.h)
		if g.colour {
			name += "_colour"
		}
		t.Run(name, func(t *testing.T) {
			out := charts[g.chart].Chart.Render(g.w, g.h)
			if !g.colour {
				out = ansi.Strip(out)
			}
			out += "\n"
			path := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if out != string(want) {
				t.Errorf("%s differs (run with -update to accept):\n%s", path, diff(string(want), out))
			}
		})
	}
}

// diff lists the lines that differ.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d\n  want %q\n  got  %q\n", i+1, wl, gl)
		}
	}
	return b.String()
}
