// registry.go owns the table of native schemes and their typed parameters:
// Param, Scheme, Params, Lookup, Names and New. The table is built afresh
// by schemes() on every call, so callers can never change what a later
// lookup sees. Adding a scheme is one entry in schemes().
package cc

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ccscope/ccscope/live/transport"
)

// ParamKind says which values a parameter takes.
type ParamKind uint8

const (
	// KindReal takes any number in [Min, Max].
	KindReal ParamKind = iota
	// KindInt takes whole numbers in [Min, Max].
	KindInt
	// KindBool takes 1 or 0; specs may also write on/off, true/false or
	// yes/no.
	KindBool
)

// Param describes one parameter of a scheme. Min and Max are inclusive.
type Param struct {
	Name, Doc, Unit   string
	Default, Min, Max float64
	Kind              ParamKind
}

// Params gives a scheme's constructor the value of each of its parameters
// by name: those the user set and the defaults of the rest.
type Params map[string]float64

// Get is the value of the named parameter. It panics when the scheme did
// not declare the parameter, which is a bug in the scheme table (every
// declared parameter is always present).
func (p Params) Get(name string) float64 {
	v, ok := p[name]
	if !ok {
		panic(fmt.Sprintf("cc: parameter %q is not declared by this scheme", name))
	}
	return v
}

// Bool is Get(name) != 0, for KindBool parameters.
func (p Params) Bool(name string) bool { return p.Get(name) != 0 }

// Int is Get(name) as an int, for KindInt parameters.
func (p Params) Int(name string) int { return int(p.Get(name)) }

// Scheme is one native congestion-control scheme: its name as users write
// it, a one-line description, its parameters and its constructor. New gets
// every declared parameter (defaults filled in) and returns a fresh
// controller for one flow.
type Scheme struct {
	Name, Doc string
	Params    []Param
	New       func(p Params) transport.Controller
}

// schemes is the registry: one entry per scheme, each defined beside its
// implementation. Each call returns a new table.
func schemes() []Scheme {
	var out []Scheme
	for _, s := range []Scheme{renoScheme(), cubicScheme(), bbrScheme(), vegasScheme(), copaScheme(), ledbatScheme(), manualScheme()} {
		if s.Name != "" { // a scheme file not filled in yet
			out = append(out, s)
		}
	}
	return out
}

// iwParam is the initial window (RFC 6928).
func iwParam() Param {
	return Param{Name: "iw", Doc: "initial window (RFC 6928 recommends 10)", Unit: "segments", Default: 10, Min: 1, Max: 1000, Kind: KindInt}
}

// Lookup finds a scheme by its exact name. The result is the caller's own
// copy.
func Lookup(name string) (*Scheme, bool) {
	for _, s := range schemes() {
		if s.Name == name {
			return &s, true
		}
	}
	return nil, false
}

// Names lists the schemes' names, sorted.
func Names() []string {
	all := schemes()
	names := make([]string, len(all))
	for i, s := range all {
		names[i] = s.Name
	}
	slices.Sort(names)
	return names
}

// New builds a controller from a spec: a scheme name, optionally followed
// by ':' and parameters, e.g. "cubic" or "cubic:beta=0.7,c=0.4" (see
// ParseSpec).
func New(spec string) (transport.Controller, error) {
	name, vals, err := ParseSpec(spec)
	if err != nil {
		return nil, err
	}
	s, _ := Lookup(name)
	return s.Build(vals)
}

// Validate reports whether New would accept spec, without building a
// controller.
func Validate(spec string) error {
	_, _, err := ParseSpec(spec)
	return err
}

// Param finds one of the scheme's parameters by name.
func (s *Scheme) Param(name string) (Param, bool) {
	for _, p := range s.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// Defaults is every parameter at its default value.
func (s *Scheme) Defaults() Params {
	p := make(Params, len(s.Params))
	for _, d := range s.Params {
		p[d.Name] = d.Default
	}
	return p
}

// Build checks vals (parameter values by name, e.g. from a config file),
// fills in the defaults of the parameters it leaves out and builds a
// controller.
func (s *Scheme) Build(vals map[string]float64) (transport.Controller, error) {
	p := s.Defaults()
	for _, name := range slices.Sorted(maps.Keys(vals)) {
		d, ok := s.Param(name)
		if !ok {
			return nil, s.unknownParam(name)
		}
		v := vals[name]
		if err := s.check(d, v); err != nil {
			return nil, err
		}
		p[name] = v
	}
	return s.New(p), nil
}

// check reports whether v is a valid value of d.
func (s *Scheme) check(d Param, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s: %s=%s is not a finite number", s.Name, d.Name, formatNum(v))
	}
	switch d.Kind {
	case KindBool:
		if v != 0 && v != 1 {
			return fmt.Errorf("%s: %s=%s is not a switch: want 1 or 0 (or on/off, true/false)", s.Name, d.Name, formatNum(v))
		}
		return nil
	case KindInt:
		if v != math.Trunc(v) {
			return fmt.Errorf("%s: %s=%s is not a whole number%s", s.Name, d.Name, formatNum(v), unitSuffix(" of ", d.Unit))
		}
	}
	if v < d.Min || v > d.Max {
		return fmt.Errorf("%s: %s=%s is out of range: want %s to %s%s", s.Name, d.Name, formatNum(v),
			formatNum(d.Min), formatNum(d.Max), unitSuffix(" ", d.Unit))
	}
	return nil
}

// unknownParam is the error for a parameter s does not take.
func (s *Scheme) unknownParam(name string) error {
	names := make([]string, len(s.Params))
	for i, p := range s.Params {
		names[i] = p.Name
	}
	if len(names) == 0 {
		return fmt.Errorf("%s: unknown parameter %q (%s takes no parameters)", s.Name, name, s.Name)
	}
	hint := ""
	if near, ok := closest(name, names); ok {
		hint = fmt.Sprintf("did you mean %q? ", near)
	}
	return fmt.Errorf("%s: unknown parameter %q (%s%s takes %s)", s.Name, name, hint, s.Name, strings.Join(names, ", "))
}

func formatNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func unitSuffix(sep, unit string) string {
	if unit == "" {
		return ""
	}
	return sep + unit
}
