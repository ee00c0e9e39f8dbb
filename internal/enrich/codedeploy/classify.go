package codedeploy

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"

	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/enrich"
)

// classify tells why err happened. Credentials AWS does not accept read
// as denied too: either way the role cannot make the call.
func classify(err error) enrich.Reason {
	switch {
	case awsx.Denied(err, "UnrecognizedClientException", "InvalidSignatureException"):
		return enrich.ReasonDenied
	case awsx.Throttled(err):
		return enrich.ReasonThrottled
	case awsx.NotFound(err, "ServiceNotActiveException"):
		return enrich.ReasonNotFound
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return enrich.ReasonTimeout
	}
	return enrich.ReasonFailed
}

// deniedResource matches the resource in an AccessDenied message such as
// "User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform:
// codedeploy:GetDeployment on resource: arn:aws:codedeploy:...:deploymentgroup:a/g
// because no identity-based policy allows the codedeploy:GetDeployment action".
var deniedResource = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`on resource: (arn:[^\s"]+)`) })

// resourceFromDenied returns the resource ARN an AccessDenied error names,
// or "".
func resourceFromDenied(err error) string {
	m := deniedResource().FindStringSubmatch(awsx.Message(err))
	if m == nil {
		return ""
	}
	return strings.TrimRight(m[1], ".,;")
}
