package awsx

import (
	"net/url"
	"strings"
)

// ValidRegion reports whether region has the shape of an AWS region
// (^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$, at most 32 bytes): "us-east-1",
// "cn-north-1", "us-gov-west-1", "eu-central-2", "ap-southeast-5". A value
// from an event that does not is never put into a URL or an ARN. A string
// check, not a regexp: it runs for every event and costs nothing at init.
func ValidRegion(region string) bool {
	if len(region) > 32 {
		return false
	}
	// The last dash is followed by one or two digits.
	i := strings.LastIndexByte(region, '-')
	if i < 0 || !digits(region[i+1:], 1, 2) {
		return false
	}
	// Before it: two letters, then one or more dash-separated words of
	// letters.
	head := region[:i]
	if len(head) < 4 || !lower(head[:2]) || head[2] != '-' {
		return false
	}
	prev := byte('-')
	for i := 3; i < len(head); i++ {
		c := head[i]
		switch {
		case c == '-' && prev != '-':
		case c >= 'a' && c <= 'z':
		default:
			return false
		}
		prev = c
	}
	return prev != '-'
}

// ValidAccount reports whether account is a 12-digit AWS account ID.
func ValidAccount(account string) bool { return digits(account, 12, 12) }

// digits reports whether s is between min and max ASCII digits.
func digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// lower reports whether s is ASCII lower-case letters only.
func lower(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// Partition is the AWS partition of a region: "aws", "aws-cn" or
// "aws-us-gov".
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// ARN builds an ARN in region's partition. Empty region and account stay
// empty (global services); callers pass "*" where a policy wants a wildcard.
func ARN(service, region, account, resource string) string {
	p := region
	if p == "*" || p == "" {
		p = ""
	}
	return "arn:" + Partition(p) + ":" + service + ":" + region + ":" + account + ":" + resource
}

// GlobalARN builds the ARN of a global service's resource (CloudFront, IAM:
// no region in the ARN) in the partition of region, the region the
// resource is managed from; "" region means the commercial partition.
func GlobalARN(service, region, account, resource string) string {
	return "arn:" + Partition(region) + ":" + service + "::" + account + ":" + resource
}

// ConsoleBase is the AWS console origin for a region, in its partition, or
// "" when region is not a valid region name.
func ConsoleBase(region string) string {
	if !ValidRegion(region) {
		return ""
	}
	switch Partition(region) {
	case "aws-cn":
		return "https://" + region + ".console.amazonaws.cn"
	case "aws-us-gov":
		return "https://" + region + ".console.amazonaws-us-gov.com"
	}
	return "https://" + region + ".console.aws.amazon.com"
}

// ConsoleURL is the console page at path (which starts with "/" and whose
// parts the caller escaped) in region, with "?region=" (or "&region=")
// appended before any fragment; "" for an invalid region.
func ConsoleURL(region, path string) string {
	base := ConsoleBase(region)
	if base == "" {
		return ""
	}
	frag := ""
	if i := strings.IndexByte(path, '#'); i >= 0 {
		path, frag = path[:i], path[i:]
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return base + path + sep + "region=" + region + frag
}

// CodeDeployDeploymentURL is the CodeDeploy console page of a deployment;
// "" when the region is invalid or the ID empty.
func CodeDeployDeploymentURL(region, id string) string {
	if id == "" {
		return ""
	}
	return ConsoleURL(region, "/codesuite/codedeploy/deployments/"+url.PathEscape(id))
}

// CodeDeployGroupURL is the CodeDeploy console page of a deployment group.
func CodeDeployGroupURL(region, app, group string) string {
	if app == "" || group == "" {
		return ""
	}
	return ConsoleURL(region, "/codesuite/codedeploy/applications/"+url.PathEscape(app)+
		"/deployment-groups/"+url.PathEscape(group))
}

// ECSServiceURL is the ECS console health page of a service.
func ECSServiceURL(region, cluster, service string) string {
	if cluster == "" || service == "" {
		return ""
	}
	return ConsoleURL(region, "/ecs/v2/clusters/"+url.PathEscape(cluster)+"/services/"+url.PathEscape(service)+"/health")
}

// LogGroupURL is the CloudWatch Logs console page of a log group; the
// console escapes the name twice with "$" for "%".
func LogGroupURL(region, group string) string {
	if group == "" {
		return ""
	}
	esc := strings.ReplaceAll(url.QueryEscape(url.QueryEscape(group)), "%", "$")
	return ConsoleURL(region, "/cloudwatch/home#logsV2:log-groups/log-group/"+esc)
}

// PipelineURL is the CodePipeline console page of an execution, or of the
// pipeline when execution is empty.
func PipelineURL(region, pipeline, execution string) string {
	if pipeline == "" {
		return ""
	}
	base := "/codesuite/codepipeline/pipelines/" + url.PathEscape(pipeline)
	if execution != "" {
		return ConsoleURL(region, base+"/executions/"+url.PathEscape(execution)+"/timeline")
	}
	return ConsoleURL(region, base+"/view")
}
