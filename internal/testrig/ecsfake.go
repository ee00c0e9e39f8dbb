package testrig

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// ECSTargetPrefix is the X-Amz-Target prefix of the ECS API (AWS JSON 1.1).
const ECSTargetPrefix = "AmazonEC2ContainerServiceV20141113."

// The ECS operations an [ECSFake] answers.
const (
	ECSListServiceDeployments     = "ListServiceDeployments"
	ECSDescribeServiceDeployments = "DescribeServiceDeployments"
	ECSDescribeServiceRevisions   = "DescribeServiceRevisions"
)

// ECSFault is an error an [ECSFake] answers an operation with, in the AWS
// JSON 1.1 error shape ({"__type": Type, "message": Message}).
type ECSFault struct {
	// Status is the HTTP status, e.g. 400.
	Status int
	// Type is the error code, e.g. "AccessDeniedException".
	Type string
	// Message is the error message.
	Message string
}

// ECSDenied is the AccessDeniedException ECS answers when the caller's
// role lacks ecs:<op> on resource.
func ECSDenied(op, resource string) ECSFault {
	return ECSFault{Status: http.StatusBadRequest, Type: "AccessDeniedException", Message: fmt.Sprintf(
		"User: arn:aws:sts::111122223333:assumed-role/cutover/cutover is not authorized to perform: ecs:%s on resource: %s because no identity-based policy allows the ecs:%s action",
		op, resource, op)}
}

// ECSThrottled is the ThrottlingException ECS answers over its rate.
func ECSThrottled() ECSFault {
	return ECSFault{Status: http.StatusBadRequest, Type: "ThrottlingException", Message: "Rate exceeded"}
}

// ECSFake is an ECS API for the service-deployment reads moto lacks
// (ListServiceDeployments, DescribeServiceDeployments,
// DescribeServiceRevisions). It answers AWS JSON 1.1 requests keyed on
// X-Amz-Target from the service deployments and revisions it holds (in
// the API's JSON shape, as the API model and the ECS guide give them:
// ECSFakeBlueGreen loads a blue/green deployment in bake time), enforces
// the API's required parameters and its 20-ARN limit, reports unknown
// ARNs as failures with reason MISSING, and fails an operation on demand.
// Point an SDK client at URL with BaseEndpoint.
type ECSFake struct {
	// URL is the fake's endpoint, e.g. "http://127.0.0.1:41234".
	URL string

	mu          sync.Mutex
	deployments []map[string]any
	revisions   []map[string]any
	faults      map[string]ECSFault
	calls       map[string]int
}

// NewECSFake starts an empty ECSFake, closed when the test ends.
func NewECSFake(t testing.TB) *ECSFake {
	t.Helper()
	f := &ECSFake{faults: map[string]ECSFault{}, calls: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// ECSFakeBlueGreen starts an ECSFake holding the blue/green deployment of
// testdata/ecs: service prod-cluster/web-frontend in us-east-1, account
// 111122223333, deployment EZe5RNVLH6PPzHXINuP28 in BAKE_TIME since
// 2026-11-26 11:52:00 UTC with a 30-minute bake time, target revision
// web-frontend:43 at 100 % production traffic, source revision
// web-frontend:42, circuit breaker and two alarms monitoring.
func ECSFakeBlueGreen(t testing.TB) *ECSFake {
	t.Helper()
	f := NewECSFake(t)
	dir := filepath.Join(ModuleRoot(t), "internal", "testrig", "testdata", "ecs")
	var deps struct {
		ServiceDeployments []map[string]any `json:"serviceDeployments"`
	}
	var revs struct {
		ServiceRevisions []map[string]any `json:"serviceRevisions"`
	}
	for name, v := range map[string]any{"service-deployments.json": &deps, "service-revisions.json": &revs} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("testrig: ecs fake: %v", err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("testrig: ecs fake: %s: %v", name, err)
		}
	}
	for _, d := range deps.ServiceDeployments {
		f.AddDeployment(d)
	}
	for _, r := range revs.ServiceRevisions {
		f.AddRevision(r)
	}
	return f
}

// AWSConfig returns an aws-sdk-go-v2 configuration for the fake: static
// credentials, region us-east-1 and BaseEndpoint set to URL. It reads no
// environment or shared config.
func (f *ECSFake) AWSConfig() aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(f.URL),
	}
}

// AddDeployment adds a service deployment in the API's JSON shape (times
// as epoch seconds); one with the same serviceDeploymentArn is replaced.
func (f *ECSFake) AddDeployment(d map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deployments = slices.DeleteFunc(f.deployments, func(o map[string]any) bool {
		return o["serviceDeploymentArn"] == d["serviceDeploymentArn"]
	})
	f.deployments = append(f.deployments, d)
}

// Deployment returns a copy of the deployment with arn, for a test to
// change and add again; nil if none.
func (f *ECSFake) Deployment(arn string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range f.deployments {
		if d["serviceDeploymentArn"] == arn {
			b, _ := json.Marshal(d)
			var c map[string]any
			_ = json.Unmarshal(b, &c)
			return c
		}
	}
	return nil
}

// AddRevision adds a service revision in the API's JSON shape.
func (f *ECSFake) AddRevision(r map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revisions = append(f.revisions, r)
}

// Fail makes every later call of op answer fault; a zero fault clears it.
func (f *ECSFake) Fail(op string, fault ECSFault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fault.Type == "" {
		delete(f.faults, op)
		return
	}
	f.faults[op] = fault
}

// Calls counts the requests made to op, failed ones included.
func (f *ECSFake) Calls(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func (f *ECSFake) serve(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, typ, msg string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, ECSTargetPrefix)
	if r.Method != http.MethodPost || !ok {
		fail(http.StatusBadRequest, "UnknownOperationException", "unknown target "+target)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		fail(http.StatusBadRequest, "SerializationException", "content type "+ct)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		fail(http.StatusBadRequest, "MissingAuthenticationTokenException", "request is not signed")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var in map[string]any
	if err != nil || json.Unmarshal(body, &in) != nil {
		fail(http.StatusBadRequest, "SerializationException", "body is not a JSON object")
		return
	}
	f.mu.Lock()
	f.calls[op]++
	fault, failing := f.faults[op]
	f.mu.Unlock()
	if failing {
		fail(fault.Status, fault.Type, fault.Message)
		return
	}
	var out any
	switch op {
	case ECSListServiceDeployments:
		out, err = f.list(in)
	case ECSDescribeServiceDeployments:
		out, err = f.describe(in, "serviceDeploymentArns", "serviceDeployments", "serviceDeploymentArn", &f.deployments)
	case ECSDescribeServiceRevisions:
		out, err = f.describe(in, "serviceRevisionArns", "serviceRevisions", "serviceRevisionArn", &f.revisions)
	default:
		fail(http.StatusBadRequest, "UnknownOperationException", "the ECS fake does not answer "+op)
		return
	}
	if err != nil {
		fail(http.StatusBadRequest, "InvalidParameterException", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// list answers ListServiceDeployments: the service's deployments, newest
// first, as briefs.
func (f *ECSFake) list(in map[string]any) (any, error) {
	service, _ := in["service"].(string)
	if service == "" {
		return nil, fmt.Errorf("service is required")
	}
	cluster, _ := in["cluster"].(string)
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]any
	for _, d := range f.deployments {
		svc, _ := d["serviceArn"].(string)
		cl, _ := d["clusterArn"].(string)
		if svc != service && !strings.HasSuffix(svc, "/"+service) {
			continue
		}
		if cluster != "" && cl != cluster && !strings.HasSuffix(cl, "/"+cluster) {
			continue
		}
		brief := map[string]any{}
		for _, k := range []string{"serviceDeploymentArn", "serviceArn", "clusterArn", "startedAt", "createdAt", "finishedAt", "status", "statusReason"} {
			if v, ok := d[k]; ok {
				brief[k] = v
			}
		}
		if t, ok := d["targetServiceRevision"].(map[string]any); ok {
			brief["targetServiceRevisionArn"] = t["arn"]
		}
		out = append(out, brief)
	}
	slices.SortStableFunc(out, func(a, b map[string]any) int {
		ta, _ := a["createdAt"].(float64)
		tb, _ := b["createdAt"].(float64)
		switch {
		case ta > tb:
			return -1
		case ta < tb:
			return 1
		}
		return 0
	})
	return map[string]any{"serviceDeployments": out}, nil
}

// describe answers a Describe call: the items whose key is among the
// requested ARNs, and a MISSING failure for each other ARN.
func (f *ECSFake) describe(in map[string]any, param, list, key string, items *[]map[string]any) (any, error) {
	raw, _ := in[param].([]any)
	if len(raw) == 0 {
		return nil, fmt.Errorf("%s is required", param)
	}
	if len(raw) > 20 {
		return nil, fmt.Errorf("%s: at most 20 ARNs, got %d", param, len(raw))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	found := []map[string]any{}
	failures := []map[string]any{}
	for _, a := range raw {
		arn, _ := a.(string)
		i := slices.IndexFunc(*items, func(d map[string]any) bool { return d[key] == arn })
		if i < 0 {
			failures = append(failures, map[string]any{"arn": arn, "reason": "MISSING"})
			continue
		}
		found = append(found, (*items)[i])
	}
	return map[string]any{list: found, "failures": failures}, nil
}
