package store

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestImportCopiesExactly: an imported series exports the same rows as its
// original (only the key differs), keeps answering after the original
// changes, and can itself be appended to.
func TestImportCopiesExactly(t *testing.T) {
	src := NewStore()
	g := src.Series("flow/1/cwnd")
	e, err := src.Define("flow/1/owd", DefaultMeta(Event))
	if err != nil {
		t.Fatal(err)
	}
	// 20 minutes at 10 ms: the gauge spills into its coarse tiers.
	for i := 0; i < 120_000; i++ {
		tm := time.Duration(i) * 10 * time.Millisecond
		g.Append(tm, float64(i%977))
		if i%3 == 0 {
			e.Append(tm, float64(i%13))
		}
	}
	dst := NewStore()
	dst.Series("flow/1/cwnd").Append(0, 1) // an unrelated series already there
	if err := dst.Import(src, "b/"); err != nil {
		t.Fatal(err)
	}
	for _, k := range src.Keys() {
		var a, b bytes.Buffer
		if err := src.WriteCSV(&a, []string{k}); err != nil {
			t.Fatal(err)
		}
		if err := dst.WriteCSV(&b, []string{"b/" + k}); err != nil {
			t.Fatal(err)
		}
		if want := strings.ReplaceAll(a.String(), k+",", "b/"+k+","); b.String() != want {
			t.Fatalf("%s: the imported copy exports differently", k)
		}
	}
	before := dst.Lookup("b/flow/1/cwnd").Stats()
	g.Append(20*time.Minute, 5)
	if dst.Lookup("b/flow/1/cwnd").Stats().Appended != before.Appended {
		t.Fatal("the copy shares state with the original")
	}
	dst.Lookup("b/flow/1/cwnd").Append(21*time.Minute, 7)
	if p, _ := dst.Lookup("b/flow/1/cwnd").Last(); p.V != 7 {
		t.Fatalf("append to the copy: last %v", p)
	}
	if err := dst.Import(src, "b/"); err == nil {
		t.Fatal("importing over existing keys succeeded")
	}
	if err := dst.Import(src, "#"); err == nil {
		t.Fatal("an invalid prefix was accepted")
	}
}
