// Package ccp is the root of ccscope's CCP (congestion control plane)
// support; the work is in its sub-packages: wire (the libccp/portus
// message codec), lang (the datapath-program compiler), vm (the datapath:
// register machine, program table, staging, fallback timer), ipc (unix
// datagram sockets with portus's conventions, and an in-process pipe) and
// agent (the portus-like agent runtime and the built-in algorithms). The
// transport becomes a CCP datapath in live/ccpflow. Nothing here imports
// live or tui.
package ccp
