// Package ccp owns CCP (congestion control plane) support: the libccp wire
// codec, the datapath-program language, the register VM with libccp's
// semantics, the agent runtime and IPC, and built-in CCP algorithms. It does
// not import live or tui. (Being built: see the CCP issue.)
package ccp
