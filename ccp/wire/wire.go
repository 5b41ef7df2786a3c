// Package wire owns the CCP wire format: the six messages libccp and
// portus exchange (CREATE, MEASURE, INSTALL_EXPR, UPDATE_FIELDS,
// CHANGE_PROG, READY), encoded byte for byte as they do — little-endian,
// packed, an 8-byte header on every message — and decoded with bounds
// checks and errors that say what is wrong. See ccp-protocol.md §3.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Type is a message's type, the header's first field.
type Type uint16

// The message types.
const (
	TypeCreate       Type = 0
	TypeMeasure      Type = 1
	TypeInstall      Type = 2
	TypeUpdateFields Type = 3
	TypeChangeProg   Type = 4
	TypeReady        Type = 5
)

func (t Type) String() string {
	switch t {
	case TypeCreate:
		return "CREATE"
	case TypeMeasure:
		return "MEASURE"
	case TypeInstall:
		return "INSTALL"
	case TypeUpdateFields:
		return "UPDATE_FIELDS"
	case TypeChangeProg:
		return "CHANGE_PROG"
	case TypeReady:
		return "READY"
	}
	return fmt.Sprintf("type %d", uint16(t))
}

// Sizes and libccp's limits.
const (
	HeaderLen    = 8
	CreateLen    = 96 // header + 6 u32 + 64-byte congAlg
	ReadyLen     = 12
	CongAlgLen   = 64 // the congAlg field, NUL-padded
	ExprLen      = 16
	InstrLen     = 16
	UpdateLen    = 13
	MaxMsgLen    = 32678 // libccp's BIGGEST_MSG_SIZE
	MaxExprs     = 256
	MaxInstrs    = 256
	MaxReportReg = 110
	MaxUpdates   = 222 // libccp's MAX_MUTABLE_REG
)

// Message is one CCP message.
type Message interface {
	// Type is the message's type.
	Type() Type
	// SocketID is the header's sid: the flow (1-based), or 0 for
	// datapath-wide messages (READY, INSTALL).
	SocketID() uint32
	// AppendTo appends the encoded message to dst.
	AppendTo(dst []byte) ([]byte, error)
}

// Create announces a new flow (datapath → agent).
type Create struct {
	SID            uint32
	InitCwnd, MSS  uint32 // bytes
	SrcIP, SrcPort uint32
	DstIP, DstPort uint32
	CongAlg        string // the algorithm asked for; "" for the agent's default
}

// Measure is a report of a program's report registers (datapath →
// agent). No fields means the flow closed.
type Measure struct {
	SID        uint32
	ProgramUID uint32
	Fields     []uint64
}

// Install carries a compiled datapath program (agent → datapath).
type Install struct {
	SID        uint32 // ignored by datapaths; portus sends 0
	ProgramUID uint32
	Exprs      []Expr
	Instrs     []Instr
}

// UpdateFields changes registers of a flow's program (agent → datapath).
type UpdateFields struct {
	SID     uint32
	Updates []Update
}

// ChangeProg switches a flow to an installed program, with initial
// register values (agent → datapath).
type ChangeProg struct {
	SID        uint32
	ProgramUID uint32
	Updates    []Update
}

// Ready announces a datapath (datapath → agent); its sid is 0.
type Ready struct {
	ID uint32
}

// Expr is one `when` clause: where its condition and body instructions
// are in the program's instruction array.
type Expr struct {
	CondStart, CondLen, BodyStart, BodyLen uint32
}

// RegType is the kind of a register operand.
type RegType uint8

// The register types (libccp ccp_priv.h).
const (
	RegControl         RegType = 0 // non-volatile control
	RegImmediate       RegType = 1 // the index is the value
	RegImplicit        RegType = 2
	RegLocal           RegType = 3
	RegPrimitive       RegType = 4
	RegVolatileReport  RegType = 5
	RegReport          RegType = 6 // non-volatile report
	RegTmp             RegType = 7
	RegVolatileControl RegType = 8
	numRegTypes                = 9
)

func (r RegType) String() string {
	switch r {
	case RegControl:
		return "ctl"
	case RegImmediate:
		return "imm"
	case RegImplicit:
		return "impl"
	case RegLocal:
		return "local"
	case RegPrimitive:
		return "prim"
	case RegVolatileReport:
		return "vrep"
	case RegReport:
		return "rep"
	case RegTmp:
		return "tmp"
	case RegVolatileControl:
		return "vctl"
	}
	return fmt.Sprintf("reg%d", uint8(r))
}

// Valid reports whether r is a register type libccp knows.
func (r RegType) Valid() bool { return r < numRegTypes }

// Reg is an instruction operand or an update target.
type Reg struct {
	Type  RegType
	Index uint32
}

func (r Reg) String() string {
	if r.Type == RegImmediate {
		return fmt.Sprintf("%d", r.Index)
	}
	return fmt.Sprintf("%s[%d]", r.Type, r.Index)
}

// Op is an instruction's opcode.
type Op uint8

// The opcodes (libccp machine.c).
const (
	OpAdd Op = iota
	OpBind
	OpDef
	OpDiv
	OpEquiv
	OpEwma
	OpGt
	OpIf
	OpLt
	OpMax
	OpMaxWrap
	OpMin
	OpMul
	OpNotIf
	OpSub
	numOps
)

var opNames = [numOps]string{"ADD", "BIND", "DEF", "DIV", "EQUIV", "EWMA", "GT", "IF", "LT", "MAX", "MAXWRAP", "MIN", "MUL", "NOTIF", "SUB"}

func (o Op) String() string {
	if o < numOps {
		return opNames[o]
	}
	return fmt.Sprintf("op%d", uint8(o))
}

// Valid reports whether o is an opcode libccp knows.
func (o Op) Valid() bool { return o < numOps }

// Instr is one instruction: Res ← Left op Right.
type Instr struct {
	Op               Op
	Res, Left, Right Reg
}

func (in Instr) String() string {
	return fmt.Sprintf("%-7s %s <- %s, %s", in.Op, in.Res, in.Left, in.Right)
}

// Update sets one register: a control register, or Cwnd/Rate (implicit 4
// and 5).
type Update struct {
	Reg   Reg
	Value uint64
}

func (m *Create) Type() Type       { return TypeCreate }
func (m *Measure) Type() Type      { return TypeMeasure }
func (m *Install) Type() Type      { return TypeInstall }
func (m *UpdateFields) Type() Type { return TypeUpdateFields }
func (m *ChangeProg) Type() Type   { return TypeChangeProg }
func (m *Ready) Type() Type        { return TypeReady }

func (m *Create) SocketID() uint32       { return m.SID }
func (m *Measure) SocketID() uint32      { return m.SID }
func (m *Install) SocketID() uint32      { return m.SID }
func (m *UpdateFields) SocketID() uint32 { return m.SID }
func (m *ChangeProg) SocketID() uint32   { return m.SID }
func (m *Ready) SocketID() uint32        { return 0 }

// Encode returns m's bytes.
func Encode(m Message) ([]byte, error) { return m.AppendTo(nil) }

var le = binary.LittleEndian

func header(dst []byte, t Type, n int, sid uint32) ([]byte, error) {
	if n > MaxMsgLen {
		return dst, fmt.Errorf("ccp %s: %d bytes, more than a message holds (%d)", t, n, MaxMsgLen)
	}
	dst = le.AppendUint16(dst, uint16(t))
	dst = le.AppendUint16(dst, uint16(n))
	return le.AppendUint32(dst, sid), nil
}

func (m *Create) AppendTo(dst []byte) ([]byte, error) {
	if len(m.CongAlg) >= CongAlgLen {
		return dst, fmt.Errorf("ccp CREATE: algorithm name of %d bytes (at most %d)", len(m.CongAlg), CongAlgLen-1)
	}
	dst, _ = header(dst, TypeCreate, CreateLen, m.SID)
	for _, v := range []uint32{m.InitCwnd, m.MSS, m.SrcIP, m.SrcPort, m.DstIP, m.DstPort} {
		dst = le.AppendUint32(dst, v)
	}
	dst = append(dst, m.CongAlg...)
	return append(dst, make([]byte, CongAlgLen-len(m.CongAlg))...), nil
}

func (m *Measure) AppendTo(dst []byte) ([]byte, error) {
	if len(m.Fields) > MaxReportReg {
		return dst, fmt.Errorf("ccp MEASURE: %d fields (at most %d)", len(m.Fields), MaxReportReg)
	}
	dst, err := header(dst, TypeMeasure, HeaderLen+8+8*len(m.Fields), m.SID)
	if err != nil {
		return dst, err
	}
	dst = le.AppendUint32(dst, m.ProgramUID)
	dst = le.AppendUint32(dst, uint32(len(m.Fields)))
	for _, f := range m.Fields {
		dst = le.AppendUint64(dst, f)
	}
	return dst, nil
}

func (m *Install) AppendTo(dst []byte) ([]byte, error) {
	switch {
	case len(m.Exprs) > MaxExprs:
		return dst, fmt.Errorf("ccp INSTALL: %d expressions (at most %d)", len(m.Exprs), MaxExprs)
	case len(m.Instrs) > MaxInstrs:
		return dst, fmt.Errorf("ccp INSTALL: %d instructions (at most %d)", len(m.Instrs), MaxInstrs)
	}
	dst, err := header(dst, TypeInstall, HeaderLen+12+ExprLen*len(m.Exprs)+InstrLen*len(m.Instrs), m.SID)
	if err != nil {
		return dst, err
	}
	dst = le.AppendUint32(dst, m.ProgramUID)
	dst = le.AppendUint32(dst, uint32(len(m.Exprs)))
	dst = le.AppendUint32(dst, uint32(len(m.Instrs)))
	for _, e := range m.Exprs {
		dst = le.AppendUint32(dst, e.CondStart)
		dst = le.AppendUint32(dst, e.CondLen)
		dst = le.AppendUint32(dst, e.BodyStart)
		dst = le.AppendUint32(dst, e.BodyLen)
	}
	for _, in := range m.Instrs {
		dst = append(dst, byte(in.Op), byte(in.Res.Type))
		dst = le.AppendUint32(dst, in.Res.Index)
		dst = append(dst, byte(in.Left.Type))
		dst = le.AppendUint32(dst, in.Left.Index)
		dst = append(dst, byte(in.Right.Type))
		dst = le.AppendUint32(dst, in.Right.Index)
	}
	return dst, nil
}

func appendUpdates(dst []byte, us []Update) []byte {
	for _, u := range us {
		dst = append(dst, byte(u.Reg.Type))
		dst = le.AppendUint32(dst, u.Reg.Index)
		dst = le.AppendUint64(dst, u.Value)
	}
	return dst
}

func (m *UpdateFields) AppendTo(dst []byte) ([]byte, error) {
	if len(m.Updates) > MaxUpdates {
		return dst, fmt.Errorf("ccp UPDATE_FIELDS: %d updates (at most %d)", len(m.Updates), MaxUpdates)
	}
	dst, err := header(dst, TypeUpdateFields, HeaderLen+4+UpdateLen*len(m.Updates), m.SID)
	if err != nil {
		return dst, err
	}
	dst = le.AppendUint32(dst, uint32(len(m.Updates)))
	return appendUpdates(dst, m.Updates), nil
}

func (m *ChangeProg) AppendTo(dst []byte) ([]byte, error) {
	if len(m.Updates) > MaxUpdates {
		return dst, fmt.Errorf("ccp CHANGE_PROG: %d updates (at most %d)", len(m.Updates), MaxUpdates)
	}
	dst, err := header(dst, TypeChangeProg, HeaderLen+8+UpdateLen*len(m.Updates), m.SID)
	if err != nil {
		return dst, err
	}
	dst = le.AppendUint32(dst, m.ProgramUID)
	dst = le.AppendUint32(dst, uint32(len(m.Updates)))
	return appendUpdates(dst, m.Updates), nil
}

func (m *Ready) AppendTo(dst []byte) ([]byte, error) {
	dst, _ = header(dst, TypeReady, ReadyLen, 0)
	return le.AppendUint32(dst, m.ID), nil
}

// ErrTruncated marks a buffer that ends inside a message.
var ErrTruncated = errors.New("truncated")

// Next splits the first message off b: its bytes and the rest. Agents
// accept several messages in one datagram this way.
func Next(b []byte) (msg, rest []byte, err error) {
	if len(b) < HeaderLen {
		return nil, b, fmt.Errorf("ccp message: %d bytes, shorter than the %d-byte header: %w", len(b), HeaderLen, ErrTruncated)
	}
	n := int(le.Uint16(b[2:4]))
	switch {
	case n < HeaderLen:
		return nil, b, fmt.Errorf("ccp %s: header says %d bytes, less than the header itself", Type(le.Uint16(b)), n)
	case n > len(b):
		return nil, b, fmt.Errorf("ccp %s: header says %d bytes but only %d arrived: %w", Type(le.Uint16(b)), n, len(b), ErrTruncated)
	}
	return b[:n], b[n:], nil
}

// Decode reads exactly one message from b. Every count is checked against
// the bytes present and libccp's limits; the error names the message type
// and what is wrong.
func Decode(b []byte) (Message, error) {
	msg, rest, err := Next(b)
	if err != nil {
		return nil, err
	}
	t := Type(le.Uint16(msg))
	if len(rest) > 0 {
		return nil, fmt.Errorf("ccp %s: %d bytes after the message's %d", t, len(rest), len(msg))
	}
	sid := le.Uint32(msg[4:8])
	body := msg[HeaderLen:]
	fail := func(format string, a ...any) (Message, error) {
		return nil, fmt.Errorf("ccp %s: %s", t, fmt.Sprintf(format, a...))
	}
	need := func(n int) bool { return len(body) == n }
	switch t {
	case TypeCreate:
		if !need(CreateLen - HeaderLen) {
			return fail("%d bytes, want %d", len(msg), CreateLen)
		}
		alg := body[24:]
		for i, c := range alg {
			if c == 0 {
				alg = alg[:i]
				break
			}
		}
		return &Create{SID: sid, InitCwnd: le.Uint32(body), MSS: le.Uint32(body[4:]), SrcIP: le.Uint32(body[8:]),
			SrcPort: le.Uint32(body[12:]), DstIP: le.Uint32(body[16:]), DstPort: le.Uint32(body[20:]), CongAlg: string(alg)}, nil
	case TypeMeasure:
		if len(body) < 8 {
			return fail("%d bytes, want at least 16", len(msg))
		}
		n := le.Uint32(body[4:])
		if n > MaxReportReg {
			return fail("%d fields (at most %d)", n, MaxReportReg)
		}
		if !need(8 + 8*int(n)) {
			return fail("%d fields need %d bytes, the message has %d", n, HeaderLen+8+8*int(n), len(msg))
		}
		m := &Measure{SID: sid, ProgramUID: le.Uint32(body)}
		if n > 0 {
			m.Fields = make([]uint64, n)
			for i := range m.Fields {
				m.Fields[i] = le.Uint64(body[8+8*i:])
			}
		}
		return m, nil
	case TypeInstall:
		if len(body) < 12 {
			return fail("%d bytes, want at least 20", len(msg))
		}
		ne, ni := le.Uint32(body[4:]), le.Uint32(body[8:])
		if ne > MaxExprs || ni > MaxInstrs {
			return fail("%d expressions and %d instructions (at most %d and %d)", ne, ni, MaxExprs, MaxInstrs)
		}
		if !need(12 + ExprLen*int(ne) + InstrLen*int(ni)) {
			return fail("%d expressions and %d instructions need %d bytes, the message has %d", ne, ni, HeaderLen+12+ExprLen*int(ne)+InstrLen*int(ni), len(msg))
		}
		m := &Install{SID: sid, ProgramUID: le.Uint32(body), Exprs: make([]Expr, ne), Instrs: make([]Instr, ni)}
		p := body[12:]
		for i := range m.Exprs {
			m.Exprs[i] = Expr{le.Uint32(p), le.Uint32(p[4:]), le.Uint32(p[8:]), le.Uint32(p[12:])}
			p = p[ExprLen:]
		}
		for i := range m.Instrs {
			m.Instrs[i] = Instr{Op: Op(p[0]), Res: Reg{RegType(p[1]), le.Uint32(p[2:])},
				Left: Reg{RegType(p[6]), le.Uint32(p[7:])}, Right: Reg{RegType(p[11]), le.Uint32(p[12:])}}
			p = p[InstrLen:]
		}
		return m, nil
	case TypeUpdateFields:
		if len(body) < 4 {
			return fail("%d bytes, want at least 12", len(msg))
		}
		n := le.Uint32(body)
		us, err := decodeUpdates(body[4:], n)
		if err != nil {
			return fail("%v", err)
		}
		return &UpdateFields{SID: sid, Updates: us}, nil
	case TypeChangeProg:
		if len(body) < 8 {
			return fail("%d bytes, want at least 16", len(msg))
		}
		n := le.Uint32(body[4:])
		us, err := decodeUpdates(body[8:], n)
		if err != nil {
			return fail("%v", err)
		}
		return &ChangeProg{SID: sid, ProgramUID: le.Uint32(body), Updates: us}, nil
	case TypeReady:
		if !need(ReadyLen - HeaderLen) {
			return fail("%d bytes, want %d", len(msg), ReadyLen)
		}
		return &Ready{ID: le.Uint32(body)}, nil
	}
	return nil, fmt.Errorf("ccp message: unknown type %d (want 0 to 5)", uint16(t))
}

func decodeUpdates(p []byte, n uint32) ([]Update, error) {
	if n > MaxUpdates {
		return nil, fmt.Errorf("%d updates (at most %d)", n, MaxUpdates)
	}
	if len(p) != UpdateLen*int(n) {
		return nil, fmt.Errorf("%d updates need %d bytes after the count, the message has %d", n, UpdateLen*int(n), len(p))
	}
	if n == 0 {
		return nil, nil
	}
	us := make([]Update, n)
	for i := range us {
		us[i] = Update{Reg: Reg{RegType(p[0]), le.Uint32(p[1:])}, Value: le.Uint64(p[5:])}
		p = p[UpdateLen:]
	}
	return us, nil
}
