package live

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseExperiment checks that no input makes ParseExperiment panic,
// that every rejection is a located, file-named error, and that whatever
// is accepted (fully, or by the schema decoder alone) is written back and
// read again unchanged. The seed corpus is in testdata/fuzz and the
// examples.
func FuzzParseExperiment(f *testing.F) {
	for _, dir := range []string{examplesDir, fixturesDir} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.toml"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseExperiment("fuzz.toml", data, fixturesDir, testChecker)
		if err != nil {
			fes := FieldErrors(err)
			if len(fes) == 0 {
				t.Fatalf("error without field errors: %v", err)
			}
			for _, fe := range fes {
				if fe.File != "fuzz.toml" || fe.Err == nil || !strings.HasPrefix(fe.Error(), "fuzz.toml") {
					t.Fatalf("error does not name the file: %#v", fe)
				}
			}
		} else {
			b, err := e.EncodeTOML()
			if err != nil {
				t.Fatalf("EncodeTOML of an accepted experiment: %v", err)
			}
			again, err := ParseExperiment("fuzz.toml", b, fixturesDir, testChecker)
			if err != nil {
				t.Fatalf("written experiment rejected: %v\n%s", err, b)
			}
			if !reflect.DeepEqual(again, e) {
				t.Fatalf("round trip changed the experiment:\n got %+v\nwant %+v\n%s", again, e, b)
			}
			if _, _, _, err := e.Links(); err != nil {
				t.Fatalf("Links of an accepted experiment: %v", err)
			}
		}

		// The schema decoder alone accepts more; what it accepts must
		// survive the writer too.
		d0, dec, err := decodeExperiment("fuzz.toml", data, "")
		if err != nil || len(dec.errs) > 0 {
			return
		}
		b, err := d0.EncodeTOML()
		if err != nil {
			t.Fatalf("EncodeTOML of a decoded experiment: %v", err)
		}
		d1, dec, err := decodeExperiment("fuzz.toml", b, "")
		if err != nil {
			t.Fatalf("written experiment is not valid TOML: %v\n%s", err, b)
		}
		if err := dec.errs.join(); err != nil {
			t.Fatalf("written experiment does not decode: %v\n%s", err, b)
		}
		if !reflect.DeepEqual(d1, d0) {
			t.Fatalf("decode round trip changed the experiment:\n got %+v\nwant %+v\n%s", d1, d0, b)
		}
	})
}
