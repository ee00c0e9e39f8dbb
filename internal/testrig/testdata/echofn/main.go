// Command echofn is a throwaway Lambda function used only by the testrig
// tests: it echoes its input event back and returns an error when the
// input contains the word "fail". It is also able to panic ("panic") and
// exit the process ("exit") so that the runtime-error paths of the Runtime
// Interface Emulator can be observed.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, event json.RawMessage) (json.RawMessage, error) {
	switch {
	case bytes.Contains(event, []byte("panic")):
		panic("echofn: asked to panic")
	case bytes.Contains(event, []byte("exit")):
		fmt.Fprintln(os.Stderr, "echofn: asked to exit")
		os.Exit(3)
	case bytes.Contains(event, []byte("fail")):
		return nil, errors.New("echofn: asked to fail")
	case bytes.Contains(event, []byte("env")):
		out, err := json.Marshal(map[string]string{"ECHOFN_VALUE": os.Getenv("ECHOFN_VALUE")})
		if err != nil {
			return nil, fmt.Errorf("echofn: marshal env: %w", err)
		}
		return out, nil
	}
	return event, nil
}

func main() {
	lambda.Start(handle)
}
