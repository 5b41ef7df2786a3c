// Package live owns an experiment in motion: the experiment configuration,
// the sim (virtual time) and netns (real time) backends, flows (userspace
// transport, kernel TCP, commands), native congestion-control schemes,
// samplers, the bounded series store and the control API. It does not
// import tui. (Being built: see the transport and sim backend issue.)
package live
