package vm

import (
	"errors"
	"strconv"
)

// Code is a libccp error code (ccp_error.h). A Code is itself an error, so
// callers test what went wrong with errors.Is(err, vm.ErrProgIsNull) and
// the like; every error this package returns is an *Error carrying one.
type Code int

// libccp's error codes, plus two of ccscope's own (ErrInstallBadExpr and
// ErrConnTableFull) for conditions libccp does not detect or reports only
// with a NULL.
const (
	ErrMissingArg               Code = -11 // a required argument is missing or invalid
	ErrNullArg                  Code = -12 // a nil argument
	ErrBufsizeNegative          Code = -21
	ErrBufsizeTooSmall          Code = -22 // a message shorter than its header or counts say
	ErrMsgTooLong               Code = -23 // a message longer than libccp's BIGGEST_MSG_SIZE
	ErrWriteInvalidHeaderType   Code = -31
	ErrReadInvalidHeaderType    Code = -32 // not INSTALL, UPDATE_FIELDS or CHANGE_PROG
	ErrReadInvalidOp            Code = -33 // an opcode ≥ 15
	ErrReadRegNotAllowed        Code = -34 // an instruction writing an immediate or a primitive
	ErrReadInvalidReturnReg     Code = -35 // a bad result register
	ErrReadInvalidLeftReg       Code = -36 // a bad left operand
	ErrReadInvalidRightReg      Code = -37 // a bad right operand
	ErrInstallTypeMismatch      Code = -41
	ErrInstallTooManyExpr       Code = -42 // more than 256 expressions
	ErrInstallTooManyInstr      Code = -43 // more than 256 instructions
	ErrInstallBadExpr           Code = -44 // ccscope: an expression reaching past the instructions
	ErrUpdateTypeMismatch       Code = -51
	ErrUpdateTooMany            Code = -52 // more than 222 updates
	ErrUpdateInvalidRegType     Code = -53 // an update of a register that is not control, Cwnd or Rate
	ErrChangeTypeMismatch       Code = -61
	ErrChangeTooMany            Code = -62 // more than 222 updates with a CHANGE_PROG
	ErrUnknownConnection        Code = -71 // no flow with this sid
	ErrCreatePending            Code = -72 // the flow's CREATE has not reached the agent yet
	ErrConnectionNotInitialized Code = -73
	ErrConnTableFull            Code = -74 // ccscope: every connection slot is in use
	ErrProgTableFull            Code = -81 // every program slot is in use
	ErrProgNotFound             Code = -82
	ErrAddOverflow              Code = -91
	ErrDivByZero                Code = -92
	ErrMulOverflow              Code = -93
	ErrSubUnderflow             Code = -94
	ErrPrivIsNull               Code = -95
	ErrProgIsNull               Code = -96 // the flow has no program (no CHANGE_PROG yet)
	ErrFallbackTimedOut         Code = -101
)

func (c Code) name() string {
	switch c {
	case ErrMissingArg:
		return "MISSING_ARG"
	case ErrNullArg:
		return "NULL_ARG"
	case ErrBufsizeNegative:
		return "BUFSIZE_NEGATIVE"
	case ErrBufsizeTooSmall:
		return "BUFSIZE_TOO_SMALL"
	case ErrMsgTooLong:
		return "MSG_TOO_LONG"
	case ErrWriteInvalidHeaderType:
		return "WRITE_INVALID_HEADER_TYPE"
	case ErrReadInvalidHeaderType:
		return "READ_INVALID_HEADER_TYPE"
	case ErrReadInvalidOp:
		return "READ_INVALID_OP"
	case ErrReadRegNotAllowed:
		return "READ_REG_NOT_ALLOWED"
	case ErrReadInvalidReturnReg:
		return "READ_INVALID_RETURN_REG"
	case ErrReadInvalidLeftReg:
		return "READ_INVALID_LEFT_REG"
	case ErrReadInvalidRightReg:
		return "READ_INVALID_RIGHT_REG"
	case ErrInstallTypeMismatch:
		return "INSTALL_TYPE_MISMATCH"
	case ErrInstallTooManyExpr:
		return "INSTALL_TOO_MANY_EXPR"
	case ErrInstallTooManyInstr:
		return "INSTALL_TOO_MANY_INSTR"
	case ErrInstallBadExpr:
		return "INSTALL_BAD_EXPR"
	case ErrUpdateTypeMismatch:
		return "UPDATE_TYPE_MISMATCH"
	case ErrUpdateTooMany:
		return "UPDATE_TOO_MANY"
	case ErrUpdateInvalidRegType:
		return "UPDATE_INVALID_REG_TYPE"
	case ErrChangeTypeMismatch:
		return "CHANGE_TYPE_MISMATCH"
	case ErrChangeTooMany:
		return "CHANGE_TOO_MANY"
	case ErrUnknownConnection:
		return "UNKNOWN_CONNECTION"
	case ErrCreatePending:
		return "CREATE_PENDING"
	case ErrConnectionNotInitialized:
		return "CONNECTION_NOT_INITIALIZED"
	case ErrConnTableFull:
		return "CONN_TABLE_FULL"
	case ErrProgTableFull:
		return "PROG_TABLE_FULL"
	case ErrProgNotFound:
		return "PROG_NOT_FOUND"
	case ErrAddOverflow:
		return "ADD_INT_OVERFLOW"
	case ErrDivByZero:
		return "DIV_BY_ZERO"
	case ErrMulOverflow:
		return "MUL_INT_OVERFLOW"
	case ErrSubUnderflow:
		return "SUB_INT_UNDERFLOW"
	case ErrPrivIsNull:
		return "PRIV_IS_NULL"
	case ErrProgIsNull:
		return "PROG_IS_NULL"
	case ErrFallbackTimedOut:
		return "FALLBACK_TIMED_OUT"
	}
	return "UNKNOWN_ERROR"
}

// String is the code's libccp name and number, e.g. "LIBCCP_PROG_IS_NULL (-96)".
func (c Code) String() string {
	return "LIBCCP_" + c.name() + " (" + strconv.Itoa(int(c)) + ")"
}

func (c Code) Error() string { return "ccp vm: " + c.String() }

// Error is what every failing call of this package returns: the libccp
// code and what happened, with context (sid, program uid, instruction).
type Error struct {
	Code Code
	Msg  string
	Err  error // the underlying cause (a decoding error), or nil
}

func (e *Error) Error() string {
	s := "ccp vm: " + e.Msg + " [" + e.Code.String() + "]"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, code) true when err carries code.
func (e *Error) Is(target error) bool {
	c, ok := target.(Code)
	return ok && c == e.Code
}

// IsInstructionError reports whether err is an arithmetic fault of a
// program (ADD/MUL overflow, SUB underflow, division by zero), the errors
// that abort an invocation.
func IsInstructionError(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case ErrAddOverflow, ErrDivByZero, ErrMulOverflow, ErrSubUnderflow:
		return true
	}
	return false
}
