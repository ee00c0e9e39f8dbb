// Package enrich is the source-neutral model of what cutover learns about a
// deployment beyond the notification itself: [Details] (who started it, how
// long the team has to roll back or reroute, which task sets and images
// serve, what failed and why, console links and ready-to-paste AWS CLI
// commands) and the [Warning]s of the lookups that gave nothing.
//
// An [Enricher] fills Details for an event. Enrichment is optional and
// bounded: an Enricher returns what it found within its time budget, never
// an error, so a message never waits for, or is blocked by, enrichment.
// The implementations live in sub-packages:
//
//   - enrich/codedeploy: the CodeDeploy and ECS lookups (and the IAM
//     permissions they need);
//   - enrich/simulated: realistic made-up details for `cutover demo` and
//     tests, without AWS.
//
// The package holds no clients or state. Its helpers such as
// [Window.Open] and [Service.Live] are pure: they take the time to judge
// for and give the same answer for the same input; the wording is
// package message's.
package enrich
