package store

import (
	"strings"
	"testing"
	"time"
)

// TestDefine: defaults are filled, redefinition with the same meta is
// idempotent, with another meta or an invalid key/meta it fails.
func TestDefine(t *testing.T) {
	st := NewStore()
	s, err := st.Define("flow/1/owd", Meta{Kind: Event, Unit: "s"})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := st.Meta("flow/1/owd")
	d := DefaultMeta(Event)
	if !ok || m.Kind != Event || m.Unit != "s" || m.Recent != d.Recent || m.MaxPoints != d.MaxPoints || !equalSlices(m.Tiers, d.Tiers) {
		t.Fatalf("meta %+v", m)
	}
	m.Tiers[0].Width = 1 // a copy: must not change the series
	if again, err := st.Define("flow/1/owd", Meta{Kind: Event, Unit: "s"}); err != nil || again != s {
		t.Fatalf("idempotent define: %v %v", again, err)
	}
	if _, err := st.Define("flow/1/owd", Meta{Kind: Event, Unit: "ms"}); err == nil || !strings.Contains(err.Error(), "different") {
		t.Fatalf("conflicting define: %v", err)
	}
	for _, c := range []struct {
		key  string
		meta Meta
		want string
	}{
		{"", Meta{}, "empty"},
		{"#x", Meta{}, "'#'"},
		{"a\nb", Meta{}, "control"},
		{"a\xffb", Meta{}, "UTF-8"},
		{strings.Repeat("k", 300), Meta{}, "limit"},
		{"k", Meta{Kind: 7}, "kind"},
		{"k", Meta{Recent: -1}, "recent"},
		{"k", Meta{MaxPoints: MaxPointsLimit + 1}, "max points"},
		{"k", Meta{Tiers: []Tier{}}, "tiers"},
		{"k", Meta{Tiers: []Tier{{0, 1}}}, "width"},
		{"k", Meta{Tiers: []Tier{{10, 0}}}, "buckets"},
		{"k", Meta{Tiers: []Tier{{10, 1}, {25, 1}}}, "multiple"},
		{"k", Meta{Tiers: []Tier{{10, 1}, {10, 1}}}, "multiple"},
		{"k", Meta{Label: "a\tb"}, "control"},
	} {
		if _, err := st.Define(c.key, c.meta); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Define(%q, %+v) = %v, want an error with %q", c.key, c.meta, err, c.want)
		}
	}
	if len(st.Keys()) != 1 {
		t.Fatalf("failed defines created series: %v", st.Keys())
	}
}

// TestSeriesAndKeys: Series creates gauges on first use and returns the
// same series after; Lookup never creates; Keys are sorted; an invalid key
// panics in Series.
func TestSeriesAndKeys(t *testing.T) {
	st := NewStore()
	a := st.Series("link/uplink/queue_bytes")
	if st.Series("link/uplink/queue_bytes") != a {
		t.Fatal("Series returned a different series for the same key")
	}
	if m, _ := st.Meta("link/uplink/queue_bytes"); m.Kind != Gauge || m.MaxPoints != DefaultMeta(Gauge).MaxPoints {
		t.Fatalf("auto-created meta %+v", m)
	}
	st.Series("flow/2/cwnd")
	st.Series("flow/10/cwnd")
	st.Series("flow/1/cwnd")
	if st.Lookup("nope") != nil || len(st.Keys()) != 4 {
		t.Fatal("Lookup created a series")
	}
	if got := strings.Join(st.Keys(), " "); got != "flow/1/cwnd flow/10/cwnd flow/2/cwnd link/uplink/queue_bytes" {
		t.Fatalf("keys %s", got)
	}
	if got := strings.Join(st.KeysWithPrefix("flow/1/"), " "); got != "flow/1/cwnd" {
		t.Fatalf("prefix keys %s", got)
	}
	if _, ok := st.Meta("nope"); ok {
		t.Fatal("Meta of a missing key")
	}
	if a.Key() != "link/uplink/queue_bytes" {
		t.Fatal(a.Key())
	}
	if want := 4 * DefaultMeta(Gauge).MaxBytes(); st.MaxBytes() != want {
		t.Fatalf("store MaxBytes %d, want %d", st.MaxBytes(), want)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Series with an invalid key did not panic")
		}
	}()
	st.Series("bad\nkey")
}

// TestVersion: the store version grows with every append and every new
// series, and not otherwise.
func TestVersion(t *testing.T) {
	st := NewStore()
	v0 := st.Version()
	s := st.Series("a")
	v1 := st.Version()
	if v1 != v0+1 {
		t.Fatalf("new series: version %d → %d", v0, v1)
	}
	s.Append(time.Second, 1)
	s.Append(0, 1) // clamped, still an append
	if v := st.Version(); v != v1+2 || s.Version() != 2 {
		t.Fatalf("appends: version %d → %d (series %d)", v1, v, s.Version())
	}
	_ = s.Window(0, time.Hour, 10)
	_ = st.Keys()
	if v := st.Version(); v != v1+2 {
		t.Fatalf("reads changed the version: %d", v)
	}
}
