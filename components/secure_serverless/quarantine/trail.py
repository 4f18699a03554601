"""A secure CloudTrail trail: what makes "AWS API Call via CloudTrail" events reach EventBridge.

EventBridge receives CloudTrail API-call events only while a trail with logging on records them.
The trail created here is multi-region (IAM's global events are delivered in us-east-1), encrypted
with a key of its own, validates its log files, and writes to a private, versioned, TLS-only bucket.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from secure_serverless.quarantine.documents import trail_bucket_policy, trail_key_policy


@dataclass(frozen=True)
class SecureTrail:
    trail: aws.cloudtrail.Trail
    bucket: aws.s3.Bucket
    key: aws.kms.Key


def create_secure_trail(
    name: str,
    *,
    account_id: pulumi.Output[str],
    partition: pulumi.Output[str],
    region: pulumi.Output[str],
    retention_days: int,
    data_event_resource_types: list[str],
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> SecureTrail:
    """Register the trail, its key and its bucket as children of ``opts.parent``."""
    trail_name = f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}"[:128]
    trail_arn = pulumi.Output.all(partition, region, account_id).apply(
        lambda v: f"arn:{v[0]}:cloudtrail:{v[1]}:{v[2]}:trail/{trail_name}"
    )
    key = aws.kms.Key(
        f"{name}-key",
        description=f"Encrypts the {trail_name} CloudTrail log files",
        enable_key_rotation=True,
        rotation_period_in_days=365,
        deletion_window_in_days=30,
        policy=pulumi.Output.all(account_id, partition, region, trail_arn).apply(
            lambda v: json.dumps(trail_key_policy(account_id=v[0], partition=v[1], region=v[2], trail_arn=v[3]))
        ),
        tags=tags,
        opts=opts,
    )
    bucket = aws.s3.Bucket(f"{name}-logs", force_destroy=False, tags=tags, opts=opts)
    guards: list[pulumi.Resource] = [
        aws.s3.BucketPublicAccessBlock(
            f"{name}-logs-private",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=opts,
        ),
        aws.s3.BucketOwnershipControls(
            f"{name}-logs-owner",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=opts,
        ),
        aws.s3.BucketVersioning(
            f"{name}-logs-versioning",
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=opts,
        ),
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-logs-encryption",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms", kms_master_key_id=key.arn
                    ),
                    bucket_key_enabled=True,
                )
            ],
            opts=opts,
        ),
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-logs-expiry",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-trail-logs",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix="AWSLogs/"),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=retention_days),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=retention_days
                    ),
                )
            ],
            opts=opts,
        ),
    ]
    policy = aws.s3.BucketPolicy(
        f"{name}-logs-policy",
        bucket=bucket.id,
        policy=pulumi.Output.all(bucket.arn, account_id, trail_arn).apply(
            lambda v: json.dumps(trail_bucket_policy(bucket_arn=v[0], account_id=v[1], trail_arn=v[2]))
        ),
        opts=opts,
    )
    trail = aws.cloudtrail.Trail(
        name,
        name=trail_name,
        s3_bucket_name=bucket.id,
        kms_key_id=key.arn,
        enable_log_file_validation=True,
        enable_logging=True,
        is_multi_region_trail=True,
        include_global_service_events=True,
        **_selectors(data_event_resource_types),
        tags=tags,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[policy, *guards])),
    )
    return SecureTrail(trail=trail, bucket=bucket, key=key)


def _selectors(data_event_resource_types: list[str]) -> dict[str, Any]:
    """All management events (read and write); with data resource types, advanced selectors add them."""
    if not data_event_resource_types:
        return {
            "event_selectors": [
                aws.cloudtrail.TrailEventSelectorArgs(read_write_type="All", include_management_events=True)
            ]
        }
    selector = aws.cloudtrail.TrailAdvancedEventSelectorArgs
    field = aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs
    return {
        "advanced_event_selectors": [
            selector(name="Management events", field_selectors=[field(field="eventCategory", equals=["Management"])]),
            *(
                selector(
                    name=f"Data events of {kind}",
                    field_selectors=[
                        field(field="eventCategory", equals=["Data"]),
                        field(field="resources.type", equals=[kind]),
                    ],
                )
                for kind in data_event_resource_types
            ),
        ]
    }


def _get(item: Any, snake: str, camel: str) -> Any:
    if isinstance(item, dict):
        return item.get(snake, item.get(camel))
    return getattr(item, snake, None)


def existing_trail_problems(
    *, enable_logging: bool | None, event_selectors: Any, advanced_event_selectors: Any, read_only_events: bool
) -> list[str]:
    """Why an existing trail would not feed the denied-calls rule (empty: it will; unknown values pass).

    Examples
    --------
    >>> existing_trail_problems(enable_logging=False, event_selectors=None, advanced_event_selectors=None,
    ...                         read_only_events=True)
    ['logging is off']
    """
    problems = []
    if enable_logging is False:
        problems.append("logging is off")
    basic = list(event_selectors or [])
    advanced = list(advanced_event_selectors or [])
    if basic:
        management = [s for s in basic if _get(s, "include_management_events", "includeManagementEvents") is not False]
        if not management:
            problems.append("no event selector includes management events")
        elif read_only_events and all(_get(s, "read_write_type", "readWriteType") == "WriteOnly" for s in management):
            problems.append("it logs only write management events, so denied read-only calls would go unseen")
    elif advanced:
        management = []
        for selector in advanced:
            fields = {
                _get(f, "field", "field"): list(_get(f, "equals", "equals") or [])
                for f in _get(selector, "field_selectors", "fieldSelectors") or []
            }
            if fields.get("eventCategory") == ["Management"]:
                management.append(fields)
        if not management:
            problems.append("no advanced event selector logs management events")
        elif read_only_events and all(f.get("readOnly") == ["false"] for f in management):
            problems.append("it logs only write management events, so denied read-only calls would go unseen")
    return problems


def check_existing_trail(
    name: str, trail_arn: str, *, read_only_events: bool, opts: pulumi.ResourceOptions
) -> pulumi.Output[str]:
    """Read the existing trail at deploy time; the Output fails (naming the fix) if it would not feed the rule."""
    trail = aws.cloudtrail.Trail.get(name, trail_arn, opts=opts)

    def verdict(values: list[Any]) -> str:
        problems = existing_trail_problems(
            enable_logging=values[0],
            event_selectors=values[1],
            advanced_event_selectors=values[2],
            read_only_events=read_only_events,
        )
        if problems:
            raise ValueError(
                f"QuarantineArgs.existing_trail_arn {trail_arn!r}: {'; '.join(problems)}. CloudTrail events reach "
                "EventBridge only from a trail that logs them: fix the trail, or use QuarantineArgs(trail='create')"
            )
        return trail_arn

    return pulumi.Output.all(trail.enable_logging, trail.event_selectors, trail.advanced_event_selectors).apply(verdict)
