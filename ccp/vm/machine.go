package vm

import (
	"fmt"
	"math/bits"

	"github.com/ccscope/ccscope/ccp/wire"
)

// machine is a connection's register file and Micros clock.
type machine struct {
	regs     [numRegs]uint64
	timeZero uint64 // µs since Init at which Micros was 0
	nowUs    uint64 // µs since Init of the running invocation
}

// run evaluates p's expressions in order, as libccp's state_machine does:
// zero __eventFlag, __shouldContinue and __shouldReport, load Micros and
// the primitives, then for each expression run its condition and, if
// __eventFlag is set, its body; stop after the first true expression
// unless __shouldContinue is set. The first instruction error aborts.
func (m *machine) run(p *program, prims *Primitives, nowUs uint64) error {
	r := &m.regs
	m.nowUs = nowUs
	r[offImplicit+ImplEventFlag] = 0
	r[offImplicit+ImplShouldContinue] = 0
	r[offImplicit+ImplShouldReport] = 0
	r[offImplicit+ImplMicros] = nowUs - m.timeZero
	m.loadPrimitives(prims, nowUs)
	for i := range p.exprs {
		e := &p.exprs[i]
		if err := m.exec(e.cond); err != nil {
			return err
		}
		if r[offImplicit+ImplEventFlag] != 0 {
			if err := m.exec(e.body); err != nil {
				return err
			}
		}
		// Checked after the body, which may itself write either flag.
		if r[offImplicit+ImplEventFlag] != 0 && r[offImplicit+ImplShouldContinue] == 0 {
			break
		}
	}
	return nil
}

func (m *machine) loadPrimitives(p *Primitives, nowUs uint64) {
	pr := (*[NumPrimitives]uint64)(m.regs[offPrim:])
	pr[primBytesAcked] = p.BytesAcked
	pr[primBytesMisordered] = p.BytesMisordered
	pr[primECNBytes] = p.ECNBytes
	pr[primECNPackets] = p.ECNPackets
	pr[primLostPktsSample] = p.LostPktsSample
	pr[primNow] = nowUs
	pr[primPacketsAcked] = p.PacketsAcked
	pr[primPacketsMisordered] = p.PacketsMisordered
	pr[primBytesInFlight] = p.BytesInFlight
	pr[primBytesPending] = p.BytesPending
	pr[primPacketsInFlight] = p.PacketsInFlight
	pr[primRateIncoming] = p.RateIncoming
	pr[primRateOutgoing] = p.RateOutgoing
	pr[primRTTSampleUs] = p.RTTSampleUs
	if p.RTTSampleUs == 0 {
		pr[primRTTSampleUs] = infinity // "no sample" reads as +infinity
	}
	pr[primWasTimeout] = 0
	if p.WasTimeout {
		pr[primWasTimeout] = 1
	}
}

// exec runs instructions in order (libccp process_instruction).
func (m *machine) exec(code []instr) error {
	r := &m.regs
	for k := range code {
		in := &code[k]
		a, b := in.l.val, in.r.val
		if !in.l.imm {
			a = r[in.l.idx]
		}
		if !in.r.imm {
			b = r[in.r.idx]
		}
		var v uint64
		switch in.op {
		case wire.OpAdd:
			var carry uint64
			if v, carry = bits.Add64(a, b, 0); carry != 0 {
				return fault(in, ErrAddOverflow, "%d + %d overflows u64", a, b)
			}
		case wire.OpBind:
			v = b
		case wire.OpDiv:
			if b == 0 {
				return fault(in, ErrDivByZero, "%d / 0", a)
			}
			v = a / b
		case wire.OpEquiv:
			v = boolVal(a == b)
		case wire.OpEwma:
			v = ewma(a, r[in.res], b)
		case wire.OpGt:
			v = boolVal(a > b)
		case wire.OpIf:
			if a == 0 {
				continue
			}
			v = b
		case wire.OpLt:
			v = boolVal(a < b)
		case wire.OpMax:
			v = max(a, b)
		case wire.OpMaxWrap:
			v = maxWrap(a, b)
		case wire.OpMin:
			v = min(a, b)
		case wire.OpMul:
			var hi uint64
			if hi, v = bits.Mul64(a, b); hi != 0 {
				return fault(in, ErrMulOverflow, "%d * %d overflows u64", a, b)
			}
		case wire.OpNotIf:
			if a != 0 {
				continue
			}
			v = b
		case wire.OpSub:
			if b > a {
				return fault(in, ErrSubUnderflow, "%d - %d underflows u64", a, b)
			}
			v = a - b
		default: // DEF does nothing outside the preamble's loading
			continue
		}
		if in.micros {
			// Writing Micros moves its time zero so that it reads v now
			// and keeps counting from there (in µs, unlike libccp).
			m.timeZero = m.nowUs - v
		}
		r[in.res] = v
	}
	return nil
}

// fault makes an instruction error; the Conn adds sid and uid.
func fault(in *instr, code Code, format string, a ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf("instruction %d (%s): ", in.pos, in.op) + fmt.Sprintf(format, a...)}
}

func boolVal(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// ewma is libccp's myewma64: weight a (in tenths) on the old value, the
// new value alone when there is no old one; u64 arithmetic wraps as in C.
func ewma(a, old, sample uint64) uint64 {
	if old == 0 {
		return sample
	}
	return (a*old + (10-a)*sample) / 10
}

// maxWrap is libccp's mymax64_wrap: the later of two 32-bit sequence
// values under wraparound; zero means "none" and yields the other value
// untruncated.
func maxWrap(a, b uint64) uint64 {
	a32, b32 := uint32(a), uint32(b)
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	case dif32(b32, a32) < dif32(a32, b32):
		return uint64(a32)
	}
	return uint64(b32)
}

// dif32 is libccp's distance walking from left to right, wrapping at
// 2³²−1 (off by one against modular distance, as in libccp).
func dif32(left, right uint32) uint32 {
	if right > left {
		return right - left
	}
	return (^uint32(0) - left) + right
}

// applyDefs writes DEF defaults.
func (m *machine) applyDefs(defs []regDef) {
	for _, d := range defs {
		m.regs[d.idx] = d.val
	}
}
