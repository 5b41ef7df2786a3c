package vm

import (
	"errors"
	"strings"
	"testing"

	"github.com/ccscope/ccscope/ccp/wire"
)

func TestErrors(t *testing.T) {
	if s := ErrProgIsNull.String(); s != "LIBCCP_PROG_IS_NULL (-96)" {
		t.Fatalf("String %q", s)
	}
	if s := Code(-5).Error(); s != "ccp vm: LIBCCP_UNKNOWN_ERROR (-5)" {
		t.Fatalf("Error %q", s)
	}
	// A malformed body keeps wire's error as the cause.
	h := newHarness(t, Config{})
	h.start()
	b := encode(t, &wire.UpdateFields{SID: 1, Updates: []wire.Update{{Reg: ctl(0)}}})
	b = b[:len(b)-1]
	b[2]-- // a consistent header, a body one byte short
	err := h.d.Receive(h.now, b)
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrBufsizeTooSmall {
		t.Fatalf("error %v", err)
	}
	if errors.Unwrap(err) == nil || !strings.Contains(err.Error(), "UPDATE_FIELDS") {
		t.Fatalf("error %q has no cause", err)
	}
	if errors.Is(err, ErrProgIsNull) || IsInstructionError(err) || IsInstructionError(nil) {
		t.Fatal("errors.Is matched another code")
	}
}
