package app

import (
	"context"
	"sync"

	cd "github.com/aws/aws-sdk-go-v2/service/codedeploy"
)

// lazy holds a value built on first use, once, so that an invocation that
// never needs an AWS client does not pay for building it. Safe for
// concurrent use.
type lazy[T any] struct {
	once  sync.Once
	build func() T
	v     T
}

// newLazy returns a holder that builds its value with build on first use.
func newLazy[T any](build func() T) *lazy[T] { return &lazy[T]{build: build} }

// get returns the value, building it on the first call.
func (l *lazy[T]) get() T {
	l.once.Do(func() { l.v = l.build() })
	return l.v
}

// lazyCodeDeploy is a hook.CodeDeployAPI whose client is built on first
// use: most invocations are notifications, not CodeDeploy hooks.
type lazyCodeDeploy struct{ c *lazy[*cd.Client] }

// GetDeployment calls the client's GetDeployment.
func (l lazyCodeDeploy) GetDeployment(ctx context.Context, in *cd.GetDeploymentInput, opts ...func(*cd.Options)) (*cd.GetDeploymentOutput, error) {
	return l.c.get().GetDeployment(ctx, in, opts...)
}

// ListDeploymentTargets calls the client's ListDeploymentTargets.
func (l lazyCodeDeploy) ListDeploymentTargets(ctx context.Context, in *cd.ListDeploymentTargetsInput, opts ...func(*cd.Options)) (*cd.ListDeploymentTargetsOutput, error) {
	return l.c.get().ListDeploymentTargets(ctx, in, opts...)
}

// GetDeploymentTarget calls the client's GetDeploymentTarget.
func (l lazyCodeDeploy) GetDeploymentTarget(ctx context.Context, in *cd.GetDeploymentTargetInput, opts ...func(*cd.Options)) (*cd.GetDeploymentTargetOutput, error) {
	return l.c.get().GetDeploymentTarget(ctx, in, opts...)
}

// PutLifecycleEventHookExecutionStatus calls the client's
// PutLifecycleEventHookExecutionStatus.
func (l lazyCodeDeploy) PutLifecycleEventHookExecutionStatus(ctx context.Context, in *cd.PutLifecycleEventHookExecutionStatusInput, opts ...func(*cd.Options)) (*cd.PutLifecycleEventHookExecutionStatusOutput, error) {
	return l.c.get().PutLifecycleEventHookExecutionStatus(ctx, in, opts...)
}
