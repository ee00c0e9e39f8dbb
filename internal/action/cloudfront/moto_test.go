package cloudfront

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscf "github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// motoRig is moto behind a fault proxy, with clients that read moto
// directly (bypassing the faults) to check what really happened.
type motoRig struct {
	moto  *testrig.Moto
	proxy *faultProxy
	// viaProxy is the aws.Config the code under test uses.
	viaProxy aws.Config
	cf       *awscf.Client
	sqs      *sqs.Client
	// made counts created distributions, for unique caller references.
	made int
}

func startMotoRig(t *testing.T) *motoRig {
	t.Helper()
	m := testrig.StartMoto(t)
	p := newFaultProxy(t, m.Endpoint)
	via := m.AWSConfig(t)
	via.BaseEndpoint = aws.String(p.URL())
	r := &motoRig{
		moto:     m,
		proxy:    p,
		viaProxy: via,
		cf:       awscf.NewFromConfig(m.AWSConfig(t)),
		sqs:      sqs.NewFromConfig(m.AWSConfig(t)),
	}
	r.warmUp(t)
	return r
}

// warmUp makes moto's first, slow (about 1-3 s) CloudFront invalidation
// and SQS calls, so that the tests' attempt timeouts measure the code under
// test rather than moto's lazy start.
func (r *motoRig) warmUp(t *testing.T) {
	t.Helper()
	dist := r.createDistribution(t, "warmup")
	if _, err := r.cf.CreateInvalidation(t.Context(), &awscf.CreateInvalidationInput{
		DistributionId: aws.String(dist),
		InvalidationBatch: &cftypes.InvalidationBatch{
			CallerReference: aws.String("warmup"),
			Paths:           &cftypes.Paths{Quantity: aws.Int32(1), Items: []string{"/*"}},
		},
	}); err != nil {
		t.Fatalf("warm up CreateInvalidation: %v", err)
	}
	q, err := r.sqs.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String("warmup")})
	if err != nil {
		t.Fatalf("warm up CreateQueue: %v", err)
	}
	if _, err := r.sqs.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("warmup")}); err != nil {
		t.Fatalf("warm up SendMessage: %v", err)
	}
}

// reset clears the proxy's script and records between subtests. moto
// keeps its state: every subtest creates its own distributions and
// queues, which is faster than resetting moto and warming it up again.
func (r *motoRig) reset(t *testing.T) {
	t.Helper()
	r.proxy.reset()
}

func (r *motoRig) createDistribution(t *testing.T, name string) string {
	t.Helper()
	r.made++
	return r.moto.CreateDistribution(t, fmt.Sprintf("%s-%d", name, r.made))
}

// invalidations reads back a distribution's invalidations from moto, in
// creation order.
func (r *motoRig) invalidations(t *testing.T, dist string) []*cftypes.Invalidation {
	t.Helper()
	list, err := r.cf.ListInvalidations(t.Context(), &awscf.ListInvalidationsInput{DistributionId: aws.String(dist)})
	if err != nil {
		t.Fatalf("ListInvalidations(%s): %v", dist, err)
	}
	var out []*cftypes.Invalidation
	for _, s := range list.InvalidationList.Items {
		got, err := r.cf.GetInvalidation(t.Context(), &awscf.GetInvalidationInput{DistributionId: aws.String(dist), Id: s.Id})
		if err != nil {
			t.Fatalf("GetInvalidation(%s, %s): %v", dist, aws.ToString(s.Id), err)
		}
		out = append(out, got.Invalidation)
	}
	return out
}

// fastRetry keeps fault tests quick; the attempt timeout stays generous so
// that a slow moto is not mistaken for a hang.
func fastRetry() retry.Policy {
	return retry.Policy{Attempts: 4, Base: time.Millisecond, Max: 5 * time.Millisecond}
}

func (r *motoRig) action(t *testing.T, cfg Config, opts Options) *Invalidator {
	t.Helper()
	if opts.Retry.Attempts == 0 {
		opts.Retry = fastRetry()
	}
	if opts.AttemptTimeout == 0 {
		opts.AttemptTimeout = 5 * time.Second
	}
	opts.Logger = testLogger(t)
	c, err := New(r.viaProxy, cfg, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// runAll runs every task as the dispatcher would and fails on an error.
func runAll(t *testing.T, tasks []action.Task) []action.Result {
	t.Helper()
	var out []action.Result
	for _, task := range tasks {
		res, err := task.Run(t.Context())
		if err != nil {
			t.Fatalf("%s: %v", task.Destination, err)
		}
		out = append(out, res)
	}
	return out
}

func batchOf(inv *cftypes.Invalidation) (ref string, paths []string) {
	return aws.ToString(inv.InvalidationBatch.CallerReference), inv.InvalidationBatch.Paths.Items
}

// TestCloudFrontWithMoto runs the action's real code path, with the AWS SDK
// pointed at moto in server mode (behind a fault proxy), and reads the
// results back from moto.
func TestCloudFrontWithMoto(t *testing.T) {
	rig := startMotoRig(t)
	cutover := fixture(t, "sns-lambda/instance-success.json") // web-frontend / web-frontend-prod, d-7XQ2K9ABC

	t.Run("cutover invalidates every matching distribution", func(t *testing.T) {
		rig.reset(t)
		global := rig.createDistribution(t, "global")
		routed := rig.createDistribution(t, "routed")
		other := rig.createDistribution(t, "other")
		routes := []Route{
			{Application: "web-frontend", DeploymentGroup: "web-frontend-prod", DistributionIDs: []string{routed}, Paths: []string{"/app/*", "/index.html"}},
			{Application: "checkout-api", DistributionIDs: []string{other}},
		}
		// As internal/config reads it from the environment (New
		// validates and normalises it).
		cfg := Config{DistributionIDs: []string{global}, Paths: []string{"/index.html", "/assets/*"}, OnRollback: true, Routes: routes}
		results := runAll(t, rig.action(t, cfg, Options{}).Tasks(cutover))
		if len(results) != 2 {
			t.Fatalf("%d results, want 2 (global and routed): %+v", len(results), results)
		}
		want := map[string][]string{global: {"/assets/*", "/index.html"}, routed: {"/app/*", "/index.html"}}
		for _, res := range results {
			invs := rig.invalidations(t, res.Target)
			if len(invs) != 1 {
				t.Fatalf("%s: %d invalidations in moto, want 1", res.Target, len(invs))
			}
			ref, paths := batchOf(invs[0])
			wantRef := CallerReference("d-7XQ2K9ABC", codedeploy.InstanceSuccess, want[res.Target])
			if ref != wantRef || res.Reference != wantRef {
				t.Errorf("%s: moto reference %q, result %q, want %q", res.Target, ref, res.Reference, wantRef)
			}
			if !slices.Equal(paths, want[res.Target]) || !slices.Equal(res.Paths, want[res.Target]) {
				t.Errorf("%s: moto paths %q, result %q, want %q", res.Target, paths, res.Paths, want[res.Target])
			}
			if res.ID != aws.ToString(invs[0].Id) || res.ID == "" || res.Status == "" || res.Error != "" {
				t.Errorf("%s: result %+v, moto invalidation %s", res.Target, res, aws.ToString(invs[0].Id))
			}
		}
		if n := len(rig.invalidations(t, other)); n != 0 {
			t.Errorf("unmatched route's distribution got %d invalidations", n)
		}
	})

	t.Run("redeliveries reuse the reference and changed paths do not", func(t *testing.T) {
		rig.reset(t)
		dist := rig.createDistribution(t, "site")
		cfg := Config{DistributionIDs: []string{dist}, Paths: []string{"/index.html", "/assets/*"}, OnRollback: true}
		act := rig.action(t, cfg, Options{})
		// The same cutover as an SNS redelivery, and as the EventBridge event.
		first := runAll(t, act.Tasks(fixture(t, "sns-lambda/instance-success.json")))
		second := runAll(t, act.Tasks(fixture(t, "sns-lambda/instance-success.json")))
		viaEB := runAll(t, act.Tasks(fixture(t, "eventbridge/instance-success.json")))
		// The same cutover under a changed path list.
		changed := runAll(t, rig.action(t, Config{DistributionIDs: []string{dist}, Paths: []string{"/*"}}, Options{}).
			Tasks(fixture(t, "sns-lambda/instance-success.json")))

		invs := rig.invalidations(t, dist)
		// moto does not enforce CallerReference idempotency (AWS does), so
		// every attempt shows up: prove they all carried the same reference.
		if len(invs) != 4 {
			t.Fatalf("%d invalidations in moto, want 4", len(invs))
		}
		refs := make([]string, len(invs))
		for i, inv := range invs {
			refs[i], _ = batchOf(inv)
		}
		if refs[0] != refs[1] || refs[1] != refs[2] || refs[0] != first[0].Reference || second[0].Reference != first[0].Reference || viaEB[0].Reference != first[0].Reference {
			t.Errorf("redeliveries used different references: moto %q, results %q %q %q", refs, first[0].Reference, second[0].Reference, viaEB[0].Reference)
		}
		if refs[3] == refs[0] || changed[0].Reference != refs[3] {
			t.Errorf("changed paths kept the reference: %q", refs)
		}
		// Every request on the wire carried the reference.
		for i, body := range rig.proxy.requests("CreateInvalidation") {
			if !bytes.Contains(body, []byte("<CallerReference>"+refs[i]+"</CallerReference>")) {
				t.Errorf("request %d lacks reference %q: %s", i, refs[i], body)
			}
		}
	})

	t.Run("failure and rollback events invalidate again with their own references", func(t *testing.T) {
		rig.reset(t)
		dist := rig.createDistribution(t, "site")
		on := rig.action(t, Config{DistributionIDs: []string{dist}, OnRollback: true}, Options{})
		off := rig.action(t, Config{DistributionIDs: []string{dist}, OnRollback: false}, Options{
			IsRollbackDeployment: func(_ context.Context, id string) bool { return id == "d-R8BACK001" },
		})
		names := []string{"sns-lambda/deployment-failure.json", "sns-lambda/deployment-rollback.json", "trigger-real/rollback-instance-success.json"}
		var refs []string
		for _, name := range names {
			ev := fixture(t, name)
			results := runAll(t, on.Tasks(ev))
			if len(results) != 1 {
				t.Fatalf("%s: %d results", name, len(results))
			}
			refs = append(refs, results[0].Reference)
			for _, res := range runAll(t, off.Tasks(ev)) {
				if res.Skipped == "" {
					t.Errorf("%s with OnRollback=false: invalidated: %+v", name, res)
				}
			}
		}
		if len(slices.Compact(slices.Sorted(slices.Values(refs)))) != 3 {
			t.Errorf("references not distinct: %q", refs)
		}
		if invs := rig.invalidations(t, dist); len(invs) != 3 {
			t.Errorf("%d invalidations in moto, want 3", len(invs))
		}
	})

	t.Run("unknown distribution is permanent and tried once", func(t *testing.T) {
		rig.reset(t)
		act := rig.action(t, Config{DistributionIDs: []string{"E0000000000000"}}, Options{})
		tasks := act.Tasks(cutover)
		res, err := tasks[0].Run(t.Context())
		if err == nil || !retry.IsPermanent(err) || !strings.Contains(err.Error(), "cloudfront E0000000000000: no such distribution") {
			t.Fatalf("err = %v, want a permanent no-such-distribution error", err)
		}
		if res.Error == "" || res.Target != "E0000000000000" {
			t.Errorf("result %+v", res)
		}
		if n := rig.proxy.count("CreateInvalidation"); n != 1 {
			t.Errorf("%d attempts, want 1", n)
		}
	})

	t.Run("faults", func(t *testing.T) {
		for _, tt := range []struct {
			name      string
			script    []fault
			always    *fault
			wantErr   string // "" for success
			permanent bool
			attempts  int
			timeout   time.Duration
		}{
			{name: "too many invalidations, then success",
				script:   []fault{cfError(400, "TooManyInvalidationsInProgress", "Processing your request will cause you to exceed the maximum number of in-progress wildcard invalidations."), cfError(400, "TooManyInvalidationsInProgress", "again"), pass},
				attempts: 3},
			{name: "throttling and 5xx, then success",
				script:   []fault{cfError(400, "Throttling", "Rate exceeded"), {status: 503}, cfError(500, "InternalError", "We encountered an internal error."), pass},
				attempts: 4},
			{name: "request limit exceeded, then success",
				script:   []fault{cfError(400, "RequestLimitExceeded", "slow down"), pass},
				attempts: 2},
			{name: "hang, then success",
				script:   []fault{{hang: true}, pass},
				attempts: 2, timeout: 2 * time.Second},
			{name: "503 until the attempts run out",
				always:   &fault{status: 503},
				wantErr:  "HTTP 503 (retryable)",
				attempts: 4},
			{name: "too many invalidations until the attempts run out",
				always:   &fault{status: 400, code: "TooManyInvalidationsInProgress", msg: "busy"},
				wantErr:  "too many invalidations in progress",
				attempts: 4},
			{name: "access denied",
				script:    []fault{cfError(403, "AccessDenied", "User: arn:aws:sts::111122223333:assumed-role/cutover/fn is not authorized to perform: cloudfront:CreateInvalidation")},
				wantErr:   "access denied: the function's role needs cloudfront:CreateInvalidation on arn:aws:cloudfront::111122223333:distribution/",
				permanent: true, attempts: 1},
			{name: "no such distribution",
				script:    []fault{cfError(404, "NoSuchDistribution", "The specified distribution does not exist.")},
				wantErr:   "no such distribution",
				permanent: true, attempts: 1},
			{name: "batch already exists",
				script:    []fault{cfError(409, "InvalidationBatchAlreadyExists", "The caller reference is already in use.")},
				wantErr:   "was already used for an invalidation with other paths",
				permanent: true, attempts: 1},
			{name: "caller reference reused (as AWS words it)",
				script:    []fault{cfError(400, "InvalidArgument", "Your request contains a caller reference that was used for a previous invalidation batch for the same distribution.")},
				wantErr:   "was already used for an invalidation with other paths",
				permanent: true, attempts: 1},
			{name: "invalid argument",
				script:    []fault{cfError(400, "InvalidArgument", "The parameter Paths is invalid.")},
				wantErr:   "rejected the request (InvalidArgument)",
				permanent: true, attempts: 1},
			{name: "batch too large",
				script:    []fault{cfError(413, "BatchTooLarge", "too large")},
				wantErr:   "rejected the request (BatchTooLarge)",
				permanent: true, attempts: 1},
		} {
			t.Run(tt.name, func(t *testing.T) {
				rig.reset(t)
				dist := rig.createDistribution(t, "site")
				rig.proxy.enqueue("CreateInvalidation", tt.script...)
				if tt.always != nil {
					rig.proxy.setAlways("CreateInvalidation", *tt.always)
				}
				var retried []int
				pol := fastRetry()
				pol.OnRetry = func(attempt int, _ error, _ time.Duration) { retried = append(retried, attempt) }
				act := rig.action(t, Config{DistributionIDs: []string{dist}}, Options{
					Retry:          pol,
					AttemptTimeout: tt.timeout,
				})
				res, err := act.Tasks(cutover)[0].Run(t.Context())
				if got := rig.proxy.count("CreateInvalidation"); got != tt.attempts {
					t.Errorf("%d attempts on the wire, want %d", got, tt.attempts)
				}
				if tt.wantErr == "" {
					if err != nil {
						t.Fatalf("Run: %v", err)
					}
					if len(retried) != tt.attempts-1 {
						t.Errorf("retried %v, want %d retries", retried, tt.attempts-1)
					}
					if invs := rig.invalidations(t, dist); len(invs) != 1 || aws.ToString(invs[0].Id) != res.ID {
						t.Errorf("moto holds %d invalidations; result %+v", len(invs), res)
					}
					return
				}
				if err == nil {
					t.Fatalf("Run succeeded, want %q", tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "cloudfront "+dist+": ") {
					t.Errorf("error %q lacks %q", err, tt.wantErr)
				}
				if retry.IsPermanent(err) != tt.permanent {
					t.Errorf("permanent = %v, want %v: %v", retry.IsPermanent(err), tt.permanent, err)
				}
				if res.Error != err.Error() || res.Reference == "" || res.Target != dist {
					t.Errorf("result %+v", res)
				}
			})
		}
	})

	// The hang tests wait on real attempt timeouts (a hung connection ends
	// only when its context does) but assert on counts, errors and the
	// order of instants, never on how long anything took.
	t.Run("hangs are retried, then left to Lambda", func(t *testing.T) {
		rig.reset(t)
		dist := rig.createDistribution(t, "site")
		rig.proxy.setAlways("CreateInvalidation", fault{hang: true})
		var events []string
		pol := retry.Policy{
			Attempts: 3, Base: time.Second, Max: time.Second,
			Sleep: func(context.Context, time.Duration) error { events = append(events, "sleep"); return nil },
			OnRetry: func(attempt int, err error, _ time.Duration) {
				events = append(events, fmt.Sprintf("retry %d: %v", attempt, err))
			},
		}
		act := rig.action(t, Config{DistributionIDs: []string{dist}}, Options{Retry: pol, AttemptTimeout: 500 * time.Millisecond})
		_, err := act.Tasks(cutover)[0].Run(t.Context())
		if err == nil || retry.IsPermanent(err) || !errors.Is(err, context.DeadlineExceeded) ||
			!strings.Contains(err.Error(), "cloudfront "+dist+": CreateInvalidation timed out after 500ms") ||
			!strings.HasSuffix(err.Error(), "(gave up after 3 attempts; retryable)") {
			t.Fatalf("err = %v, want a retryable timeout after 3 attempts", err)
		}
		if n := rig.proxy.count("CreateInvalidation"); n != 3 {
			t.Errorf("%d attempts on the wire, want 3", n)
		}
		// Each timed-out attempt is reported, then waited for, in order.
		if len(events) != 4 || !strings.HasPrefix(events[0], "retry 1: ") || events[1] != "sleep" ||
			!strings.HasPrefix(events[2], "retry 2: ") || events[3] != "sleep" {
			t.Fatalf("events %q, want retry 1, sleep, retry 2, sleep", events)
		}
		for _, e := range []string{events[0], events[2]} {
			if !strings.Contains(e, "timed out after") {
				t.Errorf("retried %q, want a timeout", e)
			}
		}
	})

	t.Run("an attempt ends the reserve before the caller's deadline", func(t *testing.T) {
		rig.reset(t)
		dist := rig.createDistribution(t, "site")
		rig.proxy.setAlways("CreateInvalidation", fault{hang: true})
		// The deadline is far; the reserve leaves the attempt about half a
		// second of it, much less than its own timeout.
		const attemptTimeout = time.Minute
		start := time.Now()
		deadline := start.Add(time.Hour)
		reserve := time.Hour - 500*time.Millisecond
		rec := &deadlineRecorder{API: awscf.NewFromConfig(rig.viaProxy)}
		var sleeps int
		act := rig.action(t, Config{DistributionIDs: []string{dist}}, Options{
			CloudFront: rec,
			Retry: retry.Policy{Attempts: 100, Base: time.Millisecond, Max: time.Millisecond, Reserve: reserve,
				Sleep: func(context.Context, time.Duration) error { sleeps++; return nil }},
			AttemptTimeout: attemptTimeout,
		})
		ctx, cancel := context.WithDeadline(t.Context(), deadline)
		defer cancel()
		_, err := act.Tasks(cutover)[0].Run(ctx)
		returned := ctx.Err()
		if err == nil || retry.IsPermanent(err) ||
			!strings.Contains(err.Error(), "cloudfront "+dist+": CreateInvalidation timed out after ") ||
			!strings.HasSuffix(err.Error(), "(gave up after 1 attempts; retryable)") {
			t.Fatalf("err = %v, want a retryable timeout after one attempt", err)
		}
		if returned != nil {
			t.Errorf("Run returned after the caller's deadline (%v)", returned)
		}
		// No time is left for another attempt once the reserve is kept.
		if n := rig.proxy.count("CreateInvalidation"); n != 1 || sleeps != 0 {
			t.Errorf("%d attempts on the wire and %d waits, want 1 and none", n, sleeps)
		}
		dls := rec.deadlines()
		if len(dls) != 1 {
			t.Fatalf("%d attempts recorded, want 1", len(dls))
		}
		if !dls[0].Before(deadline) || !dls[0].Before(start.Add(attemptTimeout)) {
			t.Errorf("attempt deadline %s, want it cut by the reserve: before the caller's %s and before its own timeout %s",
				dls[0].Format(time.RFC3339Nano), deadline.Format(time.RFC3339Nano), start.Add(attemptTimeout).Format(time.RFC3339Nano))
		}
	})
}

// TestFollowUpWithMoto runs the completion follow-up through moto's SQS
// and CloudFront.
func TestFollowUpWithMoto(t *testing.T) {
	rig := startMotoRig(t)
	cutover := fixture(t, "sns-lambda/instance-success.json")
	queues := 0

	setup := func(t *testing.T, opts Options) (*Invalidator, string, string) {
		t.Helper()
		rig.reset(t)
		dist := rig.createDistribution(t, "site")
		queues++
		q, err := rig.sqs.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String(fmt.Sprintf("cutover-followup-%d", queues))})
		if err != nil {
			t.Fatalf("CreateQueue: %v", err)
		}
		queue := aws.ToString(q.QueueUrl)
		cfg := Config{DistributionIDs: []string{dist}, Paths: []string{"/index.html"}, FollowUpQueueURL: queue}
		return rig.action(t, cfg, opts), dist, queue
	}
	receive := func(t *testing.T, queue string) []string {
		t.Helper()
		out, err := rig.sqs.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(queue), MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"},
		})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		var bodies []string
		for _, m := range out.Messages {
			if got := aws.ToString(m.MessageAttributes["cutover-type"].StringValue); got != FollowUpType {
				t.Errorf("message attribute cutover-type = %q", got)
			}
			bodies = append(bodies, aws.ToString(m.Body))
			if _, err := rig.sqs.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(queue), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("DeleteMessage: %v", err)
			}
		}
		return bodies
	}
	delayOnWire := func(t *testing.T, i int) int {
		t.Helper()
		reqs := rig.proxy.requests("SendMessage")
		if len(reqs) <= i {
			t.Fatalf("%d SendMessage requests, want more than %d", len(reqs), i)
		}
		var in struct{ DelaySeconds int }
		if err := json.Unmarshal(reqs[i], &in); err != nil {
			t.Fatalf("SendMessage body %s: %v", reqs[i], err)
		}
		return in.DelaySeconds
	}

	t.Run("invalidation queues a delayed check that reports completion", func(t *testing.T) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		act, dist, queue := setup(t, Options{FollowUpDelay: -1, Now: func() time.Time { return now }})
		res := runAll(t, act.Tasks(cutover))[0]
		if d := delayOnWire(t, 0); d != 0 {
			t.Errorf("DelaySeconds = %d with the test's no-delay option", d)
		}
		bodies := receive(t, queue)
		if len(bodies) != 1 {
			t.Fatalf("%d follow-ups queued, want 1", len(bodies))
		}
		body := []byte(bodies[0])
		if !IsFollowUp(body) {
			t.Fatalf("not a follow-up: %s", body)
		}
		f, err := DecodeFollowUp(body)
		if err != nil {
			t.Fatal(err)
		}
		// CreatedAt is CloudFront's CreateTime of the invalidation.
		if f.DistributionID != dist || f.InvalidationID != res.ID || f.Attempt != 1 || f.CreatedAt.IsZero() || f.CreatedAt.Equal(now) ||
			f.Event.DeploymentID != "d-7XQ2K9ABC" || f.Event.Name != codedeploy.InstanceSuccess || !slices.Equal(f.Paths, []string{"/index.html"}) ||
			f.CallerReference != res.Reference {
			t.Errorf("follow-up %+v\nfor result %+v", f, res)
		}
		done, check, err := act.Check(t.Context(), f)
		if err != nil || !done {
			t.Fatalf("Check = done %v, %v", done, err)
		}
		want := action.Result{Action: ActionCloudFrontInvalidation, Target: dist, ID: res.ID, Paths: []string{"/index.html"}, Reference: res.Reference, Status: "Completed"}
		if fmt.Sprint(check) != fmt.Sprint(want) {
			t.Errorf("check result\n got %+v\nwant %+v", check, want)
		}
		if n := len(receive(t, queue)); n != 0 {
			t.Errorf("%d more follow-ups after completion", n)
		}
	})

	t.Run("default delay is five minutes", func(t *testing.T) {
		act, _, _ := setup(t, Options{})
		runAll(t, act.Tasks(cutover))
		if d := delayOnWire(t, 0); d != 300 {
			t.Errorf("DelaySeconds = %d, want 300", d)
		}
	})

	t.Run("in-progress invalidations are checked again until the checks run out", func(t *testing.T) {
		act, _, queue := setup(t, Options{FollowUpDelay: -1, MaxChecks: 3})
		inProgress := fault{rewrite: func(b []byte) []byte {
			return bytes.ReplaceAll(b, []byte("<Status>COMPLETED</Status>"), []byte("<Status>InProgress</Status>"))
		}}
		rig.proxy.setAlways("GetInvalidation", inProgress)
		res := runAll(t, act.Tasks(cutover))[0]
		for attempt := 1; attempt <= 3; attempt++ {
			bodies := receive(t, queue)
			if len(bodies) != 1 {
				t.Fatalf("check %d: %d messages queued, want 1", attempt, len(bodies))
			}
			f, err := DecodeFollowUp([]byte(bodies[0]))
			if err != nil || f.Attempt != attempt {
				t.Fatalf("check %d: follow-up attempt %d, %v", attempt, f.Attempt, err)
			}
			done, check, err := act.Check(t.Context(), f)
			if check.Status != "InProgress" || check.ID != res.ID {
				t.Errorf("check %d: result %+v", attempt, check)
			}
			if attempt < 3 {
				if done || err != nil {
					t.Fatalf("check %d: done %v, %v; want another check queued", attempt, done, err)
				}
				continue
			}
			if !done || !retry.IsPermanent(err) || !strings.Contains(err.Error(), "stopped checking") || check.Error == "" {
				t.Fatalf("last check: done %v, %v; want done with a permanent error", done, err)
			}
		}
		if n := len(receive(t, queue)); n != 0 {
			t.Errorf("%d follow-ups after giving up", n)
		}
		if n := rig.proxy.count("GetInvalidation"); n != 3 {
			t.Errorf("%d GetInvalidation calls, want 3", n)
		}
	})

	t.Run("a failed follow-up does not fail the invalidation", func(t *testing.T) {
		act, dist, _ := setup(t, Options{FollowUpDelay: -1})
		rig.proxy.setAlways("SendMessage", fault{status: 503})
		res := runAll(t, act.Tasks(cutover))[0]
		if res.ID == "" || res.Error != "" {
			t.Errorf("result %+v", res)
		}
		if n := len(rig.invalidations(t, dist)); n != 1 {
			t.Errorf("%d invalidations", n)
		}
		if n := rig.proxy.count("SendMessage"); n != fastRetry().Attempts {
			t.Errorf("%d SendMessage attempts, want %d", n, fastRetry().Attempts)
		}
	})

	t.Run("a vanished invalidation ends the chain", func(t *testing.T) {
		act, dist, _ := setup(t, Options{FollowUpDelay: -1})
		f := FollowUp{Type: FollowUpType, Version: FollowUpVersion, Event: *cutover, DistributionID: dist, InvalidationID: "INOSUCHTHING00", Attempt: 1}
		done, res, err := act.Check(t.Context(), f)
		if !done || !retry.IsPermanent(err) || res.Error == "" {
			t.Errorf("Check = done %v, %+v, %v; want done with a permanent error", done, res, err)
		}
	})
}
