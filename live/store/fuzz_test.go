package store

import (
	"bytes"
	"regexp"
	"testing"
	"time"
)

// FuzzReadCSV: any input is either refused with an error naming a line, or
// loads into a store whose export is a fixed point (export → load →
// export gives the same bytes), whose windows are well-formed, and which
// can be appended to. It never panics.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte(csvPrelude + seriesLine("k", 9) + "k,1,1,2,1,3,2,2,4\nk,0,10000000,10000000,5,5,5,1,5\nk,0,20000000,20000000,,,,0,\n"))
	f.Add([]byte(csvPrelude))
	f.Add([]byte(""))
	lineRE := regexp.MustCompile(`line [1-9][0-9]*`)
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ReadCSV(bytes.NewReader(data))
		if err != nil {
			if !lineRE.MatchString(err.Error()) {
				t.Fatalf("error does not name a line: %v", err)
			}
			return
		}
		var one, two bytes.Buffer
		if err := st.WriteCSV(&one, nil); err != nil {
			t.Fatal(err)
		}
		back, err := ReadCSV(bytes.NewReader(one.Bytes()))
		if err != nil {
			t.Fatalf("own export does not load: %v\n%s", err, one.String())
		}
		if err := back.WriteCSV(&two, nil); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(one.Bytes(), two.Bytes()) {
			t.Fatalf("export is not a fixed point:\n%s", firstDiff(one.Bytes(), two.Bytes()))
		}
		for _, k := range st.Keys() {
			s := st.Lookup(k)
			if s.Stats().Bytes > s.Meta().MaxBytes() {
				t.Fatalf("%s: loaded series exceeds its bound", k)
			}
			first, last := s.Span()
			for _, mp := range []int{1, 7, 200} {
				w := s.Window(first, last, mp)
				if len(w) > mp {
					t.Fatalf("%s: %d aggregates > %d", k, len(w), mp)
				}
				for i, a := range w {
					if a.Count < 1 || a.First > a.Last || i > 0 && w[i-1].Last >= a.First {
						t.Fatalf("%s: malformed window %+v", k, w)
					}
				}
			}
			for i := 0; i < 3; i++ {
				s.Append(last+time.Duration(i)*time.Second, float64(i))
			}
			_ = s.Window(0, MaxTime, 50)
		}
	})
}
