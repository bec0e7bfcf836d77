"""The review queue, a pair of records side by side with its decision form, a person's identity
(records, how each was linked, merges and splits), the split of a wrong merge, and finding a
person's records by a number.

For people with the identity-review capability only (selectors refuse everyone else with a
403). Every page showing a person's details is audited, one row per page view naming the pairs
and people shown; every decision goes through a service."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sightline.core.errors import InvalidTransition, ValidationFailed
from sightline.governance import audit
from sightline.governance.audit import AuditAction
from sightline.identity import merging, presenters, review, selectors
from sightline.identity.models import CandidateLink, PersonMerge
from sightline.people.selectors import person_details_for

TABS = (
    (CandidateLink.Status.PENDING, "Waiting for review"),
    (CandidateLink.Status.ASK_SOURCE, "Asked the source agency"),
    (CandidateLink.Status.CONFIRMED, "Same child"),
    (CandidateLink.Status.REJECTED, "Different children"),
)
DECISIONS = (
    (review.Verdict.CONFIRM, "Yes, they are the same child", "Their records are merged into one."),
    (
        review.Verdict.REJECT,
        "No, they are different children",
        "They will not be linked again on this evidence.",
    ),
    (
        review.Verdict.ASK_SOURCE,
        "Not sure: ask the source agency",
        "The pair waits in “Asked the source agency” until someone decides.",
    ),
)


def _page_number(request: HttpRequest) -> int:
    text = request.GET.get("page", "1")
    # isascii(): "²".isdigit() is true and int("²") a ValueError (a 500).
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 100_000 else 1


def _flash(request: HttpRequest) -> list[str]:
    return [str(m) for m in messages.get_messages(request)]


@never_cache
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", CandidateLink.Status.PENDING)
    found = selectors.candidate_queue_for(
        viewer=request.user, status=status, page=_page_number(request)
    )
    base = reverse("identity:queue")
    tabs = [
        {
            "href": f"{base}?status={code}",
            "text": label,
            "count": found.counts.get(code, 0),
            "current": code == found.status,
        }
        for code, label in TABS
    ]
    pagination: dict[str, Any] = {}
    if found.pages > 1:

        def href(n: int) -> str:
            return f"{base}?status={found.status}&page={n}"

        pagination = {
            "items": [
                {"number": n, "href": href(n), "current": n == found.page}
                for n in range(1, found.pages + 1)
                if n in (1, found.pages) or abs(n - found.page) <= 2
            ],
            "landmarkLabel": "Pages of the queue",
        }
        if found.page > 1:
            pagination["previous"] = {"href": href(found.page - 1)}
        if found.page < found.pages:
            pagination["next"] = {"href": href(found.page + 1)}
    rows = [_queue_row(c) for c in found.candidates]
    audit.record(
        request.user,
        AuditAction.MATCH_QUEUE_VIEWED,
        object_type="identity_queue",
        object_id=found.status,
        purpose="identity review",
        detail={
            "status": found.status,
            "page": found.page,
            "pairs": [c.pk for c in found.candidates],
            "people": sorted(
                {r.person_id for c in found.candidates for r in (c.record_a, c.record_b)}
            ),
        },
    )
    context = {
        "active_nav": "review",
        "found": found,
        "tabs": tabs,
        "tab_label": {str(code): label for code, label in TABS}.get(found.status, ""),
        "rows": rows,
        "pagination": pagination,
        "flash": _flash(request),
    }
    return render(request, "identity/queue.html", context)


def _queue_row(candidate: CandidateLink) -> dict[str, Any]:
    sides = []
    for record in (candidate.record_a, candidate.record_b):
        person = record.person
        assert person is not None
        payload = record.payload if isinstance(record.payload, dict) else {}
        sides.append(
            {
                "name": f"{payload.get('given_names') or ''} {payload.get('family_name') or ''}".strip()
                or "Name not recorded",
                "birth": presenters.birth_text(payload.get("birth_date")),
                "feed": record.source_system.agency.name,
                "reference": person.reference,
            }
        )
    return {
        "candidate": candidate,
        "href": reverse("identity:pair", args=[candidate.pk]),
        "sides": sides,
        "weight": presenters.weight_text(candidate.match_weight),
        "reason": presenters.reason_tag(candidate.reason),
        "status": presenters.status_tag(candidate.status),
        "decided_by": presenters.short_name(candidate.decided_by) if candidate.decided_by else "",
        "decided_on": presenters.long_date(candidate.decided_at),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def pair(request: HttpRequest, candidate_id: int) -> HttpResponse:
    found = selectors.candidate_get_for(viewer=request.user, candidate_id=candidate_id)
    errors: dict[str, str] = {}
    values = {"decision": "", "reason": ""}
    stale = ""
    if request.method == "POST":
        values = {
            "decision": request.POST.get("decision", ""),
            "reason": request.POST.get("reason", ""),
        }
        version_text = request.POST.get("version", "")
        version = int(version_text) if version_text.isdigit() else -1
        try:
            candidate = review.candidate_decide(
                actor=request.user,
                candidate_id=candidate_id,
                decision=values["decision"],
                reason=values["reason"],
                version=version,
            )
        except ValidationFailed as exc:
            errors = dict(exc.errors) or {"decision": exc.message}
            if errors.get("decision") == "conflict":
                errors = {"decision": exc.message}
        except InvalidTransition as exc:
            stale = exc.message
            found = selectors.candidate_get_for(viewer=request.user, candidate_id=candidate_id)
        else:
            return _after_decision(request, candidate, found)
    # The page shows both people (names, dates of birth, addresses): one row for the view.
    audit.record(
        request.user,
        AuditAction.MATCH_VIEWED,
        object_type="candidate_link",
        object_id=candidate_id,
        person_id=found.a.person.pk,
        purpose="identity review",
        detail={
            "people": [found.a.person.pk, found.b.person.pk],
            "references": [found.a.person.reference, found.b.person.reference],
            "records": [found.a.record.pk, found.b.record.pk],
        },
    )
    return _pair_page(request, found, errors=errors, values=values, stale=stale)


def _history(decisions: list[Any]) -> list[dict[str, str]]:
    return [
        {
            "decision": d.get_decision_display(),
            "reason": d.reason,
            "who": presenters.short_name(d.decided_by) if d.decided_by else d.actor_name,
            "when": presenters.long_date(d.decided_at),
        }
        for d in decisions
    ]


def _after_decision(
    request: HttpRequest, candidate: CandidateLink, found: selectors.CandidatePair
) -> HttpResponse:
    names = f"{found.a.person.reference} and {found.b.person.reference}"
    if candidate.status == CandidateLink.Status.CONFIRMED:
        survivor = min((found.a.person, found.b.person), key=lambda p: p.pk)
        messages.success(
            request,
            f"Merged: {names} are now one person, {survivor.reference}. "
            "If this was wrong, split the records apart below.",
        )
        return HttpResponseRedirect(
            reverse("identity:person", args=[survivor.reference]), status=303
        )
    if candidate.status == CandidateLink.Status.REJECTED:
        messages.success(request, f"Recorded: {names} are different children.")
    else:
        messages.success(
            request,
            f"Recorded: {names} are waiting for the source agency. The pair is in "
            "“Asked the source agency”.",
        )
    return HttpResponseRedirect(reverse("identity:queue"), status=303)


def _pair_page(
    request: HttpRequest,
    found: selectors.CandidatePair,
    *,
    errors: dict[str, str],
    values: dict[str, str],
    stale: str,
) -> HttpResponse:
    candidate = found.candidate
    explanation = candidate.waterfall or {}
    waterfall = presenters.present_waterfall(explanation, reason=candidate.reason)
    payload_a = candidate.record_a.payload if isinstance(candidate.record_a.payload, dict) else {}
    payload_b = candidate.record_b.payload if isinstance(candidate.record_b.payload, dict) else {}
    conflicts = merging.exclusive_conflicts([found.a.person.pk, found.b.person.pk])
    error_list = [{"text": text, "href": f"#{name}"} for name, text in errors.items()]
    # A pair that cannot be merged is not offered "Yes" (candidate_decide refuses it too).
    decisions = [d for d in DECISIONS if not (conflicts and d[0] == review.Verdict.CONFIRM)]
    context = {
        "active_nav": "review",
        "pair": found,
        "candidate": candidate,
        "waterfall": waterfall,
        "chance": presenters.chance_of(
            explanation, weight=candidate.match_weight, reason=candidate.reason
        ),
        "comparison": presenters.present_comparison(payload_a, payload_b, waterfall),
        "reason_tag": presenters.reason_tag(candidate.reason),
        "reason_sentence": presenters.reason_sentence(candidate.reason),
        "status": presenters.status_tag(candidate.status),
        "conflict": merging.conflict_message(conflicts) if conflicts else "",
        "decisions": decisions,
        "history": _history(found.decisions),
        "earlier": _history(found.earlier),
        "identifier_text": lambda i: presenters.identifier_text(i, found.issuers),
        "errors": errors,
        "error_list": error_list,
        "page_has_errors": bool(error_list),
        "values": values,
        "stale": stale,
        "long_date": presenters.long_date,
        "sex_text": presenters.sex_text,
        "link_sentence": presenters.link_sentence,
        "type_label": presenters.type_label,
        "auto_link_weight": float(settings.IDENTITY_AUTO_LINK_WEIGHT),
    }
    return render(request, "identity/pair.html", context)


@never_cache
@require_GET
def person(request: HttpRequest, reference: str) -> HttpResponse:
    found = selectors.person_identity_for(viewer=request.user, reference=reference)
    if found.was_merged:
        return HttpResponseRedirect(reverse("identity:person", args=[found.person.reference]))
    audit.record(
        request.user,
        AuditAction.PERSON_VIEWED,
        object_type="person",
        object_id=found.person.reference,
        person_id=found.person.pk,
        purpose="identity review",
    )
    context = {
        "active_nav": "review",
        "found": found,
        "person": found.person,
        "records": [
            {
                "record": rl.record,
                "sentence": presenters.link_sentence(rl.link),
            }
            for rl in found.records
        ],
        "merges": [
            {
                "merge": m,
                "sentence": presenters.merge_sentence(m),
                "split_on": presenters.long_date(m.split_at),
                "split_by": presenters.short_name(m.split_by) if m.split_by else m.split_by_name,
                "moved": _moved_text(m),
            }
            for m in found.merges
        ],
        "long_date": presenters.long_date,
        "sex_text": presenters.sex_text,
        "reason_tag": presenters.reason_tag,
        "identifier_text": lambda i: presenters.identifier_text(i, found.issuers),
        "recorded": person_details_for(viewer=request.user, person=found.person),
        "flash": _flash(request),
    }
    return render(request, "identity/person.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def find(request: HttpRequest) -> HttpResponse:
    """Find a person's records by a number: for identity review, never a name search."""
    selectors.require_reviewer(request.user)
    text = ""
    error = ""
    people = None
    if request.method == "POST":
        text = request.POST.get("number", "").strip()
        if not text:
            error = "Enter a Sightline reference, NHS number, UPN, PNC ID or agency reference"
        elif len(text) > 64:
            error = "The number must be 64 characters or fewer"
        else:
            people = selectors.person_lookup_for(viewer=request.user, text=text)
            audit.record(
                request.user,
                AuditAction.PERSON_SEARCHED,
                object_type="person_search",
                purpose="identity review",
                detail={
                    "identifier": text,
                    "result_count": len(people),
                    "people": [p.pk for p in people],
                },
            )
    context = {
        "active_nav": "identity_find",
        "number": text,
        "error": error,
        "error_list": [{"text": error, "href": "#number"}] if error else [],
        "page_has_errors": bool(error),
        "people": people,
    }
    return render(request, "identity/find.html", context)


# What a merge moved, as people say it (other declared fields: the model's verbose names).
MOVED_NOUNS = {
    "people.PersonName.person": ("name", "names"),
    "people.Identifier.person": ("identifier", "identifiers"),
    "people.Address.person": ("address", "addresses"),
    "people.NameKey.person": ("name search key", "name search keys"),
    "people.Relationship.from_person": ("relationship", "relationships"),
    "people.Relationship.to_person": ("relationship (to them)", "relationships (to them)"),
    "chronology.EntrySubject.person": ("chronology entry", "chronology entries"),
    "cases.Involvement.person": ("involvement", "involvements"),
    "governance.AccessGrant.person": ("access grant", "access grants"),
    "records.SourceRecord.person": ("source record", "source records"),
    "identity.IdentityLink.person": ("identity link", "identity links"),
}


def _moved_text(merge: PersonMerge) -> list[str]:
    out = []
    for label, ids in merge.moved.items():
        one, many = MOVED_NOUNS.get(label, ("", ""))
        if not one:
            try:
                app_label, model_name, _field = label.split(".")
                meta = apps.get_model(app_label, model_name)._meta
                one, many = str(meta.verbose_name), str(meta.verbose_name_plural)
            except (ValueError, LookupError):
                one = many = label
        out.append(f"{len(ids)} {one if len(ids) == 1 else many}")
    return out


@never_cache
@require_http_methods(["GET", "POST"])
def split(request: HttpRequest, merge_id: int) -> HttpResponse:
    merge = selectors.merge_get_for(viewer=request.user, merge_id=merge_id)
    errors: dict[str, str] = {}
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            merging.person_split(actor=request.user, merge=merge.pk, reason=reason)
        except ValidationFailed as exc:
            errors = dict(exc.errors) or {"reason": exc.message}
        except InvalidTransition as exc:
            errors = {"reason": exc.message}
        else:
            messages.success(
                request,
                f"Split: {merge.merged.reference} is a separate person again, with the records "
                "the merge had moved. The two will not be linked again on the same evidence.",
            )
            return HttpResponseRedirect(
                reverse("identity:person", args=[merge.survivor.reference]), status=303
            )
    error_list = [{"text": text, "href": "#reason"} for text in errors.values()]
    audit.record(
        request.user,
        AuditAction.PERSON_VIEWED,
        object_type="person_merge",
        object_id=merge.pk,
        person_id=merge.survivor_id,
        purpose="identity review",
        detail={
            "people": [merge.survivor_id, merge.merged_id],
            "references": [merge.survivor.reference, merge.merged.reference],
        },
    )
    context = {
        "active_nav": "review",
        "merge": merge,
        "sentence": presenters.merge_sentence(merge),
        "moved": _moved_text(merge),
        "errors": errors,
        "error_list": error_list,
        "page_has_errors": bool(error_list),
        "reason": reason,
    }
    return render(request, "identity/split.html", context)
