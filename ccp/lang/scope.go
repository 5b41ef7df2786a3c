package lang

import (
	"fmt"

	"github.com/ccscope/ccscope/ccp/wire"
)

// regKind is the kind of a register during compilation (portus's Reg).
type regKind uint8

const (
	regNone      regKind = iota // the pending result of (if …), (!if …), (ewma …)
	regImm                      // an immediate: a number or a bool
	regControl                  // a declared variable outside the Report struct
	regReport                   // a Report variable
	regImplicit                 // __eventFlag … Rate
	regLocal                    // an undeclared name bound in a body
	regPrimitive                // Ack.* and Flow.*
	regTmp                      // a temporary of one statement
)

// valType is the type of a register's value (portus's Type).
type valType uint8

const (
	typeNone    valType = iota // no value: an (if …) result
	typeNum                    // u64
	typeBool                   // 0 or 1
	typeUnknown                // a local read before anything was bound to it (portus's Type::Name)
)

func (t valType) String() string {
	switch t {
	case typeNum:
		return "Num"
	case typeBool:
		return "Bool"
	case typeUnknown:
		return "unknown"
	}
	return "no value"
}

// reg is a register operand.
type reg struct {
	kind     regKind
	idx      int
	typ      valType
	volatile bool   // regReport, regControl
	val      uint64 // regImm
	name     string // variables: the name (a typeUnknown local's type names it)
	pos      int    // regImm: where the literal stands
}

// primitiveNames are the primitives in register order (alphabetical, as
// portus numbers them).
func primitiveNames() [15]string {
	return [...]string{
		"Ack.bytes_acked", "Ack.bytes_misordered", "Ack.ecn_bytes", "Ack.ecn_packets",
		"Ack.lost_pkts_sample", "Ack.now", "Ack.packets_acked", "Ack.packets_misordered",
		"Flow.bytes_in_flight", "Flow.bytes_pending", "Flow.packets_in_flight",
		"Flow.rate_incoming", "Flow.rate_outgoing", "Flow.rtt_sample_us", "Flow.was_timeout",
	}
}

// implicitNames are the implicit registers in order.
func implicitNames() [6]string {
	return [...]string{"__eventFlag", "__shouldContinue", "__shouldReport", "Micros", "Cwnd", "Rate"}
}

// The implicit registers the compiler writes by itself.
const (
	implEventFlag      = 0
	implShouldContinue = 1
	implShouldReport   = 2
	implCwnd           = 4
	implRate           = 5
)

func implicit(idx int) reg {
	t := typeNum
	if idx <= implShouldReport {
		t = typeBool
	}
	return reg{kind: regImplicit, idx: idx, typ: t, name: implicitNames()[idx]}
}

// builtin is the register of a primitive or of a nameable implicit
// register (Micros, Cwnd, Rate).
func builtin(name string) (reg, bool) {
	for i, n := range primitiveNames() {
		if n == name {
			t := typeNum
			if name == "Flow.was_timeout" {
				t = typeBool
			}
			return reg{kind: regPrimitive, idx: i, typ: t, name: name}, true
		}
	}
	for i, n := range implicitNames() {
		if i > implShouldReport && n == name {
			return implicit(i), true
		}
	}
	return reg{}, false
}

// The caps portus's serializer puts on register indices.
const (
	maxVarIdx      = 15 // report, control, primitive and temporary registers
	maxLocalIdx    = 5
	maxImplicitIdx = 5
	maxImmediate   = 1<<31 - 1 // and +infinity
)

// wireReg is r as sent, or what keeps portus from sending it.
func wireReg(r reg) (wire.Reg, error) {
	var t wire.RegType
	limit := maxVarIdx
	switch r.kind {
	case regImm:
		switch {
		case r.val == ^uint64(0):
			return wire.Reg{Type: wire.RegImmediate, Index: 0xFFFFFFFF}, nil
		case r.val > maxImmediate:
			return wire.Reg{}, fmt.Errorf("the number %d is too big: portus sends immediates as 32 bits and accepts only values below 2^31 (%d) or +infinity", r.val, uint64(maxImmediate)+1)
		}
		return wire.Reg{Type: wire.RegImmediate, Index: uint32(r.val)}, nil
	case regControl:
		t = wire.RegControl
		if r.volatile {
			t = wire.RegVolatileControl
		}
		if r.idx > limit {
			return wire.Reg{}, fmt.Errorf("too many control variables: portus numbers them 0 to %d, and %s is number %d", limit, r.name, r.idx)
		}
	case regReport:
		t = wire.RegReport
		if r.volatile {
			t = wire.RegVolatileReport
		}
		if r.idx > limit {
			return wire.Reg{}, fmt.Errorf("too many Report variables: portus numbers them 0 to %d, and %s is number %d", limit, r.name, r.idx)
		}
	case regImplicit:
		t, limit = wire.RegImplicit, maxImplicitIdx
	case regLocal:
		t, limit = wire.RegLocal, maxLocalIdx
		if r.idx > limit {
			return wire.Reg{}, fmt.Errorf("too many local variables: portus allows %d, and %s is the %dth", limit+1, r.name, r.idx+1)
		}
	case regPrimitive:
		t = wire.RegPrimitive
	case regTmp:
		t = wire.RegTmp
		if r.idx > limit {
			return wire.Reg{}, fmt.Errorf("the statement needs more than %d temporary registers (portus's limit): split it with local variables", limit+1)
		}
	default:
		return wire.Reg{}, fmt.Errorf("(if …), (!if …) and (ewma …) can only be the value of (:= var …) binding a Report or control variable")
	}
	if r.idx > limit {
		return wire.Reg{}, fmt.Errorf("register index %d out of range (at most %d)", r.idx, limit)
	}
	return wire.Reg{Type: t, Index: uint32(r.idx)}, nil
}
