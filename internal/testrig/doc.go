// Package testrig is cutover's reusable test rig: helpers that start the
// external things cutover's tests talk to and stop them again when the test
// ends.
//
//   - [StartMoto] runs moto's server (AWS API mocks) through a small Python
//     launcher kept in this package that fixes moto's CodeDeploy
//     responses so that aws-sdk-go-v2 and Terraform can use them.
//   - [NewFakeChat] is a programmable chat webhook (Slack by default) that
//     records every request and answers from a script of [Reply] values,
//     including rate limits, hangs, slow bodies, connection resets and
//     seeded random faults ([FailRate]).
//   - [StartRIE] runs a Lambda bootstrap under the AWS Lambda Runtime
//     Interface Emulator; [BuildBootstrap] and [BuildLambda] build one.
//   - [FreePort] and [ModuleRoot] are the small helpers the others use;
//     [SyncBuffer] collects a child process's combined output safely.
//
// Every helper takes a [testing.TB], binds 127.0.0.1 only, registers a
// t.Cleanup that stops what it started (the whole process group for child
// processes) and fails the test with a clear message when a tool it needs is
// missing: nothing here skips a test. Output of child processes is kept in
// memory and logged only when the test fails.
//
// The package is imported only from _test.go files. Its only package-level
// state is a per-process cache of the paths it builds or looks up (the RIE,
// Lambda bootstraps, the python3 interpreter); it holds no clients.
package testrig
