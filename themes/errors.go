// errors.go owns how problems with a theme file are reported: FieldError
// (file, line, key, what to do — the same shape and wording as the
// experiment files' errors), FieldErrors to list them, and the
// did-you-mean suggestions for misspelt keys and theme names.
package themes

import (
	"errors"
	"fmt"
	"strings"
)

// FieldError is one problem in a theme file. Parse and Load return them
// joined with errors.Join (one per line, in file order); FieldErrors
// lists them.
type FieldError struct {
	// File is the theme file as given to Load or Parse.
	File string
	// Line is the 1-based line of the problem, 0 when unknown.
	Line int
	// Key is the key at fault ("accent", "flows[2]"), "" for a problem
	// with the file as a whole (bad TOML syntax, too large).
	Key string
	// Err says what is wrong and what to do.
	Err error
}

// Error is "FILE line N: KEY: problem", leaving out what is unknown.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, " line %d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap gives the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// FieldErrors lists the FieldErrors inside err (as returned by Parse,
// Load or Resolve), in order.
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		switch x := err.(type) {
		case nil:
		case *FieldError:
			out = append(out, x)
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				walk(e)
			}
		default:
			var fe *FieldError
			if errors.As(err, &fe) {
				out = append(out, fe)
			}
		}
	}
	walk(err)
	return out
}

// suggest is the candidate closest to word (ignoring case, '-' versus
// '_', and known synonyms), or "" when none is close enough to be what
// the user meant.
func suggest(word string, candidates []string, synonyms map[string]string) string {
	w := strings.ToLower(strings.TrimSpace(word))
	w = strings.ReplaceAll(w, "_", "-")
	w = strings.ReplaceAll(w, " ", "-")
	if s, ok := synonyms[w]; ok {
		return s
	}
	if s, ok := synonyms[strings.ReplaceAll(w, "-", "")]; ok {
		return s
	}
	best, bestD := "", -1
	for _, c := range candidates {
		d := editDistance(w, c)
		if squash := strings.ReplaceAll(w, "-", ""); squash == strings.ReplaceAll(c, "-", "") {
			d = 0
		}
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := 2
	if len(w) <= 3 {
		limit = 1
	}
	if len(w) >= 12 {
		limit = 3
	}
	if bestD >= 0 && bestD <= limit {
		return best
	}
	// A key that starts with a role's name ("accent-colour") or is the
	// start of one ("status-bar").
	for _, c := range candidates {
		if len(w) >= 4 && (strings.HasPrefix(w, c) || strings.HasPrefix(c, w)) {
			return c
		}
	}
	return ""
}

// editDistance is the Damerau–Levenshtein (optimal string alignment)
// distance between a and b, over bytes; inputs are bounded by the caller.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// tomlType names a decoded TOML value's type for messages.
func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "an array of tables"
	case []any:
		return "an array"
	case nil:
		return "nothing"
	}
	return "a date or time"
}
