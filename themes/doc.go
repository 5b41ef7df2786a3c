// Package themes owns the workbench's colour palettes: the Theme type and
// its named roles, the built-in themes (dark, light, high-contrast,
// colorblind) and user themes read from TOML files.
//
// A Theme is plain data: every role is an image/color.Color (colours from
// lipgloss.Color, so ANSI palette indices render as the terminal's own
// palette) and the TUI builds its lipgloss styles from it. Nothing here
// keeps state between calls: Builtins and ByName build fresh values, so
// callers may modify what they get.
//
// The theme file format, every role and what the TUI draws with it are
// documented in README.md beside this file.
//
// Files:
//   - theme.go: the Theme type, Flow, IsDark, TextOn, Validate
//   - roles.go: the role table (TOML key, documentation) and Theme.Color
//   - builtin.go: Builtins, Names, ByName, Next
//   - palettes.go: the four built-in palettes
//   - colour.go: colour values (parse, format) and WCAG contrast
//   - parse.go: Parse and Load (TOML → Theme), unknown keys, error order
//   - parse_values.go: the Unmarshalers each top-level value decodes through
//   - parse_lines.go: finding the line of a key
//   - errors.go: FieldError, did-you-mean suggestions
//   - resolve.go: Resolve for the --theme flag, UserDir
//   - format.go: Format (Theme → TOML)
package themes
