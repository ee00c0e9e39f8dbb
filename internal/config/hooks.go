package config

import (
	"slices"
	"strings"

	"github.com/cutover-dev/cutover/internal/hook"
)

// The lifecycle-hook variables.
const (
	// EnvHookOnError is how a lifecycle hook answers when cutover itself
	// fails: "continue" (SUCCEEDED) or "rollback" (FAILED).
	EnvHookOnError = "CUTOVER_HOOK_ON_ERROR"
	// EnvHookCodeDeployEvent is the CodeDeploy hook assumed when the
	// lookup of the lifecycle event in progress fails.
	EnvHookCodeDeployEvent = "CUTOVER_HOOK_CODEDEPLOY_EVENT"
)

// Hooks configures lifecycle-hook mode.
type Hooks struct {
	// OnError is how a hook answers when cutover itself fails.
	OnError hook.OnError
	// CodeDeployEvent is the CodeDeploy hook name assumed when the lookup
	// of the lifecycle event in progress fails.
	CodeDeployEvent string
}

// DefaultHooks is the hook configuration with nothing set.
func DefaultHooks() Hooks {
	return Hooks{OnError: hook.Continue, CodeDeployEvent: hook.CodeDeployAfterAllowTraffic}
}

// hookVars documents the hook variables (see Vars).
var hookVars = []Var{
	{Name: EnvHookOnError, Default: string(hook.Continue), Meaning: "How a lifecycle hook answers when cutover itself fails (a destination down, CloudFront throttled, records unavailable, input it cannot read): `continue` answers SUCCEEDED and keeps the undelivered notification for `cutover replay`; `rollback` answers FAILED. Failing checks always answer FAILED. See [docs/hooks.md](docs/hooks.md)."},
	{Name: EnvHookCodeDeployEvent, Default: hook.CodeDeployAfterAllowTraffic, Meaning: "The CodeDeploy hook a hook invocation is taken for when the lookup of the lifecycle event in progress fails (the invocation does not name its hook): `BeforeInstall`, `AfterInstall`, `AfterAllowTestTraffic`, `BeforeAllowTraffic` or `AfterAllowTraffic`."},
}

// parseHooks reads the hook variables into c.
func (c *Config) parseHooks(get func(string) string, bad func(name, format string, args ...any)) {
	if v := get(EnvHookOnError); v != "" {
		if o, err := hook.ParseOnError(v); err != nil {
			bad(EnvHookOnError, "%q is neither %q nor %q", clip(v), hook.Continue, hook.Rollback)
		} else {
			c.Hooks.OnError = o
		}
	}
	if v := get(EnvHookCodeDeployEvent); v != "" {
		if !slices.Contains(hook.CodeDeployHooks, v) {
			bad(EnvHookCodeDeployEvent, "%q is no CodeDeploy ECS hook (known: %s)", clip(v), strings.Join(hook.CodeDeployHooks, ", "))
		} else {
			c.Hooks.CodeDeployEvent = v
		}
	}
}
