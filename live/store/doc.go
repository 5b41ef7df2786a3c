// Package store owns the bounded time series of a run: every sampled flow
// and link quantity (cwnd, throughput, queue delay, …) and every irregular
// per-packet event series (one-way delay of each delivered packet).
//
// A Series keeps the most recent span of its data at full resolution in a
// ring buffer and folds older data into coarser tiers of min/max/mean
// buckets whose edges are aligned to multiples of the bucket width, so the
// result does not depend on when folding happened. Every series has a
// fixed memory bound (Meta.MaxBytes): the full-resolution tier has a hard
// point cap and every tier a bucket cap; the coarsest tier never drops
// data, it doubles its bucket width when full.
//
// Window answers the charts' question — "at most N aggregates covering
// [from, to]" — from the finest tier that holds each part of the range;
// Points returns raw full-resolution points. Readers always get copies.
//
// A Store holds named series ("flow/1/cwnd", "link/uplink/queue_bytes",
// "flow/2/owd"), is written by one goroutine (the sim) and read by others
// (the TUI, exporters) at the same time, and carries a version counter so a
// reader can skip redrawing when nothing changed. WriteCSV and ReadCSV
// export and rebuild a store byte-for-byte deterministically; sessions save
// and reload through them.
package store
