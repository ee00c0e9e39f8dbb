// Command floor is the smallest honest Go program that does cutover's job
// for one event, with the standard library only: it reads a Lambda SNS
// event of a CodeDeploy traffic switch, decodes the SNS record and the
// trigger message (nested lifecycle events included) into the fields the
// message uses, builds the same Slack Block Kit body with encoding/json and
// POSTs it to CUTOVER_SLACK_WEBHOOK_URL. `make bench` runs it next to
// cutover as the reference the performance goals are ratios of.
//
//	floor EVENT.json                      # like `cutover send`
//	AWS_LAMBDA_RUNTIME_API=... floor      # like the bootstrap, one event per invocation
//
// It is a measuring stick, not a product: no retries, no records, one
// message shape.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	if api := os.Getenv("AWS_LAMBDA_RUNTIME_API"); api != "" {
		if err := serveRuntime(api); err != nil {
			fmt.Fprintln(os.Stderr, "floor:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: floor EVENT.json")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err == nil {
		err = handle(data)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

// serveRuntime answers invocations from the Lambda Runtime API at api.
func serveRuntime(api string) error {
	base := "http://" + api + "/2018-06-01/runtime/invocation/"
	for {
		resp, err := http.Get(base + "next")
		if err != nil {
			return err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		result, kind := "null", "/response"
		if err := handle(body); err != nil {
			result, _ = marshalString(map[string]string{"errorMessage": err.Error(), "errorType": "Error"})
			kind = "/error"
		}
		r, err := http.Post(base+id+kind, "application/json", bytes.NewReader([]byte(result)))
		if err != nil {
			return err
		}
		r.Body.Close()
	}
}

func marshalString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

type snsEvent struct {
	Records []struct {
		Sns struct {
			Message   string
			Timestamp string
		}
	}
}

type trigger struct {
	Region              string `json:"region"`
	AccountID           string `json:"accountId"`
	ApplicationName     string `json:"applicationName"`
	DeploymentID        string `json:"deploymentId"`
	DeploymentGroupName string `json:"deploymentGroupName"`
	InstanceID          string `json:"instanceId"`
	LastUpdatedAt       string `json:"lastUpdatedAt"`
	InstanceStatus      string `json:"instanceStatus"`
	LifecycleEvents     string `json:"lifecycleEvents"`
}

type lifecycleEvent struct {
	LifecycleEvent       string
	LifecycleEventStatus string
	StartTime            string
	EndTime              string
}

type text struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type block struct {
	Type     string `json:"type"`
	Text     *text  `json:"text,omitempty"`
	Fields   []text `json:"fields,omitempty"`
	Elements []text `json:"elements,omitempty"`
}

type attachment struct {
	Color  string  `json:"color"`
	Blocks []block `json:"blocks"`
}

type body struct {
	Text        string       `json:"text"`
	Blocks      []block      `json:"blocks"`
	Attachments []attachment `json:"attachments"`
	UnfurlLinks bool         `json:"unfurl_links"`
	UnfurlMedia bool         `json:"unfurl_media"`
}

// handle decodes one SNS event and posts its message.
func handle(data []byte) error {
	payload, err := render(data)
	if err != nil {
		return err
	}
	resp, err := http.Post(os.Getenv("CUTOVER_SLACK_WEBHOOK_URL"), "application/json", bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return fmt.Errorf("post: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("post: status %d", resp.StatusCode)
	}
	return nil
}

// render decodes one SNS event into the Block Kit body to post.
func render(data []byte) ([]byte, error) {
	var ev snsEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, fmt.Errorf("sns: %w", err)
	}
	if len(ev.Records) == 0 {
		return nil, errors.New("sns: no records")
	}
	var t trigger
	if err := json.Unmarshal([]byte(ev.Records[0].Sns.Message), &t); err != nil {
		return nil, fmt.Errorf("trigger: %w", err)
	}
	var lifecycle []lifecycleEvent
	if t.LifecycleEvents != "" {
		if err := json.Unmarshal([]byte(t.LifecycleEvents), &lifecycle); err != nil {
			return nil, fmt.Errorf("lifecycle events: %w", err)
		}
	}
	switched := t.LastUpdatedAt
	for _, l := range lifecycle {
		if l.LifecycleEvent == "AllowTraffic" && l.EndTime != "" {
			switched = l.EndTime
		}
	}
	at, err := time.Parse("Mon Jan 2 15:04:05 MST 2006", switched)
	if err != nil {
		return nil, fmt.Errorf("time: %w", err)
	}
	console := "https://" + t.Region + ".console.aws.amazon.com/codesuite/codedeploy/deployments/" + t.DeploymentID + "?region=" + t.Region
	title := ":twisted_rightwards_arrows: Traffic switched to the new task set"
	b := body{
		Text: title + " (" + t.ApplicationName + " / " + t.DeploymentGroupName + ", " + t.DeploymentID + ", " + t.InstanceID + ")",
		Blocks: []block{{Type: "section", Text: &text{"mrkdwn",
			"*" + title + "*\n" + t.ApplicationName + " / " + t.DeploymentGroupName + " · <" + console + "|" + t.DeploymentID + ">"}}},
		Attachments: []attachment{{Color: "#2EB67D", Blocks: []block{
			{Type: "section", Fields: []text{
				{"mrkdwn", "*ECS service*\n`" + t.InstanceID + "`"},
				{"mrkdwn", "*Switched at*\n" + at.UTC().Format("2006-01-02 15:04:05") + " UTC"},
			}},
			{Type: "context", Elements: []text{{"mrkdwn", ":information_source: The original task set keeps running until the termination wait ends: stop the deployment with rollback to switch traffic back."}}},
			{Type: "context", Elements: []text{{"mrkdwn", "cutover · :link: <" + console + "|CodeDeploy console> · " + t.Region + " · account " + t.AccountID}}},
		}}},
	}
	return json.Marshal(b)
}
