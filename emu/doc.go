// Package emu owns the link model that both ccscope backends drive: mahimahi
// traces and constant rates, the bottleneck queue (infinite, droptail,
// drophead, CoDel, PIE), one-way delay with jitter, i.i.d. and Gilbert-Elliott
// loss, on/off outages, and timestamped runtime changes of every parameter.
//
// A Link is a pure state machine over nanosecond time: Enqueue(now, pkt),
// NextEvent() and Advance(now) returning what leaves the link. It never reads
// a clock and all of its randomness comes from a per-link seed, so the same
// configuration, seed and arrivals give the same departures in virtual time
// (the sim backend) and in real time (the netns backend).
//
// Byte accounting follows mahimahi's mm-link exactly: each delivery
// opportunity carries OpportunityBytes (1504, a 1500-byte IP packet plus the
// 4-byte TUN header), leftover bytes are wasted, small packets share an
// opportunity, a large packet straddles two and leaves at the opportunity that
// carries its last byte, and a packet arriving at t never uses an opportunity
// scheduled at t. See ../shared/docs/mahimahi-pantheon.md §1.
package emu
