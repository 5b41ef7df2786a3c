package emu

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// MaxRate bounds constant link rates (10 Tbit/s).
const MaxRate = 10e12

// ParseRate parses a link rate in bits per second written the way tc and
// ccscope users write it: a number and a unit, "800kbit", "12mbit",
// "1.5gbit", "100bit" (also "Mbit", "mbit/s", "Mbit/s"). Units are decimal
// (k = 1000). "mbps" is refused because tc reads it as megabytes per second.
func ParseRate(s string) (float64, error) {
	str := strings.TrimSpace(s)
	i := 0
	for i < len(str) && (str[i] >= '0' && str[i] <= '9' || str[i] == '.') {
		i++
	}
	num, unit := str[:i], strings.ToLower(strings.TrimSpace(str[i:]))
	if num == "" {
		return 0, fmt.Errorf("rate %q: want a number and a unit, e.g. 12mbit, 800kbit or 1.5gbit", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("rate %q: bad number %q", s, num)
	}
	unit = strings.TrimSuffix(unit, "/s")
	var mult float64
	switch unit {
	case "bit":
		mult = 1
	case "kbit":
		mult = 1e3
	case "mbit":
		mult = 1e6
	case "gbit":
		mult = 1e9
	case "tbit":
		mult = 1e12
	case "":
		return 0, fmt.Errorf("rate %q: missing unit; write e.g. %smbit or %skbit", s, num, num)
	case "bps", "kbps", "mbps", "gbps":
		return 0, fmt.Errorf("rate %q: ambiguous unit %q (tc reads it as bytes per second); write bits, e.g. %s%s", s, unit, num, strings.TrimSuffix(unit, "ps")+"it")
	default:
		return 0, fmt.Errorf("rate %q: unknown unit %q (want bit, kbit, mbit or gbit)", s, unit)
	}
	r := v * mult
	if r <= 0 || math.IsNaN(r) {
		return 0, fmt.Errorf("rate %q: must be above zero", s)
	}
	if r > MaxRate {
		return 0, fmt.Errorf("rate %q: above the %s limit", s, FormatRate(MaxRate))
	}
	return r, nil
}

// LooksLikeRate reports whether s is written as a rate (digits then a rate
// unit) rather than a trace path. "./12mbit" is a path.
func LooksLikeRate(s string) bool {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	if i == 0 || i == len(s) {
		return false
	}
	u := strings.ToLower(strings.TrimSuffix(s[i:], "/s"))
	switch u {
	case "bit", "kbit", "mbit", "gbit", "tbit", "bps", "kbps", "mbps", "gbps":
		return true
	}
	return false
}

// FormatRate formats bits per second compactly: "12mbit", "1.5gbit",
// "800kbit". It is the inverse of ParseRate up to float precision.
func FormatRate(bps float64) string {
	type unit struct {
		mult float64
		name string
	}
	for _, u := range []unit{{1e12, "tbit"}, {1e9, "gbit"}, {1e6, "mbit"}, {1e3, "kbit"}} {
		if bps >= u.mult {
			return strconv.FormatFloat(bps/u.mult, 'f', -1, 64) + u.name
		}
	}
	return strconv.FormatFloat(bps, 'f', -1, 64) + "bit"
}

// ParseDuration parses a duration with a unit ("20ms", "1.5s", "250us").
// A bare number is refused with a hint, because mahimahi's tools disagree on
// the unit (mm-delay takes ms, mm-onoff seconds).
func ParseDuration(what, s string) (time.Duration, error) {
	str := strings.TrimSpace(s)
	if str == "" {
		return 0, fmt.Errorf("%s: empty; want a duration such as 20ms or 1.5s", what)
	}
	if _, err := strconv.ParseFloat(str, 64); err == nil {
		return 0, fmt.Errorf("%s %q: missing unit; write e.g. %sms or %ss", what, s, str, str)
	}
	d, err := time.ParseDuration(str)
	if err != nil {
		return 0, fmt.Errorf("%s %q: not a duration (want e.g. 20ms, 1.5s, 250us)", what, s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%s %q: must not be negative", what, s)
	}
	return d, nil
}

// ParseProbability parses a probability written as a percentage ("1%",
// "0.5%") or a fraction ("0.01"), in [0, 1].
func ParseProbability(what, s string) (float64, error) {
	str := strings.TrimSpace(s)
	pct := strings.HasSuffix(str, "%")
	num := strings.TrimSpace(strings.TrimSuffix(str, "%"))
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s %q: want a percentage like 1%% or a fraction like 0.01", what, s)
	}
	if pct {
		v /= 100
	}
	if v < 0 || v > 1 {
		return 0, fmt.Errorf("%s %q: must be between 0 and 100%%", what, s)
	}
	return v, nil
}

// FormatProbability formats p as a percentage, "1%", "0.25%".
func FormatProbability(p float64) string {
	return strconv.FormatFloat(p*100, 'f', -1, 64) + "%"
}
