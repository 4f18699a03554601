"""guardrails/lambda_triggers.py: who invokes a function (failure destination, URL auth, permission scoping)."""

from __future__ import annotations

from secure_serverless.contract import policies as p

from support.lambda_changes import function_url, no_dead_letter, permission
from support.pack import case, rule_tests
from support.stacks import ACCOUNT

CASES = [
    case("failure-destination:untriggered", policy=p.LAMBDA_FAILURE_DESTINATION, change=no_dead_letter,
         expected={"orders"}, text="dead_letter_config"),
    case("failure-destination:sync-only-ok", policy=p.LAMBDA_FAILURE_DESTINATION,
         change=lambda s: permission("apigateway.amazonaws.com", sourceArn="arn:x")(no_dead_letter(s))),
    case("failure-destination:async", policy=p.LAMBDA_FAILURE_DESTINATION,
         change=lambda s: permission("sns.amazonaws.com", sourceArn="arn:x")(no_dead_letter(s)), expected={"orders"},
         text="asynchronously"),
    case("failure-destination:config-untriggered-ok", policy=p.LAMBDA_FAILURE_DESTINATION, change=no_dead_letter,
         config={p.LAMBDA_FAILURE_DESTINATION: {"requireWhenNoTriggerInStack": False}}),
    case("url-auth:none", policy=p.LAMBDA_URL_AUTH_IAM, change=function_url("NONE"), expected={"orders-url"},
         text="authorization_type='AWS_IAM'"),
    case("url-auth:iam-ok", policy=p.LAMBDA_URL_AUTH_IAM, change=function_url("AWS_IAM")),
    case("permission:service-principal", policy=p.LAMBDA_PERMISSION_SCOPED, change=permission("s3.amazonaws.com"),
         expected={"orders-invoke"}, text="source_arn="),
    case("permission:star", policy=p.LAMBDA_PERMISSION_SCOPED, change=permission("*"), expected={"orders-invoke"},
         text="sourceArn or sourceAccount"),
    case("permission:account-ok", policy=p.LAMBDA_PERMISSION_SCOPED,
         change=permission("s3.amazonaws.com", sourceAccount=ACCOUNT)),
    case("permission:account-principal-ok", policy=p.LAMBDA_PERMISSION_SCOPED, change=permission(ACCOUNT)),
]


test_secure_functions_comply, test_case, test_case_in_preview = rule_tests(
    CASES, "lambda-", except_=tuple(name for name in p.POLICY_NAMES if name.startswith("lambda-") and name not in (
        p.LAMBDA_FAILURE_DESTINATION, p.LAMBDA_URL_AUTH_IAM, p.LAMBDA_PERMISSION_SCOPED))
)
