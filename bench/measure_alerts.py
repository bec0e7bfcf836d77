"""Measure the alert rules: recall on the reviews' missed moments and on the synthetic county's
planted trajectories, beside the volume of alerts, all through `sightline replay`.

    .venv/bin/python bench/measure_alerts.py                      # reviews + a 2,000-child county
    .venv/bin/python bench/measure_alerts.py --children 5000 --seed 3 --years 3
    .venv/bin/python bench/measure_alerts.py --county /tmp/county  # a county already generated
    .venv/bin/python bench/measure_alerts.py --skip-county --update-docs

1. The review feeds (tests/replay_feeds/<child>/, each replayed on its own so that one review's
   later extract does not lengthen another's): for every missed moment in missed_moments.yaml,
   whether one of its rules fired in its window, when, and the lead time before the agencies
   actually responded; and the alerts each child would have faced per year of history.
2. The synthetic county (`sightline synth`, replayed over its last --years years): for every
   planted trajectory and each rule relevant to it (by theme), how many planted children it
   caught and the lead time between its first alert and the planted agencies' response; and on
   the background population (every child in no trajectory), alerts per 1,000 children per
   month, by rule and over all rules (target: at most 10), and alerts per child per year.

Every raise counts as an alert: a new one, one raised again by new evidence after its
suppression window began, and a reminder after the window (a practitioner sees each). With
--update-docs the tables replace the "Measurement" section's results in docs/alerts.md (between
its markers). Needs no database of yours: every replay has its own (ADR 17)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from sightline.alerts.engine.loader import load_rule_set  # noqa: E402
from sightline.alerts.replay import throwaway  # noqa: E402
from sightline.alerts.rulesets import rule_dirs, vocabulary  # noqa: E402
from sightline.core.workingdays import england  # noqa: E402
from tests.replay_feeds import moments  # noqa: E402

DOCS = ROOT / "docs" / "alerts.md"
START, END = "<!-- measurement:start -->", "<!-- measurement:end -->"
TARGET_PER_1000_MONTH = 10.0

# What each planted trajectory is about (rules whose themes meet these are "relevant"), and what
# the planted agencies' response is: the first entry of these types on or after the first of
# the anchor types (none: the trajectory plants no response).
TRAJECTORIES: dict[str, dict[str, Any]] = {
    "criminal_exploitation": {
        "themes": {"exploitation", "missing", "police"},
        "response": {"strategy_discussion", "ce_screening", "mace_discussion"},
        "anchor": {"missing_episode", "intelligence_received", "knife_incident"},
        "story": "county lines (after James)",
    },
    "neglect_to_cse_in_care": {
        "themes": {"missing", "exploitation", "harm"},
        "response": {"ce_screening", "mace_discussion"},
        "anchor": {"missing_episode"},
        "story": "neglect, care, then sexual exploitation (after Child Q and Child S)",
    },
    "rejected_referrals": {
        "themes": {"statutory", "harm"},
        "response": set(),
        "anchor": {"referral_rejected"},
        "story": "referrals rejected again and again",
    },
    "non_engaging_family": {
        "themes": {"engagement", "statutory"},
        "response": set(),
        "anchor": {"disengagement", "no_access_visit"},
        "story": "closed for non-engagement, again and again",
    },
    "sibling_exposure": {
        "themes": {"family"},
        "response": {"voice_of_child_recorded", "assessment_completed"},
        "anchor": {"police_incident", "domestic_abuse", "concern_raised"},
        "story": "younger siblings of an exploited child",
    },
}


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


RULE_DIRS: list[Path] = []  # what is replayed: each rule's latest version (current_rules)
_EFFECTIVE = re.compile(r"^effective_(from|to):.*$", re.M)


def current_rules(dirs: list[Path], into: Path) -> list[Path]:
    """A copy of the rule set holding each rule's latest version, in force over every day. The
    measurement asks how the rules as they now stand would have done: replaying each day under
    the version then in force would show a retuned rule only after its new version took effect
    (a version announced for next month, not at all)."""
    rules = load_rule_set(dirs, vocabulary(), calendar=england(), run_cases=False)
    into.mkdir(parents=True, exist_ok=True)
    for rule_id in rules.ids():
        versions = rules.versions(rule_id)
        rule = versions[-1]
        text = _EFFECTIVE.sub("", rule.path.read_text("utf-8"))
        text = f"effective_from: 2000-01-01\n{text}"
        name = rule_id if rule.version == 1 else f"{rule_id}.v{rule.version}"
        (into / f"{name}.yaml").write_text(text, "utf-8")
    return [into]


def replay(paths: list[Path], start: dt.date | None = None) -> dict[str, Any]:
    dirs = RULE_DIRS
    return throwaway.run(throwaway.Job(paths=paths, start=start, end=None, rule_dirs=dirs))


def _median(values: list[int]) -> str:
    return f"{statistics.median(values):.0f}" if values else "-"


# --- 1. the reviews ------------------------------------------------------------------------


@dataclass
class ReviewResult:
    outcomes: list[moments.Outcome]
    volume: dict[str, tuple[int, float, int]]  # child -> (alerts, years, new alerts)
    seconds: dict[str, float]


def measure_reviews() -> ReviewResult:
    outcomes: list[moments.Outcome] = []
    volume: dict[str, tuple[int, float, int]] = {}
    seconds: dict[str, float] = {}
    for child in moments.CHILDREN:
        started = time.perf_counter()
        report = replay([moments.HERE / child])
        seconds[child] = time.perf_counter() - started
        found = moments.load(child)
        outcomes += moments.outcomes(report, found)
        person = moments.person_of(report, found[0].person)
        if person is not None:
            alerts = person["alerts"]
            volume[child] = (
                len(alerts),
                moments.history_years(person, report),
                sum(1 for a in alerts if a.get("reason") == "new"),
            )
        log(f"  {child}: replayed in {seconds[child]:.1f} s")
    return ReviewResult(outcomes, volume, seconds)


def review_tables(result: ReviewResult) -> list[str]:
    lines = [
        "### The reviews' missed moments",
        "",
        "Each review's feed replayed on its own with the rule set as it now stands (each rule's"
        " latest version, over every day). *Fired*: one of the moment's rules raised an alert "
        "in its window (from 90 days before the moment to the agencies' response, or a year "
        "after when there was none). *Lead*: days from the first such alert to the response the"
        " review records (positive: the alert came first).",
        "",
        "| Child | Moment | Happened | Fired (rule) | First alert | Agencies responded | Lead (days) |",
        "|---|---|---|---|---|---|---:|",
    ]
    for o in result.outcomes:
        m = o.moment
        if not m.rules:
            fired = "no rule reads this"
        elif o.missing_rules and not o.fired:
            fired = f"no: rule not in the set ({', '.join(o.missing_rules)})"
        else:
            fired = f"yes (`{o.rule}`)" if o.fired else "no"
        lead = "" if o.lead_days is None else str(o.lead_days)
        responded = m.responded_on.isoformat() if m.responded_on else "never"
        lines.append(
            f"| {m.child} | {m.id} | {m.happened_on} | {fired} | "
            f"{o.raised_on or ''} | {responded} | {lead} |"
        )
    caught = [o for o in result.outcomes if o.fired]
    with_rules = [o for o in result.outcomes if o.moment.rules]
    leads = [o.lead_days for o in caught if o.lead_days is not None]
    earlier = [d for d in leads if d > 0]
    lines += [
        "",
        f"Caught: {len(caught)} of {len(with_rules)} moments a rule is meant to catch "
        f"({len(result.outcomes)} moments in all). Where the agencies did respond, the alert "
        f"came first in {len(earlier)} of {len(leads)}, by a median of "
        f"{_median(earlier)} days.",
        "",
        "| Child | Alerts in the replay | Of which new (not reminders or new evidence) | "
        "Years of history replayed | Alerts per year |",
        "|---|---:|---:|---:|---:|",
    ]
    for child, (n, years, new) in result.volume.items():
        lines.append(f"| {child} | {n} | {new} | {years:.1f} | {n / years:.1f} |")
    return lines


# --- 2. the county ---------------------------------------------------------------------------


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for text in fh:
            if text.strip():
                yield json.loads(text)


def _feed_lines(directory: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(directory.iterdir()):
        if path.suffix == ".jsonl":
            yield from _jsonl(path)
        elif path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    if row.get("subjects"):
                        row["subjects"] = json.loads(row["subjects"])
                    yield row


def _start(text: str) -> dt.date:
    """The first day a partial date (2019, 2019-08, 2019-08-03, with a time) may mean."""
    parts = text[:10].split("-")
    return dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1,
                   int(parts[2]) if len(parts) > 2 else 1)  # fmt: skip


@dataclass
class County:
    truth_of: dict[tuple[str, str], str]  # (source, source_id) -> true id
    trajectory: dict[str, str]  # true id -> trajectory
    children: set[str]  # every child's true id
    entries: dict[str, list[tuple[dt.date, str]]]  # true id -> (occurred, type), sorted
    reference: dt.date


def read_county(directory: Path) -> County:
    truth_of: dict[tuple[str, str], str] = {}
    children: set[str] = set()
    for row in _jsonl(directory / "truth" / "persons.jsonl"):
        truth_of[(row["source"], row["source_id"])] = row["true_id"]
        if row["role"] == "child":
            children.add(row["true_id"])
    trajectory = {
        row["true_id"]: row["trajectory"]
        for row in _jsonl(directory / "truth" / "trajectories.jsonl")
    }
    planted = {t for t, kind in trajectory.items() if kind in TRAJECTORIES}
    entries: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    for line in _feed_lines(directory):
        if line.get("kind") != "entry":
            continue
        on = _start(str(line["occurred_at"]))
        for subject in line["subjects"]:
            true_id = truth_of.get((line["source"], subject["source_id"]))
            if true_id in planted:
                entries[true_id].append((on, line["type"]))
    for listed in entries.values():
        listed.sort()
    manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    return County(
        truth_of, trajectory, children, entries, dt.date.fromisoformat(manifest["reference_date"])
    )


def _true_id(person: dict[str, Any], county: County) -> str | None:
    votes = Counter(
        county.truth_of[(r["source"], r["source_id"])]
        for r in person["records"]
        if (r["source"], r["source_id"]) in county.truth_of
    )
    return votes.most_common(1)[0][0] if votes else None


def _response(county: County, true_id: str, kind: str) -> dt.date | None:
    spec = TRAJECTORIES[kind]
    if not spec["response"]:
        return None
    anchored = False
    for on, type_ in county.entries.get(true_id, []):
        anchored = anchored or type_ in spec["anchor"]
        if anchored and type_ in spec["response"]:
            return on
    return None


def _anchor(county: County, true_id: str, kind: str) -> dt.date | None:
    for on, type_ in county.entries.get(true_id, []):
        if type_ in TRAJECTORIES[kind]["anchor"]:
            return on
    return None


def measure_county(directory: Path, years: int) -> list[str]:
    county = read_county(directory)
    start = dt.date(county.reference.year - years, county.reference.month, 1)
    started = time.perf_counter()
    report = replay([directory], start=start)
    seconds = time.perf_counter() - started
    log(f"  county replayed in {seconds:.0f} s: {report['stats']['seconds']}")
    first, last = dt.date.fromisoformat(report["from"]), dt.date.fromisoformat(report["to"])
    months = ((last - first).days + 1) / (365.25 / 12)
    rules = load_rule_set(RULE_DIRS, vocabulary(), run_cases=False)
    themes = {r.id: set(r.spec.themes) for r in rules.rules}
    rule_ids = sorted(themes)

    people_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for person in report["people"]:
        true_id = _true_id(person, county)
        if true_id is not None:
            people_of[true_id].append(person)

    planted = {t: k for t, k in county.trajectory.items() if k in TRAJECTORIES}
    background = county.children - set(county.trajectory)
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)  # rule -> reason -> raises
    background_years = 0.0
    for true_id in background:
        for person in people_of.get(true_id, []):
            background_years += moments.history_years(person, report)
            for alert in person["alerts"]:
                by_rule[alert["rule"]][alert.get("reason", "new")] += 1
    per = 1000 / max(len(background), 1) / months

    lines = [
        f"### The synthetic county ({len(county.children):,} children, seed "
        f"{json.loads((directory / 'manifest.json').read_text('utf-8'))['seed']})",
        "",
        f"Replayed from {first} to {last} ({months:.0f} months) in {seconds:.0f} s: "
        + ", ".join(f"{k} {v:.0f} s" for k, v in report["stats"]["seconds"].items() if v >= 1)
        + ".",
        "",
        "#### Planted trajectories: recall and lead time",
        "",
        "Per trajectory and rule relevant to it (a theme in common): the planted children it "
        "alerted on in the window, and the median days from its first alert to the planted "
        "agencies' response (positive: the alert came first). Trajectories that plant no "
        "response (referrals rejected, closed for non-engagement) give the median days from the "
        "first rejected referral or non-engagement to the first alert instead.",
        "",
        "| Trajectory | Rule | Children alerted | Median lead (days) | Alert before the response |",
        "|---|---|---:|---:|---:|",
    ]
    volume_rows = []
    for kind, spec in TRAJECTORIES.items():
        kids = sorted(t for t, k in planted.items() if k == kind)
        if not kids:
            continue
        relevant = [r for r in rule_ids if themes[r] & spec["themes"]]
        any_first: list[int] = []
        any_caught = 0
        alerts_total, years_total = 0, 0.0
        for rule in relevant:
            caught, leads, before = 0, [], 0
            for true_id in kids:
                raised = sorted(
                    dt.date.fromisoformat(a["first_raised_on"])
                    for p in people_of.get(true_id, [])
                    for a in p["alerts"]
                    if a["rule"] == rule
                )
                if not raised:
                    continue
                caught += 1
                response = _response(county, true_id, kind)
                if response is not None:
                    leads.append((response - raised[0]).days)
                    before += raised[0] < response
                else:
                    anchor = _anchor(county, true_id, kind)
                    if anchor is not None:
                        leads.append((raised[0] - anchor).days)
            if caught:
                median = _median(leads)
                share = f"{before} of {len(leads)}" if spec["response"] else "(no response)"
                lines.append(
                    f"| {kind} | `{rule}` | {caught} of {len(kids)} | {median} | {share} |"
                )
        for true_id in kids:
            raised_any = sorted(
                dt.date.fromisoformat(a["first_raised_on"])
                for p in people_of.get(true_id, [])
                for a in p["alerts"]
                if a["rule"] in relevant
            )
            for p in people_of.get(true_id, []):
                alerts_total += len(p["alerts"])
                years_total += moments.history_years(p, report)
            if raised_any:
                any_caught += 1
                response = _response(county, true_id, kind)
                if response is not None:
                    any_first.append((response - raised_any[0]).days)
        lines.append(
            f"| {kind} | any relevant rule | {any_caught} of {len(kids)} | "
            f"{_median(any_first)} | "
            f"{sum(1 for d in any_first if d > 0)} of {len(any_first)} |"
            if spec["response"]
            else f"| {kind} | any relevant rule | {any_caught} of {len(kids)} | | |"
        )
        volume_rows.append(
            f"| {kind} ({spec['story']}) | {len(kids)} | {alerts_total} | "
            f"{alerts_total / max(years_total, 0.01):.1f} |"
        )
    lines += [
        "",
        "#### Alert volume",
        "",
        "| Planted children | Children | Alerts | Alerts per child per year |",
        "|---|---:|---:|---:|",
        *volume_rows,
        f"| background (in no trajectory) | {len(background):,} | {_total(by_rule):,} | "
        f"{_total(by_rule) / max(background_years, 0.01):.2f} |",
        "",
        "Background alerts per 1,000 children per month, over all rules: "
        f"**{_total(by_rule, NEW) * per:.1f}** new, "
        f"**{_total(by_rule, RAISED) * per:.1f}** with the raises again on "
        f"new evidence, and **{_total(by_rule) * per:.1f}** with the reminders as well "
        f"(target: at most {TARGET_PER_1000_MONTH:.0f}).",
        "",
        "| Rule | New | Again on new evidence | Reminders | All, per 1,000 background "
        "children per month |",
        "|---|---:|---:|---:|---:|",
    ]
    for rule in rule_ids:
        counts = by_rule.get(rule, Counter())
        if counts:
            lines.append(
                f"| `{rule}` | {counts['new'] * per:.2f} | {counts['new_evidence'] * per:.2f} | "
                f"{counts['reminder'] * per:.2f} | {sum(counts.values()) * per:.2f} |"
            )
    quiet = [r for r in rule_ids if not by_rule.get(r)]
    if quiet:
        lines += ["", "No background alerts: " + ", ".join(f"`{r}`" for r in quiet) + "."]
    return lines


NEW = ("new",)
RAISED = ("new", "new_evidence")


def _total(by_rule: dict[str, Counter[str]], reasons: tuple[str, ...] | None = None) -> int:
    return sum(n for c in by_rule.values() for r, n in c.items() if reasons is None or r in reasons)


def update_docs(lines: list[str]) -> None:
    text = DOCS.read_text("utf-8")
    block = "\n".join([START, *lines, END])
    if START in text:
        text = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n## Measurement\n\n" + block + "\n"
    DOCS.write_text(text, "utf-8")


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--years", type=int, default=3, help="county window (default 3)")
    parser.add_argument("--county", type=Path, help="a county `sightline synth` wrote")
    parser.add_argument("--skip-county", action="store_true")
    parser.add_argument("--update-docs", action="store_true")
    parser.add_argument(
        "--rules", type=Path, action="append", help="replay these rule directories (a trial)"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.rules and args.update_docs:
        parser.error("--update-docs measures the committed rule set: leave out --rules")
    copy = tempfile.TemporaryDirectory(prefix="sightline-rules-")  # removed on exit
    RULE_DIRS[:] = current_rules(args.rules or rule_dirs(), Path(copy.name))

    log("Replaying the review feeds")
    lines = review_tables(measure_reviews())
    if not args.skip_county:
        directory = args.county
        if directory is None:
            directory = (
                Path(tempfile.gettempdir()) / f"sightline-county-{args.children}-{args.seed}"
            )
            if not (directory / "manifest.json").exists():
                log(f"Generating a {args.children:,}-child county in {directory}")
                subprocess.run(
                    [sys.executable, str(ROOT / "manage.py"), "synth", "--children",
                     str(args.children), "--seed", str(args.seed), "--out", str(directory)],
                    check=True, stdout=subprocess.DEVNULL,
                )  # fmt: skip
        log(f"Replaying the county in {directory}")
        lines += ["", *measure_county(directory, args.years)]
    print("\n".join(lines))
    if args.update_docs:
        update_docs(lines)
        log(f"Updated {DOCS}")


if __name__ == "__main__":
    main()
