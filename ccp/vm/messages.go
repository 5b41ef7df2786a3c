package vm

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/ccscope/ccscope/ccp/wire"
)

// Receive handles one message from the agent, like libccp's ccp_read_msg:
//
//   - INSTALL (any sid) is checked completely and stored in the first free
//     program slot; uid 1 first wipes the whole table (portus numbers its
//     programs from 1, so uid 1 means a new agent). A full table is
//     ErrProgTableFull.
//   - UPDATE_FIELDS and CHANGE_PROG are staged on the flow with the
//     header's sid and applied at its next Invoke. Updates may target
//     control registers (types 0 and 8) and Cwnd or Rate (implicit 4 and
//     5); other implicit registers are ignored and any other type is
//     ErrUpdateInvalidRegType. A CHANGE_PROG to an uninstalled uid is
//     ignored (logged), as in libccp; one to a known uid replaces whatever
//     was staged.
//
// Any message with a valid header (one of those three types, a length
// that fits) clears the fallback timer, even if its body is then
// rejected. msg must hold the whole message; bytes after the length its
// header gives are ignored (logged). The error, if any, is an *Error.
func (d *Datapath) Receive(now time.Duration, msg []byte) error {
	d.stats.Received++
	err := d.receive(msg)
	if err != nil {
		d.stats.Rejected++
	}
	return err
}

func (d *Datapath) receive(b []byte) error {
	le := binary.LittleEndian
	if len(b) < wire.HeaderLen {
		return &Error{Code: ErrBufsizeTooSmall, Msg: fmt.Sprintf("message of %d bytes, shorter than the %d-byte header", len(b), wire.HeaderLen)}
	}
	t, n, sid := wire.Type(le.Uint16(b)), int(le.Uint16(b[2:])), le.Uint32(b[4:])
	switch t {
	case wire.TypeInstall, wire.TypeUpdateFields, wire.TypeChangeProg:
	case wire.TypeCreate, wire.TypeMeasure, wire.TypeReady:
		return &Error{Code: ErrReadInvalidHeaderType, Msg: fmt.Sprintf("%s goes from a datapath to the agent, not back", t)}
	default:
		return &Error{Code: ErrReadInvalidHeaderType, Msg: fmt.Sprintf("unknown message type %d", uint16(t))}
	}
	switch {
	case n > len(b):
		return &Error{Code: ErrBufsizeTooSmall, Msg: fmt.Sprintf("%s header says %d bytes, only %d arrived", t, n, len(b))}
	case n > wire.MaxMsgLen:
		return &Error{Code: ErrMsgTooLong, Msg: fmt.Sprintf("%s of %d bytes (at most %d)", t, n, wire.MaxMsgLen)}
	case n < wire.HeaderLen:
		return &Error{Code: ErrBufsizeTooSmall, Msg: fmt.Sprintf("%s header says %d bytes, less than the header itself", t, n)}
	}
	d.clearFallback()
	if len(b) > n {
		d.logf("%s: ignoring %d bytes after the message's %d", t, len(b)-n, n)
	}
	b = b[:n]

	if t == wire.TypeInstall {
		if n >= wire.HeaderLen+12 {
			if ne := le.Uint32(b[12:]); ne > wire.MaxExprs {
				return &Error{Code: ErrInstallTooManyExpr, Msg: fmt.Sprintf("INSTALL with %d expressions (at most %d)", ne, wire.MaxExprs)}
			}
			if ni := le.Uint32(b[16:]); ni > wire.MaxInstrs {
				return &Error{Code: ErrInstallTooManyInstr, Msg: fmt.Sprintf("INSTALL with %d instructions (at most %d)", ni, wire.MaxInstrs)}
			}
		}
		m, err := decode(t, b)
		if err != nil {
			return err
		}
		return d.install(m.(*wire.Install))
	}

	c := d.Conn(sid)
	if c == nil {
		return &Error{Code: ErrUnknownConnection, Msg: fmt.Sprintf("%s for sid %d, which is no active flow", t, sid)}
	}
	if t == wire.TypeUpdateFields {
		if n >= wire.HeaderLen+4 {
			if k := le.Uint32(b[8:]); k > wire.MaxUpdates {
				return &Error{Code: ErrUpdateTooMany, Msg: fmt.Sprintf("UPDATE_FIELDS for sid %d with %d updates (at most %d)", sid, k, wire.MaxUpdates)}
			}
		}
		m, err := decode(t, b)
		if err != nil {
			return err
		}
		us := m.(*wire.UpdateFields).Updates
		if err := checkUpdates(t, sid, us); err != nil {
			return err
		}
		c.stage(us)
		return nil
	}

	// CHANGE_PROG
	if n >= wire.HeaderLen+8 {
		if k := le.Uint32(b[12:]); k > wire.MaxUpdates {
			return &Error{Code: ErrChangeTooMany, Msg: fmt.Sprintf("CHANGE_PROG for sid %d with %d updates (at most %d)", sid, k, wire.MaxUpdates)}
		}
	}
	m, err := decode(t, b)
	if err != nil {
		return err
	}
	cp := m.(*wire.ChangeProg)
	slot := d.lookupUID(cp.ProgramUID)
	if slot == 0 {
		d.logf("CHANGE_PROG for sid %d: no installed program with uid %d; ignored", sid, cp.ProgramUID)
		return nil
	}
	if err := checkUpdates(t, sid, cp.Updates); err != nil {
		return err
	}
	c.staged = staging{prog: slot}
	c.stage(cp.Updates)
	return nil
}

// decode decodes a message whose header and counts were checked; what
// is left to go wrong is the body's length.
func decode(t wire.Type, b []byte) (wire.Message, error) {
	m, err := wire.Decode(b)
	if err != nil {
		return nil, &Error{Code: ErrBufsizeTooSmall, Msg: fmt.Sprintf("malformed %s", t), Err: err}
	}
	return m, nil
}

// install stores a program (libccp datapath_program_install).
func (d *Datapath) install(m *wire.Install) error {
	p, err := compile(m)
	if err != nil {
		return err
	}
	if m.ProgramUID == 1 {
		clear(d.progs)
	}
	for i := range d.progs {
		if d.progs[i] == nil {
			d.progs[i] = p
			d.stats.Installs++
			return nil
		}
	}
	return &Error{Code: ErrProgTableFull, Msg: fmt.Sprintf(
		"INSTALL uid %d: unable to install new program, all %d slots are in use (an INSTALL with uid 1 empties the table)",
		m.ProgramUID, len(d.progs))}
}

// checkUpdates checks every update before any is staged (libccp checks
// them one at a time and keeps the ones staged before a bad one).
func checkUpdates(t wire.Type, sid uint32, us []wire.Update) error {
	for i, u := range us {
		switch u.Reg.Type {
		case wire.RegControl, wire.RegVolatileControl:
			if u.Reg.Index >= NumControlRegs {
				return &Error{Code: ErrUpdateInvalidRegType, Msg: fmt.Sprintf(
					"%s for sid %d: update %d: control register %d out of range (there are %d)", t, sid, i, u.Reg.Index, NumControlRegs)}
			}
		case wire.RegImplicit:
		default:
			return &Error{Code: ErrUpdateInvalidRegType, Msg: fmt.Sprintf(
				"%s for sid %d: update %d: cannot update a %s register (only control registers, Cwnd and Rate)", t, sid, i, u.Reg.Type)}
		}
	}
	return nil
}
