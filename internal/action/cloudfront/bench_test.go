package cloudfront

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// createInvalidationResponse is CloudFront's answer to CreateInvalidation
// (HTTP 201, with a Location header).
const createInvalidationResponse = `<?xml version="1.0" encoding="UTF-8"?>
<Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>I2J0I21PCUYOIK</Id><Status>InProgress</Status><CreateTime>2026-11-26T10:00:00.000Z</CreateTime><InvalidationBatch><Paths><Quantity>2</Quantity><Items><Path>/assets/*</Path><Path>/index.html</Path></Items></Paths><CallerReference>cutover-d-7XQ2K9ABC-InstanceSuccess-0000000000000000</CallerReference></InvalidationBatch></Invalidation>`

// BenchmarkEventToCreateInvalidation measures a cutover event's way from
// Tasks to a CreateInvalidation request on the wire, through the real SDK
// client (signing, XML encoding, HTTP over loopback) against a local
// CloudFront fake; ns/to-wire is the time until the fake saw the request,
// ns/op includes reading the answer.
func BenchmarkEventToCreateInvalidation(b *testing.B) {
	var arrived atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Store(time.Now().UnixNano())
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("Location", "https://cloudfront.amazonaws.com/2020-05-31/distribution/E2QWRUHAPOMQZL/invalidation/I2J0I21PCUYOIK")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, createInvalidationResponse)
	}))
	b.Cleanup(srv.Close)

	awsCfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.URL),
	}
	c, err := New(awsCfg, Config{
		DistributionIDs: []string{"E2QWRUHAPOMQZL"},
		Paths:           []string{"/index.html", "/assets/*"},
		OnRollback:      true,
	}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ev := fixture(b, "sns-lambda/instance-success.json")
	ctx := b.Context()

	var toWire time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		tasks := c.Tasks(ev)
		if len(tasks) != 1 {
			b.Fatalf("%d tasks", len(tasks))
		}
		res, err := tasks[0].Run(ctx)
		if err != nil || res.ID != "I2J0I21PCUYOIK" {
			b.Fatalf("Run = %+v, %v", res, err)
		}
		toWire += time.Duration(arrived.Load() - start.UnixNano())
	}
	b.ReportMetric(float64(toWire.Nanoseconds())/float64(b.N), "ns/to-wire")
}
