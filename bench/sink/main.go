// Command sink runs a command with CUTOVER_SLACK_WEBHOOK_URL pointing at a
// loopback webhook that answers "ok", for measuring cutover without Slack.
//
//	go run ./bench/sink -- cutover send event.json
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync/atomic"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: sink -- COMMAND [ARG...]")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "sink:", err)
		os.Exit(1)
	}
	var requests atomic.Int64
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write([]byte("ok"))
	}))
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "CUTOVER_SLACK_WEBHOOK_URL=http://"+ln.Addr().String()+"/services/T000/B000/bench")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err = cmd.Run()
	fmt.Fprintf(os.Stderr, "sink: %d request(s) received\n", requests.Load())
	if err != nil {
		fmt.Fprintln(os.Stderr, "sink:", err)
		os.Exit(1)
	}
}
