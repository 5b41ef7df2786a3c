// Package capture owns packet taps and everything computed from them.
//
// Today that is mahimahi logs and their analysis:
//
//   - LogWriter is an emu.Tap that writes a link's events as a mahimahi
//     mm-link log (--uplink-log / --downlink-log), header included, optionally
//     with Pantheon-style flow ids on arrival and departure lines.
//   - LogScanner reads mahimahi logs (integer milliseconds) and Pantheon
//     datalink logs (milliseconds with three decimals, trailing flow ids) as a
//     stream of LogEvent values, with errors that name the file and line.
//   - Analyze computes, in one bounded-memory pass, the numbers that
//     mahimahi's mm-throughput-graph and mm-delay-graph print and the metrics
//     of Pantheon's tunnel_graph.py, with their exact definitions (see
//     ../shared/docs/mahimahi-pantheon.md §2 and §3.3).
//   - WriteThroughputSVG and WriteDelaySVG draw the two mahimahi graphs.
//
// Later this package also owns pcap writing and reading and the meter bins
// that the live views draw from.
package capture
