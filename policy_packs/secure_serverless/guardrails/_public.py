"""The check behind the ``*-no-public-access`` rules: a resource policy opens nothing to everyone."""

from __future__ import annotations

from guardrails import _documents as docs
from guardrails._config import Config
from guardrails._policy import Ctx, Res, ResourceCheck


def public_access_check(what: str, fix: str) -> ResourceCheck:
    """A check failing every Allow statement of the subject's ``policy`` that is open to everyone.

    ``what`` names the protected thing in messages ("SQS queue"); ``fix`` is the remediation sentence.
    """

    def check(ctx: Ctx, res: Res, cfg: Config) -> None:
        document = docs.parse(res.props.get("policy"))
        for index, statement in docs.allowing_statements(ctx, res, "policy", document):
            verdict = docs.public_statement(statement)
            if verdict is None:
                ctx.undecided(res, docs.statement_path("policy", index, "Principal"))
            elif verdict:
                ctx.fail(
                    res,
                    f"{res.label()}: policy {statement.label(index)} allows Principal '*' with no condition that "
                    f"pins the caller (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID, ...); {what} policies "
                    f"must not be public. Fix: {fix}",
                )

    return check
