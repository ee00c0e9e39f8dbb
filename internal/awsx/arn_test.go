package awsx

import (
	"regexp"
	"testing"
)

func TestConsoleURLs(t *testing.T) {
	cases := []struct{ name, got, want string }{
		{"commercial", CodeDeployDeploymentURL("us-east-1", "d-1"), "https://us-east-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-1?region=us-east-1"},
		{"china", CodeDeployDeploymentURL("cn-north-1", "d-1"), "https://cn-north-1.console.amazonaws.cn/codesuite/codedeploy/deployments/d-1?region=cn-north-1"},
		{"govcloud", CodeDeployDeploymentURL("us-gov-west-1", "d-1"), "https://us-gov-west-1.console.amazonaws-us-gov.com/codesuite/codedeploy/deployments/d-1?region=us-gov-west-1"},
		{"hostile region", CodeDeployDeploymentURL("evil.example/phish?", "d-1"), ""},
		{"empty region", CodeDeployDeploymentURL("", "d-1"), ""},
		{"escaped id", CodeDeployDeploymentURL("eu-west-1", "d-1/../x?y"), "https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-1%2F..%2Fx%3Fy?region=eu-west-1"},
		{"group", CodeDeployGroupURL("eu-west-1", "web app", "prod"), "https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/applications/web%20app/deployment-groups/prod?region=eu-west-1"},
		{"service", ECSServiceURL("eu-west-1", "c", "s"), "https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/c/services/s/health?region=eu-west-1"},
		{"logs", LogGroupURL("us-east-1", "/ecs/web"), "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Fecs$252Fweb"},
		{"pipeline", PipelineURL("us-east-1", "web", "e-1"), "https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/web/executions/e-1/timeline?region=us-east-1"},
		{"pipeline view", PipelineURL("us-east-1", "web", ""), "https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/web/view?region=us-east-1"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestValidRegionAndPartition(t *testing.T) {
	for r, ok := range map[string]bool{
		"us-east-1": true, "cn-northwest-1": true, "us-gov-east-1": true, "ap-southeast-5": true, "il-central-1": true,
		"": false, "US-EAST-1": false, "us-east-1.evil.com": false, "evil.example/phish?": false, "us-east-": false,
	} {
		if ValidRegion(r) != ok {
			t.Errorf("ValidRegion(%q) = %v", r, !ok)
		}
	}
	if Partition("cn-north-1") != "aws-cn" || Partition("us-gov-west-1") != "aws-us-gov" || Partition("eu-west-1") != "aws" {
		t.Error("partitions")
	}
	if got := ARN("cloudfront", "", "111122223333", "distribution/E1"); got != "arn:aws:cloudfront::111122223333:distribution/E1" {
		t.Errorf("ARN = %q", got)
	}
	if got := ARN("codedeploy", "cn-north-1", "*", "deploymentgroup:a/b"); got != "arn:aws-cn:codedeploy:cn-north-1:*:deploymentgroup:a/b" {
		t.Errorf("ARN = %q", got)
	}
}

func TestGlobalARN(t *testing.T) {
	for region, want := range map[string]string{
		"":              "arn:aws:cloudfront::111122223333:distribution/E1",
		"eu-west-1":     "arn:aws:cloudfront::111122223333:distribution/E1",
		"cn-north-1":    "arn:aws-cn:cloudfront::111122223333:distribution/E1",
		"us-gov-west-1": "arn:aws-us-gov:cloudfront::111122223333:distribution/E1",
	} {
		if got := GlobalARN("cloudfront", region, "111122223333", "distribution/E1"); got != want {
			t.Errorf("GlobalARN(%q) = %q, want %q", region, got, want)
		}
	}
}

// The patterns ValidRegion and ValidAccount check without a regexp.
var (
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
)

// FuzzValidRegion checks ValidRegion and ValidAccount against the regular
// expressions they stand for.
func FuzzValidRegion(f *testing.F) {
	for _, s := range []string{"us-east-1", "us-gov-west-1", "eu-central-12", "us-east-123", "us--east-1", "u-east-1",
		"us-east-", "us-1", "US-east-1", "us-east-1\n", "111122223333", "11112222333", "1111222233334", "aa-b-c-d-e-f-g-h-i-j-k-l-m-n-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ValidRegion(s), len(s) <= 32 && regionPattern.MatchString(s); got != want {
			t.Fatalf("ValidRegion(%q) = %v, want %v", s, got, want)
		}
		if got, want := ValidAccount(s), accountPattern.MatchString(s); got != want {
			t.Fatalf("ValidAccount(%q) = %v, want %v", s, got, want)
		}
	})
}
