"""What the publisher's routing rules (wiredesk.core.rules) do to the publication gate's decision
(wiredesk.core.gate): one pure function, so the write path, the admin's preview and the tests
all combine them the same way.

- A rule's ``mode`` replaces the source's mode; the checks' findings (teaser, thin) and the item's
  rights still make it stricter.
- ``hold`` and ``drop`` are added as findings of their own: the strictest outcome wins.
- ``publish`` overrides the checks' hold or drop (a desk that wants German items from its German
  wire says so in a rule), never the item's own rights.
- Every rule that matched is listed among the findings, so the admin, the API and the export say
  which rules touched a story; a rule that failed on the item is listed too.
"""

from __future__ import annotations

import dataclasses

from wiredesk.core.gate import GateResult, Outcome, Verdict
from wiredesk.core.rights import Mode, stricter
from wiredesk.core.rules import Decision, Routing

_SEVERITY = {outcome: rank for rank, outcome in enumerate(Outcome)}
_MODES = {Outcome.EXCERPT: Mode.EXCERPT, Outcome.HEADLINE: Mode.HEADLINE}
_BY_MODE = {Mode.FULL: Outcome.PUBLISH, Mode.EXCERPT: Outcome.EXCERPT,
            Mode.HEADLINE: Outcome.HEADLINE}
_DECISIONS = {Decision.HOLD: Outcome.HOLD, Decision.DROP: Outcome.DROP,
              Decision.PUBLISH: Outcome.PUBLISH}
RULE = "rule"


def apply_routing(result: GateResult, routing: Routing, source_mode: Mode) -> GateResult:
    """The gate's result with the rules' routing folded in (``source_mode``: the mode the gate
    started from, which a rule's mode replaces)."""
    if not routing.matched and not routing.failures:
        return result
    findings = [*result.verdicts, *_findings(routing)]
    base = Mode(routing.mode) if routing.mode else source_mode
    mode = stricter(base, *(_MODES[v.outcome] for v in result.verdicts if v.outcome in _MODES))
    checks = [v for v in result.verdicts if v.outcome in (Outcome.HOLD, Outcome.DROP)]
    if routing.decision is Decision.PUBLISH:
        # Only the item's rights still hold it; the checks' holds and drops are overridden.
        checks = [v for v in checks if v.check == "rights"]
    elif routing.decision is not None:
        checks.append(Verdict(RULE, _DECISIONS[routing.decision], ""))
    outcome = max((v.outcome for v in checks), key=_SEVERITY.__getitem__, default=_BY_MODE[mode])
    return dataclasses.replace(result, outcome=outcome, mode=mode, verdicts=tuple(findings),
                               routing=routing)


def _findings(routing: Routing) -> list[Verdict]:
    found = []
    for name, did in routing.matched:
        outcome = Outcome.PUBLISH
        reason = did
        if name == routing.decided_by and routing.decision is not None:
            outcome = _DECISIONS[routing.decision]
            reason = f"{did}: {routing.reason}" if routing.reason else did
        found.append(Verdict(f"{RULE} {name}", outcome, reason))
    found += [Verdict(f"{RULE} {failure.rule}", Outcome.PUBLISH,
                      f"failed on this item and was skipped: {failure.error}")
              for failure in routing.failures]
    return found


def replay(findings: list[dict[str, str]], source_mode: Mode, language: str = "",
           timely: bool = True) -> GateResult:
    """The gate's result rebuilt from a story's stored findings, leaving out what rules added:
    what the checks and rights decided, so that another list of rules can be tried on it (the
    admin's preview)."""
    verdicts = tuple(Verdict(f["check"], Outcome(f["outcome"]), f.get("reason", ""))
                     for f in findings if not str(f.get("check", "")).startswith(RULE)
                     and f.get("outcome") in _SEVERITY_NAMES)
    mode = stricter(source_mode, *(_MODES[v.outcome] for v in verdicts if v.outcome in _MODES))
    checks = [v.outcome for v in verdicts if v.outcome in (Outcome.HOLD, Outcome.DROP)]
    outcome = max(checks, key=_SEVERITY.__getitem__, default=_BY_MODE[mode])
    return GateResult(outcome, mode, language, timely, verdicts)


_SEVERITY_NAMES = frozenset(str(outcome) for outcome in Outcome)
