// colour.go owns colour values: reading them from a theme file ("#rrggbb",
// "#rgb", an ANSI number 0–255), writing them back (ColorString), and the
// WCAG 2.x contrast ratio between two colours.
package themes

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// colourHint is what every bad-colour message ends with.
const colourHint = `write "#rrggbb", "#rgb" or an ANSI colour number 0–255`

// parseColour reads one colour value as decoded from TOML: a string
// "#rrggbb" or "#rgb" (any case), or an ANSI palette index 0–255 as an
// integer or a string of digits. Indexes give lipgloss's ANSI colours, so
// they render as the terminal's own palette.
func parseColour(v any) (color.Color, error) {
	switch x := v.(type) {
	case string:
		return parseColourString(x)
	case int64:
		if x < 0 || x > 255 {
			return nil, fmt.Errorf("%d is not an ANSI colour number; they are 0–255 (or %s)", x, `write "#rrggbb" or "#rgb"`)
		}
		return lipgloss.Color(strconv.FormatInt(x, 10)), nil
	case float64:
		return nil, fmt.Errorf("%v is not a colour; %s", x, colourHint)
	}
	return nil, fmt.Errorf("%s is not a colour; %s", tomlType(v), colourHint)
}

func parseColourString(s string) (color.Color, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, fmt.Errorf("the colour is empty; %s", colourHint)
	}
	if isDigits(t) {
		n, err := strconv.Atoi(t)
		if err != nil || n > 255 || len(t) > 3 {
			return nil, fmt.Errorf("%q is not an ANSI colour number; they are 0–255 (or %s)", s, `write "#rrggbb" or "#rgb"`)
		}
		return lipgloss.Color(strconv.Itoa(n)), nil
	}
	if t[0] != '#' {
		if (len(t) == 6 || len(t) == 3) && isHex(t) {
			return nil, fmt.Errorf("%q is not a colour (did you mean %q?)", s, "#"+t)
		}
		return nil, fmt.Errorf("%q is not a colour; %s", s, colourHint)
	}
	digits := t[1:]
	if !isHex(digits) {
		return nil, fmt.Errorf("%q is not a colour: after # come hex digits 0–9, a–f only; %s", s, colourHint)
	}
	if len(digits) != 6 && len(digits) != 3 {
		return nil, fmt.Errorf("%q has %d hex digits; write 6 (#rrggbb) or 3 (#rgb)", s, len(digits))
	}
	return lipgloss.Color(strings.ToLower(t)), nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// ColorString writes a colour as a theme file would: the palette index
// for ANSI colours ("208"), else "#rrggbb" (alpha ignored). nil is "".
func ColorString(c color.Color) string {
	switch x := c.(type) {
	case nil:
		return ""
	case ansi.BasicColor:
		return strconv.Itoa(int(x))
	case ansi.IndexedColor:
		return strconv.Itoa(int(x))
	}
	r, g, b := rgb8(c)
	return fmt.Sprintf("#%02x%02x%02x", r, g, b)
}

// rgb8 gives a colour's 8-bit sRGB components, un-premultiplying alpha.
func rgb8(c color.Color) (r, g, b uint8) {
	nc := color.NRGBAModel.Convert(c).(color.NRGBA)
	return nc.R, nc.G, nc.B
}

// Contrast is the WCAG 2.x contrast ratio between two colours, from 1
// (same luminance) to 21 (black on white); the order does not matter.
// WCAG asks for 4.5 for text (7 for its enhanced level AAA) and 3 for
// graphics. ANSI palette colours count as xterm's default palette.
func Contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is WCAG 2.x relative luminance: linearised sRGB weighted by
// the Rec. 709 coefficients.
func luminance(c color.Color) float64 {
	if c == nil {
		return 0
	}
	r, g, b := rgb8(c)
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
