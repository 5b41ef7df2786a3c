// resolve.go owns turning the --theme flag's value into a Theme: a
// built-in's name, a path to a theme file, or the name of a file in the
// user's theme directory (UserDir).
package themes

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// UserDir is the directory Resolve looks in for a theme given by name:
// $XDG_CONFIG_HOME/ccscope/themes (~/.config/ccscope/themes) on Linux,
// the platform's equivalent elsewhere (os.UserConfigDir).
func UserDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "ccscope", "themes"), nil
}

// Resolve gives the theme for the --theme flag: a built-in name (see
// ByName), else a theme file — the path as given when it names a file or
// looks like one (has a path separator or ends in ".toml"), else
// NAME.toml in UserDir. The error for anything else lists the built-ins.
func Resolve(nameOrPath string) (Theme, error) {
	if t, ok := ByName(nameOrPath); ok {
		return t, nil
	}
	arg := strings.TrimSpace(nameOrPath)
	if arg == "" {
		return Theme{}, fmt.Errorf("no theme given; use a built-in theme (%s) or the path of a .toml theme file", strings.Join(Names(), ", "))
	}
	if st, err := os.Stat(arg); err == nil && !st.IsDir() {
		return Load(arg)
	}
	if strings.ContainsAny(arg, `/\`) || strings.HasSuffix(strings.ToLower(arg), ".toml") {
		return Load(arg)
	}
	dir, dirErr := UserDir()
	if dirErr == nil && !strings.ContainsAny(arg, ".") {
		p := filepath.Join(dir, arg+".toml")
		if _, err := os.Stat(p); err == nil {
			return Load(p)
		}
	}
	msg := fmt.Sprintf("unknown theme %q: use a built-in theme (%s) or the path of a .toml theme file", nameOrPath, strings.Join(Names(), ", "))
	if dirErr == nil {
		msg += fmt.Sprintf(", or put %s.toml in %s", arg, dir)
	}
	if s := suggest(arg, Names(), nil); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return Theme{}, errors.New(msg)
}
