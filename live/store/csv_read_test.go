package store

import (
	"fmt"
	"strings"
	"testing"
)

const csvPrelude = csvVersionLine + "\n" + csvMetaComment + "\n" + csvHeader + "\n"

// seriesLine is a #series record for key with a 1-s recent span, 4 points
// and one tier of 10-ms buckets (4 of them).
func seriesLine(key string, appended int) string {
	return fmt.Sprintf("#series,%s,gauge,,,1000000000,4,10000000x4,10000000,%d,0\n", key, appended)
}

// TestReadCSVErrors: each malformed input is refused with an error naming
// the line of the offending record and what is wrong.
func TestReadCSVErrors(t *testing.T) {
	s := seriesLine("k", 100) // line 4
	for _, c := range []struct {
		name, in string
		line     int
		want     string
	}{
		{"empty", "", 1, "header"},
		{"not ours", "time,value\n", 1, "not a ccscope store"},
		{"no header", csvVersionLine + "\n#series,k\n", 2, "before the"},
		{"bad header", csvVersionLine + "\nkey,t\n", 2, "header"},
		{"row before series", csvPrelude + "k,0,1,1,1,1,1,1,1\n", 4, "before any #series"},
		{"unknown directive", csvPrelude + "#serie,k\n", 4, "unknown directive"},
		{"series fields", csvPrelude + "#series,k,gauge\n", 4, "fields"},
		{"bad kind", csvPrelude + "#series,k,meter,,,1,4,10x4,10,0,0\n", 4, "kind"},
		{"bad key", csvPrelude + "#series,#k,gauge,,,1,4,10x4,10,0,0\n", 4, "'#'"},
		{"bad tiers", csvPrelude + "#series,k,gauge,,,1,4,10y4,10,0,0\n", 4, "tiers"},
		{"tier not multiple", csvPrelude + "#series,k,gauge,,,1,4,10x4 15x4,15,0,0\n", 4, "multiple"},
		{"huge cap", csvPrelude + "#series,k,gauge,,,1,99999999,10x4,10,0,0\n", 4, "max_points"},
		{"bad coarsest", csvPrelude + "#series,k,gauge,,,1,4,10x4,30,0,0\n", 4, "coarsest_ns"},
		{"clamped > appended", csvPrelude + "#series,k,gauge,,,1,4,10x4,10,1,2\n", 4, "clamped"},
		{"control char label", csvPrelude + "#series,k,gauge,,\"a\x01\",1,4,10x4,10,0,0\n", 4, "control"},
		{"duplicate", csvPrelude + s + s, 5, "defined twice"},
		{"row fields", csvPrelude + s + "k,0,1\n", 5, "fields"},
		{"foreign row", csvPrelude + s + "j,0,1,1,1,1,1,1,1\n", 5, `"j"`},
		{"tier range", csvPrelude + s + "k,2,1,1,1,1,1,1,1\n", 5, "tier 2"},
		{"negative time", csvPrelude + s + "k,0,-1,-1,1,1,1,1,1\n", 5, "t_ns"},
		{"bad float", csvPrelude + s + "k,0,1,1,x,1,1,1,1\n", 5, "min"},
		{"infinite", csvPrelude + s + "k,1,1,1,1,inf,1,1,1\n", 5, "max"},
		{"point last", csvPrelude + s + "k,0,1,2,1,1,1,1,1\n", 5, "last_ns"},
		{"point values", csvPrelude + s + "k,0,1,1,1,2,1,1,1\n", 5, "min = max"},
		{"point count", csvPrelude + s + "k,0,1,1,1,1,1,2,1\n", 5, "count 2"},
		{"nan point values", csvPrelude + s + "k,0,1,1,1,,,0,\n", 5, "empty"},
		{"time backwards", csvPrelude + s + "k,0,5,5,1,1,1,1,1\nk,0,4,4,1,1,1,1,1\n", 6, "before"},
		{"past recent", csvPrelude + s + "k,0,0,0,1,1,1,1,1\nk,0,1000000001,1000000001,1,1,1,1,1\n", 6, "recent_ns"},
		{"too many points", csvPrelude + s + strings.Repeat("k,0,1,1,1,1,1,1,1\n", 5), 9, "max_points"},
		{"tier order", csvPrelude + s + "k,0,1,1,1,1,1,1,1\nk,1,2,2,1,1,1,1,1\n", 6, "coarsest tier"},
		{"straddles", csvPrelude + s + "k,1,5000000,15000000,1,1,1,2,2\n", 5, "straddles"},
		{"first after last", csvPrelude + s + "k,1,5,4,1,1,1,2,2\n", 5, "after last_ns"},
		{"same interval", csvPrelude + s + "k,1,1,1,1,1,1,1,1\nk,1,2,2,1,1,1,1,1\n", 6, "interval"},
		{"min > max", csvPrelude + s + "k,1,1,1,2,1,1,1,1\n", 5, "min 2 > max 1"},
		{"bad mean", csvPrelude + s + "k,1,1,1,1,3,1,2,4\n", 5, "mean"},
		{"zero count", csvPrelude + s + "k,1,1,1,1,1,1,0,0\n", 5, "count 0"},
		{"count beyond appended", csvPrelude + seriesLine("k", 3) + "k,1,1,2,1,1,1,4,4\n", 5, "count 4"},
		{"points beyond appended", csvPrelude + seriesLine("k", 1) + "k,0,1,1,1,1,1,1,1\nk,0,2,2,1,1,1,1,1\n", 4, "appended=1"},
		{"too many buckets", csvPrelude + s + "k,1,1,1,1,1,1,1,1\nk,1,10000001,10000001,1,1,1,1,1\nk,1,20000001,20000001,1,1,1,1,1\nk,1,30000001,30000001,1,1,1,1,1\nk,1,40000001,40000001,1,1,1,1,1\n", 9, "more than 4 buckets"},
		{"csv syntax", csvPrelude + s + "k,0,\"1,1\n", 5, "line 5"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(c.in))
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if !strings.Contains(msg, fmt.Sprintf("line %d", c.line)) || !strings.Contains(msg, c.want) {
				t.Fatalf("error %q, want line %d and %q", msg, c.line, c.want)
			}
		})
	}
}

// TestReadCSVAccepts: hand-written files WriteCSV could have produced load,
// including comments, an empty series and CRLF line ends.
func TestReadCSVAccepts(t *testing.T) {
	in := csvPrelude + "# a comment\n" + seriesLine("k", 9) +
		"k,1,1,2,1,3,2,2,4\nk,0,10000000,10000000,5,5,5,1,5\nk,0,20000000,20000000,,,,0,\n" +
		seriesLine("empty", 0)
	for _, text := range []string{in, strings.ReplaceAll(in, "\n", "\r\n")} {
		st, err := ReadCSV(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		s := st.Lookup("k")
		w := s.Window(0, 20000000, 3)
		if len(w) != 2 || w[0].Count != 2 || w[0].Mean != 2 || w[1].Min != 5 {
			t.Fatalf("window %+v", w)
		}
		if p, _ := s.Last(); p.T != 20000000 || p.V == p.V {
			t.Fatalf("last %+v, want the NaN point", p)
		}
		if st.Version() != 2+9 || s.Stats().Appended != 9 {
			t.Fatalf("version %d", st.Version())
		}
		s.Append(1, 1) // clamped to the last time
		if p, _ := s.Last(); p.T != 20000000 || s.Stats().Clamped != 1 {
			t.Fatalf("append after load: last %+v, stats %+v", p, s.Stats())
		}
		if st.Lookup("empty").Len() != 0 {
			t.Fatal("empty series not empty")
		}
	}
}
