package enrich

import "time"

// Details is what cutover learned about a deployment beyond the
// notification itself. Every part is optional: a nil pointer or empty field
// means the lookup was not made for this kind of event, was not allowed, or
// did not finish in time (a [Warning] then says which).
type Details struct {
	// DeploymentID is the deployment the details are about.
	DeploymentID string `json:"deploymentId"`
	// Region is the deployment's AWS region.
	Region string `json:"region,omitempty"`
	// AccountID is the AWS account that owns the deployment, when known.
	AccountID string `json:"accountId,omitempty"`
	// Application is the CodeDeploy application name.
	Application string `json:"application,omitempty"`
	// DeploymentGroup is the deployment group name.
	DeploymentGroup string `json:"deploymentGroup,omitempty"`

	// Deployment is what GetDeployment says about the deployment: creator,
	// pipeline, description, error and rollback information.
	Deployment *Deployment `json:"deployment,omitempty"`
	// Window is the time left to act: the rollback window after traffic
	// switched, or the reroute deadline of a deployment waiting in Ready.
	// Nil when it does not apply or cannot be told.
	Window *Window `json:"window,omitempty"`
	// Service is the ECS service and its task sets: what is serving now.
	Service *Service `json:"service,omitempty"`
	// Failure is the failing lifecycle event of a failed or stopped
	// deployment, with CodeDeploy's diagnostics when the API gives them.
	Failure *Failure `json:"failure,omitempty"`
	// Links are console links for the deployment, service, logs and
	// pipeline; empty fields are unknown.
	Links Links `json:"links"`
	// Commands are AWS CLI commands the team can run now; empty fields do
	// not apply to this event.
	Commands Commands `json:"commands"`
	// Simulated is true for made-up details (package enrich/simulated,
	// used by cutover demo); a renderer may say so.
	Simulated bool `json:"simulated,omitempty"`
	// NotConnected is true when the deployment's account is not connected
	// to cutover (CUTOVER_ACCOUNTS): nothing was looked up, and the message
	// says the details are unavailable.
	NotConnected bool `json:"notConnected,omitempty"`
}

// Deployment is the part of GetDeployment a notification can use.
type Deployment struct {
	// Status is CodeDeploy's deployment status as the API spells it:
	// Created, Queued, InProgress, Baking, Ready, Succeeded, Failed, Stopped.
	Status string `json:"status,omitempty"`
	// Creator is who or what created the deployment, as the API spells it:
	// "user", "autoscaling", "codeDeployRollback", "CodeDeploy",
	// "CodeDeployAutoUpdate", "CloudFormation", "CloudFormationRollback",
	// "autoscalingTermination". CodePipeline deployments say "user"; see
	// Pipeline. message.InitiatedBy puts it in words.
	Creator string `json:"creator,omitempty"`
	// Description is the deployment's description (free text), if any.
	Description string `json:"description,omitempty"`
	// ConfigName is the deployment configuration, e.g.
	// "CodeDeployDefault.ECSAllAtOnce".
	ConfigName string `json:"configName,omitempty"`
	// ComputePlatform is "ECS", "Lambda" or "Server".
	ComputePlatform string `json:"computePlatform,omitempty"`
	// CreateTime, StartTime and CompleteTime are the deployment's times;
	// zero when not (yet) set.
	CreateTime time.Time `json:"createTime,omitzero"`
	// StartTime is when CodeDeploy started deploying to the group.
	StartTime time.Time `json:"startTime,omitzero"`
	// CompleteTime is when the deployment ended; zero while it runs.
	CompleteTime time.Time `json:"completeTime,omitzero"`
	// Pipeline is the CodePipeline pipeline (and execution, when it can be
	// told) that created the deployment; nil when it was not a pipeline or
	// cannot be told.
	Pipeline *Pipeline `json:"pipeline,omitempty"`
	// ExternalID is the external resource linked to the deployment, e.g. a
	// CloudFormation stack ID.
	ExternalID string `json:"externalId,omitempty"`
	// RollbackDeploymentID is the deployment that rolls this one back (set on
	// a failed or stopped deployment that was rolled back).
	RollbackDeploymentID string `json:"rollbackDeploymentId,omitempty"`
	// RollbackTriggeringDeploymentID is the deployment this one rolls back
	// (set on a rollback deployment).
	RollbackTriggeringDeploymentID string `json:"rollbackTriggeringDeploymentId,omitempty"`
	// RollbackMessage is CodeDeploy's rollback message, e.g. "Deployment
	// d-R is triggered to roll back deployment d-M.".
	RollbackMessage string `json:"rollbackMessage,omitempty"`
	// ErrorCode is CodeDeploy's error code, e.g. "ECS_UPDATE_ERROR",
	// "HOOK_EXECUTION_FAILURE", "ALARM_ACTIVE".
	ErrorCode string `json:"errorCode,omitempty"`
	// ErrorMessage explains ErrorCode.
	ErrorMessage string `json:"errorMessage,omitempty"`
	// StatusMessages are CodeDeploy's deploymentStatusMessages.
	StatusMessages []string `json:"statusMessages,omitempty"`
	// AutoRollback is true when automatic rollback is enabled for the
	// deployment; AutoRollbackEvents lists the events that trigger it
	// (DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST).
	AutoRollback bool `json:"autoRollback,omitempty"`
	// AutoRollbackEvents lists the events that trigger an automatic rollback.
	AutoRollbackEvents []string `json:"autoRollbackEvents,omitempty"`
	// TerminationWaitStarted is GetDeployment's
	// instanceTerminationWaitTimeStarted: the wait before the original task
	// set is terminated has begun (a boolean in the API, not a time).
	TerminationWaitStarted bool `json:"terminationWaitStarted,omitempty"`
	// Stage is an ECS-native service deployment's lifecycle stage, e.g.
	// BAKE_TIME or PRODUCTION_TRAFFIC_SHIFT; empty for CodeDeploy.
	Stage string `json:"stage,omitempty"`
}

// Pipeline is the CodePipeline pipeline that created a deployment.
// CodeDeploy does not record it as such: it is inferred from the revision
// (an S3 object in a CodePipeline artifact bucket, whose key starts with
// the pipeline name) or from a description that names the pipeline and its
// execution ID.
type Pipeline struct {
	// Name is the pipeline name. CodePipeline shortens long names in
	// artifact keys; NameTruncated is then true and Name is a prefix.
	Name string `json:"name,omitempty"`
	// NameTruncated is true when Name may be only the start of the name.
	NameTruncated bool `json:"nameTruncated,omitempty"`
	// ExecutionID is the pipeline execution (a UUID), when it can be told.
	ExecutionID string `json:"executionId,omitempty"`
	// From says how the pipeline was recognised: "revision" (artifact
	// bucket) or "description".
	From string `json:"from,omitempty"`
}

// WindowKind says what a Window is a deadline for.
type WindowKind string

// The window kinds.
const (
	// WindowRollback is the termination wait after traffic switched: until
	// the deadline the original (BLUE) task set still exists and the
	// deployment can be stopped with rollback.
	WindowRollback WindowKind = "rollback"
	// WindowReroute is the wait of a deployment in Ready with manual
	// rerouting: traffic must be rerouted (ContinueDeployment READY_WAIT)
	// before the deadline, or the deployment stops.
	WindowReroute WindowKind = "reroute"
)

// Window is a deadline the team can act before.
type Window struct {
	// Kind is what the deadline is for.
	Kind WindowKind `json:"kind"`
	// Start is when the wait began: the end of the target's
	// AfterAllowTraffic lifecycle event when known, else the event's time.
	Start time.Time `json:"start,omitzero"`
	// StartFrom says where Start came from: "lifecycle" (the deployment
	// target's AfterAllowTraffic end), "event" (the notification's own
	// time) or "clock" (the time enrichment ran; the notification had none).
	StartFrom string `json:"startFrom,omitempty"`
	// Wait is the configured wait: terminationWaitTimeInMinutes of
	// terminateBlueInstancesOnDeploymentSuccess, or waitTimeInMinutes of
	// deploymentReadyOption.
	Wait time.Duration `json:"wait"`
	// Deadline is Start + Wait.
	Deadline time.Time `json:"deadline,omitzero"`
	// Action is the configured action: TERMINATE for a rollback window,
	// STOP_DEPLOYMENT for a reroute window, BAKE_TIME for the bake time
	// of an ECS-native deployment (the source revision's tasks stop when
	// it ends).
	Action string `json:"action,omitempty"`
	// NoWindow is true when the original task set is terminated immediately
	// (TERMINATE with 0 minutes): there is no time to roll back.
	NoWindow bool `json:"noWindow,omitempty"`
	// Ended is true when the deployment already finished (Succeeded, Failed
	// or Stopped), so the window closed at EndedAt whatever the deadline.
	Ended bool `json:"ended,omitempty"`
	// EndedAt is when the deployment finished, when Ended and known.
	EndedAt time.Time `json:"endedAt,omitzero"`
}

// Service is an ECS service of a blue/green deployment and its task sets.
type Service struct {
	// Cluster is the ECS cluster name.
	Cluster string `json:"cluster"`
	// Name is the ECS service name.
	Name string `json:"name"`
	// TargetStatus is the CodeDeploy deployment target's status, e.g.
	// "Succeeded", "InProgress", "Failed".
	TargetStatus string `json:"targetStatus,omitempty"`
	// TaskSets are the service's task sets, replacement (GREEN) first, then
	// original (BLUE), then any other by traffic weight.
	TaskSets []TaskSet `json:"taskSets,omitempty"`
	// Revisions is true when TaskSets are ECS service revisions (an
	// ECS-native blue/green deployment's target and source revisions:
	// ID is the service-revision ARN), not CodeDeploy task sets.
	Revisions bool `json:"revisions,omitempty"`
	// Monitors are the deployment's circuit breaker and CloudWatch alarms
	// (ECS-native), when the deployment has them.
	Monitors *Monitors `json:"monitors,omitempty"`
}

// Monitors are what watches an ECS-native service deployment and rolls it
// back on its own.
type Monitors struct {
	// CircuitBreaker is the circuit breaker's status: TRIGGERED,
	// MONITORING, MONITORING_COMPLETE or DISABLED; empty when not told.
	CircuitBreaker string `json:"circuitBreaker,omitempty"`
	// FailureCount and Threshold are the failed tasks counted and the
	// number that trips the circuit breaker.
	FailureCount int32 `json:"failureCount,omitempty"`
	// Threshold is the number of failed tasks that trips the breaker.
	Threshold int32 `json:"threshold,omitempty"`
	// AlarmStatus is the alarms' status, with the same values.
	AlarmStatus string `json:"alarmStatus,omitempty"`
	// Alarms are the CloudWatch alarms watched, by name.
	Alarms []string `json:"alarms,omitempty"`
	// Triggered are the alarms that went into ALARM.
	Triggered []string `json:"triggered,omitempty"`
}

// TaskSet is one task set of the service, as CodeDeploy and ECS describe it.
type TaskSet struct {
	// ID is the task set ID, e.g. "ecs-svc/9223370493423413672" (CodeDeploy's
	// "identifer", ECS's "id").
	ID string `json:"id"`
	// ARN is the task set ARN, when ECS described it.
	ARN string `json:"arn,omitempty"`
	// Label is "GREEN" for the replacement and "BLUE" for the original task
	// set (CodeDeploy's taskSetLabel, upper-cased); empty when not given.
	Label string `json:"label,omitempty"`
	// Status is the task set status: PRIMARY (serves the service's
	// production traffic), ACTIVE or DRAINING.
	Status string `json:"status,omitempty"`
	// TrafficWeight is the percentage of production traffic it serves (0-100).
	TrafficWeight float64 `json:"trafficWeight"`
	// TrafficKnown is true when TrafficWeight came from CodeDeploy; without
	// it a weight of 0 means "unknown".
	TrafficKnown bool `json:"trafficKnown,omitempty"`
	// DesiredCount, PendingCount and RunningCount count its tasks.
	DesiredCount int64 `json:"desiredCount"`
	// PendingCount is the number of tasks being started.
	PendingCount int64 `json:"pendingCount"`
	// RunningCount is the number of running tasks.
	RunningCount int64 `json:"runningCount"`
	// TargetGroup is the load balancer target group name.
	TargetGroup string `json:"targetGroup,omitempty"`
	// TaskDefinition is "family:revision", e.g. "web-frontend:43".
	TaskDefinition string `json:"taskDefinition,omitempty"`
	// TaskDefinitionARN is the full task definition ARN.
	TaskDefinitionARN string `json:"taskDefinitionArn,omitempty"`
	// Containers are the task definition's containers and images.
	Containers []Container `json:"containers,omitempty"`
}

// Container is one container definition of a task definition.
type Container struct {
	// Name is the container name.
	Name string `json:"name"`
	// Image is the image reference, e.g.
	// "111122223333.dkr.ecr.us-east-1.amazonaws.com/web:3f9c2e1".
	Image string `json:"image,omitempty"`
	// LogGroup is the CloudWatch Logs group of the awslogs driver, if used.
	LogGroup string `json:"logGroup,omitempty"`
	// LogRegion is the log group's region (awslogs-region), if set.
	LogRegion string `json:"logRegion,omitempty"`
	// LogStreamPrefix is awslogs-stream-prefix, if set.
	LogStreamPrefix string `json:"logStreamPrefix,omitempty"`
}

// Failure is the lifecycle event that failed on a deployment target.
type Failure struct {
	// TargetID is the deployment target, e.g. "cluster:service" for ECS.
	TargetID string `json:"targetId,omitempty"`
	// LifecycleEvent is the failed event, e.g. "AfterAllowTraffic" or
	// "Install".
	LifecycleEvent string `json:"lifecycleEvent"`
	// Status is the event's status: "Failed" (or "Unknown").
	Status string `json:"status,omitempty"`
	// Start and End bound the event, when known.
	Start time.Time `json:"start,omitzero"`
	// End is when the event ended.
	End time.Time `json:"end,omitzero"`
	// Diagnostics are CodeDeploy's diagnostics for it, when given.
	Diagnostics *Diagnostics `json:"diagnostics,omitempty"`
}

// Diagnostics are CodeDeploy's diagnostics of a lifecycle event.
type Diagnostics struct {
	// ErrorCode is e.g. "ScriptFailed", "ScriptTimedOut", "UnknownError".
	ErrorCode string `json:"errorCode,omitempty"`
	// Message explains the error.
	Message string `json:"message,omitempty"`
	// ScriptName is the hook script or function that failed, if any.
	ScriptName string `json:"scriptName,omitempty"`
	// LogTail is the last lines of the hook's log (up to 4 KB), if any.
	LogTail string `json:"logTail,omitempty"`
}

// Link is one labelled console link.
type Link struct {
	// Label says what the link opens, e.g. "/ecs/web-frontend".
	Label string `json:"label"`
	// URL is the link.
	URL string `json:"url"`
}

// Links are console links; an empty field means unknown.
type Links struct {
	// Deployment is the CodeDeploy console page of the deployment.
	Deployment string `json:"deployment,omitempty"`
	// DeploymentGroup is the CodeDeploy console page of the group.
	DeploymentGroup string `json:"deploymentGroup,omitempty"`
	// Service is the ECS console health page of the service.
	Service string `json:"service,omitempty"`
	// Logs are the CloudWatch Logs console pages of the log groups of the
	// replacement task set's containers (awslogs driver only).
	Logs []Link `json:"logs,omitempty"`
	// Pipeline is the CodePipeline console page of the execution, or of the
	// pipeline when the execution is unknown.
	Pipeline string `json:"pipeline,omitempty"`
	// Related is the CodeDeploy console page of the related deployment: the
	// rollback deployment, or the deployment being rolled back.
	Related string `json:"related,omitempty"`
}

// Commands are AWS CLI commands for the deployment, ready to paste; an
// empty field does not apply.
type Commands struct {
	// RollBack stops the deployment and rolls back:
	// aws deploy stop-deployment --deployment-id D --auto-rollback-enabled --region R
	// (ECS-native: aws ecs stop-service-deployment --service-deployment-arn A
	// --stop-type ROLLBACK --region R)
	RollBack string `json:"rollBack,omitempty"`
	// FinishEarly ends the termination wait now and deletes the original
	// task set: aws deploy continue-deployment --deployment-id D
	// --deployment-wait-type TERMINATION_WAIT --region R
	FinishEarly string `json:"finishEarly,omitempty"`
	// Reroute moves production traffic to a replacement waiting in Ready:
	// aws deploy continue-deployment --deployment-id D
	// --deployment-wait-type READY_WAIT --region R
	Reroute string `json:"reroute,omitempty"`
}
