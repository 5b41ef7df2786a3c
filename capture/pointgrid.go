package capture

// This file owns the bounded record of mm-delay-graph's per-packet point
// cloud: instead of every (send time, delay) point, one bit per cell of a
// grid with at most gridMaxCols time columns (the column width doubles as the
// log grows) and gridRows delay rows on a log scale.

import "math"

const (
	gridRowsPerDecade = 256
	gridMinDecade     = -1 // rows start at 0.1 ms
	gridRows          = 8 * gridRowsPerDecade
	gridWords         = gridRows / 64
	gridMaxCols       = 4096
	gridTableMs       = 4096
)

type gridColumn [gridWords]uint64

// pointGrid marks the cells that hold at least one packet.
type pointGrid struct {
	width   int64 // µs per column
	cols    map[int64]*gridColumn
	lastKey int64
	last    *gridColumn
	minCol  int64
	maxCol  int64
	rowOfMs [gridTableMs]uint16
}

func newPointGrid() *pointGrid {
	g := &pointGrid{width: 1000, cols: make(map[int64]*gridColumn)}
	for ms := range g.rowOfMs {
		g.rowOfMs[ms] = uint16(delayRowSlow(int64(ms) * 1000))
	}
	return g
}

// delayRowSlow is the grid row of a delay in µs.
func delayRowSlow(us int64) int {
	if us <= 0 {
		return 0
	}
	r := math.Floor((math.Log10(float64(us)/1000) - gridMinDecade) * gridRowsPerDecade)
	return int(min(max(r, 0), gridRows-1))
}

// rowValue is the delay in ms drawn for a row: the middle of the row on the
// log scale.
func rowValue(row int) float64 {
	return math.Pow(10, (float64(row)+0.5)/gridRowsPerDecade+gridMinDecade)
}

// add marks the cell of a packet sent at arr µs with delay d µs.
func (g *pointGrid) add(arr, d int64) {
	key := floorDiv(arr, g.width)
	c := g.last
	if c == nil || key != g.lastKey {
		c = g.column(key)
	}
	var row int
	if ms := d / 1000; ms*1000 == d && ms >= 0 && ms < gridTableMs {
		row = int(g.rowOfMs[ms])
	} else {
		row = delayRowSlow(d)
	}
	c[row>>6] |= 1 << (row & 63)
}

func (g *pointGrid) column(key int64) *gridColumn {
	c := g.cols[key]
	if c == nil {
		if len(g.cols) == 0 {
			g.minCol, g.maxCol = key, key
		}
		lo, hi := min(g.minCol, key), max(g.maxCol, key)
		for hi-lo >= gridMaxCols {
			g.coarsen()
			key = floorDiv(key, 2)
			lo, hi = floorDiv(lo, 2), floorDiv(hi, 2)
		}
		g.minCol, g.maxCol = lo, hi
		c = g.cols[key]
		if c == nil {
			c = new(gridColumn)
			g.cols[key] = c
		}
	}
	g.last, g.lastKey = c, key
	return c
}

// coarsen doubles the column width, merging pairs of columns.
func (g *pointGrid) coarsen() {
	merged := make(map[int64]*gridColumn, len(g.cols)/2+1)
	for k, c := range g.cols {
		nk := floorDiv(k, 2)
		m := merged[nk]
		if m == nil {
			merged[nk] = c
			continue
		}
		for i := range m {
			m[i] |= c[i]
		}
	}
	g.cols = merged
	g.width *= 2
	g.last = nil
}

// floorDiv is a/b rounded toward minus infinity, for b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}
