package awsx

import (
	"net/url"
	"regexp"
	"strings"
)

// regionPattern is the shape of every AWS region name: "us-east-1",
// "cn-north-1", "us-gov-west-1", "eu-central-2", "ap-southeast-5".
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)

// ValidRegion reports whether region has the shape of an AWS region. A value
// from an event that does not is never put into a URL or an ARN.
func ValidRegion(region string) bool { return len(region) <= 32 && regionPattern.MatchString(region) }

// accountPattern is a 12-digit AWS account ID.
var accountPattern = regexp.MustCompile(`^[0-9]{12}$`)

// ValidAccount reports whether account is a 12-digit AWS account ID.
func ValidAccount(account string) bool { return accountPattern.MatchString(account) }

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
