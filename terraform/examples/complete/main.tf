# A complete ECS blue/green service deployed by CodeDeploy, fronted by CloudFront,
# with cutover posting to Slack and invalidating CloudFront when production traffic switches,
# (optionally) sending failures to a signed webhook of your own as a second destination, and
# (optionally) keeping one living Slack app message per deployment with Roll back now / Finish early buttons.

data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_partition" "current" {}

locals {
  azs            = slice(data.aws_availability_zones.available.names, 0, 2)
  container_name = "web"
  container_port = 80

  # Known before the deployment group exists: the module's Slack button grant names it (the group's trigger needs
  # the module's topic, so the module cannot take the group's attributes).
  deployment_group_name = "${var.name}-production"

  # The second destination exists when it is configured (whether it is, is not secret): by the names of
  # parameters made outside Terraform (recommended), or from values this example stores (in state).
  oncall_webhook = nonsensitive(var.oncall_webhook != null)
  oncall_webhook_refs = var.oncall_webhook_parameters != null ? var.oncall_webhook_parameters : local.oncall_webhook ? {
    url            = aws_ssm_parameter.oncall_webhook_url[0].name
    signing_secret = aws_ssm_parameter.oncall_webhook_signing_secret[0].name
  } : null

  # The module's destinations: references (parameter names, secret ARNs) and routing only.
  destinations = concat(local.oncall_webhook_refs != null ? [{
    name                  = "oncall"
    type                  = "webhook"
    url_secret            = local.oncall_webhook_refs.url
    signing_secret_secret = local.oncall_webhook_refs.signing_secret
    events                = var.oncall_webhook_events
    }] : [], var.slack_app != null ? [{
    name                  = "slack-app"
    type                  = "slack-app"
    channel               = var.slack_app.channel
    token_secret          = var.slack_app.token_secret
    signing_secret_secret = var.slack_app.signing_secret_secret
    allowed_users         = var.slack_app.allowed_users
    allowed_groups        = var.slack_app.allowed_groups
    mention               = var.slack_app.mention
  }] : [])
}

################################################################################
# Network
################################################################################

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = var.name }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
}

resource "aws_subnet" "public" {
  count = length(local.azs)

  vpc_id                  = aws_vpc.this.id
  availability_zone       = local.azs[count.index]
  cidr_block              = cidrsubnet(var.vpc_cidr, 8, count.index)
  map_public_ip_on_launch = true

  tags = { Name = "${var.name}-public-${local.azs[count.index]}" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this.id
  }
}

resource "aws_route_table_association" "public" {
  count = length(aws_subnet.public)

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_security_group" "alb" {
  name_prefix = "${var.name}-alb-"
  description = "ALB of ${var.name}: production listener 80, test listener 8080."
  vpc_id      = aws_vpc.this.id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "alb_production" {
  security_group_id = aws_security_group.alb.id
  description       = "Production listener (CloudFront connects here)."
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
}

resource "aws_vpc_security_group_ingress_rule" "alb_test" {
  for_each = toset(var.test_listener_cidr_blocks)

  security_group_id = aws_security_group.alb.id
  description       = "Test listener: the replacement task set before traffic switches."
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 8080
  to_port           = 8080
}

resource "aws_vpc_security_group_egress_rule" "alb_to_tasks" {
  security_group_id            = aws_security_group.alb.id
  referenced_security_group_id = aws_security_group.tasks.id
  ip_protocol                  = "tcp"
  from_port                    = local.container_port
  to_port                      = local.container_port
}

resource "aws_security_group" "tasks" {
  name_prefix = "${var.name}-tasks-"
  description = "Tasks of ${var.name}: only the ALB may connect."
  vpc_id      = aws_vpc.this.id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb" {
  security_group_id            = aws_security_group.tasks.id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = local.container_port
  to_port                      = local.container_port
}

resource "aws_vpc_security_group_egress_rule" "tasks_https" {
  security_group_id = aws_security_group.tasks.id
  description       = "Image pulls and AWS APIs."
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

################################################################################
# Load balancer: one production and one test listener, blue and green target groups
################################################################################

resource "aws_lb" "this" {
  name               = var.name
  load_balancer_type = "application"
  security_groups    = [aws_security_group.alb.id]
  subnets            = aws_subnet.public[*].id
}

resource "aws_lb_target_group" "this" {
  for_each = toset(["blue", "green"])

  name                 = "${var.name}-${each.key}"
  port                 = local.container_port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = aws_vpc.this.id
  deregistration_delay = 30

  health_check {
    path                = "/"
    matcher             = "200-399"
    healthy_threshold   = 2
    unhealthy_threshold = 3
    interval            = 15
  }
}

resource "aws_lb_listener" "production" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["blue"].arn
  }

  # CodeDeploy moves the listener between blue and green.
  lifecycle {
    ignore_changes = [default_action]
  }
}

resource "aws_lb_listener" "test" {
  load_balancer_arn = aws_lb.this.arn
  port              = 8080
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["blue"].arn
  }

  lifecycle {
    ignore_changes = [default_action]
  }
}

################################################################################
# ECS service with the CODE_DEPLOY deployment controller
################################################################################

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "service" {
  name              = "/ecs/${var.name}"
  retention_in_days = 30
}

resource "aws_iam_role" "task_execution" {
  name = "${var.name}-task-execution"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "task_execution" {
  role       = aws_iam_role.task_execution.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  execution_role_arn       = aws_iam_role.task_execution.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "ARM64"
  }

  container_definitions = jsonencode([{
    name         = local.container_name
    image        = var.container_image
    essential    = true
    portMappings = [{ containerPort = local.container_port, protocol = "tcp" }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.service.name
        awslogs-region        = var.region
        awslogs-stream-prefix = local.container_name
      }
    }
  }])
}

resource "aws_ecs_service" "this" {
  name            = var.name
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.this.arn
  desired_count   = 2
  launch_type     = "FARGATE"

  deployment_controller {
    type = "CODE_DEPLOY"
  }

  network_configuration {
    subnets          = aws_subnet.public[*].id
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = true
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this["blue"].arn
    container_name   = local.container_name
    container_port   = local.container_port
  }

  # CodeDeploy owns the task definition and the target group after the first deployment.
  lifecycle {
    ignore_changes = [task_definition, load_balancer]
  }

  depends_on = [aws_lb_listener.production]
}

################################################################################
# CloudFront in front of the ALB
################################################################################

resource "aws_cloudfront_distribution" "this" {
  enabled             = true
  comment             = "${var.name}: ECS blue/green service"
  price_class         = "PriceClass_100"
  wait_for_deployment = false

  origin {
    origin_id   = "alb"
    domain_name = aws_lb.this.dns_name

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "http-only" # add an ACM certificate to the ALB for https-only in production
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  default_cache_behavior {
    target_origin_id       = "alb"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD", "OPTIONS"]
    cached_methods         = ["GET", "HEAD"]
    compress               = true
    # AWS managed policies: CachingOptimized and AllViewerExceptHostHeader.
    cache_policy_id          = "658327ea-f89d-4fab-a63d-7e88639e58f6"
    origin_request_policy_id = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}

################################################################################
# Slack webhook: the secret container only. Its value never goes through Terraform:
#   aws secretsmanager put-secret-value --secret-id <slack_webhook_secret_arn output> \
#     --secret-string 'https://hooks.slack.com/services/...'
################################################################################

resource "aws_secretsmanager_secret" "slack_webhook" {
  name_prefix = "${var.name}-slack-webhook-url-"
  description = "Slack incoming webhook URL for cutover (${var.name}). Set its value with put-secret-value."
}

################################################################################
# On-call webhook (optional second destination): signed JSON requests to a receiver of
# your own, for failures only. Its URL and whsec_ signing secret come from the sensitive
# variable oncall_webhook and are stored as SSM
# SecureString parameters; the function gets their names only. Both values are in
# Terraform state: keep the state encrypted, or create the parameters outside Terraform
# and put their names into the destination below.
################################################################################

resource "aws_ssm_parameter" "oncall_webhook_url" {
  count = local.oncall_webhook ? 1 : 0

  name        = "/${var.name}/oncall-webhook/url"
  description = "URL of the on-call webhook cutover (${var.name}) posts failures to."
  type        = "SecureString"
  value       = var.oncall_webhook.url
}

resource "aws_ssm_parameter" "oncall_webhook_signing_secret" {
  count = local.oncall_webhook ? 1 : 0

  name        = "/${var.name}/oncall-webhook/signing-secret"
  description = "whsec_ signing secret of the on-call webhook of cutover (${var.name})."
  type        = "SecureString"
  value       = var.oncall_webhook.signing_secret
}

# Both given: the parameter names win and the stored values are unused (but in state).
check "oncall_webhook_once" {
  assert {
    condition     = var.oncall_webhook_parameters == null || !local.oncall_webhook
    error_message = "Both oncall_webhook_parameters and oncall_webhook are set: the destination uses the parameter names; remove oncall_webhook so its values leave the state."
  }
}

################################################################################
# cutover
################################################################################

module "cutover" {
  source = "../.."

  name            = "${var.name}-cutover"
  lambda_zip_path = var.lambda_zip_path

  # Slack: the destination named "slack" (its delivery records keep that key), notified of notify_events.
  slack_webhook_secret_arn = aws_secretsmanager_secret.slack_webhook.arn

  # The optional destinations: the signed webhook with its own routing (failures only), the Slack app.
  destinations = local.destinations

  # Slack app buttons (only with var.slack_app): they may stop or finish early this deployment group's
  # deployments and nothing else. The module then creates the function URL Slack sends clicks to.
  slack_button_deployment_groups = var.slack_app != null ? ["${aws_codedeploy_app.this.name}/${local.deployment_group_name}"] : []

  cloudfront_distribution_ids = [aws_cloudfront_distribution.this.id]
  invalidation_paths          = ["/*"]
  invalidate_on_rollback      = true

  # Scope the function's read permissions to this application and service.
  codedeploy_application_names = [aws_codedeploy_app.this.name]
  ecs_service_arns             = [aws_ecs_service.this.id]
  codedeploy_service_role_arns = [aws_iam_role.codedeploy.arn]

  alarm_actions = var.alarm_actions
}

################################################################################
# CodeDeploy: service role, application and blue/green deployment group
################################################################################

resource "aws_iam_role" "codedeploy" {
  name = "${var.name}-codedeploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "codedeploy.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "codedeploy" {
  role       = aws_iam_role.codedeploy.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSCodeDeployRoleForECS"
}

# CodeDeploy publishes trigger notifications with its service role.
resource "aws_iam_role_policy" "codedeploy_sns_publish" {
  name   = "publish-cutover-triggers"
  role   = aws_iam_role.codedeploy.id
  policy = module.cutover.codedeploy_sns_publish_policy_json
}

resource "aws_codedeploy_app" "this" {
  name             = var.name
  compute_platform = "ECS"
}

resource "aws_codedeploy_deployment_group" "this" {
  app_name               = aws_codedeploy_app.this.name
  deployment_group_name  = local.deployment_group_name
  deployment_config_name = "CodeDeployDefault.ECSAllAtOnce"
  service_role_arn       = aws_iam_role.codedeploy.arn

  deployment_style {
    deployment_type   = "BLUE_GREEN"
    deployment_option = "WITH_TRAFFIC_CONTROL"
  }

  blue_green_deployment_config {
    deployment_ready_option {
      action_on_timeout = "CONTINUE_DEPLOYMENT"
    }

    # The rollback window: the original task set stays up this long after traffic switched.
    terminate_blue_instances_on_deployment_success {
      action                           = "TERMINATE"
      termination_wait_time_in_minutes = var.termination_wait_time_in_minutes
    }
  }

  ecs_service {
    cluster_name = aws_ecs_cluster.this.name
    service_name = aws_ecs_service.this.name
  }

  load_balancer_info {
    target_group_pair_info {
      prod_traffic_route {
        listener_arns = [aws_lb_listener.production.arn]
      }

      test_traffic_route {
        listener_arns = [aws_lb_listener.test.arn]
      }

      target_group {
        name = aws_lb_target_group.this["blue"].name
      }

      target_group {
        name = aws_lb_target_group.this["green"].name
      }
    }
  }

  auto_rollback_configuration {
    enabled = true
    events  = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"]
  }

  # cutover: CodeDeploy publishes these events to the module's topic.
  trigger_configuration {
    trigger_name       = "cutover"
    trigger_events     = module.cutover.trigger_events
    trigger_target_arn = module.cutover.sns_topic_arn
  }

  # CodeDeploy sends a test notification when the trigger is saved: the role must be able to publish.
  depends_on = [aws_iam_role_policy.codedeploy_sns_publish, aws_iam_role_policy_attachment.codedeploy]
}
