package tfapply

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// checkNothingLeft lists, after terraform destroy, every kind of resource
// the complete example creates and fails for each one moto still holds.
// moto started empty for this test and the test removed its own queue and
// subscription before the destroy, so every list must be empty, with two
// exceptions that behave as on AWS:
//
//   - the webhook secret is scheduled for deletion (the example keeps
//     Secrets Manager's default recovery window of 30 days): ListSecrets
//     no longer lists it, DescribeSecret shows a DeletedDate;
//   - a deleted ECS cluster stays visible as INACTIVE (moto even lists it).
//
// The oncall webhook's SSM parameters are deleted at once (SSM has no
// recovery window): DescribeParameters must list none.
func checkNothingLeft(ctx context.Context, t *testing.T, raw *rawAWS, cfg aws.Config, secretARN string) {
	t.Helper()
	empty := func(what string, items []string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("list %s: %v", what, err)
			return
		}
		if len(items) > 0 {
			t.Errorf("left after destroy: %s %q", what, items)
		}
	}

	topics, err := sns.NewFromConfig(cfg).ListTopics(ctx, &sns.ListTopicsInput{})
	var names []string
	if err == nil {
		for _, tp := range topics.Topics {
			names = append(names, aws.ToString(tp.TopicArn))
		}
	}
	empty("SNS topics", names, err)

	subs, err := sns.NewFromConfig(cfg).ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
	names = nil
	if err == nil {
		for _, s := range subs.Subscriptions {
			names = append(names, aws.ToString(s.SubscriptionArn))
		}
	}
	empty("SNS subscriptions", names, err)

	queues, err := sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
	if err == nil {
		names = queues.QueueUrls
	}
	empty("SQS queues", names, err)

	tables, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	names = nil
	if err == nil {
		names = tables.TableNames
	}
	empty("DynamoDB tables", names, err)

	names, err = raw.listFunctions(ctx)
	empty("Lambda functions", names, err)
	names, err = raw.listEventSourceMappings(ctx)
	empty("Lambda event source mappings", names, err)
	names, err = raw.listRoles(ctx)
	empty("IAM roles", names, err)
	names, err = raw.listLogGroups(ctx)
	empty("CloudWatch log groups", names, err)
	names, err = raw.listAlarms(ctx)
	empty("CloudWatch alarms", names, err)
	names, err = raw.listLoadBalancers(ctx)
	empty("load balancers and target groups", names, err)
	names, err = raw.listVPCs(ctx)
	empty("VPCs", names, err)

	// The provider disables a distribution, waits until it is deployed
	// and deletes it: nothing is left, not even a disabled distribution.
	dists, err := cloudfront.NewFromConfig(cfg).ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
	names = nil
	if err == nil && dists.DistributionList != nil {
		for _, d := range dists.DistributionList.Items {
			names = append(names, aws.ToString(d.Id)+" enabled="+boolString(aws.ToBool(d.Enabled))+" status="+aws.ToString(d.Status))
		}
	}
	empty("CloudFront distributions", names, err)

	apps, err := codedeploy.NewFromConfig(cfg).ListApplications(ctx, &codedeploy.ListApplicationsInput{})
	names = nil
	if err == nil {
		names = apps.Applications
	}
	empty("CodeDeploy applications", names, err)

	ecsc := ecs.NewFromConfig(cfg)
	clusters, err := ecsc.ListClusters(ctx, &ecs.ListClustersInput{})
	names = nil
	if err == nil && len(clusters.ClusterArns) > 0 {
		var desc *ecs.DescribeClustersOutput
		desc, err = ecsc.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: clusters.ClusterArns})
		if err == nil {
			for _, c := range desc.Clusters {
				if aws.ToString(c.Status) != "INACTIVE" {
					names = append(names, aws.ToString(c.ClusterArn)+" "+aws.ToString(c.Status))
				}
			}
		}
	}
	empty("ECS clusters (other than INACTIVE)", names, err)

	tds, err := ecsc.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{Status: ecstypes.TaskDefinitionStatusActive})
	names = nil
	if err == nil {
		names = tds.TaskDefinitionArns
	}
	empty("active ECS task definitions", names, err)

	smc := secretsmanager.NewFromConfig(cfg)
	secrets, err := smc.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	names = nil
	if err == nil {
		for _, s := range secrets.SecretList {
			names = append(names, aws.ToString(s.ARN))
		}
	}
	empty("secrets (not scheduled for deletion)", names, err)

	// The oncall webhook's SecureString parameters (and any other, such
	// as a destinations parameter of the module's); moto's public
	// parameters under /aws/ are not the account's.
	names = nil
	err = nil
	for p := ssm.NewDescribeParametersPaginator(ssm.NewFromConfig(cfg), &ssm.DescribeParametersInput{}); p.HasMorePages() && err == nil; {
		var page *ssm.DescribeParametersOutput
		if page, err = p.NextPage(ctx); err == nil {
			for _, m := range page.Parameters {
				if n := aws.ToString(m.Name); !strings.HasPrefix(n, "/aws/") {
					names = append(names, n)
				}
			}
		}
	}
	empty("SSM parameters", names, err)
	if desc, err := smc.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(secretARN)}); err == nil && desc.DeletedDate == nil {
		t.Errorf("the webhook secret %s is not scheduled for deletion", secretARN)
	}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
