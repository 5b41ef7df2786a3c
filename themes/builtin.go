// builtin.go owns the list of built-in themes and looking them up: Names
// (also the order the "cycle theme" key follows), Builtins, ByName (with a
// few forgiving spellings) and Next.
package themes

import "strings"

// Default is the name of the theme used when none is chosen.
const Default = "dark"

// builtinFuncs pairs each built-in name with the function that builds it,
// in cycling order.
func builtinFuncs() []struct {
	name  string
	build func() Theme
} {
	return []struct {
		name  string
		build func() Theme
	}{
		{"dark", darkTheme},
		{"light", lightTheme},
		{"high-contrast", highContrastTheme},
		{"colorblind", colorblindTheme},
	}
}

// Builtins builds every built-in theme, in the order of Names. Each call
// returns fresh values.
func Builtins() []Theme {
	var out []Theme
	for _, b := range builtinFuncs() {
		out = append(out, b.build())
	}
	return out
}

// Names lists the built-in themes' names: dark (the default), light,
// high-contrast, colorblind. This is the order Next cycles through.
func Names() []string {
	var out []string
	for _, b := range builtinFuncs() {
		out = append(out, b.name)
	}
	return out
}

// ByName builds the built-in theme with that name. Case, spaces, '-' and
// '_' do not matter, and "default" (dark), "hc" (high-contrast),
// "colourblind" and "cvd" (colorblind) are understood too.
func ByName(name string) (Theme, bool) {
	canon := canonicalName(name)
	for _, b := range builtinFuncs() {
		if b.name == canon {
			return b.build(), true
		}
	}
	return Theme{}, false
}

// canonicalName maps a spelling of a built-in's name to the name, or
// returns its input lower-cased.
func canonicalName(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	squashed := strings.NewReplacer("-", "", "_", "", " ", "").Replace(n)
	switch squashed {
	case "dark", "default":
		return "dark"
	case "light":
		return "light"
	case "highcontrast", "hc", "contrast":
		return "high-contrast"
	case "colorblind", "colourblind", "cvd", "colorblindsafe", "colourblindsafe":
		return "colorblind"
	}
	return n
}

// Next is the built-in after name in the cycling order of Names, wrapping
// around; for a name that is not a built-in (a user theme) it is the
// first built-in, Default.
func Next(name string) string {
	names := Names()
	canon := canonicalName(name)
	for i, n := range names {
		if n == canon {
			return names[(i+1)%len(names)]
		}
	}
	return names[0]
}
