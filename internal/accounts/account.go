// Package accounts connects one cutover (the hub) to the AWS accounts its
// deployments run in (the spokes). An Account names the role the hub
// assumes in a spoke (CUTOVER_ACCOUNTS); a Resolver gives the aws.Config
// to use for an event's account, region and deployment: the hub's own
// credentials for the hub's own account, an assumed-role configuration
// (with the external ID, and a session name that carries the deployment
// ID so CloudTrail shows which deployment the hub acted for) for a listed
// account, and a *NotListedError for any other account, so that callers
// notify with what the payload carries and never look up or act with the
// hub's own credentials.
package accounts

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/cutover-dev/cutover/internal/secret"
)

// Account is one connected (spoke) account.
type Account struct {
	// ID is the 12-digit account ID.
	ID string
	// RoleARN is the role the hub assumes in the account.
	RoleARN string
	// ExternalID is passed to sts:AssumeRole when set. It is not a secret
	// in AWS's sense (it guards against the confused deputy), but it is
	// never logged or echoed.
	ExternalID secret.Value
}

// roleARNPattern is an IAM role ARN in any partition: partition, account
// and the role's path and name (at most maxRolePath characters, checked
// by roleARNParts: a counted repetition would compile to 512 copies of the
// class). Compiled on first use: only CUTOVER_ACCOUNTS needs it.
var roleARNPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):iam::([0-9]{12}):role/([\w+=,.@/-]+)$`)
})

// maxRolePath is the longest role path and name a role ARN may carry.
const maxRolePath = 512

// roleARNParts returns the submatches of roleARNPattern (whole, partition,
// account, path and name), or nil when arn is not a role ARN.
func roleARNParts(arn string) []string {
	m := roleARNPattern().FindStringSubmatch(arn)
	if m == nil || len(m[3]) > maxRolePath {
		return nil
	}
	return m
}

// externalIDPattern is what STS accepts as an external ID (compiled on
// first use).
var externalIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@:/-]+$`) })

// CheckRoleARN reports whether arn is an IAM role ARN of account, in
// any partition. Role ARNs are not secret: errors quote them.
func CheckRoleARN(arn, account string) error {
	m := roleARNParts(arn)
	switch {
	case arn == "":
		return fmt.Errorf("no role_arn (the role cutover assumes in the account, e.g. arn:aws:iam::%s:role/cutover-hub)", account)
	case m == nil:
		return fmt.Errorf("role_arn %q is not an IAM role ARN like arn:aws:iam::%s:role/cutover-hub", clip(arn), account)
	case m[2] != account:
		return fmt.Errorf("role_arn %q is a role of account %s, not of %s", arn, m[2], account)
	}
	return nil
}

// CheckExternalID reports whether id is an external ID STS accepts (2 to
// 1224 characters of letters, digits and +=,.@:/-), never echoing it.
func CheckExternalID(id string) error {
	if len(id) < 2 || len(id) > 1224 || !externalIDPattern().MatchString(id) {
		return fmt.Errorf("external_id is not 2 to 1224 letters, digits or +=,.@:/- (value not shown)")
	}
	return nil
}

// Partition is the partition of a role ARN ("aws", "aws-cn", …), or "".
func Partition(roleARN string) string {
	if m := roleARNParts(roleARN); m != nil {
		return m[1]
	}
	return ""
}

// maxSessionName is STS's limit on RoleSessionName.
const maxSessionName = 64

// sessionPrefix starts every session name cutover uses.
const sessionPrefix = "cutover-"

// SessionName is the RoleSessionName for acting on deploymentID: "cutover-"
// and the deployment ID, every character STS refuses ([^\w+=,.@-]) turned
// into "-", cut to STS's 64 characters keeping the end (where the unique
// part of an ECS deployment ARN is); "cutover" without a deployment.
func SessionName(deploymentID string) string {
	var b strings.Builder
	for _, r := range deploymentID {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			strings.ContainsRune("_+=,.@-", r):
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	id := strings.Trim(b.String(), "-")
	if id == "" {
		return "cutover"
	}
	if len(id) > maxSessionName-len(sessionPrefix) {
		id = strings.TrimLeft(id[len(id)-(maxSessionName-len(sessionPrefix)):], "-")
	}
	return sessionPrefix + id
}

// clip shortens s for error messages.
func clip(s string) string {
	const n = 120
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
