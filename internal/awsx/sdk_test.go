package awsx

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestSDKErrors classifies the errors a real SDK client returns for real
// answers (and for no answer), rather than hand-built chains.
func TestSDKErrors(t *testing.T) {
	jsonError := func(status int, typ, msg string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.Header().Set("X-Amzn-Requestid", "REQ1")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#` + typ + `","message":"` + msg + `"}`))
		}
	}
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		timeout bool // the call's context has already run out
		want    want
	}{
		{"throttled", jsonError(400, "ThrottlingException", "Rate of requests exceeds the allowed throughput."),
			false, want{code: "ThrottlingException", status: 400, throttled: true, retryable: true}},
		{"provisioned throughput", jsonError(400, "ProvisionedThroughputExceededException", "The level of configured provisioned throughput for the table was exceeded."),
			false, want{code: "ProvisionedThroughputExceededException", status: 400, throttled: true, retryable: true}},
		{"denied", jsonError(400, "AccessDeniedException", "User: arn:aws:sts::111122223333:assumed-role/fn/x is not authorized to perform: dynamodb:GetItem"),
			false, want{code: "AccessDeniedException", status: 400, denied: true}},
		{"missing table", jsonError(400, "ResourceNotFoundException", "Requested resource not found"),
			false, want{code: "ResourceNotFoundException", status: 400, notFound: true}},
		{"internal error", jsonError(500, "InternalServerError", "Internal server error"),
			false, want{code: "InternalServerError", status: 500, unavailable: true, retryable: true}},
		{"503 without a body", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) },
			false, want{code: "UnknownError", status: 503, unavailable: true, retryable: true}},
		{"bad request", jsonError(400, "ValidationException", "One or more parameter values were invalid"),
			false, want{code: "ValidationException", status: 400}},
		{"no answer before the deadline", func(_ http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-hang:
			}
		}, true, want{unavailable: true, retryable: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			ctx := t.Context()
			if tc.timeout {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, time.Now().Add(-time.Second))
				defer cancel()
			}
			err := getItem(ctx, srv.URL)
			if err == nil {
				t.Fatal("no error")
			}
			got := classify(err)
			if got != tc.want {
				t.Errorf("%v\n got %+v\nwant %+v", err, got, tc.want)
			}
		})
	}

	t.Run("connection refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		err = getItem(t.Context(), "http://"+addr)
		if err == nil {
			t.Fatal("no error")
		}
		if got, w := classify(err), (want{unavailable: true, retryable: true}); got != w {
			t.Errorf("%v\n got %+v\nwant %+v", err, got, w)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		srv := httptest.NewServer(jsonError(400, "ThrottlingException", "x"))
		defer srv.Close()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := getItem(ctx, srv.URL)
		if err == nil {
			t.Fatal("no error")
		}
		if got := classify(err); got != (want{}) {
			t.Errorf("%v\n got %+v, want nothing", err, got)
		}
	})
}

// getItem makes one DynamoDB GetItem against endpoint, without the SDK's
// retries.
func getItem(ctx context.Context, endpoint string) error {
	client := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		Retryer:      aws.NopRetryer{},
	})
	_, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String("records"),
		Key:       map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "e"}, "sk": &ddbtypes.AttributeValueMemberS{Value: "d"}},
	})
	return err
}

func classify(err error) want {
	return want{
		code:        Code(err),
		status:      HTTPStatus(err),
		throttled:   Throttled(err),
		denied:      Denied(err),
		notFound:    NotFound(err),
		unavailable: Unavailable(err),
		retryable:   Retryable(err),
	}
}
