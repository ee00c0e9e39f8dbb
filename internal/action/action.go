// Package action runs cutover actions: things done the moment production
// traffic switches (or switches back), such as invalidating CloudFront.
package action

// Result reports one action on one target, for chat messages and logs.
type Result struct {
	// Action names the action, e.g. "cloudfront-invalidation".
	Action string `json:"action"`
	// Target is what it acted on, e.g. a CloudFront distribution ID.
	Target string `json:"target"`
	// ID is the identifier the target returned, e.g. an invalidation ID.
	ID string `json:"id,omitempty"`
	// Paths are the invalidated paths, for invalidations.
	Paths []string `json:"paths,omitempty"`
	// Status is the target's status after the action, e.g. "InProgress".
	Status string `json:"status,omitempty"`
	// DryRun is true when the action was only described, not performed.
	DryRun bool `json:"dryRun,omitempty"`
	// Skipped says why the action was not performed, when it was not.
	Skipped string `json:"skipped,omitempty"`
	// Error is the failure, when the action failed.
	Error string `json:"error,omitempty"`
}
