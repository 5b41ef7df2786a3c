package chart

// yscale.go owns the value axis: the automatic range, nice tick steps
// (1, 2, 2.5, 5 × 10ⁿ) and the mapping from time and value to dots.

import "math"

// limit bounds every value and time the chart computes with, so sums and
// spans stay finite.
const limit = 1e300

// ticks are n values (first+i)·step, i = 0..n-1.
type ticks struct {
	step  float64
	first float64 // an integer
	n     int
}

func (t ticks) at(i int) float64 { return (t.first + float64(i)) * t.step }

// yscale is the value range of the plot and its ticks.
type yscale struct {
	lo, hi float64
	t      ticks
}

// yScale works out the value range for a plot of ph rows.
func (c *Chart) yScale(x0, x1 float64, ph int) yscale {
	autoLo := !finite(c.YMin) || c.YMin == c.YMax
	autoHi := !finite(c.YMax) || c.YMin == c.YMax
	lo, hi := clampLimit(c.YMin), clampLimit(c.YMax)
	if autoLo || autoHi {
		dmin, dmax := c.valueRange(x0, x1)
		if autoLo {
			lo = dmin
		}
		if autoHi {
			hi = dmax
		}
		if span := hi - lo; span > 0 {
			if autoHi && hi > 0 {
				hi += span * headroom
			}
			if autoLo && lo < 0 {
				lo -= span * headroom
			}
		}
		if hi <= lo {
			switch {
			case autoHi && autoLo:
				hi = lo + 1
			case autoHi:
				hi = lo + max(1, math.Abs(lo)*headroom)
			default:
				lo = hi - max(1, math.Abs(hi)*headroom)
			}
		}
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	// Keep the range resolvable: at least a millionth of the magnitude.
	if minSpan := max(1e-200, 1e-6*max(math.Abs(lo), math.Abs(hi))); hi-lo < minSpan {
		mid := lo/2 + hi/2
		lo, hi = mid-minSpan/2, mid+minSpan/2
		autoLo, autoHi = true, true
	}
	t := niceTicks(lo, hi, yTickLimit(ph), autoLo, autoHi)
	if autoLo {
		lo = t.at(0)
	}
	if autoHi {
		hi = t.at(t.n - 1)
	}
	return yscale{lo: lo, hi: hi, t: t}
}

// headroom is the fraction of the data span added on the sides away from
// zero by the automatic range.
const headroom = 0.05

// yTickLimit is the most y ticks a plot of ph rows gets: 2 to 6, with at
// least one row between labels.
func yTickLimit(ph int) int { return min(max(1+(ph-1)/2, 2), 6) }

// valueRange is the smallest and largest finite value (and 0) of the data
// and reference lines within [x0, x1].
func (c *Chart) valueRange(x0, x1 float64) (lo, hi float64) {
	// Plain comparisons, not min/max: those check for NaN, and this loop
	// sees every point.
	add := func(v float64) {
		if v-v != 0 { // NaN, ±Inf
			return
		}
		if v < lo {
			lo = v
		} else if v > hi {
			hi = v
		}
	}
	for i := range c.Series {
		s := &c.Series[i]
		if len(s.Aggs) > 0 {
			for _, a := range s.Aggs {
				if a.T >= x0 && a.T <= x1 {
					add(a.Min)
					add(a.Max)
					add(a.Mean)
				}
			}
			continue
		}
		for _, p := range s.Points {
			if p.T >= x0 && p.T <= x1 {
				add(p.V)
			}
		}
	}
	for _, h := range c.HLines {
		add(h.V)
	}
	return clampLimit(lo), clampLimit(hi)
}

// niceTicks picks the smallest step m·10ᵏ (m ∈ 1, 2, 2.5, 5) that gives at
// most maxTicks ticks on [lo, hi] (lo < hi, both finite). An extended side
// moves out to the next multiple of the step (auto ranges); a fixed side
// keeps only the multiples inside it.
func niceTicks(lo, hi float64, maxTicks int, extLo, extHi bool) ticks {
	span := hi - lo
	k := int(math.Floor(math.Log10(span/float64(maxTicks)))) - 1
	for iter := 0; iter < 64; iter, k = iter+1, k+1 {
		for _, m := range [4]float64{1, 2, 2.5, 5} {
			step := decade(m, k)
			if step == 0 || math.IsInf(step, 0) {
				continue
			}
			a, b := lo/step, hi/step
			if extLo {
				a = floorEps(a)
			} else {
				a = ceilEps(a)
			}
			if extHi {
				b = ceilEps(b)
			} else {
				b = floorEps(b)
			}
			if b-a+1 <= float64(maxTicks) {
				return ticks{step: step, first: a, n: max(int(b-a)+1, 0)}
			}
		}
	}
	return ticks{step: span, first: math.Ceil(lo / span), n: 1}
}

// decade is m·10ᵏ, computed so that steps like 0.25 come out exact.
func decade(m float64, k int) float64 {
	if k >= 0 {
		return m * math.Pow10(k)
	}
	return m / math.Pow10(-k)
}

// floorEps and ceilEps round a ratio that should be an integer but may be
// a rounding error away from it.
func floorEps(x float64) float64 { return math.Floor(x + 1e-9*max(1, math.Abs(x))) }
func ceilEps(x float64) float64  { return math.Ceil(x - 1e-9*max(1, math.Abs(x))) }

// finite reports whether v is neither NaN nor ±Inf (for both, v-v is NaN).
func finite(v float64) bool { return v-v == 0 }

// clampLimit bounds v to ±limit (NaN stays NaN).
func clampLimit(v float64) float64 {
	if v > limit {
		return limit
	}
	if v < -limit {
		return -limit
	}
	return v
}

// yLabels formats the y tick labels of a plot of ph rows into the scratch
// and returns the widest.
func (c *Chart) yLabels(ys yscale, ph int) int {
	sc := c.sc
	sc.yLabs = sc.yLabs[:0]
	dh := 4 * ph
	maxAbs := max(math.Abs(ys.t.at(0)), math.Abs(ys.t.at(ys.t.n-1)))
	lastRow, w := -1, 0
	for i := ys.t.n - 1; i >= 0; i-- {
		v := ys.t.at(i)
		f := (ys.hi - v) / (ys.hi - ys.lo) * float64(dh-1)
		if !(f >= -0.5 && f <= float64(dh)-0.5) {
			continue
		}
		row := roundIdx(f, dh) >> 2
		if row <= lastRow {
			continue
		}
		lastRow = row
		a := len(sc.lab)
		sc.lab = appendNum(sc.lab, v, ys.t.step, maxAbs)
		sc.yLabs = append(sc.yLabs, label{a: a, b: len(sc.lab), pos: row})
		w = max(w, len(sc.lab)-a)
	}
	return w
}

// roundIdx rounds a dot coordinate in [-0.5, n-0.5] to an index in [0, n).
func roundIdx(f float64, n int) int {
	i := int(f + 0.5)
	if i >= n {
		return n - 1
	}
	if i < 0 {
		return 0
	}
	return i
}

// mapper turns times and values into dot coordinates of the plot: XMin is
// dot column 0, XMax column dw-1, the top of the range dot row 0, the
// bottom row dh-1. Coordinates are bounded to ±big so that far-off values
// still clip correctly.
type mapper struct {
	x0, sx, hi, sy float64
	bx, by         float64 // the plot box is [-0.5, bx] × [-0.5, by]
	dw, dh         int
}

const big = 1e12

func newMapper(x0, x1, lo, hi float64, dw, dh int) mapper {
	return mapper{
		x0: x0, sx: float64(dw-1) / (x1 - x0),
		hi: hi, sy: float64(dh-1) / (hi - lo),
		bx: float64(dw) - 0.5, by: float64(dh) - 0.5,
		dw: dw, dh: dh,
	}
}

func (m *mapper) x(t float64) float64 { return bound((t - m.x0) * m.sx) }
func (m *mapper) y(v float64) float64 { return bound((m.hi - v) * m.sy) }

func bound(f float64) float64 {
	if f > big {
		return big
	}
	if f < -big {
		return -big
	}
	return f
}
