// Package codedeploy is the enrichment of CodeDeploy ECS blue/green
// deployments: it looks up what a CodeDeploy notification leaves out, in
// the CodeDeploy and ECS APIs, and turns it into [enrich.Details]: who
// started the deployment (a user, a CodePipeline execution, an automatic
// rollback), how long the team has to roll back after production traffic
// switched, which task sets, task definitions and container images are
// serving, what failed and why, console links and ready-to-paste AWS CLI
// commands. Its [Enricher] implements [enrich.Enricher].
//
// Enrichment is optional and bounded. An [Enricher] runs its lookups
// concurrently under [Options.Timeout] (2 s by default) and returns what
// it found by then, with one [enrich.Warning] per lookup that was denied,
// throttled, timed out or failed. It never returns an error: a message
// must never wait for, or be blocked by, enrichment. A [Session] memoizes
// lookups per deployment, so that the events of one invocation cost one
// GetDeployment each; make one session per invocation with
// [Enricher.NewSession] ([Enricher.Details] uses a session of its own).
//
// Which event gets which lookups:
//
//   - traffic switched (ECS InstanceSuccess): everything below;
//   - DeploymentReady / InstanceReady: the deployment and its group (the
//     reroute deadline);
//   - failure, stop, rollback, InstanceFailure: the deployment and its
//     targets (the failing lifecycle event and its diagnostics);
//   - start, success and other events: the deployment (creator, pipeline);
//   - the trigger test notification: nothing.
//
// # IAM permissions
//
// Grant the function's role these actions; each one missing only removes
// the feature it enables, with a Warning naming the action and the resource
// to grant it on:
//
//   - codedeploy:GetDeployment on
//     arn:aws:codedeploy:REGION:ACCOUNT:deploymentgroup:APPLICATION/GROUP:
//     creator and CodePipeline origin, description, status messages, error
//     information, rollback links, and whether the termination wait started.
//   - codedeploy:GetDeploymentGroup on the same deployment group ARN: the
//     rollback window (terminationWaitTimeInMinutes) and the reroute
//     deadline (deploymentReadyOption) when the deployment does not carry
//     them, and the ECS service when the event does not name it.
//   - codedeploy:ListDeploymentTargets on the same ARN: finds the target of
//     deployment-level events (failure, stop, rollback).
//   - codedeploy:BatchGetDeploymentTargets on the same ARN: traffic weights,
//     BLUE/GREEN labels and task counts of the task sets, the failing
//     lifecycle event and its diagnostics, and when the termination wait
//     began (the end of AfterAllowTraffic).
//   - ecs:DescribeTaskSets on "*" (or the service ARN): the task definition
//     of each task set.
//   - ecs:DescribeTaskDefinition on "*" (the action takes no resource):
//     container images and the CloudWatch log group (awslogs) for the logs
//     link.
//
// The package holds no package-level clients or state. [Links] and
// [Commands] are pure, so simulated details share them.
package codedeploy
