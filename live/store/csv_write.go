// csv_write.go owns WriteCSV: the deterministic export of a store's series
// in the layout of csv_format.go.
package store

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteCSV writes the series named by keys, in that order (nil: every key,
// sorted), in the layout described in csv_format.go. Each series is copied
// under its lock and written after, so a writer appending at the same time
// is blocked only for the copy; a file written during a run is therefore
// consistent per series, each at its own instant. Identical appends give
// identical bytes.
func (st *Store) WriteCSV(w io.Writer, keys []string) error {
	if keys == nil {
		keys = st.Keys()
	}
	seen := make(map[string]bool, len(keys))
	series := make([]*Series, len(keys))
	for i, k := range keys {
		if seen[k] {
			return fmt.Errorf("store: write csv: key %q listed twice", k)
		}
		seen[k] = true
		if series[i] = st.Lookup(k); series[i] == nil {
			return fmt.Errorf("store: write csv: no series %q", k)
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(csvVersionLine + "\n" + csvMetaComment + "\n" + csvHeader + "\n")
	var snap snapshot
	var line []byte
	for _, s := range series {
		s.snapshot(&snap)
		line = snap.appendCSV(line[:0], bw)
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("store: write csv: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("store: write csv: %w", err)
	}
	return nil
}

// snapshot is a consistent copy of one series, reused across series.
type snapshot struct {
	key      string
	meta     Meta
	appended uint64
	clamped  uint64
	coarsest time.Duration
	tiers    [][]bucket // finest first
	pts      []Point
}

func (s *Series) snapshot(sn *snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn.key, sn.meta, sn.appended, sn.clamped = s.key, s.meta, s.appended, s.clamped
	sn.coarsest = s.tiers[len(s.tiers)-1].width
	if cap(sn.tiers) < len(s.tiers) {
		sn.tiers = make([][]bucket, len(s.tiers))
	}
	sn.tiers = sn.tiers[:len(s.tiers)]
	for i := range s.tiers {
		r := &s.tiers[i].ring
		sn.tiers[i] = grow(sn.tiers[i], r.n)
		r.copyTo(sn.tiers[i])
	}
	sn.pts = grow(sn.pts, s.pts.n)
	s.pts.copyTo(sn.pts)
}

func grow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

// appendCSV appends the series block to line, flushing it to bw whenever
// it grows past 32 KiB (write errors surface at the final Flush).
func (sn *snapshot) appendCSV(line []byte, bw *bufio.Writer) []byte {
	m := sn.meta
	tiers := make([]string, len(m.Tiers))
	for i, t := range m.Tiers {
		tiers[i] = strconv.FormatInt(int64(t.Width), 10) + "x" + strconv.Itoa(t.Buckets)
	}
	line = append(line, csvRecord(csvSeriesTag, sn.key, m.Kind.String(), m.Unit, m.Label,
		strconv.FormatInt(int64(m.Recent), 10), strconv.Itoa(m.MaxPoints), strings.Join(tiers, " "),
		strconv.FormatInt(int64(sn.coarsest), 10),
		strconv.FormatUint(sn.appended, 10), strconv.FormatUint(sn.clamped, 10))...)
	qkey := strings.TrimSuffix(csvRecord(sn.key), "\n")
	for k := len(sn.tiers) - 1; k >= 0; k-- {
		for _, b := range sn.tiers[k] {
			line = appendRow(line, qkey, k+1, b.first, b.last, b.min, b.max, b.sum/float64(b.count), b.count, b.sum)
			line = spill(line, bw)
		}
	}
	for _, p := range sn.pts {
		if p.V != p.V {
			line = append(line, qkey...)
			line = append(line, ",0,"...)
			line = strconv.AppendInt(line, int64(p.T), 10)
			line = append(line, ',')
			line = strconv.AppendInt(line, int64(p.T), 10)
			line = append(line, ",,,,0,\n"...)
		} else {
			line = appendRow(line, qkey, 0, p.T, p.T, p.V, p.V, p.V, 1, p.V)
		}
		line = spill(line, bw)
	}
	return line
}

func spill(line []byte, bw *bufio.Writer) []byte {
	if len(line) < 32<<10 {
		return line
	}
	bw.Write(line)
	return line[:0]
}

func appendRow(line []byte, qkey string, tier int, first, last time.Duration, lo, hi, mean float64, count int64, sum float64) []byte {
	line = append(line, qkey...)
	line = append(line, ',')
	line = strconv.AppendInt(line, int64(tier), 10)
	line = append(line, ',')
	line = strconv.AppendInt(line, int64(first), 10)
	line = append(line, ',')
	line = strconv.AppendInt(line, int64(last), 10)
	for _, v := range [...]float64{lo, hi, mean} {
		line = append(line, ',')
		line = strconv.AppendFloat(line, v, 'g', -1, 64)
	}
	line = append(line, ',')
	line = strconv.AppendInt(line, count, 10)
	line = append(line, ',')
	line = strconv.AppendFloat(line, sum, 'g', -1, 64)
	return append(line, '\n')
}

// csvRecord formats one CSV record with encoding/csv's quoting, "\n"-ended.
func csvRecord(fields ...string) string {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write(fields) // writes to a bytes.Buffer cannot fail
	cw.Flush()
	return b.String()
}
