// badfiles_test.go: bad session files — truncated, corrupt, not a zip,
// from a newer ccscope, with unsafe or duplicate names, a missing entry,
// entries over their caps, a zip bomb, bad TOML/CSV/JSON inside — each
// give a clear error, never a panic.
package sessions

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readErr reads data as a session and returns the error text ("" if it
// loaded), failing the test on a panic.
func readErr(t *testing.T, data []byte) (msg string) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Read panicked: %v", r)
		}
	}()
	_, err := Read(bytes.NewReader(data), int64(len(data)), "bad.zip")
	if err == nil {
		return ""
	}
	return err.Error()
}

func replaceEntry(name, old, new string) func(e *zipEntry) bool {
	return func(e *zipEntry) bool {
		if e.Name == name {
			e.Data = []byte(strings.Replace(string(e.Data), old, new, 1))
		}
		return true
	}
}

func TestBadFiles(t *testing.T) {
	valid := sessionBytes(t, tiny(traceSession(t, t.TempDir())))
	if msg := readErr(t, valid); msg != "" {
		t.Fatalf("the valid file does not load: %s", msg)
	}
	withEntries := func(extra ...zipEntry) []byte {
		return pack(t, append(entries(t, valid), extra...), false)
	}
	for _, c := range []struct {
		name string
		data []byte
		want []string
	}{
		{"empty", nil, []string{"session bad.zip: empty file"}},
		{"not a zip", []byte("hello, this is a text file\n"), []string{"session bad.zip: not a ccscope session (not a zip file)"}},
		{"a zip of something else", pack(t, []zipEntry{{"hello.txt", []byte("hi")}}, false), []string{"not a ccscope session (no session.toml"}},
		{"newer format", edit(t, valid, replaceEntry("session.toml", "format = 1", "format = 2")),
			[]string{"session bad.zip: made by a newer ccscope (format 2); this one reads format 1: upgrade ccscope"}},
		{"newer format without the rest", pack(t, []zipEntry{{"session.toml", []byte("format = 7\nsomething = \"new\"\n")}}, false),
			[]string{"made by a newer ccscope (format 7)"}},
		{"zip-slip ../", withEntries(zipEntry{"../evil", []byte("x")}), []string{"unsafe entry", `"../evil"`}},
		{"zip-slip absolute", withEntries(zipEntry{"/abs", []byte("x")}), []string{"unsafe entry", `"/abs"`, "absolute"}},
		{"zip-slip backslash", withEntries(zipEntry{`a\b`, []byte("x")}), []string{"unsafe entry", "backslash"}},
		{"zip-slip inner ..", withEntries(zipEntry{"a/../../b", []byte("x")}), []string{"unsafe entry", `".." segment`}},
		{"zip-slip drive", withEntries(zipEntry{"C:/windows/x", []byte("x")}), []string{"unsafe entry", "absolute"}},
		{"NUL in name", withEntries(zipEntry{"logs/a\x00b", []byte("x")}), []string{"unsafe entry", "control character"}},
		{"duplicate", withEntries(zipEntry{"series.csv", []byte("x")}), []string{`entry "series.csv" appears twice`}},
		{"duplicate in case", withEntries(zipEntry{"LOGS/UPLINK.LOG", []byte("x")}), []string{"differ only in case"}},
		{"missing series", edit(t, valid, func(e *zipEntry) bool { return e.Name != "series.csv" }),
			[]string{"entry series.csv is missing"}},
		{"missing listed trace", edit(t, valid, func(e *zipEntry) bool { return e.Name != "traces/down-2.trace" }),
			[]string{"entry traces/down-2.trace is missing"}},
		{"bad session.toml", edit(t, valid, replaceEntry("session.toml", "title = ", "title = = ")),
			[]string{"session bad.zip: session.toml line 5: not valid TOML"}},
		{"session.toml wrong type", edit(t, valid, replaceEntry("session.toml", `reached = "8s"`, "reached = 8")),
			[]string{"session.toml line 8: reached: want a string"}},
		{"session.toml bad duration", edit(t, valid, replaceEntry("session.toml", `reached = "8s"`, `reached = "eight"`)),
			[]string{"session.toml line 8: reached"}},
		{"no format", edit(t, valid, replaceEntry("session.toml", "format = 1", "formats = 1")),
			[]string{"session.toml: no format key"}},
		{"bad experiment.toml", edit(t, valid, replaceEntry("experiment.toml", `duration = "8s"`, `duration = "8 parsecs"`)),
			[]string{"experiment.toml line 4: duration"}},
		{"experiment uses a trace outside", edit(t, valid, replaceEntry("experiment.toml", `capacity = "traces/cell_uplink.trace"`, `capacity = "/etc/hostname"`)),
			[]string{"experiment.toml line 9: uplink.capacity: trace \"/etc/hostname\" is not stored in the session"}},
		{"experiment uses a missing trace", edit(t, valid, replaceEntry("experiment.toml", `capacity = "traces/cell_uplink.trace"`, `capacity = "traces/nope"`)),
			[]string{"experiment.toml line 9: uplink.capacity: trace \"traces/nope\" is not stored in the session"}},
		{"bad trace inside", edit(t, valid, func(e *zipEntry) bool {
			if e.Name == "traces/cell_uplink.trace" {
				e.Data = []byte("1\nabc\n")
			}
			return true
		}), []string{"experiment.toml line 9: uplink.capacity: trace traces/cell_uplink.trace line 2"}},
		{"bad timeline kind", edit(t, valid, replaceEntry("timeline.csv", ",info,", ",gossip,")),
			[]string{"timeline.csv line 2: kind \"gossip\""}},
		{"bad timeline header", edit(t, valid, replaceEntry("timeline.csv", "t_ns,t,", "time,t,")),
			[]string{"timeline.csv line 1: want the header"}},
		{"bad timeline quoting", edit(t, valid, replaceEntry("timeline.csv", "\n1000000000,", "\n\"1000000000,")),
			[]string{"timeline.csv line"}},
		{"timeline with a foreign trace", edit(t, valid, func(e *zipEntry) bool {
			if e.Name == "timeline.csv" {
				e.Data = append(e.Data, "7000000000,7.000000000,change,false,uplink trace /etc/passwd\n"...)
			}
			return true
		}), []string{"timeline.csv: the change \"uplink trace /etc/passwd\"", "not stored in the session"}},
		{"scripted change with a foreign trace", edit(t, valid, replaceEntry("timeline.csv", "downlink trace traces/down.trace", "downlink trace traces/gone.trace")),
			[]string{"timeline.csv: the change \"downlink trace traces/gone.trace\" at 4s uses a trace not stored"}},
		{"bad summary.json", edit(t, valid, replaceEntry("summary.json", `"seed": 7,`, `"seed": 7,,`)),
			[]string{"summary.json line 4: not valid JSON"}},
		{"summary.json wrong type", edit(t, valid, replaceEntry("summary.json", `"seed": 7,`, `"seed": "seven",`)),
			[]string{"summary.json line 4: seed"}},
		{"bad series.csv", edit(t, valid, replaceEntry("series.csv", "# ccscope store v1", "# something else")),
			[]string{"series.csv: store: read csv: line 1"}},
		{"bad series row", edit(t, valid, replaceEntry("series.csv", ",gauge,", ",gorge,")),
			[]string{"series.csv: store: read csv: line 4", "gorge"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			msg := readErr(t, c.data)
			if msg == "" {
				t.Fatal("loaded without error")
			}
			t.Log(msg)
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\ndoes not contain %q", msg, w)
				}
			}
		})
	}
}

// TestTruncated cuts a valid file at many offsets: every cut is an error
// that says so.
func TestTruncated(t *testing.T) {
	valid := sessionBytes(t, tiny(smallSession(t)))
	step := max(len(valid)/97, 1)
	for n := 0; n < len(valid); n += step {
		checkTruncated(t, valid[:n])
	}
	for n := len(valid) - 30; n < len(valid); n++ {
		checkTruncated(t, valid[:n])
	}
}

func checkTruncated(t *testing.T, data []byte) {
	t.Helper()
	msg := readErr(t, data)
	switch {
	case msg == "":
		t.Fatalf("cut at %d: loaded", len(data))
	case len(data) == 0 && strings.Contains(msg, "empty file"):
	case len(data) < 4 && strings.Contains(msg, "not a zip file"):
	case len(data) >= 4 && strings.Contains(msg, "truncated or corrupt"):
	default:
		t.Fatalf("cut at %d: %s", len(data), msg)
	}
}

// TestCorrupt flips bytes inside each entry's compressed data (the
// checksum or the decompressor catches it) and all over the file (any
// error, no panic).
func TestCorrupt(t *testing.T) {
	valid := sessionBytes(t, tiny(smallSession(t)))
	zr, err := zip.NewReader(bytes.NewReader(valid), int64(len(valid)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		off, err := f.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []int64{0, int64(f.CompressedSize64) / 2, int64(f.CompressedSize64) - 1} {
			bad := bytes.Clone(valid)
			bad[off+at] ^= 0x55
			msg := readErr(t, bad)
			if !strings.Contains(msg, "truncated or corrupt: "+f.Name) {
				t.Errorf("%s flipped at %d: %q", f.Name, at, msg)
			}
		}
	}
	// Anywhere in the file: an error or, for a flip in a field nothing
	// checks (a time stamp, an attribute, the zip comment), a session
	// that still reads the same; never a panic.
	want := storeCSV(t, mustRead(t, valid).Series)
	for i := 0; i < len(valid); i += max(len(valid)/300, 1) {
		bad := bytes.Clone(valid)
		bad[i] ^= 0xff
		if readErr(t, bad) == "" && !bytes.Equal(storeCSV(t, mustRead(t, bad).Series), want) {
			t.Errorf("flip at %d: loads with different series", i)
		}
	}
}

func mustRead(t *testing.T, data []byte) *Session {
	t.Helper()
	s, err := Read(bytes.NewReader(data), int64(len(data)), "x.zip")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rawZip adds an entry with the given header fields and raw
// (already compressed) data.
func rawZip(t *testing.T, base []byte, h *zip.FileHeader, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries(t, base) {
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.Data)
	}
	w, err := zw.CreateRaw(h)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func deflate(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	fw, _ := flate.NewWriter(&b, flate.BestCompression)
	fw.Write(data)
	fw.Close()
	return b.Bytes()
}

// TestSizeCaps: entries over their caps are refused whatever their
// headers say, and a zip bomb is refused by its ratio.
func TestSizeCaps(t *testing.T) {
	valid := sessionBytes(t, tiny(smallSession(t)))
	big := bytes.Repeat([]byte("x"), 17<<20) // over session.toml's 16 MiB
	packed := deflate(t, big)

	// Honest header over the cap: refused before reading.
	noMeta := edit(t, valid, func(e *zipEntry) bool { return e.Name != "session.toml" })
	honest := rawZip(t, noMeta, &zip.FileHeader{Name: "session.toml", Method: zip.Deflate,
		CRC32: crc32.ChecksumIEEE(big), CompressedSize64: uint64(len(packed)), UncompressedSize64: uint64(len(big))}, packed)
	if msg := readErr(t, honest); !strings.Contains(msg, "entry session.toml: 17825792 bytes, more than the 16 MiB limit") {
		t.Errorf("honest oversized header: %q", msg)
	}
	// A header that lies (says 100 bytes): the stream is cut at the
	// declared size and reported.
	liar := rawZip(t, noMeta, &zip.FileHeader{Name: "session.toml", Method: zip.Deflate,
		CRC32: crc32.ChecksumIEEE(big), CompressedSize64: uint64(len(packed)), UncompressedSize64: 100}, packed)
	if msg := readErr(t, liar); !strings.Contains(msg, "truncated or corrupt: session.toml") {
		t.Errorf("lying header: %q", msg)
	}

	// A zip bomb: 64 MiB of zeros, deflated to about 64 KiB, as an
	// attachment (under its 1 GiB cap).
	zeros := make([]byte, 64<<20)
	bomb := deflate(t, zeros)
	if r := len(zeros) / len(bomb); r <= MaxCompressionRatio {
		t.Fatalf("the test bomb only expands %d times", r)
	}
	bombed := rawZip(t, valid, &zip.FileHeader{Name: "pcap/bomb.pcap", Method: zip.Deflate,
		CRC32: crc32.ChecksumIEEE(zeros), CompressedSize64: uint64(len(bomb)), UncompressedSize64: uint64(len(zeros))}, bomb)
	if msg := readErr(t, bombed); !strings.Contains(msg, "pcap/bomb.pcap expands more than 1000 times") || !strings.Contains(msg, "zip bomb") {
		t.Errorf("zip bomb: %q", msg)
	}
	// The same bytes stored plainly are just a large attachment.
	plain := rawZip(t, valid, &zip.FileHeader{Name: "pcap/zeros.pcap", Method: zip.Store,
		CRC32: crc32.ChecksumIEEE(zeros[:2<<20]), CompressedSize64: 2 << 20, UncompressedSize64: 2 << 20}, zeros[:2<<20])
	if msg := readErr(t, plain); msg != "" {
		t.Errorf("2 MiB of stored zeros: %q", msg)
	}

	// Too many entries.
	var many []zipEntry
	for i := range MaxEntries + 1 {
		many = append(many, zipEntry{Name: "logs/" + strings.Repeat("a", 1+i%7) + string(rune('a'+i%26)) + "/" + itoa(i), Data: nil})
	}
	if msg := readErr(t, pack(t, many, true)); !strings.Contains(msg, "10001 entries, more than the 10000") {
		t.Errorf("too many entries: %q", msg)
	}
}

func itoa(i int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
		if i == 0 {
			return string(b)
		}
	}
}

// TestLoadErrors: Load's own errors name the path.
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(filepath.Join(dir, "none.zip")); err == nil || !strings.Contains(err.Error(), "none.zip") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory: %v", err)
	}
	p := filepath.Join(dir, "text.zip")
	os.WriteFile(p, []byte("plain text"), 0o644)
	if _, err := Load(p); err == nil || err.Error() != "session "+p+": not a ccscope session (not a zip file)" {
		t.Errorf("a text file: %v", err)
	}
}
