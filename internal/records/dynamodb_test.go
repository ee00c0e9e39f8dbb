package records

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/cutover-dev/cutover/internal/testrig"
)

// tableSeq numbers the tables created against one moto server.
var tableSeq atomic.Int64

// createRecordsTable creates a table the way the Terraform module does:
// hash key pk (S), range key sk (S), TTL on expires_at.
func createRecordsTable(t testing.TB, client *dynamodb.Client) string {
	t.Helper()
	ctx := testCtx(t)
	name := "cutover-records-" + strconv.FormatInt(tableSeq.Add(1), 10)
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
	})
	if err != nil {
		t.Fatalf("create table: %v", err)
	}
	_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String("expires_at"),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil {
		t.Fatalf("enable ttl: %v", err)
	}
	return name
}

func newTestDynamoDB(t testing.TB, client DynamoDBAPI, table string, ttl time.Duration, opts ...Option) *DynamoDB {
	t.Helper()
	d, err := NewDynamoDB(client, table, ttl, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDynamoDB runs the DynamoDB tests that need moto against one moto
// server (starting one takes seconds); each test makes its own table.
func TestDynamoDB(t *testing.T) {
	moto := testrig.StartMoto(t)
	client := dynamodb.NewFromConfig(moto.AWSConfig(t))
	t.Run("Conformance", func(t *testing.T) { testDynamoDBConformance(t, serialClient(t, moto)) })
	t.Run("ItemSchema", func(t *testing.T) { testDynamoDBItemSchema(t, client) })
	t.Run("ClaimReadsWhenNoOldItem", func(t *testing.T) { testDynamoDBClaimReadsWhenNoOldItem(t, client) })
	t.Run("MissingTableIsNotUnavailable", func(t *testing.T) { testDynamoDBMissingTable(t, client) })
}

// serialHTTP sends one request at a time.
//
// moto's conditional PutItem is not atomic: moto's server runs requests on
// threads and its put_item checks the condition and then stores the item
// without a lock, so two racing conditional writes can both succeed. With
// 50 concurrent Claims of one key, about 1 round in 25 gave two Acquired
// (13 of 300) on moto 5.2.1. DynamoDB itself evaluates a condition and the
// write atomically. Sending one request at a time gives moto's answers
// DynamoDB's semantics while the 50 Claims still race through the store's
// code and the condition still decides (0 of 100 rounds went wrong).
type serialHTTP struct {
	mu   sync.Mutex
	base *http.Client
}

// Do implements aws.HTTPClient.
func (s *serialHTTP) Do(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base.Do(r)
}

// serialClient returns a DynamoDB client for moto that sends one request at
// a time; see serialHTTP.
func serialClient(t testing.TB, moto *testrig.Moto) *dynamodb.Client {
	cfg := moto.AWSConfig(t)
	cfg.HTTPClient = &serialHTTP{base: &http.Client{}}
	return dynamodb.NewFromConfig(cfg)
}

func testDynamoDBConformance(t *testing.T, client *dynamodb.Client) {
	runConformance(t, func(t *testing.T, now func() time.Time, ttl time.Duration) (Store, Store) {
		table := createRecordsTable(t, client)
		// Two stores on one table are two Lambda instances.
		return newTestDynamoDB(t, client, table, ttl, WithClock(now)),
			newTestDynamoDB(t, client, table, ttl, WithClock(now))
	}, true)
}

func testDynamoDBItemSchema(t *testing.T, client *dynamodb.Client) {
	table := createRecordsTable(t, client)
	clock := newFakeClock()
	d := newTestDynamoDB(t, client, table, time.Hour, WithClock(clock.Now))
	k := Key{EventID: "msg-1", Destination: "cloudfront:E123"}
	get := func() map[string]types.AttributeValue {
		out, err := client.GetItem(testCtx(t), &dynamodb.GetItemInput{
			TableName: aws.String(table), Key: keyOf(k), ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			t.Fatal(err)
		}
		return out.Item
	}
	attr := func(item map[string]types.AttributeValue, name string) string {
		switch v := item[name].(type) {
		case *types.AttributeValueMemberS:
			return "S:" + v.Value
		case *types.AttributeValueMemberN:
			return "N:" + v.Value
		case *types.AttributeValueMemberB:
			return "B:" + string(v.Value)
		case nil:
			return "absent"
		default:
			return fmt.Sprintf("%T", v)
		}
	}

	now := clock.Now()
	mustClaim(t, d, k, 90*time.Second, Acquired)
	item := get()
	want := map[string]string{
		"pk":          "S:msg-1",
		"sk":          "S:cloudfront:E123",
		"state":       "S:claimed",
		"lease_until": "N:" + strconv.FormatInt(ceilMilli(now.Add(90*time.Second)), 10),
		"expires_at":  "N:" + strconv.FormatInt(ceilSecond(now.Add(time.Hour)), 10),
		"result":      "absent",
	}
	for name, w := range want {
		if got := attr(item, name); got != w {
			t.Errorf("claimed item %s = %s, want %s", name, got, w)
		}
	}
	if o := attr(item, "owner"); len(o) < 20 {
		t.Errorf("claimed item owner = %s, want a random token", o)
	}

	clock.Advance(time.Minute)
	mustComplete(t, d, k, []byte("I2ABCDEF"))
	item = get()
	want = map[string]string{
		"state":       "S:done",
		"owner":       "absent",
		"lease_until": "absent",
		"result":      "B:I2ABCDEF",
		"expires_at":  "N:" + strconv.FormatInt(ceilSecond(now.Add(time.Minute+time.Hour)), 10),
	}
	for name, w := range want {
		if got := attr(item, name); got != w {
			t.Errorf("done item %s = %s, want %s", name, got, w)
		}
	}
	if len(item) != 5 {
		t.Errorf("done item has %d attributes, want 5: %v", len(item), item)
	}
}

// noOldItem hides the item that comes back with a failed condition, as a
// DynamoDB implementation without ReturnValuesOnConditionCheckFailure would,
// so that Claim has to read it.
type noOldItem struct {
	*dynamodb.Client
	gets atomic.Int64
}

func (c *noOldItem) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	out, err := c.Client.PutItem(ctx, in, optFns...)
	if ccf, ok := errors.AsType[*types.ConditionalCheckFailedException](err); ok {
		ccf.Item = nil
	}
	return out, err
}

func (c *noOldItem) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.gets.Add(1)
	if !aws.ToBool(in.ConsistentRead) {
		return nil, errors.New("test: GetItem without ConsistentRead")
	}
	return c.Client.GetItem(ctx, in, optFns...)
}

func testDynamoDBClaimReadsWhenNoOldItem(t *testing.T, c *dynamodb.Client) {
	client := &noOldItem{Client: c}
	table := createRecordsTable(t, client.Client)
	a := newTestDynamoDB(t, client, table, time.Hour)
	b := newTestDynamoDB(t, client, table, time.Hour)
	k := Key{EventID: "e", Destination: "slack"}
	mustClaim(t, a, k, time.Minute, Acquired)
	mustClaim(t, b, k, time.Minute, Busy)
	mustComplete(t, a, k, []byte("r"))
	if c := mustClaim(t, b, k, time.Minute, Done); string(c.Result) != "r" {
		t.Fatalf("Result = %q, want %q", c.Result, "r")
	}
	if n := client.gets.Load(); n != 2 {
		t.Fatalf("GetItem calls = %d, want 2", n)
	}
}

// closedPortConfig returns an AWS config whose endpoint refuses
// connections, with one attempt per call so the test stays fast.
func closedPortConfig(t *testing.T) aws.Config {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return aws.Config{
		Region:           testrig.Region,
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint:     aws.String("http://" + addr),
		RetryMaxAttempts: 1,
	}
}

func TestDynamoDBUnreachable(t *testing.T) {
	client := dynamodb.NewFromConfig(closedPortConfig(t))
	d := newTestDynamoDB(t, client, "cutover-records", time.Hour)
	k := Key{EventID: "e", Destination: "slack"}
	ctx := testCtx(t)

	_, err := d.Claim(ctx, k, time.Minute)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Claim error = %v, want ErrUnavailable", err)
	}
	if err := d.Complete(ctx, k, nil); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Complete error = %v, want ErrUnavailable", err)
	}

	log, records := newRecordingLogger()
	s := WithFallback(d, log)
	c, err := s.Claim(ctx, k, time.Minute)
	if err != nil || c.Status != Acquired || !c.Degraded {
		t.Fatalf("fallback Claim = %+v, %v; want Acquired, Degraded", c, err)
	}
	if err := s.Complete(ctx, k, nil); err != nil {
		t.Fatalf("fallback Complete: %v", err)
	}
	got := records()
	if len(got) != 2 {
		t.Fatalf("logged %d records, want 2: %v", len(got), got)
	}
	if got[0].msg != msgClaimFailed || got[0].attrs["unavailable"] != "true" {
		t.Errorf("first log = %+v, want %q with unavailable=true", got[0], msgClaimFailed)
	}
}

func testDynamoDBMissingTable(t *testing.T, client *dynamodb.Client) {
	d := newTestDynamoDB(t, client, "no-such-table", time.Hour)
	_, err := d.Claim(testCtx(t), Key{EventID: "e", Destination: "slack"}, time.Minute)
	if err == nil {
		t.Fatal("Claim on a missing table: no error")
	}
	if errors.Is(err, ErrUnavailable) {
		t.Fatalf("Claim on a missing table: %v is classified unavailable, want a configuration error", err)
	}
	if _, ok := errors.AsType[*types.ResourceNotFoundException](err); !ok {
		t.Fatalf("Claim on a missing table: %v, want ResourceNotFoundException in the chain", err)
	}
}

func TestNewDynamoDBChecksArguments(t *testing.T) {
	if _, err := NewDynamoDB(nil, "t", time.Hour); err == nil {
		t.Error("nil client: no error")
	}
	if _, err := NewDynamoDB(&dynamodb.Client{}, "", time.Hour); err == nil {
		t.Error("empty table: no error")
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{context.DeadlineExceeded, true},
		{&net.OpError{Op: "dial", Err: errors.New("refused")}, true},
		{&types.ProvisionedThroughputExceededException{}, true},
		{&types.RequestLimitExceeded{}, true},
		{&types.InternalServerError{}, true},
		{&types.ResourceNotFoundException{}, false},
		{context.Canceled, false},
		{errors.New("AccessDeniedException"), false},
		// As the SDK returns them.
		{sdkErr(400, &smithy.GenericAPIError{Code: "ThrottlingException"}), true},
		{sdkErr(400, &types.LimitExceededException{}), true},
		{sdkErr(503, &smithy.GenericAPIError{Code: "UnknownError"}), true},
		{sdkErr(400, &smithy.GenericAPIError{Code: "AccessDeniedException"}), false},
		{sdkErr(400, &types.ResourceNotFoundException{}), false},
		{sdkErr(400, &types.ConditionalCheckFailedException{}), false},
		{&smithy.OperationError{ServiceID: "DynamoDB", OperationName: "PutItem", Err: &smithyhttp.RequestSendError{
			Err: &url.Error{Op: "Post", URL: "https://dynamodb.us-east-1.amazonaws.com/", Err: errors.New("connection reset by peer")}}}, true},
		// The caller gave up: not the store's fault.
		{&smithy.OperationError{ServiceID: "DynamoDB", OperationName: "PutItem", Err: &url.Error{Op: "Post", URL: "https://dynamodb.us-east-1.amazonaws.com/", Err: context.Canceled}}, false},
	} {
		if got := errors.Is(classify(tc.err), ErrUnavailable); got != tc.want {
			t.Errorf("classify(%T %v) unavailable = %v, want %v", tc.err, tc.err, got, tc.want)
		}
	}
}

// sdkErr wraps an error answer as a DynamoDB client method returns it.
func sdkErr(status int, api error) error {
	return &smithy.OperationError{ServiceID: "DynamoDB", OperationName: "PutItem", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: api},
		RequestID:     "REQ1",
	}}
}
