"""Start moto's server with cutover's CodeDeploy fixes applied.

Usage: python3 launcher.py -H 127.0.0.1 -p PORT   (same flags as moto.server)

This file is test tooling for cutover (internal/testrig). It is embedded in
the Go package and written to a temporary directory by testrig.StartMoto.

moto 5.2 CodeDeploy gaps that break aws-sdk-go-v2 and Terraform, and what the
patches below do about them:

* Deployment IDs are UUIDs; they are made to look like AWS ones (d-XXXXXXXXX).
* createTime/startTime/completeTime are ISO-8601 strings; the AWS JSON 1.1
  protocol (and so every SDK) wants epoch seconds as a JSON number. The
  to_dict() of applications and deployments is wrapped to convert them.
* UpdateApplication, DeleteApplication, UpdateDeploymentGroup,
  DeleteDeploymentGroup, BatchGetDeploymentGroups, Get/List/Create/
  DeleteDeploymentConfig, StopDeployment, ContinueDeployment and
  PutLifecycleEventHookExecutionStatus are not implemented (HTTP 500); they
  are added here with AWS semantics that are good enough for tests.
* GetDeploymentGroup returns alarmConfiguration as {} and
  outdatedInstancesStrategy as null whatever was stored; the stored values
  (or the AWS defaults) are returned instead.

Lambda: AddPermission's FunctionUrlAuthType is kept as AWS keeps it, as a
lambda:FunctionUrlAuthType condition of the statement (see "Lambda
permissions for function URLs" below).

One action that AWS does not have is added for tests, because moto never
moves a deployment past "Created":

* TestrigHookCalls, TestrigFailHookStatus and TestrigSetDeploymentTargets
  record PutLifecycleEventHookExecutionStatus calls, fail the next ones on
  demand, and give ListDeploymentTargets/GetDeploymentTarget (added here)
  the ECS targets to answer with (see "lifecycle hooks" below).
* TestrigPatchDeployment {"deploymentId": ID, "fields": {...}} merges the
  given fields into every later GetDeployment/BatchGetDeployments answer for
  that deployment. Fields moto stores (status, times, ...) are set on the
  model, so later StopDeployment/ContinueDeployment calls still change them.
"""

import datetime
import json
import os
import sys
import threading
import time
import uuid

try:
    from moto import server as moto_server
    from moto.codedeploy import models as cd_models
    from moto.codedeploy import responses as cd_responses
    from moto.codedeploy.exceptions import (
        ApplicationDoesNotExistException,
        CodeDeployException,
        DeploymentDoesNotExistException,
        DeploymentGroupAlreadyExistsException,
        DeploymentGroupDoesNotExistException,
    )
except ImportError as exc:  # pragma: no cover - reported to the Go side
    sys.stderr.write(
        "cutover-testrig: python3 with moto[server] is required "
        "(pip install 'moto[server]'): %s\n" % exc
    )
    sys.exit(3)


TIME_FIELDS = ("createTime", "startTime", "completeTime", "endTime")

# A fixed creation time for the built-in deployment configurations.
BUILTIN_CONFIG_TIME = 1420070400.0  # 2015-01-01T00:00:00Z


def to_epoch(value):
    """Return value as epoch seconds if it is an ISO-8601 string."""
    if isinstance(value, str):
        try:
            parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.timezone.utc)
        return parsed.timestamp()
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    return value


def fix_times(data):
    for key in TIME_FIELDS:
        if key in data and data[key] is not None:
            data[key] = to_epoch(data[key])
    return data


# --- deployment IDs --------------------------------------------------------

_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_deployment_init = cd_models.DeploymentInfo.__init__


def deployment_init(self, *args, **kwargs):
    _deployment_init(self, *args, **kwargs)
    # Real deployment IDs look like d-7XQ2K9ABC; moto uses UUIDs.
    raw = uuid.uuid4().int
    chars = []
    for _ in range(9):
        raw, rem = divmod(raw, len(_ID_ALPHABET))
        chars.append(_ID_ALPHABET[rem])
    self.deployment_id = "d-" + "".join(chars)


cd_models.DeploymentInfo.__init__ = deployment_init


# --- timestamps ----------------------------------------------------------

_app_to_dict = cd_models.Application.to_dict


def application_to_dict(self):
    return fix_times(_app_to_dict(self))


cd_models.Application.to_dict = application_to_dict

_deployment_to_dict = cd_models.DeploymentInfo.to_dict


def deployment_to_dict(self):
    data = fix_times(_deployment_to_dict(self))
    if data.get("deploymentConfigName") == "None":
        data["deploymentConfigName"] = "CodeDeployDefault.OneAtATime"
    data.update(getattr(self, "testrig_overrides", {}))
    return fix_times(data)


cd_models.DeploymentInfo.to_dict = deployment_to_dict

_group_to_dict = cd_models.DeploymentGroup.to_dict


def group_to_dict(self):
    data = _group_to_dict(self)
    data["alarmConfiguration"] = self.alarm_configuration or {
        "enabled": False,
        "ignorePollAlarmFailure": False,
        "alarms": [],
    }
    data["outdatedInstancesStrategy"] = self.outdated_instances_strategy or "UPDATE"
    data["terminationHookEnabled"] = bool(self.termination_hook_enabled)
    for key in ("lastSuccessfulDeployment", "lastAttemptedDeployment", "targetRevision"):
        if not data.get(key):
            data.pop(key, None)
    return data


cd_models.DeploymentGroup.to_dict = group_to_dict


# --- errors moto does not define -------------------------------------------


class BadRequest(CodeDeployException):
    code = 400

    def __init__(self, error_type, message):
        super().__init__(error_type, message)


# --- deployment configurations ------------------------------------------------


def _server_config(name, kind, value):
    return {
        "deploymentConfigName": name,
        "minimumHealthyHosts": {"type": kind, "value": value},
        "computePlatform": "Server",
    }


def _traffic_config(name, platform, kind, percentage=None, interval=None):
    routing = {"type": kind}
    if kind == "TimeBasedCanary":
        routing["timeBasedCanary"] = {
            "canaryPercentage": percentage,
            "canaryInterval": interval,
        }
    elif kind == "TimeBasedLinear":
        routing["timeBasedLinear"] = {
            "linearPercentage": percentage,
            "linearInterval": interval,
        }
    return {
        "deploymentConfigName": name,
        "computePlatform": platform,
        "trafficRoutingConfig": routing,
        "minimumHealthyHosts": {"type": "FLEET_PERCENT", "value": 0},
    }


BUILTIN_CONFIGS = {
    c["deploymentConfigName"]: c
    for c in [
        _server_config("CodeDeployDefault.OneAtATime", "FLEET_PERCENT", 99),
        _server_config("CodeDeployDefault.HalfAtATime", "FLEET_PERCENT", 50),
        _server_config("CodeDeployDefault.AllAtOnce", "HOST_COUNT", 0),
        _traffic_config("CodeDeployDefault.ECSAllAtOnce", "ECS", "AllAtOnce"),
        _traffic_config("CodeDeployDefault.ECSLinear10PercentEvery1Minutes", "ECS", "TimeBasedLinear", 10, 1),
        _traffic_config("CodeDeployDefault.ECSLinear10PercentEvery3Minutes", "ECS", "TimeBasedLinear", 10, 3),
        _traffic_config("CodeDeployDefault.ECSCanary10Percent5Minutes", "ECS", "TimeBasedCanary", 10, 5),
        _traffic_config("CodeDeployDefault.ECSCanary10Percent15Minutes", "ECS", "TimeBasedCanary", 10, 15),
        _traffic_config("CodeDeployDefault.LambdaAllAtOnce", "Lambda", "AllAtOnce"),
        _traffic_config("CodeDeployDefault.LambdaCanary10Percent5Minutes", "Lambda", "TimeBasedCanary", 10, 5),
        _traffic_config("CodeDeployDefault.LambdaCanary10Percent10Minutes", "Lambda", "TimeBasedCanary", 10, 10),
        _traffic_config("CodeDeployDefault.LambdaCanary10Percent15Minutes", "Lambda", "TimeBasedCanary", 10, 15),
        _traffic_config("CodeDeployDefault.LambdaCanary10Percent30Minutes", "Lambda", "TimeBasedCanary", 10, 30),
        _traffic_config("CodeDeployDefault.LambdaLinear10PercentEvery1Minute", "Lambda", "TimeBasedLinear", 10, 1),
        _traffic_config("CodeDeployDefault.LambdaLinear10PercentEvery2Minutes", "Lambda", "TimeBasedLinear", 10, 2),
        _traffic_config("CodeDeployDefault.LambdaLinear10PercentEvery3Minutes", "Lambda", "TimeBasedLinear", 10, 3),
        _traffic_config("CodeDeployDefault.LambdaLinear10PercentEvery10Minutes", "Lambda", "TimeBasedLinear", 10, 10),
    ]
}


def custom_configs(backend):
    if not hasattr(backend, "testrig_configs"):
        backend.testrig_configs = {}
    return backend.testrig_configs


# --- new actions ----------------------------------------------------------------

GROUP_FIELDS = {
    "deploymentConfigName": "deployment_config_name",
    "ec2TagFilters": "ec2_tag_filters",
    "onPremisesInstanceTagFilters": "on_premises_instance_tag_filters",
    "autoScalingGroups": "auto_scaling_groups",
    "serviceRoleArn": "service_role_arn",
    "triggerConfigurations": "trigger_configurations",
    "alarmConfiguration": "alarm_configuration",
    "autoRollbackConfiguration": "auto_rollback_configuration",
    "outdatedInstancesStrategy": "outdated_instances_strategy",
    "deploymentStyle": "deployment_style",
    "blueGreenDeploymentConfiguration": "blue_green_deployment_configuration",
    "loadBalancerInfo": "load_balancer_info",
    "ec2TagSet": "ec2_tag_set",
    "ecsServices": "ecs_services",
    "onPremisesTagSet": "on_premises_tag_set",
    "terminationHookEnabled": "termination_hook_enabled",
}

TERMINAL = ("Succeeded", "Failed", "Stopped")

DEPLOYMENT_ATTRS = {
    "status": "status",
    "createTime": "create_time",
    "startTime": "start_time",
    "completeTime": "complete_time",
    "instanceTerminationWaitTimeStarted": "instance_termination_wait_time_started",
    "deploymentStatusMessages": "deployment_status_messages",
    "description": "description",
    "creator": "creator",
}


def _params(self):
    try:
        return json.loads(self.body or "{}")
    except ValueError:
        return {}


def _app_arn(backend, name):
    return f"arn:aws:codedeploy:{backend.region_name}:{backend.account_id}:application:{name}"


def _group_arn(backend, app, group):
    return f"arn:aws:codedeploy:{backend.region_name}:{backend.account_id}:deploymentgroup:{app}/{group}"


def update_application(self):
    p = _params(self)
    backend = self.codedeploy_backend
    old = p.get("applicationName")
    new = p.get("newApplicationName")
    app = backend.get_application(old)
    if new and new != old:
        if new in backend.applications:
            raise BadRequest(
                "ApplicationAlreadyExistsException",
                f"The application {new} already exists with the user or AWS account.",
            )
        app.application_name = new
        backend.applications[new] = backend.applications.pop(old)
        if old in backend.deployment_groups:
            backend.deployment_groups[new] = backend.deployment_groups.pop(old)
        backend.tagger.copy_tags(_app_arn(backend, old), _app_arn(backend, new))
        backend.tagger.delete_all_tags_for_resource(_app_arn(backend, old))
        for dep in backend.deployments.values():
            if dep.application_name == old:
                dep.application_name = new
    return "{}"


def delete_application(self):
    p = _params(self)
    backend = self.codedeploy_backend
    name = p.get("applicationName")
    if name in backend.applications:
        for group in backend.deployment_groups.pop(name, {}):
            backend.tagger.delete_all_tags_for_resource(_group_arn(backend, name, group))
        del backend.applications[name]
        backend.tagger.delete_all_tags_for_resource(_app_arn(backend, name))
    return "{}"


def update_deployment_group(self):
    p = _params(self)
    backend = self.codedeploy_backend
    app_name = p.get("applicationName")
    current = p.get("currentDeploymentGroupName")
    group = backend.get_deployment_group(app_name, current)
    for key, attr in GROUP_FIELDS.items():
        if key in p:
            setattr(group, attr, p[key])
    new = p.get("newDeploymentGroupName")
    if new and new != current:
        groups = backend.deployment_groups[app_name]
        if new in groups:
            raise DeploymentGroupAlreadyExistsException(
                f"Deployment group {new} already exists."
            )
        group.deployment_group_name = new
        groups[new] = groups.pop(current)
        backend.tagger.copy_tags(
            _group_arn(backend, app_name, current), _group_arn(backend, app_name, new)
        )
        backend.tagger.delete_all_tags_for_resource(_group_arn(backend, app_name, current))
    return json.dumps({"hooksNotCleanedUp": []})


def delete_deployment_group(self):
    p = _params(self)
    backend = self.codedeploy_backend
    app_name = p.get("applicationName")
    name = p.get("deploymentGroupName")
    backend.get_deployment_group(app_name, name)  # raises the AWS errors
    del backend.deployment_groups[app_name][name]
    backend.tagger.delete_all_tags_for_resource(_group_arn(backend, app_name, name))
    return json.dumps({"hooksNotCleanedUp": []})


def batch_get_deployment_groups(self):
    p = _params(self)
    backend = self.codedeploy_backend
    app_name = p.get("applicationName")
    backend.get_application(app_name)
    infos, missing = [], []
    for name in p.get("deploymentGroupNames") or []:
        group = backend.deployment_groups.get(app_name, {}).get(name)
        if group is None:
            missing.append(name)
        else:
            infos.append(group.to_dict())
    out = {"deploymentGroupsInfo": infos}
    if missing:
        out["errorMessage"] = "Deployment groups not found: " + ", ".join(missing)
    return json.dumps(out)


def _config_info(name, config, created):
    info = dict(config)
    info.setdefault("deploymentConfigId", str(uuid.uuid5(uuid.NAMESPACE_URL, name)))
    info["createTime"] = created
    return info


def get_deployment_config(self):
    p = _params(self)
    name = p.get("deploymentConfigName")
    if name in BUILTIN_CONFIGS:
        info = _config_info(name, BUILTIN_CONFIGS[name], BUILTIN_CONFIG_TIME)
    else:
        stored = custom_configs(self.codedeploy_backend).get(name)
        if stored is None:
            raise BadRequest(
                "DeploymentConfigDoesNotExistException",
                f"The deployment configuration {name} does not exist with the user or AWS account.",
            )
        info = _config_info(name, stored["config"], stored["createTime"])
    return json.dumps({"deploymentConfigInfo": info})


def list_deployment_configs(self):
    names = list(BUILTIN_CONFIGS) + list(custom_configs(self.codedeploy_backend))
    return json.dumps({"deploymentConfigsList": names})


def create_deployment_config(self):
    p = _params(self)
    name = p.get("deploymentConfigName")
    configs = custom_configs(self.codedeploy_backend)
    if name in BUILTIN_CONFIGS or name in configs:
        raise BadRequest(
            "DeploymentConfigAlreadyExistsException",
            f"The deployment configuration {name} already exists with the user or AWS account.",
        )
    config = {"deploymentConfigName": name, "deploymentConfigId": str(uuid.uuid4())}
    for key in ("minimumHealthyHosts", "trafficRoutingConfig", "zonalConfig"):
        if p.get(key) is not None:
            config[key] = p[key]
    config["computePlatform"] = p.get("computePlatform") or "Server"
    configs[name] = {"config": config, "createTime": time.time()}
    return json.dumps({"deploymentConfigId": config["deploymentConfigId"]})


def delete_deployment_config(self):
    p = _params(self)
    name = p.get("deploymentConfigName")
    if name in BUILTIN_CONFIGS:
        raise BadRequest(
            "InvalidOperationException",
            f"The deployment configuration {name} is a default configuration and cannot be deleted.",
        )
    custom_configs(self.codedeploy_backend).pop(name, None)
    return "{}"


def _deployment(self, deployment_id):
    return self.codedeploy_backend.get_deployment(deployment_id)


def _now():
    return time.time()


def stop_deployment(self):
    p = _params(self)
    dep = _deployment(self, p.get("deploymentId"))
    if dep.status in TERMINAL:
        raise BadRequest(
            "DeploymentAlreadyCompletedException",
            f"The deployment {dep.deployment_id} has already completed.",
        )
    dep.status = "Stopped"
    dep.complete_time = _now()
    dep.deployment_status_messages.append(
        "testrig: StopDeployment autoRollbackEnabled=%s"
        % json.dumps(p.get("autoRollbackEnabled"))
    )
    return json.dumps({"status": "Succeeded", "statusMessage": "Deployment stopped."})


def continue_deployment(self):
    p = _params(self)
    dep = _deployment(self, p.get("deploymentId"))
    if dep.status in TERMINAL:
        raise BadRequest(
            "DeploymentAlreadyCompletedException",
            f"The deployment {dep.deployment_id} has already completed.",
        )
    wait_type = p.get("deploymentWaitType") or "READY_WAIT"
    if wait_type == "TERMINATION_WAIT":
        dep.status = "Succeeded"
        dep.complete_time = _now()
    else:
        dep.status = "InProgress"
    dep.deployment_status_messages.append(
        "testrig: ContinueDeployment deploymentWaitType=%s" % wait_type
    )
    return "{}"


def put_lifecycle_event_hook_execution_status(self):
    p = _params(self)
    dep = _deployment(self, p.get("deploymentId"))
    hook_id = p.get("lifecycleEventHookExecutionId")
    dep.deployment_status_messages.append(
        "testrig: PutLifecycleEventHookExecutionStatus %s=%s" % (hook_id, p.get("status"))
    )
    return json.dumps({"lifecycleEventHookExecutionId": hook_id})


def testrig_patch_deployment(self):
    p = _params(self)
    dep = _deployment(self, p.get("deploymentId"))
    fields = dict(p.get("fields") or {})
    # Fields that moto keeps itself are stored, so later StopDeployment or
    # ContinueDeployment calls change them as usual; the rest are overlaid.
    for key, attr in DEPLOYMENT_ATTRS.items():
        if key in fields:
            setattr(dep, attr, fields.pop(key))
    if not hasattr(dep, "testrig_overrides"):
        dep.testrig_overrides = {}
    dep.testrig_overrides.update(fields)
    return "{}"


for _fn in (
    update_application,
    delete_application,
    update_deployment_group,
    delete_deployment_group,
    batch_get_deployment_groups,
    get_deployment_config,
    list_deployment_configs,
    create_deployment_config,
    delete_deployment_config,
    stop_deployment,
    continue_deployment,
    put_lifecycle_event_hook_execution_status,
    testrig_patch_deployment,
):
    setattr(cd_responses.CodeDeployResponse, _fn.__name__, _fn)


# --- recorded control calls (buttons: Roll back now / Finish early) ----------
#
# StopDeployment and ContinueDeployment are recorded, in order, per backend
# (account and region), so tests can assert what cutover asked for and how
# often. TestrigControlCalls {} answers {"calls": [{"operation", "params"}]}.
# moto's /moto-api/reset drops the backends, and with them the record.


def _control_calls(backend):
    if not hasattr(backend, "testrig_control_calls"):
        backend.testrig_control_calls = []
    return backend.testrig_control_calls


_control_lock = threading.Lock()


def _recorded(operation, fn):
    def wrapper(self):
        with _control_lock:
            _control_calls(self.codedeploy_backend).append(
                {"operation": operation, "params": _params(self)}
            )
        return fn(self)

    wrapper.__name__ = fn.__name__
    return wrapper


def testrig_control_calls(self):
    with _control_lock:
        return json.dumps({"calls": list(_control_calls(self.codedeploy_backend))})


cd_responses.CodeDeployResponse.stop_deployment = _recorded("StopDeployment", stop_deployment)
cd_responses.CodeDeployResponse.continue_deployment = _recorded("ContinueDeployment", continue_deployment)
cd_responses.CodeDeployResponse.testrig_control_calls = testrig_control_calls


# --- lifecycle hooks (internal/hook) ------------------------------------------
#
# PutLifecycleEventHookExecutionStatus is recorded, call by call, so tests
# can assert it was called exactly once per execution (TestrigHookCalls);
# a second status for the same execution is refused as AWS does
# (LifecycleEventAlreadyCompletedException) after being recorded. Errors
# can be queued for the next calls (TestrigFailHookStatus: a throttling
# or 5xx answer). ListDeploymentTargets and GetDeploymentTarget serve the
# ECS targets a test sets (TestrigSetDeploymentTargets), since moto has
# neither.

HOOK_CALLS = []
HOOK_FAULTS = []
DEPLOYMENT_TARGETS = {}
_hook_lock = threading.Lock()


class HookFault(CodeDeployException):
    def __init__(self, error_type, code):
        super().__init__(error_type, "testrig: fault on demand")
        self.code = code


def hook_put_status(self):
    p = _params(self)
    dep = _deployment(self, p.get("deploymentId"))
    hook_id = p.get("lifecycleEventHookExecutionId") or ""
    status = p.get("status")
    with _hook_lock:
        if HOOK_FAULTS:
            error_type, code = HOOK_FAULTS.pop(0)
            raise HookFault(error_type, code)
        earlier = [c for c in HOOK_CALLS if c["deploymentId"] == dep.deployment_id and c["lifecycleEventHookExecutionId"] == hook_id]
        HOOK_CALLS.append({
            "deploymentId": dep.deployment_id,
            "lifecycleEventHookExecutionId": hook_id,
            "status": status,
            "time": time.time(),
        })
    if status not in ("Succeeded", "Failed"):
        raise BadRequest("ValidationException", "status must be Succeeded or Failed")
    if earlier:
        raise BadRequest(
            "LifecycleEventAlreadyCompletedException",
            "The lifecycle event hook execution %s has already completed." % hook_id,
        )
    dep.deployment_status_messages.append(
        "testrig: PutLifecycleEventHookExecutionStatus %s=%s" % (hook_id, status)
    )
    return json.dumps({"lifecycleEventHookExecutionId": hook_id})


def testrig_hook_calls(self):
    with _hook_lock:
        return json.dumps({"calls": list(HOOK_CALLS)})


def testrig_fail_hook_status(self):
    p = _params(self)
    with _hook_lock:
        for f in p.get("faults") or []:
            HOOK_FAULTS.append((f.get("type") or "ThrottlingException", int(f.get("status") or 400)))
    return "{}"


def testrig_set_deployment_targets(self):
    p = _params(self)
    dep = _deployment(self, p.get("deploymentId"))
    DEPLOYMENT_TARGETS[dep.deployment_id] = list(p.get("targets") or [])
    return "{}"


def list_deployment_targets(self):
    p = _params(self)
    dep = _deployment(self, p.get("deploymentId"))
    targets = DEPLOYMENT_TARGETS.get(dep.deployment_id, [])
    return json.dumps({"targetIds": [t.get("targetId") for t in targets]})


def get_deployment_target(self):
    p = _params(self)
    dep = _deployment(self, p.get("deploymentId"))
    for t in DEPLOYMENT_TARGETS.get(dep.deployment_id, []):
        if t.get("targetId") == p.get("targetId"):
            target = dict(t)
            target.setdefault("deploymentId", dep.deployment_id)
            return json.dumps({"deploymentTarget": {"deploymentTargetType": "ECSTarget", "ecsTarget": target}})
    raise BadRequest("DeploymentTargetDoesNotExistException", "No target %s" % p.get("targetId"))


cd_responses.CodeDeployResponse.put_lifecycle_event_hook_execution_status = hook_put_status
for _fn in (testrig_hook_calls, testrig_fail_hook_status, testrig_set_deployment_targets,
            list_deployment_targets, get_deployment_target):
    setattr(cd_responses.CodeDeployResponse, _fn.__name__, _fn)


# DynamoDB evaluates a conditional write and stores the item atomically;
# moto checks, then stores, on a threaded server, so two concurrent
# conditional PutItems can both succeed. Serialising the item operations
# restores AWS's semantics for tests of concurrent claims.
from moto.dynamodb import responses as ddb_responses  # noqa: E402

_ddb_lock = threading.Lock()


def _serialised(fn):
    def wrapper(self, *args, **kwargs):
        with _ddb_lock:
            return fn(self, *args, **kwargs)

    wrapper.__name__ = fn.__name__
    return wrapper


for _name in ("put_item", "update_item", "delete_item", "get_item", "transact_write_items", "batch_write_item"):
    _orig = getattr(ddb_responses.DynamoHandler, _name, None)
    if _orig is not None:
        setattr(ddb_responses.DynamoHandler, _name, _serialised(_orig))


# --- Lambda permissions for function URLs ---------------------------------------
#
# AddPermission with FunctionUrlAuthType (aws_lambda_permission's
# function_url_auth_type, as for a public function URL) is stored by moto
# 5.2 as a raw "FunctionUrlAuthType" key of the statement; AWS turns it
# into the condition {"StringEquals": {"lambda:FunctionUrlAuthType": ...}},
# which is where GetPolicy readers (the Terraform provider) look for it.

from moto.awslambda import policy as lambda_policy  # noqa: E402

_decode_policy = lambda_policy.Policy.decode_policy


def decode_policy(self, obj):
    policy = _decode_policy(self, obj)
    for statement in policy.statements:
        auth = statement.pop("FunctionUrlAuthType", None)
        if auth is not None:
            statement.setdefault("Condition", {}).setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = auth
    return policy


lambda_policy.Policy.decode_policy = decode_policy


def watch_parent():
    """Exit when the process that started us (the Go test binary) is gone."""
    parent = os.getppid()
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


if __name__ == "__main__":
    threading.Thread(target=watch_parent, name="testrig-parent-watch", daemon=True).start()
    moto_server.main(sys.argv[1:])
