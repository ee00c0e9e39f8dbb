package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cd "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"

	"github.com/cutover-dev/cutover/internal/check"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
	"github.com/cutover-dev/cutover/internal/enrich/simulated"
	"github.com/cutover-dev/cutover/internal/hook"
)

// The demo's failing deployment, which its AfterAllowTraffic hook (cutover)
// checks.
const (
	demoFailApp     = "checkout-api"
	demoFailGroup   = "checkout-api-prod"
	demoFailID      = "d-DEMOFAIL1"
	demoFailTarget  = "prod-cluster:checkout-api"
	demoSlowLatency = 2400 * time.Millisecond
)

// demoApp is a stand-in for the new version of checkout-api on loopback:
// it answers "ok", the 20th request of every 20 after demoSlowLatency, so
// that the demo's check measures a real p99 over its budget.
type demoApp struct {
	url  string
	srv  *http.Server
	mu   sync.Mutex
	seen int
}

// startDemoApp listens on 127.0.0.1 (the demo needs no other network).
func startDemoApp() (*demoApp, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: stand-in application: %w", err)
	}
	a := &demoApp{url: "http://" + ln.Addr().String()}
	a.srv = &http.Server{Handler: a, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = a.srv.Serve(ln) }()
	return a, nil
}

// ServeHTTP answers like a small service with one slow answer in 20.
func (a *demoApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.seen++
	slow := a.seen%20 == 0
	a.mu.Unlock()
	if slow {
		select {
		case <-time.After(demoSlowLatency):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte("ok"))
}

// Close stops the application.
func (a *demoApp) Close() { _ = a.srv.Close() }

// demoChecks is the check the demo's hook runs, as a user would configure
// it in CUTOVER_CHECKS: 20 requests to the stand-in's /api/ping, a p99
// budget of 800 ms.
func demoChecks(appURL string) *check.Checker {
	return check.New([]check.Spec{{
		Name: "checkout-smoke", Type: check.TypeHTTP, URL: appURL + "/api/ping", Method: http.MethodGet,
		Requests: 20, Timeout: 5 * time.Second, ExpectStatus: []int{http.StatusOK}, BodyContains: "ok",
		P99: 800 * time.Millisecond,
	}}, check.Deps{HTTP: check.NewHTTPClient()})
}

// demoCodeDeploy is a simulated CodeDeploy for the demo's hook: the
// lookups answer that checkout-api's AfterAllowTraffic is in progress, and
// the status reported is kept (nothing leaves the machine).
type demoCodeDeploy struct {
	mu       sync.Mutex
	reported []string
}

var _ hook.CodeDeployAPI = (*demoCodeDeploy)(nil)

// GetDeployment names the application and deployment group.
func (c *demoCodeDeploy) GetDeployment(_ context.Context, in *cd.GetDeploymentInput, _ ...func(*cd.Options)) (*cd.GetDeploymentOutput, error) {
	return &cd.GetDeploymentOutput{DeploymentInfo: &cdtypes.DeploymentInfo{
		DeploymentId: in.DeploymentId, ApplicationName: aws.String(demoFailApp), DeploymentGroupName: aws.String(demoFailGroup),
		ComputePlatform: cdtypes.ComputePlatformEcs,
	}}, nil
}

// ListDeploymentTargets lists the ECS service.
func (c *demoCodeDeploy) ListDeploymentTargets(context.Context, *cd.ListDeploymentTargetsInput, ...func(*cd.Options)) (*cd.ListDeploymentTargetsOutput, error) {
	return &cd.ListDeploymentTargetsOutput{TargetIds: []string{demoFailTarget}}, nil
}

// GetDeploymentTarget says AfterAllowTraffic is in progress.
func (c *demoCodeDeploy) GetDeploymentTarget(context.Context, *cd.GetDeploymentTargetInput, ...func(*cd.Options)) (*cd.GetDeploymentTargetOutput, error) {
	return &cd.GetDeploymentTargetOutput{DeploymentTarget: &cdtypes.DeploymentTarget{EcsTarget: &cdtypes.ECSTarget{
		TargetId:  aws.String(demoFailTarget),
		TargetArn: aws.String("arn:aws:ecs:us-east-1:111122223333:service/prod-cluster/checkout-api"),
		LifecycleEvents: []cdtypes.LifecycleEvent{
			{LifecycleEventName: aws.String(hook.CodeDeployAfterAllowTraffic), Status: cdtypes.LifecycleEventStatusInProgress},
		},
	}}}, nil
}

// PutLifecycleEventHookExecutionStatus keeps the status.
func (c *demoCodeDeploy) PutLifecycleEventHookExecutionStatus(_ context.Context, in *cd.PutLifecycleEventHookExecutionStatusInput, _ ...func(*cd.Options)) (*cd.PutLifecycleEventHookExecutionStatusOutput, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reported = append(c.reported, string(in.Status))
	return &cd.PutLifecycleEventHookExecutionStatusOutput{LifecycleEventHookExecutionId: in.LifecycleEventHookExecutionId}, nil
}

// demoHookInvocation is what CodeDeploy sends cutover as the
// AfterAllowTraffic hook of the failing deployment.
func demoHookInvocation() []byte {
	b, _ := json.Marshal(map[string]string{"DeploymentId": demoFailID, "LifecycleEventHookExecutionId": "eyJkZW1vIjoiY2hlY2tvdXQtc21va2UifQ=="})
	return b
}

// demoEnricher is the demo's simulated enrichment, with the demo's clock
// as the time of an event that carries none (a lifecycle-hook invocation),
// so its rollback window opens at the switch as in the Lambda.
type demoEnricher struct {
	simulated.Enricher
	now func() time.Time
}

// Details returns simulated details of ev, stamped now when ev has no time.
func (e demoEnricher) Details(ctx context.Context, ev *deploy.Event) (*enrich.Details, []enrich.Warning) {
	if ev != nil && ev.LastUpdated.IsZero() && ev.Published.IsZero() && ev.CreateTime.IsZero() {
		stamped := *ev
		stamped.Published = e.now()
		ev = &stamped
	}
	return e.Enricher.Details(ctx, ev)
}
