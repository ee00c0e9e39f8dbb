package testrig

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Timeouts for child processes. They bound waits on a slow machine; no
// test asserts on them.
const (
	readyTimeout = 60 * time.Second
	termGrace    = 3 * time.Second
	killGrace    = 5 * time.Second
	pollInterval = 20 * time.Millisecond
)

// proc is a child process started in its own process group.
type proc struct {
	name string
	cmd  *exec.Cmd
	out  *SyncBuffer
	done chan struct{} // closed when Wait returned
	err  error         // Wait's result, valid once done is closed

	stopOnce sync.Once
}

// startProc starts cmd in a new process group with its output captured.
func startProc(name string, cmd *exec.Cmd) (*proc, error) {
	out := &SyncBuffer{}
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.WaitDelay = killGrace
	setProcAttrs(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop ends the process group: SIGTERM, then SIGKILL after a grace period.
// The group is killed even when the leader already exited, so grandchildren
// (a bootstrap under the RIE) do not outlive the test.
func (p *proc) stop() {
	p.stopOnce.Do(func() {
		pid := p.cmd.Process.Pid
		if !p.exited() {
			terminateGroup(p.cmd, pid)
			select {
			case <-p.done:
			case <-time.After(termGrace):
			}
		}
		killGroup(p.cmd, pid)
		select {
		case <-p.done:
		case <-time.After(killGrace):
		}
	})
}

// register makes the test stop the process at cleanup and print its output
// if the test failed.
func (p *proc) register(t testing.TB) {
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("testrig: output of %s (pid %d):\n%s", p.name, p.cmd.Process.Pid, p.out.String())
		}
	})
}

// errEarlyExit is returned by waitReady when the process ended first.
var errEarlyExit = errors.New("process exited before it was ready")

// waitReady polls probe until it succeeds, the process exits or the timeout
// passes.
func (p *proc) waitReady(timeout time.Duration, probe func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last error
	for {
		pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
		last = probe(pctx)
		pcancel()
		if last == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s: %w (%v)", p.name, errEarlyExit, p.err)
		case <-ctx.Done():
			return fmt.Errorf("%s: not ready after %s: %w", p.name, timeout, last)
		case <-time.After(pollInterval):
		}
	}
}

// portInUse reports whether the output of a process that exited early says
// that its port was taken, which is worth a retry on another port.
func (p *proc) portInUse() bool {
	return strings.Contains(strings.ToLower(p.out.String()), "address already in use")
}
