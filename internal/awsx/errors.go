// Package awsx is the one place for what every AWS caller in cutover needs:
// error classification, partitions, ARNs and console links, and the retry
// policy of SDK clients.
//
// It classifies the errors of AWS SDK calls (aws-sdk-go-v2): it
// reads the AWS error code (smithy.APIError), the HTTP status of the answer
// (smithyhttp.ResponseError, awshttp.ResponseError) and the transport
// errors in an error's chain, and answers the questions callers ask of
// them: was it throttled, denied, about something that does not exist,
// did the service fail or not answer, is another attempt worth it.
//
// The package decides only what kind of error it is. What to do about it
// (retry, fall back, which message to show) is the caller's business.
// Every function accepts any error, including nil and errors that did not
// come from the SDK, and looks at the whole chain (errors.As).
//
// Service-specific codes that the general rules do not cover are passed as
// extra codes, e.g.
//
//	awsx.Throttled(err, "TooManyInvalidationsInProgress")
//	awsx.NotFound(err, "ServiceNotActiveException")
package awsx

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Code returns the AWS error code of the first smithy.APIError in err's
// chain (e.g. "ThrottlingException", "NoSuchDistribution"), or "" when
// there is none. The SDK reports "UnknownError" when the answer named no
// code.
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Message returns the error message of the first smithy.APIError in err's
// chain, or "" when there is none. It may quote the request (a resource
// ARN, a parameter): do not show it where the request must stay private.
func Message(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// HTTPStatus returns the HTTP status code of the answer that caused err
// (from smithyhttp.ResponseError, awshttp.ResponseError or any error in the
// chain with an HTTPStatusCode() int method), or 0 when no answer came:
// network errors, timeouts, errors raised before the request was sent.
func HTTPStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) {
		return 0
	}
	// The SDK's response errors read the status through pointers that are
	// set for every error it builds; guard against hand-made ones.
	switch e := re.(type) {
	case *awshttp.ResponseError:
		if e.ResponseError == nil || e.Response == nil || e.Response.Response == nil {
			return 0
		}
	case *smithyhttp.ResponseError:
		if e.Response == nil || e.Response.Response == nil {
			return 0
		}
	}
	return re.HTTPStatusCode()
}

// throttleCodes are the error codes AWS services throttle with: the codes
// the SDK's standard retryer treats as throttling
// (aws/retry.DefaultThrottleErrorCodes) and a few more services use.
var throttleCodes = map[string]bool{
	"Throttling":                              true,
	"ThrottlingException":                     true,
	"ThrottledException":                      true,
	"RequestThrottled":                        true,
	"RequestThrottledException":               true,
	"TooManyRequestsException":                true,
	"ProvisionedThroughputExceededException":  true,
	"TransactionInProgressException":          true,
	"RequestLimitExceeded":                    true,
	"BandwidthLimitExceeded":                  true,
	"LimitExceededException":                  true,
	"SlowDown":                                true,
	"PriorRequestNotComplete":                 true,
	"EC2ThrottledException":                   true,
	"AWS.SimpleQueueService.RequestThrottled": true,
}

// Throttled reports whether AWS refused the call for its rate: a
// throttling error code (the SDK's list, any code containing "Throttl",
// or one of extra) or an HTTP 429 answer.
func Throttled(err error, extra ...string) bool {
	if code := Code(err); code != "" &&
		(throttleCodes[code] || strings.Contains(code, "Throttl") || slices.Contains(extra, code)) {
		return true
	}
	return HTTPStatus(err) == http.StatusTooManyRequests
}

// deniedCodes are the error codes of a call the caller's identity is not
// allowed to make.
var deniedCodes = map[string]bool{
	"AccessDenied":          true, // STS, S3, CloudFront, query protocols
	"AccessDeniedException": true, // JSON protocols (DynamoDB, Secrets Manager, SSM, ECS, CodeDeploy...)
	"AuthorizationError":    true, // SNS
	"UnauthorizedOperation": true, // EC2
}

// Denied reports whether the caller lacks the permission for the call: an
// access-denied error code (AccessDenied, AccessDeniedException,
// AuthorizationError, UnauthorizedOperation, or one of extra). Credentials
// AWS does not accept at all (UnrecognizedClientException,
// InvalidSignatureException) are not included: pass them as extra codes
// where they should read the same.
func Denied(err error, extra ...string) bool {
	code := Code(err)
	return code != "" && (deniedCodes[code] || slices.Contains(extra, code))
}

// NotFound reports whether the call named something that does not exist:
// an error code that says so by AWS's naming conventions (containing
// "NotFound", "DoesNotExist" or "NonExistent", or starting with "NoSuch":
// ResourceNotFoundException, ParameterNotFound, QueueDoesNotExist,
// NoSuchDistribution...) or one of extra. An HTTP 404 without such a code
// does not count: some services answer 404 for a wrong endpoint.
func NotFound(err error, extra ...string) bool {
	code := Code(err)
	if code == "" {
		return false
	}
	return strings.Contains(code, "NotFound") || strings.Contains(code, "DoesNotExist") ||
		strings.Contains(code, "NonExistent") || strings.HasPrefix(code, "NoSuch") ||
		slices.Contains(extra, code)
}

// unavailableCodes are the error codes of a service that failed on its
// side or did not finish in time.
var unavailableCodes = map[string]bool{
	"InternalError":               true,
	"InternalFailure":             true,
	"InternalServerError":         true,
	"InternalServerException":     true,
	"ServiceUnavailable":          true,
	"ServiceUnavailableException": true,
	"RequestTimeout":              true,
	"RequestTimeoutException":     true,
}

// Unavailable reports whether the service could not be reached, did not
// answer in time or failed on its side: a deadline that ran out
// (context.DeadlineExceeded), a network error (net.Error, including
// *url.Error and *net.OpError, or smithyhttp.RequestSendError), an HTTP 5xx
// answer, a server-fault error (smithy.FaultServer) or a code such as
// InternalError, ServiceUnavailable or RequestTimeout. A cancelled context
// (context.Canceled) is not: the caller gave up, the service did not fail.
// Throttling is not either; see Throttled and Retryable.
func Unavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && (unavailableCodes[ae.ErrorCode()] || ae.ErrorFault() == smithy.FaultServer) {
		return true
	}
	if HTTPStatus(err) >= 500 {
		return true
	}
	var send *smithyhttp.RequestSendError
	if errors.As(err, &send) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// expiredCodes are the error codes of credentials or a signature that
// aged: the SDK fetches fresh credentials and signs anew on the next call.
var expiredCodes = map[string]bool{
	"RequestExpired":        true,
	"ExpiredToken":          true,
	"ExpiredTokenException": true,
}

// Retryable reports whether the same call may succeed if made again: it
// was Throttled, the service was Unavailable, the credentials or the
// signature had expired (RequestExpired, ExpiredToken,
// ExpiredTokenException), or its code is one of extra. Errors that need a
// change (denied, not found, invalid request) and cancelled calls are not
// retryable.
func Retryable(err error, extra ...string) bool {
	if Throttled(err) || Unavailable(err) {
		return true
	}
	code := Code(err)
	return code != "" && (expiredCodes[code] || slices.Contains(extra, code))
}
