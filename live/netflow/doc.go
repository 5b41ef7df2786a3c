// Package netflow owns ccscope's userspace transport over real UDP sockets
// in real time: the goroutines that drive a transport.Sender and a
// transport.Receiver (pure state machines over time, which the sim backend
// drives in virtual time) from a shared experiment Clock, carrying each
// transport.Segment as one UDP datagram in the encoding of
// transport.AppendSegment.
//
// A Sender owns two goroutines: one transmits (timers first, then every
// segment whose pacing release time has come, then waits until the next
// release or timer, or until an ACK or a reconfiguration may have opened
// the window), one reads ACKs. A Receiver owns one goroutine that reads
// data segments and answers each with an ACK to its source. Both take
// ownership of their socket and close it when they stop: when their
// context is cancelled, when Stop is called, when the socket fails, or
// (Sender) when a sized flow is completely acknowledged.
//
// Timing. Go's timers wake up to about a millisecond late (the runtime's
// network poller waits in whole milliseconds), far too coarse for pacing:
// a 20 Mbit/s flow of 1500-byte packets sends one every 600 µs, and
// transport.Sender paces from the time Send is called, so every late
// wake-up would be rate lost for good. The send loop therefore waits for a
// pacing release in three stages: a Go timer (which an ACK can interrupt)
// until about coarseMargin before the release, a nanosleep of the OS
// thread until about spinMargin before it, and a yield-spin
// (runtime.Gosched) for the rest. It waits for a timer (RTO, RACK) with a
// Go timer alone, so that an ACK that opens the window meanwhile is acted
// on at once.
//
// On a 2-core Linux VM this wakes within a few µs (median) and 30–40 µs
// (99th percentile) of a pacing release, for 5–10% of a core at 600 µs
// gaps and ~30% at 100 µs gaps (TestWaitPrecision logs both). What a busy
// host still makes late, a paced flow makes up with a bounded credit (up
// to two pacing gaps, see Sender.credit): a 20 Mbit/s flow delivers within
// about 1% of its rate even beside CPU hogs. Lateness beyond the credit is
// counted (Sender.Stalled), so a run can tell the user when the host was
// too busy for its rates to be faithful.
//
// Netflow knows nothing of namespaces or emulated links: the caller
// creates the sockets where they belong (the netns backend, inside the
// sender's and the receiver's namespaces) and provides the Clock it
// shares with the link forwarder.
package netflow
