// theme_test.go checks the built-in list and lookups, the role table
// against the Theme struct and README.md, and the Theme helpers.
package themes

import (
	"image/color"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

func TestBuiltinsComplete(t *testing.T) {
	names := Names()
	if want := []string{"dark", "light", "high-contrast", "colorblind"}; !slices.Equal(names, want) {
		t.Fatalf("Names() = %v, want %v", names, want)
	}
	if names[0] != Default {
		t.Errorf("first built-in %q is not Default %q", names[0], Default)
	}
	bs := Builtins()
	if len(bs) != len(names) {
		t.Fatalf("%d built-ins, %d names", len(bs), len(names))
	}
	for i, th := range bs {
		if th.Name != names[i] {
			t.Errorf("Builtins()[%d] is %q, want %q", i, th.Name, names[i])
		}
		if err := th.Validate(); err != nil {
			t.Errorf("%s: %v", th.Name, err)
		}
		if len(th.Flows) < MinFlows {
			t.Errorf("%s: %d flows", th.Name, len(th.Flows))
		}
		seen := map[string]int{}
		for i, c := range th.Flows {
			if j, dup := seen[ColorString(c)]; dup {
				t.Errorf("%s: flows[%d] repeats flows[%d]", th.Name, i, j)
			}
			seen[ColorString(c)] = i
		}
		if wantDark := th.Name != "light"; th.IsDark() != wantDark {
			t.Errorf("%s: IsDark() = %v", th.Name, th.IsDark())
		}
	}
	// Fresh values: changing one does not change the next.
	bs[0].Flows[0] = lipgloss.Color("#123456")
	bs[0].Accent = nil
	if again, _ := ByName(bs[0].Name); ColorString(again.Flows[0]) == "#123456" || again.Accent == nil {
		t.Error("built-ins share state between calls")
	}
}

func TestByNameAndNext(t *testing.T) {
	for in, want := range map[string]string{
		"dark": "dark", "DARK": "dark", " light ": "light", "default": "dark",
		"high-contrast": "high-contrast", "high_contrast": "high-contrast", "HighContrast": "high-contrast", "hc": "high-contrast",
		"colorblind": "colorblind", "colourblind": "colorblind", "color-blind": "colorblind", "cvd": "colorblind",
	} {
		th, ok := ByName(in)
		if !ok || th.Name != want {
			t.Errorf("ByName(%q) = %q, %v; want %q", in, th.Name, ok, want)
		}
	}
	for _, in := range []string{"", "solarized", "dark.toml", "./dark"} {
		if _, ok := ByName(in); ok {
			t.Errorf("ByName(%q) found a theme", in)
		}
	}
	// Next visits every built-in once and comes back.
	name, seen := Default, []string{}
	for range Names() {
		seen = append(seen, name)
		name = Next(name)
	}
	if name != Default || !slices.Equal(seen, Names()) {
		t.Errorf("cycle from %s: %v, back at %s", Default, seen, name)
	}
	if Next("classroom") != Default || Next("") != Default || Next("Light") != "high-contrast" {
		t.Errorf("Next: classroom→%s, \"\"→%s, Light→%s", Next("classroom"), Next(""), Next("Light"))
	}
}

func TestRolesMatchStruct(t *testing.T) {
	var th Theme
	colourType := reflect.TypeFor[color.Color]()
	fields := map[string]bool{}
	rt := reflect.TypeFor[Theme]()
	for i := range rt.NumField() {
		if rt.Field(i).Type == colourType {
			fields[rt.Field(i).Name] = false
		}
	}
	roles := Roles()
	if len(roles) != len(fields) {
		t.Errorf("%d roles, %d color.Color fields in Theme", len(roles), len(fields))
	}
	keys := map[string]bool{}
	for _, r := range roles {
		if keys[r.Key] {
			t.Errorf("role %q listed twice", r.Key)
		}
		keys[r.Key] = true
		if r.Doc == "" || (r.Group != "ui" && r.Group != "chart") {
			t.Errorf("role %q: doc %q, group %q", r.Key, r.Doc, r.Group)
		}
		p := th.role(r.Key)
		if p == nil {
			t.Errorf("role %q has no field", r.Key)
			continue
		}
		// Find which field the pointer is.
		v := reflect.ValueOf(&th).Elem()
		for i := range v.NumField() {
			if v.Field(i).Addr().Interface() == any(p) {
				if fields[rt.Field(i).Name] {
					t.Errorf("field %s has two roles", rt.Field(i).Name)
				}
				fields[rt.Field(i).Name] = true
			}
		}
	}
	for f, used := range fields {
		if !used {
			t.Errorf("Theme.%s has no role", f)
		}
	}
	if c, ok := th.Color("flows"); ok || c != nil {
		t.Error(`Color("flows") answered`)
	}
	dark, _ := ByName("dark")
	if c, ok := dark.Color("accent"); !ok || ColorString(c) != ColorString(dark.Accent) {
		t.Error(`Color("accent") is not Accent`)
	}
}

func TestReadmeDocumentsEveryKey(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, k := range knownKeys() {
		if !strings.Contains(doc, "| `"+k+"`") {
			t.Errorf("README.md has no table row for `%s`", k)
		}
	}
	for _, n := range Names() {
		if !strings.Contains(doc, "`"+n+"`") {
			t.Errorf("README.md does not mention the built-in `%s`", n)
		}
	}
	// The README's example file parses.
	start := strings.Index(doc, "```toml\n")
	end := strings.Index(doc[start+1:], "```\n")
	if start < 0 || end < 0 {
		t.Fatal("README.md has no ```toml example")
	}
	if _, err := Parse("README example", []byte(doc[start+len("```toml\n"):start+1+end])); err != nil {
		t.Errorf("README.md's example: %v", err)
	}
}

func TestFlowWrapsAround(t *testing.T) {
	th, _ := ByName("dark")
	n := len(th.Flows)
	for _, c := range []struct{ i, want int }{{0, 0}, {1, 1}, {n, 0}, {n + 3, 3}, {-1, n - 1}} {
		if ColorString(th.Flow(c.i)) != ColorString(th.Flows[c.want]) {
			t.Errorf("Flow(%d) is not Flows[%d]", c.i, c.want)
		}
	}
	var empty Theme
	empty.Foreground = lipgloss.Color("#abcdef")
	if ColorString(empty.Flow(5)) != "#abcdef" {
		t.Error("Flow on a theme without flows is not Foreground")
	}
}

func TestTextOn(t *testing.T) {
	for _, th := range Builtins() {
		for i, c := range th.Flows {
			txt := th.TextOn(c)
			other := th.Foreground
			if ColorString(txt) == ColorString(th.Foreground) {
				other = th.Background
			}
			if wcagRatio(txt, c) < wcagRatio(other, c) {
				t.Errorf("%s: TextOn(flows[%d]) picked the worse of foreground and background", th.Name, i)
			}
		}
	}
}

func TestValidate(t *testing.T) {
	th, _ := ByName("dark")
	th.Name = ""
	th.Accent = nil
	th.Flows = th.Flows[:3]
	err := th.Validate()
	for _, want := range []string{"the name is empty", `role "accent" is not set`, "flows has 3 colours; a theme needs at least 8"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: %v; want %q", err, want)
		}
	}
	th, _ = ByName("dark")
	th.Flows[2] = nil
	if err := th.Validate(); err == nil || !strings.Contains(err.Error(), "flows[2] is not set") {
		t.Errorf("nil flow: %v", err)
	}
}
