package vm

import (
	"fmt"

	"github.com/ccscope/ccscope/ccp/wire"
)

// Register file sizes (libccp serialize.h) and primitive count.
const (
	NumReportRegs   = wire.MaxReportReg // volatile and non-volatile report registers share one file
	NumControlRegs  = 110               // volatile and non-volatile control registers share one file
	NumImplicitRegs = 6
	NumTmpRegs      = 8
	NumLocalRegs    = 8
	NumPrimitives   = 15
)

// The implicit registers (ccp-protocol.md §4).
const (
	ImplEventFlag      = 0 // __eventFlag: the last condition's value
	ImplShouldContinue = 1 // __shouldContinue: (fallthrough)
	ImplShouldReport   = 2 // __shouldReport: (report)
	ImplMicros         = 3 // Micros: µs since program start or the last write
	ImplCwnd           = 4 // Cwnd, bytes
	ImplRate           = 5 // Rate, bytes/s
)

// The primitive registers (libccp ccp_priv.h).
const (
	primBytesAcked = iota
	primBytesMisordered
	primECNBytes
	primECNPackets
	primLostPktsSample
	primNow
	primPacketsAcked
	primPacketsMisordered
	primBytesInFlight
	primBytesPending
	primPacketsInFlight
	primRateIncoming
	primRateOutgoing
	primRTTSampleUs
	primWasTimeout
)

// A connection's registers live in one flat array so an operand is a
// single index; these are the files' offsets in it.
const (
	offReport   = 0
	offControl  = offReport + NumReportRegs
	offImplicit = offControl + NumControlRegs
	offTmp      = offImplicit + NumImplicitRegs
	offLocal    = offTmp + NumTmpRegs
	offPrim     = offLocal + NumLocalRegs
	numRegs     = offPrim + NumPrimitives
)

// infinity is what the DEF loader makes of +infinity (2³²−1), and
// defInfinity the other immediate it maps to it (libccp machine.c).
const (
	infinity    = 0xFFFFFFFF
	defInfinity = 0x3FFFFFFF
)

// operand is an instruction operand: an immediate value or an index into
// the register file.
type operand struct {
	val uint64
	idx uint16
	imm bool
}

// instr is an instruction ready to run.
type instr struct {
	op     wire.Op
	micros bool   // the result is Micros: writing it moves the time zero
	pos    uint16 // index in the program, for error messages
	res    uint16 // register-file index of the result
	l, r   operand
}

// expr is a `when` clause: its condition and body instructions.
type expr struct {
	cond, body []instr
}

// regDef is one register's DEF default.
type regDef struct {
	idx uint16
	val uint64
}

// program is an installed datapath program.
type program struct {
	msg    *wire.Install // as received, for inspection
	uid    uint32
	exprs  []expr
	instrs []instr
	// The DEF preamble: volatile report and control registers are reset
	// after each report and on a program change; non-volatile ones only on
	// a program change (after the volatile ones, as libccp does).
	volatileDefs, nonvolatileDefs []regDef
	numReport                     int // report registers sent in a MEASURE
}

// regIndex maps a non-immediate register to its register-file index, or
// says what is wrong with it.
func regIndex(r wire.Reg) (uint16, string) {
	var off, n int
	switch r.Type {
	case wire.RegReport, wire.RegVolatileReport:
		off, n = offReport, NumReportRegs
	case wire.RegControl, wire.RegVolatileControl:
		off, n = offControl, NumControlRegs
	case wire.RegImplicit:
		off, n = offImplicit, NumImplicitRegs
	case wire.RegTmp:
		off, n = offTmp, NumTmpRegs
	case wire.RegLocal:
		off, n = offLocal, NumLocalRegs
	case wire.RegPrimitive:
		off, n = offPrim, NumPrimitives
	default:
		return 0, fmt.Sprintf("unknown register type %d", uint8(r.Type))
	}
	if r.Index >= uint32(n) {
		return 0, fmt.Sprintf("%s index %d out of range (there are %d)", r.Type, r.Index, n)
	}
	return uint16(off + int(r.Index)), ""
}

func compileOperand(r wire.Reg) (operand, string) {
	if r.Type == wire.RegImmediate {
		return operand{val: uint64(r.Index), imm: true}, ""
	}
	i, bad := regIndex(r)
	return operand{idx: i}, bad
}

// compile checks an INSTALL completely and turns it into a program: every
// opcode, every register type and index, every expression's ranges. After
// this the machine cannot index out of range.
func compile(m *wire.Install) (*program, error) {
	fail := func(code Code, format string, a ...any) (*program, error) {
		return nil, &Error{Code: code, Msg: fmt.Sprintf("INSTALL uid %d: ", m.ProgramUID) + fmt.Sprintf(format, a...)}
	}
	switch {
	case len(m.Exprs) > wire.MaxExprs:
		return fail(ErrInstallTooManyExpr, "%d expressions (at most %d)", len(m.Exprs), wire.MaxExprs)
	case len(m.Instrs) > wire.MaxInstrs:
		return fail(ErrInstallTooManyInstr, "%d instructions (at most %d)", len(m.Instrs), wire.MaxInstrs)
	}
	p := &program{msg: m, uid: m.ProgramUID, instrs: make([]instr, len(m.Instrs)), exprs: make([]expr, len(m.Exprs))}
	for i, in := range m.Instrs {
		ci := instr{op: in.Op, pos: uint16(i)}
		if !in.Op.Valid() {
			return fail(ErrReadInvalidOp, "instruction %d: unknown opcode %d", i, uint8(in.Op))
		}
		if in.Res.Type == wire.RegImmediate || in.Res.Type == wire.RegPrimitive {
			return fail(ErrReadRegNotAllowed, "instruction %d (%s): cannot write a %s register", i, in, in.Res.Type)
		}
		var bad string
		if ci.res, bad = regIndex(in.Res); bad != "" {
			return fail(ErrReadInvalidReturnReg, "instruction %d: result: %s", i, bad)
		}
		ci.micros = in.Res.Type == wire.RegImplicit && in.Res.Index == ImplMicros
		if ci.l, bad = compileOperand(in.Left); bad != "" {
			return fail(ErrReadInvalidLeftReg, "instruction %d: left operand: %s", i, bad)
		}
		if ci.r, bad = compileOperand(in.Right); bad != "" {
			return fail(ErrReadInvalidRightReg, "instruction %d: right operand: %s", i, bad)
		}
		p.instrs[i] = ci
	}
	n := uint64(len(p.instrs))
	for i, e := range m.Exprs {
		cs, ce := uint64(e.CondStart), uint64(e.CondStart)+uint64(e.CondLen)
		bs, be := uint64(e.BodyStart), uint64(e.BodyStart)+uint64(e.BodyLen)
		if ce > n || be > n {
			return fail(ErrInstallBadExpr, "expression %d {cond %d+%d, body %d+%d} reaches past the %d instructions",
				i, e.CondStart, e.CondLen, e.BodyStart, e.BodyLen, n)
		}
		p.exprs[i] = expr{cond: p.instrs[cs:ce:ce], body: p.instrs[bs:be:be]}
	}
	// The DEF preamble: the leading DEF instructions. libccp writes each
	// default to the DEF's left register and counts the report DEFs as the
	// registers a MEASURE carries.
	for _, in := range m.Instrs {
		if in.Op != wire.OpDef {
			break
		}
		var v uint64
		if in.Right.Type == wire.RegImmediate {
			v = uint64(in.Right.Index)
		}
		if v == defInfinity {
			v = infinity
		}
		idx, _ := regIndex(in.Left) // checked above
		d := regDef{idx: idx, val: v}
		switch in.Left.Type {
		case wire.RegVolatileReport:
			p.numReport++
			p.volatileDefs = append(p.volatileDefs, d)
		case wire.RegVolatileControl:
			p.volatileDefs = append(p.volatileDefs, d)
		case wire.RegReport:
			p.numReport++
			p.nonvolatileDefs = append(p.nonvolatileDefs, d)
		case wire.RegControl:
			p.nonvolatileDefs = append(p.nonvolatileDefs, d)
		}
	}
	p.numReport = min(p.numReport, NumReportRegs)
	return p, nil
}
