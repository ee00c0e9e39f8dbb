// Package e2e holds cutover's end-to-end tests. It has no non-test code:
// every test starts what it needs on 127.0.0.1 (moto, a fake Slack webhook,
// the Lambda Runtime Interface Emulator with the real bootstrap) through
// internal/testrig and stops it when the test ends.
//
//   - lambda_test.go runs the real bootstrap under the Runtime Interface
//     Emulator and checks what the fake Slack receives for successes, rate
//     limits, server errors, permanent errors, undecodable input and the
//     CodeDeploy trigger test.
//   - faults_test.go is the fault suite: 1,000 events through a webhook
//     that fails 30% of requests, with Lambda-style retries and a failure
//     queue, checked for exactly-once delivery; duplicate and concurrent
//     deliveries; and the duplicate window left by a crash between sending
//     and recording. faults4_test.go runs 300 events to four destinations
//     (slack, teams, googlechat, webhook), each failing its own way;
//     faultfake_test.go is their fake, which also tells the answers lost
//     on the way back (a 2xx the client had given up on).
//     faultsslackapp_test.go runs 60 deployments of three events through
//     the Slack app destination behind a proxy that fails 25% of Web API
//     requests: one parent per deployment, no update lost.
//   - lambdaslackapp_test.go runs two deployments (a whole one, a failed
//     one with its rollback) through the bootstrap with a slack-app
//     destination on slackfake and the records on moto DynamoDB.
//   - badinput_test.go feeds a corpus of bad inputs to the dispatcher and to
//     the bootstrap: each is rejected once, without a retry storm or a chat
//     request.
//   - lostanswer_test.go loses the answer to 30% of the requests to each
//     destination type (the fake takes the message, then drops the
//     connection) and checks the bound: duplicates ≤ lost answers, at most
//     two copies per invocation.
//   - hostile_test.go runs the hostile corpus (testdata/hostile, with its
//     README) through render, send and the Lambda handler for every
//     destination type, and a sample through the bootstrap.
//   - hooks_test.go, hookchecks_test.go and hookinprogress_test.go run
//     ECS and CodeDeploy lifecycle hooks through the bootstrap (answers,
//     checks at the switch, IN_PROGRESS and its call back, exactly one
//     answer per execution) on the rig of hookrig_test.go.
//   - replay_test.go drains a failure queue on moto SQS with `cutover
//     replay`, run in-process.
//
// Set CUTOVER_FAULT_REPORT to a file path to keep the figures of the fault
// suites, the lost-answer run and the hostile corpus.
package e2e
