package source_test

import (
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// TestDecodeErrorsNameTheField: a wrong type in a field is reported by the
// field's name in the input and what belongs there, never as a Go type
// dump ("Go struct field", "of type").
func TestDecodeErrorsNameTheField(t *testing.T) {
	for in, want := range map[string]string{
		`{"Records":[{"Sns":{"MessageId":"m-1","Message":5}}]}`: "malformed SNS record: field Message: a number where a string belongs",
		`{"Records":{"a":1}}`: "Records is not a list of records: an object where a list belongs",
		`{"source":"aws.codedeploy","detail-type":"CodeDeploy Deployment State-change Notification","detail":{"deploymentId":7}}`: "field detail.deploymentId: a number where a string belongs",
		`{"deploymentId":"d-1","eventTriggerName":["x"]}`:                                                                         "field eventTriggerName: an array where a string belongs",
		`{"Type":"Notification","TopicArn":"arn:aws:sns:us-east-1:1:t","Message":{"a":1}}`:                                        "malformed SNS HTTP body: field Message: an object where a string belongs",
		`[1]`:          "not a JSON object: an array where an object belongs",
		`{"Records":[`: "not a JSON object: invalid JSON at byte",
		`{"Records":[{"eventSource":"aws:sqs","messageId":"q-1","body":"{\"hello\":1}"}]}`: "(sqs message q-1)",
		`{"Records":[{"Sns":{"MessageId":"s-1","Message":"{\"hello\":1}"}}]}`:              "(sns message s-1)",
	} {
		_, err := codedeploy.Decode([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", in, err, want)
			continue
		}
		if strings.Contains(err.Error(), "Go struct field") || strings.Contains(err.Error(), "of type") || strings.Contains(err.Error(), "json:") {
			t.Errorf("%s: Go type dump in %q", in, err)
		}
	}
}
