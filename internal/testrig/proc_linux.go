//go:build linux

package testrig

import "syscall"

// setParentDeathSignal makes the kernel SIGKILL the child when the thread
// that started it exits (a test binary killed by -timeout never runs its
// cleanups). Go does not end its threads unless a goroutine exits while
// locked to one, so in practice this fires when the test binary dies.
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
