package fidelity

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ccscope/ccscope/live/cc"
)

// tracesDir is ../shared/traces beside the repository; "" when absent,
// unless CCSCOPE_CI is set: then its absence fails the test.
func tracesDir(t *testing.T) string {
	dir, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "traces"))
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CCSCOPE_CI") != "" {
			t.Fatalf("CCSCOPE_CI is set but the shared traces are missing: %v", err)
		}
		return ""
	}
	return dir
}

// TestScenarios runs the fidelity suite; every scenario must pass.
func TestScenarios(t *testing.T) {
	for _, sc := range Scenarios(Env{TracesDir: tracesDir(t)}) {
		t.Run(sc.Name, func(t *testing.T) {
			for _, s := range sc.Schemes {
				if _, ok := cc.Lookup(s); !ok {
					t.Fatalf("scheme %s is not registered", s)
				}
			}
			res, err := sc.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %s", sc.Claim, res)
			if res.Skipped != "" {
				t.Skip(res.Skipped)
			}
			if !res.Pass {
				t.Errorf("%s: %s", sc.Claim, res)
			}
		})
	}
}
