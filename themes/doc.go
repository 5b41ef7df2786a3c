// Package themes owns the workbench's colour palettes: the built-in themes
// and user TOML themes. (Being built: see the workbench issue.)
package themes
