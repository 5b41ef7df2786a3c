// parse_lines.go owns finding the line of a key in a theme file: the TOML
// library positions a toml.ParseError for an Unmarshaler's error at the
// key being decoded, so a probe that always fails asks it where a value
// is; scanning the text is the fallback for keys it has no position for.
package themes

import (
	"errors"
	"strings"

	"github.com/BurntSushi/toml"
)

// line is the line of a top-level key: where the TOML library says its
// value is (the position it gives an Unmarshaler's error), else where
// scanning the text finds it.
func (p *parser) line(key string, prim toml.Primitive) int {
	return p.lineAt(key, lineOf(p.md.PrimitiveDecode(prim, lineProbe{})))
}

// lineAt is line if known, else the line scanning finds for key.
func (p *parser) lineAt(key string, line int) int {
	if line > 0 {
		return line
	}
	return scanKeyLine(p.src, key)
}

// scanKeyLine is the first line that starts with key (bare or quoted) as
// a key ("key =", "key.x =") or a table header ("[key]", "[key.x]"), or 0.
// It is the fallback for keys the TOML library has no position for
// (dotted keys' implicit tables).
func scanKeyLine(src, key string) int {
	forms := []string{key, `"` + key + `"`, "'" + key + "'"}
	for i, l := range strings.Split(src, "\n") {
		l = strings.TrimSpace(l)
		for _, prefix := range []string{"[[", "["} {
			if rest, ok := strings.CutPrefix(l, prefix); ok {
				l = strings.TrimSpace(rest)
				break
			}
		}
		for _, f := range forms {
			if rest, ok := strings.CutPrefix(l, f); ok {
				rest = strings.TrimSpace(rest)
				if rest != "" && strings.ContainsRune("=.]", rune(rest[0])) {
					return i + 1
				}
			}
		}
	}
	return 0
}

// lineOf is the line a toml.ParseError gives, or 0.
func lineOf(err error) int {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return pe.Position.Line
	}
	return 0
}

// lineProbe fails on purpose, so that the TOML library says where its
// value is.
type lineProbe struct{}

func (lineProbe) UnmarshalTOML(any) error { return errors.New("line probe") }
