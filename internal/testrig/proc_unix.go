//go:build unix

package testrig

import (
	"os/exec"
	"syscall"
)

// setProcAttrs puts the child in a process group of its own so the whole
// group can be signalled, and on Linux asks the kernel to kill it if the
// test binary dies without running its cleanups.
func setProcAttrs(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	setParentDeathSignal(cmd.SysProcAttr)
}

func terminateGroup(_ *exec.Cmd, pid int) {
	_ = syscall.Kill(-pid, syscall.SIGTERM)
}

func killGroup(_ *exec.Cmd, pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}
