//go:build !linux

package netns

import (
	"context"
	"time"

	"github.com/ccscope/ccscope/emu"
)

// Forwarder moves packets between the two devices through the links in
// real time; it needs Linux.
type Forwarder struct{}

// StartForwarder needs Linux.
func StartForwarder(ctx context.Context, cfg ForwarderConfig) (*Forwarder, error) {
	return nil, unsupported()
}

// Stop does nothing here.
func (f *Forwarder) Stop() error { return nil }

// Err is nil here.
func (f *Forwarder) Err() error { return nil }

// Do does nothing here.
func (f *Forwarder) Do(fn func(up, down *emu.Link, now time.Duration)) {}

// Stats are zero here.
func (f *Forwarder) Stats() ForwardStats { return ForwardStats{} }
