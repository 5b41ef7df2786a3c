package emu

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseTrace: any input either parses into a valid trace that writes
// back to an equivalent trace, or fails with an error naming a line or the
// trace; it never panics.
func FuzzParseTrace(f *testing.F) {
	for _, s := range []string{"1\n", "0\n5\n", "1\r\n", "\n", "", "5\n3\n", " 7\n", "1 \n", "-1\n", "0\n", "99999999999999999999999\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := ParseTrace("fuzz", bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "trace fuzz") {
				t.Fatalf("error does not name the trace: %v", err)
			}
			return
		}
		if len(tr.Ms) == 0 || tr.Period() <= 0 {
			t.Fatalf("accepted an invalid trace: %v", tr.Ms)
		}
		for i := 1; i < len(tr.Ms); i++ {
			if tr.Ms[i] < tr.Ms[i-1] {
				t.Fatalf("accepted decreasing timestamps")
			}
		}
		var buf bytes.Buffer
		if err := WriteTrace(&buf, tr); err != nil {
			t.Fatal(err)
		}
		back, err := ParseTrace("back", &buf)
		if err != nil || !equalInts(back.Ms, tr.Ms) {
			t.Fatalf("round trip failed: %v", err)
		}
		_ = tr.Stats()
	})
}
