// contrast_test.go checks every built-in against WCAG 2.x contrast
// ratios, computed here from the definition independently of the
// package's Contrast (which it also cross-checks).
package themes

import (
	"image/color"
	"math"
	"testing"
)

// wcagLuminance is relative luminance as WCAG 2.x defines it: each 8-bit
// sRGB channel c/255 linearised (c/12.92 at or below 0.03928, else
// ((c+0.055)/1.055)^2.4), weighted 0.2126 R + 0.7152 G + 0.0722 B.
func wcagLuminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA() // 16-bit, opaque colours only in themes
	ch := func(v uint32) float64 {
		s := float64(v>>8) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(b)
}

// wcagRatio is (L1 + 0.05) / (L2 + 0.05) with L1 the lighter.
func wcagRatio(a, b color.Color) float64 {
	l1, l2 := wcagLuminance(a), wcagLuminance(b)
	if l1 < l2 {
		l1, l2 = l2, l1
	}
	return (l1 + 0.05) / (l2 + 0.05)
}

func rgb(r, g, b uint8) color.Color { return color.RGBA{r, g, b, 0xff} }

func TestWCAGReference(t *testing.T) {
	// Known ratios: black on white is 21:1; #777777 on white is 4.48:1
	// (the classic "just fails AA" grey); #0000ff on white 8.59:1.
	for _, c := range []struct {
		a, b color.Color
		want float64
	}{
		{rgb(0, 0, 0), rgb(255, 255, 255), 21},
		{rgb(0x77, 0x77, 0x77), rgb(255, 255, 255), 4.48},
		{rgb(0, 0, 255), rgb(255, 255, 255), 8.59},
		{rgb(255, 0, 0), rgb(0, 0, 0), 5.25},
	} {
		if got := wcagRatio(c.a, c.b); math.Abs(got-c.want) > 0.01 {
			t.Errorf("wcagRatio(%s, %s) = %.3f, want %.2f", ColorString(c.a), ColorString(c.b), got, c.want)
		}
		if got := Contrast(c.a, c.b); math.Abs(got-c.want) > 0.01 {
			t.Errorf("Contrast(%s, %s) = %.3f, want %.2f", ColorString(c.a), ColorString(c.b), got, c.want)
		}
	}
}

// contrastRule is one requirement: every role in fg on bg at least min.
type contrastRule struct {
	what string
	fg   []string // role keys; "flows" means every flow colour
	bg   string
	min  float64
}

// contrastRules are the requirements for a theme; high-contrast asks 7:1
// (WCAG AAA) of all text and of every chart series as well.
func contrastRules(highContrast bool) []contrastRule {
	text, graphic := 4.5, 3.0
	if highContrast {
		text, graphic = 7, 7
	}
	return []contrastRule{
		{"body text (AAA)", []string{"foreground"}, "background", 7},
		{"text", []string{"muted", "title", "accent", "good", "warning", "error", "axis"}, "background", text},
		{"selected text", []string{"selection-foreground"}, "selection-background", text},
		{"status bar text", []string{"status-bar-foreground"}, "status-bar-background", text},
		{"chart series and marks", []string{"flows", "capacity", "total", "p95", "marker", "uplink", "downlink", "queue", "drop"}, "background", graphic},
		{"pane borders (visible, not loud)", []string{"border"}, "background", 1.5},
		{"gridlines (visible, not loud)", []string{"grid"}, "background", 1.15},
	}
}

func TestBuiltinContrast(t *testing.T) {
	for _, th := range Builtins() {
		t.Run(th.Name, func(t *testing.T) {
			bgOf := func(key string) color.Color { c, _ := th.Color(key); return c }
			lowest := map[string]float64{}
			for _, rule := range contrastRules(th.Name == "high-contrast") {
				bg := bgOf(rule.bg)
				for _, key := range rule.fg {
					cs := []color.Color{bgOf(key)}
					names := []string{key}
					if key == "flows" {
						cs, names = th.Flows, nil
						for i := range th.Flows {
							names = append(names, "flows["+itoa(i)+"]")
						}
					}
					for i, c := range cs {
						r := wcagRatio(c, bg)
						if r < rule.min {
							t.Errorf("%s: %s %s on %s %s is %.2f:1, want ≥ %g:1", rule.what, names[i], ColorString(c), rule.bg, ColorString(bg), r, rule.min)
						}
						if lo, ok := lowest[rule.what]; !ok || r < lo {
							lowest[rule.what] = r
						}
					}
				}
			}
			for _, rule := range contrastRules(th.Name == "high-contrast") {
				t.Logf("%-32s lowest %5.2f:1 (need %g)", rule.what, lowest[rule.what], rule.min)
			}
			// Hierarchy: secondary text is quieter than body text, gridlines
			// quieter than axes.
			if wcagRatio(th.Muted, th.Background) >= wcagRatio(th.Foreground, th.Background) && th.Name != "high-contrast" {
				t.Errorf("muted contrasts as much as foreground; it should be quieter")
			}
			if wcagRatio(th.Grid, th.Background) >= wcagRatio(th.Axis, th.Background) {
				t.Errorf("grid contrasts as much as axis; gridlines should be fainter")
			}
		})
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
