package message

// Deployment is the deployment n's messages are kept under, so that every
// message of one deployment follows the same earlier message (receipts, a
// Slack app's thread): the deployment the enrichment found when it found
// one, else the event's. An ECS-native EventBridge event names its
// deployment "ecs-svc/…" and the lifecycle hook its service-deployment
// ARN; the ECS lookups resolve the first to the second
// (enrich.Details.DeploymentID), so both share one thread. Without the
// lookups they stay apart.
func (n *Notice) Deployment() string {
	if n.Details != nil && n.Details.DeploymentID != "" {
		return n.Details.DeploymentID
	}
	return n.Event.DeploymentID
}
