package awsx

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestWithRetries counts the attempts a real SDK client makes within each
// budget, for answers the SDK's own retryer does and does not retry.
func TestWithRetries(t *testing.T) {
	quick := Budget{Attempts: 3, MaxBackoff: time.Millisecond}
	for _, tc := range []struct {
		name   string
		budget Budget
		status int
		code   string
		want   int32
	}{
		{"short budget retries throttling", Short, 400, "ThrottlingException", 3},
		{"once never retries", Once, 400, "ThrottlingException", 1},
		{"once never retries a 500", Once, 500, "InternalServerError", 1},
		{"a 500 is retried", quick, 500, "InternalServerError", 3},
		{"throttling the SDK does not know, awsx does", quick, 400, "BandwidthThrottledException", 3},
		{"denied is not retried", quick, 400, "AccessDeniedException", 1},
		{"not found is not retried", quick, 400, "ResourceNotFoundException", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				calls.Add(1)
				w.Header().Set("Content-Type", "application/x-amz-json-1.0")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#` + tc.code + `","message":"no"}`))
			}))
			defer srv.Close()
			cfg := aws.Config{
				Region:       "us-east-1",
				BaseEndpoint: aws.String(srv.URL),
				Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
			}
			client := dynamodb.NewFromConfig(WithRetries(cfg, tc.budget))
			_, err := client.GetItem(t.Context(), &dynamodb.GetItemInput{
				TableName: aws.String("records"),
				Key:       map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "e"}, "sk": &ddbtypes.AttributeValueMemberS{Value: "d"}},
			})
			if err == nil || Code(err) != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
			if got := calls.Load(); got != tc.want {
				t.Errorf("%d attempts, want %d", got, tc.want)
			}
		})
	}
}

// TestBudgets pins each budget's bounds: the enrichment's short one, the
// SDK's standard one, and Once's lack of retries.
func TestBudgets(t *testing.T) {
	for _, tc := range []struct {
		b       Budget
		retries bool
		max     int
	}{
		{Standard, true, 3},
		{Short, true, 3},
		{Once, false, 1},
	} {
		r := Retryer(tc.b)
		if got := r.MaxAttempts(); got != tc.max {
			t.Errorf("%+v: MaxAttempts() = %d, want %d", tc.b, got, tc.max)
		}
		if _, nop := r.(aws.NopRetryer); nop == tc.retries {
			t.Errorf("%+v: retryer %T", tc.b, r)
		}
	}
	if Short.MaxBackoff != 250*time.Millisecond || Standard.MaxBackoff != 20*time.Second {
		t.Errorf("budgets changed: short %+v, standard %+v", Short, Standard)
	}
	p := Budget{Attempts: 5, Base: 500 * time.Millisecond, MaxBackoff: 8 * time.Second}.Policy()
	if p.Attempts != 5 || p.Base != 500*time.Millisecond || p.Max != 8*time.Second {
		t.Errorf("Policy() = %+v", p)
	}
}
