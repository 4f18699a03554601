"""Wall time of `secure-serverless check` vs Checkov on the same functions (10, 100, 500).

For each size the benchmark writes a Pulumi program of N SecureFunctions (each with a table grant
and a secret, like the example stack), then

* times ``secure-serverless check <dir> --format json`` as a subprocess (what CI runs: interpreter
  start, imports, mocked program run, every policy of the pack, report);
* records the same program's resources under mocks (untimed) and writes them as one
  CloudFormation template, resource for resource (Lambda functions, roles and inline policies,
  KMS keys and aliases, log groups, queues and queue policies, topics, alarms), and times
  ``checkov -f template.json --framework cloudformation`` on it.

Checkov is not a project dependency: it is installed on first use into a throwaway virtualenv
(default ``/tmp/secure-serverless-bench-checkov``; ``--checkov PATH`` uses an existing binary).

Usage: ``.venv/bin/python benchmarks/check.py [--sizes 10 100 500] [--repeat 1]``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CHECKOV_VENV = Path("/tmp/secure-serverless-bench-checkov")

PROGRAM = '''\
"""Generated benchmark program: {n} SecureFunctions."""
import pulumi
import pulumi_aws as aws

from secure_serverless import Grant, SecureFunction, SecureFunctionArgs

code = pulumi.AssetArchive({{"app.py": pulumi.StringAsset("def handler(event, context):\\n    return event\\n")}})
secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:bench/api-key-AbC123"
table = aws.dynamodb.Table("bench-table", billing_mode="PAY_PER_REQUEST", hash_key="id",
                           attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")])
for i in range({n}):
    SecureFunction(
        f"fn-{{i:04d}}",
        SecureFunctionArgs(
            handler="app.handler",
            code=code,
            environment={{"TABLE": table.name, "API_KEY_SECRET_ARN": secret_arn}},
            secrets=[secret_arn],
            grants=[Grant(actions=["dynamodb:GetItem", "dynamodb:PutItem"], resources=[table.arn])],
            tags={{"team": "bench"}},
        ),
    )
'''


def write_program(directory: Path, n: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text(
        "name: bench\nruntime: python\n", encoding="utf-8"
    )
    (directory / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n", encoding="utf-8")
    (directory / "__main__.py").write_text(PROGRAM.format(n=n), encoding="utf-8")


# -- CloudFormation from the recorded resources ---------------------------------------------------------

_CFN_TYPES: Mapping[str, str] = {
    "aws:lambda/function:Function": "AWS::Lambda::Function",
    "aws:iam/role:Role": "AWS::IAM::Role",
    "aws:iam/rolePolicy:RolePolicy": "AWS::IAM::RolePolicy",
    "aws:kms/key:Key": "AWS::KMS::Key",
    "aws:kms/alias:Alias": "AWS::KMS::Alias",
    "aws:cloudwatch/logGroup:LogGroup": "AWS::Logs::LogGroup",
    "aws:sqs/queue:Queue": "AWS::SQS::Queue",
    "aws:sqs/queuePolicy:QueuePolicy": "AWS::SQS::QueuePolicy",
    "aws:sns/topic:Topic": "AWS::SNS::Topic",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "AWS::CloudWatch::Alarm",
    "aws:lambda/functionUrl:FunctionUrl": "AWS::Lambda::Url",
    "aws:lambda/permission:Permission": "AWS::Lambda::Permission",
    "aws:dynamodb/table:Table": "AWS::DynamoDB::Table",
    "aws:lambda/eventSourceMapping:EventSourceMapping": "AWS::Lambda::EventSourceMapping",
}
# Pulumi input -> CloudFormation property where the name is not just PascalCase.
_RENAMES: Mapping[str, Mapping[str, str]] = {
    "AWS::Lambda::Function": {"name": "FunctionName", "deadLetterConfig": "DeadLetterConfig"},
    "AWS::IAM::Role": {"assumeRolePolicy": "AssumeRolePolicyDocument", "name": "RoleName",
                       "permissionsBoundary": "PermissionsBoundary"},
    "AWS::IAM::RolePolicy": {"policy": "PolicyDocument", "role": "RoleName", "name": "PolicyName"},
    "AWS::KMS::Key": {"policy": "KeyPolicy", "enableKeyRotation": "EnableKeyRotation"},
    "AWS::KMS::Alias": {"name": "AliasName", "targetKeyId": "TargetKeyId"},
    "AWS::Logs::LogGroup": {"name": "LogGroupName"},
    "AWS::SQS::Queue": {"name": "QueueName", "messageRetentionSeconds": "MessageRetentionPeriod"},
    "AWS::SQS::QueuePolicy": {"policy": "PolicyDocument", "queueUrl": "Queues"},
    "AWS::SNS::Topic": {"name": "TopicName"},
    "AWS::CloudWatch::Alarm": {"name": "AlarmName", "metricQueries": "Metrics", "alarmDescription": "AlarmDescription"},
    "AWS::Lambda::Url": {"authorizationType": "AuthType", "functionName": "TargetFunctionArn"},
    "AWS::DynamoDB::Table": {"name": "TableName"},
}
_JSON_DOCUMENTS = {"AssumeRolePolicyDocument", "PolicyDocument", "KeyPolicy"}
_DROP = {"code", "__defaults", "tagsAll"}


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def _cfn_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {_pascal(k): _cfn_value(v) for k, v in value.items() if not k.startswith("4dabf")}
    if isinstance(value, list):
        return [_cfn_value(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _properties(cfn_type: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    renames = _RENAMES.get(cfn_type, {})
    props: dict[str, Any] = {}
    for key, value in inputs.items():
        if key in _DROP:
            continue
        name = renames.get(key, _pascal(key))
        if name in _JSON_DOCUMENTS and isinstance(value, str):
            with contextlib.suppress(json.JSONDecodeError):
                value = json.loads(value)
        if key == "tags" and isinstance(value, dict):
            props["Tags"] = [{"Key": k, "Value": v} for k, v in value.items()]
            continue
        if key == "dimensions" and isinstance(value, dict):
            props["Dimensions"] = [{"Name": k, "Value": v} for k, v in value.items()]
            continue
        if name == "Queues":
            value = [value]
        props[name] = _cfn_value(value)
    if cfn_type == "AWS::Lambda::Function":
        props["Code"] = {"ZipFile": "def handler(event, context):\n    return event\n"}
    return props


def cloudformation_template(resources: Sequence[Any]) -> dict[str, Any]:
    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}
    for resource in resources:
        cfn_type = _CFN_TYPES.get(resource.type)
        if cfn_type is None:
            continue
        logical_id = "".join(ch for ch in resource.name.title() if ch.isalnum())
        template["Resources"][logical_id] = {"Type": cfn_type, "Properties": _properties(cfn_type, resource.inputs)}
    return template


def record_resources(directory: Path) -> list[Any]:
    from secure_serverless.check.program import load_program
    from secure_serverless.check.runner import run_program_spec

    return run_program_spec(load_program(directory), preview=False)


# -- timing -------------------------------------------------------------------------------------------


def _time(command: Sequence[str], cwd: Path) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, proc.returncode, proc.stdout


def ensure_checkov(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    found = shutil.which("checkov")
    if found:
        return Path(found)
    binary = CHECKOV_VENV / "bin" / "checkov"
    if not binary.exists():
        print(f"installing checkov into {CHECKOV_VENV} (benchmark only) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
        subprocess.run([str(CHECKOV_VENV / "bin" / "pip"), "install", "--quiet", "checkov"], check=True)
    return binary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 500])
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool and size (median reported)")
    parser.add_argument("--checkov", help="path to an existing checkov binary")
    parser.add_argument("--keep", type=Path, help="keep the generated programs/templates in this directory")
    args = parser.parse_args(argv)

    checkov = ensure_checkov(args.checkov)
    checkov_version = subprocess.run([str(checkov), "--version"], capture_output=True, text=True,
                                     check=False).stdout.strip()
    check_cli = VENV_BIN / "secure-serverless"
    work = args.keep or Path(tempfile.mkdtemp(prefix="ss-bench-"))
    rows: list[dict[str, Any]] = []
    print(f"checkov {checkov_version}; python {sys.version.split()[0]}; work dir {work}", file=sys.stderr)
    for n in args.sizes:
        program_dir = work / f"program-{n}"
        write_program(program_dir, n)
        resources = record_resources(program_dir)
        template = work / f"template-{n}.json"
        template.write_text(json.dumps(cloudformation_template(resources)), encoding="utf-8")
        cfn_resources = len(json.loads(template.read_text())["Resources"])

        ours: list[float] = []
        findings = -1
        for _ in range(args.repeat):
            seconds, code, out = _time([str(check_cli), "check", str(program_dir), "--format", "json"], ROOT)
            if code not in (0, 1):
                print(f"secure-serverless check failed (exit {code}) at n={n}", file=sys.stderr)
                return 2
            findings = len(json.loads(out)["findings"])
            ours.append(seconds)
        theirs: list[float] = []
        failed_checks = -1
        for _ in range(args.repeat):
            seconds, code, out = _time(
                [str(checkov), "-f", str(template), "--framework", "cloudformation", "--quiet", "--compact",
                 "-o", "json", "--skip-download"],
                work,
            )
            theirs.append(seconds)
            try:
                summary = json.loads(out)
                summary = summary[0] if isinstance(summary, list) else summary
                failed_checks = int(summary.get("summary", {}).get("failed", -1))
            except (json.JSONDecodeError, AttributeError, IndexError):
                failed_checks = -1
        row = {
            "functions": n,
            "pulumiResources": len(resources),
            "cfnResources": cfn_resources,
            "checkSeconds": round(statistics.median(ours), 2),
            "checkFindings": findings,
            "checkovSeconds": round(statistics.median(theirs), 2),
            "checkovFailedChecks": failed_checks,
        }
        row["ratio"] = round(row["checkovSeconds"] / row["checkSeconds"], 2) if row["checkSeconds"] else None
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)

    print()
    print(f"| functions | resources (Pulumi / CFN) | secure-serverless check | Checkov {checkov_version} | "
          "Checkov / check |")
    print("|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['functions']} | {row['pulumiResources']} / {row['cfnResources']} | {row['checkSeconds']:.2f} s "
              f"| {row['checkovSeconds']:.2f} s | {row['ratio']}x |")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
