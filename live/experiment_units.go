// experiment_units.go owns the text forms of an experiment's sizes and
// durations: ParseSize and FormatSize for byte counts ("10MB", "512KiB",
// 123456), and FormatDuration, the compact duration form the writer uses
// ("20ms", "1.5s", "60s"), which emu.ParseDuration reads back exactly.
package live

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// expSizeUnit is a byte unit ParseSize accepts.
type expSizeUnit struct {
	name string
	mult int64
}

// expSizeUnits lists the byte units, decimal then binary, largest first
// within each family (FormatSize relies on the order).
func expSizeUnits() [10]expSizeUnit {
	return [...]expSizeUnit{
		{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"kB", 1e3},
		{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
		{"KB", 1e3}, {"B", 1},
	}
}

// ParseSize reads a byte count: a whole number of bytes ("123456"), or a
// number and a unit, "10MB", "1.5kB", "512KiB", "2 GiB". kB (or KB), MB,
// GB and TB are decimal (1000-based); KiB, MiB, GiB and TiB are binary
// (1024-based). A lower-case b would mean bits and is refused. The result
// must be a whole number of bytes, not negative.
func ParseSize(s string) (int64, error) {
	str := strings.TrimSpace(s)
	i := 0
	for i < len(str) && (str[i] >= '0' && str[i] <= '9' || str[i] == '.') {
		i++
	}
	num, unit := str[:i], strings.TrimSpace(str[i:])
	if strings.HasPrefix(str, "-") {
		return 0, fmt.Errorf("size %q: must not be negative", s)
	}
	if num == "" || strings.Count(num, ".") > 1 || num[0] == '.' || num[len(num)-1] == '.' {
		return 0, fmt.Errorf("size %q: want a number of bytes and a unit, e.g. 10MB, 500kB, 64KiB or 123456", s)
	}
	if len(num) > 40 {
		return 0, fmt.Errorf("size %q: too large", s)
	}
	mult := int64(0)
	if unit == "" {
		mult = 1
	}
	for _, u := range expSizeUnits() {
		if unit == u.name {
			mult = u.mult
		}
	}
	if mult == 0 {
		if strings.HasSuffix(unit, "b") && len(unit) <= 3 {
			return 0, fmt.Errorf("size %q: unit %q is bits; sizes are bytes, write e.g. %s%sB", s, unit, num, strings.TrimSuffix(unit, "b"))
		}
		return 0, fmt.Errorf("size %q: unknown unit %q (want B, kB, MB, GB, KiB, MiB or GiB)", s, unit)
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, fmt.Errorf("size %q: bad number %q", s, num)
	}
	r.Mul(r, new(big.Rat).SetInt64(mult))
	if !r.IsInt() {
		return 0, fmt.Errorf("size %q: not a whole number of bytes", s)
	}
	n := r.Num()
	if !n.IsInt64() {
		return 0, fmt.Errorf("size %q: too large (at most %d bytes)", s, int64(math.MaxInt64))
	}
	return n.Int64(), nil
}

// FormatSize writes a byte count in the largest unit that keeps it a whole
// number, decimal units first: 10000000 → "10MB", 1048576 → "1MiB",
// 1500 → "1500B", 0 → "0". ParseSize(FormatSize(n)) == n for every n ≥ 0.
func FormatSize(n int64) string {
	if n == 0 {
		return "0"
	}
	for _, u := range expSizeUnits() {
		if u.mult > 1 && u.name != "KB" && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// FormatDuration writes d compactly and exactly: whole seconds as "60s",
// milliseconds as "1.5s" or "20ms", microseconds as "1.001ms" or "250us",
// nanoseconds below a second as "7ns" and above as Go writes them
// ("1.000000001s", "1h0m0.5s"). emu.ParseDuration(FormatDuration(d)) == d
// for every d ≥ 0.
func FormatDuration(d time.Duration) string {
	if d < 0 {
		if d == math.MinInt64 {
			return d.String()
		}
		return "-" + FormatDuration(-d)
	}
	// decimal writes d/unit with up to three decimals.
	decimal := func(unit time.Duration, name string) string {
		s := strconv.FormatInt(int64(d/unit), 10)
		if frac := d % unit / (unit / 1000); frac != 0 {
			s += "." + strings.TrimRight(fmt.Sprintf("%03d", frac), "0")
		}
		return s + name
	}
	switch {
	case d == 0:
		return "0s"
	case d >= time.Second && d%time.Millisecond == 0:
		return decimal(time.Second, "s")
	case d >= time.Second:
		return d.String()
	case d >= time.Millisecond && d%time.Microsecond == 0:
		return decimal(time.Millisecond, "ms")
	case d >= time.Microsecond && d%time.Microsecond == 0:
		return decimal(time.Microsecond, "us")
	}
	return strconv.FormatInt(int64(d), 10) + "ns"
}
