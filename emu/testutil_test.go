package emu

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedTraces returns ../shared/traces (beside the repository). Tests that
// need it skip when it is absent, unless CCSCOPE_CI is set: then they fail.
func sharedTraces(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "shared", "traces"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CCSCOPE_CI") != "" {
			t.Fatalf("CCSCOPE_CI is set but the shared traces are missing: %v", err)
		}
		t.Skipf("shared traces not found at %s", dir)
	}
	return dir
}
