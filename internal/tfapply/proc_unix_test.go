//go:build unix

package tfapply

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// inProcessGroup makes cmd the leader of a new process group whose
// cancellation interrupts Terraform (which then stops its provider
// plugins) rather than killing it outright.
func inProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		if errors.Is(err, syscall.ESRCH) {
			return os.ErrProcessDone
		}
		return err
	}
}

// killProcessGroup kills whatever is left of cmd's process group (provider
// plugins of a Terraform that was killed), once cmd has been waited for.
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
