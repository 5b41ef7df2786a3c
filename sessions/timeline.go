// timeline.go owns timeline.csv: the run's control-event timeline as a
// table a spreadsheet opens (RFC 4180 quoting), with the exact time in
// nanoseconds and the same time in seconds for people.
package sessions

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ccscope/ccscope/live"
)

// timelineHeader is the first line of timeline.csv.
const timelineHeader = "t_ns,t,kind,scripted,text"

// WriteTimelineCSV writes records as timeline.csv: the header
// "t_ns,t,kind,scripted,text", then one RFC 4180 row per record (t_ns
// exact, t in seconds with 9 decimals, kind change|info|warning|error,
// scripted true|false, text). It is what a session stores and what an
// export writes.
func WriteTimelineCSV(w io.Writer, recs []live.Record) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(strings.Split(timelineHeader, ",")); err != nil {
		return err
	}
	for _, r := range recs {
		if !utf8.ValidString(r.Text) {
			return fmt.Errorf("record at %s: text %q is not valid UTF-8", live.FormatDuration(r.At), r.Text)
		}
		kind := r.Kind.String()
		if _, err := parseKind(kind); err != nil {
			return fmt.Errorf("record at %s: unknown kind %d", live.FormatDuration(r.At), r.Kind)
		}
		if err := cw.Write([]string{
			strconv.FormatInt(int64(r.At), 10),
			seconds(r.At),
			kind,
			strconv.FormatBool(r.Scripted),
			r.Text,
		}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// seconds writes d in seconds with 9 decimals, exactly.
func seconds(d time.Duration) string {
	sign := ""
	u := uint64(d)
	if d < 0 {
		sign, u = "-", uint64(-d)
	}
	return fmt.Sprintf("%s%d.%09d", sign, u/1e9, u%1e9)
}

func parseKind(s string) (live.RecordKind, error) {
	for _, k := range []live.RecordKind{live.RecordChange, live.RecordInfo, live.RecordWarning, live.RecordError} {
		if s == k.String() {
			return k, nil
		}
	}
	return 0, fmt.Errorf("kind %q: want change, info, warning or error", s)
}

// ReadTimelineCSV reads what WriteTimelineCSV writes (the t column is
// not read: t_ns is exact); errors begin with the line.
func ReadTimelineCSV(r io.Reader) ([]live.Record, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 5
	cr.ReuseRecord = true
	var out []live.Record
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			if first {
				return nil, fmt.Errorf("empty; want the header %q", timelineHeader)
			}
			return out, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				return nil, fmt.Errorf("line %d: %d fields, want 5 (%s)", pe.StartLine, len(rec), timelineHeader)
			}
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("line %d: %v", pe.StartLine, pe.Err)
			}
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if first {
			if strings.Join(rec, ",") != timelineHeader {
				return nil, fmt.Errorf("line %d: want the header %q", line, timelineHeader)
			}
			continue
		}
		at, err := strconv.ParseInt(rec[0], 10, 64)
		if err != nil || at < 0 {
			return nil, fmt.Errorf("line %d: t_ns %q: want a whole number of nanoseconds ≥ 0", line, rec[0])
		}
		kind, err := parseKind(rec[2])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		scripted, err := strconv.ParseBool(rec[3])
		if err != nil {
			return nil, fmt.Errorf("line %d: scripted %q: want true or false", line, rec[3])
		}
		if !utf8.ValidString(rec[4]) {
			return nil, fmt.Errorf("line %d: text is not valid UTF-8", line)
		}
		out = append(out, live.Record{At: time.Duration(at), Kind: kind, Text: rec[4], Scripted: scripted})
	}
}
