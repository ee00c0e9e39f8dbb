package check

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/deploy"
)

// Discoverer finds the base URL ("http(s)://host[:port]") of a
// deployment's production or test listener.
type Discoverer interface {
	Discover(ctx context.Context, ev *deploy.Event, listener string) (string, error)
}

// CodeDeployAPI is the CodeDeploy calls listener discovery makes.
type CodeDeployAPI interface {
	GetDeploymentGroup(ctx context.Context, in *codedeploy.GetDeploymentGroupInput, opts ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentGroupOutput, error)
	GetDeployment(ctx context.Context, in *codedeploy.GetDeploymentInput, opts ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentOutput, error)
}

// ECSAPI is the ECS calls listener discovery makes for ECS-native
// deployments.
type ECSAPI interface {
	DescribeServiceDeployments(ctx context.Context, in *ecs.DescribeServiceDeploymentsInput, opts ...func(*ecs.Options)) (*ecs.DescribeServiceDeploymentsOutput, error)
	DescribeServiceRevisions(ctx context.Context, in *ecs.DescribeServiceRevisionsInput, opts ...func(*ecs.Options)) (*ecs.DescribeServiceRevisionsOutput, error)
}

// ELBAPI is the Elastic Load Balancing calls listener discovery makes.
type ELBAPI interface {
	DescribeListeners(ctx context.Context, in *elb.DescribeListenersInput, opts ...func(*elb.Options)) (*elb.DescribeListenersOutput, error)
	DescribeLoadBalancers(ctx context.Context, in *elb.DescribeLoadBalancersInput, opts ...func(*elb.Options)) (*elb.DescribeLoadBalancersOutput, error)
}

// Listeners discovers listeners through the AWS APIs: CodeDeploy's
// deployment group (its target group pair's production or test traffic
// route) or the ECS-native service revision's load balancer rules, then
// the listener's port and protocol and its load balancer's DNS name.
type Listeners struct {
	CodeDeploy CodeDeployAPI
	ECS        ECSAPI
	ELB        ELBAPI
}

// NewListeners builds Listeners with clients from cfg.
func NewListeners(cfg aws.Config) *Listeners {
	return &Listeners{CodeDeploy: codedeploy.NewFromConfig(cfg), ECS: ecs.NewFromConfig(cfg), ELB: elb.NewFromConfig(cfg)}
}

// Discover returns the base URL of ev's listener ("production" or
// "test").
func (l *Listeners) Discover(ctx context.Context, ev *deploy.Event, listener string) (string, error) {
	var (
		arn string
		err error
	)
	switch {
	case ev.Platform == deploy.ECSNative:
		arn, err = l.ecsListener(ctx, ev, listener)
	case ev.Platform.IsCodeDeploy():
		arn, err = l.codeDeployListener(ctx, ev, listener)
	default:
		return "", fmt.Errorf("discover %s listener: platform %q has no load balancer cutover knows", listener, ev.Platform)
	}
	if err != nil {
		return "", fmt.Errorf("discover %s listener: %w", listener, err)
	}
	base, err := l.listenerURL(ctx, arn)
	if err != nil {
		return "", fmt.Errorf("discover %s listener %s: %w", listener, arn, err)
	}
	return base, nil
}

// codeDeployListener reads the deployment group's first target group
// pair: prodTrafficRoute or testTrafficRoute.
func (l *Listeners) codeDeployListener(ctx context.Context, ev *deploy.Event, listener string) (string, error) {
	app, group := ev.Application, ev.DeploymentGroup
	if app == "" || group == "" {
		if ev.DeploymentID == "" {
			return "", errors.New("the event names no deployment group")
		}
		out, err := l.CodeDeploy.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(ev.DeploymentID)})
		if err != nil {
			return "", fmt.Errorf("codedeploy GetDeployment: %s", awsProblem(err))
		}
		if out.DeploymentInfo == nil {
			return "", errors.New("codedeploy GetDeployment: no deployment info")
		}
		app, group = aws.ToString(out.DeploymentInfo.ApplicationName), aws.ToString(out.DeploymentInfo.DeploymentGroupName)
	}
	out, err := l.CodeDeploy.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{ApplicationName: aws.String(app), DeploymentGroupName: aws.String(group)})
	if err != nil {
		return "", fmt.Errorf("codedeploy GetDeploymentGroup: %s", awsProblem(err))
	}
	gi := out.DeploymentGroupInfo
	if gi == nil || gi.LoadBalancerInfo == nil || len(gi.LoadBalancerInfo.TargetGroupPairInfoList) == 0 {
		return "", fmt.Errorf("deployment group %s has no target group pair", group)
	}
	pair := gi.LoadBalancerInfo.TargetGroupPairInfoList[0]
	route := pair.ProdTrafficRoute
	if listener == ListenerTest {
		route = pair.TestTrafficRoute
	}
	if route == nil || len(route.ListenerArns) == 0 {
		return "", fmt.Errorf("deployment group %s has no %s traffic route", group, listener)
	}
	return route.ListenerArns[0], nil
}

// ecsListener reads the deployment's target service revision and the
// listener of its first load balancer's production or test listener rule.
func (l *Listeners) ecsListener(ctx context.Context, ev *deploy.Event, listener string) (string, error) {
	rev := ""
	switch {
	case strings.Contains(ev.DeploymentID, ":service-revision/"):
		rev = ev.DeploymentID
	case strings.Contains(ev.DeploymentID, ":service-deployment/"):
		out, err := l.ECS.DescribeServiceDeployments(ctx, &ecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{ev.DeploymentID}})
		if err != nil {
			return "", fmt.Errorf("ecs DescribeServiceDeployments: %s", awsProblem(err))
		}
		if len(out.ServiceDeployments) == 0 || out.ServiceDeployments[0].TargetServiceRevision == nil {
			return "", errors.New("ecs DescribeServiceDeployments: no target service revision")
		}
		rev = aws.ToString(out.ServiceDeployments[0].TargetServiceRevision.Arn)
	default:
		return "", errors.New("the event names no ECS service deployment")
	}
	out, err := l.ECS.DescribeServiceRevisions(ctx, &ecs.DescribeServiceRevisionsInput{ServiceRevisionArns: []string{rev}})
	if err != nil {
		return "", fmt.Errorf("ecs DescribeServiceRevisions: %s", awsProblem(err))
	}
	if len(out.ServiceRevisions) == 0 {
		return "", errors.New("ecs DescribeServiceRevisions: no revision")
	}
	r := out.ServiceRevisions[0]
	// The revision's load balancers name both rules; the resolved
	// configuration names the production one.
	for _, lb := range r.LoadBalancers {
		if lb.AdvancedConfiguration == nil {
			continue
		}
		rule := aws.ToString(lb.AdvancedConfiguration.ProductionListenerRule)
		if listener == ListenerTest {
			rule = aws.ToString(lb.AdvancedConfiguration.TestListenerRule)
		}
		if rule != "" {
			return ListenerOfRule(rule)
		}
	}
	if r.ResolvedConfiguration != nil && listener == ListenerProduction {
		for _, lb := range r.ResolvedConfiguration.LoadBalancers {
			if rule := aws.ToString(lb.ProductionListenerRule); rule != "" {
				return ListenerOfRule(rule)
			}
		}
	}
	return "", fmt.Errorf("service revision has no %s listener rule", listener)
}

// ListenerOfRule returns the listener ARN of a listener rule ARN:
// "listener-rule/" becomes "listener/" and the rule's own ID is dropped.
// A listener ARN (what ECS names for a Network Load Balancer) is returned
// as it is.
func ListenerOfRule(rule string) (string, error) {
	if strings.Contains(rule, ":listener/") {
		return rule, nil
	}
	i := strings.Index(rule, ":listener-rule/")
	j := strings.LastIndex(rule, "/")
	if i < 0 || j <= i+len(":listener-rule/") {
		return "", fmt.Errorf("%q is not a listener rule ARN", rule)
	}
	return rule[:i] + ":listener/" + rule[i+len(":listener-rule/"):j], nil
}

// listenerURL reads the listener's protocol and port and its load
// balancer's DNS name.
func (l *Listeners) listenerURL(ctx context.Context, arn string) (string, error) {
	lo, err := l.ELB.DescribeListeners(ctx, &elb.DescribeListenersInput{ListenerArns: []string{arn}})
	if err != nil {
		return "", fmt.Errorf("elasticloadbalancing DescribeListeners: %s", awsProblem(err))
	}
	if len(lo.Listeners) == 0 {
		return "", errors.New("elasticloadbalancing DescribeListeners: no such listener")
	}
	ln := lo.Listeners[0]
	bo, err := l.ELB.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{aws.ToString(ln.LoadBalancerArn)}})
	if err != nil {
		return "", fmt.Errorf("elasticloadbalancing DescribeLoadBalancers: %s", awsProblem(err))
	}
	if len(bo.LoadBalancers) == 0 || aws.ToString(bo.LoadBalancers[0].DNSName) == "" {
		return "", errors.New("elasticloadbalancing DescribeLoadBalancers: no DNS name")
	}
	scheme, def := "http", int32(80)
	if p := string(ln.Protocol); p == "HTTPS" || p == "TLS" {
		scheme, def = "https", 443
	}
	host := strings.ToLower(aws.ToString(bo.LoadBalancers[0].DNSName))
	if port := aws.ToInt32(ln.Port); port != 0 && port != def {
		host += ":" + strconv.Itoa(int(port))
	}
	return scheme + "://" + host, nil
}

// awsProblem describes an AWS error in a few words: its code and message,
// or why no answer came.
func awsProblem(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case awsx.Code(err) != "":
		s := awsx.Code(err)
		if m := strings.Join(strings.Fields(awsx.Message(err)), " "); m != "" {
			s += ": " + clipText(m, 200)
		}
		return s
	case awsx.HTTPStatus(err) != 0:
		return "HTTP " + strconv.Itoa(awsx.HTTPStatus(err)) + " without an AWS error"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	return "unreachable (" + errorClass(err, 0) + ")"
}
