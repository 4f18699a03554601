"""The README's two examples: the orders stack passes, the insecure stack fails with the expected findings."""

from __future__ import annotations

import datetime

from check_support import EXAMPLE_DIR, INSECURE_DIR, advisory, mandatory, run_cli

INSECURE_MANDATORY = {
    ("iam-no-admin-managed-policies", "legacy-role-admin"),
    ("iam-no-privilege-escalation", "legacy-role-inline"),
    ("iam-no-wildcard-actions", "legacy-role-inline"),
    ("iam-no-wildcard-resources", "legacy-role-inline"),
    ("iam-secret-read-scoped", "legacy-role-inline"),
    ("iam-secret-read-scoped", "legacy-role-admin"),  # AdministratorAccess reads every secret (its real document)
    ("iam-role-not-shared", "legacy-role"),
    ("kms-key-policy-no-wildcard-principal", "legacy-key"),
    ("kms-key-rotation-enabled", "legacy-key"),
    ("lambda-env-kms-encrypted", "legacy-orders"),
    ("lambda-no-secrets-in-env", "legacy-orders"),
    ("lambda-runtime-supported", "legacy-orders"),
    ("monitoring-function-alarms", "legacy-orders"),
    ("monitoring-function-alarms", "legacy-reports"),
    ("lambda-permission-scoped", "legacy-orders-s3-invoke"),
    ("lambda-url-auth-iam", "legacy-orders-url"),
    ("logs-kms-encrypted", "legacy-logs"),
    ("logs-retention-set", "legacy-logs"),
    ("sqs-encrypted", "legacy-dlq"),
}
INSECURE_ADVISORY = {
    ("iam-lambda-trust-source-account", "legacy-role"),
    ("lambda-failure-destination", "legacy-orders"),
    ("lambda-failure-destination", "legacy-reports"),
    ("lambda-log-group-explicit", "legacy-orders"),
    ("lambda-log-group-explicit", "legacy-reports"),
    ("lambda-reserved-concurrency", "legacy-orders"),
    ("lambda-reserved-concurrency", "weekly-report"),
    ("lambda-tracing-active", "legacy-orders"),
    ("secrets-cmk-encrypted", "legacy-db-password"),
    ("secrets-rotation-enabled", "legacy-db-password"),
    ("sns-encrypted", "legacy-notifications"),
}
SECURE_FUNCTION = "secure-serverless:index:SecureFunction"


def test_example_stack_passes() -> None:
    run = run_cli("check", EXAMPLE_DIR, "--format", "json")
    assert run.code == 0, run.stderr
    document = run.json()
    assert document["passed"] is True
    assert mandatory(document) == set()
    assert document["project"] == "secure-serverless-example"
    assert document["stack"] == "dev"
    assert document["location"] == "stacks/__main__.py"
    # Every SecureFunction child was recorded and judged (role, key, log group, DLQ, topic, alarms...).
    assert document["summary"]["resources"] >= 30
    assert document["waivers"] == []


def test_example_stack_text_report_states_cost_per_function() -> None:
    run = run_cli("check", EXAMPLE_DIR)
    assert run.code == 0
    assert "PASSED: 0 mandatory violations" in run.stdout
    assert f"{SECURE_FUNCTION}/orders-api: $" in run.stdout
    assert "per function:" in run.stdout
    assert "usage" in run.stdout  # the table's scope is stated


def test_insecure_stack_fails_with_the_expected_findings() -> None:
    run = run_cli("check", INSECURE_DIR, "--format", "json")
    assert run.code == 1, run.stderr
    document = run.json()
    assert document["passed"] is False
    assert mandatory(document) == INSECURE_MANDATORY
    assert advisory(document) == INSECURE_ADVISORY


def test_insecure_stack_reports_waivers_used_and_expired() -> None:
    document = run_cli("check", INSECURE_DIR, "--format", "json").json()
    waived = [f for f in document["findings"] if f["waiver"] is not None]
    assert [(f["policy"], f["resourceName"], f["level"], f["blocking"]) for f in waived] == [
        ("logs-retention-set", "weekly-report-logs", "mandatory", False)
    ]
    assert waived[0]["component"] == f"{SECURE_FUNCTION}/weekly-report"
    assert waived[0]["waiver"]["reason"] == "report logs hold no personal data per DPIA-7"
    expected_expiry = (datetime.date.today() + datetime.timedelta(days=90)).isoformat()
    statuses = {(w["policy"], w["status"], w["expires"]) for w in document["waivers"]}
    assert statuses == {
        ("logs-retention-set", "used", expected_expiry),
        ("logs-kms-encrypted", "expired", "2024-01-31"),
    }


def test_insecure_findings_name_the_component_that_built_them() -> None:
    document = run_cli("check", INSECURE_DIR, "--format", "json").json()
    components = {f["resourceName"]: f["component"] for f in document["findings"]}
    assert components["weekly-report"] == f"{SECURE_FUNCTION}/weekly-report"
    assert components["legacy-orders"] is None  # a raw resource at the top of the stack
    text = run_cli("check", INSECURE_DIR).stdout
    assert f"weekly-report  [built by {SECURE_FUNCTION}/weekly-report]  (stacks/insecure/__main__.py:" in text
    assert "FAILED: 25 mandatory violations" in text  # AdministratorAccess is also read as a document
