package app

import (
	codedeploysdk "github.com/aws/aws-sdk-go-v2/service/codedeploy"

	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/inbound"
)

// hookOptions configures lifecycle-hook mode: the policy for cutover's own
// faults, and the CodeDeploy client that finds which hook invoked the
// function and reports its status (retried within the standard budget on
// throttling and 5xx, always inside the invocation's deadline).
func (s *System) hookOptions(cfg *config.Config) inbound.HookOptions {
	return inbound.HookOptions{
		OnError:         cfg.Hooks.OnError,
		CodeDeployEvent: cfg.Hooks.CodeDeployEvent,
		CodeDeploy:      codedeploysdk.NewFromConfig(awsx.WithRetries(s.AWS, awsx.Standard)),
		Region:          s.AWS.Region,
	}
}
