package netns

import (
	"errors"
	"net/netip"
	"sync"
)

// Pair is the two namespaces of the netns backend with one TUN device each:
// SenderTUN (named SenderTUNName) in Sender carries SenderAddr/10, and
// ReceiverTUN (named ReceiverTUNName) in Receiver carries ReceiverAddr/10, so
// all of the /10 (100.64.0.0/10 by default) routes through the TUN in both
// namespaces. Both devices are up, have the MTU from [Options] and a
// txqueuelen of DefaultTxQueueLen, have IPv6 disabled (so the kernel sends no
// router solicitations or MLD reports through them) and have reverse path
// filtering off; loopback is up in both namespaces.
type Pair struct {
	// Sender is the namespace where the sending side runs.
	Sender *Namespace
	// Receiver is the namespace where the receiving side runs.
	Receiver *Namespace
	// SenderAddr is the sender's address on SenderTUN.
	SenderAddr netip.Addr
	// ReceiverAddr is the receiver's address on ReceiverTUN.
	ReceiverAddr netip.Addr
	// SenderTUN is the TUN device in the sender namespace: reading it
	// yields what the sender sends; writing it delivers to the sender.
	SenderTUN *TUN
	// ReceiverTUN is the TUN device in the receiver namespace: reading it
	// yields what the receiver sends; writing it delivers to the receiver.
	ReceiverTUN *TUN

	closeOnce sync.Once
	closeErr  error
}

// Close kills every process started in either namespace (and waits for it),
// closes both TUN devices and releases both namespaces. It is idempotent:
// later calls return the first call's result.
func (p *Pair) Close() error {
	p.closeOnce.Do(func() {
		var errs []error
		for _, n := range []*Namespace{p.Sender, p.Receiver} {
			if n != nil {
				errs = append(errs, n.Close())
			}
		}
		for _, t := range []*TUN{p.SenderTUN, p.ReceiverTUN} {
			if t != nil {
				errs = append(errs, t.Close())
			}
		}
		p.closeErr = errors.Join(errs...)
	})
	return p.closeErr
}
