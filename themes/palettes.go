// palettes.go owns the four built-in palettes. Each is built by a
// function (no package state). The numbers tests check them against —
// WCAG contrast on the background, CIEDE2000 distances between series
// under normal and simulated colour-vision deficiencies — are in
// README.md, with where the published colours come from.
package themes

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// hexes turns "#rrggbb" strings into colours.
func hexes(s ...string) []color.Color {
	out := make([]color.Color, len(s))
	for i, h := range s {
		out[i] = lipgloss.Color(h)
	}
	return out
}

// darkTheme is the default: light text on a blue-black background; flow
// colours of medium-high lightness, spread around the hue circle, the
// first two blue and orange (apart for every common colour vision).
func darkTheme() Theme {
	c := lipgloss.Color
	return Theme{
		Name:                "dark",
		Background:          c("#11151c"),
		Foreground:          c("#e6e9ef"),
		Muted:               c("#8d97a5"),
		Border:              c("#3a4350"),
		Title:               c("#c3cedc"),
		Accent:              c("#4fc1ff"),
		SelectionBackground: c("#264466"),
		SelectionForeground: c("#ffffff"),
		Good:                c("#40c8a0"),
		Warning:             c("#f2b84b"),
		Error:               c("#ff6b6b"),
		StatusBarBackground: c("#1f2a38"),
		StatusBarForeground: c("#d6dee8"),
		Axis:                c("#8d97a5"),
		Grid:                c("#262d38"),
		Capacity:            c("#7f93ad"),
		Total:               c("#ffffff"),
		P95:                 c("#ff79c6"),
		Marker:              c("#f2b84b"),
		Uplink:              c("#ff9f43"),
		Downlink:            c("#4c9aff"),
		Queue:               c("#b98aff"),
		Drop:                c("#ff6b6b"),
		Flows: hexes(
			"#4c9aff", // blue
			"#ff9f43", // orange
			"#3ddc84", // green
			"#ff6b81", // rose
			"#b98aff", // violet
			"#f4d35e", // yellow
			"#4dd8e6", // cyan
			"#c8a27a", // tan
		),
	}
}

// lightTheme is dark text on an off-white background; flow colours are
// darker so that each keeps 3:1 contrast on it.
func lightTheme() Theme {
	c := lipgloss.Color
	return Theme{
		Name:                "light",
		Background:          c("#fbfbfa"),
		Foreground:          c("#1f2328"),
		Muted:               c("#5e6672"),
		Border:              c("#c5cbd3"),
		Title:               c("#1f4e8c"),
		Accent:              c("#0b62c4"),
		SelectionBackground: c("#cfe3ff"),
		SelectionForeground: c("#1f2328"),
		Good:                c("#00796b"),
		Warning:             c("#8f6400"),
		Error:               c("#c2185b"),
		StatusBarBackground: c("#e6eaf0"),
		StatusBarForeground: c("#1f2328"),
		Axis:                c("#5e6672"),
		Grid:                c("#e3e6ea"),
		Capacity:            c("#7a8fa8"),
		Total:               c("#1f2328"),
		P95:                 c("#b0308a"),
		Marker:              c("#b35c00"),
		Uplink:              c("#c45a00"),
		Downlink:            c("#1f6fd0"),
		Queue:               c("#7b3fbf"),
		Drop:                c("#c2185b"),
		Flows: hexes(
			"#1f6fd0", // blue
			"#d05a00", // orange
			"#008a6e", // bluish green
			"#c8324b", // crimson
			"#7b4fc8", // violet
			"#8c7a00", // olive
			"#00838f", // teal
			"#8d5524", // brown
		),
	}
}

// highContrastTheme is for projectors and low vision: pure white text on
// pure black, saturated light primaries and secondaries (every text role
// at 7:1 or more, WCAG AAA), and an inverse status bar and selection.
func highContrastTheme() Theme {
	c := lipgloss.Color
	return Theme{
		Name:                "high-contrast",
		Background:          c("#000000"),
		Foreground:          c("#ffffff"),
		Muted:               c("#c8c8c8"),
		Border:              c("#bfbfbf"),
		Title:               c("#ffffff"),
		Accent:              c("#00ffff"),
		SelectionBackground: c("#00ffff"),
		SelectionForeground: c("#000000"),
		Good:                c("#00ff99"),
		Warning:             c("#ffff00"),
		Error:               c("#ff6666"),
		StatusBarBackground: c("#ffffff"),
		StatusBarForeground: c("#000000"),
		Axis:                c("#ffffff"),
		Grid:                c("#5a5a5a"),
		Capacity:            c("#c0c0c0"),
		Total:               c("#ffffff"),
		P95:                 c("#ff66ff"),
		Marker:              c("#ffff00"),
		Uplink:              c("#ff9900"),
		Downlink:            c("#00ffff"),
		Queue:               c("#ff66ff"),
		Drop:                c("#ff6666"),
		Flows: hexes(
			"#ffff00", // yellow
			"#00ffff", // cyan
			"#ff66ff", // magenta
			"#00ff00", // green
			"#ff9900", // orange
			"#66b2ff", // light blue
			"#ff6666", // light red
			"#c8a2ff", // lavender
		),
	}
}

// colorblindTheme is safe for deuteranopia, protanopia and tritanopia.
// Flows are the Okabe–Ito palette (Okabe & Ito, "Color Universal Design",
// 2002/2008; Wong, Nature Methods 8:441, 2011) in its published order
// without its black, then Paul Tol's grey (#bbbbbb, Tol, "Colour Schemes",
// SRON/EPS/TN/09-002). Good, warning and error are bluish green, yellow
// and vermillion, which differ in lightness and on the blue–yellow axis,
// not only on the red–green one; every pair of meaning-bearing roles is
// checked under simulation.
func colorblindTheme() Theme {
	c := lipgloss.Color
	return Theme{
		Name:                "colorblind",
		Background:          c("#0f0f0f"),
		Foreground:          c("#f2f2f2"),
		Muted:               c("#a6a6a6"),
		Border:              c("#4d4d4d"),
		Title:               c("#ffffff"),
		Accent:              c("#56b4e9"),
		SelectionBackground: c("#0072b2"),
		SelectionForeground: c("#ffffff"),
		Good:                c("#009e73"),
		Warning:             c("#f0e442"),
		Error:               c("#d55e00"),
		StatusBarBackground: c("#262626"),
		StatusBarForeground: c("#f2f2f2"),
		Axis:                c("#a6a6a6"),
		Grid:                c("#333333"),
		Capacity:            c("#737373"),
		Total:               c("#ffffff"),
		P95:                 c("#cc79a7"),
		Marker:              c("#f0e442"),
		Uplink:              c("#e69f00"),
		Downlink:            c("#56b4e9"),
		Queue:               c("#0072b2"),
		Drop:                c("#d55e00"),
		Flows: hexes(
			"#e69f00", // orange
			"#56b4e9", // sky blue
			"#009e73", // bluish green
			"#f0e442", // yellow
			"#0072b2", // blue
			"#d55e00", // vermillion
			"#cc79a7", // reddish purple
			"#bbbbbb", // grey (Tol)
		),
	}
}
