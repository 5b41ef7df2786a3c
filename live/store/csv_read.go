// csv_read.go owns ReadCSV: rebuilding a store from WriteCSV's layout
// (csv_format.go), validating every record so that a loaded store obeys
// the same invariants and memory bounds as one built by appends.
package store

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// ReadCSV rebuilds a store from WriteCSV output. Every error names the line
// of the offending record. The rebuilt store exports the same bytes and
// answers every Window and Points query exactly as the exported one did,
// and can be appended to.
func ReadCSV(r io.Reader) (*Store, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 64<<10))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	rd := csvReader{st: NewStore()}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("store: read csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if err := rd.record(rec, line); err != nil {
			return nil, fmt.Errorf("store: read csv: line %d: %w", line, err)
		}
	}
	if err := rd.finish(); err != nil {
		return nil, fmt.Errorf("store: read csv: %w", err)
	}
	return rd.st, nil
}

type csvReader struct {
	st         *Store
	sawVersion bool
	sawHeader  bool
	cur        *loading // the series block being read
}

// loading tracks one series block while its rows are read.
type loading struct {
	s        *Series
	line     int // of its #series record
	appended uint64
	clamped  uint64
	values   uint64 // points plus bucket counts read so far
	tier     int    // tier of the previous row; len(tiers)+1 before any
	lastT    time.Duration
	any      bool
}

func (rd *csvReader) record(rec []string, line int) error {
	if !rd.sawVersion {
		if len(rec) != 1 || rec[0] != csvVersionLine {
			return fmt.Errorf("not a ccscope store file: want %q first", csvVersionLine)
		}
		rd.sawVersion = true
		return nil
	}
	if strings.HasPrefix(rec[0], "#") {
		switch {
		case rec[0] == csvSeriesTag:
			if !rd.sawHeader {
				return fmt.Errorf("#series before the %q header", csvHeader)
			}
			if err := rd.finish(); err != nil {
				return err
			}
			return rd.series(rec, line)
		case rec[0] == "#" || strings.HasPrefix(rec[0], "# "):
			return nil // comment
		default:
			return fmt.Errorf("unknown directive %q", rec[0])
		}
	}
	if !rd.sawHeader {
		if strings.Join(rec, ",") != csvHeader {
			return fmt.Errorf("want the header %q", csvHeader)
		}
		rd.sawHeader = true
		return nil
	}
	if rd.cur == nil {
		return fmt.Errorf("row before any #series record")
	}
	return rd.cur.row(rec)
}

// series starts a block from a #series record.
func (rd *csvReader) series(rec []string, line int) error {
	if len(rec) != csvSeriesLen {
		return fmt.Errorf("#series record has %d fields, want %d", len(rec), csvSeriesLen)
	}
	key := rec[1]
	if err := CheckKey(key); err != nil {
		return err
	}
	if rd.st.Lookup(key) != nil {
		return fmt.Errorf("series %q defined twice", key)
	}
	kind, err := ParseKind(rec[2])
	if err != nil {
		return err
	}
	m := Meta{Kind: kind, Unit: rec[3], Label: rec[4]}
	recent, err := parseInt("recent_ns", rec[5])
	if err != nil {
		return err
	}
	m.Recent = time.Duration(recent)
	maxPts, err := parseInt("max_points", rec[6])
	if err != nil {
		return err
	}
	if maxPts < 1 || maxPts > MaxPointsLimit {
		return fmt.Errorf("max_points %d out of range [1, %d]", maxPts, MaxPointsLimit)
	}
	m.MaxPoints = int(maxPts)
	if m.Tiers, err = parseTiers(rec[7]); err != nil {
		return err
	}
	if m, err = m.normalize(); err != nil {
		return fmt.Errorf("series %q: %w", key, err)
	}
	coarsest, err := parseInt("coarsest_ns", rec[8])
	if err != nil {
		return err
	}
	base := m.Tiers[len(m.Tiers)-1].Width
	if q := coarsest / int64(base); coarsest < int64(base) || coarsest%int64(base) != 0 ||
		bits.OnesCount64(uint64(q)) != 1 || coarsest > 2*int64(MaxTime)+1 {
		return fmt.Errorf("coarsest_ns %d is not the last tier's width %d times a power of two", coarsest, base)
	}
	ld := &loading{line: line, tier: len(m.Tiers) + 1}
	if ld.appended, err = parseUint("appended", rec[9]); err != nil {
		return err
	}
	if ld.clamped, err = parseUint("clamped", rec[10]); err != nil {
		return err
	}
	if ld.appended > 1<<62 || ld.clamped > ld.appended {
		return fmt.Errorf("counters appended=%d clamped=%d out of range", ld.appended, ld.clamped)
	}
	rd.st.mu.Lock()
	ld.s = rd.st.addLocked(key, m)
	rd.st.mu.Unlock()
	ld.s.tiers[len(m.Tiers)-1].width = time.Duration(coarsest)
	rd.cur = ld
	return nil
}

// finish closes the current block, checking its counters.
func (rd *csvReader) finish() error {
	ld := rd.cur
	if ld == nil {
		if !rd.sawHeader {
			return fmt.Errorf("line 1: no %q header", csvHeader)
		}
		return nil
	}
	rd.cur = nil
	if ld.values > ld.appended {
		return fmt.Errorf("line %d: series %q: appended=%d but its rows hold %d values", ld.line, ld.s.key, ld.appended, ld.values)
	}
	s := ld.s
	s.appended, s.clamped, s.lastT = ld.appended, ld.clamped, ld.lastT
	return nil
}

// row adds one data row to the series being loaded.
func (ld *loading) row(rec []string) error {
	if len(rec) != csvRowLen {
		return fmt.Errorf("row has %d fields, want %d", len(rec), csvRowLen)
	}
	s := ld.s
	if rec[0] != s.key {
		return fmt.Errorf("row for %q inside the block of series %q", rec[0], s.key)
	}
	tierN, err := parseInt("tier", rec[1])
	if err != nil {
		return err
	}
	if tierN < 0 || tierN > int64(len(s.tiers)) {
		return fmt.Errorf("tier %d: series %q has tiers 0 to %d", tierN, s.key, len(s.tiers))
	}
	k := int(tierN)
	if k > ld.tier {
		return fmt.Errorf("tier %d after tier %d: rows go from the coarsest tier to tier 0", k, ld.tier)
	}
	first, err := parseTime("t_ns", rec[2])
	if err != nil {
		return err
	}
	last, err := parseTime("last_ns", rec[3])
	if err != nil {
		return err
	}
	count, err := parseInt("count", rec[7])
	if err != nil {
		return err
	}
	if k == 0 {
		err = ld.point(rec, first, last, count)
	} else {
		err = ld.bucket(rec, k, first, last, count)
	}
	if err != nil {
		return err
	}
	ld.tier, ld.lastT, ld.any = k, last, true
	return nil
}

func (ld *loading) point(rec []string, t, last time.Duration, count int64) error {
	s := ld.s
	if last != t {
		return fmt.Errorf("tier 0 row with last_ns %d ≠ t_ns %d", last, t)
	}
	if ld.any && t < ld.lastT {
		return fmt.Errorf("t_ns %d before the previous row's %d", t, ld.lastT)
	}
	if s.pts.n > 0 && t-s.pts.front().T > s.recent {
		return fmt.Errorf("t_ns %d is more than recent_ns after the first full-resolution point", t)
	}
	if s.pts.full() {
		return fmt.Errorf("more than max_points=%d full-resolution rows", s.pts.limit)
	}
	v := math.NaN()
	switch count {
	case 0:
		for _, f := range floatFields() {
			if rec[f] != "" {
				return fmt.Errorf("%s must be empty for a count-0 (NaN) point", csvColumn(f))
			}
		}
	case 1:
		vals, err := parseFloats(rec)
		if err != nil {
			return err
		}
		if vals[0] != vals[1] || vals[0] != vals[2] || vals[0] != vals[3] {
			return fmt.Errorf("a point needs min = max = mean = sum")
		}
		v = vals[0]
	default:
		return fmt.Errorf("tier 0 row with count %d, want 0 or 1", count)
	}
	s.pts.push(Point{T: t, V: v})
	ld.values++
	return nil
}

func (ld *loading) bucket(rec []string, k int, first, last time.Duration, count int64) error {
	s := ld.s
	tr := &s.tiers[k-1]
	switch {
	case first > last:
		return fmt.Errorf("t_ns %d after last_ns %d", first, last)
	case first/tr.width != last/tr.width:
		return fmt.Errorf("bucket [%d, %d] straddles a %d-ns boundary of tier %d", first, last, tr.width, k)
	case k == ld.tier && first < tr.tailEnd:
		return fmt.Errorf("bucket at %d shares or precedes the previous bucket's %d-ns interval", first, tr.width)
	case k != ld.tier && ld.any && first <= ld.lastT:
		return fmt.Errorf("t_ns %d not after the coarser tier's last_ns %d", first, ld.lastT)
	case tr.ring.full():
		return fmt.Errorf("more than %d buckets in tier %d", tr.ring.limit, k)
	case count < 1 || uint64(count) > ld.appended-ld.values:
		return fmt.Errorf("count %d out of range (the series' appended counter leaves %d)", count, ld.appended-ld.values)
	}
	vals, err := parseFloats(rec)
	if err != nil {
		return err
	}
	lo, hi, mean, sum := vals[0], vals[1], vals[2], vals[3]
	if lo > hi {
		return fmt.Errorf("min %v > max %v", lo, hi)
	}
	if want := sum / float64(count); math.Abs(mean-want) > 1e-9*math.Max(1, math.Abs(want)) {
		return fmt.Errorf("mean %v is not sum/count = %v", mean, want)
	}
	tr.ring.push(bucket{first: first, last: last, min: lo, max: hi, sum: sum, count: count})
	tr.tailEnd = alignedEnd(first, tr.width)
	ld.values += uint64(count)
	return nil
}

// floatFields returns the indexes of min, max, mean and sum in a data row.
func floatFields() [4]int { return [4]int{4, 5, 6, 8} }

// csvColumn names column i of a data row.
func csvColumn(i int) string { return strings.Split(csvHeader, ",")[i] }

// parseFloats parses min, max, mean and sum, all finite.
func parseFloats(rec []string) ([4]float64, error) {
	var out [4]float64
	for i, f := range floatFields() {
		v, err := strconv.ParseFloat(rec[f], 64)
		if err != nil {
			return out, fmt.Errorf("%s: %w", csvColumn(f), err)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return out, fmt.Errorf("%s: %v is not finite", csvColumn(f), v)
		}
		out[i] = v
	}
	return out, nil
}

func parseInt(name, s string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return v, nil
}

func parseUint(name, s string) (uint64, error) {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return v, nil
}

func parseTime(name, s string) (time.Duration, error) {
	v, err := parseInt(name, s)
	if err != nil {
		return 0, err
	}
	if v < 0 || v > int64(MaxTime) {
		return 0, fmt.Errorf("%s %d out of range [0, %d]", name, v, int64(MaxTime))
	}
	return time.Duration(v), nil
}

// parseTiers parses "width_nsxbuckets width_nsxbuckets …".
func parseTiers(s string) ([]Tier, error) {
	fields := strings.Split(s, " ")
	if len(fields) > MaxTiers {
		return nil, fmt.Errorf("tiers: %d tiers, limit %d", len(fields), MaxTiers)
	}
	tiers := make([]Tier, 0, len(fields))
	for _, f := range fields {
		w, b, ok := strings.Cut(f, "x")
		if !ok {
			return nil, fmt.Errorf("tiers: %q is not width_nsxbuckets", f)
		}
		width, err := parseInt("tiers: width", w)
		if err != nil {
			return nil, err
		}
		n, err := parseInt("tiers: buckets", b)
		if err != nil {
			return nil, err
		}
		if width < 1 || width > int64(MaxTierWidth) || n < 1 || n > MaxBucketsLimit {
			return nil, fmt.Errorf("tiers: %q out of range", f)
		}
		tiers = append(tiers, Tier{Width: time.Duration(width), Buckets: int(n)})
	}
	return tiers, nil
}
