package codedeploy

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cutover-dev/cutover/internal/deploy"
	cdsource "github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// route is how the fake answers one operation.
type route struct {
	// status is the HTTP status (default 200).
	status int
	// file is a testdata file to answer with.
	file string
	// body is the answer when file is empty.
	body []byte
	// pick chooses the file from the decoded request, overriding file.
	pick func(req map[string]any) string
	// hang, when set, blocks the handler until it is closed; entered is
	// closed (once) when a request arrives, returned when the handler ends.
	hang         <-chan struct{}
	entered      chan struct{}
	returned     chan struct{}
	enteredOnce  sync.Once
	returnedOnce sync.Once
}

// fakeAWS serves recorded AWS JSON 1.1 responses keyed on the operation in
// the X-Amz-Target header ("CodeDeploy_20141006.GetDeployment" →
// "GetDeployment"). Operations without a route go to fallback (e.g. moto)
// or fail with UnknownOperationException.
type fakeAWS struct {
	t        testing.TB
	srv      *httptest.Server
	fallback http.Handler

	mu      sync.Mutex
	routes  map[string]*route
	hits    map[string]int
	regions map[string][]string
}

func newFakeAWS(t testing.TB, routes map[string]*route) *fakeAWS {
	t.Helper()
	f := &fakeAWS{t: t, routes: routes, hits: map[string]int{}, regions: map[string][]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// standardRoutes answers every lookup of the traffic-switch scenario.
func standardRoutes() map[string]*route {
	return map[string]*route{
		"GetDeployment":             {file: "get-deployment.json"},
		"GetDeploymentGroup":        {file: "get-deployment-group.json"},
		"ListDeploymentTargets":     {file: "list-deployment-targets.json"},
		"BatchGetDeploymentTargets": {file: "batch-get-deployment-targets.json"},
		"DescribeTaskSets":          {file: "describe-task-sets.json"},
		"DescribeTaskDefinition": {pick: func(req map[string]any) string {
			td, _ := req["taskDefinition"].(string)
			return "describe-task-definition-" + strings.ReplaceAll(taskDefName(td), ":", "-") + ".json"
		}},
	}
}

func (f *fakeAWS) serve(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	_, op, _ := strings.Cut(target, ".")
	f.mu.Lock()
	rt := f.routes[op]
	f.hits[op]++
	f.regions[op] = append(f.regions[op], signingRegion(r.Header.Get("Authorization")))
	f.mu.Unlock()
	if rt == nil {
		if f.fallback != nil {
			f.fallback.ServeHTTP(w, r)
			return
		}
		writeJSON(w, http.StatusBadRequest, []byte(`{"__type":"UnknownOperationException","message":"fake has no route for `+op+`"}`))
		return
	}
	raw, _ := io.ReadAll(r.Body)
	if rt.hang != nil {
		rt.enteredOnce.Do(func() {
			if rt.entered != nil {
				close(rt.entered)
			}
		})
		<-rt.hang
		rt.returnedOnce.Do(func() {
			if rt.returned != nil {
				close(rt.returned)
			}
		})
		return
	}
	file := rt.file
	if rt.pick != nil {
		var req map[string]any
		_ = json.Unmarshal(raw, &req)
		file = rt.pick(req)
	}
	body := rt.body
	if file != "" {
		var err error
		body, err = os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, []byte(fmt.Sprintf(`{"__type":"InternalFailure","message":%q}`, err.Error())))
			return
		}
	}
	status := rt.status
	if status == 0 {
		status = http.StatusOK
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", "0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// signingRegion extracts the region of a SigV4 Authorization header.
func signingRegion(auth string) string {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	parts := strings.Split(rest, "/")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

func (f *fakeAWS) hitCount(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[op]
}

func (f *fakeAWS) awsConfig() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(f.srv.URL),
	}
}

// fixedNow is the clock of the tests: two minutes after traffic switched
// in the traffic-switch scenario.
var fixedNow = time.Date(2022, time.October, 13, 16, 0, 0, 0, time.UTC)

func (f *fakeAWS) enricher(timeout time.Duration) *Enricher {
	return New(f.awsConfig(), Options{Timeout: timeout, Now: func() time.Time { return fixedNow }})
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// switchEvent is the ECS InstanceSuccess (traffic switched) of
// d-7XQ2K9ABC, as the decoder gives it for a real trigger message.
func switchEvent() *deploy.Event {
	lc := func(name, start, end string) deploy.LifecycleStep {
		return deploy.LifecycleStep{Name: name, Status: "Succeeded", Start: at(start), End: at(end)}
	}
	return &deploy.Event{
		Name:  cdsource.InstanceSuccess,
		Phase: deploy.TrafficSwitched, Platform: deploy.CodeDeployECS,
		Source:          cdsource.SourceTrigger,
		ID:              "key:d-7XQ2K9ABC/InstanceSuccess/prod-cluster:web-frontend",
		Region:          "us-east-1",
		AccountID:       "111122223333",
		TriggerName:     "cutover",
		Application:     "web-frontend",
		DeploymentGroup: "web-frontend-prod",
		DeploymentID:    "d-7XQ2K9ABC",
		Status:          "SUCCEEDED",
		RawStatus:       "Succeeded",
		LastUpdated:     at("2022-10-13T15:58:02Z"),
		Target: &deploy.Target{
			ID: "prod-cluster:web-frontend", Type: "ECS", Cluster: "prod-cluster", Service: "web-frontend",
			Lifecycle: []deploy.LifecycleStep{
				lc("BeforeInstall", "2022-10-13T15:50:47Z", "2022-10-13T15:50:48Z"),
				lc("Install", "2022-10-13T15:50:48Z", "2022-10-13T15:53:12Z"),
				lc("AllowTraffic", "2022-10-13T15:55:03Z", "2022-10-13T15:57:41Z"),
				lc("AfterAllowTraffic", "2022-10-13T15:57:41Z", "2022-10-13T15:58:02Z"),
			},
		},
	}
}

// readyEvent is the DeploymentReady of d-7XQ2K9ABC delivered through SNS.
func readyEvent() *deploy.Event {
	return &deploy.Event{
		Name:            cdsource.DeploymentReady,
		Phase:           deploy.Ready,
		Source:          cdsource.SourceTrigger,
		Region:          "us-east-1",
		AccountID:       "111122223333",
		Application:     "web-frontend",
		DeploymentGroup: "web-frontend-prod",
		DeploymentID:    "d-7XQ2K9ABC",
		Status:          "READY",
		Published:       at("2022-10-13T15:55:03.412Z"),
		CreateTime:      at("2022-10-13T15:50:45Z"),
	}
}

// failureEvent is the DeploymentFailure of d-M4QFAIL01 in eu-west-1.
func failureEvent() *deploy.Event {
	return &deploy.Event{
		Name:            cdsource.DeploymentFailure,
		Phase:           deploy.Failed,
		Source:          cdsource.SourceTrigger,
		Region:          "eu-west-1",
		AccountID:       "111122223333",
		Application:     "checkout-api",
		DeploymentGroup: "checkout-api-prod",
		DeploymentID:    "d-M4QFAIL01",
		Status:          "FAILED",
		CreateTime:      at("2022-11-04T09:12:07Z"),
		CompleteTime:    at("2022-11-04T09:31:55Z"),
		Error:           &deploy.Error{Code: "ECS_UPDATE_ERROR", Message: "CodeDeploy detected that the replacement task set is unhealthy."},
	}
}
