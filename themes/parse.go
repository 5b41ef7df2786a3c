// parse.go owns reading a theme file (the format is in README.md): Load
// and Parse. A file names an optional base built-in and overrides any
// roles; every problem is reported with its file, line and key, in file
// order, and bad input never panics.
//
// Lines come from the TOML library itself: each top-level value is kept
// as a toml.Primitive and decoded through a toml.Unmarshaler, and the
// library reports an Unmarshaler's error as a toml.ParseError positioned
// at that key. Unknown keys are the file's keys (MetaData.Keys, in file
// order) that are not in the role table; MetaData.Undecoded catches
// anything nested that is left over.
package themes

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// MaxFileBytes bounds a theme file's size.
const MaxFileBytes = 256 << 10

// maxErrors bounds the problems reported for one file.
const maxErrors = 20

// Load reads a theme file. Errors name the file, the line and the key;
// see Parse.
func Load(path string) (Theme, error) {
	f, err := os.Open(path)
	if err != nil {
		return Theme{}, &FieldError{File: path, Err: openProblem(err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return Theme{}, &FieldError{File: path, Err: fmt.Errorf("cannot read the theme file: %w", err)}
	}
	return Parse(path, data)
}

// openProblem words an error from opening a theme file.
func openProblem(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("no such theme file; give a built-in theme (%s) or the path of a .toml theme file", strings.Join(Names(), ", "))
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("cannot read the theme file (permission denied); check its permissions")
	}
	return fmt.Errorf("cannot open the theme file: %w", err)
}

// Parse reads a theme from TOML. name is the file name used in messages;
// the theme is called by its `name` key, or else by name without its
// directory and ".toml" (or "custom" if that leaves nothing usable).
// Roles the file does not set come from its `base` built-in (default
// "dark"). On error it returns every problem found, up to 20 (a
// *FieldError, or several joined with errors.Join: one per line, in file
// order), each naming the file, the line, the key and what to do.
func Parse(name string, data []byte) (t Theme, err error) {
	defer func() {
		// The TOML library is fuzzed upstream, but a theme file must never
		// take the workbench down.
		if r := recover(); r != nil {
			t, err = Theme{}, &FieldError{File: name, Err: fmt.Errorf("cannot read the file as TOML (%v); check its syntax", r)}
		}
	}()
	if len(data) > MaxFileBytes {
		return Theme{}, &FieldError{File: name, Err: fmt.Errorf("larger than %d KiB; is it really a theme file?", MaxFileBytes>>10)}
	}
	src := strings.TrimPrefix(string(data), "\ufeff") // the TOML library skips a BOM too
	var raw map[string]toml.Primitive
	md, derr := toml.Decode(src, &raw)
	if derr != nil {
		fe := &FieldError{File: name, Err: fmt.Errorf("not valid TOML: %w", derr)}
		var pe toml.ParseError
		if errors.As(derr, &pe) {
			fe.Line = pe.Position.Line
			fe.Err = fmt.Errorf("not valid TOML: %s", pe.Message)
		}
		return Theme{}, fe
	}
	p := &parser{file: name, src: src, md: &md, raw: raw, bad: map[string]bool{}}
	t = p.theme(defaultName(name))
	if len(p.errs) > 0 || p.more > 0 {
		return Theme{}, p.joined()
	}
	if verr := t.Validate(); verr != nil {
		// Unreachable for a file over a built-in base; kept so that a
		// returned theme is always complete.
		return Theme{}, &FieldError{File: name, Err: verr}
	}
	return t, nil
}

// defaultName is a theme's name when its file has no `name` key.
func defaultName(file string) string {
	n := filepath.Base(file)
	n = strings.TrimSuffix(n, filepath.Ext(n))
	if n == "" || n == "." || n == string(filepath.Separator) || checkName(n) != nil {
		return "custom"
	}
	return n
}

// parser walks one decoded theme file.
type parser struct {
	file string
	src  string
	md   *toml.MetaData
	raw  map[string]toml.Primitive
	errs []*FieldError
	more int             // problems found but not kept
	bad  map[string]bool // top-level keys already reported
}

// theme applies the file over its base.
func (p *parser) theme(name string) Theme {
	t, _ := ByName(Default)
	if prim, ok := p.raw["base"]; ok {
		var v stringValue
		if p.decode("base", prim, &v, &v.err) {
			if b, found := ByName(v.s); found {
				t = b
			} else {
				p.bad["base"] = true
				p.add(p.line("base", prim), "base", baseProblem(v.s))
			}
		}
	}
	t.Name = name
	known := knownKeys()
	for _, key := range p.md.Keys() {
		if len(key) != 1 {
			continue // inside a table: reported with the table
		}
		k := key[0]
		prim := p.raw[k]
		switch {
		case k == "base":
		case k == "name":
			var v stringValue
			if p.decode(k, prim, &v, &v.err) {
				if err := checkName(v.s); err != nil {
					p.bad[k] = true
					p.add(p.line(k, prim), k, fmt.Errorf("%w; write a short printable name, or leave name out to use the file's name", err))
				} else {
					t.Name = strings.TrimSpace(v.s)
				}
			}
		case k == "flows":
			var v flowsValue
			if p.decode(k, prim, &v, &v.err) {
				t.Flows = v.colours
			} else if len(v.elemErrs) > 0 {
				line := p.line(k, prim)
				for _, fe := range v.elemErrs {
					fe.File, fe.Line = p.file, line
					p.record(fe)
				}
				p.more += v.moreErrs
			}
		case t.role(k) != nil:
			var v colourValue
			if p.decode(k, prim, &v, &v.err) {
				*t.role(k) = v.c
			}
		default:
			p.unknown(k, prim, known)
		}
	}
	for _, key := range p.md.Undecoded() {
		if k := key[0]; !p.bad[k] && !slices.Contains(known, k) {
			p.unknown(k, p.raw[k], known)
		}
	}
	return t
}

// decode decodes one top-level value through its Unmarshaler. On failure
// it records the problem (the Unmarshaler's own error, stored in *perr,
// at the line the TOML library gives) and returns false; a flowsValue's
// element errors are left to the caller.
func (p *parser) decode(key string, prim toml.Primitive, v toml.Unmarshaler, perr *error) bool {
	err := p.md.PrimitiveDecode(prim, v)
	if err == nil {
		return true
	}
	p.bad[key] = true
	if *perr == nil {
		if _, isFlows := v.(*flowsValue); isFlows {
			return false
		}
		*perr = err
	}
	if p.full() {
		p.more++
		return false
	}
	p.add(p.lineAt(key, lineOf(err)), key, *perr)
	return false
}

// unknown reports a key that is not a role.
func (p *parser) unknown(k string, prim toml.Primitive, known []string) {
	p.bad[k] = true
	if p.full() {
		// Finding the line costs a pass over the file: only for what is
		// shown.
		p.more++
		return
	}
	line := p.line(k, prim)
	var probe anyValue
	_ = p.md.PrimitiveDecode(prim, &probe)
	if _, isTable := probe.v.(map[string]any); isTable {
		msg := fmt.Sprintf("unknown table [%s]: roles are top-level keys; write them before any [table] header, without one", shorten(k))
		if s := suggest(k, known, keySynonyms()); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		p.add(line, "", errors.New(msg))
		return
	}
	msg := fmt.Sprintf("unknown key %q", shorten(k))
	if s := suggest(k, known, keySynonyms()); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	} else {
		msg += " (keys: name, base, flows, " + strings.Join(roleKeys(), ", ") + ")"
	}
	p.add(line, "", errors.New(msg))
}

func (p *parser) add(line int, key string, err error) {
	p.record(&FieldError{File: p.file, Line: line, Key: key, Err: err})
}

// record keeps a problem, or only counts it once enough are kept.
func (p *parser) record(fe *FieldError) {
	if p.full() {
		p.more++
		return
	}
	p.errs = append(p.errs, fe)
}

// full reports whether enough problems are kept: keys are visited in file
// order (base first), so the first maxErrors+1 cover the first maxErrors
// lines.
func (p *parser) full() bool { return len(p.errs) > maxErrors }

// joined is the recorded problems in file order, at most maxErrors.
func (p *parser) joined() error {
	slices.SortStableFunc(p.errs, func(a, b *FieldError) int { return lineOrder(a.Line) - lineOrder(b.Line) })
	errs := make([]error, 0, maxErrors+1)
	for i, fe := range p.errs {
		if i == maxErrors {
			break
		}
		errs = append(errs, fe)
	}
	if n := len(p.errs) - len(errs) + p.more; n > 0 {
		errs = append(errs, &FieldError{File: p.file, Err: fmt.Errorf("and %d more %s", n, plural(n, "problem"))})
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// lineOrder sorts unknown lines (0) last.
func lineOrder(line int) int {
	if line <= 0 {
		return 1 << 30
	}
	return line
}

// knownKeys is every top-level key a theme file may have.
func knownKeys() []string {
	return append([]string{"name", "base", "flows"}, roleKeys()...)
}

func roleKeys() []string {
	var out []string
	for _, r := range Roles() {
		out = append(out, r.Key)
	}
	return out
}

// baseProblem words an unknown base.
func baseProblem(base string) error {
	msg := fmt.Sprintf("%q is not a built-in theme; base must be one of %s", base, strings.Join(Names(), ", "))
	if s := suggest(base, Names(), nil); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	if strings.ContainsAny(base, `/\`) || strings.HasSuffix(base, ".toml") {
		msg += "; a theme file cannot be a base: copy the roles you want instead"
	}
	return errors.New(msg)
}

// shorten cuts a long key for messages.
func shorten(k string) string {
	if len(k) <= 64 {
		return k
	}
	cut := 64
	for cut > 0 && !utf8.RuneStart(k[cut]) {
		cut--
	}
	return k[:cut] + "…"
}

// plural is word, with an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
