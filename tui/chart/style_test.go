package chart

// style_test.go checks that colour runs are written exactly as lipgloss
// writes a foreground-coloured line, for every kind of colour.

import (
	"image/color"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

func TestSGRMatchesLipgloss(t *testing.T) {
	for _, c := range []color.Color{
		lipgloss.Color("#61afef"), lipgloss.Color("#000"), lipgloss.Color("1"), lipgloss.Color("9"),
		lipgloss.Color("15"), lipgloss.Color("200"), lipgloss.Red, ansi.IndexedColor(16),
		color.RGBA64{R: 0x1234, G: 0xabcd, B: 0xffff, A: 0xffff}, color.Gray{Y: 77},
		color.RGBA{R: 1, G: 2, B: 3, A: 255},
	} {
		for _, bold := range []bool{false, true} {
			st := lipgloss.NewStyle().Foreground(c).Bold(bold)
			want := st.Render("abc")
			got := string(appendSGR(nil, specOf(c, bold))) + "abc" + sgrReset
			if got != want {
				t.Errorf("%T %v bold %v: %q, lipgloss %q", c, c, bold, got, want)
			}
		}
	}
	// no colour: nothing but bold, if asked
	for _, c := range []color.Color{nil, lipgloss.NoColor{}} {
		if s := specOf(c, false); s != (penSpec{}) {
			t.Errorf("%T: spec %+v, want none", c, s)
		}
		want := lipgloss.NewStyle().Bold(true).Render("abc")
		if got := string(appendSGR(nil, specOf(c, true))) + "abc" + sgrReset; got != want {
			t.Errorf("%T bold: %q, lipgloss %q", c, got, want)
		}
	}
}

// Each run of a rendered row is one SGR sequence, the text and a reset;
// uncoloured cells carry no sequences at all.
func TestRunsInOutput(t *testing.T) {
	red, blue := lipgloss.Color("#ff0000"), lipgloss.Color("#0000ff")
	c := &Chart{NoLegend: true, XMin: 0, XMax: 10, YMin: 0, YMax: 1, Series: []Series{
		{Color: red, Points: []Point{{0, 0.5}, {4, 0.5}}},
		{Color: blue, Points: []Point{{6, 0.5}, {10, 0.5}}},
	}}
	out := c.Render(30, 6)
	checkShape(t, out, 30, 6)
	sgr := func(col color.Color) string { return lipgloss.NewStyle().Foreground(col).Render("x") }
	redOn, blueOn := strings.TrimSuffix(sgr(red), "x\x1b[m"), strings.TrimSuffix(sgr(blue), "x\x1b[m")
	var row string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, redOn) {
			row = l
		}
	}
	if row == "" {
		t.Fatalf("no row with the red run:\n%q", out)
	}
	// the line row: label/axis (uncoloured, as Axis/Muted are nil), then a
	// red run, blanks, a blue run
	if strings.Count(row, redOn) != 1 || strings.Count(row, blueOn) != 1 || strings.Count(row, "\x1b[m") != 2 {
		t.Errorf("want one red and one blue run: %q", row)
	}
	plain := ansi.Strip(row)
	if i, j := strings.Index(row, redOn), strings.Index(row, blueOn); i > j {
		t.Errorf("red run after blue: %q", row)
	}
	if !strings.ContainsFunc(plain, func(r rune) bool { return r > 0x2800 && r <= 0x28ff }) {
		t.Errorf("no dots in %q", plain)
	}
}
