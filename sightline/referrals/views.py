"""The referral pages: make a referral (from the child's page), follow the ones you made, the
front door's queue, and one referral's page with what each side can do there (acknowledge,
triage, decide, allocate, ask, answer, record the assessment).

Every page resolves the referral through `selectors.referral_get_for` (a viewer who may not
open it gets the same "not found" page as for a referral that does not exist) and every page
showing a referral's content is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sightline.cases.selectors import involvements_for
from sightline.chronology import selectors as story
from sightline.chronology.filters import StoryFilters
from sightline.chronology.presenters import (
    IdentityView,
    present_entry,
    present_identity,
    present_row,
    sensitivity_label,
)
from sightline.core import clock
from sightline.core.errors import AccessDenied, InvalidTransition, NotFound, ValidationFailed
from sightline.core.extensions import panels_for
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.policy import Capability
from sightline.governance.vocabulary import sensitivities
from sightline.referrals import forms, presenters, selectors, services
from sightline.referrals.extensions import (
    TRIAGE_PAGE,
    TRIAGE_SLOT,
    queue_flags_for,
    reconsideration_grounds_for,
)
from sightline.referrals.models import Referral, ReferralEvent, ReferralEvidence
from sightline.referrals.vocabulary import DECISIONS, reasons
from sightline.referrals.vocabulary import services as service_list

EVIDENCE_CHOICES = 30


def _detail_url(referral_id: int) -> str:
    return reverse("referrals:detail", args=[referral_id])


def _identity(request: HttpRequest, child: story.Child) -> IdentityView:
    found = story.child_identity_for(viewer=request.user, child=child)
    return present_identity(
        found.person,
        identifiers=found.identifiers,
        address=found.address,
        other_names=found.other_names,
        today=clock.today(),
        recorded=found.recorded,
        issuer_names=story.identifier_issuers_for(viewer=request.user, child=child),
    )


def _audit_view(request: HttpRequest, referral: Referral, page: str, **detail: Any) -> None:
    audit.record(
        request.user,
        AuditAction.REFERRAL_VIEWED,
        object_type="referral",
        object_id=referral.pk,
        person_id=referral.person_id,
        detail={"page": page, "method": request.method, **detail},
    )


def _rows(request: HttpRequest, referrals: list[Referral]) -> list[presenters.ReferralRow]:
    now = clock.now()
    flags = queue_flags_for(request.user, [r.person_id for r in referrals])
    return [
        presenters.present_row(r, url=_detail_url(r.pk), now=now, flags=flags.get(r.person_id, []))
        for r in referrals
    ]


# --- lists --------------------------------------------------------------------------------------


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The referrals the viewer made (or their agency made): status, decision and reason,
    allocated to whom, the next deadline."""
    access.require(request.user, Capability.MAKE_REFERRALS)
    whole_agency = request.GET.get("who") == "agency"
    found = selectors.referrals_made_for(viewer=request.user, mine_only=not whole_agency)
    audit.record(
        request.user,
        AuditAction.REFERRAL_QUEUE_VIEWED,
        object_type="referral_list",
        detail={"page": "mine", "who": "agency" if whole_agency else "me", "shown": len(found)},
    )
    return render(
        request,
        "referrals/mine.html",
        {
            "rows": _rows(request, found),
            "whole_agency": whole_agency,
            "active_nav": "referrals_mine",
        },
    )


@require_GET
def front_door(request: HttpRequest) -> HttpResponse:
    """The receiving side's queue: fast track first, then the nearest deadline."""
    scope = access.scope_for(request.user)
    if not (scope.can(Capability.RECEIVE_REFERRALS) or scope.can(Capability.DECIDE_REFERRALS)):
        raise AccessDenied("Your role does not receive referrals.")
    to_decide = selectors.front_door_for(viewer=request.user, status=Referral.Status.RECEIVED)
    to_allocate = selectors.front_door_for(viewer=request.user, status=Referral.Status.DECIDED)
    audit.record(
        request.user,
        AuditAction.REFERRAL_QUEUE_VIEWED,
        object_type="referral_list",
        detail={"page": "front_door", "shown": len(to_decide) + len(to_allocate)},
    )
    agency = request.user.membership.agency.name if hasattr(request.user, "membership") else ""
    return render(
        request,
        "referrals/front_door.html",
        {
            "to_decide": _rows(request, to_decide),
            "to_allocate": _rows(request, to_allocate),
            "agency": agency,
            "active_nav": "referrals_front_door",
        },
    )


# --- making a referral --------------------------------------------------------------------------


def _evidence_choices(request: HttpRequest, child: story.Child) -> list[Any]:
    page = story.story_for(
        viewer=request.user, child=child, filters=StoryFilters(), per_page=EVIDENCE_CHOICES
    )
    return [
        present_entry(row.entry, viewer_agency_id=child.scope.agency_id)
        for row in page.rows
        if isinstance(row, story.StoryRow) and not row.entry.entered_in_error
    ]


def _sensitivity_items() -> list[tuple[str, str]]:
    return [(code, sensitivity_label(code)) for code in sensitivities()]


def _available_services() -> list[Any]:
    today = clock.today()
    return [s for s in service_list().by_code.values() if s.available_on(today)]


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, reference: str) -> HttpResponse:
    child = story.child_get_for(viewer=request.user, reference=reference)
    if child.was_merged:
        return HttpResponseRedirect(reverse("referrals:new", args=[child.person.reference]))
    access.require(request.user, Capability.MAKE_REFERRALS)
    status = 200
    if request.method == "POST":
        form, fields = forms.read_referral_form(request.POST)
        if not form.errors:
            try:
                referral = services.referral_make(
                    actor=request.user, person=child.person, fields=fields
                )
            except ValidationFailed as exc:
                form.add_errors(exc.errors)
            else:
                messages.success(
                    request,
                    f"Referral made to {referral.receiving_agency.name}. You will see here "
                    "when it is received, decided and allocated.",
                )
                return HttpResponseRedirect(_detail_url(referral.pk))
        status = 400
    else:
        form = forms.Form(
            values={"sensitivity": "standard", "kind": "referral", "evidence": []},
            order=forms.REFERRAL_ORDER,
        )
    audit.record(
        request.user,
        AuditAction.PERSON_VIEWED,
        object_type="person",
        object_id=child.person.reference,
        person_id=child.person.pk,
        detail={"page": "referral_new", "method": request.method},
    )
    return render(
        request,
        "referrals/new.html",
        {
            "person": child.person,
            "identity": _identity(request, child),
            "form": form,
            "v": form.values,
            "e": form.errors,
            "error_list": form.error_list(),
            "services": _available_services(),
            "consents": services.CONSENTS,
            "consent_labels": dict(Referral.Consent.choices),
            "risks": services.RISKS,
            "risk_labels": dict(Referral.Risk.choices),
            "evidence_choices": _evidence_choices(request, child),
            "sensitivities": _sensitivity_items(),
        },
        status=status,
    )


# --- one referral -------------------------------------------------------------------------------


def _history_at_a_glance(request: HttpRequest, referral: Referral) -> dict[str, Any] | None:
    """What the child's story says at a glance, for this viewer: its significant entries, how
    many entries and which agencies are involved."""
    try:
        child = story.child_get_for(viewer=request.user, reference=referral.person.reference)
    except NotFound:  # pragma: no cover - a referral's viewer may see its child
        return None
    significant = story.story_for(
        viewer=request.user,
        child=child,
        filters=StoryFilters(significant_only=True),
        per_page=6,
    )
    everything = story.story_for(
        viewer=request.user, child=child, filters=StoryFilters(), per_page=1
    )
    today = clock.today()
    involved = [
        i
        for i in involvements_for(viewer=request.user, person=referral.person)
        if i.ended_on is None or i.ended_on >= today
    ]
    return {
        "entries": [
            present_row(row, viewer_agency_id=child.scope.agency_id) for row in significant.rows
        ],
        "significant_total": significant.total,
        "total": everything.total,
        "agencies": sorted({i.agency.name for i in involved}),
        "child_url": reverse("chronology:child", args=[referral.person.reference]),
    }


def _evidence(request: HttpRequest, referral: Referral) -> tuple[list[Any], int]:
    child = story.Child(
        person=referral.person,
        scope=access.scope_for(request.user),
        requested_reference=referral.person.reference,
    )
    shown, hidden = [], 0
    for item in ReferralEvidence.objects.filter(referral=referral).order_by("entry_id"):
        try:
            row = story.entry_get_for(viewer=request.user, child=child, entry_id=item.entry_id)
        except NotFound:
            hidden += 1
            continue
        shown.append(present_entry(row.entry, viewer_agency_id=child.scope.agency_id))
    return shown, hidden


def _context(request: HttpRequest, referral: Referral, **extra: Any) -> dict[str, Any]:
    scope = access.scope_for(request.user)
    sides = selectors.sides_of(request.user, referral)
    now = clock.now()
    events = selectors.events_of(referral)
    answered = {e.reply_to_id for e in events if e.reply_to_id is not None}
    evidence, hidden = _evidence(request, referral)
    open_questions = [
        e for e in events if e.kind == ReferralEvent.Kind.QUESTION and e.pk not in answered
    ]
    can_decide = sides.receiver and scope.can(Capability.DECIDE_REFERRALS)
    can_receive = sides.receiver and scope.can(Capability.RECEIVE_REFERRALS)

    def answerable(question: ReferralEvent) -> bool:
        by_referrer = question.agency_id == referral.referring_agency_id and (
            question.agency_id != referral.receiving_agency_id
        )
        return sides.receiver if by_referrer else sides.referrer

    open_status = referral.status in (Referral.Status.RECEIVED, Referral.Status.DECIDED)
    return {
        "referral": referral,
        "r": presenters.present_row(referral, url=_detail_url(referral.pk), now=now),
        "person": referral.person,
        "sides": sides,
        "clocks": [presenters.present_clock(c, now) for c in selectors.clocks_of(referral)],
        "events": [presenters.present_event(e, answered_ids=answered) for e in events],
        "replies": {e.reply_to_id: e for e in events if e.reply_to_id is not None},
        "open_questions": [q for q in open_questions if answerable(q)],
        "evidence": evidence,
        "evidence_hidden": hidden,
        "consent_label": Referral.Consent(referral.consent).label,
        "risk_label": Referral.Risk(referral.risk).label,
        "can_acknowledge": can_receive and referral.acknowledged_at is None,
        "can_triage": can_receive and open_status,
        "can_decide": can_decide and referral.status == Referral.Status.RECEIVED,
        "can_allocate": can_decide and referral.status == Referral.Status.DECIDED,
        "can_reconsider": can_decide and services.reconsideration_refusal(referral) is None,
        "earlier_decisions": [
            presenters.present_earlier(d) for d in selectors.earlier_decisions_of(referral)
        ],
        "can_complete": sides.receiver
        and referral.status == Referral.Status.ALLOCATED
        and referral.decision == "accepted_for_assessment"
        and (referral.allocated_to_id == request.user.pk or can_decide),
        "significant_harm": referral.risk == Referral.Risk.SIGNIFICANT_HARM,
        "consent_advice": services.CONSENT_ADVICE,
        "consent_advice_source": services.CONSENT_ADVICE_SOURCE,
        "flash": list(messages.get_messages(request)),
        **extra,
    }


def _referral(request: HttpRequest, referral_id: int) -> Referral:
    return selectors.referral_get_for(viewer=request.user, referral_id=referral_id)


@require_GET
def detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    context = _context(request, referral)
    if context["sides"].receiver:
        context["glance"] = _history_at_a_glance(request, referral)
        context["panels"] = panels_for(TRIAGE_PAGE, TRIAGE_SLOT, request.user, referral.person)
    _audit_view(request, referral, "detail")
    return render(request, "referrals/detail.html", context)


def _conflict(
    request: HttpRequest, referral_id: int, exc: InvalidTransition, template: str, **extra: Any
) -> HttpResponse:
    """The page again, with what the other person did and the current state (HTTP 409)."""
    referral = _referral(request, referral_id)
    context = _context(request, referral, **extra)
    context["error_list"] = [{"text": exc.message, "href": "#referral-summary"}]
    context["conflict"] = exc.message
    _audit_view(request, referral, template, refused=True)
    return render(request, f"referrals/{template}.html", context, status=409)


@require_POST
def acknowledge(request: HttpRequest, referral_id: int) -> HttpResponse:
    try:
        services.referral_acknowledge(
            actor=request.user,
            referral_id=referral_id,
            expected_version=forms.read_version(request.POST),
        )
    except InvalidTransition as exc:
        return _conflict(request, referral_id, exc, "detail")
    messages.success(request, "Referral acknowledged. The referrer has been told.")
    return HttpResponseRedirect(_detail_url(referral_id))


@require_http_methods(["GET", "POST"])
def triage(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    form = forms.Form(
        values={"rag": referral.rag, "rag_note": referral.rag_note}, order=("rag", "rag_note")
    )
    status = 200
    if request.method == "POST":
        form = forms.Form(
            values={
                "rag": forms.get_text(request.POST, "rag"),
                "rag_note": forms.get_text(request.POST, "rag_note"),
            },
            order=("rag", "rag_note"),
        )
        try:
            services.referral_triage(
                actor=request.user,
                referral_id=referral_id,
                expected_version=forms.read_version(request.POST),
                rag=form.values["rag"],
                note=form.values["rag_note"],
            )
        except ValidationFailed as exc:
            form.add_errors(exc.errors)
            status = 400
        except InvalidTransition as exc:
            return _conflict(request, referral_id, exc, "triage", form=form, e={}, v=form.values)
        else:
            messages.success(request, "Triage recorded.")
            return HttpResponseRedirect(_detail_url(referral_id))
    else:
        services.require_receiving_side(request.user, referral, "triage")
    _audit_view(request, referral, "triage")
    return render(
        request,
        "referrals/triage.html",
        _context(
            request,
            referral,
            form=form,
            v=form.values,
            e=form.errors,
            error_list=form.error_list(),
            rags=services.RAGS,
        ),
        status=status,
    )


def _decision_options(referral: Referral) -> list[dict[str, Any]]:
    listed = reasons()
    return [
        {
            "code": code,
            "label": label,
            "reasons": [(r.code, r.label) for r in listed.for_decision(code)],
        }
        for code, label in DECISIONS.items()
    ]


@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    status = 200
    form = forms.Form(
        values={"decision": "", "reasons": [], "text": ""}, order=forms.DECISION_ORDER
    )
    if request.method == "POST":
        form, fields, version = forms.read_decision_form(request.POST)
        try:
            decided = services.referral_decide(
                actor=request.user, referral_id=referral_id, expected_version=version, fields=fields
            )
        except ValidationFailed as exc:
            form.add_errors(exc.errors)
            status = 400
        except InvalidTransition as exc:
            return _conflict(
                request,
                referral_id,
                exc,
                "decide",
                form=form,
                v=form.values,
                e={},
                decisions=_decision_options(referral),
            )
        else:
            messages.success(
                request,
                f"Decision recorded: {DECISIONS[decided.decision].lower()}. The referrer has "
                "been told, and it is in the child's story.",
            )
            return HttpResponseRedirect(_detail_url(referral_id))
    else:
        services.require_receiving_side(request.user, referral, "decide")
    _audit_view(request, referral, "decide")
    return render(
        request,
        "referrals/decide.html",
        _context(
            request,
            referral,
            form=form,
            v=form.values,
            e=form.errors,
            error_list=form.error_list(),
            decisions=_decision_options(referral),
        ),
        status=status,
    )


def _ground_items(grounds: list[Any], chosen: str) -> list[dict[str, Any]]:
    items = [
        {"value": str(g.id), "text": g.label, "hint": g.status, "checked": chosen == str(g.id)}
        for g in grounds
    ]
    items.append(
        {
            "value": "none",
            "text": "No disagreement: I am reconsidering it as a manager",
            "hint": "Give your reason below",
            "checked": chosen == "none",
        }
    )
    return items


@require_http_methods(["GET", "POST"])
def reconsider(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    services.require_receiving_side(request.user, referral, "reconsider")
    grounds = reconsideration_grounds_for(request.user, referral)
    chosen = forms.get_text(request.GET, "disagreement")
    form = forms.Form(
        values={"disagreement": chosen, "reason": ""}, order=("disagreement", "reason")
    )
    status = 200
    if request.method == "POST":
        form = forms.Form(
            values={
                "disagreement": forms.get_text(request.POST, "disagreement"),
                "reason": forms.get_text(request.POST, "reason"),
            },
            order=("disagreement", "reason"),
        )
        picked = form.values["disagreement"]
        disagreement_id = forms.read_int(picked) if picked not in ("", "none") else None
        if picked not in ("", "none") and disagreement_id is None:
            disagreement_id = -1  # not a number: refused by the service as not in the list
        try:
            services.referral_reconsider(
                actor=request.user,
                referral_id=referral_id,
                expected_version=forms.read_version(request.POST),
                disagreement_id=disagreement_id,
                reason=form.values["reason"],
            )
        except ValidationFailed as exc:
            form.add_errors(exc.errors)
            status = 400
        except InvalidTransition as exc:
            return _conflict(
                request,
                referral_id,
                exc,
                "reconsider",
                form=form,
                v=form.values,
                e={},
                ground_items=_ground_items(grounds, form.values["disagreement"]),
            )
        else:
            messages.success(
                request,
                "The decision is reconsidered: the referral is waiting for a new decision. The "
                "referrer has been told, and it is in the child's story.",
            )
            return HttpResponseRedirect(_detail_url(referral_id))
    _audit_view(request, referral, "reconsider")
    return render(
        request,
        "referrals/reconsider.html",
        _context(
            request,
            referral,
            form=form,
            v=form.values,
            e=form.errors,
            error_list=form.error_list(),
            ground_items=_ground_items(grounds, form.values["disagreement"]),
            refusal=services.reconsideration_refusal(referral),
        ),
        status=status,
    )


@require_http_methods(["GET", "POST"])
def allocate(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    services.require_receiving_side(request.user, referral, "allocate")
    status = 200
    form = forms.Form(values={"worker": ""}, order=("worker",))
    if request.method == "POST":
        form = forms.read_text_form(request.POST, "worker")
        worker_id = forms.read_int(form.values["worker"])
        try:
            services.referral_allocate(
                actor=request.user,
                referral_id=referral_id,
                expected_version=forms.read_version(request.POST),
                worker_id=worker_id if worker_id is not None else -1,
            )
        except ValidationFailed as exc:
            form.add_errors(exc.errors)
            status = 400
        except InvalidTransition as exc:
            return _conflict(
                request,
                referral_id,
                exc,
                "allocate",
                form=form,
                v=form.values,
                e={},
                workers=services.allocatable_workers(referral),
            )
        else:
            messages.success(
                request, "Referral allocated. The worker and the referrer have been told."
            )
            return HttpResponseRedirect(_detail_url(referral_id))
    _audit_view(request, referral, "allocate")
    return render(
        request,
        "referrals/allocate.html",
        _context(
            request,
            referral,
            form=form,
            v=form.values,
            e=form.errors,
            error_list=form.error_list(),
            workers=services.allocatable_workers(referral),
        ),
        status=status,
    )


@require_http_methods(["GET", "POST"])
def assessment(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    services.require_receiving_side(request.user, referral, "record the assessment of")
    status = 200
    form = forms.Form(values={"summary": ""}, order=("summary",))
    if request.method == "POST":
        form = forms.read_text_form(request.POST, "summary")
        try:
            services.referral_complete_assessment(
                actor=request.user,
                referral_id=referral_id,
                expected_version=forms.read_version(request.POST),
                summary=form.values["summary"],
            )
        except ValidationFailed as exc:
            form.add_errors(exc.errors)
            status = 400
        except InvalidTransition as exc:
            return _conflict(
                request, referral_id, exc, "assessment", form=form, v=form.values, e={}
            )
        else:
            messages.success(request, "Assessment recorded. The referral is closed.")
            return HttpResponseRedirect(_detail_url(referral_id))
    _audit_view(request, referral, "assessment")
    return render(
        request,
        "referrals/assessment.html",
        _context(
            request, referral, form=form, v=form.values, e=form.errors, error_list=form.error_list()
        ),
        status=status,
    )


@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    status = 200
    form = forms.Form(values={"question": ""}, order=("question",))
    if request.method == "POST":
        form = forms.read_text_form(request.POST, "question")
        try:
            services.referral_ask(
                actor=request.user, referral_id=referral_id, question=form.values["question"]
            )
        except ValidationFailed as exc:
            form.add_errors(exc.errors)
            status = 400
        else:
            messages.success(request, "Question sent. You will be told when it is answered.")
            return HttpResponseRedirect(_detail_url(referral_id) + "#history")
    _audit_view(request, referral, "ask")
    return render(
        request,
        "referrals/ask.html",
        _context(
            request, referral, form=form, v=form.values, e=form.errors, error_list=form.error_list()
        ),
        status=status,
    )


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, referral_id: int, question_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    question = ReferralEvent.objects.filter(
        pk=question_id if selectors.is_row_id(question_id) else 0,
        referral_id=referral.pk,
        kind=ReferralEvent.Kind.QUESTION,
    ).first()
    if question is None:
        raise NotFound("No question found on this referral with that number.")
    status = 200
    form = forms.Form(values={"answer": ""}, order=("answer",))
    if request.method == "POST":
        form = forms.read_text_form(request.POST, "answer")
        try:
            services.referral_answer(
                actor=request.user,
                referral_id=referral_id,
                question_id=question_id,
                answer=form.values["answer"],
            )
        except ValidationFailed as exc:
            form.add_errors(exc.errors)
            status = 400
        except InvalidTransition as exc:
            return _conflict(
                request,
                referral_id,
                exc,
                "answer",
                form=form,
                v=form.values,
                e={},
                question=question,
            )
        else:
            messages.success(request, "Answer sent.")
            return HttpResponseRedirect(_detail_url(referral_id) + "#history")
    _audit_view(request, referral, "answer", question=question.pk)
    return render(
        request,
        "referrals/answer.html",
        _context(
            request,
            referral,
            form=form,
            v=form.values,
            e=form.errors,
            error_list=form.error_list(),
            question=question,
        ),
        status=status,
    )
