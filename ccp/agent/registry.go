// registry.go is the table of built-in CCP algorithms and their typed
// parameters: Builtins lists them for the CLI, New and NewWithEnv build one
// from a spec such as "cubic:ss_thresh=100000". The table is built afresh
// on every call, so no caller can change what a later one sees. Adding an
// algorithm is one entry in builtins().
package agent

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ParamKind says which values a parameter takes.
type ParamKind uint8

const (
	// ParamReal takes any number in [Min, Max].
	ParamReal ParamKind = iota
	// ParamInt takes whole numbers in [Min, Max].
	ParamInt
	// ParamBool takes 1 or 0; specs may also write on/off, true/false or
	// yes/no.
	ParamBool
)

// String names the kind as the CLI shows it.
func (k ParamKind) String() string {
	switch k {
	case ParamInt:
		return "integer"
	case ParamBool:
		return "switch"
	}
	return "number"
}

// Param describes one parameter of a built-in algorithm. Min and Max are
// inclusive.
type Param struct {
	Name, Doc, Unit   string
	Default, Min, Max float64
	Kind              ParamKind
}

// AlgInfo describes a built-in algorithm: its name (as specs and a CREATE's
// congAlg write it), a one-line description, the reference implementation
// it follows, and its parameters.
type AlgInfo struct {
	Name, Doc, Ref string
	Params         []Param
}

// Param finds one of the algorithm's parameters by name.
func (a AlgInfo) Param(name string) (Param, bool) {
	for _, p := range a.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// params are the values of an algorithm's parameters by name: those a spec
// set and the defaults of the rest.
type params map[string]float64

func (p params) f(name string) float64 { return p[name] }
func (p params) b(name string) bool    { return p[name] != 0 }
func (p params) u32(name string) uint32 {
	return sat32(math.Round(p[name]))
}

// builtin is one entry of the table: the description, an optional check
// of constraints between parameters, and the constructor.
type builtin struct {
	info  AlgInfo
	check func(p params) error
	build func(p params, env Env) Alg
}

// builtins is the table, in the order the CLI lists it.
func builtins() []builtin {
	return []builtin{renoBuiltin(), cubicBuiltin(), bbrBuiltin(), copaBuiltin(), constBuiltin(), aimdBuiltin()}
}

// Builtins describes every built-in algorithm. The result is the caller's
// own copy.
func Builtins() []AlgInfo {
	all := builtins()
	out := make([]AlgInfo, len(all))
	for i, b := range all {
		out[i] = b.info
	}
	return out
}

// BuiltinNames lists the built-in algorithms' names in table order.
func BuiltinNames() []string {
	all := builtins()
	out := make([]string, len(all))
	for i, b := range all {
		out[i] = b.info.Name
	}
	return out
}

// Lookup describes the built-in algorithm called name.
func Lookup(name string) (AlgInfo, bool) {
	b, ok := lookup(name)
	return b.info, ok
}

func lookup(name string) (builtin, bool) {
	for _, b := range builtins() {
		if b.info.Name == name {
			return b, true
		}
	}
	return builtin{}, false
}

// New builds a built-in algorithm from a spec: its name, optionally
// followed by ':' and parameters written key=value and separated by
// commas, e.g. "reno", "cubic:ss_thresh=100000", "reno:per_ack=1" or
// "const:cwnd=50000". Its flows use the wall clock and log nothing; a host
// with its own clock or log uses NewWithEnv.
func New(spec string) (Alg, error) { return NewWithEnv(spec, Env{}) }

// NewWithEnv is New with the host's clock and log (see Env).
func NewWithEnv(spec string, env Env) (Alg, error) {
	name, vals, err := ParseSpec(spec)
	if err != nil {
		return nil, err
	}
	b, _ := lookup(name)
	p := make(params, len(b.info.Params))
	for _, d := range b.info.Params {
		p[d.Name] = d.Default
	}
	maps.Copy(p, vals)
	if b.check != nil {
		if err := b.check(p); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return b.build(p, env.withDefaults()), nil
}

// Validate reports whether New would accept spec, without building the
// algorithm.
func Validate(spec string) error {
	_, err := New(spec)
	return err
}

// ParseSpec reads a spec ("name" or "name:key=value,key=value"; spaces
// around names, keys and values are allowed) and checks the name and every
// parameter: known, a valid value of its kind, in range, given once. It
// returns the algorithm's name and the values the spec sets; New fills in
// the defaults and checks constraints between parameters.
func ParseSpec(spec string) (name string, vals map[string]float64, err error) {
	name, args, hasArgs := strings.Cut(strings.TrimSpace(spec), ":")
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return "", nil, fmt.Errorf("no CCP algorithm given (want one of %s)", strings.Join(BuiltinNames(), ", "))
	}
	b, ok := lookup(name)
	if !ok {
		return "", nil, fmt.Errorf("unknown CCP algorithm %q (want one of %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	info := b.info
	vals = make(map[string]float64)
	if !hasArgs {
		return name, vals, nil
	}
	for tok := range strings.SplitSeq(args, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		key, val, hasEq := strings.Cut(tok, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch {
		case key == "":
			return "", nil, fmt.Errorf("%s: %q has no parameter name (write KEY=VALUE; %s)", name, tok, takes(info))
		case !hasEq || val == "":
			return "", nil, fmt.Errorf("%s: parameter %q has no value (write %s=VALUE)", name, key, key)
		}
		d, ok := info.Param(key)
		if !ok {
			return "", nil, fmt.Errorf("%s: unknown parameter %q (%s)", name, key, takes(info))
		}
		if _, dup := vals[key]; dup {
			return "", nil, fmt.Errorf("%s: parameter %q is given twice", name, key)
		}
		v, err := parseValue(d, val)
		if err != nil {
			return "", nil, fmt.Errorf("%s: %s=%s: %w", name, key, val, err)
		}
		vals[key] = v
	}
	return name, vals, nil
}

// takes lists an algorithm's parameters for an error message.
func takes(info AlgInfo) string {
	if len(info.Params) == 0 {
		return info.Name + " takes no parameters"
	}
	names := make([]string, len(info.Params))
	for i, p := range info.Params {
		names[i] = p.Name
	}
	slices.Sort(names)
	return info.Name + " takes " + strings.Join(names, ", ")
}

// parseValue reads and checks one value of parameter d.
func parseValue(d Param, s string) (float64, error) {
	if d.Kind == ParamBool {
		switch strings.ToLower(s) {
		case "1", "on", "true", "yes":
			return 1, nil
		case "0", "off", "false", "no":
			return 0, nil
		}
		return 0, fmt.Errorf("not a switch (want 1 or 0, on/off, true/false, yes/no)")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("not a number (want %s%s)", rangeText(d), unitText(d))
	}
	if d.Kind == ParamInt && v != math.Trunc(v) {
		return 0, fmt.Errorf("not a whole number (want %s%s)", rangeText(d), unitText(d))
	}
	if v < d.Min || v > d.Max {
		return 0, fmt.Errorf("out of range (want %s%s)", rangeText(d), unitText(d))
	}
	return v, nil
}

func rangeText(d Param) string {
	return fmtNum(d.Min) + " to " + fmtNum(d.Max)
}

func unitText(d Param) string {
	if d.Unit == "" {
		return ""
	}
	return " " + d.Unit
}

// fmtNum writes a number plainly (2147483647, not 2.147483647e+09).
func fmtNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Parameters several algorithms share.
func initCwndParam(doc string) Param {
	return Param{Name: "init_cwnd", Doc: doc, Unit: "bytes", Default: 0, Min: 0, Max: math.MaxInt32, Kind: ParamInt}
}

// errConflict is the error for two parameters that exclude each other.
func errConflict(a, b string) error {
	return fmt.Errorf("%s and %s exclude each other: set one of them", a, b)
}

// errNeeds is the error for a parameter that only applies with another.
func errNeeds(a, b string) error {
	return fmt.Errorf("%s applies only with %s: set %s too, or leave %s out", a, b, b, a)
}
