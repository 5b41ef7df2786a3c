// Package vm owns the datapath side of CCP in pure Go, with libccp's
// semantics (ccp-protocol.md §5, §6): the register machine that runs
// datapath programs, the datapath-wide program table filled by INSTALL,
// the per-flow connections with their registers, the staging of
// UPDATE_FIELDS and CHANGE_PROG until the next invocation, the MEASURE
// reports, the CREATE retry and the fallback timer.
//
// A Datapath is what libccp's struct ccp_datapath is: New it with a
// Config whose Send delivers messages to the agent, call Init once (it
// sends READY), hand every message from the agent to Receive, Start a Conn
// per flow (it sends CREATE), call Conn.Invoke on every ACK with the
// flow's Primitives, and Free the Conn when the flow ends (it sends the
// closing MEASURE). Messages are encoded and decoded with package wire.
//
// Time is passed in by the caller as a time.Duration from any monotonic
// origin (virtual time in a simulator, monotonic wall time in real runs);
// Ack.now and Micros count microseconds from the now given to Init.
//
// A Datapath and its Conns are not safe for concurrent use: the caller
// serialises every call. There are no goroutines, locks or timers inside;
// the fallback timer is checked when Invoke is called. Config.Send and the
// Callbacks may call Receive (an in-process agent answering at once), but
// not Invoke, Start or Free.
//
// Deliberate differences from libccp cb42dae are the fixes listed in
// ccp-protocol.md §8 plus stricter validation: every INSTALL is checked
// completely (register types, indices against the register files, and
// expression ranges against the instruction array) before anything is
// stored, and an UPDATE_FIELDS or CHANGE_PROG is checked completely before
// anything is staged. See the Invoke documentation for its return values.
package vm
