package capture

// This file owns the single streaming pass of Analyze: what is accumulated
// per event. The numbers are computed from it in analyze_finish.go.

import (
	"fmt"
	"io"
)

// AnalyzeOptions tunes Analyze.
type AnalyzeOptions struct {
	// MsPerBin is the bin width of the throughput bins, mm-throughput-graph's
	// MS_PER_BIN and tunnel_graph.py's --ms-per-bin. 0 means 500.
	MsPerBin int
	// KeepPoints keeps what WriteDelaySVG needs beyond the numbers: a
	// bounded grid of the per-packet points and a downsampled signal-delay
	// curve.
	KeepPoints bool
}

// Analyze reads a mahimahi or Pantheon log from r in one pass and computes
// mm-throughput-graph's, mm-delay-graph's and tunnel_graph.py's numbers.
// name is used in error messages. Memory stays bounded by the log's time
// span and distinct delay values, not its number of lines.
//
// Unlike mahimahi's scripts, Analyze accepts d lines (it counts them), a log
// without a base timestamp (base 0, as in Pantheon logs), departures whose
// packets arrived before the base timestamp, and fractional milliseconds
// (the signal delay then keys each packet by the millisecond it arrived in);
// where a script would die on an empty or degenerate log the numbers are
// marked invalid instead. Syntax errors are *LogError values naming the line.
func Analyze(r io.Reader, name string, opt AnalyzeOptions) (*Analysis, error) {
	if opt.MsPerBin < 0 {
		return nil, fmt.Errorf("analyze %s: MsPerBin %d is negative", name, opt.MsPerBin)
	}
	if opt.MsPerBin == 0 {
		opt.MsPerBin = 500
	}
	if opt.MsPerBin > 1e12 {
		return nil, fmt.Errorf("analyze %s: MsPerBin %d is too large", name, opt.MsPerBin)
	}
	sc := NewLogScanner(r, name)
	z := newAnalyzer(opt)
	for sc.Scan() {
		if z.events == 0 {
			z.base, _ = sc.BaseTimestamp()
		}
		ev := sc.Event()
		z.add(&ev)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	a := z.finish()
	a.Name = name
	a.Link, a.Queue = sc.Link(), sc.Queue()
	a.BaseTimestamp, a.HasBase = sc.BaseTimestamp()
	a.InitTimestamp, a.HasInit = sc.InitTimestamp()
	return a, nil
}

// flowAcc accumulates one flow.
type flowAcc struct {
	id                   int
	arrivals, departures int64
	arrBits, depBits     int64
	firstArr, lastArr    int64
	firstDep, lastDep    int64
	hist                 delayHist
}

// smallFlows is how many flow ids are looked up in a slice, not a map.
const smallFlows = 64

// analyzer is the state of one Analyze pass.
type analyzer struct {
	opt    AnalyzeOptions
	binUs  int64
	base   int64
	events int64

	// mahimahi
	mAny                      bool
	first, last               int64
	opps, arrs, deps          int64
	capBits, arrBits, depBits int64
	bins                      binAcc
	signal                    signalMap
	points                    *pointGrid

	// Pantheon
	pAny              bool
	firstTs           int64
	capAny            bool
	firstCap, lastCap int64
	depAny            bool
	firstDep, lastDep int64
	small             [smallFlows]*flowAcc
	more              map[int]*flowAcc
	lastFlow          *flowAcc

	drops DropStats
}

func newAnalyzer(opt AnalyzeOptions) *analyzer {
	z := &analyzer{opt: opt, binUs: int64(opt.MsPerBin) * 1000}
	if opt.KeepPoints {
		z.points = newPointGrid()
	}
	return z
}

// add accounts one event.
func (z *analyzer) add(ev *LogEvent) {
	z.events++
	if !z.pAny {
		z.pAny, z.firstTs = true, ev.T
	}
	if ev.Kind == 'd' {
		z.drops.Lines++
		z.drops.Packets += ev.Pkts
		z.drops.Bytes += ev.Bytes
		return
	}
	t := ev.T - z.base
	if !z.mAny {
		z.mAny, z.first, z.last = true, t, t
	} else if t > z.last {
		z.last = t
	}
	bits := ev.Bytes * 8
	bin := t / z.binUs // truncated toward zero, like Perl's int()
	switch ev.Kind {
	case '#':
		z.opps++
		z.capBits += bits
		z.bins.add(bin, 0, bits)
		if !z.capAny {
			z.capAny, z.firstCap, z.lastCap = true, ev.T, ev.T
		} else if ev.T > z.lastCap {
			z.lastCap = ev.T
		}
	case '+':
		z.arrs++
		z.arrBits += bits
		z.bins.add(bin, 1, bits)
		f := z.flow(ev.Flow)
		if f.arrivals == 0 {
			f.firstArr, f.lastArr = ev.T, ev.T
		} else if ev.T > f.lastArr {
			f.lastArr = ev.T
		}
		f.arrivals++
		f.arrBits += bits
	case '-':
		z.deps++
		z.depBits += bits
		z.bins.add(bin, 2, bits)
		f := z.flow(ev.Flow)
		if f.departures == 0 {
			f.firstDep, f.lastDep = ev.T, ev.T
		} else if ev.T > f.lastDep {
			f.lastDep = ev.T
		}
		f.departures++
		f.depBits += bits
		f.hist.add(ev.Delay)
		if !z.depAny {
			z.depAny, z.firstDep, z.lastDep = true, ev.T, ev.T
		} else if ev.T > z.lastDep {
			z.lastDep = ev.T
		}
		sent := t - ev.Delay
		z.signal.add(floorDiv(sent, 1000), ev.Delay)
		if z.points != nil {
			z.points.add(sent, ev.Delay)
		}
	}
}

// flow returns the accumulator of flow id, creating it.
func (z *analyzer) flow(id int) *flowAcc {
	if f := z.lastFlow; f != nil && f.id == id {
		return f
	}
	var f *flowAcc
	if id >= 0 && id < smallFlows {
		f = z.small[id]
		if f == nil {
			f = &flowAcc{id: id}
			z.small[id] = f
		}
	} else {
		if z.more == nil {
			z.more = make(map[int]*flowAcc)
		}
		f = z.more[id]
		if f == nil {
			f = &flowAcc{id: id}
			z.more[id] = f
		}
	}
	z.lastFlow = f
	return f
}
