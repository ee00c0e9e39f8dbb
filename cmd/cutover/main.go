// Command cutover is the Lambda bootstrap and the cutover CLI in one
// binary. Started by the Lambda runtime (AWS_LAMBDA_RUNTIME_API set) it
// serves the handler; otherwise it runs the command line.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/cutover-dev/cutover/internal/cli"
	"github.com/cutover-dev/cutover/internal/lambdafn"
)

func main() {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		if err := lambdafn.Start(context.Background(), os.Getenv); err != nil {
			// Init failed and was logged: exit so Lambda reports an init
			// error.
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.Run(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(exitCode(err))
}

// exitCode maps Run's error to the process exit code and prints it.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	code := 1
	var ee *cli.ExitError
	if errors.As(err, &ee) {
		code = ee.Code
	}
	if code != 0 {
		fmt.Fprintln(os.Stderr, "cutover:", err)
	}
	return code
}
