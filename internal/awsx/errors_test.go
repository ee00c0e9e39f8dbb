package awsx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// api is an error answer with an AWS code, as the SDK builds for codes it
// has no type for.
func api(code string) *smithy.GenericAPIError {
	return &smithy.GenericAPIError{Code: code, Message: "message of " + code, Fault: smithy.FaultClient}
}

// resp wraps err in the HTTP response error the SDK puts around every
// error answer.
func resp(status int, err error) error {
	return &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status, Status: http.StatusText(status)}},
			Err:      err,
		},
		RequestID: "5f0c1d2e-0000-4000-8000-000000000001",
	}
}

// op wraps err as the SDK returns it from a client method.
func op(service, operation string, err error) error {
	return &smithy.OperationError{ServiceID: service, OperationName: operation, Err: err}
}

// want is what each function answers for one error.
type want struct {
	code        string
	status      int
	throttled   bool
	denied      bool
	notFound    bool
	unavailable bool
	retryable   bool
}

func TestClassification(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		name string
		err  error
		want want
	}{
		{"nil", nil, want{}},
		{"plain error", errors.New("boom"), want{}},
		{"plain error naming a code", errors.New("ThrottlingException"), want{}},

		// Throttling.
		{"ThrottlingException 400", op("DynamoDB", "PutItem", resp(400, api("ThrottlingException"))),
			want{code: "ThrottlingException", status: 400, throttled: true, retryable: true}},
		{"Throttling 400", op("CloudFront", "CreateInvalidation", resp(400, api("Throttling"))),
			want{code: "Throttling", status: 400, throttled: true, retryable: true}},
		{"RequestLimitExceeded", op("DynamoDB", "PutItem", resp(400, api("RequestLimitExceeded"))),
			want{code: "RequestLimitExceeded", status: 400, throttled: true, retryable: true}},
		{"code containing Throttl", resp(400, api("KMSThrottlingException")),
			want{code: "KMSThrottlingException", status: 400, throttled: true, retryable: true}},
		{"typed ProvisionedThroughputExceededException", op("DynamoDB", "PutItem", resp(400, &ddbtypes.ProvisionedThroughputExceededException{Message: aws.String("slow down")})),
			want{code: "ProvisionedThroughputExceededException", status: 400, throttled: true, retryable: true}},
		{"unknown code with 429", op("ECS", "DescribeServices", resp(429, api("SomethingNew"))),
			want{code: "SomethingNew", status: 429, throttled: true, retryable: true}},
		{"service-specific code without extra", resp(400, api("TooManyInvalidationsInProgress")),
			want{code: "TooManyInvalidationsInProgress", status: 400}},

		// Denied.
		{"AccessDenied 403", op("CloudFront", "CreateInvalidation", resp(403, api("AccessDenied"))),
			want{code: "AccessDenied", status: 403, denied: true}},
		{"AccessDeniedException 400", op("SecretsManager", "GetSecretValue", resp(400, api("AccessDeniedException"))),
			want{code: "AccessDeniedException", status: 400, denied: true}},
		{"UnrecognizedClientException is not denied", resp(400, api("UnrecognizedClientException")),
			want{code: "UnrecognizedClientException", status: 400}},

		// Not found.
		{"typed NoSuchDistribution 404", op("CloudFront", "CreateInvalidation", resp(404, &cftypes.NoSuchDistribution{})),
			want{code: "NoSuchDistribution", status: 404, notFound: true}},
		{"typed ResourceNotFoundException", op("DynamoDB", "PutItem", resp(400, &ddbtypes.ResourceNotFoundException{})),
			want{code: "ResourceNotFoundException", status: 400, notFound: true}},
		{"typed Secrets Manager ResourceNotFoundException", op("Secrets Manager", "GetSecretValue", resp(400, &smtypes.ResourceNotFoundException{})),
			want{code: "ResourceNotFoundException", status: 400, notFound: true}},
		{"typed ParameterNotFound", op("SSM", "GetParameter", resp(400, &ssmtypes.ParameterNotFound{})),
			want{code: "ParameterNotFound", status: 400, notFound: true}},
		{"DoesNotExist", op("CodeDeploy", "GetDeployment", resp(400, api("DeploymentDoesNotExistException"))),
			want{code: "DeploymentDoesNotExistException", status: 400, notFound: true}},
		{"SQS NonExistentQueue", resp(400, api("AWS.SimpleQueueService.NonExistentQueue")),
			want{code: "AWS.SimpleQueueService.NonExistentQueue", status: 400, notFound: true}},
		{"404 without a not-found code", resp(404, api("UnknownError")),
			want{code: "UnknownError", status: 404}},

		// The service failed on its side.
		{"InternalError 500", op("CloudFront", "CreateInvalidation", resp(500, api("InternalError"))),
			want{code: "InternalError", status: 500, unavailable: true, retryable: true}},
		{"UnknownError 503", op("CloudFront", "CreateInvalidation", resp(503, api("UnknownError"))),
			want{code: "UnknownError", status: 503, unavailable: true, retryable: true}},
		{"ServiceUnavailable 503", resp(503, api("ServiceUnavailable")),
			want{code: "ServiceUnavailable", status: 503, unavailable: true, retryable: true}},
		{"typed InternalServerError", op("DynamoDB", "GetItem", resp(500, &ddbtypes.InternalServerError{})),
			want{code: "InternalServerError", status: 500, unavailable: true, retryable: true}},
		{"RequestTimeout 400", resp(400, api("RequestTimeout")),
			want{code: "RequestTimeout", status: 400, unavailable: true, retryable: true}},
		{"server fault with an unknown code", resp(400, &smithy.GenericAPIError{Code: "Odd", Fault: smithy.FaultServer}),
			want{code: "Odd", status: 400, unavailable: true, retryable: true}},
		{"502 without an API error", op("SNS", "Publish", &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 502}}, Err: errors.New("bad gateway")}),
			want{status: 502, unavailable: true, retryable: true}},

		// Errors that need a change.
		{"ValidationException 400", op("DynamoDB", "PutItem", resp(400, api("ValidationException"))),
			want{code: "ValidationException", status: 400}},
		{"ConditionalCheckFailed", resp(400, &ddbtypes.ConditionalCheckFailedException{}),
			want{code: "ConditionalCheckFailedException", status: 400}},

		// Expired credentials.
		{"ExpiredTokenException", resp(400, api("ExpiredTokenException")),
			want{code: "ExpiredTokenException", status: 400, retryable: true}},

		// No answer.
		{"connection refused, as the SDK wraps it", op("DynamoDB", "GetItem", &smithyhttp.RequestSendError{Err: &url.Error{Op: "Post", URL: "http://127.0.0.1:1/", Err: refused}}),
			want{unavailable: true, retryable: true}},
		{"net.OpError", fmt.Errorf("read: %w", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}),
			want{unavailable: true, retryable: true}},
		{"url.Error timeout", &url.Error{Op: "Post", URL: "https://dynamodb.us-east-1.amazonaws.com/", Err: &net.DNSError{Err: "i/o timeout", Name: "dynamodb.us-east-1.amazonaws.com", IsTimeout: true}},
			want{unavailable: true, retryable: true}},
		{"url.Error deadline", &url.Error{Op: "Post", URL: "https://cloudfront.amazonaws.com/", Err: context.DeadlineExceeded},
			want{unavailable: true, retryable: true}},
		{"context.DeadlineExceeded", context.DeadlineExceeded,
			want{unavailable: true, retryable: true}},
		{"deadline in an operation error", fmt.Errorf("claim: %w", op("DynamoDB", "PutItem", &aws.RequestCanceledError{Err: context.DeadlineExceeded})),
			want{unavailable: true, retryable: true}},
		{"context.Canceled", context.Canceled, want{}},
		{"cancelled request", op("DynamoDB", "PutItem", &aws.RequestCanceledError{Err: context.Canceled}), want{}},
		{"cancelled url.Error", &url.Error{Op: "Post", URL: "https://sqs.us-east-1.amazonaws.com/", Err: context.Canceled}, want{}},

		// Hand-made response errors without a response must not panic.
		{"smithy ResponseError without response", &smithyhttp.ResponseError{Err: errors.New("x")}, want{}},
		{"aws ResponseError without response", &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{Err: errors.New("x")}}, want{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := want{
				code:        Code(tc.err),
				status:      HTTPStatus(tc.err),
				throttled:   Throttled(tc.err),
				denied:      Denied(tc.err),
				notFound:    NotFound(tc.err),
				unavailable: Unavailable(tc.err),
				retryable:   Retryable(tc.err),
			}
			if got != tc.want {
				t.Errorf("%v\n got %+v\nwant %+v", tc.err, got, tc.want)
			}
		})
	}
}

func TestMessage(t *testing.T) {
	err := op("CodeDeploy", "GetDeployment", resp(400, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User: arn:aws:sts::1:assumed-role/r/s is not authorized"}))
	if got := Message(err); got != "User: arn:aws:sts::1:assumed-role/r/s is not authorized" {
		t.Errorf("Message = %q", got)
	}
	if got := Message(errors.New("boom")); got != "" {
		t.Errorf("Message(plain) = %q", got)
	}
}

func TestExtraCodes(t *testing.T) {
	busy := op("CloudFront", "CreateInvalidation", resp(400, api("TooManyInvalidationsInProgress")))
	if !Throttled(busy, "TooManyInvalidationsInProgress") || Throttled(busy, "Other") {
		t.Error("Throttled ignores its extra codes")
	}
	if !Retryable(busy, "TooManyInvalidationsInProgress") || Retryable(busy) {
		t.Error("Retryable ignores its extra codes")
	}
	inactive := resp(400, api("ServiceNotActiveException"))
	if !NotFound(inactive, "ServiceNotActiveException") || NotFound(inactive) {
		t.Error("NotFound ignores its extra codes")
	}
	unrecognized := resp(400, api("UnrecognizedClientException"))
	if !Denied(unrecognized, "UnrecognizedClientException", "InvalidSignatureException") || Denied(unrecognized) {
		t.Error("Denied ignores its extra codes")
	}
	// Extra codes never make an error without a code match.
	if Denied(errors.New("x"), "") || NotFound(errors.New("x"), "") || Retryable(errors.New("x"), "") {
		t.Error("an empty extra code matched an error without a code")
	}
}

// TestThrottledCoversTheSDK keeps Throttled a superset of what the SDK's
// own retryer counts as throttling, across SDK upgrades.
func TestThrottledCoversTheSDK(t *testing.T) {
	for code := range awsretry.DefaultThrottleErrorCodes {
		if !Throttled(resp(400, api(code))) {
			t.Errorf("Throttled(%s) = false; the SDK counts it as throttling", code)
		}
	}
	for code := range awsretry.DefaultRetryableErrorCodes {
		if !Retryable(resp(400, api(code))) {
			t.Errorf("Retryable(%s) = false; the SDK retries it", code)
		}
	}
	for status := range awsretry.DefaultRetryableHTTPStatusCodes {
		if !Retryable(resp(status, api("UnknownError"))) {
			t.Errorf("Retryable(HTTP %d) = false; the SDK retries it", status)
		}
	}
}
