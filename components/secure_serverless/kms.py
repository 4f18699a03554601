"""Pure builders for key policies: the function's dedicated key, and what a shared key must allow."""

from __future__ import annotations

from secure_serverless.iam import DEAD_LETTER_QUEUE_KEY_ACTIONS, PolicyDocument, Statement, sqs_service

# What CloudWatch Logs needs on a key that encrypts a log group (the Logs guide's key policy example).
LOGS_KEY_ACTIONS: tuple[str, ...] = (
    "kms:Encrypt*",
    "kms:Decrypt*",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:Describe*",
)
# What CloudWatch alarms need to publish to an SNS topic encrypted with a customer key.
ALARMS_KEY_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey*")


def shared_key_policy_statements(
    *,
    account_id: str,
    region: str,
    role_arn: str | None,
    log_group_arn: str,
    alarm_topic_encrypted: bool,
    dead_letter_queue: bool,
    dns_suffix: str = "amazonaws.com",
) -> list[Statement]:
    """The key policy statements a function's key must hold for the function to work.

    A SecureFunction given ``kms_key_arn`` encrypts its log group, dead-letter queue and alarm topic
    with that key; put these statements in the key's policy (beside its administration statements).
    Without them CloudWatch Logs refuses to create the log group, messages to the dead-letter queue
    are lost, and alarm notifications are silently dropped. When the key is created in the same
    program, the pack's ``kms-key-serves-its-consumers`` rule checks them at deploy time.

    Parameters
    ----------
    account_id, region
        Where the function lives.
    role_arn
        The function's execution role (``SecureFunction.role.arn``), or None when the key policy
        delegates to IAM (an ``arn:<partition>:iam::<account>:root`` statement): the role's own policy
        then grants the dead-letter queue's key use. None lets the policy be written before the
        function exists, which a shared key needs (the log group is created with the key).
    log_group_arn
        The function's log group, without a ``:*`` suffix. Known before deployment:
        ``arn:<partition>:logs:<region>:<account>:log-group:/aws/lambda/<project>/<stack>/<name>``.
    alarm_topic_encrypted
        True when SecureFunction creates its alarm topic (``create_alarms=True`` and no
        ``alarm_topic_arn``): the topic is encrypted with the key.
    dead_letter_queue
        True when SecureFunction creates its dead-letter queue (``create_dead_letter_queue=True``).
    dns_suffix
        ``amazonaws.com``, or ``amazonaws.com.cn`` in the China partition.

    Returns
    -------
    list of dict
        Key policy statements (``Resource: "*"`` means "this key" in a key policy).

    Examples
    --------
    >>> statements = shared_key_policy_statements(
    ...     account_id="111122223333", region="eu-west-1",
    ...     role_arn="arn:aws:iam::111122223333:role/orders-role-1a2b3c",
    ...     log_group_arn="arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/shop/prod/orders",
    ...     alarm_topic_encrypted=True, dead_letter_queue=True)
    >>> [s["Sid"] for s in statements]  # doctest: +NORMALIZE_WHITESPACE
    ['FunctionRoleUsesKeyThroughDeadLetterQueue', 'LogsEncryptsOwnLogGroup',
     'CloudWatchAlarmsPublishToEncryptedTopic']
    """
    statements: list[Statement] = []
    if dead_letter_queue and role_arn is not None:
        statements.append(
            {
                "Sid": "FunctionRoleUsesKeyThroughDeadLetterQueue",
                "Effect": "Allow",
                "Principal": {"AWS": role_arn},
                "Action": list(DEAD_LETTER_QUEUE_KEY_ACTIONS),
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:ViaService": sqs_service(region, dns_suffix)}},
            }
        )
    statements.append(
        {
            "Sid": "LogsEncryptsOwnLogGroup",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.{dns_suffix}"},
            "Action": list(LOGS_KEY_ACTIONS),
            "Resource": "*",
            "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": log_group_arn}},
        }
    )
    if alarm_topic_encrypted:
        statements.append(
            {
                "Sid": "CloudWatchAlarmsPublishToEncryptedTopic",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": list(ALARMS_KEY_ACTIONS),
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        )
    return statements


def key_policy(
    *,
    account_id: str,
    partition: str,
    region: str,
    role_arn: str,
    log_group_arn: str,
    alarm_topic_encrypted: bool,
    dead_letter_queue: bool,
    dns_suffix: str = "amazonaws.com",
) -> PolicyDocument:
    """Account administration via IAM, then :func:`shared_key_policy_statements` for the one function."""
    administration: Statement = {
        "Sid": "AccountAdministersKeyThroughIam",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    return {
        "Version": "2012-10-17",
        "Statement": [
            administration,
            *shared_key_policy_statements(
                account_id=account_id,
                region=region,
                role_arn=role_arn,
                log_group_arn=log_group_arn,
                alarm_topic_encrypted=alarm_topic_encrypted,
                dead_letter_queue=dead_letter_queue,
                dns_suffix=dns_suffix,
            ),
        ],
    }
