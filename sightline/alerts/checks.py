"""System check alerts.E001: a broken rule set stops `sightline check`, `migrate` and `serve`,
each problem naming its file, rule and field. A rule set never silently loses a rule."""

from __future__ import annotations

from typing import Any

from django.core import checks


@checks.register()
def rule_set_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from sightline.alerts import rulesets

    report = rulesets.check()
    return [
        checks.Error(
            str(problem).removeprefix(f"{problem.file}: ") or problem.reason,
            hint="docs/alerts.md; `sightline alerts check` runs the rules' cases",
            obj=problem.file,
            id="alerts.E001",
        )
        for problem in report.problems
    ]
