package cloudfront

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscf "github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/smithy-go"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// fixture decodes one of the codedeploy package's recorded notifications
// through the real decoder.
func fixture(t testing.TB, name string) *deploy.Event {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "source", "codedeploy", "testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	evs, err := codedeploy.Decode(data)
	if err != nil || len(evs) != 1 {
		t.Fatalf("decode %s: %d events, %v", name, len(evs), err)
	}
	return &evs[0]
}

// noAWS fails the test on any AWS call.
type noAWS struct{ t testing.TB }

func (n noAWS) CreateInvalidation(context.Context, *awscf.CreateInvalidationInput, ...func(*awscf.Options)) (*awscf.CreateInvalidationOutput, error) {
	n.t.Error("CreateInvalidation called")
	return nil, errors.New("no AWS in this test")
}

func (n noAWS) GetInvalidation(context.Context, *awscf.GetInvalidationInput, ...func(*awscf.Options)) (*awscf.GetInvalidationOutput, error) {
	n.t.Error("GetInvalidation called")
	return nil, errors.New("no AWS in this test")
}

// deadlineRecorder passes calls on to a API and records the
// deadline of each call's context.
type deadlineRecorder struct {
	API
	mu  sync.Mutex
	dls []time.Time
}

func (r *deadlineRecorder) record(ctx context.Context) {
	dl, _ := ctx.Deadline()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dls = append(r.dls, dl)
}

// deadlines returns the recorded deadlines, zero for a call without one.
func (r *deadlineRecorder) deadlines() []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.dls)
}

func (r *deadlineRecorder) CreateInvalidation(ctx context.Context, in *awscf.CreateInvalidationInput, optFns ...func(*awscf.Options)) (*awscf.CreateInvalidationOutput, error) {
	r.record(ctx)
	return r.API.CreateInvalidation(ctx, in, optFns...)
}

func (r *deadlineRecorder) GetInvalidation(ctx context.Context, in *awscf.GetInvalidationInput, optFns ...func(*awscf.Options)) (*awscf.GetInvalidationOutput, error) {
	r.record(ctx)
	return r.API.GetInvalidation(ctx, in, optFns...)
}

// TestNoAttemptPastTheReserve: when the caller's deadline leaves less than
// the reserve, no call is made and the error is a retryable deadline.
func TestNoAttemptPastTheReserve(t *testing.T) {
	ev := fixture(t, "sns-lambda/instance-success.json")
	var sleeps int
	c := newTestCloudFront(t, Config{DistributionIDs: []string{"E2QWRUHAPOMQZL"}}, Options{
		Retry: retry.Policy{Attempts: 5, Reserve: 2 * time.Hour,
			Sleep: func(context.Context, time.Duration) error { sleeps++; return nil }},
	})
	ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
	defer cancel()
	res, err := c.Tasks(ev)[0].Run(ctx)
	if err == nil || retry.IsPermanent(err) || !errors.Is(err, context.DeadlineExceeded) ||
		!strings.Contains(err.Error(), "cloudfront E2QWRUHAPOMQZL: CreateInvalidation: no time left before the deadline") {
		t.Fatalf("err = %v, want a retryable no-time-left error", err)
	}
	if !strings.HasSuffix(err.Error(), "(gave up after 0 attempts; retryable)") || sleeps != 0 {
		t.Errorf("err = %v after %d waits, want no attempt and no wait", err, sleeps)
	}
	if res.Error != err.Error() || res.Reference == "" {
		t.Errorf("result %+v", res)
	}
}

var refPattern = regexp.MustCompile(`^cutover-[A-Za-z0-9_-]+-[A-Za-z]+-[0-9a-f]{16}$`)

func TestCallerReference(t *testing.T) {
	a := CallerReference("d-7XQ2K9ABC", codedeploy.InstanceSuccess, []string{"/index.html", "/assets/*"})
	if !refPattern.MatchString(a) || !strings.HasPrefix(a, "cutover-d-7XQ2K9ABC-InstanceSuccess-") {
		t.Fatalf("reference %q has the wrong shape", a)
	}
	if len(a) > 64 {
		t.Errorf("reference %q is %d bytes, want about 55", a, len(a))
	}
	same := [][]string{
		{"/index.html", "/assets/*"},
		{"/assets/*", "/index.html"},
		{"/assets/*", "/index.html", "/assets/*"},
	}
	for _, p := range same {
		if got := CallerReference("d-7XQ2K9ABC", codedeploy.InstanceSuccess, p); got != a {
			t.Errorf("paths %q: reference %q, want %q", p, got, a)
		}
	}
	differ := map[string]string{
		"paths":      CallerReference("d-7XQ2K9ABC", codedeploy.InstanceSuccess, []string{"/index.html"}),
		"kind":       CallerReference("d-7XQ2K9ABC", codedeploy.DeploymentFailure, []string{"/index.html", "/assets/*"}),
		"deployment": CallerReference("d-OTHER0001", codedeploy.InstanceSuccess, []string{"/index.html", "/assets/*"}),
	}
	for name, ref := range differ {
		if ref == a {
			t.Errorf("changing the %s kept the reference %q", name, ref)
		}
	}
	// Odd or long inputs are hashed, keeping the reference short and clean.
	long := CallerReference(strings.Repeat("d-X", 500), string("weird kind/"+strings.Repeat("x", 99)), []string{"/*"})
	if len(long) > 128 || !regexp.MustCompile(`^cutover-h[0-9a-f]{16}-h[0-9a-f]{16}-[0-9a-f]{16}$`).MatchString(long) {
		t.Errorf("long reference %q (%d bytes)", long, len(long))
	}
	max := CallerReference(strings.Repeat("d", 64), string(strings.Repeat("K", 32)), []string{"/*"})
	if len(max) != 122 {
		t.Errorf("longest unhashed reference is %d bytes, want 122", len(max))
	}
}

func newTestCloudFront(t testing.TB, cfg Config, opts Options) *Invalidator {
	t.Helper()
	if opts.CloudFront == nil {
		opts.CloudFront = noAWS{t}
	}
	c, err := New(aws.Config{Region: "us-east-1"}, cfg, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestTasksPlanning(t *testing.T) {
	cutover := fixture(t, "sns-lambda/instance-success.json")
	failure := fixture(t, "sns-lambda/deployment-failure.json")
	rollback := fixture(t, "sns-lambda/deployment-rollback.json")
	rollbackSwitch := fixture(t, "trigger-real/rollback-instance-success.json")
	ebSwitch := fixture(t, "eventbridge/instance-success.json")
	start := fixture(t, "eventbridge/deployment-start.json")
	success := fixture(t, "trigger-real/deployment-success.json")
	test := fixture(t, "sns-lambda/trigger-test.json")
	knownRollbackSwitch := *rollbackSwitch
	knownRollbackSwitch.Rollback = &deploy.Rollback{RollsBack: "d-M4QFAIL01"}

	cfg := Config{DistributionIDs: []string{"E2QWRUHAPOMQZL", "E1AAAAAAAAAAAA"}}
	for _, tt := range []struct {
		name       string
		ev         *deploy.Event
		onRollback bool
		want       int
	}{
		{"cutover", cutover, true, 2},
		{"eventbridge cutover", ebSwitch, true, 2},
		{"failure", failure, true, 2},
		{"rollback", rollback, true, 2},
		{"rollback switch", rollbackSwitch, true, 2},
		{"known rollback switch", &knownRollbackSwitch, true, 2},
		{"start", start, true, 0},
		{"success", success, true, 0},
		{"trigger test", test, true, 0},
		{"cutover without rollbacks", cutover, false, 2},
		{"failure without rollbacks", failure, false, 0},
		{"rollback without rollbacks", rollback, false, 0},
		{"known rollback switch without rollbacks", &knownRollbackSwitch, false, 0},
		// Instance events do not say they belong to a rollback.
		{"unknown rollback switch without rollbacks", rollbackSwitch, false, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg.OnRollback = tt.onRollback
			tasks := newTestCloudFront(t, cfg, Options{}).Tasks(tt.ev)
			if len(tasks) != tt.want {
				t.Fatalf("%d tasks, want %d", len(tasks), tt.want)
			}
			if tt.want > 0 {
				got := []string{tasks[0].Destination, tasks[1].Destination}
				if want := []string{"cloudfront:E1AAAAAAAAAAAA", "cloudfront:E2QWRUHAPOMQZL"}; !slices.Equal(got, want) {
					t.Errorf("destinations %q, want %q", got, want)
				}
			}
		})
	}
	if n := len(newTestCloudFront(t, Config{}, Options{}).Tasks(cutover)); n != 0 {
		t.Errorf("unconfigured action planned %d tasks", n)
	}
}

func TestRollbackHookSkips(t *testing.T) {
	ev := fixture(t, "trigger-real/rollback-instance-success.json")
	var asked []string
	c := newTestCloudFront(t, Config{DistributionIDs: []string{"E2QWRUHAPOMQZL"}, OnRollback: false}, Options{
		IsRollbackDeployment: func(_ context.Context, id string) bool { asked = append(asked, id); return true },
	})
	tasks := c.Tasks(ev)
	if len(tasks) != 1 {
		t.Fatalf("%d tasks", len(tasks))
	}
	res, err := tasks[0].Run(t.Context())
	if err != nil || !strings.Contains(res.Skipped, "rollback") {
		t.Fatalf("Run = %+v, %v; want skipped as a rollback", res, err)
	}
	if !slices.Equal(asked, []string{"d-R8BACK001"}) {
		t.Errorf("hook asked about %q", asked)
	}
}

func TestDryRun(t *testing.T) {
	ev := fixture(t, "sns-lambda/instance-success.json")
	c := newTestCloudFront(t, Config{
		DistributionIDs: []string{"E2QWRUHAPOMQZL"},
		Paths:           []string{"/index.html", "/assets/*"},
		OnRollback:      true,
	}, Options{DryRun: true})
	tasks := c.Tasks(ev)
	if len(tasks) != 1 {
		t.Fatalf("%d tasks", len(tasks))
	}
	res, err := tasks[0].Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := action.Result{
		Action:    ActionCloudFrontInvalidation,
		Target:    "E2QWRUHAPOMQZL",
		Paths:     []string{"/assets/*", "/index.html"},
		Reference: CallerReference("d-7XQ2K9ABC", codedeploy.InstanceSuccess, []string{"/index.html", "/assets/*"}),
		DryRun:    true,
	}
	if fmt.Sprint(res) != fmt.Sprint(want) {
		t.Errorf("dry run result\n got %+v\nwant %+v", res, want)
	}
}

func TestNewCloudFrontRejects(t *testing.T) {
	if _, err := New(aws.Config{}, Config{DistributionIDs: []string{"nope"}}, Options{}); err == nil {
		t.Error("invalid config accepted")
	}
	if _, err := New(aws.Config{}, Config{}, Options{FollowUpDelay: MaxFollowUpDelay + 1}); err == nil {
		t.Error("follow-up delay over 15 minutes accepted")
	}
}

// statusErr is an error carrying an HTTP status, like the SDK's.
type statusErr struct {
	error
	status int
}

func (e statusErr) HTTPStatusCode() int { return e.status }
func (e statusErr) Unwrap() error       { return e.error }

func TestClassify(t *testing.T) {
	ev := &deploy.Event{AccountID: "111122223333", Region: "us-east-1"}
	call := cloudFrontCall("CreateInvalidation", ev, "E123", "cutover-d-1-InstanceSuccess-0011223344556677")
	api := func(code, msg string, status int) error {
		return statusErr{&smithy.GenericAPIError{Code: code, Message: msg}, status}
	}
	for _, tt := range []struct {
		err       error
		permanent bool
		contains  string
	}{
		{api("TooManyInvalidationsInProgress", "", 400), false, "too many invalidations in progress"},
		{api("Throttling", "Rate exceeded", 400), false, "Throttling (retryable)"},
		{api("ThrottlingException", "", 400), false, "retryable"},
		{api("RequestLimitExceeded", "", 400), false, "retryable"},
		{api("UnknownError", "", 503), false, "HTTP 503"},
		{api("InternalError", "", 500), false, "retryable"},
		{api("SomethingNew", "", 429), false, "HTTP 429"},
		{context.DeadlineExceeded, false, "CreateInvalidation"},
		{api("AccessDenied", "User is not authorized", 403), true,
			"cloudfront E123: access denied: the function's role needs cloudfront:CreateInvalidation on arn:aws:cloudfront::111122223333:distribution/E123"},
		{api("NoSuchDistribution", "", 404), true, "no such distribution"},
		{api("InvalidationBatchAlreadyExists", "", 409), true, "caller reference cutover-d-1-InstanceSuccess-0011223344556677 was already used"},
		{api("InvalidArgument", "Your request contains a caller reference that was used for a previous invalidation batch for the same distribution.", 400), true, "was already used"},
		{api("InvalidArgument", "bad path", 400), true, "rejected the request (InvalidArgument)"},
		{api("BatchTooLarge", "", 413), true, "BatchTooLarge"},
		{api("SomethingNew", "", 400), true, "rejected the request (SomethingNew)"},
	} {
		err := classify(call, tt.err)
		if retry.IsPermanent(err) != tt.permanent {
			t.Errorf("%v: permanent = %v, want %v", tt.err, !tt.permanent, tt.permanent)
		}
		if !strings.Contains(err.Error(), tt.contains) {
			t.Errorf("%v: message %q lacks %q", tt.err, err, tt.contains)
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("%v: not wrapped with %%w", tt.err)
		}
	}
	if got := distributionARN(&deploy.Event{Region: "cn-north-1"}, "E1"); got != "arn:aws-cn:cloudfront::ACCOUNT:distribution/E1" {
		t.Errorf("distributionARN = %q", got)
	}
}

func TestFollowUpDecode(t *testing.T) {
	good := `{"type":"` + FollowUpType + `","version":1,"event":{"kind":"InstanceSuccess","deploymentId":"d-1"},"distributionId":"E1","invalidationId":"I2J0I21PCUYOIK","attempt":1}`
	f, err := DecodeFollowUp([]byte(good))
	if err != nil || !IsFollowUp([]byte(good)) {
		t.Fatalf("DecodeFollowUp(good) = %v; IsFollowUp = %v", err, IsFollowUp([]byte(good)))
	}
	if f.Key() != "cloudfront-followup:E1:I2J0I21PCUYOIK" || f.Event.DeploymentID != "d-1" {
		t.Errorf("decoded %+v", f)
	}
	for _, bad := range []string{
		`not json`,
		`{"type":"other","version":1,"distributionId":"E1","invalidationId":"I1","attempt":1}`,
		`{"type":"` + FollowUpType + `","version":2,"distributionId":"e1","invalidationId":"","attempt":0}`,
	} {
		_, err := DecodeFollowUp([]byte(bad))
		if err == nil || !retry.IsPermanent(err) {
			t.Errorf("DecodeFollowUp(%s) = %v, want a permanent error", bad, err)
		}
	}
	if IsFollowUp([]byte(`{"Records":[]}`)) {
		t.Error("IsFollowUp(SQS event) = true")
	}
}

func TestInvalidateRejectsBadTargets(t *testing.T) {
	c := newTestCloudFront(t, Config{}, Options{})
	ev := fixture(t, "sns-lambda/instance-success.json")
	for name, tt := range map[string]struct {
		ev     *deploy.Event
		target InvalidationTarget
	}{
		"no deployment": {&deploy.Event{Name: codedeploy.InstanceSuccess}, InvalidationTarget{DistributionID: "E1", Paths: []string{"/*"}}},
		"bad path":      {ev, InvalidationTarget{DistributionID: "E1", Paths: []string{"/a*b"}}},
		"bad id":        {ev, InvalidationTarget{DistributionID: "e1", Paths: []string{"/*"}}},
	} {
		res, err := c.Invalidate(t.Context(), tt.ev, tt.target)
		if !retry.IsPermanent(err) || res.Error == "" {
			t.Errorf("%s: Invalidate = %+v, %v; want a permanent error", name, res, err)
		}
	}
}
