// fuzz_test.go fuzzes Parse: it never panics; what it accepts is a
// complete theme that Format writes back unchanged; what it refuses comes
// as FieldErrors naming the file.
package themes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, b := range Builtins() {
		f.Add(Format(b))
	}
	for _, dir := range []string{"testdata", filepath.Join("testdata", "bad")} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.toml"))
		for _, p := range paths {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		th, err := Parse("fuzz.toml", data)
		if err != nil {
			fes := FieldErrors(err)
			if len(fes) == 0 || len(fes) > maxErrors+1 {
				t.Fatalf("%d FieldErrors in %v", len(fes), err)
			}
			for _, fe := range fes {
				if fe.File != "fuzz.toml" || fe.Err == nil || strings.TrimSpace(fe.Err.Error()) == "" {
					t.Fatalf("bad FieldError %#v", fe)
				}
			}
			return
		}
		if err := th.Validate(); err != nil {
			t.Fatalf("accepted an incomplete theme: %v", err)
		}
		for _, r := range Roles() {
			if c, _ := th.Color(r.Key); c == nil {
				t.Fatalf("role %s not set", r.Key)
			}
		}
		if len(th.Flows) < MinFlows {
			t.Fatalf("%d flows", len(th.Flows))
		}
		back, err := Parse("fuzz.toml", Format(th))
		if err != nil {
			t.Fatalf("Format output does not parse: %v\n%s", err, Format(th))
		}
		if d := sameTheme(back, th); d != "" {
			t.Fatalf("round trip: %s", d)
		}
	})
}
