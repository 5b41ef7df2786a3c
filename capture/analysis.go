package capture

// This file owns what an analysis holds: the numbers of mm-throughput-graph,
// mm-delay-graph and tunnel_graph.py, and what the graphs need.

// Analysis is what Analyze computes from a log.
type Analysis struct {
	// Name names the log.
	Name string
	// MsPerBin is the bin width used.
	MsPerBin int
	// Link and Queue come from the mahimahi header ("" when absent).
	Link, Queue string
	// BaseTimestamp is the "# base timestamp:" in µs since init; HasBase
	// says whether the log had one (Pantheon logs do not; 0 is used).
	BaseTimestamp int64
	HasBase       bool
	// InitTimestamp is the "# init timestamp:" in µs since the Unix epoch.
	InitTimestamp int64
	HasInit       bool
	// Events counts the event lines, d lines included.
	Events int64

	// Mahimahi holds mm-throughput-graph's and mm-delay-graph's numbers.
	Mahimahi MahimahiStats
	// Pantheon holds tunnel_graph.py's numbers.
	Pantheon PantheonStats
	// Drops counts the d lines, which neither script analyses.
	Drops DropStats
	// Bins holds the throughput bins from the earliest to the latest bin.
	Bins Bins
	// BinsErr says why Bins is empty although the log has events (a time
	// span too long for MsPerBin).
	BinsErr error

	curve  *signalCurve
	points *pointGrid
}

// MahimahiStats are mm-throughput-graph's numbers (and mm-delay-graph's
// median). Times t are the log's ms minus the base timestamp; d lines are
// ignored.
type MahimahiStats struct {
	// HasEvents is false when the log has no #, + or - line.
	HasEvents bool
	// First is the t of the first event and Last the largest t, in µs.
	First, Last int64
	// Duration is (Last − First) in seconds.
	Duration float64
	// Opportunities, Arrivals and Departures count the #, + and - lines.
	Opportunities, Arrivals, Departures int64
	// CapacityBits, IngressBits and EgressBits sum the bytes×8 of the #, +
	// and - lines.
	CapacityBits, IngressBits, EgressBits int64

	// RatesValid is Duration > 0; mahimahi divides by zero otherwise.
	RatesValid bool
	// Capacity, Ingress and Throughput are in Mbit/s: bits / Duration / 1e6.
	Capacity, Ingress, Throughput float64
	// UtilizationValid is RatesValid and Capacity > 0.
	UtilizationValid bool
	// Utilization is 100 · Throughput / Capacity.
	Utilization float64

	// DelaysValid is Departures > 0; the delay numbers are 0 otherwise.
	DelaysValid bool
	// DelayP95 and DelayP50 are per-packet queueing delays in ms:
	// sorted(delays)[int(q·n)].
	DelayP95, DelayP50 float64
	// SignalP95 and SignalMax are the 95th percentile and the largest
	// signal delay in ms.
	SignalP95, SignalMax float64
	// SignalFirst and SignalLast are the first and last ms (since base) of
	// the signal-delay series: the send times of delivered packets.
	SignalFirst, SignalLast int64
}

// PantheonStats are tunnel_graph.py's numbers. None values of the Python
// script have their Valid flag false.
type PantheonStats struct {
	// HasEvents is false for a log without event lines.
	HasEvents bool
	// FirstTs is the time of the first event of any type, µs since init;
	// Pantheon's bins count from it.
	FirstTs int64
	// Capacity in Mbit/s: Σ# bits / (1000 · (last# − first#)), 0 for a
	// zero span; CapacityValid is false (None) without # lines.
	Capacity      float64
	CapacityValid bool
	// Throughput is the total average egress in Mbit/s over the span of all
	// departures, 0 for a zero span (never None).
	Throughput float64
	// Duration is that span in ms.
	Duration float64
	// DelayP95 is the pooled 95th percentile one-way delay in ms (numpy
	// 'nearest'); DelayValid is false without departures.
	DelayP95   float64
	DelayValid bool
	// Loss is 1 − Σdeparture bits / Σarrival bits; LossValid is false when
	// no arrival bits were logged.
	Loss      float64
	LossValid bool
	// Flows are the flows of the + and - lines, by ascending id.
	Flows []PantheonFlow
}

// PantheonFlow are tunnel_graph.py's per-flow numbers.
type PantheonFlow struct {
	ID int
	// Arrivals and Departures count the flow's + and - lines.
	Arrivals, Departures int64
	// ArrivalBits and DepartureBits sum their bytes×8.
	ArrivalBits, DepartureBits int64
	// Ingress and Throughput are Mbit/s over the flow's own arrival and
	// departure spans, 0 for a zero span or no events.
	Ingress, Throughput float64
	// DelayP95 is the flow's 95th percentile one-way delay in ms.
	DelayP95   float64
	DelayValid bool
	// Loss is 1 − departure bits / arrival bits, valid only when the flow
	// has both arrivals and departures and a nonzero arrival bit count.
	Loss      float64
	LossValid bool
}

// DropStats counts the d lines.
type DropStats struct {
	Lines, Packets, Bytes int64
}
