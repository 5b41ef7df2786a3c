package live

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ccscope/ccscope/capture"
	"github.com/ccscope/ccscope/emu"
)

// ipBytes is the size of a packet as an IP packet: the link charges the
// 4-byte TUN header too (mahimahi's scale); summaries and samplers use IP
// bytes, the scale Pantheon reports on.
func ipBytes(p *emu.Packet) int64 { return int64(p.Size - emu.TUNHeaderBytes) }

// opportunityIPBits is one delivery opportunity on the IP scale.
const opportunityIPBits = (emu.OpportunityBytes - emu.TUNHeaderBytes) * 8

// flowAcc accumulates one flow's Pantheon numbers from the uplink: bytes
// arriving at the bottleneck, bytes reaching the receiver, and one-way
// delays (arrival at the uplink to exit from it).
type flowAcc struct {
	start               time.Duration
	started             bool
	arrBytes, exitBytes int64
	firstExit, lastExit time.Duration
	exits               int64
	owd                 capture.DelayHist
}

// SummaryAcc accumulates a run's Pantheon summary from the uplink as it
// goes: opportunities, and each flow's bytes in and out and one-way
// delays. Both backends feed it from the uplink's tap; one goroutine (the
// one driving the link) calls it.
type SummaryAcc struct {
	opps              int64
	firstOpp, lastOpp time.Duration
	flows             []*flowAcc
}

// AddFlow makes room for flow id (1-based).
func (a *SummaryAcc) AddFlow(id int) {
	for len(a.flows) < id {
		a.flows = append(a.flows, &flowAcc{})
	}
}

// Start notes that flow id started at t.
func (a *SummaryAcc) Start(id int, t time.Duration) {
	a.AddFlow(id)
	f := a.flows[id-1]
	f.start, f.started = t, true
}

// Opportunity counts a delivery opportunity at t.
func (a *SummaryAcc) Opportunity(t time.Duration) {
	if a.opps == 0 {
		a.firstOpp = t
	}
	a.lastOpp = t
	a.opps++
}

// Arrival counts a packet of flow p.Flow entering the uplink.
func (a *SummaryAcc) Arrival(p *emu.Packet) {
	if p.Flow >= 1 && p.Flow <= len(a.flows) {
		a.flows[p.Flow-1].arrBytes += ipBytes(p)
	}
}

// Exit counts a packet leaving the uplink at t (its one-way delay is
// p.Exit − p.Arrival).
func (a *SummaryAcc) Exit(p *emu.Packet, t time.Duration) {
	if p.Flow < 1 || p.Flow > len(a.flows) {
		return
	}
	f := a.flows[p.Flow-1]
	if f.exits == 0 {
		f.firstExit = t
	}
	f.lastExit = t
	f.exits++
	f.exitBytes += ipBytes(p)
	f.owd.Add(p.Exit - p.Arrival)
}

// ExitBytes is the IP bytes of flow id that have left the uplink.
func (a *SummaryAcc) ExitBytes(id int) int64 {
	if id < 1 || id > len(a.flows) {
		return 0
	}
	return a.flows[id-1].exitBytes
}

// Fill completes sm from the accumulated link view: each flow in sm.Flows
// (matched by ID) gets its throughput, p95 delay and loss, and the run
// its capacity, throughput, utilization, pooled p95 delay, loss and
// Jain's index. The caller fills what the link cannot see (schemes,
// transport counters, goodput).
func (a *SummaryAcc) Fill(sm *Summary) {
	if span := a.lastOpp - a.firstOpp; span > 0 {
		sm.Capacity = float64(a.opps) * opportunityIPBits / span.Seconds() / 1e6
	}
	var all capture.DelayHist
	var arr, exit int64
	var first, last time.Duration
	any := false
	var sumX, sumX2 float64
	n := 0
	for i := range sm.Flows {
		fs := &sm.Flows[i]
		if fs.ID < 1 || fs.ID > len(a.flows) {
			continue
		}
		fa := a.flows[fs.ID-1]
		if span := fa.lastExit - fa.firstExit; span > 0 {
			fs.Throughput = float64(fa.exitBytes) * 8 / span.Seconds() / 1e6
		}
		if p, ok := fa.owd.PantheonP95(); ok {
			fs.DelayP95, fs.DelayValid = durMs(p), true
		}
		if fa.arrBytes > 0 {
			fs.Loss = 1 - float64(fa.exitBytes)/float64(fa.arrBytes)
		}
		if fa.started {
			sumX += fs.Throughput
			sumX2 += fs.Throughput * fs.Throughput
			n++
		}
		all.Merge(&fa.owd)
		arr += fa.arrBytes
		exit += fa.exitBytes
		if fa.exits > 0 {
			if !any || fa.firstExit < first {
				first = fa.firstExit
			}
			last = max(last, fa.lastExit)
			any = true
		}
	}
	if span := last - first; any && span > 0 {
		sm.Throughput = float64(exit) * 8 / span.Seconds() / 1e6
	}
	if sm.Capacity > 0 {
		sm.Utilization = 100 * sm.Throughput / sm.Capacity
	}
	if p, ok := all.PantheonP95(); ok {
		sm.DelayP95, sm.DelayValid = durMs(p), true
	}
	if arr > 0 {
		sm.Loss = 1 - float64(exit)/float64(arr)
	}
	if n > 0 && sumX2 > 0 {
		sm.Jain = sumX * sumX / (float64(n) * sumX2)
	}
}

// FlowSummary is one flow's results, with Pantheon's definitions
// (../shared/docs/mahimahi-pantheon.md §3.3) applied to the uplink.
type FlowSummary struct {
	ID     int    `json:"id"`
	Scheme string `json:"scheme"`
	// Start is when the flow started (seconds into the run).
	Start float64 `json:"start_s"`
	// Throughput is the bits of the flow's packets that reached the
	// receiver, over the span between its first and last such packet,
	// in Mbit/s (IP bytes, retransmissions included, as Pantheon counts).
	Throughput float64 `json:"throughput_mbps"`
	// Goodput is the in-order payload delivered to the receiving
	// application over the flow's lifetime, in Mbit/s.
	Goodput float64 `json:"goodput_mbps"`
	// DelayP95 is the 95th-percentile one-way delay in ms (numpy
	// 'nearest'), from entering the uplink to leaving it; DelayValid is
	// false when no packet arrived.
	DelayP95   float64 `json:"delay_p95_ms"`
	DelayValid bool    `json:"delay_valid"`
	// Loss is 1 − bytes received / bytes sent into the uplink.
	Loss float64 `json:"loss"`
	// Transport counters.
	Retransmits int64 `json:"retransmits"`
	Timeouts    int64 `json:"timeouts"`
	// Size and CompletionTime for sized flows (0 for bulk or unfinished).
	Size           int64   `json:"size_bytes,omitempty"`
	CompletionTime float64 `json:"completion_s,omitempty"`
}

// Summary is a run's results, Pantheon-style, plus Jain's fairness index.
type Summary struct {
	Name     string  `json:"name,omitempty"`
	Duration float64 `json:"duration_s"`
	Seed     uint64  `json:"seed"`
	// Capacity is the uplink's delivery opportunities over their span,
	// in Mbit/s of IP packets (1500 bytes per opportunity).
	Capacity float64 `json:"capacity_mbps"`
	// Throughput is all flows' bits reaching the receiver over the span of
	// all such packets; Utilization is 100·Throughput/Capacity.
	Throughput  float64 `json:"throughput_mbps"`
	Utilization float64 `json:"utilization_pct"`
	// DelayP95 pools every flow's one-way delays.
	DelayP95   float64 `json:"delay_p95_ms"`
	DelayValid bool    `json:"delay_valid"`
	Loss       float64 `json:"loss"`
	// Jain is Jain's fairness index of the flows' throughputs:
	// (Σx)²/(n·Σx²), 1 when all are equal.
	Jain  float64       `json:"jain"`
	Flows []FlowSummary `json:"flows"`
}

// Summary computes the run's results so far.
func (s *Sim) Summary() Summary {
	a := &s.sum
	sm := Summary{Name: s.exp.Name, Duration: s.now.Seconds(), Seed: s.exp.Seed}
	for i, f := range s.flows {
		fa := a.flows[i]
		fs := FlowSummary{ID: f.id, Scheme: f.ctl.Name(), Start: f.spec.Start.Seconds(), Size: f.spec.Size}
		if f.snd != nil {
			st := f.snd.Stats()
			fs.Retransmits, fs.Timeouts = st.Retransmits, st.Timeouts
			if f.done {
				fs.CompletionTime = (st.DoneAt - fa.start).Seconds()
			}
			end := s.now
			if f.done {
				end = st.DoneAt
			}
			if life := end - fa.start; life > 0 {
				fs.Goodput = float64(f.rcv.Stats().Delivered) * 8 / life.Seconds() / 1e6
			}
		}
		sm.Flows = append(sm.Flows, fs)
	}
	a.Fill(&sm)
	return sm
}

func durMs(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// WriteText prints the summary in the format of Pantheon's statistics
// (tunnel_graph.py), with Jain's index and the transport's counters added.
func (sm Summary) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	noun := "flows"
	if len(sm.Flows) == 1 {
		noun = "flow"
	}
	ew.printf("-- Total of %d %s:\n", len(sm.Flows), noun)
	ew.printf("Average capacity: %.2f Mbit/s\n", sm.Capacity)
	ew.printf("Average throughput: %.2f Mbit/s (%.1f%% utilization)\n", sm.Throughput, sm.Utilization)
	if sm.DelayValid {
		ew.printf("95th percentile per-packet one-way delay: %.3f ms\n", sm.DelayP95)
	}
	ew.printf("Loss rate: %.2f%%\n", sm.Loss*100)
	if len(sm.Flows) > 1 {
		ew.printf("Jain's fairness index: %.4f\n", sm.Jain)
	}
	for _, f := range sm.Flows {
		ew.printf("-- Flow %d (%s, from %gs):\n", f.ID, f.Scheme, f.Start)
		ew.printf("Average throughput: %.2f Mbit/s (goodput %.2f Mbit/s)\n", f.Throughput, f.Goodput)
		if f.DelayValid {
			ew.printf("95th percentile per-packet one-way delay: %.3f ms\n", f.DelayP95)
		}
		ew.printf("Loss rate: %.2f%%\n", f.Loss*100)
		ew.printf("Retransmissions: %d, timeouts: %d\n", f.Retransmits, f.Timeouts)
		if f.CompletionTime > 0 {
			ew.printf("Completed %s in %.3f s\n", FormatSize(f.Size), f.CompletionTime)
		}
	}
	return ew.err
}

// WriteJSON prints the summary as indented JSON.
func (sm Summary) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sm)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}

// summaryCSVHeader is the first line of WriteCSV.
const summaryCSVHeader = "flow,scheme,start_s,throughput_mbps,goodput_mbps,delay_p95_ms,loss,retransmits,timeouts,size_bytes,completion_s,capacity_mbps,utilization_pct,jain"

// WriteCSV prints the summary as a table: one row per flow, then a row
// "all" for the whole run (which alone has capacity, utilization and
// Jain's index). A delay without packets is left empty.
func (sm Summary) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(strings.Split(summaryCSVHeader, ","))
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	delay := func(v float64, ok bool) string {
		if !ok {
			return ""
		}
		return g(v)
	}
	for _, f := range sm.Flows {
		cw.Write([]string{strconv.Itoa(f.ID), f.Scheme, g(f.Start), g(f.Throughput), g(f.Goodput), delay(f.DelayP95, f.DelayValid),
			g(f.Loss), strconv.FormatInt(f.Retransmits, 10), strconv.FormatInt(f.Timeouts, 10), strconv.FormatInt(f.Size, 10),
			g(f.CompletionTime), "", "", ""})
	}
	cw.Write([]string{"all", "", "0", g(sm.Throughput), "", delay(sm.DelayP95, sm.DelayValid), g(sm.Loss), "", "", "", "",
		g(sm.Capacity), g(sm.Utilization), g(sm.Jain)})
	cw.Flush()
	return cw.Error()
}
