package capture

// This file owns turning the accumulated pass into numbers, with the exact
// arithmetic of mm-throughput-graph (Perl) and tunnel_graph.py (Python 2).

import (
	"math"
	"slices"
)

// finish computes the Analysis from the accumulated state.
func (z *analyzer) finish() *Analysis {
	a := &Analysis{MsPerBin: z.opt.MsPerBin, Events: z.events, Drops: z.drops}
	a.Bins = z.bins.bins(z.opt.MsPerBin)
	if z.bins.err != nil {
		a.BinsErr = z.bins.err
	}

	flows := z.sortedFlows()
	hists := make([]*delayHist, len(flows))
	for i, f := range flows {
		hists[i] = &f.hist
	}
	pooled := sortHists(hists...)

	z.finishMahimahi(&a.Mahimahi, pooled)
	z.finishPantheon(&a.Pantheon, flows, pooled)

	if z.opt.KeepPoints {
		a.points = z.points
		m := &a.Mahimahi
		if m.DelaysValid && m.Last > m.First {
			a.curve = newSignalCurve(m.First, m.Last)
			z.signal.walk(a.curve)
		}
	}
	return a
}

func (z *analyzer) finishMahimahi(m *MahimahiStats, pooled sortedHist) {
	m.HasEvents = z.mAny
	m.First, m.Last = z.first, z.last
	m.Opportunities, m.Arrivals, m.Departures = z.opps, z.arrs, z.deps
	m.CapacityBits, m.IngressBits, m.EgressBits = z.capBits, z.arrBits, z.depBits
	if !z.mAny {
		return
	}
	// my $duration = ($last_timestamp - $first_timestamp) / 1000.0;
	m.Duration = (usToMs(z.last) - usToMs(z.first)) / 1000.0
	if m.Duration > 0 {
		m.RatesValid = true
		m.Capacity = float64(z.capBits) / m.Duration / 1000000.0
		m.Ingress = float64(z.arrBits) / m.Duration / 1000000.0
		m.Throughput = float64(z.depBits) / m.Duration / 1000000.0
		if m.Capacity > 0 {
			m.UtilizationValid = true
			m.Utilization = 100.0 * m.Throughput / m.Capacity
		}
	}
	if n := pooled.total(); n > 0 {
		m.DelaysValid = true
		m.DelayP95 = usToMs(pooled.kth(mahimahiIndex(n, 0.95)))
		m.DelayP50 = usToMs(pooled.kth(mahimahiIndex(n, 0.5)))
		p95, maxVal, _, _ := z.signal.stats()
		m.SignalP95, m.SignalMax = usToMs(p95), usToMs(maxVal)
		m.SignalFirst, m.SignalLast = z.signal.minKey, z.signal.maxKey
	}
}

func (z *analyzer) finishPantheon(p *PantheonStats, flows []*flowAcc, pooled sortedHist) {
	p.HasEvents = z.pAny
	p.FirstTs = z.firstTs
	if z.capAny {
		p.CapacityValid = true
		if z.lastCap != z.firstCap {
			delta := 1000.0 * (usToMs(z.lastCap) - usToMs(z.firstCap))
			p.Capacity = float64(z.capBits) / delta
		}
	}
	var totalArr, totalDep int64
	for _, f := range flows {
		pf := PantheonFlow{
			ID:       f.id,
			Arrivals: f.arrivals, Departures: f.departures,
			ArrivalBits: f.arrBits, DepartureBits: f.depBits,
		}
		if f.arrivals > 0 && f.lastArr != f.firstArr {
			pf.Ingress = float64(f.arrBits) / (1000.0 * (usToMs(f.lastArr) - usToMs(f.firstArr)))
		}
		if f.departures > 0 && f.lastDep != f.firstDep {
			pf.Throughput = float64(f.depBits) / (1000.0 * (usToMs(f.lastDep) - usToMs(f.firstDep)))
		}
		if f.hist.n > 0 {
			h := sortHists(&f.hist)
			pf.DelayValid = true
			pf.DelayP95 = usToMs(h.kth(numpyNearestIndex(h.total())))
		}
		if f.arrivals > 0 && f.departures > 0 && f.arrBits > 0 {
			pf.LossValid = true
			pf.Loss = 1 - float64(f.depBits)/float64(f.arrBits)
		}
		totalArr += f.arrBits
		totalDep += f.depBits
		p.Flows = append(p.Flows, pf)
	}
	if totalArr > 0 {
		p.LossValid = true
		p.Loss = 1 - float64(totalDep)/float64(totalArr)
	}
	if z.depAny && z.lastDep != z.firstDep {
		p.Duration = usToMs(z.lastDep) - usToMs(z.firstDep)
		p.Throughput = float64(totalDep) / (1000.0 * p.Duration)
	}
	if n := pooled.total(); n > 0 {
		p.DelayValid = true
		p.DelayP95 = usToMs(pooled.kth(numpyNearestIndex(n)))
	}
}

// sortedFlows returns the flows by ascending id.
func (z *analyzer) sortedFlows() []*flowAcc {
	var fs []*flowAcc
	for _, f := range z.small {
		if f != nil {
			fs = append(fs, f)
		}
	}
	more := make([]*flowAcc, 0, len(z.more))
	for _, f := range z.more {
		more = append(more, f)
	}
	slices.SortFunc(more, func(a, b *flowAcc) int { return a.id - b.id })
	// Ids below 0 cannot be parsed, so every id in more is ≥ smallFlows.
	return append(fs, more...)
}

// usToMs converts µs to ms as the scripts see them: the double nearest to
// the decimal the log holds.
func usToMs(us int64) float64 { return float64(us) / 1000 }

// curveCols is how many columns the signal-delay curve is reduced to.
const curveCols = 1024

// signalCurve is the signal-delay series reduced to the least and largest
// value per column over the graph's time range.
type signalCurve struct {
	x0, x1 int64     // µs since base: the graph's time range
	lo, hi []float64 // ms per column, NaN where the series has no value
}

func newSignalCurve(x0, x1 int64) *signalCurve {
	c := &signalCurve{x0: x0, x1: x1, lo: make([]float64, curveCols), hi: make([]float64, curveCols)}
	for i := range c.lo {
		c.lo[i], c.hi[i] = math.NaN(), math.NaN()
	}
	return c
}

// keyRange is the range of ms keys inside [x0, x1].
func (c *signalCurve) keyRange() (int64, int64) {
	return -floorDiv(-c.x0, 1000), floorDiv(c.x1, 1000)
}

func (c *signalCurve) col(key int64) int {
	i := int(float64(key*1000-c.x0) / float64(c.x1-c.x0) * curveCols)
	return min(max(i, 0), curveCols-1)
}

// colStart is the first key of column i, approximately.
func (c *signalCurve) colStart(i int) int64 {
	x := float64(c.x0) + float64(i)*float64(c.x1-c.x0)/curveCols
	return int64(math.Ceil(x / 1000))
}

func (c *signalCurve) put(i int, ms float64) {
	if math.IsNaN(c.lo[i]) || ms < c.lo[i] {
		c.lo[i] = ms
	}
	if math.IsNaN(c.hi[i]) || ms > c.hi[i] {
		c.hi[i] = ms
	}
}

func (c *signalCurve) point(key, v int64) {
	if lo, hi := c.keyRange(); key < lo || key > hi {
		return
	}
	c.put(c.col(key), usToMs(v))
}

func (c *signalCurve) gap(top, v, g int64) {
	lo, hi := c.keyRange()
	kl, kh := max(top-g, lo), min(top-1, hi)
	for k := kh; k >= kl; {
		i := c.col(k)
		ks := min(max(c.colStart(i), kl), k)
		// Values grow downward: the least is at k, the largest at ks.
		c.put(i, usToMs(v+(top-k)*1000))
		c.put(i, usToMs(v+(top-ks)*1000))
		k = ks - 1
	}
}
