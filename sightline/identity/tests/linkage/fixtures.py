"""A small, seeded fixture county for the linkage tests (independent of sightline.synth).

Families of 1-4 children share a surname and a postcode; some have twins; every child has a
social-care record and a few more from other agencies, with the noise agencies really add:
nicknames, typos, day/month swaps, missing dates, moves, missing identifiers."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

FIRST = {
    "m": [
        "oliver",
        "george",
        "noah",
        "arthur",
        "harry",
        "leo",
        "jack",
        "charlie",
        "oscar",
        "jacob",
        "henry",
        "thomas",
        "freddie",
        "alfie",
        "theo",
        "william",
        "archie",
        "joshua",
        "alexander",
        "james",
        "isaac",
        "edward",
        "lucas",
        "max",
        "ethan",
        "mason",
        "joseph",
        "samuel",
        "daniel",
        "muhammad",
        "ibrahim",
        "yusuf",
        "omar",
        "jakub",
        "szymon",
        "filip",
        "kacper",
    ],
    "f": [
        "olivia",
        "amelia",
        "isla",
        "ava",
        "ivy",
        "freya",
        "lily",
        "florence",
        "mia",
        "willow",
        "rosie",
        "sophia",
        "isabella",
        "grace",
        "daisy",
        "poppy",
        "elsie",
        "emily",
        "ella",
        "evie",
        "charlotte",
        "jessica",
        "ruby",
        "chloe",
        "megan",
        "aisha",
        "fatima",
        "maryam",
        "zara",
        "zofia",
        "julia",
        "maja",
        "hanna",
    ],
}
NICK = {
    "william": "liam",
    "thomas": "tom",
    "james": "jim",
    "joseph": "joe",
    "samuel": "sam",
    "alexander": "alex",
    "oliver": "ollie",
    "daniel": "danny",
    "edward": "eddie",
    "muhammad": "mohammed",
    "jessica": "jess",
    "isabella": "bella",
    "charlotte": "lottie",
    "aisha": "ayesha",
    "zofia": "zosia",
    "jakub": "kuba",
    "joshua": "josh",
    "freddie": "fred",
    "alfie": "alf",
    "emily": "emmy",
    "sophia": "sophie",
    "olivia": "liv",
}
SURNAMES = [
    "smith",
    "jones",
    "taylor",
    "brown",
    "williams",
    "wilson",
    "johnson",
    "davies",
    "patel",
    "wright",
    "robinson",
    "thompson",
    "evans",
    "walker",
    "white",
    "roberts",
    "green",
    "hall",
    "wood",
    "jackson",
    "clarke",
    "khan",
    "ali",
    "hussain",
    "ahmed",
    "kowalski",
    "nowak",
    "wisniewski",
    "murphy",
    "kelly",
    "obrien",
    "walsh",
    "byrne",
    "singh",
    "kaur",
    "begum",
    "lewis",
    "harris",
]
AREAS = ["CV34", "CV35", "CV31", "CV32", "B90", "B93", "CV8", "CV37"]
AGENCIES = ["police", "health_ae", "school", "youth_justice", "childrens_social_care"]


def nhs_number(rng: random.Random) -> str:
    while True:
        digits = [9] + [rng.randrange(10) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, digits)) + str(check)


UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn(rng: random.Random) -> str:
    body = "937" + "".join(str(rng.randrange(10)) for _ in range(9))  # 937: Warwickshire
    total = sum(int(c) * (i + 2) for i, c in enumerate(body))
    return UPN_LETTERS[total % 23] + body


def postcode(rng: random.Random) -> str:
    return f"{rng.choice(AREAS)} {rng.randrange(1, 10)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def typo(rng: random.Random, s: str) -> str:
    if len(s) < 3:
        return s
    i = rng.randrange(1, len(s))
    op = rng.random()
    if op < 0.4:
        return s[:i] + rng.choice("aeioun") + s[i + 1 :]
    if op < 0.7:
        return s[:i] + s[i + 1 :]
    return s[: i - 1] + s[i] + s[i - 1] + s[i + 1 :]


@dataclass
class Child:
    true_id: str
    first: str
    surname: str
    sex: str
    dob: dt.date
    postcode: str
    nhs: str
    upn: str | None
    pnc: str | None
    family: str
    twin_of: str | None = None
    records: list[dict[str, Any]] = field(default_factory=list)


def make_county(
    children: int = 2000, seed: int = 7
) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, set[str]]]:
    """(person rows, truth {unique_id: true_id}, hard cases {kind: {true_id,...}})."""
    rng = random.Random(seed)
    kids: list[Child] = []
    hard: dict[str, set[str]] = {
        k: set() for k in ("twin", "sibling", "nickname", "swapped_dob", "moved", "no_identifier")
    }
    family = 0
    while len(kids) < children:
        family += 1
        surname = rng.choice(SURNAMES)
        if rng.random() < 0.08:
            surname = f"{surname}-{rng.choice(SURNAMES)}"
        pc = postcode(rng)
        size = rng.choice([1, 1, 2, 2, 3, 4])
        base = dt.date(2006, 1, 1) + dt.timedelta(days=rng.randrange(0, 17 * 365))
        twins = rng.random() < 0.06 and size >= 2
        members: list[Child] = []
        for k in range(size):
            sex = rng.choice("mf")
            dob = (
                base if (twins and k == 1) else base + dt.timedelta(days=rng.randrange(-2500, 2500))
            )
            dob = min(dob, dt.date(2024, 12, 31))
            first = rng.choice(FIRST[sex])
            while any(m.first == first for m in members):
                first = rng.choice(FIRST[sex])
            age = 2025 - dob.year
            child = Child(
                true_id=f"C{len(kids) + len(members):06d}",
                first=first,
                surname=surname,
                sex=sex,
                dob=dob,
                postcode=pc,
                nhs=nhs_number(rng),
                upn=upn(rng) if age >= 4 else None,
                pnc=f"{rng.randrange(10, 25)}/{rng.randrange(1, 10**6):07d}{rng.choice('ABCDEFGHJKLMNPQRTUVWXYZ')}"
                if age >= 10 and rng.random() < 0.25
                else None,
                family=f"F{family}",
            )
            if twins and k == 1:
                child.twin_of = members[0].true_id
                hard["twin"].update({child.true_id, members[0].true_id})
            members.append(child)
        if len(members) > 1:
            hard["sibling"].update(m.true_id for m in members)
        kids.extend(members)
    kids = kids[:children]

    rows: list[dict[str, Any]] = []
    truth: dict[str, str] = {}
    n = 0
    for child in kids:
        n_records = 1 + min(5, int(rng.expovariate(1 / 1.1)))
        for r in range(n_records):
            agency = "childrens_social_care" if r == 0 else rng.choice(AGENCIES)
            n += 1
            source_id = f"{agency[:3].upper()}-{n}"
            first, surname, pc = child.first, child.surname, child.postcode
            dob_s: str | None = child.dob.isoformat()
            if r > 0:
                x = rng.random()
                if first in NICK and x < 0.15:
                    first = NICK[first]
                    hard["nickname"].add(child.true_id)
                elif x < 0.20:
                    first = typo(rng, first)
                if rng.random() < 0.05:
                    surname = typo(rng, surname)
                if "-" in surname and rng.random() < 0.3:
                    surname = rng.choice([surname.split("-")[0], surname.replace("-", " ")])
                y = rng.random()
                if y < 0.04 and child.dob.day <= 12 and child.dob.day != child.dob.month:
                    dob_s = f"{child.dob.year}-{child.dob.day:02d}-{child.dob.month:02d}"
                    hard["swapped_dob"].add(child.true_id)
                elif y < 0.07:
                    dob_s = child.dob.isoformat()[:-1] + str((child.dob.day % 10 + 1) % 10)
                elif y < 0.10:
                    dob_s = None
                elif y < 0.12:
                    dob_s = child.dob.isoformat()[:7]
                if rng.random() < 0.25:
                    pc = postcode(rng)
                    hard["moved"].add(child.true_id)
                elif rng.random() < 0.3:
                    pc = pc.lower().replace(" ", "")
            ids = {
                "nhs_number": child.nhs
                if rng.random()
                < {"health_ae": 0.93, "childrens_social_care": 0.6}.get(agency, 0.15)
                else None,
                "upn": child.upn
                if child.upn
                and rng.random() < {"school": 0.98, "childrens_social_care": 0.35}.get(agency, 0.2)
                else None,
                "pnc_id": child.pnc
                if child.pnc and agency in ("police", "youth_justice") and rng.random() < 0.85
                else None,
                "local_id": source_id,
            }
            if ids["nhs_number"] and rng.random() < 0.01:  # two digits transposed: fails mod 11
                d = ids["nhs_number"]
                ids["nhs_number"] = d[0] + d[2] + d[1] + d[3:]
            rows.append(
                {
                    "format": "sightline/1",
                    "kind": "person",
                    "source": agency,
                    "source_id": source_id,
                    "given_names": first.title() if rng.random() < 0.7 else first.upper(),
                    "family_name": surname.title(),
                    "other_names": [],
                    "birth_date": dob_s,
                    "sex": {"m": "male", "f": "female"}[child.sex] if rng.random() > 0.02 else None,
                    "identifiers": ids,
                    "addresses": [{"line": "1 Street", "postcode": pc, "from": None, "to": None}]
                    if rng.random() > 0.08
                    else [],
                }
            )
            truth[f"{agency}|{source_id}"] = child.true_id
    by_child: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_child.setdefault(truth[f"{row['source']}|{row['source_id']}"], []).append(row)
    for tid, rs in by_child.items():
        if (
            len(rs) > 1
            and sum(
                1
                for r in rs
                if r["identifiers"]["nhs_number"]
                or r["identifiers"]["upn"]
                or r["identifiers"]["pnc_id"]
            )
            <= 1
        ):
            hard["no_identifier"].add(tid)
    return rows, truth, hard
