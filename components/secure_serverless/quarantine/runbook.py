"""A Markdown runbook per function, written from its behaviour model: what is normal, what each alarm
means and what to do, how the quarantine works for this function, and how to release it."""

from __future__ import annotations

from typing import Any

from secure_serverless.quarantine.responder.names import POLICY_NAME

# What an on-call engineer does when the alarm fires (by alarm key).
ADVICE: dict[str, str] = {
    "errors": "Read the function's log group for the failing requests; roll back the last deployment if it "
    "started with it.",
    "throttles": "Concurrency reached its reserved cap: a traffic spike or a loop. Check the invocations "
    "anomaly alarm and the callers before raising the cap.",
    "duration": "Requests approach the timeout: a slow dependency or a larger payload. Check X-Ray traces.",
    "invocations-anomaly": "Invocations left the learned band. A spike from an unknown caller is a warning "
    "sign: compare the invokers below with the function's recent callers (CloudTrail, access logs).",
    "dlq-depth": "Asynchronous events failed every retry. Inspect them in the dead-letter queue, fix, then redrive.",
    "rejected-input": "The handler refused events that failed validation: probing or a broken producer. Look "
    "at the rejection reasons in the logs (never the payloads).",
    "handler-errors": "The handler caught unexpected exceptions and answered with a generic error; the stack "
    "traces are in the logs.",
    "denied-calls": "The function called AWS outside its declared permissions. That is the signature of "
    "stolen credentials or injected code: the quarantine follows at the threshold.",
}

MODE_TEXT: dict[str, str] = {
    "contain": "an inline deny policy on the role denies every action outside the declared set below, and every "
    "session issued before the quarantine (aws:TokenIssueTime). Credentials copied out of the function stop "
    "working at once; the function keeps its declared permissions with sessions issued afterwards (execution "
    "environments started after the quarantine; warm ones holding older credentials fail until recycled).",
    "isolate": "an inline deny policy denies everything except writing to the function's own log group.",
    "stop": "the isolate policy, and reserved concurrency 0: the function takes no invocations at all.",
}


def _cell(value: Any) -> str:
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return text.replace("|", "\\|")


def render_runbook(model: dict[str, Any]) -> str:
    """The runbook for one behaviour model (see :mod:`secure_serverless.quarantine.model`).

    Examples
    --------
    >>> print(render_runbook(model).splitlines()[0])  # doctest: +SKIP
    # Runbook: orders-api
    """
    fn = model["function"]
    quarantine = model["quarantine"]
    name = fn["logicalName"]
    lines = [
        f"# Runbook: {name}",
        "",
        f"Function `{fn['name']}` ({fn['runtime']}, {fn['memoryMb']} MB, timeout {fn['timeoutSeconds']} s, "
        f"reserved concurrency {fn['reservedConcurrency']}); role `{fn['roleName']}`. Generated from its behaviour "
        f"model (schema {model['schema']} v{model['version']}): regenerate with `secure-serverless model`.",
        "",
        "## What is normal",
        "",
        "The function may call exactly these actions, on exactly these resources (its generated policy):",
        "",
        "| statement | actions | resources | conditions |",
        "|---|---|---|---|",
    ]
    for permission in model["permissions"]:
        conditions = permission["conditions"] or "-"
        lines.append(
            f"| {permission['sid']} | {_cell(permission['actions'])} | {_cell(permission['resources'])} | "
            f"{_cell(conditions)} |"
        )
    invokers = model["invokers"]
    lines += ["", "Who invokes it:", ""]
    if invokers["functionUrl"]:
        lines.append(f"- its function URL, authorization {invokers['functionUrl']['authType']}")
    for permission in invokers["permissions"]:
        lines.append(
            f"- {permission['principal']} (source {permission.get('sourceArn') or permission.get('sourceAccount')})"
        )
    for mapping in invokers["eventSourceMappings"]:
        lines.append(f"- an event source mapping from `{mapping['eventSourceArn']}` (batch {mapping['batchSize']})")
    if not (invokers["functionUrl"] or invokers["permissions"] or invokers["eventSourceMappings"]):
        lines.append("- nothing declared in this program (direct invocation by IAM principals only)")
    if model["baselines"]:
        lines += ["", "Learned baselines:", ""]
        for band in model["baselines"]:
            lines.append(
                f"- {band['namespace']}/{band['metric']}: anomaly band of {band['bandWidth']:g} standard deviations, "
                f"{band['periodSeconds']} s periods (alarm `{band['alarm']}`)"
            )
    lines += ["", "## Alarms and what to do", ""]
    for alarm in model["alarms"]:
        threshold = (
            "outside the band"
            if alarm["anomalyBandWidth"] is not None
            else f"{alarm['comparison']} {alarm['threshold']}"
        )
        signal = quarantine["signals"].get(alarm["key"])
        reaction = f" Quarantine reaction: **{signal}**." if signal else ""
        lines.append(f"### {alarm['key']} (`{alarm['name']}`)")
        lines.append("")
        lines.append(f"{alarm['description']} Metric {alarm['namespace']}/{alarm['metric']}, {threshold}.{reaction}")
        lines.append("")
        lines.append(ADVICE.get(alarm["key"], "Investigate the metric's recent values and the function's logs."))
        lines.append("")
    lines += ["## Quarantine", ""]
    if not quarantine["protected"]:
        lines += [
            "Not protected: add this function to a `Quarantine` (QuarantineArgs(protect=[...])) so that a denied "
            "call contains it.",
            "",
        ]
    else:
        mode = quarantine["mode"]
        lines += [
            f"Mode **{mode}**: {MODE_TEXT[mode]}",
            "",
            f"Trigger: {quarantine['threshold']} denied call(s) by the role within {quarantine['windowSeconds']} s "
            "(CloudTrail AccessDenied / UnauthorizedOperation, read-only calls included)"
            + (
                ", or these alarms: " + ", ".join(f"{k} -> {v}" for k, v in sorted(quarantine["signals"].items()))
                if quarantine["signals"]
                else ""
            )
            + ". Every decision is published to the alarm topic"
            + (f" `{fn['alarmTopicArn']}`" if fn.get("alarmTopicArn") else "")
            + " and logged as JSON by the quarantine handler.",
            "",
            f"Declared set kept under `contain` ({len(model['declaredActions'])} actions): "
            + ", ".join(f"`{a}`" for a in model["declaredActions"]),
            "",
            "Rehearse it offline: `secure-serverless quarantine drill " + name + "`.",
            "",
        ]
    lines += [
        "## How to release",
        "",
        f"1. `secure-serverless quarantine status {fn['name']}`: the mode, since when, and the triggering event.",
        "2. Find the cause: the triggering CloudTrail event (its eventID is in the status), the function's logs "
        "around that time, the last deployment. Rotate any secret the function could read.",
        "3. Fix the cause (a missing declared permission is a code change: add the Grant and deploy).",
        f'4. `secure-serverless quarantine release {fn["name"]} --reason "..."`: removes only the '
        f"`{POLICY_NAME}` inline policy and the quarantine tags (and restores concurrency after `stop`), and "
        "writes an audit record.",
        "",
    ]
    return "\n".join(lines)
