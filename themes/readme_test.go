// readme_test.go keeps README.md's generated section — the built-in
// palettes and the numbers they are checked to — equal to the code.
// CCSCOPE_UPDATE_README=1 rewrites it.
package themes

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

const (
	readmeBegin = "<!-- palettes:begin -->\n"
	readmeEnd   = "<!-- palettes:end -->\n"
)

// paletteSection is the generated part of README.md.
func paletteSection() string {
	bs := Builtins()
	var b strings.Builder
	b.WriteString("_Generated from the code by `CCSCOPE_UPDATE_README=1 go test ./themes -run TestReadmePalettes`; a test checks it is current._\n\n")
	b.WriteString("| role |")
	for _, th := range bs {
		fmt.Fprintf(&b, " `%s` |", th.Name)
	}
	b.WriteString("\n|---|")
	for range bs {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range Roles() {
		fmt.Fprintf(&b, "| %s |", r.Key)
		for _, th := range bs {
			c, _ := th.Color(r.Key)
			fmt.Fprintf(&b, " `%s` |", ColorString(c))
		}
		b.WriteString("\n")
	}
	for i := range MinFlows {
		fmt.Fprintf(&b, "| flows[%d] |", i)
		for _, th := range bs {
			fmt.Fprintf(&b, " `%s` |", ColorString(th.Flow(i)))
		}
		b.WriteString("\n")
	}

	b.WriteString("\nWhat the tests measure: WCAG 2.x contrast ratios on `background`, and the CIEDE2000 distance between the closest pair of flow colours (among all 8, and among the first 3) as seen with normal vision and under simulated protanopia, deuteranopia and tritanopia. Only `colorblind` keeps all 8 apart under every simulation; the others keep their first 3 apart under protanopia and deuteranopia.\n\n")
	b.WriteString("| theme | foreground | lowest other text | lowest chart series | 8 flows: normal | protan | deutan | tritan | first 3: protan | deutan |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, th := range bs {
		lowText, lowSeries := math.Inf(1), math.Inf(1)
		for _, k := range []string{"muted", "title", "accent", "good", "warning", "error", "axis"} {
			c, _ := th.Color(k)
			lowText = math.Min(lowText, wcagRatio(c, th.Background))
		}
		series := []string{"capacity", "total", "p95", "marker", "uplink", "downlink", "queue", "drop"}
		for _, k := range series {
			c, _ := th.Color(k)
			lowSeries = math.Min(lowSeries, wcagRatio(c, th.Background))
		}
		for _, c := range th.Flows {
			lowSeries = math.Min(lowSeries, wcagRatio(c, th.Background))
		}
		fmt.Fprintf(&b, "| `%s` | %.1f:1 | %.1f:1 | %.1f:1 |", th.Name, wcagRatio(th.Foreground, th.Background), lowText, lowSeries)
		closest := func(n int, v vision) float64 {
			lo := math.Inf(1)
			for i := range n {
				for j := i + 1; j < n; j++ {
					lo = math.Min(lo, deltaE00(seenLab(th.Flows[i], v), seenLab(th.Flows[j], v)))
				}
			}
			return lo
		}
		for _, v := range visions() {
			fmt.Fprintf(&b, " %.1f |", closest(MinFlows, v))
		}
		for _, v := range visions()[1:3] {
			fmt.Fprintf(&b, " %.1f |", closest(3, v))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestReadmePalettes(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	i, j := strings.Index(doc, readmeBegin), strings.Index(doc, readmeEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q … %q section", strings.TrimSpace(readmeBegin), strings.TrimSpace(readmeEnd))
	}
	want := paletteSection()
	if doc[i+len(readmeBegin):j] == want {
		return
	}
	if os.Getenv("CCSCOPE_UPDATE_README") == "1" {
		doc = doc[:i+len(readmeBegin)] + want + doc[j:]
		if err := os.WriteFile("README.md", []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's palette section is stale; run CCSCOPE_UPDATE_README=1 go test ./themes -run TestReadmePalettes. Want:\n%s", want)
}
