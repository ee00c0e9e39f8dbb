package tfapply

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// rawAWS calls the AWS APIs that cutover has no SDK client for (Lambda,
// IAM, CloudWatch Logs, CloudWatch, ELBv2, EC2) on moto, signing requests
// with SigV4 as an SDK would; moto picks the service from the signature's
// credential scope. It keeps the module's go.mod free of SDK clients used
// by this test only.
type rawAWS struct {
	cfg    aws.Config
	client *http.Client
}

func newRawAWS(cfg aws.Config) *rawAWS {
	return &rawAWS{cfg: cfg, client: &http.Client{Timeout: 30 * time.Second}}
}

// call sends one signed request for service (the signing name) and returns
// the response body; a status other than 2xx is an error holding the body.
func (r *rawAWS) call(ctx context.Context, service, method, path string, hdr map[string]string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, aws.ToString(r.cfg.BaseEndpoint)+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	creds, err := r.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), service, r.cfg.Region, time.Now()); err != nil {
		return nil, err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s %s: %w", service, method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s %s: read: %w", service, method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return out, fmt.Errorf("%s %s %s: status %d: %.500s", service, method, path, resp.StatusCode, out)
	}
	return out, nil
}

// jsonCall calls an AWS JSON 1.1 API (X-Amz-Target) and decodes the answer
// into out.
func (r *rawAWS) jsonCall(ctx context.Context, service, target string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	b, err := r.call(ctx, service, http.MethodPost, "/", map[string]string{
		"X-Amz-Target": target,
		"Content-Type": "application/x-amz-json-1.1",
	}, body)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// queryCall calls an AWS Query API (form-encoded Action and Version) and
// decodes the XML answer into out.
func (r *rawAWS) queryCall(ctx context.Context, service, action, version string, out any) error {
	form := url.Values{"Action": {action}, "Version": {version}}
	b, err := r.call(ctx, service, http.MethodPost, "/", map[string]string{
		"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
	}, []byte(form.Encode()))
	if err != nil {
		return err
	}
	return xml.Unmarshal(b, out)
}

// lambdaFunction is the part of Lambda's FunctionConfiguration the test
// reads.
type lambdaFunction struct {
	FunctionName  string
	FunctionArn   string
	Runtime       string
	Handler       string
	Architectures []string
	Timeout       int
	MemorySize    int
	Role          string
	Environment   struct {
		Variables map[string]string
	}
}

// getFunctionConfiguration is Lambda's GetFunctionConfiguration. It also
// returns the raw answer.
func (r *rawAWS) getFunctionConfiguration(ctx context.Context, name string) (lambdaFunction, []byte, error) {
	var fn lambdaFunction
	b, err := r.call(ctx, "lambda", http.MethodGet, "/2015-03-31/functions/"+url.PathEscape(name)+"/configuration", nil, nil)
	if err != nil {
		return fn, b, err
	}
	return fn, b, json.Unmarshal(b, &fn)
}

// listFunctions returns the names of Lambda's functions (one page: moto
// holds only this test's).
func (r *rawAWS) listFunctions(ctx context.Context) ([]string, error) {
	b, err := r.call(ctx, "lambda", http.MethodGet, "/2015-03-31/functions/", nil, nil)
	if err != nil {
		return nil, err
	}
	var out struct{ Functions []lambdaFunction }
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(out.Functions))
	for _, f := range out.Functions {
		names = append(names, f.FunctionName)
	}
	return names, nil
}

// listEventSourceMappings returns the UUIDs of Lambda's event source
// mappings.
func (r *rawAWS) listEventSourceMappings(ctx context.Context) ([]string, error) {
	b, err := r.call(ctx, "lambda", http.MethodGet, "/2015-03-31/event-source-mappings/", nil, nil)
	if err != nil {
		return nil, err
	}
	var out struct{ EventSourceMappings []struct{ UUID string } }
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(out.EventSourceMappings))
	for _, m := range out.EventSourceMappings {
		ids = append(ids, m.UUID)
	}
	return ids, nil
}

// listRoles returns the names of IAM's roles.
func (r *rawAWS) listRoles(ctx context.Context) ([]string, error) {
	var out struct {
		Names []string `xml:"ListRolesResult>Roles>member>RoleName"`
	}
	err := r.queryCall(ctx, "iam", "ListRoles", "2010-05-08", &out)
	return out.Names, err
}

// listLogGroups returns the names of CloudWatch Logs' log groups.
func (r *rawAWS) listLogGroups(ctx context.Context) ([]string, error) {
	var out struct {
		LogGroups []struct {
			LogGroupName string `json:"logGroupName"`
		} `json:"logGroups"`
	}
	if err := r.jsonCall(ctx, "logs", "Logs_20140328.DescribeLogGroups", map[string]any{}, &out); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(out.LogGroups))
	for _, g := range out.LogGroups {
		names = append(names, g.LogGroupName)
	}
	return names, nil
}

// listAlarms returns the names of CloudWatch's metric alarms.
func (r *rawAWS) listAlarms(ctx context.Context) ([]string, error) {
	var out struct {
		Names []string `xml:"DescribeAlarmsResult>MetricAlarms>member>AlarmName"`
	}
	err := r.queryCall(ctx, "monitoring", "DescribeAlarms", "2010-08-01", &out)
	return out.Names, err
}

// listLoadBalancers returns the ARNs of ELBv2's load balancers and target
// groups.
func (r *rawAWS) listLoadBalancers(ctx context.Context) ([]string, error) {
	var lbs struct {
		ARNs []string `xml:"DescribeLoadBalancersResult>LoadBalancers>member>LoadBalancerArn"`
	}
	if err := r.queryCall(ctx, "elasticloadbalancing", "DescribeLoadBalancers", "2015-12-01", &lbs); err != nil {
		return nil, err
	}
	var tgs struct {
		ARNs []string `xml:"DescribeTargetGroupsResult>TargetGroups>member>TargetGroupArn"`
	}
	if err := r.queryCall(ctx, "elasticloadbalancing", "DescribeTargetGroups", "2015-12-01", &tgs); err != nil {
		return nil, err
	}
	return append(lbs.ARNs, tgs.ARNs...), nil
}

// listVPCs returns the IDs of EC2's VPCs other than the default VPC.
func (r *rawAWS) listVPCs(ctx context.Context) ([]string, error) {
	var out struct {
		VPCs []struct {
			ID        string `xml:"vpcId"`
			IsDefault bool   `xml:"isDefault"`
		} `xml:"vpcSet>item"`
	}
	if err := r.queryCall(ctx, "ec2", "DescribeVpcs", "2016-11-15", &out); err != nil {
		return nil, err
	}
	var ids []string
	for _, v := range out.VPCs {
		if !v.IsDefault {
			ids = append(ids, v.ID)
		}
	}
	return ids, nil
}
