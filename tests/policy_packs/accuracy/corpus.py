"""Adversarial programs for issue 8's classes: each insecure variant, and its secure twin.

Each entry names the issue item it covers, the policy it is about, and the exact resources that policy
must fail in an update (empty: a secure program). ``preview_blind`` marks the programs whose link value
is computed from *another* resource's output: during a preview that value is unknown and only its
dependency is visible, which GUARDRAILS.md ("Links are values") lets decide, so the preview judges the
resource the value came from; the update, where the value is known, judges the one it names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from programs import (
    ACCOUNT,
    LAMBDA_TRUST,
    OTHER_ACCOUNT,
    REGION,
    Handle,
    Program,
    aws_managed,
    document,
    function,
    function_with_role,
    managed_policy,
    role,
    role_policy,
    statement,
)

Build = Callable[[Program], None]


@dataclass(frozen=True)
class Entry:
    id: str
    item: int
    policy: str
    expected: frozenset[str]
    build: Build
    config: dict[str, Any] = field(default_factory=dict)
    preview_blind: bool = False
    text: str = ""


CORPUS: list[Entry] = []


def case(item: int, policy: str, expected: set[str], *, text: str = "", config: dict[str, Any] | None = None,
         preview_blind: bool = False) -> Callable[[Build], Build]:
    def register(build: Build) -> Build:
        CORPUS.append(Entry(build.__name__, item, policy, frozenset(expected), build, config or {}, preview_blind,
                            text))
        return build
    return register


def trust(*statements: dict[str, Any]) -> dict[str, Any]:
    return document(*statements)


def assume(principal: Any, **extra: Any) -> dict[str, Any]:
    return statement(Principal=principal, Action="sts:AssumeRole", **extra)


GUARD = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
LAMBDA = {"Service": "lambda.amazonaws.com"}
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-AbCdEf"


def allow(action: Any, resource: Any = TABLE, **extra: Any) -> dict[str, Any]:
    return statement(Action=action, Resource=resource, **extra)


# == 1. a function role is any role a function uses, whatever its trust says ============================


@case(1, "iam-no-privilege-escalation", {"open-policy"}, text="iam:PutRolePolicy")
def star_trust_with_put_role_policy(p: Program) -> None:
    r, _ = function_with_role(p, trust=trust(assume("*")))
    role_policy(p, "open-policy", p.out(r, "name"), allow("iam:PutRolePolicy", "*"))


@case(1, "iam-lambda-trust-scoped", {"app-role"}, text="also trusts *:*")
def star_trust(p: Program) -> None:
    function_with_role(p, trust=trust(assume("*")))


@case(1, "iam-lambda-trust-scoped", {"app-role"}, text=f"AWS:arn:aws:iam::{OTHER_ACCOUNT}:root")
def other_account_trust(p: Program) -> None:
    function_with_role(p, trust=trust(assume(LAMBDA, Condition=GUARD),
                                      assume({"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"})))


@case(1, "iam-lambda-trust-scoped", {"app-role"}, text="ec2.amazonaws.com")
def lambda_and_ec2_trust(p: Program) -> None:
    function_with_role(p, trust=trust(assume({"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]},
                                             Condition=GUARD)))


@case(1, "iam-lambda-trust-scoped", {"app-role"}, text="NotPrincipal")
def not_principal_trust(p: Program) -> None:
    function_with_role(p, trust=trust(statement(NotPrincipal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                                Action="sts:AssumeRole")))


@case(1, "iam-lambda-trust-scoped", {"app-role"}, text="Federated")
def federated_trust(p: Program) -> None:
    function_with_role(p, trust=trust(assume(LAMBDA, Condition=GUARD),
                                      assume({"Federated": "cognito-identity.amazonaws.com"})))


@case(1, "iam-lambda-trust-scoped", set())
def lambda_only_trust_ok(p: Program) -> None:
    function_with_role(p)


@case(1, "iam-lambda-trust-scoped", set())
def lambda_at_edge_trust_ok(p: Program) -> None:
    function_with_role(p, trust=trust(assume({"Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]},
                                             Condition=GUARD)))


@case(1, "iam-no-privilege-escalation", {"ec2-policy"}, text="iam:PassRole on '*'")
def ec2_trust_used_by_function(p: Program) -> None:
    r, _ = function_with_role(p, trust=trust(assume({"Service": "ec2.amazonaws.com"})))
    role_policy(p, "ec2-policy", p.out(r, "name"), allow("iam:PassRole", "*"))


@case(1, "iam-no-privilege-escalation", set())
def ec2_role_without_function_ok(p: Program) -> None:
    function_with_role(p)
    r = role(p, "instance-role", trust(assume({"Service": "ec2.amazonaws.com"})))
    role_policy(p, "instance-policy", p.out(r, "name"), allow("iam:PassRole", "*"))


@case(1, "iam-lambda-trust-scoped", {"app-role"}, text="also trusts")
def function_role_by_name_not_arn(p: Program) -> None:
    r = role(p, "app-role", trust(assume({"Service": "states.amazonaws.com"})))
    function(p, "app", p.out(r, "arn"))


# == 2. a role's permissions come from every attachment form =============================================


@case(2, "iam-no-admin-managed-policies", {"exclusive-attachments"}, text="AdministratorAccess")
def admin_through_role_policy_attachments_exclusive(p: Program) -> None:
    r, _ = function_with_role(p)
    p.add("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", "exclusive-attachments",
          {"roleName": p.out(r, "name"), "policyArns": [aws_managed("AdministratorAccess")]})


@case(2, "iam-no-admin-managed-policies", {"app-role"}, text="AdministratorAccess")
def admin_through_managed_policy_arns(p: Program) -> None:
    function_with_role(p, managedPolicyArns=[aws_managed("AdministratorAccess")])


@case(2, "iam-no-admin-managed-policies", {"admin-attachment"}, text="AdministratorAccess")
def admin_through_policy_attachment(p: Program) -> None:
    r, _ = function_with_role(p)
    p.add("aws:iam/policyAttachment:PolicyAttachment", "admin-attachment",
          {"name": "admins", "policyArn": aws_managed("AdministratorAccess"), "roles": [p.out(r, "name")]})


@case(2, "iam-no-admin-managed-policies", set())
def admin_for_users_only_ok(p: Program) -> None:
    function_with_role(p)
    p.add("aws:iam/policyAttachment:PolicyAttachment", "admin-attachment",
          {"name": "admins", "policyArn": aws_managed("AdministratorAccess"), "users": ["alice"]})
    p.add("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "ops-admin",
          {"group": "ops", "policyArn": aws_managed("AdministratorAccess")})


@case(2, "iam-no-privilege-escalation", {"escalate"}, text="iam:PutRolePolicy")
def escalation_through_policy_attachment(p: Program) -> None:
    r, _ = function_with_role(p)
    policy = managed_policy(p, "escalate", allow("iam:PutRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/*"))
    p.add("aws:iam/policyAttachment:PolicyAttachment", "escalate-attachment",
          {"name": "escalate", "policyArn": p.out(policy, "arn"), "roles": [p.out(r, "name")]})


@case(2, "iam-no-privilege-escalation", {"escalate"}, text="iam:AttachRolePolicy")
def escalation_through_exclusive_attachments(p: Program) -> None:
    r, _ = function_with_role(p)
    policy = managed_policy(p, "escalate", allow("iam:AttachRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/x"))
    p.add("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", "exclusive",
          {"roleName": p.out(r, "name"), "policyArns": [p.out(policy, "arn")]})


@case(2, "iam-no-wildcard-actions", {"app-role"}, text="inlinePolicies[0]")
def wildcard_in_inline_policies(p: Program) -> None:
    function_with_role(p, inlinePolicies=[{"name": "all", "policy": p.json(document(allow("dynamodb:*")))}])


@case(2, "iam-no-wildcard-actions", set())
def wildcard_policy_for_a_group_only_ok(p: Program) -> None:
    function_with_role(p)
    policy = managed_policy(p, "ops-tools", allow("s3:*", "arn:aws:s3:::ops-bucket"))
    p.add("aws:iam/policyAttachment:PolicyAttachment", "ops-tools-attachment",
          {"name": "ops", "policyArn": p.out(policy, "arn"), "groups": ["ops"]})


@case(2, "iam-no-wildcard-resources", set())
def wildcard_policy_for_a_user_only_ok(p: Program) -> None:
    function_with_role(p)
    policy = managed_policy(p, "auditor", allow("dynamodb:DescribeTable", "*"))
    p.add("aws:iam/userPolicyAttachment:UserPolicyAttachment", "auditor-attachment",
          {"user": "auditor", "policyArn": p.out(policy, "arn")})


@case(2, "iam-no-privilege-escalation", {"inline-escalate"}, text="iam:PutRolePolicy")
def escalation_in_exclusive_inline_policy(p: Program) -> None:
    r, _ = function_with_role(p)
    role_policy(p, "inline-escalate", p.out(r, "name"), allow("iam:PutRolePolicy", "*"))
    p.add("aws:iam/rolePoliciesExclusive:RolePoliciesExclusive", "only-inline",
          {"roleName": p.out(r, "name"), "policyNames": ["inline-escalate"]})


# == 3. links are values ===================================================================================


@case(3, "iam-no-privilege-escalation", {"aimed-policy"}, preview_blind=True, text="iam:PassRole")
def policy_aimed_at_function_role_computed_from_other_role(p: Program) -> None:
    fn_role, _ = function_with_role(p)
    other = role(p, "helper-role", trust(assume({"Service": "ec2.amazonaws.com"})))
    # role=helper.name.apply(lambda _: "<the function role's name>")
    role_policy(p, "aimed-policy", p.out(other, "name", lambda _: fn_role.outputs["name"]), allow("iam:PassRole", "*"))


@case(3, "iam-no-privilege-escalation", set(), preview_blind=True)
def policy_on_other_role_computed_from_function_role_ok(p: Program) -> None:
    fn_role, _ = function_with_role(p)
    other = role(p, "helper-role", trust(assume({"Service": "ec2.amazonaws.com"})))
    role_policy(p, "helper-policy", p.out(fn_role, "name", lambda _: other.outputs["name"]),
                allow("iam:PassRole", "*"))


@case(3, "lambda-permission-scoped", {"open-invoke"}, preview_blind=True, text="principal '*'")
def waiver_on_throwaway_function_does_not_cover_real_one(p: Program) -> None:
    _, real = function_with_role(p, "real")
    throwaway_role = role(p, "throwaway-role")
    throwaway = function(p, "throwaway", p.out(throwaway_role, "arn"), tags={
        "secure-serverless:waiver:lambda-permission-scoped": "2026-12-31 a throwaway function nobody calls"})
    p.add("aws:lambda/permission:Permission", "open-invoke", {
        "action": "lambda:InvokeFunction", "principal": "*",
        "function": p.out(throwaway, "name", lambda _: real.outputs["name"])})


@case(3, "monitoring-function-alarms", {"a"}, preview_blind=True, text="Errors alarm is missing")
def alarm_dimension_names_other_function(p: Program) -> None:
    _, a = function_with_role(p, "a")
    _, b = function_with_role(p, "b")
    for fn in (a, b):
        _alarm(p, f"{fn.name}-throttles", "Throttles", p.out(fn, "name"), alarmActions=[_TOPIC])
    # the Errors alarm "for a" is computed from a's output but names b
    _alarm(p, "a-errors", "Errors", p.out(a, "name", lambda _: "b"), alarmActions=[_TOPIC])
    _alarm(p, "b-errors", "Errors", p.out(b, "name"), alarmActions=[_TOPIC])


@case(3, "iam-role-not-shared", {"a-role"}, preview_blind=True, text="used by functions a, b")
def shared_role_computed_from_other_role(p: Program) -> None:
    a_role, _ = function_with_role(p, "a")
    b_role = role(p, "b-role")
    function(p, "b", p.out(b_role, "arn", lambda _: a_role.outputs["arn"]))


@case(3, "iam-role-not-shared", {"a-role"}, text="used by functions a, b")
def shared_role_by_literal_arn(p: Program) -> None:
    a_role, _ = function_with_role(p, "a")
    function(p, "b", f"arn:aws:iam::{ACCOUNT}:role/{a_role.outputs['name']}")


# == 4. one definition of a wildcard =========================================================================


def _grant(*statements: dict[str, Any]) -> Build:
    def build(p: Program) -> None:
        r, _ = function_with_role(p)
        role_policy(p, "grants", p.out(r, "name"), *statements)
    return build


def _named(name: str, build: Build) -> Build:
    build.__name__ = name
    return build


for _action in ("s3:*?", "S3:*", "s3:??*", "*:*", "s3*", "DynamoDB:**"):
    case(4, "iam-no-wildcard-actions", {"grants"}, text=_action)(_named(f"wildcard_action[{_action}]",
                                                                       _grant(allow(_action))))
for _action in ("s3:Get*", "dynamodb:GetItem", "s3:List?ucket"):
    case(4, "iam-no-wildcard-actions", set())(_named(f"specific_action_ok[{_action}]", _grant(allow(_action))))
for _resource in ("arn:aws:s3:::**", "arn:aws:s3:::*/*", f"arn:aws:dynamodb:{REGION}:*:table/orders",
                  f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/*", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:*",
                  "arn:aws:*", "*orders*"):
    case(4, "iam-no-wildcard-resources", {"grants"}, text="on every resource")(
        _named(f"wildcard_resource[{_resource}]", _grant(allow("dynamodb:GetItem", _resource))))
for _resource in ("arn:aws:s3:::bucket/*", TABLE, f"{TABLE}/index/*",
                  f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:app:*"):
    case(4, "iam-no-wildcard-resources", set())(
        _named(f"specific_resource_ok[{_resource}]", _grant(allow("dynamodb:GetItem", _resource))))
_ENI = f"arn:aws:ec2:{REGION}:{ACCOUNT}:network-interface/*"
case(4, "iam-no-wildcard-resources", set())(_named("eni_actions_on_network_interface_star_ok", _grant(
    allow(["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"], _ENI),
    allow(["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], "*"))))


# == 5. a Lambda permission is scoped by a specific source ===================================================


def _permission(principal: str, **inputs: Any) -> Build:
    def build(p: Program) -> None:
        _, fn = function_with_role(p)
        p.add("aws:lambda/permission:Permission", "invoke", {
            "action": "lambda:InvokeFunction", "principal": principal, "function": p.out(fn, "name"), **inputs})
    return build


for _id, _inputs in (("any-bucket", {"sourceArn": "arn:aws:s3:::*"}),
                     ("any-account-topic", {"sourceArn": f"arn:aws:sns:{REGION}:*:orders"}),
                     ("any-rule", {"sourceArn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/*"}),
                     ("account-star", {"sourceAccount": "*"}),
                     ("account-empty", {"sourceAccount": ""})):
    case(5, "lambda-permission-scoped", {"invoke"}, text="lambda_.Permission(source_arn=")(
        _named(f"permission_unscoped[{_id}]", _permission("s3.amazonaws.com", **_inputs)))
for _id, _inputs in (("bucket", {"sourceArn": "arn:aws:s3:::orders-uploads"}),
                     ("account", {"sourceAccount": ACCOUNT}),
                     ("rule", {"sourceArn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/nightly"})):
    case(5, "lambda-permission-scoped", set())(
        _named(f"permission_scoped_ok[{_id}]", _permission("events.amazonaws.com", **_inputs)))


@case(5, "lambda-permission-scoped", set())
def permission_source_from_bucket_output_ok(p: Program) -> None:
    bucket = p.add("aws:s3/bucket:Bucket", "uploads", {}, {"arn": "arn:aws:s3:::uploads-1234", "id": "uploads-1234"})
    _, fn = function_with_role(p)
    p.add("aws:lambda/permission:Permission", "invoke", {
        "action": "lambda:InvokeFunction", "principal": "s3.amazonaws.com", "function": p.out(fn, "name"),
        "sourceArn": p.out(bucket, "arn")})


# == 6. secret reads ==========================================================================================

_DECRYPT = allow("kms:Decrypt", "*")
for _id, _condition in (("like-if-exists-star", {"StringLikeIfExists": {"kms:ViaService": "*"}}),
                        ("like-star", {"StringLike": {"kms:ViaService": "*"}}),
                        ("equals-if-exists", {"StringEqualsIfExists": {
                            "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}}),
                        ("not-equals", {"StringNotEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}),
                        ("any-service", {"StringLike": {"kms:ViaService": "*.amazonaws.com"}})):
    case(6, "iam-secret-read-scoped", {"grants"}, text="kms:Decrypt")(
        _named(f"via_service_restricts_nothing[{_id}]", _grant({**_DECRYPT, "Condition": _condition})))
for _id, _condition in (("equals", {"StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}}),
                        ("like-region", {"StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"}})):
    case(6, "iam-secret-read-scoped", set())(
        _named(f"via_service_ok[{_id}]", _grant({**_DECRYPT, "Condition": _condition})))
case(6, "iam-secret-read-scoped", set())(_named("secret_read_exact_ok", _grant(allow(
    "secretsmanager:GetSecretValue", SECRET))))


def _attach(policy_arn: str, form: str = "attachment") -> Build:
    def build(p: Program) -> None:
        if form == "managed-arns":
            function_with_role(p, managedPolicyArns=[policy_arn])
            return
        r, _ = function_with_role(p)
        p.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attachment",
              {"role": p.out(r, "name"), "policyArn": policy_arn})
    return build


case(6, "iam-secret-read-scoped", {"attachment"}, text="SecretsManagerReadWrite")(
    _named("aws_managed_secrets_manager_read_write", _attach(aws_managed("SecretsManagerReadWrite"))))
case(6, "iam-secret-read-scoped", {"app-role"}, text="AmazonSSMReadOnlyAccess")(
    _named("aws_managed_ssm_read_only", _attach(aws_managed("AmazonSSMReadOnlyAccess"), "managed-arns")))
case(6, "iam-secret-read-scoped", set())(
    _named("aws_managed_basic_execution_ok", _attach(aws_managed("service-role/AWSLambdaBasicExecutionRole"))))
case(6, "iam-no-admin-managed-policies", {"attachment"}, text="SystemAdministrator")(
    _named("aws_managed_system_administrator", _attach(aws_managed("job-function/SystemAdministrator"))))
case(6, "iam-no-admin-managed-policies", {"app-role"}, text="PowerUserAccess")(
    _named("aws_managed_power_user", _attach(aws_managed("PowerUserAccess"), "managed-arns")))
case(6, "iam-no-admin-managed-policies", set())(
    _named("aws_managed_read_only_ok", _attach(aws_managed("ReadOnlyAccess"))))
case(6, "iam-no-admin-managed-policies", set())(
    _named("aws_managed_vpc_access_ok", _attach(aws_managed("service-role/AWSLambdaVPCAccessExecutionRole"))))


# == 7 and 13. key policies of every key resource; public means unpinned ======================================

_OPEN_KEY = document(statement(Principal="*", Action="kms:*", Resource="*"))


def _key(type_: str, policy: dict[str, Any], **inputs: Any) -> Build:
    def build(p: Program) -> None:
        p.add(type_, "key", {"policy": p.json(policy), **inputs},
              {"arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/mrk-1", "id": "mrk-1", "keyId": "mrk-1"})
    return build


for _type in ("aws:kms/replicaKey:ReplicaKey", "aws:kms/externalKey:ExternalKey",
              "aws:kms/replicaExternalKey:ReplicaExternalKey", "aws:kms/key:Key", "aws:kms/keyPolicy:KeyPolicy"):
    case(7, "kms-key-policy-no-wildcard-principal", {"key"}, text="Principal '*'")(
        _named(f"open_key_policy[{_type.split(':')[-1]}]", _key(_type, _OPEN_KEY)))
case(7, "kms-key-policy-no-wildcard-principal", set())(_named("replica_key_root_only_ok", _key(
    "aws:kms/replicaKey:ReplicaKey",
    document(statement(Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, Action="kms:*", Resource="*")))))
for _id, _condition in (("secure-transport", {"Bool": {"aws:SecureTransport": "true"}}),
                        ("caller-account-star", {"StringLike": {"kms:CallerAccount": "*"}}),
                        ("not-equals", {"StringNotEquals": {"aws:PrincipalAccount": OTHER_ACCOUNT}}),
                        ("if-exists", {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}})):
    case(13, "kms-key-policy-no-wildcard-principal", {"key"}, text="pins the caller")(_named(
        f"key_policy_condition_restricts_nothing[{_id}]",
        _key("aws:kms/key:Key", document(statement(Principal={"AWS": "*"}, Action="kms:Decrypt", Resource="*",
                                                   Condition=_condition)))))
case(13, "kms-key-policy-no-wildcard-principal", set())(_named("key_policy_pinned_by_caller_account_ok", _key(
    "aws:kms/key:Key", document(statement(Principal="*", Action="kms:Decrypt", Resource="*", Condition={
        "StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}})))))

_FOREIGN = {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}
case(13, "kms-no-cross-account-access", {"key"}, text=OTHER_ACCOUNT)(_named(
    "replica_key_shared_with_other_account", _key(
    "aws:kms/replicaKey:ReplicaKey", document(statement(Principal=_FOREIGN, Action="kms:Decrypt", Resource="*")))))
case(13, "kms-no-cross-account-access", set(), config={"kms-no-cross-account-access": {
    "trustedAccounts": [OTHER_ACCOUNT]}})(_named("replica_key_shared_with_trusted_account_ok", _key(
        "aws:kms/replicaKey:ReplicaKey", document(statement(Principal=_FOREIGN, Action="kms:Decrypt", Resource="*")))))


def _resource_policy(type_: str, prop_inputs: dict[str, Any], condition: Any, principal: Any = "*") -> Build:
    def build(p: Program) -> None:
        extra = {"Condition": condition} if condition is not None else {}
        p.add(type_, "open", {**prop_inputs, "policy": p.json(document(statement(
            Principal=principal, Action="*", Resource="*", **extra)))}, {"id": "open"})
    return build


_QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/orders"
_HOLDERS = (
    ("sqs-no-public-access", "aws:sqs/queuePolicy:QueuePolicy", {"queueUrl": _QUEUE_URL}),
    ("sqs-no-public-access", "aws:sqs/queue:Queue", {"kmsMasterKeyId": "alias/orders"}),
    ("sns-no-public-access", "aws:sns/topicPolicy:TopicPolicy", {"arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:orders"}),
    ("sns-no-public-access", "aws:sns/topic:Topic", {"kmsMasterKeyId": "alias/orders"}),
    ("secrets-no-public-access", "aws:secretsmanager/secretPolicy:SecretPolicy", {"secretArn": SECRET}),
    ("secrets-no-public-access", "aws:secretsmanager/secret:Secret", {"name": "db"}),
)
_UNPINNED = (
    ("no-condition", None),
    ("secure-transport", {"Bool": {"aws:SecureTransport": "true"}}),
    ("source-arn-wildcard-arn", {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:*"}}),
    ("source-account-pattern", {"StringLike": {"aws:SourceAccount": "1234*"}}),
    ("if-exists", {"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}),
    ("for-all-values", {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}),
)
for _policy, _type, _inputs in _HOLDERS:
    _short = _type.split(":")[-1]
    for _id, _condition in _UNPINNED:
        case(13, _policy, {"open"}, text="must not be public")(
            _named(f"public[{_short}:{_id}]", _resource_policy(_type, _inputs, _condition)))
    case(13, _policy, set())(_named(f"pinned_ok[{_short}]", _resource_policy(_type, _inputs, {
        "ArnEquals": {"aws:SourceArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:orders"}})))
    case(13, _policy, set())(_named(f"named_principal_ok[{_short}]", _resource_policy(
        _type, _inputs, None, {"AWS": f"arn:aws:iam::{ACCOUNT}:role/reader"})))


# == 9. alarms that notify ====================================================================================


def _alarm(p: Program, name: str, metric: str, function_name: Any, **inputs: Any) -> Handle:
    return p.add("aws:cloudwatch/metricAlarm:MetricAlarm", name, {
        "name": name, "namespace": "AWS/Lambda", "metricName": metric, "dimensions": {"FunctionName": function_name},
        "comparisonOperator": "GreaterThanThreshold", "evaluationPeriods": 1.0, "period": 60.0, "statistic": "Sum",
        "threshold": 0.0, **inputs}, {"arn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"})


_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:ops"


def _alarms(errors: dict[str, Any], composite: dict[str, Any] | None = None) -> Build:
    def build(p: Program) -> None:
        _, fn = function_with_role(p)
        _alarm(p, "app-throttles", "Throttles", p.out(fn, "name"), alarmActions=[_TOPIC])
        errors_alarm = _alarm(p, "app-errors", "Errors", p.out(fn, "name"), **errors)
        if composite is not None:
            inputs = dict(composite)
            rule = inputs.pop("rule", None) or p.out(errors_alarm, "name", lambda n: f'ALARM("{n}")')
            p.add("aws:cloudwatch/compositeAlarm:CompositeAlarm", "app-composite",
                  {"alarmName": "app-composite", "alarmRule": rule, **inputs})
    return build


case(9, "monitoring-function-alarms", {"app"}, text="actions disabled")(_named(
    "alarm_actions_disabled", _alarms({"alarmActions": [_TOPIC], "actionsEnabled": False})))
case(9, "monitoring-function-alarms", set())(_named(
    "alarm_through_composite_ok", _alarms({}, {"alarmActions": [_TOPIC]})))
case(9, "monitoring-function-alarms", {"app"}, text="Errors alarm has no action")(_named(
    "composite_without_actions", _alarms({}, {"alarmActions": []})))
case(9, "monitoring-function-alarms", {"app"}, text="Errors alarm has no action")(_named(
    "composite_actions_disabled", _alarms({}, {"alarmActions": [_TOPIC], "actionsEnabled": False})))
case(9, "monitoring-function-alarms", {"app"}, text="Errors alarm has no action")(_named(
    "composite_names_other_alarm", _alarms({}, {"alarmActions": [_TOPIC], "rule": 'ALARM("other-errors")'})))
case(9, "monitoring-function-alarms", set())(_named(
    "alarm_actions_enabled_ok", _alarms({"alarmActions": [_TOPIC], "actionsEnabled": True})))


# == 10. the SQS TLS deny covers the queue =====================================================================


QUEUE_ITSELF = object()  # the deny names the queue's own ARN (queue.arn)


def _queue_with_tls_deny(resource: Any, action: Any = "sqs:*") -> Build:
    def build(p: Program) -> None:
        queue = p.add("aws:sqs/queue:Queue", "orders", {"kmsMasterKeyId": "alias/orders"}, {
            "arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders", "url": _QUEUE_URL, "id": _QUEUE_URL})
        target = p.out(queue, "arn") if resource is QUEUE_ITSELF else resource
        p.add("aws:sqs/queuePolicy:QueuePolicy", "orders-tls", {"queueUrl": p.out(queue, "url"), "policy": p.json(
            document(statement("Deny", Principal="*", Action=action, Resource=target,
                               Condition={"Bool": {"aws:SecureTransport": "false"}})))})
    return build


case(10, "sqs-encrypted", {"orders"}, text="SecureTransport")(_named(
    "tls_deny_for_another_queue", _queue_with_tls_deny(f"arn:aws:sqs:{REGION}:{ACCOUNT}:other")))
case(10, "sqs-encrypted", {"orders"}, text="SecureTransport")(_named(
    "tls_deny_for_send_only", _queue_with_tls_deny("*", "sqs:SendMessage")))
case(10, "sqs-encrypted", set())(_named("tls_deny_on_the_queue_ok", _queue_with_tls_deny(QUEUE_ITSELF)))
case(10, "sqs-encrypted", set())(_named("tls_deny_star_ok", _queue_with_tls_deny("*", "SQS:*")))
case(10, "sqs-encrypted", set())(_named("tls_deny_queue_pattern_ok", _queue_with_tls_deny(
    f"arn:aws:sqs:{REGION}:{ACCOUNT}:ord*")))


# == 11. confused-deputy guard; failure destinations only for async invocation ==============================


def _with_trust(condition: dict[str, Any]) -> Build:
    def build(p: Program) -> None:
        function_with_role(p, trust=trust(assume(LAMBDA, Condition=condition)))
    return build


for _id, _condition in (("not-equals", {"StringNotEquals": {"aws:SourceAccount": OTHER_ACCOUNT}}),
                        ("like-star", {"StringLike": {"aws:SourceAccount": "*"}}),
                        ("if-exists", {"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}),
                        ("arn-wildcard", {"ArnLike": {"aws:SourceArn": "arn:aws:lambda:*:*:function:*"}}),
                        ("other-key", {"StringEquals": {"aws:PrincipalTag/team": "payments"}})):
    case(11, "iam-lambda-trust-source-account", {"app-role"}, text="no aws:SourceAccount condition")(_named(
        f"trust_guard_restricts_nothing[{_id}]", _with_trust(_condition)))
case(11, "iam-lambda-trust-source-account", set())(_named("trust_guard_source_arn_ok", _with_trust({
    "ArnLike": {"aws:SourceArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:app"}})))


def _triggered(kind: str) -> Build:
    def build(p: Program) -> None:
        _, fn = function_with_role(p)
        if kind == "step-functions":
            p.add("aws:sfn/stateMachine:StateMachine", "flow", {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/flow",
                  "definition": p.json({"StartAt": "Run", "States": {"Run": {
                      "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                      "Parameters": {"FunctionName": p.out(fn, "arn")}, "End": True}}})})
        elif kind == "api-gateway":
            p.add("aws:apigatewayv2/integration:Integration", "route", {
                "apiId": "api-1", "integrationType": "AWS_PROXY", "integrationUri": p.out(fn, "invokeArn")})
        elif kind == "rest-api":
            p.add("aws:apigateway/integration:Integration", "route", {
                "restApi": "api-1", "resourceId": "r", "httpMethod": "GET", "type": "AWS_PROXY",
                "integrationHttpMethod": "POST", "uri": p.out(fn, "invokeArn")})
        elif kind == "alb":
            p.add("aws:lb/targetGroupAttachment:TargetGroupAttachment", "target", {
                "targetGroupArn": "arn:aws:elasticloadbalancing:tg", "targetId": p.out(fn, "arn")})
        elif kind == "s3":
            p.add("aws:s3/bucketNotification:BucketNotification", "uploads", {"bucket": "uploads", "lambdaFunctions": [
                {"lambdaFunctionArn": p.out(fn, "arn"), "events": ["s3:ObjectCreated:*"]}]})
        elif kind == "sns":
            p.add("aws:sns/topicSubscription:TopicSubscription", "orders", {
                "topic": f"arn:aws:sns:{REGION}:{ACCOUNT}:orders", "protocol": "lambda", "endpoint": p.out(fn, "arn")})
        elif kind == "eventbridge":
            p.add("aws:cloudwatch/eventTarget:EventTarget", "nightly", {"rule": "nightly", "arn": p.out(fn, "arn")})
    return build


for _kind in ("step-functions", "api-gateway", "rest-api", "alb"):
    case(11, "lambda-failure-destination", set())(_named(f"sync_only_ok[{_kind}]", _triggered(_kind)))
for _kind in ("s3", "sns", "eventbridge"):
    case(11, "lambda-failure-destination", {"app"}, text="invoked asynchronously")(
        _named(f"async_without_destination[{_kind}]", _triggered(_kind)))
case(11, "lambda-failure-destination", {"app"}, text="no trigger in this stack")(
    _named("untriggered_without_destination", _triggered("none")))


# (the LAMBDA_TRUST constant is the secure trust every function_with_role uses)
assert LAMBDA_TRUST["Statement"][0]["Condition"] == GUARD


# == 2 (cont.). a role outside the stack, named by value, is still a role ===================================


def _attach_to_external_role(policy_arn: str) -> Build:
    def build(p: Program) -> None:
        function(p, "app", f"arn:aws:iam::{ACCOUNT}:role/legacy-app-role")
        p.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attachment",
              {"role": "legacy-app-role", "policyArn": policy_arn})
    return build


case(2, "iam-no-admin-managed-policies", {"attachment"}, text="AdministratorAccess")(_named(
    "admin_on_role_outside_the_stack", _attach_to_external_role(aws_managed("AdministratorAccess"))))
case(2, "iam-secret-read-scoped", {"attachment"}, text="SecretsManagerReadWrite")(_named(
    "secret_reads_on_role_outside_the_stack", _attach_to_external_role(aws_managed("SecretsManagerReadWrite"))))
case(2, "iam-no-admin-managed-policies", set())(_named(
    "read_only_on_role_outside_the_stack_ok", _attach_to_external_role(aws_managed("ReadOnlyAccess"))))


# == more twins ===============================================================================================


@case(3, "lambda-permission-scoped", set())
def waiver_on_the_function_the_permission_names_ok(p: Program) -> None:
    r = role(p, "real-role")
    real = function(p, "real", p.out(r, "arn"), tags={
        "secure-serverless:waiver:lambda-permission-scoped": "2026-12-31 public webhook, verified by signature"})
    p.add("aws:lambda/permission:Permission", "open-invoke", {
        "action": "lambda:InvokeFunction", "principal": "*", "function": p.out(real, "name")})


@case(3, "iam-role-not-shared", set())
def each_function_its_own_role_by_value_ok(p: Program) -> None:
    function_with_role(p, "a")
    function_with_role(p, "b")


case(7, "kms-key-policy-no-wildcard-principal", set())(_named("external_key_named_principals_ok", _key(
    "aws:kms/externalKey:ExternalKey", document(
        statement(Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, Action="kms:*", Resource="*"),
        statement(Principal={"Service": f"logs.{REGION}.amazonaws.com"}, Action="kms:Decrypt*", Resource="*")))))


@case(10, "sqs-encrypted", {"orders"}, text="SecureTransport")
def tls_deny_for_one_principal_only(p: Program) -> None:
    queue = p.add("aws:sqs/queue:Queue", "orders", {"kmsMasterKeyId": "alias/orders"}, {
        "arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders", "url": _QUEUE_URL, "id": _QUEUE_URL})
    p.add("aws:sqs/queuePolicy:QueuePolicy", "orders-tls", {"queueUrl": p.out(queue, "url"), "policy": p.json(
        document(statement("Deny", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/x"}, Action="sqs:*",
                           Resource=p.out(queue, "arn"), Condition={"Bool": {"aws:SecureTransport": "false"}})))})
