package codedeploy

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/cutover-dev/cutover/internal/testrig"
)

// TestDetailsAgainstMotoECS reads the task sets and task definitions of a
// real ECS API (moto) through the SDK, and CodeDeploy's recorded answers
// from the fake, which passes every other request on to moto.
func TestDetailsAgainstMotoECS(t *testing.T) {
	m := testrig.StartMoto(t)
	ctx := context.Background()
	client := ecs.NewFromConfig(m.AWSConfig(t))

	register := func(tag string) string {
		out, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
			Family:                  aws.String("web-frontend"),
			NetworkMode:             ecstypes.NetworkModeAwsvpc,
			RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
			Cpu:                     aws.String("512"),
			Memory:                  aws.String("1024"),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{
				Name:         aws.String("web"),
				Image:        aws.String("111122223333.dkr.ecr.us-east-1.amazonaws.com/web-frontend:" + tag),
				Essential:    aws.Bool(true),
				PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080)}},
				LogConfiguration: &ecstypes.LogConfiguration{
					LogDriver: ecstypes.LogDriverAwslogs,
					Options: map[string]string{
						"awslogs-group": "/ecs/web-frontend", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "web",
					},
				},
			}},
		})
		if err != nil {
			t.Fatalf("register task definition: %v", err)
		}
		return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	}
	oldTD, newTD := register("a1b7d04"), register("3f9c2e1")
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod-cluster")}); err != nil {
		t.Fatalf("create cluster: %v", err)
	}
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster:              aws.String("prod-cluster"),
		ServiceName:          aws.String("web-frontend"),
		TaskDefinition:       aws.String(oldTD),
		DesiredCount:         aws.Int32(4),
		LaunchType:           ecstypes.LaunchTypeFargate,
		DeploymentController: &ecstypes.DeploymentController{Type: ecstypes.DeploymentControllerTypeCodeDeploy},
	}); err != nil {
		t.Fatalf("create service: %v", err)
	}
	createSet := func(td, deployment string) *ecstypes.TaskSet {
		out, err := client.CreateTaskSet(ctx, &ecs.CreateTaskSetInput{
			Cluster:        aws.String("prod-cluster"),
			Service:        aws.String("web-frontend"),
			TaskDefinition: aws.String(td),
			ExternalId:     aws.String("CodeDeploy/" + deployment),
			LaunchType:     ecstypes.LaunchTypeFargate,
		})
		if err != nil {
			t.Fatalf("create task set: %v", err)
		}
		return out.TaskSet
	}
	blue := createSet(oldTD, "d-K2V8M3QZX")
	green := createSet(newTD, "d-7XQ2K9ABC")
	if _, err := client.UpdateServicePrimaryTaskSet(ctx, &ecs.UpdateServicePrimaryTaskSetInput{
		Cluster: aws.String("prod-cluster"), Service: aws.String("web-frontend"), PrimaryTaskSet: green.TaskSetArn,
	}); err != nil {
		t.Fatalf("update primary task set: %v", err)
	}

	// CodeDeploy's recorded target, with moto's task set IDs.
	target, err := os.ReadFile(filepath.Join("testdata", "batch-get-deployment-targets.json"))
	if err != nil {
		t.Fatal(err)
	}
	target = bytes.ReplaceAll(target, []byte("ecs-svc/9223370493425779968"), []byte(aws.ToString(blue.Id)))
	target = bytes.ReplaceAll(target, []byte("ecs-svc/9223370493423413672"), []byte(aws.ToString(green.Id)))
	routes := standardRoutes()
	delete(routes, "DescribeTaskSets")
	delete(routes, "DescribeTaskDefinition")
	routes["BatchGetDeploymentTargets"] = &route{body: target}
	f := newFakeAWS(t, routes)
	motoURL, err := url.Parse(m.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	f.fallback = httputil.NewSingleHostReverseProxy(motoURL)

	d, warns := f.enricher(0).Details(ctx, switchEvent())
	if len(warns) != 0 {
		t.Fatalf("warnings: %v", warns)
	}
	if f.hitCount("DescribeTaskSets") != 1 || f.hitCount("DescribeTaskDefinition") != 2 {
		t.Errorf("ECS lookups: %v", f.hits)
	}
	s := d.Service
	if s == nil || len(s.TaskSets) != 2 {
		t.Fatalf("service = %+v", s)
	}
	n, o := s.New(), s.Old()
	if n == nil || o == nil {
		t.Fatalf("new/old missing: %+v", s.TaskSets)
	}
	if n.ID != aws.ToString(green.Id) || n.ARN != aws.ToString(green.TaskSetArn) || n.TaskDefinition != "web-frontend:2" ||
		n.TaskDefinitionARN != newTD || n.TrafficWeight != 100 {
		t.Errorf("new = %+v", n)
	}
	if imgs := n.Images(); len(imgs) != 1 || !strings.HasSuffix(imgs[0], "web-frontend:3f9c2e1") {
		t.Errorf("new images = %v", imgs)
	}
	if o.TaskDefinition != "web-frontend:1" || o.Containers[0].LogGroup != "/ecs/web-frontend" {
		t.Errorf("old = %+v", o)
	}
	if len(d.Links.Logs) != 1 || d.Links.Logs[0].Label != "/ecs/web-frontend" {
		t.Errorf("logs = %+v", d.Links.Logs)
	}

	// A role without ecs:DescribeTaskSets: moto answers, we deny through
	// the fake; the CodeDeploy view of the task sets is still there.
	routes["DescribeTaskSets"] = &route{status: http.StatusBadRequest, body: []byte(`{"__type":"AccessDeniedException","message":"not authorized"}`)}
	d, warns = f.enricher(0).Details(ctx, switchEvent())
	if len(warns) != 1 || warns[0].Action != "ecs:DescribeTaskSets" || warns[0].Resource != "*" {
		t.Fatalf("warnings = %v", warns)
	}
	if d.Service.New() == nil || d.Service.New().TaskDefinition != "" || d.Service.New().TrafficWeight != 100 {
		t.Errorf("service without ECS = %+v", d.Service)
	}
}
