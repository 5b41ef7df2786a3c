// format.go owns writing a Theme as a theme file: every key, with the
// role's documentation as a comment. Parse(Format(t)) gives t back, so a
// built-in written out is a complete starting point for a user theme.
package themes

import (
	"fmt"
	"image/color"
	"strings"
)

// Format writes t as a complete theme file (no base: every role set).
// Nil colours are left out, so that Parse falls back to the base there.
func Format(t Theme) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# ccscope theme; the format is in themes/README.md.\n")
	fmt.Fprintf(&b, "name = %s\n", tomlString(t.Name))
	group := ""
	for _, r := range Roles() {
		if r.Group != group {
			group = r.Group
			if group == "chart" {
				b.WriteString("\n# charts and meters\n")
			} else {
				b.WriteString("\n# text and chrome\n")
			}
		}
		c, _ := t.Color(r.Key)
		if c == nil {
			continue
		}
		fmt.Fprintf(&b, "%-22s = %-9s # %s\n", r.Key, colourLiteral(c), r.Doc)
	}
	b.WriteString("\n# flow series colours, in order (at least 8)\nflows = [\n")
	for _, c := range t.Flows {
		if c != nil {
			fmt.Fprintf(&b, "  %s,\n", colourLiteral(c))
		}
	}
	b.WriteString("]\n")
	return []byte(b.String())
}

// colourLiteral is a colour as a TOML value: a quoted "#rrggbb", or a bare
// ANSI number.
func colourLiteral(c color.Color) string {
	s := ColorString(c)
	if strings.HasPrefix(s, "#") {
		return tomlString(s)
	}
	return s
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
