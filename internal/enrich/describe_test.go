package enrich

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

func jsonValid(b []byte) bool { return json.Valid(b) }

func TestWindowOpenLeft(t *testing.T) {
	now := time.Date(2026, time.March, 10, 13, 54, 0, 0, time.UTC)
	deadline := time.Date(2026, time.March, 10, 14, 52, 0, 0, time.UTC)
	w := &Window{Kind: WindowRollback, Start: deadline.Add(-time.Hour), Wait: time.Hour, Deadline: deadline, Action: "TERMINATE"}
	if !w.Open(now) || w.Left(now) != 58*time.Minute || w.Open(deadline) || w.Left(deadline) != 0 {
		t.Errorf("Open/Left wrong for %+v", w)
	}
}

func TestDetectPipeline(t *testing.T) {
	s3 := func(bucket, key string) *cdtypes.RevisionLocation {
		return &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeS3,
			S3Location: &cdtypes.S3Location{Bucket: aws.String(bucket), Key: aws.String(key), BundleType: cdtypes.BundleTypeZip}}
	}
	for _, tc := range []struct {
		name string
		dep  cdtypes.DeploymentInfo
		want *Pipeline
	}{
		{"artifact bucket", cdtypes.DeploymentInfo{Creator: "user", Revision: s3("codepipeline-us-west-2-19350903934", "WebFrontend/BuildArtif/geJaVBS")},
			&Pipeline{Name: "WebFrontend", From: "revision"}},
		{"artifact bucket, long name", cdtypes.DeploymentInfo{Creator: "user", Revision: s3("codepipeline-us-east-1-123456789012", "web-frontend-release/BuildArtif/Ab12Cd3")},
			&Pipeline{Name: "web-frontend-release", NameTruncated: true, From: "revision"}},
		{"own bucket", cdtypes.DeploymentInfo{Creator: "user", Revision: s3("my-artifacts", "web/build.zip")}, nil},
		{"description with execution", cdtypes.DeploymentInfo{Creator: "user", Description: aws.String("CodePipeline web-frontend execution 0f4c2b1e-9d3a-4c57-8e21-6b7a9c0d1e2f")},
			&Pipeline{Name: "web-frontend", ExecutionID: "0f4c2b1e-9d3a-4c57-8e21-6b7a9c0d1e2f", From: "description"}},
		{"description key=value", cdtypes.DeploymentInfo{Description: aws.String("pipeline=api-release executionId=0f4c2b1e-9d3a-4c57-8e21-6b7a9c0d1e2f commit 3f9c2e1")},
			&Pipeline{Name: "api-release", ExecutionID: "0f4c2b1e-9d3a-4c57-8e21-6b7a9c0d1e2f", From: "description"}},
		{"description ARN", cdtypes.DeploymentInfo{Description: aws.String("from arn:aws:codepipeline:us-east-1:111122223333:shop-release")},
			&Pipeline{Name: "shop-release", From: "description"}},
		{"description without pipeline", cdtypes.DeploymentInfo{Creator: "user", Description: aws.String("hotfix 0f4c2b1e-9d3a-4c57-8e21-6b7a9c0d1e2f")}, nil},
		{"rollback", cdtypes.DeploymentInfo{Creator: "codeDeployRollback", Description: aws.String("pipeline web")}, nil},
	} {
		got := detectPipeline(&tc.dep)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: detectPipeline = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want Reason
	}{
		{&smithy.GenericAPIError{Code: "AccessDeniedException"}, ReasonDenied},
		{&smithy.GenericAPIError{Code: "ThrottlingException"}, ReasonThrottled},
		{&smithy.GenericAPIError{Code: "DeploymentDoesNotExistException"}, ReasonNotFound},
		{&smithy.GenericAPIError{Code: "ClientException"}, ReasonFailed},
		{context.DeadlineExceeded, ReasonTimeout},
		{errors.New("boom"), ReasonFailed},
		// As the SDK returns them.
		{sdkErr(400, &smithy.GenericAPIError{Code: "UnrecognizedClientException"}), ReasonDenied},
		{sdkErr(400, &smithy.GenericAPIError{Code: "InvalidSignatureException"}), ReasonDenied},
		{sdkErr(400, &cdtypes.DeploymentGroupDoesNotExistException{}), ReasonNotFound},
		{sdkErr(400, &ecstypes.ClusterNotFoundException{}), ReasonNotFound},
		{sdkErr(400, &ecstypes.ServiceNotActiveException{}), ReasonNotFound},
		{sdkErr(400, &smithy.GenericAPIError{Code: "ThrottlingException"}), ReasonThrottled},
		{sdkErr(429, &smithy.GenericAPIError{Code: "TooManyRequests"}), ReasonThrottled},
		{sdkErr(500, &smithy.GenericAPIError{Code: "InternalFailure"}), ReasonFailed},
		{&smithy.OperationError{ServiceID: "ECS", OperationName: "DescribeServices", Err: &aws.RequestCanceledError{Err: context.DeadlineExceeded}}, ReasonTimeout},
	} {
		if got := classify(tc.err); got != tc.want {
			t.Errorf("classify(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestSimulated(t *testing.T) {
	now := time.Date(2026, time.March, 10, 14, 0, 0, 0, time.UTC)
	ev := switchEvent()
	ev.LastUpdated = now
	a, b := Simulated(ev), Simulated(ev)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("Simulated is not deterministic")
	}
	if !a.Simulated || a.Service.New() == nil || a.Service.Old() == nil || a.Window == nil || a.Commands.RollBack == "" ||
		a.Links.Service == "" || len(a.Links.Logs) != 1 || a.Links.Pipeline == "" {
		t.Errorf("switch: %+v", a)
	}
	// message words it "Roll back before 15:00 UTC (58 min left)".
	if left := a.Window.Left(now.Add(2 * time.Minute)); left.Truncate(time.Minute) != 58*time.Minute || a.Window.Deadline.UTC().Format("15:04") != "15:00" {
		t.Errorf("window = %+v, %v left", a.Window, left)
	}
	for _, k := range []string{codedeploy.DeploymentReady, codedeploy.DeploymentFailure, codedeploy.DeploymentStop,
		codedeploy.DeploymentRollback, codedeploy.DeploymentStart, codedeploy.DeploymentSuccess} {
		e := readyEvent()
		e.Name = k
		codedeploy.Classify(e)
		d := Simulated(e)
		if d == nil || d.Deployment == nil || !d.Simulated {
			t.Errorf("%s: %+v", k, d)
			continue
		}
		switch k {
		case codedeploy.DeploymentReady:
			if d.Window == nil || d.Window.Kind != WindowReroute || d.Commands.Reroute == "" {
				t.Errorf("ready: %+v", d)
			}
		case codedeploy.DeploymentFailure, codedeploy.DeploymentStop, codedeploy.DeploymentRollback:
			if d.Failure == nil || d.Failure.Diagnostics == nil || d.Commands != (Commands{}) || d.Links.Related == "" {
				t.Errorf("%s: %+v", k, d)
			}
		}
	}
	rb := switchEvent()
	rb.Rollback = &deploy.Rollback{RollsBack: "d-M4QFAIL01"}
	if d := Simulated(rb); d.Window != nil || d.Commands != (Commands{}) || d.Deployment.RollbackTriggeringDeploymentID != "d-M4QFAIL01" {
		t.Errorf("rollback switch: %+v", d)
	}
	if Simulated(nil) != nil || Simulated(&deploy.Event{Name: codedeploy.TriggerTest}) != nil {
		t.Error("Simulated of nothing is not nil")
	}
}

func TestBuildWindowPrefersDeploymentConfig(t *testing.T) {
	cfg := func(minutes int32) *cdtypes.BlueGreenDeploymentConfiguration {
		return &cdtypes.BlueGreenDeploymentConfiguration{TerminateBlueInstancesOnDeploymentSuccess: &cdtypes.BlueInstanceTerminationOption{
			Action: cdtypes.InstanceActionTerminate, TerminationWaitTimeInMinutes: minutes}}
	}
	ev := switchEvent()
	snap := snapshot{
		dep:   &cdtypes.DeploymentInfo{Status: cdtypes.DeploymentStatusInProgress, BlueGreenDeploymentConfiguration: cfg(15)},
		group: &cdtypes.DeploymentGroupInfo{BlueGreenDeploymentConfiguration: cfg(60)},
	}
	w, msg := switchWindow(ev, &snap, nil, fixedNow)
	if msg != "" || w.Wait != 15*time.Minute || w.NoWindow {
		t.Errorf("window = %+v (%s)", w, msg)
	}
	snap.dep.BlueGreenDeploymentConfiguration = cfg(0)
	w, _ = switchWindow(ev, &snap, nil, fixedNow)
	if !w.NoWindow || w.Open(fixedNow) {
		t.Errorf("zero wait: %+v", w)
	}
	d, _ := build(ev, snap, fixedNow)
	if d.Commands != (Commands{}) {
		t.Errorf("commands with no window: %+v", d.Commands)
	}
	snap.dep.BlueGreenDeploymentConfiguration = cfg(60)
	snap.dep.Status = cdtypes.DeploymentStatusSucceeded
	snap.dep.CompleteTime = aws.Time(at("2022-10-13T15:59:30Z"))
	d, _ = build(ev, snap, fixedNow)
	if !d.Window.Ended || d.Window.Open(fixedNow) || d.Window.EndedAt.UTC().Format("15:04") != "15:59" || d.Commands != (Commands{}) {
		t.Errorf("finished early: %+v %+v", d.Window, d.Commands)
	}
}

// sdkErr wraps an error answer as an SDK client method returns it.
func sdkErr(status int, api error) error {
	return &smithy.OperationError{ServiceID: "CodeDeploy", OperationName: "GetDeployment", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: api},
		RequestID:     "REQ1",
	}}
}

func TestResourceFromDenied(t *testing.T) {
	err := sdkErr(400, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User: arn:aws:sts::111122223333:assumed-role/fn/x is not authorized to perform: " +
		"codedeploy:GetDeployment on resource: arn:aws:codedeploy:us-east-1:111122223333:deploymentgroup:web/web-prod because no identity-based policy allows the codedeploy:GetDeployment action"})
	if got := resourceFromDenied(err); got != "arn:aws:codedeploy:us-east-1:111122223333:deploymentgroup:web/web-prod" {
		t.Errorf("resourceFromDenied = %q", got)
	}
	if got := resourceFromDenied(errors.New("on resource: arn:aws:x")); got != "" {
		t.Errorf("resourceFromDenied(not an AWS error) = %q", got)
	}
}
