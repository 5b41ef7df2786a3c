// parse_test.go checks reading theme files: the example file gives the
// colours it says, Format round-trips, and each bad file in testdata/bad
// gives the expected messages at the expected lines.
package themes

import (
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

// sameTheme reports the first difference between two themes, or "".
func sameTheme(a, b Theme) string {
	if a.Name != b.Name {
		return "name " + a.Name + " != " + b.Name
	}
	for _, r := range Roles() {
		ca, _ := a.Color(r.Key)
		cb, _ := b.Color(r.Key)
		if ColorString(ca) != ColorString(cb) {
			return r.Key + " " + ColorString(ca) + " != " + ColorString(cb)
		}
	}
	if len(a.Flows) != len(b.Flows) {
		return "flows length differs"
	}
	for i := range a.Flows {
		if ColorString(a.Flows[i]) != ColorString(b.Flows[i]) {
			return "flows[" + itoa(i) + "] " + ColorString(a.Flows[i]) + " != " + ColorString(b.Flows[i])
		}
	}
	return ""
}

func TestLoadExample(t *testing.T) {
	th, err := Load(filepath.Join("testdata", "example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	dark, _ := ByName("dark")
	want := dark
	want.Name = "classroom"
	want.Accent = lipgloss.Color("#ffb000")
	want.Title = lipgloss.Color("#ffffff")
	want.Capacity = lipgloss.Color("#9fb3c8")
	want.Marker = lipgloss.ANSIColor(213)
	want.Muted = lipgloss.ANSIColor(244)
	want.Flows = hexes("#56b4e9", "#e69f00", "#009e73", "#ff6b81", "#b98aff", "#f4d35e", "#4dd8e6", "#c8a27a")
	if d := sameTheme(th, want); d != "" {
		t.Errorf("example.toml: %s", d)
	}
	// ANSI numbers stay palette indices, so the terminal's palette applies.
	if _, ok := th.Marker.(lipgloss.ANSIColor); !ok {
		t.Errorf("marker = %T, want an ANSI palette colour", th.Marker)
	}
	if got := ColorString(th.Muted); got != "244" {
		t.Errorf("muted = %s, want 244", got)
	}
	if err := th.Validate(); err != nil {
		t.Error(err)
	}
}

func TestParseDefaults(t *testing.T) {
	// An empty file is the dark theme, named after the file.
	th, err := Parse("/some/dir/mine.toml", nil)
	if err != nil {
		t.Fatal(err)
	}
	dark, _ := ByName("dark")
	dark.Name = "mine"
	if d := sameTheme(th, dark); d != "" {
		t.Error(d)
	}
	// base takes the other built-in's roles, whatever the key order.
	th, err = Parse("x", []byte("accent = 33\nbase = \"high-contrast\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	hc, _ := ByName("high-contrast")
	if ColorString(th.Background) != ColorString(hc.Background) || ColorString(th.Accent) != "33" || th.Name != "x" {
		t.Errorf("base after a role: got background %s accent %s name %q", ColorString(th.Background), ColorString(th.Accent), th.Name)
	}
	// Colour spellings.
	for in, want := range map[string]string{
		`"#ABCDEF"`: "#abcdef", `"#abc"`: "#aabbcc", `" #00ff00 "`: "#00ff00",
		`0`: "0", `15`: "15", `255`: "255", `"7"`: "7", `"208"`: "208",
	} {
		th, err := Parse("x", []byte("accent = "+in+"\n"))
		if err != nil {
			t.Errorf("accent = %s: %v", in, err)
			continue
		}
		if got := ColorString(th.Accent); got != want {
			t.Errorf("accent = %s: got %s, want %s", in, got, want)
		}
	}
	// A name of its own; a file name that is no use as a name.
	th, _ = Parse("x.toml", []byte("name = \"  Lecture hall  \"\n"))
	if th.Name != "Lecture hall" {
		t.Errorf("name = %q", th.Name)
	}
	th, _ = Parse("", nil)
	if th.Name != "custom" {
		t.Errorf("unnamed theme called %q, want custom", th.Name)
	}
}

func TestFormatRoundTrip(t *testing.T) {
	example, err := Load(filepath.Join("testdata", "example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range append(Builtins(), example) {
		text := Format(th)
		back, err := Parse(th.Name+".toml", text)
		if err != nil {
			t.Errorf("%s: Format output does not parse: %v\n%s", th.Name, err, text)
			continue
		}
		if d := sameTheme(back, th); d != "" {
			t.Errorf("%s: round trip: %s", th.Name, d)
		}
	}
	// Names with quotes and backslashes survive.
	th, _ := ByName("light")
	th.Name = `say "hi" \ bye`
	back, err := Parse("q.toml", Format(th))
	if err != nil || back.Name != th.Name {
		t.Errorf("quoted name: %q, %v", back.Name, err)
	}
}

// badFile is a file in testdata/bad and the problems it must produce.
type badFile struct {
	file string
	want []wantError
}

type wantError struct {
	line int
	key  string
	msg  string // the full Error() text after "FILE line N: "
}

func badFiles() []badFile {
	return []badFile{
		{"unknown-key.toml", []wantError{
			{3, "", `unknown key "acent" (did you mean "accent"?)`},
		}},
		{"bad-colour.toml", []wantError{
			{2, "foreground", `foreground: "#12345" has 5 hex digits; write 6 (#rrggbb) or 3 (#rgb)`},
			{3, "error", `error: "ff0000" is not a colour (did you mean "#ff0000"?)`},
			{4, "marker", `marker: 256 is not an ANSI colour number; they are 0–255 (or write "#rrggbb" or "#rgb")`},
		}},
		{"wrong-type.toml", []wantError{
			{1, "name", `name: an integer, not a string; write it in quotes`},
			{2, "title", `title: a boolean is not a colour; write "#rrggbb", "#rgb" or an ANSI colour number 0–255`},
			{3, "flows", `flows: a string is not a list of colours; write flows = ["#4c9aff", "#ff9f43", ...] with at least 8 colours`},
		}},
		{"unknown-base.toml", []wantError{
			{2, "base", `base: "ligth" is not a built-in theme; base must be one of dark, light, high-contrast, colorblind (did you mean "light"?)`},
		}},
		{"syntax.toml", []wantError{
			{2, "", `not valid TOML: strings cannot contain newlines`},
		}},
		{"flows.toml", []wantError{
			{1, "flows[1]", `flows[1]: "orange" is not a colour; write "#rrggbb", "#rgb" or an ANSI colour number 0–255`},
		}},
		{"table.toml", []wantError{
			{3, "", `unknown table [chart]: roles are top-level keys; write them before any [table] header, without one`},
		}},
		{"snake-case.toml", []wantError{
			{1, "", `unknown key "status_bar_background" (did you mean "status-bar-background"?)`},
			{2, "", `unknown key "Foreground" (did you mean "foreground"?)`},
			{3, "", `unknown key "bg" (did you mean "background"?)`},
			{4, "", `unknown key "colour-of-the-day" (keys: name, base, flows, background, foreground, muted, border, title, accent, selection-background, selection-foreground, good, warning, error, status-bar-background, status-bar-foreground, axis, grid, capacity, total, p95, marker, uplink, downlink, queue, drop)`},
		}},
	}
}

func TestBadFiles(t *testing.T) {
	for _, bf := range badFiles() {
		path := filepath.Join("testdata", "bad", bf.file)
		_, err := Load(path)
		if err == nil {
			t.Errorf("%s: no error", bf.file)
			continue
		}
		got := FieldErrors(err)
		lines := strings.Split(err.Error(), "\n")
		if len(got) != len(bf.want) || len(lines) != len(bf.want) {
			t.Errorf("%s: got %d problems, want %d:\n%v", bf.file, len(got), len(bf.want), err)
			continue
		}
		for i, w := range bf.want {
			fe := got[i]
			prefix := path + " line " + itoa(w.line) + ": "
			if fe.File != path || fe.Line != w.line || fe.Key != w.key || lines[i] != prefix+w.msg {
				t.Errorf("%s problem %d:\n got  %q (line %d, key %q)\n want %q (line %d, key %q)",
					bf.file, i, lines[i], fe.Line, fe.Key, prefix+w.msg, w.line, w.key)
			}
		}
	}
}

func TestParseMoreProblems(t *testing.T) {
	for _, c := range []struct {
		name, src, want string
	}{
		{"short flows", "flows = [\"#fff\", \"#000\", 3]\n", `x.toml line 1: flows: only 3 colours; give at least 8`},
		{"one flow", "flows = [1]\n", `flows: only 1 colour;`},
		{"too many flows", "flows = [" + strings.Repeat("1,", MaxFlows+1) + "]\n", `flows: 65 colours; give at most 64`},
		{"empty colour", "accent = \"\"\n", `accent: the colour is empty`},
		{"float", "accent = 1.5\n", `accent: 1.5 is not a colour`},
		{"negative", "accent = -1\n", `accent: -1 is not an ANSI colour number`},
		{"bad hex digit", "accent = \"#ggg\"\n", `after # come hex digits 0–9, a–f only`},
		{"big number string", "accent = \"1234\"\n", `"1234" is not an ANSI colour number`},
		{"date", "accent = 1979-05-27\n", `accent: a date or time is not a colour`},
		{"table value", "accent = { r = 1 }\n", `x.toml line 1: accent: a table is not a colour`},
		{"array value", "accent = [\"#fff\"]\n", `accent: an array is not a colour`},
		{"empty name", "name = \" \"\n", `x.toml line 1: name: the name is empty; write a short printable name, or leave name out`},
		{"control in name", "name = \"a\\u0007b\"\n", `the name has the unprintable character '\a'`},
		{"long name", "name = \"" + strings.Repeat("n", MaxNameLen+1) + "\"\n", `the name is longer than 64 characters`},
		{"base not a string", "\n\nbase = 1\n", `x.toml line 3: base: an integer, not a string`},
		{"base is a path", "base = \"themes/x.toml\"\n", `a theme file cannot be a base`},
		{"dotted key", "\nchart.axis = 1\n", `x.toml line 2: unknown table [chart]`},
		{"synonym", "throughput = \"#fff\"\n", `(did you mean "total"?)`},
		{"extends", "extends = \"light\"\n", `(did you mean "base"?)`},
		{"duplicate key", "accent = 1\naccent = 2\n", `x.toml line 2: not valid TOML: Key 'accent' has already been defined.`},
		{"too large", strings.Repeat("#", MaxFileBytes+1), `x.toml: larger than 256 KiB`},
	} {
		_, err := Parse("x.toml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want it to contain %q", c.name, err, c.want)
		}
	}
	// Every problem is reported, in file order, at most maxErrors of them.
	var b strings.Builder
	for i := range maxErrors + 5 {
		b.WriteString("bad" + itoa(i) + " = 1\n")
	}
	_, err := Parse("x.toml", []byte(b.String()))
	fes := FieldErrors(err)
	if len(fes) != maxErrors+1 || fes[0].Line != 1 || fes[maxErrors-1].Line != maxErrors ||
		!strings.Contains(fes[maxErrors].Error(), "and 5 more problems") {
		t.Errorf("many problems: %d reported, last %v", len(fes), fes[len(fes)-1])
	}
}

func TestLoadProblems(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "missing.toml"))
	var fe *FieldError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "missing.toml: no such theme file; give a built-in theme (dark, light, high-contrast, colorblind)") {
		t.Errorf("missing file: %v", err)
	}
	big := filepath.Join(t.TempDir(), "big.toml")
	if err := os.WriteFile(big, []byte(strings.Repeat("\n", MaxFileBytes+10)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("big file: %v", err)
	}
	if _, err := Load(t.TempDir()); err == nil {
		t.Error("a directory loaded as a theme")
	}
}

func TestColorString(t *testing.T) {
	for _, c := range []struct {
		c    color.Color
		want string
	}{
		{nil, ""},
		{lipgloss.Color("#AbCdEf"), "#abcdef"},
		{lipgloss.Color("9"), "9"},
		{lipgloss.Color("200"), "200"},
		{color.NRGBA{0x10, 0x20, 0x30, 0xff}, "#102030"},
	} {
		if got := ColorString(c.c); got != c.want {
			t.Errorf("ColorString(%v) = %q, want %q", c.c, got, c.want)
		}
	}
}
