//go:build !unix

package testrig

import "os/exec"

// setProcAttrs does nothing where there are no process groups.
func setProcAttrs(*exec.Cmd) {}

func terminateGroup(cmd *exec.Cmd, _ int) {
	_ = cmd.Process.Kill()
}

func killGroup(cmd *exec.Cmd, _ int) {
	_ = cmd.Process.Kill()
}
