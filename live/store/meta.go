// meta.go owns what a series is configured with (Meta: kind, unit, label,
// full-resolution span and cap, coarser tiers), the defaults per kind, the
// validation of keys and metadata, and the memory bound derived from them.
package store

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// Kind says how a series is sampled.
type Kind uint8

const (
	// Gauge is a quantity sampled at a regular interval (every 10 ms of
	// experiment time): cwnd, throughput, queue bytes.
	Gauge Kind = iota
	// Event is an irregular series with one point per event, possibly
	// 100 000 a second: the one-way delay of every delivered packet.
	Event
)

// String returns "gauge" or "event".
func (k Kind) String() string {
	switch k {
	case Gauge:
		return "gauge"
	case Event:
		return "event"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind is the inverse of Kind.String.
func ParseKind(s string) (Kind, error) {
	switch s {
	case "gauge":
		return Gauge, nil
	case "event":
		return Event, nil
	}
	return 0, fmt.Errorf("unknown series kind %q (want gauge or event)", s)
}

// Tier is one coarse tier: buckets of Width (aligned to multiples of Width)
// holding min, max, sum and count, at most Buckets of them.
type Tier struct {
	Width   time.Duration
	Buckets int
}

// Meta configures a series. Zero fields take the defaults of the Kind.
type Meta struct {
	Kind  Kind
	Unit  string // e.g. "bytes", "bit/s", "s"
	Label string // human name for legends

	// Recent is the span kept at full resolution, counted back from the
	// newest point (default 60 s).
	Recent time.Duration
	// MaxPoints caps the full-resolution tier; when it is reached before
	// Recent is, older points fold into the first coarse tier early
	// (default 16384 for a gauge, 131072 for an event series).
	MaxPoints int
	// Tiers are the coarse tiers, finest first. Each width is a multiple of
	// the previous one. The last tier never drops data: when it is full its
	// bucket width doubles and neighbouring buckets merge. nil means the
	// kind's default (see DefaultMeta).
	Tiers []Tier
}

// Limits on Meta, so that no configuration (or loaded file) can ask for an
// unbounded series.
const (
	MaxPointsLimit  = 1 << 20 // full-resolution points per series
	MaxBucketsLimit = 1 << 20 // buckets per tier
	MaxTiers        = 8
	MaxTierWidth    = time.Duration(1 << 50) // about 13 days
	maxTextLen      = 256                    // bytes in a key, unit or label
)

// Per-element memory: the ring buffers store Point and bucket values inline.
const (
	pointBytes  = int(unsafe.Sizeof(Point{}))
	bucketBytes = int(unsafe.Sizeof(bucket{}))
	// seriesOverhead covers the Series struct, its tier headers, key and
	// meta strings, independent of the data retained.
	seriesOverhead = 2048
)

// DefaultMeta returns the defaults of a kind.
//
// Gauge (a 10-ms sampler): 60 s at full resolution, capped at 16384 points;
// 100-ms buckets for 5 min, 1-s buckets for 1 h, then 10-s buckets for a
// day (coarsening beyond). MaxBytes = 1 009 664 bytes (0.96 MiB).
//
// Event (up to ~100k points/s): 60 s at full resolution but capped at
// 131072 points (1.3 s at 100k/s); 10-ms buckets for 1 min, 100-ms for
// 10 min, 1-s for 1 h, then 10-s for a day (coarsening beyond).
// MaxBytes = 3 287 040 bytes (3.13 MiB).
func DefaultMeta(k Kind) Meta {
	if k == Event {
		return Meta{Kind: Event, Recent: 60 * time.Second, MaxPoints: 1 << 17, Tiers: []Tier{
			{10 * time.Millisecond, 6000},
			{100 * time.Millisecond, 6000},
			{time.Second, 3600},
			{10 * time.Second, 8640},
		}}
	}
	return Meta{Kind: k, Recent: 60 * time.Second, MaxPoints: 1 << 14, Tiers: []Tier{
		{100 * time.Millisecond, 3000},
		{time.Second, 3600},
		{10 * time.Second, 8640},
	}}
}

// normalize fills zero fields from the kind's defaults and validates the
// result. The returned Meta owns its Tiers slice.
func (m Meta) normalize() (Meta, error) {
	if m.Kind != Gauge && m.Kind != Event {
		return m, fmt.Errorf("unknown series kind %d", m.Kind)
	}
	d := DefaultMeta(m.Kind)
	if m.Recent == 0 {
		m.Recent = d.Recent
	}
	if m.MaxPoints == 0 {
		m.MaxPoints = d.MaxPoints
	}
	if m.Tiers == nil {
		m.Tiers = d.Tiers
	} else {
		m.Tiers = append([]Tier(nil), m.Tiers...)
	}
	if err := checkText("unit", m.Unit, true); err != nil {
		return m, err
	}
	if err := checkText("label", m.Label, true); err != nil {
		return m, err
	}
	if m.Recent < 0 || m.Recent > MaxTime {
		return m, fmt.Errorf("recent span %v out of range (0, %v]", m.Recent, MaxTime)
	}
	if m.MaxPoints < 1 || m.MaxPoints > MaxPointsLimit {
		return m, fmt.Errorf("max points %d out of range [1, %d]", m.MaxPoints, MaxPointsLimit)
	}
	if len(m.Tiers) < 1 || len(m.Tiers) > MaxTiers {
		return m, fmt.Errorf("%d tiers, want 1 to %d", len(m.Tiers), MaxTiers)
	}
	for i, t := range m.Tiers {
		if t.Width < 1 || t.Width > MaxTierWidth {
			return m, fmt.Errorf("tier %d: width %v out of range [1ns, %v]", i+1, t.Width, MaxTierWidth)
		}
		if t.Buckets < 1 || t.Buckets > MaxBucketsLimit {
			return m, fmt.Errorf("tier %d: %d buckets out of range [1, %d]", i+1, t.Buckets, MaxBucketsLimit)
		}
		if i > 0 {
			p := m.Tiers[i-1].Width
			if t.Width <= p || t.Width%p != 0 {
				return m, fmt.Errorf("tier %d: width %v is not a larger multiple of tier %d's width %v", i+1, t.Width, i, p)
			}
		}
	}
	return m, nil
}

// MaxBytes is the most memory a series with this (normalised) Meta ever
// holds once created: its full-resolution ring at MaxPoints (16 bytes a
// point), every tier at its bucket cap (48 bytes a bucket), each rounded up
// to the allocator's 8-KiB pages, plus a constant 2 KiB overhead. Rings grow on demand, so a
// series that has seen little data holds far less.
func (m Meta) MaxBytes() int {
	n := seriesOverhead + allocBytes(m.MaxPoints*pointBytes)
	for _, t := range m.Tiers {
		n += allocBytes(t.Buckets * bucketBytes)
	}
	return n
}

// allocBytes bounds what the Go allocator hands out for an n-byte slice:
// large objects take whole 8-KiB pages and small ones a size class no
// larger than the next multiple of 8 KiB.
func allocBytes(n int) int {
	const page = 8 << 10
	return (n + page - 1) / page * page
}

// equal reports whether two normalised metas are the same.
func (m Meta) equal(o Meta) bool {
	if m.Kind != o.Kind || m.Unit != o.Unit || m.Label != o.Label || m.Recent != o.Recent ||
		m.MaxPoints != o.MaxPoints || len(m.Tiers) != len(o.Tiers) {
		return false
	}
	for i := range m.Tiers {
		if m.Tiers[i] != o.Tiers[i] {
			return false
		}
	}
	return true
}

// CheckKey reports why key cannot name a series, or nil. A key is 1 to 256
// bytes of UTF-8 without control characters and does not start with '#'
// (the CSV export's comment marker). Use it to validate names that come
// from users (flow and link names) before building keys from them.
func CheckKey(key string) error {
	if key == "" {
		return fmt.Errorf("empty series key")
	}
	if strings.HasPrefix(key, "#") {
		return fmt.Errorf("series key %q starts with '#'", key)
	}
	return checkText("series key", key, false)
}

// checkText validates a key, unit or label.
func checkText(what, s string, emptyOK bool) error {
	if s == "" && !emptyOK {
		return fmt.Errorf("empty %s", what)
	}
	if len(s) > maxTextLen {
		return fmt.Errorf("%s is %d bytes, limit %d", what, len(s), maxTextLen)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s %q is not valid UTF-8", what, s)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("%s %q contains a control character", what, s)
		}
	}
	return nil
}
