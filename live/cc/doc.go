// Package cc owns ccscope's native congestion-control schemes and the
// registry that builds them by name with parameters.
//
// Each scheme lives in its own file whose doc comment cites its
// specification: reno.go (NewReno, RFC 5681, RFC 6582, RFC 3465, RFC 6928),
// cubic.go (CUBIC, RFC 9438) with hystart.go (HyStart++, RFC 9406), bbr.go
// (BBRv1, draft-cardwell-iccrg-bbr-congestion-control and Linux tcp_bbr.c),
// vegas.go (TCP Vegas, Brakmo & Peterson), copa.go (Copa, NSDI 2018) and
// ledbat.go (LEDBAT, RFC 6817). Every
// scheme implements transport.Controller: the sender calls it from its own
// goroutine with per-ACK samples and congestion events, and the scheme sets
// the congestion window (in bytes), the slow-start threshold and, where it
// paces, the pacing rate.
//
// The registry (registry.go, spec.go) maps a scheme name to its typed
// parameters and constructor. Users pick a scheme with a spec such as
// "cubic" or "cubic:beta=0.7,c=0.4"; New builds a controller from a spec and
// Validate checks one without building it. The table is rebuilt on every
// call, so nothing in this package is shared mutable state: adding a scheme
// is one registry function beside it, listed in schemes().
package cc
