package delivery

import "github.com/cutover-dev/cutover/internal/message"

// threadDeployment is the deployment a notice's receipts are kept under,
// so that every message of one deployment follows the same earlier
// message (a Slack app's living message, a thread). It is the deployment
// the enrichment found when it found one, else the event's: an ECS-native
// EventBridge event names its deployment "ecs-svc/…", the lifecycle hook
// by its service-deployment ARN, and the ECS lookups resolve the first to
// the second (enrich.Details.DeploymentID), so both share one thread.
func threadDeployment(n *message.Notice) string {
	if n.Details != nil && n.Details.DeploymentID != "" {
		return n.Details.DeploymentID
	}
	return n.Event.DeploymentID
}
