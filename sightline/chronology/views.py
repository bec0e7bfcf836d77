"""The child's page and the child's story: read it (filtered, paged, "as known on" a date),
export it, record an entry, correct one, see an entry's history.

Every view resolves the child through `selectors.child_get_for` (an unrelated viewer gets the
same "not found" page as a reference that does not exist) and every view of case data is
audited."""

from __future__ import annotations

import itertools
import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from sightline.chronology import export, selectors, services
from sightline.chronology.filters import (
    ParsedFilters,
    StoryFilters,
    clean_purpose,
    parse_story_filters,
)
from sightline.chronology.forms import (
    PRECISIONS,
    SEASONS,
    EntryForm,
    check_entry_form,
    form_from_entry,
    initial_form,
    read_entry_form,
)
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.presenters import (
    EntryView,
    IdentityView,
    StoryItem,
    long_date,
    present_entry,
    present_identity,
    present_row,
    sensitivity_label,
    short_name,
)
from sightline.chronology.services import REASON_MAX, birth_date_of
from sightline.chronology.vocabulary import entry_types, themes
from sightline.core import clock
from sightline.core.dates import time_on_day_text
from sightline.core.errors import AccessDenied, InvalidTransition, NotFound, ValidationFailed
from sightline.core.extensions import panels_for
from sightline.governance import access, audit, breakglass
from sightline.governance.audit import AuditAction
from sightline.governance.policy import Capability
from sightline.governance.vocabulary import sensitivities

# Slots of the child's page that upper apps fill (core.extensions.register_panel("child", ...)):
#   "alerts":  first, under the heading (alerts: the open concerns about the child);
#   "summary": beside the child's identifiers (cases: who is involved);
#   "aside":   below it (identity: how the records were linked; later plans…).
CHILD_SLOTS = ("alerts", "summary", "aside")
ROLE_LABELS = dict(EntrySubject.Role.choices)
VOICE_OF_CHILD = "voice_of_child_recorded"


def _child_url(reference: str, query: list[tuple[str, str]] | None = None) -> str:
    url = reverse("chronology:child", args=[reference])
    return f"{url}?{urlencode(query)}" if query else url


_PAGE = re.compile(r"[0-9]{1,5}")


def _page_number(request: HttpRequest) -> int:
    text = request.GET.get("page", "1").strip()
    return int(text) if _PAGE.fullmatch(text) and int(text) > 0 else 1


_HIGHLIGHT = re.compile(r"[0-9]{1,18}")
HIGHLIGHT_MAX = 100


def _highlighted(request: HttpRequest) -> frozenset[int]:
    """Entry ids to highlight (`?highlight=12,15`: a link from an alert's evidence). A link
    parameter, not a filter: what cannot be read is ignored, never an error."""
    found = []
    for value in request.GET.getlist("highlight"):
        for part in value.split(",")[:HIGHLIGHT_MAX]:
            part = part.strip()
            if _HIGHLIGHT.fullmatch(part):
                found.append(int(part))
    return frozenset(found[:HIGHLIGHT_MAX])


def _identity(request: HttpRequest, child: selectors.Child) -> IdentityView:
    found = selectors.child_identity_for(viewer=request.user, child=child)
    return present_identity(
        found.person,
        identifiers=found.identifiers,
        address=found.address,
        other_names=found.other_names,
        today=clock.today(),
        recorded=found.recorded,
        issuer_names=selectors.identifier_issuers_for(viewer=request.user, child=child),
    )


def _present(row: selectors.Row, scope: access.Scope) -> StoryItem:
    return present_row(row, viewer_agency_id=scope.agency_id, role_labels=ROLE_LABELS)


def _present_readable(row: selectors.StoryRow, scope: access.Scope) -> EntryView:
    return present_entry(
        row.entry, viewer_agency_id=scope.agency_id, role=row.role, role_labels=ROLE_LABELS
    )


def _pagination(reference: str, filters: StoryFilters, page: selectors.StoryPage) -> dict[str, Any]:
    """GOV.UK pagination: first, last, the current page and its neighbours, ellipses between."""
    if page.pages <= 1:
        return {}

    def href(number: int) -> str:
        return _child_url(reference, [*filters.query(), ("page", str(number))]) + "#story"

    numbers = sorted(
        {1, page.pages, page.page - 1, page.page, page.page + 1} & set(range(1, page.pages + 1))
    )
    items: list[dict[str, Any]] = []
    previous = 0
    for number in numbers:
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": href(number), "current": number == page.page})
        previous = number
    params: dict[str, Any] = {"items": items, "landmarkLabel": "Pages of the story"}
    if page.page > 1:
        params["previous"] = {"href": href(page.page - 1)}
    if page.page < page.pages:
        params["next"] = {"href": href(page.page + 1)}
    return params


def _selected_filters(
    reference: str, filters: StoryFilters, agency_names: dict[int, str]
) -> dict[str, Any] | None:
    """The MoJ filter's "selected filters" tags, each a link that removes itself."""
    if not filters.is_filtered:
        return None
    pairs = filters.query()

    def without(key: str, value: str) -> str:
        return _child_url(reference, [p for p in pairs if p != (key, value)])

    categories = []
    if filters.agencies:
        categories.append(
            {
                "heading": {"text": "Agency"},
                "items": [
                    {"text": agency_names.get(a, str(a)), "href": without("agency", str(a))}
                    for a in filters.agencies
                ],
            }
        )
    if filters.themes:
        categories.append(
            {
                "heading": {"text": "Theme"},
                "items": [
                    {"text": themes()[t], "href": without("theme", t)} for t in filters.themes
                ],
            }
        )
    if filters.type:
        categories.append(
            {
                "heading": {"text": "Entry type"},
                "items": [
                    {
                        "text": entry_types()[filters.type].label,
                        "href": without("type", filters.type),
                    }
                ],
            }
        )
    dates = []
    if filters.date_from:
        dates.append(
            {
                "text": f"From {long_date(filters.date_from)}",
                "href": without("from", filters.date_from.isoformat()),
            }
        )
    if filters.date_to:
        dates.append(
            {
                "text": f"To {long_date(filters.date_to)}",
                "href": without("to", filters.date_to.isoformat()),
            }
        )
    if dates:
        categories.append({"heading": {"text": "Date"}, "items": dates})
    if filters.significant_only:
        categories.append(
            {
                "heading": {"text": "Significance"},
                "items": [{"text": "Significant only", "href": without("significant", "1")}],
            }
        )
    keep = [("as_known_on", filters.as_known_on.isoformat())] if filters.as_known_on else []
    return {
        "heading": {"text": "Selected filters"},
        "clearLink": {"text": "Clear filters", "href": _child_url(reference, keep)},
        "categories": categories,
    }


def _grouped_types() -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {code: [] for code in themes()}
    for code, spec in entry_types().items():
        groups.setdefault(spec.theme, []).append((code, spec.label))
    return [
        (themes().get(t, t), sorted(items, key=lambda i: i[1]))
        for t, items in groups.items()
        if items
    ]


def _error_list(parsed: ParsedFilters) -> list[dict[str, str]]:
    return [{"text": message, "href": f"#{field}"} for field, message in parsed.errors.items()]


@require_GET
def child(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        found = selectors.child_get_for(viewer=request.user, reference=reference)
    except NotFound:
        ended = breakglass.break_glass_ended_for(viewer=request.user, reference=reference)
        if ended is None:
            raise
        # They opened this child and their access has run out: say so, and show whom to
        # contact (the lock-down view), rather than a "not found" that looks like a fault.
        messages.info(
            request,
            f"Your break-glass access to {ended.person.full_name}'s record ended at "
            f"{time_on_day_text(ended.until)}.",
        )
        return HttpResponseRedirect(reverse("cases:lockdown", args=[ended.person.reference]))
    person = found.person
    if found.was_merged:
        query = request.GET.urlencode()
        target = reverse("chronology:child", args=[person.reference])
        return HttpResponseRedirect(f"{target}?{query}" if query else target)
    parsed = parse_story_filters(request.GET, today=clock.today())
    filters = parsed.filters
    # An "as known on" date that could not be read shows the error and no story: today's story
    # under a past date's question would be taken for the past one.
    highlighted = _highlighted(request)
    page = (
        None
        if parsed.as_known_on_failed
        else selectors.story_for(
            viewer=request.user,
            child=found,
            filters=filters,
            page=_page_number(request),
            # A link to highlighted entries opens the page that holds them, unless it names one.
            page_of=highlighted if "page" not in request.GET else (),
        )
    )
    agencies = selectors.story_agencies_for(
        viewer=request.user, child=found, as_known_on=filters.as_known_on
    )
    agency_names = {a.pk: a.name for a in agencies}
    identity = _identity(request, found)
    detail: dict[str, Any] = {"filters": filters.audit_detail()}
    if page is not None:
        detail["page"] = page.page
    else:
        detail["refused"] = "as_known_on"
    if highlighted:
        detail["highlighted"] = sorted(highlighted)[:20]
    audit.record(
        request.user,
        AuditAction.STORY_VIEWED,
        object_type="person",
        object_id=person.reference,
        person_id=person.pk,
        purpose=clean_purpose(request.GET.get("purpose")),
        detail=detail,
    )
    entries = [_present(row, found.scope) for row in page.rows] if page is not None else []
    export_query = urlencode(filters.query())
    context = {
        "identity": identity,
        "person": person,
        "entries": entries,
        "page": page,
        "filters": filters,
        "parsed": parsed,
        "error_list": _error_list(parsed),
        "agencies": agencies,
        "themes": themes(),
        "grouped_types": _grouped_types(),
        "selected_filters": _selected_filters(person.reference, filters, agency_names),
        "pagination": _pagination(person.reference, filters, page) if page else {},
        "as_known_on_text": long_date(filters.as_known_on) if filters.as_known_on else "",
        "today_url": _child_url(person.reference, filters.query(include_known_on=False)),
        "filter_query": filters.query(include_known_on=False),
        "export_query": f"?{export_query}" if export_query else "",
        "can_record": found.scope.can(Capability.RECORD_ENTRIES),
        # Said whenever a content filter is on and the viewer is not cleared for everything,
        # whether or not this story holds a restricted entry (that would tell).
        "restricted_left_out": filters.selects_on_content
        and not selectors.is_cleared_for_everything(found.scope),
        "panels": {slot: panels_for("child", slot, request.user, person) for slot in CHILD_SLOTS},
        "flash": list(messages.get_messages(request)),
        # Readable entries on this page that a link asked to highlight (an alert's evidence).
        "highlighted": {e.id for e in entries if e.is_readable and e.id in highlighted},
    }
    return render(request, "chronology/child.html", context, status=200)


# --- export -----------------------------------------------------------------------------------


def _exported_by(request: HttpRequest) -> str:
    user = request.user
    membership_agency = getattr(getattr(user, "membership", None), "agency", None)
    who = short_name(user) or str(user)
    email = getattr(user, "email", "")
    exported_by = f"{who}" + (f" ({email})" if email else "")
    if membership_agency is not None:
        exported_by += f", {membership_agency.name}"
    return exported_by


def _filename(reference: str, suffix: str, filters: StoryFilters) -> str:
    """story-SLT0000001-2026-12-01.csv; with "as known on", story-SLT0000001-2026-12-01-as-
    known-on-2019-08-04.csv: two files of one child never share a name by accident."""
    name = f"story-{reference}-{clock.today():%Y-%m-%d}"
    if filters.as_known_on:
        name += f"-as-known-on-{filters.as_known_on:%Y-%m-%d}"
    return f"{name}.{suffix}"


def _export(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    """Build the file, then audit what was produced (rows, pages, bytes), then send it. A file
    that could not be built is not audited as exported: the error reaches the 500 page and the
    log, and nothing left the server."""
    found = selectors.child_get_for(viewer=request.user, reference=reference)
    parsed = parse_story_filters(request.GET, today=clock.today())
    if parsed.errors:
        # A file filtered other than asked would be taken for what was asked. Each message links
        # to its box on the child's page, which shows the same errors.
        back = _child_url(found.person.reference, [(k, str(v)) for k, v in request.GET.items()])
        return render(
            request,
            "chronology/export_refused.html",
            {
                "error_list": [
                    {"text": message, "href": f"{back}#{field}"}
                    for field, message in parsed.errors.items()
                ],
                "back_url": back,
            },
            status=400,
        )
    filters = parsed.filters
    entries = [
        _present(row, found.scope)
        for row in selectors.story_rows_for(viewer=request.user, child=found, filters=filters)
    ]
    agency_names = {
        a.pk: a.name
        for a in selectors.story_agencies_for(
            viewer=request.user, child=found, as_known_on=filters.as_known_on
        )
    }
    restricted = sum(1 for e in entries if not e.is_readable)
    context = export.ExportContext(
        identity=_identity(request, found),
        exported_by=_exported_by(request),
        exported_at=timezone.localtime(clock.now()),
        filters=filters.describe(agency_names),
        as_known_on=long_date(filters.as_known_on) if filters.as_known_on else "",
        total=len(entries),
        restricted=restricted,
    )
    if fmt == "pdf":
        built = export.story_pdf(context, entries)
        content_type = "application/pdf"
    else:
        built = export.story_csv(context, entries)
        content_type = "text/csv; charset=utf-8"
    produced: dict[str, Any] = {
        "format": fmt,
        "filters": filters.audit_detail(),
        "entries": built.rows,
        "restricted": restricted,
        "bytes": len(built.content),
    }
    if built.pages is not None:
        produced["pages"] = built.pages
    audit.record(
        request.user,
        AuditAction.STORY_EXPORTED,
        object_type="person",
        object_id=found.person.reference,
        person_id=found.person.pk,
        purpose=clean_purpose(request.GET.get("purpose")),
        detail=produced,
    )
    response = HttpResponse(built.content, content_type=content_type)
    filename = _filename(found.person.reference, fmt, filters)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def export_csv(request: HttpRequest, reference: str) -> HttpResponse:
    return _export(request, reference, "csv")


@require_GET
def export_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    return _export(request, reference, "pdf")


# --- record and correct -------------------------------------------------------------------------


def _form_context(
    request: HttpRequest, found: selectors.Child, form: EntryForm, **extra: Any
) -> dict[str, Any]:
    sens = sensitivities()
    return {
        "person": found.person,
        "identity": _identity(request, found),
        "form": form,
        "error_list": form.error_list(),
        "grouped_types": _grouped_types(),
        "voice_of_child": VOICE_OF_CHILD,
        "precisions": PRECISIONS,
        "seasons": SEASONS,
        "grades": ChronologyEntry.Grade.choices,
        "sensitivities": [(code, sensitivity_label(code), spec) for code, spec in sens.items()],
        "agency_kinds": _agency_kind_labels(),
        "agency_name": _agency_name(request),
        **extra,
    }


def _agency_kind_labels() -> dict[str, str]:
    from sightline.agencies.vocabulary import agency_kinds

    return agency_kinds()


def _agency_name(request: HttpRequest) -> str:
    membership = getattr(request.user, "membership", None)
    return membership.agency.name if membership is not None else ""


def _audit_entry_page(
    request: HttpRequest, found: selectors.Child, entry_id: int, page: str, **detail: Any
) -> None:
    """A page showing an entry's content and the child's identity bar is a read of case data."""
    audit.record(
        request.user,
        AuditAction.ENTRY_VIEWED,
        object_type="chronology_entry",
        object_id=entry_id,
        person_id=found.person.pk,
        detail={"page": page, **detail},
    )


@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest, reference: str) -> HttpResponse:
    found = selectors.child_get_for(viewer=request.user, reference=reference)
    if found.was_merged:
        return HttpResponseRedirect(reverse("chronology:entry_new", args=[found.person.reference]))
    access.require(request.user, Capability.RECORD_ENTRIES)
    status = 200
    born = birth_date_of(found.person)
    if request.method == "POST":
        form = read_entry_form(request.POST)
        check_entry_form(form, now=clock.now(), born=born)
        if form.fields is not None and not form.errors:
            try:
                entry = services.entry_record(
                    actor=request.user, person=found.person, fields=form.fields
                )
            except ValidationFailed as exc:
                form.add_errors(exc.errors)
            else:
                messages.success(
                    request,
                    f"Entry recorded: {entry_types()[entry.type].label}, "
                    f"{present_entry(entry).when}",
                )
                return HttpResponseRedirect(
                    _child_url(found.person.reference) + f"#entry-{entry.pk}"
                )
        status = 400
    else:
        form = initial_form(today=clock.today())
    # The form shows the child's identity bar (NHS number, address): a read of case data.
    audit.record(
        request.user,
        AuditAction.PERSON_VIEWED,
        object_type="person",
        object_id=found.person.reference,
        person_id=found.person.pk,
        detail={"page": "entry_new", "method": request.method},
    )
    return render(
        request,
        "chronology/entry_form.html",
        _form_context(request, found, form, mode="new"),
        status=status,
    )


def _refused(
    request: HttpRequest,
    found: selectors.Child,
    row: selectors.StoryRow,
    message: str,
    *,
    page: str,
) -> HttpResponse:
    _audit_entry_page(request, found, row.entry.pk, page, refused=True)
    return render(
        request,
        "chronology/entry_refused.html",
        {
            "person": found.person,
            "identity": _identity(request, found),
            "entry": _present_readable(row, found.scope),
            "message": message,
            "latest_id": row.entry.superseded_by_id,
            "action": page,
        },
        status=200 if request.method == "GET" else 409,
    )


@require_http_methods(["GET", "POST"])
def entry_correct(request: HttpRequest, reference: str, entry_id: int) -> HttpResponse:
    found = selectors.child_get_for(viewer=request.user, reference=reference)
    row = selectors.entry_get_for(viewer=request.user, child=found, entry_id=entry_id)
    entry = row.entry
    scope = access.require(request.user, Capability.RECORD_ENTRIES)
    refusal = services.correction_refusal(entry, scope)
    if refusal is not None:
        return _refused(request, found, row, refusal.message, page="entry_correct")
    status = 200
    if request.method == "POST":
        form = read_entry_form(request.POST, with_reason=True)
        check_entry_form(form, now=clock.now(), born=birth_date_of(found.person))
        if form.fields is not None and not form.errors:
            try:
                services.entry_correct(
                    actor=request.user,
                    entry=entry,
                    reason=form.values["reason"],
                    fields=form.fields,
                    person=found.person,
                )
            except ValidationFailed as exc:
                form.add_errors(exc.errors)
            except (AccessDenied, InvalidTransition) as exc:
                form.errors["reason"] = exc.message
            else:
                messages.success(
                    request, "Entry corrected. The earlier version is kept in its history."
                )
                return HttpResponseRedirect(
                    reverse(
                        "chronology:entry_history",
                        args=[found.person.reference, entry.lineage or entry.pk],
                    )
                )
        status = 400
    else:
        form = form_from_entry(entry)
    # The form is filled in with the entry's content, under the child's identity bar.
    _audit_entry_page(request, found, entry.pk, "entry_correct", method=request.method)
    return render(
        request,
        "chronology/entry_form.html",
        _form_context(
            request, found, form, mode="correct", entry=_present_readable(row, found.scope)
        ),
        status=status,
    )


@require_http_methods(["GET", "POST"])
def entry_entered_in_error(request: HttpRequest, reference: str, entry_id: int) -> HttpResponse:
    """Mark an entry as entered in error: a reason, a warning, and a new version that withdraws
    it (services.entry_mark_entered_in_error)."""
    found = selectors.child_get_for(viewer=request.user, reference=reference)
    row = selectors.entry_get_for(viewer=request.user, child=found, entry_id=entry_id)
    entry = row.entry
    scope = access.require(request.user, Capability.RECORD_ENTRIES)
    refusal = services.correction_refusal(
        entry, scope, action="mark this entry as entered in error"
    )
    if refusal is not None:
        return _refused(request, found, row, refusal.message, page="entry_entered_in_error")
    reason = ""
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        reason = str(request.POST.get("reason") or "").strip()
        try:
            withdrawn = services.entry_mark_entered_in_error(
                actor=request.user, entry=entry, reason=reason, person=found.person
            )
        except ValidationFailed as exc:
            errors = dict(exc.errors)
        except (AccessDenied, InvalidTransition) as exc:
            errors = {"reason": exc.message}
        else:
            messages.success(
                request,
                "Entry marked as entered in error. It stays in the story, struck through, and "
                "its history keeps every version.",
            )
            return HttpResponseRedirect(
                _child_url(found.person.reference) + f"#entry-{withdrawn.pk}"
            )
        status = 400
    _audit_entry_page(request, found, entry.pk, "entry_entered_in_error", method=request.method)
    return render(
        request,
        "chronology/entry_entered_in_error.html",
        {
            "person": found.person,
            "identity": _identity(request, found),
            "entry": _present_readable(row, found.scope),
            "reason": reason,
            "reason_max": REASON_MAX,
            "errors": errors,
            "error_list": [{"text": m, "href": f"#{f}"} for f, m in errors.items()],
        },
        status=status,
    )


@require_GET
def entry_history(request: HttpRequest, reference: str, lineage: int) -> HttpResponse:
    found = selectors.child_get_for(viewer=request.user, reference=reference)
    rows = selectors.entry_history_for(viewer=request.user, child=found, lineage=lineage)
    audit.record(
        request.user,
        AuditAction.ENTRY_VIEWED,
        object_type="chronology_entry",
        object_id=lineage,
        person_id=found.person.pk,
        detail={"history": True, "versions": len(rows)},
    )
    versions = [_present(row, found.scope) for row in rows]
    changes: list[list[str]] = [[]]
    for before, after in itertools.pairwise(rows):
        changes.append(
            _changed_labels(before.entry, after.entry)
            if isinstance(before, selectors.StoryRow) and isinstance(after, selectors.StoryRow)
            else []
        )
    current = versions[-1]
    return render(
        request,
        "chronology/entry_history.html",
        {
            "person": found.person,
            "identity": _identity(request, found),
            "versions": list(
                zip(range(len(versions), 0, -1), reversed(versions), reversed(changes), strict=True)
            ),
            "current": current,
            "flash": list(messages.get_messages(request)),
        },
    )


_FIELD_LABELS = (
    ("type", "What happened"),
    ("occurred_at", "When"),
    ("precision", "When"),
    ("has_time", "When"),
    ("summary", "Summary"),
    ("detail", "Detail"),
    ("grade", "Grade"),
    ("intelligence_grade", "Grade"),
    ("sensitivity", "Who may read it"),
    ("is_significant", "Significant"),
    ("entered_in_error", "Entered in error"),
)


def _changed_labels(before: ChronologyEntry, after: ChronologyEntry) -> list[str]:
    labels: list[str] = []
    for name, label in _FIELD_LABELS:
        if getattr(before, name) != getattr(after, name) and label not in labels:
            labels.append(label)
    return labels
