package snshttp_test

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/cutover-dev/cutover/internal/snshttp"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// Serving an SNS HTTP/S subscription: verify, confirm, and hand
// notifications to the decoder.
func ExampleNewHandler() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	v, err := snshttp.NewVerifier([]string{"arn:aws:sns:us-east-1:111122223333:cutover-deployments"})
	if err != nil {
		logger.Error("verifier", "err", err)
		return
	}
	h, err := snshttp.NewHandler(v, func(ctx context.Context, body []byte) error {
		events, err := codedeploy.Decode(body) // a *DecodeError is permanent: acknowledged
		_ = events                             // hand the events to the dispatcher here
		return err
	}, logger)
	if err != nil {
		logger.Error("handler", "err", err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/sns", h)
	srv := &http.Server{Addr: "127.0.0.1:8080", Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		logger.Error("serve", "err", err)
	}
}
