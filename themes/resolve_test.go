// resolve_test.go checks the --theme flag's lookup: built-ins, paths, the
// user theme directory and the error for anything else.
package themes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config) // os.UserConfigDir on Linux and BSDs
	t.Setenv("HOME", config)            // and on macOS
	dir, err := UserDir()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "lecture.toml"), []byte("base = \"high-contrast\"\naccent = \"#ff00ff\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	example := filepath.Join("testdata", "example.toml")

	for _, c := range []struct{ arg, name string }{
		{"dark", "dark"},
		{"High-Contrast", "high-contrast"},
		{example, "classroom"},
		{"lecture", "lecture"},
	} {
		th, err := Resolve(c.arg)
		if err != nil || th.Name != c.name {
			t.Errorf("Resolve(%q) = %q, %v; want %q", c.arg, th.Name, err, c.name)
		}
	}
	if th, _ := Resolve("lecture"); ColorString(th.Accent) != "#ff00ff" || ColorString(th.Background) != "#000000" {
		t.Errorf("user theme: accent %s background %s", ColorString(th.Accent), ColorString(th.Background))
	}

	for _, c := range []struct{ arg, want string }{
		{"solarized", `unknown theme "solarized": use a built-in theme (dark, light, high-contrast, colorblind) or the path of a .toml theme file, or put solarized.toml in ` + dir},
		{"lihgt", `(did you mean "light"?)`},
		{"", "no theme given; use a built-in theme (dark, light, high-contrast, colorblind)"},
		{"nowhere/mine.toml", "nowhere/mine.toml: no such theme file; give a built-in theme (dark, light, high-contrast, colorblind) or the path of a .toml theme file"},
		{"mine.toml", "mine.toml: no such theme file"},
		{filepath.Join("testdata", "bad", "unknown-key.toml"), `line 3: unknown key "acent" (did you mean "accent"?)`},
	} {
		_, err := Resolve(c.arg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Resolve(%q): %v; want it to contain %q", c.arg, err, c.want)
		}
	}
}
