package check

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// TestMoto runs the checks that need AWS against one moto server.
func TestMoto(t *testing.T) {
	moto := testrig.StartMoto(t)
	cfg := moto.AWSConfig(t)
	// CloudWatch's SDK speaks Smithy RPC v2 CBOR, which moto 5.2.1 does not
	// route; CloudWatch also takes the AWS Query protocol, which moto
	// does, with the same operations and shapes.
	cw := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) {
		o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
	})
	t.Run("Alarms", func(t *testing.T) { testAlarms(t, cw) })
	t.Run("Listeners", func(t *testing.T) { testListeners(t, moto, cfg) })
}

func testAlarms(t *testing.T, cw *cloudwatch.Client) {
	ctx := context.Background()
	for _, n := range []string{"api-5xx", "api-latency", "api-errors"} {
		_, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String(n), MetricName: aws.String("5xx"), Namespace: aws.String("shop"),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, EvaluationPeriods: aws.Int32(1),
			Period: aws.Int32(60), Statistic: cwtypes.StatisticSum, Threshold: aws.Float64(1),
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(n), StateValue: cwtypes.StateValueOk, StateReason: aws.String("fine")}); err != nil {
			t.Fatal(err)
		}
	}
	spec := Spec{Name: "alarms", Type: TypeAlarms, AlarmNames: []string{"api-5xx", "api-latency"}}
	c := New([]Spec{spec}, Deps{Alarms: cw})
	if r := c.Run(ctx, switched).Results[0]; !r.Passed || r.Summary != "2 alarms not in ALARM: api-5xx, api-latency" {
		t.Errorf("ok: %+v", r)
	}
	reason := "Threshold Crossed: 1 datapoint [12.0 (01/12/26 11:52:00)] was greater than the threshold (1.0)."
	if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("api-latency"), StateValue: cwtypes.StateValueAlarm, StateReason: aws.String(reason)}); err != nil {
		t.Fatal(err)
	}
	if r := c.Run(ctx, switched).Results[0]; r.Passed || r.Summary != "1 of 2 alarms in ALARM: api-latency ("+clipText(reason, maxReason)+")" {
		t.Errorf("alarm: %+v", r)
	}
	missing := New([]Spec{{Name: "alarms", Type: TypeAlarms, AlarmNames: []string{"api-5xx", "no-such-alarm"}}}, Deps{Alarms: cw})
	if r := missing.Run(ctx, switched).Results[0]; r.Passed || r.Error != "1 of 2 alarms not found: no-such-alarm" {
		t.Errorf("missing: %+v", r)
	}
	// Unreadable: an endpoint that answers every request with an error.
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform: cloudwatch:DescribeAlarms</Message></Error></ErrorResponse>`)
	}))
	defer down.Close()
	denied := cloudwatch.New(cw.Options(), func(o *cloudwatch.Options) {
		o.BaseEndpoint, o.RetryMaxAttempts = aws.String(down.URL), 1
		o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
	})
	r := New([]Spec{spec}, Deps{Alarms: denied}).Run(ctx, switched).Results[0]
	if r.Passed || !strings.HasPrefix(r.Error, "cloudwatch DescribeAlarms: AccessDenied") {
		t.Errorf("denied: %+v", r)
	}
}

// ec2Call makes one EC2 Query API call on moto and returns its answer.
func ec2Call(t *testing.T, endpoint string, params url.Values, out any) {
	t.Helper()
	params.Set("Version", "2016-11-15")
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(params.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("ec2 %s: %d %s", params.Get("Action"), resp.StatusCode, body)
	}
	if err := xml.Unmarshal(body, out); err != nil {
		t.Fatal(err)
	}
}

// fakeAWS serves CodeDeploy and ECS answers (AWS JSON 1.1, keyed on
// X-Amz-Target) that moto lacks or needs much setup for.
func fakeAWS(t *testing.T, answers map[string]any) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		op := target[strings.LastIndex(target, ".")+1:]
		a, ok := answers[op]
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"InvalidParameterException","message":"unexpected `+op+`"}`)
			return
		}
		json.NewEncoder(w).Encode(a)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func testListeners(t *testing.T, moto *testrig.Moto, cfg aws.Config) {
	ctx := context.Background()
	var vpc struct {
		Vpc struct {
			ID string `xml:"vpcId"`
		} `xml:"vpc"`
	}
	ec2Call(t, moto.Endpoint, url.Values{"Action": {"CreateVpc"}, "CidrBlock": {"10.0.0.0/16"}}, &vpc)
	var subnets []string
	for i, az := range []string{"a", "b"} {
		var sn struct {
			Subnet struct {
				ID string `xml:"subnetId"`
			} `xml:"subnet"`
		}
		ec2Call(t, moto.Endpoint, url.Values{"Action": {"CreateSubnet"}, "VpcId": {vpc.Vpc.ID},
			"CidrBlock": {[]string{"10.0.1.0/24", "10.0.2.0/24"}[i]}, "AvailabilityZone": {testrig.Region + az}}, &sn)
		subnets = append(subnets, sn.Subnet.ID)
	}
	lbc := elb.NewFromConfig(cfg)
	lb, err := lbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("shop"), Subnets: subnets})
	if err != nil {
		t.Fatal(err)
	}
	lbARN := aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)
	dns := strings.ToLower(aws.ToString(lb.LoadBalancers[0].DNSName))
	tg, err := lbc.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("shop-blue"), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(8080), VpcId: aws.String(vpc.Vpc.ID), TargetType: elbtypes.TargetTypeEnumIp})
	if err != nil {
		t.Fatal(err)
	}
	fwd := []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tg.TargetGroups[0].TargetGroupArn}}
	listener := func(port int32) string {
		out, err := lbc.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(lbARN), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(port), DefaultActions: fwd})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Listeners[0].ListenerArn)
	}
	prod, test := listener(80), listener(8080)
	rule, err := lbc.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: aws.String(test), Priority: aws.Int32(10), Actions: fwd,
		Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), Values: []string{"/*"}}}})
	if err != nil {
		t.Fatal(err)
	}
	testRule := aws.ToString(rule.Rules[0].RuleArn)
	prodRule := strings.Replace(prod, ":listener/", ":listener-rule/", 1) + "/0123456789abcdef"

	svcDeployment := "arn:aws:ecs:us-east-1:111122223333:service-deployment/prod/shop/AbCdEf123"
	revision := "arn:aws:ecs:us-east-1:111122223333:service-revision/prod/shop/4"
	fake := fakeAWS(t, map[string]any{
		"GetDeploymentGroup": map[string]any{"deploymentGroupInfo": map[string]any{
			"applicationName": "shop", "deploymentGroupName": "shop-prod",
			"loadBalancerInfo": map[string]any{"targetGroupPairInfoList": []any{map[string]any{
				"targetGroups":     []any{map[string]any{"name": "shop-blue"}, map[string]any{"name": "shop-green"}},
				"prodTrafficRoute": map[string]any{"listenerArns": []string{prod}},
				"testTrafficRoute": map[string]any{"listenerArns": []string{test}},
			}}}}},
		"DescribeServiceDeployments": map[string]any{"serviceDeployments": []any{map[string]any{
			"serviceDeploymentArn": svcDeployment, "targetServiceRevision": map[string]any{"arn": revision}}}},
		"DescribeServiceRevisions": map[string]any{"serviceRevisions": []any{map[string]any{
			"serviceRevisionArn": revision,
			"loadBalancers": []any{map[string]any{"targetGroupArn": aws.ToString(tg.TargetGroups[0].TargetGroupArn), "containerName": "web", "containerPort": 8080,
				"advancedConfiguration": map[string]any{"productionListenerRule": prodRule, "testListenerRule": testRule, "alternateTargetGroupArn": "arn:x", "roleArn": "arn:aws:iam::111122223333:role/ecs"}}},
		}}},
	})
	fakeCfg := cfg.Copy()
	fakeCfg.BaseEndpoint = aws.String(fake.URL)
	l := &Listeners{CodeDeploy: codedeploy.NewFromConfig(fakeCfg), ECS: ecs.NewFromConfig(fakeCfg), ELB: lbc}

	cd := &deploy.Event{Platform: deploy.CodeDeployECS, Application: "shop", DeploymentGroup: "shop-prod", DeploymentID: "d-1"}
	native := &deploy.Event{Platform: deploy.ECSNative, DeploymentID: svcDeployment}
	for _, tt := range []struct {
		name     string
		ev       *deploy.Event
		listener string
		want     string
	}{
		{"codedeploy production", cd, ListenerProduction, "http://" + dns},
		{"codedeploy test", cd, ListenerTest, "http://" + dns + ":8080"},
		{"ecs-native production", native, ListenerProduction, "http://" + dns},
		{"ecs-native test", native, ListenerTest, "http://" + dns + ":8080"},
	} {
		got, err := l.Discover(ctx, tt.ev, tt.listener)
		if err != nil || got != tt.want {
			t.Errorf("%s: %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	// A deployment group without load balancer: the error says so.
	empty := fakeAWS(t, map[string]any{"GetDeploymentGroup": map[string]any{"deploymentGroupInfo": map[string]any{"deploymentGroupName": "shop-prod"}}})
	emptyCfg := cfg.Copy()
	emptyCfg.BaseEndpoint = aws.String(empty.URL)
	l.CodeDeploy = codedeploy.NewFromConfig(emptyCfg)
	if _, err := l.Discover(ctx, cd, ListenerProduction); err == nil || err.Error() != "discover production listener: deployment group shop-prod has no target group pair" {
		t.Errorf("no pair: %v", err)
	}
	if _, err := l.Discover(ctx, &deploy.Event{Platform: deploy.ECSNative, DeploymentID: "x"}, ListenerProduction); err == nil ||
		!strings.Contains(err.Error(), "names no ECS service deployment") {
		t.Errorf("no deployment: %v", err)
	}
}

func TestListenerOfRule(t *testing.T) {
	rule := "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
	got, err := ListenerOfRule(rule)
	if want := "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2"; err != nil || got != want {
		t.Errorf("%q %v", got, err)
	}
	nlb := "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/net/shop/50dc6c495c0c9188/f2f7dc8efc522ab2"
	if got, err := ListenerOfRule(nlb); err != nil || got != nlb {
		t.Errorf("listener ARN: %q %v", got, err)
	}
	if _, err := ListenerOfRule("arn:aws:ecs:x"); err == nil {
		t.Error("accepted a non-rule")
	}
}
