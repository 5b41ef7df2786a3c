package netrun

import (
	"fmt"
	"time"

	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/ccpflow"
	"github.com/ccscope/ccscope/live/transport"
)

// Apply applies a command now and records it.
func (e *Engine) Apply(c live.Command) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.finished {
		return fmt.Errorf("the run is over")
	}
	return e.apply(c, false)
}

// apply applies c, marked scripted when it came from the experiment's
// timeline. Called with mu held.
func (e *Engine) apply(c live.Command, scripted bool) error {
	switch c := c.(type) {
	case live.LinkCommand:
		var err error
		e.fwd.Do(func(up, down *emu.Link, now time.Duration) {
			lc := c.Command
			if lc.Dir&emu.Uplink != 0 {
				if err = up.Apply(now, lc.Change); err != nil {
					err = fmt.Errorf("uplink %s: %w", lc.Change, err)
					return
				}
			}
			if lc.Dir&emu.Downlink != 0 {
				if err = down.Apply(now, lc.Change); err != nil {
					err = fmt.Errorf("downlink %s: %w", lc.Change, err)
				}
			}
		})
		if err != nil {
			return err
		}
	case live.FlowAdd:
		e.now = e.nowLocked()
		id, err := e.addFlow(live.FlowSpec{Scheme: c.Scheme, Start: e.now, Size: c.Size})
		if err != nil {
			return err
		}
		e.recordChange(c.String(), scripted)
		e.record(live.RecordInfo, fmt.Sprintf("flow %d (%s) added", id, c.Scheme))
		e.startDue(e.now)
		return nil
	case live.FlowStop:
		f, err := e.flowByID(c.ID)
		if err != nil {
			return fmt.Errorf("flow stop: %w", err)
		}
		if f.kind == kindObserved {
			return fmt.Errorf("flow stop: flow %d belongs to the command; stop the command instead", c.ID)
		}
		if f.stopped || f.done {
			return fmt.Errorf("flow stop: flow %d has already ended", c.ID)
		}
		f.stop()
		f.stopped = true
	case live.FlowSet:
		f, err := e.flowByID(c.ID)
		if err != nil {
			return fmt.Errorf("flow %d: %w", c.ID, err)
		}
		m, ok := f.ctl.(live.ManualController)
		if !ok {
			return fmt.Errorf("flow %d runs %s; only manual flows take a hand-set cwnd or rate (flow add manual)", c.ID, f.scheme)
		}
		set := func() {
			if c.What == "rate" {
				m.SetRate(c.Value)
			} else {
				m.SetWindow(int(c.Value))
			}
		}
		if f.snd != nil {
			f.snd.Do(func(s *transport.Sender) {
				set()
				s.Reconfigure(m.Apply)
			})
		} else {
			set()
		}
	case live.FlowCCPInstall:
		f, ctl, err := e.ccpController(c.ID)
		if err != nil {
			return err
		}
		f.snd.Do(func(*transport.Sender) { err = ctl.Install(c.Source) })
		if err != nil {
			return fmt.Errorf("flow %d ccp install: %w", c.ID, err)
		}
	case live.FlowCCPAgent:
		f, ctl, err := e.ccpController(c.ID)
		if err != nil {
			return err
		}
		f.snd.Do(func(*transport.Sender) { err = ctl.Reattach() })
		if err != nil {
			return fmt.Errorf("flow %d ccp agent: %w", c.ID, err)
		}
	default:
		return fmt.Errorf("unknown command %T", c)
	}
	e.recordChange(c.String(), scripted)
	return nil
}

func (e *Engine) recordChange(text string, scripted bool) {
	e.record(live.RecordChange, text)
	e.timeline[len(e.timeline)-1].Scripted = scripted
}

// ccpController finds flow id's CCP controller. Called with mu held.
func (e *Engine) ccpController(id int) (*flow, *ccpflow.Controller, error) {
	f, err := e.flowByID(id)
	if err != nil {
		return nil, nil, fmt.Errorf("flow %d: %w", id, err)
	}
	c, ok := f.ctl.(*ccpflow.Controller)
	if !ok {
		return nil, nil, fmt.Errorf("flow %d runs %s, not a CCP scheme (flow add ccp:reno starts one)", id, f.scheme)
	}
	if !f.active() || f.snd == nil {
		return nil, nil, fmt.Errorf("flow %d is not running", id)
	}
	return f, c, nil
}
