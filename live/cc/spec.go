// spec.go owns the scheme spec syntax: ParseSpec reads "name" or
// "name:param=value,param=value" and checks it against the registry, with
// a suggestion for misspelt names.
package cc

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// ParseSpec reads a scheme spec: a scheme name, optionally followed by ':'
// and parameters written name=value and separated by commas, semicolons
// and/or spaces, e.g. "cubic", "cubic:beta=0.7,c=0.4" or
// "cubic: beta = 0.7; hystart=off". Switches (KindBool) also take
// on/off, true/false and yes/no. It checks the scheme and every parameter
// (known, a valid number, in range, given once) and returns the scheme's
// name and the parameters the spec sets; New fills in the defaults.
func ParseSpec(spec string) (name string, params map[string]float64, err error) {
	trimmed := strings.TrimSpace(spec)
	if trimmed == "" {
		return "", nil, fmt.Errorf("no congestion-control scheme given (want one of %s)", strings.Join(Names(), ", "))
	}
	s, args, ok := splitSpec(trimmed)
	if !ok {
		return "", nil, unknownScheme(unknownName(trimmed))
	}
	params = make(map[string]float64)
	for _, tok := range splitArgs(args) {
		key, val, hasEq := strings.Cut(tok, "=")
		switch {
		case !hasEq || val == "":
			return "", nil, fmt.Errorf("%s: parameter %q has no value (write %s=NUMBER)", s.Name, key, key)
		case key == "":
			return "", nil, fmt.Errorf("%s: value %q has no parameter name (write NAME=%s)", s.Name, val, val)
		}
		d, ok := s.Param(key)
		if !ok {
			return "", nil, s.unknownParam(key)
		}
		if _, dup := params[key]; dup {
			return "", nil, fmt.Errorf("%s: parameter %q is given twice", s.Name, key)
		}
		v, err := parseValue(d, val)
		if err != nil {
			what := "a number"
			if d.Kind == KindBool {
				what = "a switch"
			}
			return "", nil, fmt.Errorf("%s: %s=%s is not %s%s", s.Name, key, val, what, valueHint(d))
		}
		if err := s.check(d, v); err != nil {
			return "", nil, err
		}
		params[key] = v
	}
	return s.Name, params, nil
}

// splitSpec finds the scheme a trimmed spec names and the text of its
// parameters. The name is the whole spec or the text before some ':' (the
// first such prefix that is a scheme), so names may themselves contain ':'.
func splitSpec(spec string) (*Scheme, string, bool) {
	if s, ok := Lookup(spec); ok {
		return s, "", true
	}
	for i := range len(spec) {
		if spec[i] != ':' {
			continue
		}
		if s, ok := Lookup(strings.TrimSpace(spec[:i])); ok {
			return s, spec[i+1:], true
		}
	}
	return nil, "", false
}

// unknownName is the scheme name an unrecognised spec meant: the text
// before the last ':' when parameters follow it, else the whole spec.
func unknownName(spec string) string {
	if i := strings.LastIndexByte(spec, ':'); i >= 0 && strings.Contains(spec[i+1:], "=") {
		return strings.TrimSpace(spec[:i])
	}
	return spec
}

func unknownScheme(name string) error {
	names := Names()
	hint := ""
	if near, ok := closest(name, names); ok {
		hint = fmt.Sprintf("did you mean %q? ", near)
	}
	return fmt.Errorf("unknown congestion-control scheme %q (%sknown schemes: %s)", name, hint, strings.Join(names, ", "))
}

// splitArgs splits parameter text at commas, semicolons and spaces, after
// joining "name = value" into "name=value".
func splitArgs(args string) []string {
	var b strings.Builder
	var last rune
	rs := []rune(args)
	for i := 0; i < len(rs); i++ {
		if !unicode.IsSpace(rs[i]) {
			b.WriteRune(rs[i])
			last = rs[i]
			continue
		}
		j := i
		for j < len(rs) && unicode.IsSpace(rs[j]) {
			j++
		}
		if last != '=' && (j == len(rs) || rs[j] != '=') {
			b.WriteRune(' ')
			last = ' '
		}
		i = j - 1
	}
	return strings.FieldsFunc(b.String(), func(r rune) bool {
		return r == ',' || r == ';' || unicode.IsSpace(r)
	})
}

// parseValue reads one value of parameter d.
func parseValue(d Param, val string) (float64, error) {
	if d.Kind == KindBool {
		switch strings.ToLower(val) {
		case "on", "true", "yes":
			return 1, nil
		case "off", "false", "no":
			return 0, nil
		}
	}
	return strconv.ParseFloat(val, 64)
}

func valueHint(d Param) string {
	switch d.Kind {
	case KindBool:
		return " (want 1 or 0, on/off, true/false)"
	case KindInt:
		return fmt.Sprintf(" (want a whole number from %s to %s%s)", formatNum(d.Min), formatNum(d.Max), unitSuffix(" ", d.Unit))
	}
	return fmt.Sprintf(" (want a number from %s to %s%s)", formatNum(d.Min), formatNum(d.Max), unitSuffix(" ", d.Unit))
}

// closest is the candidate nearest to name in edit distance (ignoring
// case, counting a swap of adjacent letters as one edit), if it is close
// enough to be a plausible typo.
func closest(name string, candidates []string) (string, bool) {
	best, bestD := "", -1
	lname := strings.ToLower(name)
	for _, c := range candidates {
		d := editDistance(lname, strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := min(2, max(1, len([]rune(name))/3))
	if bestD < 0 || bestD > limit {
		return "", false
	}
	return best, true
}

// editDistance is the optimal-string-alignment distance between a and b:
// insertions, deletions, substitutions and adjacent transpositions.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	// d[i][j] is the distance between x[:i] and y[:j]; three rows suffice.
	prev2 := make([]int, len(y)+1)
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}
