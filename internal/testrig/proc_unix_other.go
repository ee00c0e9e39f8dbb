//go:build unix && !linux

package testrig

import "syscall"

// setParentDeathSignal is a no-op where the kernel has no parent-death
// signal; the moto launcher watches its parent itself.
func setParentDeathSignal(*syscall.SysProcAttr) {}
