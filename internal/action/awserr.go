package action

import (
	"errors"

	"github.com/aws/smithy-go"
)

// apiError returns the AWS error code and message in err's chain, if any.
func apiError(err error) (code, msg string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	return "", ""
}

// httpStatus returns the HTTP status of the answer that caused err, or 0
// when no answer came (network errors, timeouts).
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
