// parse_values.go owns the toml.Unmarshaler types Parse decodes each
// top-level value through: a colour role, the flows list, a string (name,
// base), and any value (to look at its type). Each keeps its own error so
// that messages are ours, not the library's.
package themes

import (
	"errors"
	"fmt"
	"image/color"
)

// colourValue decodes one colour role.
type colourValue struct {
	c   color.Color
	err error
}

func (v *colourValue) UnmarshalTOML(data any) error {
	v.c, v.err = parseColour(data)
	return v.err
}

// flowsValue decodes the flows list: every element is checked, so all
// bad colours are reported at once (elemErrs, keyed "flows[i]").
type flowsValue struct {
	colours  []color.Color
	err      error
	elemErrs []*FieldError // at most maxErrors+1
	moreErrs int           // bad elements beyond those
}

func (v *flowsValue) UnmarshalTOML(data any) error {
	list, ok := data.([]any)
	if !ok {
		v.err = fmt.Errorf("%s is not a list of colours; write flows = [\"#4c9aff\", \"#ff9f43\", ...] with at least %d colours", tomlType(data), MinFlows)
		return v.err
	}
	if n := len(list); n > MaxFlows {
		v.err = fmt.Errorf("%d colours; give at most %d", n, MaxFlows)
		return v.err
	}
	for i, e := range list {
		c, err := parseColour(e)
		if err != nil {
			if len(v.elemErrs) > maxErrors {
				v.moreErrs++
			} else {
				v.elemErrs = append(v.elemErrs, &FieldError{Key: fmt.Sprintf("flows[%d]", i), Err: err})
			}
			continue
		}
		v.colours = append(v.colours, c)
	}
	if len(v.elemErrs) > 0 {
		v.colours = nil
		return errors.New("bad flow colours")
	}
	if n := len(list); n < MinFlows {
		v.err = fmt.Errorf("only %d %s; give at least %d (the workbench tells %d flows apart by colour, then repeats them), or leave flows out to keep the base theme's", n, plural(n, "colour"), MinFlows, MinFlows)
	}
	return v.err
}

// stringValue decodes a string key (name, base).
type stringValue struct {
	s   string
	err error
}

func (v *stringValue) UnmarshalTOML(data any) error {
	s, ok := data.(string)
	if !ok {
		v.err = fmt.Errorf("%s, not a string; write it in quotes", tomlType(data))
		return v.err
	}
	v.s = s
	return nil
}

// anyValue decodes any value, to look at its type.
type anyValue struct{ v any }

func (v *anyValue) UnmarshalTOML(data any) error {
	v.v = data
	return nil
}
