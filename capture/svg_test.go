package capture

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// checkXML fails unless b is a well-formed XML document with an <svg> root.
func checkXML(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q, want svg", root)
	}
}

func genAnalysis(t testing.TB, size int64, opt AnalyzeOptions) *Analysis {
	t.Helper()
	var buf bytes.Buffer
	if _, err := genLog(&buf, size, 5); err != nil {
		t.Fatal(err)
	}
	a, err := Analyze(&buf, "gen.log", opt)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestThroughputSVG(t *testing.T) {
	a := genAnalysis(t, 1<<20, AnalyzeOptions{})
	var b bytes.Buffer
	if err := a.WriteThroughputSVG(&b); err != nil {
		t.Fatal(err)
	}
	checkXML(t, b.Bytes())
	s := b.String()
	m := a.Mahimahi
	for _, want := range []string{
		`width="768pt" height="420pt"`, // 1024×560 px at 96 dpi
		"Capacity (mean 12.03 Mbits/s)",
		fmt.Sprintf("Traffic ingress (mean %.2f Mbits/s)", m.Ingress),
		fmt.Sprintf("Traffic egress (mean %.2f Mbits/s)", m.Throughput),
		"throughput (Mbits/s)",
		"time (s)",
		"stroke:#0020a0;stroke-width:3",   // 4 px
		"stroke:#ff6040;stroke-width:1.5", // 2 px
	} {
		if !strings.Contains(strings.ToLower(s), strings.ToLower(want)) {
			t.Errorf("throughput SVG lacks %q", want)
		}
	}
}

func TestDelaySVG(t *testing.T) {
	a := genAnalysis(t, 1<<20, AnalyzeOptions{KeepPoints: true})
	var b bytes.Buffer
	if err := a.WriteDelaySVG(&b); err != nil {
		t.Fatal(err)
	}
	checkXML(t, b.Bytes())
	s := b.String()
	m := a.Mahimahi
	for _, want := range []string{
		"Signal delay",
		"Per-packet delay",
		fmt.Sprintf("95th percentile signal delay (%.0f ms)", m.SignalP95),
		fmt.Sprintf("95th percentile per-packet delay (%.0f ms)", m.DelayP95),
		"delay (ms)",
		"fill:#ff0000\"",                // the per-packet cells
		"fill:#0000ff;fill-opacity:0.4", // the signal delay
	} {
		if !strings.Contains(strings.ToLower(s), strings.ToLower(want)) {
			t.Errorf("delay SVG lacks %q", want)
		}
	}
}

func TestSVGErrors(t *testing.T) {
	noDeps := analyzeString(t, "# base timestamp: 0\n1 # 1504\n2 # 1504\n3 + 100\n", AnalyzeOptions{MsPerBin: 1, KeepPoints: true})
	if err := noDeps.WriteDelaySVG(io.Discard); err == nil || !strings.Contains(err.Error(), "no departures") {
		t.Errorf("delay graph without departures: %v", err)
	}
	// mm-throughput-graph draws a log without departures; so do we.
	if err := noDeps.WriteThroughputSVG(io.Discard); err != nil {
		t.Errorf("throughput graph without departures: %v", err)
	}
	oneBin := analyzeString(t, "# base timestamp: 0\n1 # 1504\n100 + 100\n200 - 100 100\n", AnalyzeOptions{MsPerBin: 500, KeepPoints: true})
	if err := oneBin.WriteThroughputSVG(io.Discard); err == nil || !strings.Contains(err.Error(), "too large for the length of the log") {
		t.Errorf("one bin: %v", err)
	}
	if err := oneBin.WriteDelaySVG(io.Discard); err != nil {
		t.Errorf("delay graph of a short log: %v", err)
	}
	noPoints := analyzeString(t, "# base timestamp: 0\n1 # 1504\n100 + 100\n2000 - 100 100\n", AnalyzeOptions{})
	if err := noPoints.WriteDelaySVG(io.Discard); err == nil || !strings.Contains(err.Error(), "KeepPoints") {
		t.Errorf("delay graph without KeepPoints: %v", err)
	}
	empty := analyzeString(t, "", AnalyzeOptions{KeepPoints: true})
	if err := empty.WriteThroughputSVG(io.Discard); err == nil {
		t.Error("throughput graph of an empty log drew")
	}
	zeroDelay := analyzeString(t, "0 + 100\n5 - 100 0\n9 - 100 0\n", AnalyzeOptions{MsPerBin: 1, KeepPoints: true})
	var b bytes.Buffer
	if err := zeroDelay.WriteDelaySVG(&b); err != nil {
		t.Errorf("delay graph of zero delays: %v", err)
	}
	checkXML(t, b.Bytes())
}

// TestSVGSizeBoundedForHugeLog: a 10-million-event log still gives small
// SVGs.
func TestSVGSizeBoundedForHugeLog(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 10-million-event log")
	}
	pr, pw := io.Pipe()
	var events int64
	go func() {
		var err error
		// About 21 bytes per event.
		events, err = genLog(pw, 215<<20, 9)
		pw.CloseWithError(err)
	}()
	a, err := Analyze(pr, "huge.log", AnalyzeOptions{KeepPoints: true})
	if err != nil {
		t.Fatal(err)
	}
	if a.Events < 10_000_000 || events < 10_000_000 {
		t.Fatalf("only %d events", a.Events)
	}
	for name, write := range map[string]func(io.Writer) error{
		"throughput": a.WriteThroughputSVG,
		"delay":      a.WriteDelaySVG,
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		checkXML(t, b.Bytes())
		t.Logf("%s SVG of %d events: %d bytes", name, a.Events, b.Len())
		if b.Len() > 2<<20 {
			t.Errorf("%s SVG is %d bytes", name, b.Len())
		}
	}
}
