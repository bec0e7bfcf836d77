"""A small kit for writing the review feeds: each child's story is a list of what each agency
recorded, written as Python calls; `build.py` turns the stories into sightline/1 JSON Lines.

The feeds are synthetic. Names, dates of birth, addresses and identifiers are invented; the
identifiers have valid formats (NHS numbers in the 999 range, which is never issued to
patients; UPNs with a correct check letter; PNC ids in the YY/NNNNNNL shape)."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stdnum.gb import nhs, upn

FORMAT = "sightline/1"
# A season is written as its first month ("2019-06" with precision season: summer 2019) and
# means that month and the two after it, as the importer reads it.
SEASON_STARTS = (3, 6, 9, 12)


def nhs_number(serial: int) -> str:
    """The `serial`-th valid NHS number in the 999 range (reserved: never issued)."""
    found = 0
    for n in range(999_000_000, 999_999_999):
        digits = f"{n}"
        for check in range(10):
            candidate = digits + str(check)
            if nhs.is_valid(candidate):
                found += 1
                if found == serial:
                    return candidate
                break
    raise ValueError(serial)


def upn_number(la: int, school: int, year: int, serial: int) -> str:
    """A UPN with its check letter: local authority, DfE school number, year of issue, serial."""
    body = f"{la:03d}{school:04d}{year % 100:02d}{serial:03d}"
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
    for letter in letters:
        if upn.is_valid(letter + body):
            return letter + body
    raise ValueError(body)


def _parse(on: str) -> tuple[dt.datetime, str, bool]:
    """An `occurred_at` text: its first instant, its precision, whether it has a time."""
    if "T" in on:
        return dt.datetime.fromisoformat(on), "day", True
    parts = on.split("-")
    if len(parts) == 1:
        return dt.datetime(int(parts[0]), 1, 1), "year", False
    if len(parts) == 2:
        return dt.datetime(int(parts[0]), int(parts[1]), 1), "month", False
    return dt.datetime.fromisoformat(on), "day", False


def period_end(start: dt.datetime, precision: str) -> dt.date:
    """The last day a partial date may mean."""
    if precision == "year":
        return dt.date(start.year, 12, 31)
    if precision == "month":
        return dt.date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
    if precision == "season":
        if start.month not in SEASON_STARTS:
            raise ValueError(f"a season starts in March, June, September or December: {start}")
        month = start.month + 1  # the third month, 0-based: start.month - 1 + 2
        year = start.year + month // 12
        month = month % 12 + 1
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    return start.date()


def _stamp(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


@dataclass
class Feed:
    """One agency source: its person lines and what it recorded about them."""

    child: str  # the child's directory (james, child-q ...)
    code: str  # the source code lines carry
    agency: str  # the agency kind of most of its lines
    file: str  # file name in the child's directory
    prefix: str  # the start of every source_id it gives
    lines: list[dict[str, Any]] = field(default_factory=list)
    births: dict[str, str | None] = field(default_factory=dict)
    subject: str | None = None  # the child's person source_id in this feed
    _ids: set[str] = field(default_factory=set)

    def _base(self, kind: str, source_id: str) -> dict[str, Any]:
        if source_id in self._ids:
            raise ValueError(f"{self.code}: {source_id} given twice")
        self._ids.add(source_id)
        return {"format": FORMAT, "kind": kind, "source": self.code, "source_id": source_id}

    def person(
        self,
        key: str,
        given: str | None,
        family: str | None,
        *,
        birth: str | None = None,
        sex: str = "unknown",
        ethnicity: str | None = None,
        nhs_no: str | None = None,
        upn_no: str | None = None,
        pnc: str | None = None,
        other_names: tuple[str, ...] = (),
        addresses: tuple[tuple[str, str, str, str | None], ...] = (),
        child: bool = False,
        agency: str | None = None,
    ) -> str:
        source_id = f"{self.prefix}-{key}"
        line = self._base("person", source_id)
        # Named on every person line, so the feed reads the same whatever kind of agency its
        # source is registered as (a replay registers every source as `other`).
        line["agency"] = agency or self.agency
        line.update(
            {
                "given_names": given,
                "family_name": family,
                "other_names": list(other_names),
                "birth_date": birth,
                "sex": sex,
                "ethnicity": ethnicity,
                "identifiers": {
                    "nhs_number": nhs_no,
                    "upn": upn_no,
                    "pnc_id": pnc,
                    "local_id": source_id,
                },
                "addresses": [
                    {"line": a, "postcode": p, "from": f, "to": t} for a, p, f, t in addresses
                ],
            }
        )
        self.lines.append(line)
        self.births[source_id] = birth
        if child:
            self.subject = source_id
        return source_id

    def entry(
        self,
        type_: str,
        on: str,
        summary: str,
        *,
        rec: str | int | None = None,
        precision: str | None = None,
        ended: str | int | None = None,
        who: tuple[tuple[str, str], ...] | None = None,
        also: tuple[tuple[str, str], ...] = (),
        grade: str = "fact",
        sensitivity: str = "standard",
        intel: tuple[str, str, str] | None = None,
        agency: str | None = None,
        detail: str | None = None,
        postcode: str | None = None,
        place: str | None = None,
        key: str | None = None,
    ) -> str:
        """One entry. `on` is "2019", "2019-08", "2019-08-03" or "2019-08-03T22:10";
        `precision` may lower it ("season"). `rec` is when it was recorded: a date or date and
        time, or a number of days after the last day `on` may mean; by default that day, at
        the time the thing happened plus two hours or at 16:30. `ended` is a date and time, or
        a number of hours after `on`."""
        start, implied, has_time = _parse(on)
        prec = precision or implied
        last = period_end(start, prec)
        if rec is None:
            recorded = (
                start + dt.timedelta(hours=2)
                if has_time
                else (dt.datetime.combine(last, dt.time(16, 30)))
            )
        elif isinstance(rec, int):
            base = (
                start + dt.timedelta(hours=2)
                if has_time and prec == "day"
                else (dt.datetime.combine(last, dt.time(16, 30)))
            )
            recorded = base + dt.timedelta(days=rec)
        else:
            recorded = dt.datetime.fromisoformat(rec if "T" in rec else rec + "T16:30")
        stamp = start.strftime("%Y%m%d") + (start.strftime("%H%M") if has_time else "")
        source_id = key or f"{self.prefix}-{stamp}-{type_}"
        n = 2
        while source_id in self._ids:
            source_id = f"{key or self.prefix + '-' + stamp + '-' + type_}-{n}"
            n += 1
        line = self._base("entry", source_id)
        subjects = who if who is not None else ((self.subject or "", "subject"),)
        line.update(
            {
                "agency": agency or self.agency,
                "type": type_,
                "occurred_at": on,
                "precision": prec,
                "recorded_at": _stamp(recorded),
                "subjects": [{"source_id": s, "role": r} for s, r in (*subjects, *also)],
                "summary": summary,
                "grade": grade,
                "sensitivity": sensitivity,
            }
        )
        if ended is not None:
            if isinstance(ended, int):
                line["ended_at"] = _stamp(start + dt.timedelta(hours=ended))
            else:
                line["ended_at"] = ended
        if detail:
            line["detail"] = detail
        if grade == "intelligence":
            source, assessment, handling = intel or ("2", "B", "P")
            line["intelligence_grade"] = {
                "system": "3x5x2",
                "source": source,
                "assessment": assessment,
                "handling": handling,
            }
        if postcode or place:
            line["location"] = {"postcode": postcode, "label": place}
        self.lines.append(line)
        return source_id

    def involvement(
        self,
        key: str,
        agency: str,
        team: str,
        started: str,
        ended: str | None = None,
        *,
        person: str | None = None,
        practitioner: tuple[str, str] | None = None,
        lead: bool = False,
    ) -> str:
        source_id = f"{self.prefix}-I-{key}"
        line = self._base("involvement", source_id)
        line.update(
            {
                "person": person or self.subject,
                "agency": agency,
                "team": team,
                "is_lead": lead,
                "from": started,
                "to": ended,
            }
        )
        if practitioner:
            name, role = practitioner
            slug = name.lower().replace(" ", ".")
            line["practitioner"] = {
                "name": name,
                "role": role,
                "email": f"{slug}@example.org",
                "phone": None,
            }
        self.lines.append(line)
        return source_id

    def relationship(
        self,
        key: str,
        from_: str,
        to: str,
        type_: str,
        from_date: str | None = None,
        to_date: str | None = None,
    ) -> str:
        source_id = f"{self.prefix}-R-{key}"
        line = self._base("relationship", source_id)
        line.update(
            {"from": from_, "to": to, "type": type_, "from_date": from_date, "to_date": to_date}
        )
        self.lines.append(line)
        return source_id

    def write(self, directory: Path) -> Path:
        """The feed as JSON Lines, person lines first (then in the order written)."""
        order = {"person": 0, "relationship": 1, "involvement": 2, "entry": 3}
        lines = sorted(self.lines, key=lambda line: order[line["kind"]])
        path = directory / self.file
        text = "".join(
            json.dumps(_drop_nulls(line), ensure_ascii=False, separators=(",", ":")) + "\n"
            for line in lines
        )
        path.write_text(text, encoding="utf-8")
        return path


def _drop_nulls(line: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in line.items():
        if v is None or v == []:
            continue
        if isinstance(v, dict):
            v = {kk: vv for kk, vv in v.items() if vv is not None}
            if not v:
                continue
        out[k] = v
    return out
