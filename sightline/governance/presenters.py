"""What the auditor's pages say about audit rows: the action in words, who, about which child,
why and from where. A row's detail is shown only where it says what was done (a search's
terms, a refusal's reason, an export's format): never a story's filters, an entry's type or
anything else of a child's record."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from sightline.core import clock
from sightline.governance import flags, selectors
from sightline.governance.audit import AuditAction
from sightline.governance.breakglass import ReviewOutcome
from sightline.governance.models import BreakGlass
from sightline.governance.vocabulary import break_glass_reasons

A = AuditAction
ACTION_LABELS: dict[str, str] = {
    A.SIGNED_IN: "Signed in",
    A.SIGNED_OUT: "Signed out",
    A.SIGN_IN_FAILED: "Sign-in refused",
    A.PERSON_SEARCHED: "Searched for a child",
    A.PERSON_VIEWED: "Opened a child's record",
    A.STORY_VIEWED: "Viewed a child's story",
    A.STORY_EXPORTED: "Exported a child's story",
    A.ENTRY_VIEWED: "Viewed an entry",
    A.ENTRY_RECORDED: "Recorded an entry",
    A.ENTRY_CORRECTED: "Corrected an entry",
    A.ENTRY_MARKED_IN_ERROR: "Marked an entry as entered in error",
    A.BATCH_IMPORTED: "Imported a feed file",
    A.BATCH_REJECTED: "A feed file was refused",
    A.SOURCE_REGISTERED: "Registered a feed",
    A.PEOPLE_LINKED: "Linked people across feeds",
    A.PEOPLE_MERGED: "Merged two people's records",
    A.PERSON_SPLIT: "Split a merge",
    A.MATCH_DECIDED: "Decided a possible match",
    A.MATCH_QUEUE_VIEWED: "Viewed the match review queue",
    A.MATCH_VIEWED: "Viewed a possible match",
    A.PEOPLE_EXPORTED: "Exported everyone's references",
    A.ACCESS_GRANTED: "Gave access to a child",
    A.ACCESS_REFUSED: "Refused a child's record",
    A.ACCOUNT_CREATED: "Created an account",
    A.ROLE_GIVEN: "Gave a role",
    A.SYSTEM_ACCESS: "The system read records",
    A.BREAK_GLASS: "Used break-glass access",
    A.SHARING_DECIDED: "Recorded a sharing decision",
    A.BREAK_GLASS_ENDED: "Ended break-glass access",
    A.BREAK_GLASS_REVIEWED: "Reviewed a break-glass use",
    A.BREAK_GLASS_LISTED: "Listed break-glass uses for review",
    A.LOCKDOWN_VIEWED: "Saw whom to contact about a child (lock-down view)",
    A.AUDIT_SEARCHED: "Searched the audit log",
    A.AUDIT_CHILD_VIEWED: "Viewed who has looked at a child",
    A.AUDIT_FLAGS_VIEWED: "Viewed the unusual-access flags",
    A.AUDIT_VERIFIED: "Checked the audit chain",
    A.AUDIT_HEAD_EXPORTED: "Exported the audit chain's head",
    A.AGENCY_CREATED: "Added an agency",
    A.TEAM_CREATED: "Added a team",
    A.ALERT_RAISED: "An alert was raised",
    A.ALERT_UPDATED: "An alert gained new evidence",
    A.ALERT_ACKNOWLEDGED: "Acknowledged an alert",
    A.ALERT_ACTIONED: "Recorded an action on an alert",
    A.ALERT_DISMISSED: "Dismissed an alert",
    A.ALERT_VIEWED: "Viewed an alert",
    A.ALERTS_LISTED: "Listed alerts",
    A.REFERRAL_MADE: "Made a referral",
    A.REFERRAL_VIEWED: "Viewed a referral",
    A.REFERRAL_QUEUE_VIEWED: "Viewed the front door's queue",
    A.REFERRAL_ACKNOWLEDGED: "Acknowledged a referral",
    A.REFERRAL_TRIAGED: "Triaged a referral",
    A.REFERRAL_DECIDED: "Decided a referral",
    A.REFERRAL_ALLOCATED: "Allocated a referral",
    A.REFERRAL_RECONSIDERED: "Reconsidered a referral's decision",
    A.INVOLVEMENT_STARTED: "Started an agency's involvement with a child",
    A.REFERRAL_ASKED: "Asked about a referral",
    A.REFERRAL_ANSWERED: "Answered a question about a referral",
    A.REFERRAL_ASSESSMENT_COMPLETED: "Completed a referral's assessment",
    A.REFERRAL_ESCALATED: "A referral's clock escalated",
    A.REFERRAL_FROM_FEED: "A feed line opened or updated a referral",
    A.REFERRAL_REFUSED: "A change to a referral was refused",
    A.DISAGREEMENT_RAISED: "Raised a professional disagreement",
    A.DISAGREEMENT_ANSWERED: "Answered a professional disagreement",
    A.DISAGREEMENT_ESCALATED: "Escalated a professional disagreement",
    A.DISAGREEMENT_MOVED_UP: "A disagreement moved up a stage",
    A.DISAGREEMENT_RESOLVED: "Resolved a professional disagreement",
    A.DISAGREEMENT_WITHDRAWN: "Withdrew a professional disagreement",
    A.DISAGREEMENT_VIEWED: "Viewed a professional disagreement",
    A.DISAGREEMENT_REPORT_VIEWED: "Viewed the escalation report",
    A.STEP_REQUESTED: "Asked for a step up or down",
    A.STEP_VIEW_GIVEN: "Gave an agency's view on a step up or down",
    A.STEP_DECIDED: "Decided a step up or down",
    A.STEP_WITHDRAWN: "Withdrew a step up or down",
    A.STEP_REQUEST_VIEWED: "Viewed a step up or down",
    A.CLOSURE_PROPOSED: "Proposed a closure",
    A.CLOSURE_ANSWERED: "Answered a closure proposal",
    A.CLOSURE_WITHDRAWN: "Withdrew a closure proposal",
    A.CLOSURE_TOOK_EFFECT: "A closure took effect",
    A.CLOSURE_VIEWED: "Viewed a closure proposal",
    A.LAST_AGENCY_FLAGGED: "Flagged the last agency standing",
    A.LAST_AGENCY_CLEARED: "Cleared the last agency standing flag",
    A.TWO_FACTOR_ENROLLED: "Set up two-factor sign-in",
    A.TWO_FACTOR_BACKUP_CODES_REPLACED: "Made new backup codes",
    A.TWO_FACTOR_RESET: "Reset a user's two-factor sign-in",
    A.SESSIONS_ENDED: "Signed a user out everywhere",
    A.SUBJECT_ACCESS_OPENED: "Opened a subject access request",
    A.SUBJECT_ACCESS_EXPORTED: "Exported a subject access pack",
    A.SUBJECT_ACCESS_SIGNED_OFF: "Signed off a subject access pack",
    A.SUBJECT_ACCESS_VIEWED: "Viewed a subject access request",
    A.LEGAL_HOLD_PLACED: "Placed a legal hold",
    A.LEGAL_HOLD_LIFTED: "Lifted a legal hold",
    A.RETENTION_PLANNED: "Planned a retention deletion run",
    A.RETENTION_APPROVED: "Approved a retention deletion run",
    A.RETENTION_REFUSED: "Refused a retention action",
    A.RETENTION_EXECUTED: "Executed a retention deletion run",
    A.PERSON_DELETED: "Deleted a person's records (retention)",
    A.USER_LEFT: "Recorded that a user has left",
    A.PASSWORD_SET: "Set their password from an invitation",
    A.PASSWORD_LINK_MADE: "Made a link for a user to set their password",
    A.USER_RETURNED: "Gave a user who had left their account back",
    A.ACCESS_GRANT_ENDED: "Ended a manual access grant",
    A.ADMINISTRATION_VIEWED: "Viewed an administration page",
    A.API_TOKEN_CREATED: "Made an API token",
    A.API_TOKEN_REVOKED: "Revoked an API token",
    A.API_TOKEN_USED: "Called the API with a token",
    A.API_TOKEN_REFUSED: "An API token was refused",
}
# Every action the code can record has words here (a test checks it).
assert set(ACTION_LABELS) == {str(a) for a in AuditAction}


def action_choices(selected: str) -> list[dict[str, Any]]:
    items = [{"value": "", "text": "Any action", "selected": not selected}]
    items += [
        {"value": code, "text": text, "selected": code == selected}
        for code, text in sorted(ACTION_LABELS.items(), key=lambda kv: kv[1])
    ]
    return items


def when_text(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%b %Y} {local:%H:%M:%S}"


def day_text(value: dt.date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def period_text(first: dt.date, last: dt.date) -> str:
    if first == last:
        return day_text(first)
    return f"{day_text(first)} to {day_text(last)}"


def _shown_detail(action: str, detail: Any) -> str:
    """The detail that says what was done, and nothing of a child's record."""
    d = detail if isinstance(detail, dict) else {}
    if action == A.PERSON_SEARCHED:
        terms = [
            f"{label} \u201c{d[key]}\u201d"
            for key, label in (("name", "name"), ("birth_date", "born"), ("identifier", "number"))
            if d.get(key)
        ]
        count = d.get("result_count")
        found = f"; {count} found" if isinstance(count, int) else ""
        return ("Searched by " + ", ".join(terms) if terms else "An empty search") + found
    if action == A.ACCESS_REFUSED:
        return f"Asked for {d.get('path') or 'a record'}"
    if action == A.SIGN_IN_FAILED:
        return f"As \u201c{d.get('username', '')}\u201d: {d.get('reason', '')}".strip()
    if action == A.STORY_EXPORTED:
        fmt = d.get("format")
        return f"As {str(fmt).upper()}" if fmt else ""
    if action in (A.AUDIT_SEARCHED,):
        asked = [
            f"{k} {v}"
            for k, v in d.items()
            if k in ("reference", "practitioner", "action", "from", "to") and v
        ]
        return "By " + ", ".join(asked) if asked else "Everything"
    if action == A.AUDIT_HEAD_EXPORTED:
        return f"Row {d.get('seq')}"
    if action == A.AUDIT_VERIFIED:
        return "Intact" if d.get("ok") else f"Broken: {d.get('problem', '')}"
    if d.get("via") == "api":
        return "Through the API"
    return ""


def row(r: selectors.AuditRow) -> dict[str, Any]:
    e = r.event
    return {
        "seq": e.seq,
        "when": when_text(e.occurred_at),
        "who": selectors._name(e),
        "email": getattr(e.actor, "email", "") if e.actor_id else "",
        "role": selectors.role_label(e.actor_role),
        "agency": r.agency_name,
        "what": ACTION_LABELS.get(e.action, e.action),
        "shown_detail": _shown_detail(e.action, e.detail),
        "reference": r.reference,
        "child_href": reverse("audit:child", args=[r.reference]) if r.reference else "",
        "purpose": e.purpose,
        "basis": r.basis.text if r.basis else "",
        "unrelated": bool(r.basis and not r.basis.related),
        "address": e.client_address or "",
    }


def looker(lk: selectors.Looker) -> dict[str, Any]:
    why = lk.purposes + [b for b in lk.bases if b not in lk.purposes]
    return {
        "name": lk.name,
        "email": lk.email,
        "role": lk.role,
        "agency": lk.agency_name,
        "looks": lk.looks,
        "refused": lk.refused,
        "first": when_text(lk.first_at),
        "last": when_text(lk.last_at),
        "why": why or ["Not recorded"],
        "unrelated": lk.unrelated,
    }


def flag(f: flags.Flag) -> dict[str, Any]:
    rule = next((r for r in flags.flag_rules() if r.code == f.rule), None)
    query: list[tuple[str, str]] = [("practitioner", f.actor_name)]
    if f.day:
        for prefix in ("from", "to"):
            query += [
                (f"{prefix}-day", str(f.day.day)),
                (f"{prefix}-month", str(f.day.month)),
                (f"{prefix}-year", str(f.day.year)),
            ]
    if len(f.actions) == 1:
        query.append(("action", f.actions[0]))

    return {
        "rule": rule.title if rule else f.rule,
        "who": f.actor_name,
        "day": day_text(f.day) if f.day else "In the period",
        "summary": f.summary,
        "count": f.count,
        "evidence_href": f"{reverse('audit:search')}?{urlencode(query)}",
    }


def break_glass_row(bg: BreakGlass) -> dict[str, Any]:
    """One break-glass use as the reviewer reads it: who, which child (by reference), when,
    for how long, the reason chosen and the words given, and the review. Nothing of the
    child's record."""
    user = bg.user
    now = clock.now()
    ended_early = bg.ended_at is not None and bg.ended_at < bg.ends_at
    return {
        "id": bg.pk,
        "who": f"{user.first_name} {user.last_name}".strip() or user.username,
        "email": user.email,
        "role": selectors.role_label(bg.role),
        "agency": bg.agency.name if bg.agency_id and bg.agency else "",
        "reference": bg.person.reference,
        "child_href": reverse("audit:child", args=[bg.person.reference]),
        "href": reverse("audit:break_glass", args=[bg.pk]),
        "started": when_text(bg.started_at),
        "until": when_text(bg.until),
        "ended_early": ended_early,
        "current": bg.started_at <= now < bg.until,
        "reason": break_glass_reasons().get(bg.reason, bg.reason),
        "reason_text": bg.reason_text,
        "reviewed": bg.reviewed_at is not None,
        "reviewed_at": when_text(bg.reviewed_at),
        "reviewed_by": (
            f"{bg.reviewed_by.first_name} {bg.reviewed_by.last_name}".strip()
            or bg.reviewed_by.username
        )
        if bg.reviewed_by_id and bg.reviewed_by
        else "",
        "outcome": ReviewOutcome.LABELS.get(bg.review_outcome, ""),
        "appropriate": bg.review_outcome == ReviewOutcome.APPROPRIATE,
        "note": bg.review_note,
    }
