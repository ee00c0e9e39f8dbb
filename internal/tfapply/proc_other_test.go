//go:build !unix

package tfapply

import "os/exec"

// inProcessGroup leaves cmd as it is: without process groups, cancelling
// kills Terraform only (exec.CommandContext's default).
func inProcessGroup(*exec.Cmd) {}

// killProcessGroup does nothing without process groups.
func killProcessGroup(*exec.Cmd) {}
