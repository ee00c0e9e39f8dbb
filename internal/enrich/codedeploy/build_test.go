package codedeploy

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/enrich"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func jsonValid(b []byte) bool { return json.Valid(b) }

func TestDetectPipeline(t *testing.T) {
	s3 := func(bucket, key string) *cdtypes.RevisionLocation {
		return &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeS3,
			S3Location: &cdtypes.S3Location{Bucket: aws.String(bucket), Key: aws.String(key), BundleType: cdtypes.BundleTypeZip}}
	}
	for _, tc := range []struct {
		name string
		dep  cdtypes.DeploymentInfo
		want *enrich.Pipeline
	}{
		{"artifact bucket", cdtypes.DeploymentInfo{Creator: "user", Revision: s3("codepipeline-us-west-2-19350903934", "WebFrontend/BuildArtif/geJaVBS")},
			&enrich.Pipeline{Name: "WebFrontend", From: "revision"}},
		{"artifact bucket, long name", cdtypes.DeploymentInfo{Creator: "user", Revision: s3("codepipeline-us-east-1-123456789012", "web-frontend-release/BuildArtif/Ab12Cd3")},
			&enrich.Pipeline{Name: "web-frontend-release", NameTruncated: true, From: "revision"}},
		{"own bucket", cdtypes.DeploymentInfo{Creator: "user", Revision: s3("my-artifacts", "web/build.zip")}, nil},
		{"description with execution", cdtypes.DeploymentInfo{Creator: "user", Description: aws.String("CodePipeline web-frontend execution 0f4c2b1e-9d3a-4c57-8e21-6b7a9c0d1e2f")},
			&enrich.Pipeline{Name: "web-frontend", ExecutionID: "0f4c2b1e-9d3a-4c57-8e21-6b7a9c0d1e2f", From: "description"}},
		{"description key=value", cdtypes.DeploymentInfo{Description: aws.String("pipeline=api-release executionId=0f4c2b1e-9d3a-4c57-8e21-6b7a9c0d1e2f commit 3f9c2e1")},
			&enrich.Pipeline{Name: "api-release", ExecutionID: "0f4c2b1e-9d3a-4c57-8e21-6b7a9c0d1e2f", From: "description"}},
		{"description ARN", cdtypes.DeploymentInfo{Description: aws.String("from arn:aws:codepipeline:us-east-1:111122223333:shop-release")},
			&enrich.Pipeline{Name: "shop-release", From: "description"}},
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
		want enrich.Reason
	}{
		{&smithy.GenericAPIError{Code: "AccessDeniedException"}, enrich.ReasonDenied},
		{&smithy.GenericAPIError{Code: "ThrottlingException"}, enrich.ReasonThrottled},
		{&smithy.GenericAPIError{Code: "DeploymentDoesNotExistException"}, enrich.ReasonNotFound},
		{&smithy.GenericAPIError{Code: "ClientException"}, enrich.ReasonFailed},
		{context.DeadlineExceeded, enrich.ReasonTimeout},
		{errors.New("boom"), enrich.ReasonFailed},
		// As the SDK returns them.
		{sdkErr(400, &smithy.GenericAPIError{Code: "UnrecognizedClientException"}), enrich.ReasonDenied},
		{sdkErr(400, &smithy.GenericAPIError{Code: "InvalidSignatureException"}), enrich.ReasonDenied},
		{sdkErr(400, &cdtypes.DeploymentGroupDoesNotExistException{}), enrich.ReasonNotFound},
		{sdkErr(400, &ecstypes.ClusterNotFoundException{}), enrich.ReasonNotFound},
		{sdkErr(400, &ecstypes.ServiceNotActiveException{}), enrich.ReasonNotFound},
		{sdkErr(400, &smithy.GenericAPIError{Code: "ThrottlingException"}), enrich.ReasonThrottled},
		{sdkErr(429, &smithy.GenericAPIError{Code: "TooManyRequests"}), enrich.ReasonThrottled},
		{sdkErr(500, &smithy.GenericAPIError{Code: "InternalFailure"}), enrich.ReasonFailed},
		{&smithy.OperationError{ServiceID: "ECS", OperationName: "DescribeServices", Err: &aws.RequestCanceledError{Err: context.DeadlineExceeded}}, enrich.ReasonTimeout},
	} {
		if got := classify(tc.err); got != tc.want {
			t.Errorf("classify(%v) = %q, want %q", tc.err, got, tc.want)
		}
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
	if d.Commands != (enrich.Commands{}) {
		t.Errorf("commands with no window: %+v", d.Commands)
	}
	snap.dep.BlueGreenDeploymentConfiguration = cfg(60)
	snap.dep.Status = cdtypes.DeploymentStatusSucceeded
	snap.dep.CompleteTime = aws.Time(at("2022-10-13T15:59:30Z"))
	d, _ = build(ev, snap, fixedNow)
	if !d.Window.Ended || d.Window.Open(fixedNow) || d.Window.EndedAt.UTC().Format("15:04") != "15:59" || d.Commands != (enrich.Commands{}) {
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
