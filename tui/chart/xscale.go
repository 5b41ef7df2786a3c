package chart

// xscale.go owns the time axis: the visible window and its tick steps
// (1-2-5 below a second, then 2 s … 30 s, minutes, hours, days).

import "math"

// window is the visible time range, always finite with x0 < x1.
func (c *Chart) window() (x0, x1 float64) {
	x0, x1 = c.XMin, c.XMax
	if x0 > x1 {
		x0, x1 = x1, x0
	}
	if !finite(x0) || !finite(x1) || x0 == x1 {
		x0, x1 = c.timeRange()
	}
	x0, x1 = clampLimit(x0), clampLimit(x1)
	if minSpan := max(1e-6, 1e-9*max(math.Abs(x0), math.Abs(x1))); x1-x0 < minSpan {
		x1 = x0 + minSpan
	}
	return x0, x1
}

// timeRange is the span of the data's finite times; [t, t+1] for a single
// time and [0, 1] (or [XMin, XMin+1]) without data.
func (c *Chart) timeRange() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for i := range c.Series {
		s := &c.Series[i]
		if len(s.Aggs) > 0 {
			for _, a := range s.Aggs {
				if finite(a.T) {
					lo, hi = min(lo, a.T), max(hi, a.T)
				}
			}
			continue
		}
		for _, p := range s.Points {
			if finite(p.T) {
				lo, hi = min(lo, p.T), max(hi, p.T)
			}
		}
	}
	if lo > hi {
		lo = 0
		if finite(c.XMin) {
			lo = c.XMin
		}
		hi = lo
	}
	if hi == lo {
		hi = lo + 1
	}
	return lo, hi
}

// timeTicks picks the time ticks of a plot pw cells wide: the smallest step
// whose labels are at least max(label width + 3, 10) cells apart.
// tmp is a buffer for measuring labels.
func timeTicks(x0, x1 float64, pw int, tmp *[]byte) (ticks, timeFmt) {
	span := x1 - x0
	maxAbs := max(math.Abs(x0), math.Abs(x1))
	step := niceTime(span * 10 / float64(pw))
	var f timeFmt
	var a, b float64
	for iter := 0; iter < 100; iter++ {
		f = timeFormatFor(step, maxAbs)
		a, b = ceilEps(x0/step), floorEps(x1/step)
		*tmp = appendTime((*tmp)[:0], a*step, step, f)
		lw := len(*tmp)
		*tmp = appendTime((*tmp)[:0], b*step, step, f)
		lw = max(lw, len(*tmp))
		if step*float64(pw)/span >= float64(max(lw+3, 10)) || step >= span {
			break
		}
		step = niceTime(step * (1 + 1e-9))
	}
	return ticks{step: step, first: a, n: max(int(b-a)+1, 0)}, f
}

// niceTime is the smallest time step (seconds) of at least v.
func niceTime(v float64) float64 {
	switch {
	case !(v > 0):
		return 1
	case v > limit:
		return v
	case v <= 1:
		return next125(v, 1)
	case v <= 60:
		for _, s := range [...]float64{2, 5, 10, 15, 20, 30} {
			if s >= v {
				return s
			}
		}
		return 60
	case v <= 3600:
		for _, s := range [...]float64{120, 300, 600, 900, 1200, 1800} {
			if s >= v {
				return s
			}
		}
		return 3600
	case v <= 86400:
		for _, s := range [...]float64{7200, 10800, 21600, 43200} {
			if s >= v {
				return s
			}
		}
		return 86400
	}
	return next125(v, 86400)
}

// next125 is the smallest unit·m·10ᵏ (m ∈ 1, 2, 5) of at least v.
func next125(v, unit float64) float64 {
	k := int(math.Floor(math.Log10(v / unit)))
	for ; ; k++ {
		for _, m := range [3]float64{1, 2, 5} {
			if s := unit * decade(m, k); s >= v*(1-1e-12) {
				return s
			}
		}
	}
}

// xLabels formats the time tick labels into the scratch, each at the plot
// column of its tick.
func (c *Chart) xLabels(x0, x1 float64, m mapper) {
	sc := c.sc
	sc.xLabs = sc.xLabs[:0]
	pw := m.dw / 2
	t, f := timeTicks(x0, x1, pw, &sc.tmp)
	for i := 0; i < t.n; i++ {
		v := t.at(i)
		x := m.x(v)
		if !(x >= -0.5 && x <= m.bx) {
			continue
		}
		a := len(sc.lab)
		sc.lab = appendTime(sc.lab, v, t.step, f)
		sc.xLabs = append(sc.xLabs, label{a: a, b: len(sc.lab), pos: roundIdx(x, m.dw) >> 1})
	}
}
