"""How an agency's record of a person differs from the truth (anchors-linkage.md §1.2).

A person's first record (in the first feed of `vocab.SOURCES` that holds them) is clean. Every
later record is drawn through the rates below, and each change is returned as a tag so the
ground truth can say exactly why a record is hard to link."""

from __future__ import annotations

import datetime as dt
import random

from sightline.synth.generator.identifiers import transpose
from sightline.synth.generator.model import Address, Person
from sightline.synth.generator.names import VARIANTS
from sightline.synth.generator.places import INWARD_LETTERS
from sightline.synth.generator.vocab import FORMAT, SOURCES

# Rates on non-first records (documented in docs/synth.md; the tests measure them).
RATES = {
    "nickname": 0.12,
    "first_name_typo": 0.05,
    "first_name_missing": 0.01,
    "surname_typo": 0.05,
    "surname_changed": 0.03,
    "names_swapped": 0.01,
    "dob_swapped": 0.04,  # day and month swapped, only when the day is 12 or less and not future
    "dob_keying": 0.03,
    "dob_year": 0.01,
    "dob_missing": 0.03,
    "dob_missing_police": 0.08,
    "dob_placeholder": 0.004,
    "dob_partial": 0.02,
    "postcode_old": 0.25,  # only possible when the person has an earlier address
    "postcode_typo": 0.03,
    "postcode_missing": 0.08,
    "postcode_format": 0.30,
    "nhs_transposed": 0.01,
}

# Share of records holding each identifier, when the person has one.
NHS_COVER = {
    "health_ae": 0.93,
    "health_gp": 0.98,
    "csc": 0.60,
    "youth_justice": 0.40,
    "schools": 0.15,
    "police": 0.08,
    "camhs": 0.97,
    "school_nursing": 0.95,
    "early_help": 0.45,
    "child_exploitation_team": 0.35,
}
ADULT_NHS_COVER = {"health_gp": 0.98, "health_ae": 0.9, "csc": 0.3, "police": 0.05}
UPN_COVER = {
    "schools": 0.98,
    "csc": 0.35,
    "youth_justice": 0.40,
    "early_help": 0.30,
    "child_exploitation_team": 0.25,
    "school_nursing": 0.30,
}
PNC_COVER = {"police": 0.90, "youth_justice": 0.85, "child_exploitation_team": 0.30}

_KEYS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
NEIGHBOURS: dict[str, str] = {}
for _r, _row in enumerate(_KEYS):
    for _i, _c in enumerate(_row):
        near = _row[max(0, _i - 1) : _i] + _row[_i + 1 : _i + 2]
        NEIGHBOURS[_c] = near
_VOWELS = "aeiou"
_ETHNIC_NEAR = {
    "WBRI": "WOTH",
    "WOTH": "WBRI",
    "MWBC": "BCRB",
    "MWBA": "BAFR",
    "MWAS": "AOTH",
    "APKN": "AOTH",
    "ABAN": "AOTH",
    "AIND": "AOTH",
    "BAFR": "BOTH",
    "BCRB": "MWBC",
    "CHNE": "OOTH",
    "OOTH": "MOTH",
}


def typo(rng: random.Random, word: str) -> str:
    """One keying error: a neighbouring key, a dropped, doubled or transposed letter."""
    if len(word) < 3:
        return word + word[-1]
    for _ in range(10):
        i = rng.randrange(1, len(word))
        op = rng.random()
        c = word[i].lower()
        if op < 0.35 and c in NEIGHBOURS:
            sub = rng.choice(NEIGHBOURS[c])
            new = word[:i] + (sub.upper() if word[i].isupper() else sub) + word[i + 1 :]
        elif op < 0.5 and c in _VOWELS:
            new = word[:i] + rng.choice(_VOWELS.replace(c, "")) + word[i + 1 :]
        elif op < 0.7:
            new = word[:i] + word[i + 1 :]
        elif op < 0.85:
            new = word[:i] + word[i] + word[i:]
        else:
            if i >= len(word) - 1:
                continue
            new = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if new != word and len(new) >= 2:
            return new
    return word + "e"


def dob_keying(rng: random.Random, d: dt.date, ref: dt.date) -> dt.date | None:
    digits = d.strftime("%Y%m%d")
    for _ in range(20):
        i = rng.choice([2, 3, 3, 4, 5, 5, 6, 7, 7, 7])
        new = digits[:i] + str(rng.randrange(10)) + digits[i + 1 :]
        if new == digits:
            continue
        try:
            out = dt.date(int(new[:4]), int(new[4:6]), int(new[6:]))
        except ValueError:
            continue
        if dt.date(1920, 1, 1) <= out <= ref:
            return out
    return None


def postcode_typo(rng: random.Random, postcode: str) -> str:
    outward, inward = postcode.split(" ")
    if rng.random() < 0.5:  # inward: wrong digit, wrong or transposed letter
        if rng.random() < 0.4 and inward[1] != inward[2]:
            inward = inward[0] + inward[2] + inward[1]
        elif rng.random() < 0.5:
            inward = str((int(inward[0]) + rng.choice((1, 8))) % 10) + inward[1:]
        else:
            j = rng.choice((1, 2))
            letters = INWARD_LETTERS.replace(inward[j], "")
            inward = inward[:j] + rng.choice(letters) + inward[j + 1 :]
    else:  # outward district number
        area = outward.rstrip("0123456789")
        number = int(outward[len(area) :])
        outward = area + str(max(1, number + rng.choice((-1, 1))))
    return f"{outward} {inward}"


def _postcode_format(rng: random.Random, postcode: str) -> str:
    u = rng.random()
    if u < 0.4:
        return postcode.lower()
    if u < 0.8:
        return postcode.replace(" ", "")
    return postcode.replace(" ", "").lower()


def _address(address: Address, postcode: str | None, *, open_ended: bool) -> dict[str, str | None]:
    return {
        "line": address.line,
        "postcode": postcode,
        "from": address.start.isoformat(),
        "to": None if open_ended or address.end is None else address.end.isoformat(),
    }


def render_person(
    rng: random.Random,
    person: Person,
    source: str,
    source_id: str,
    *,
    first: bool,
    ref: dt.date,
    entries_from: dt.date | None = None,
) -> tuple[dict[str, object], list[str]]:
    """The person line `source` holds for `person`, and the noise tags applied to it.
    `entries_from`: the earliest entry `source` records about them. A mistyped date of birth
    that would put that entry more than 40 weeks before the birth is not used (the importer
    would refuse the entry: docs/exchange-format.md#dates)."""
    tags: list[str] = []
    given: str | None = person.given
    family: str | None = person.family_name
    other_names: list[str] = []
    birth: str | None = person.birth.isoformat()
    sex = person.sex
    ethnicity = person.ethnicity
    addresses_in_life = [a for a in person.addresses if a.start <= ref] or person.addresses[:1]
    current = addresses_in_life[-1]
    if first:
        addresses = [_address(a, a.postcode, open_ended=False) for a in addresses_in_life]
        middle = person.middle
    else:
        middle = person.middle if rng.random() < 0.5 else None
        # first name
        u = rng.random()
        if u < RATES["nickname"]:
            variants = VARIANTS.get(person.given)
            if variants:
                given = rng.choice(variants)
                tags.append("nickname")
        elif u < RATES["nickname"] + RATES["first_name_typo"]:
            given = typo(rng, person.given)
            tags.append("first_name_typo")
        elif u < RATES["nickname"] + RATES["first_name_typo"] + RATES["first_name_missing"]:
            given = None
            middle = None
            tags.append("first_name_missing")
        # surname
        assert family is not None
        if "-" in family:
            v = rng.random()
            if v < 0.3:
                family = rng.choice(family.split("-"))
                tags.append("hyphen_variant")
            elif v < 0.5:
                family = family.replace("-", " ")
                tags.append("hyphen_variant")
        u = rng.random()
        if u < RATES["surname_typo"]:
            family = typo(rng, family)
            tags.append("surname_typo")
        elif u < RATES["surname_typo"] + RATES["surname_changed"] and person.alt_surname:
            if rng.random() < 0.4:
                other_names.append(f"{person.given} {person.family_name}")
            family = person.alt_surname
            tags.append("surname_changed")
        if rng.random() < RATES["names_swapped"] and given is not None:
            given, family = family, given
            tags.append("names_swapped")
        # date of birth
        d = person.birth
        missing = RATES["dob_missing_police"] if source == "police" else RATES["dob_missing"]
        u = rng.random()
        edges = [
            RATES["dob_swapped"],
            RATES["dob_keying"],
            RATES["dob_year"],
            missing,
            RATES["dob_placeholder"],
            RATES["dob_partial"],
        ]
        cut = 0.0
        which = None
        for name, rate in zip(
            ("swap", "keying", "year", "missing", "placeholder", "partial"), edges, strict=True
        ):
            cut += rate
            if u < cut:
                which = name
                break
        if which == "swap":
            # only a real date (day 12 or less) that had already happened on the reference date:
            # a baby born on 5 March, seen on 1 April, cannot be keyed as born on 3 May
            if d.day <= 12 and d.day != d.month:
                swapped = dt.date(d.year, d.day, d.month)
                if swapped <= ref:
                    birth = swapped.isoformat()
                    tags.append("swapped_dob")
        elif which == "keying":
            keyed = dob_keying(rng, d, ref)
            if keyed is not None:
                birth = keyed.isoformat()
                tags.append("dob_keying_error")
        elif which == "year":
            try:
                shifted = d.replace(year=d.year + rng.choice((-1, 1)))
            except ValueError:
                shifted = d.replace(year=d.year - 1, day=28)
            if shifted <= ref:
                birth = shifted.isoformat()
                tags.append("dob_year_off")
        elif which == "missing":
            birth = None
            tags.append("dob_missing")
        elif which == "placeholder":
            birth = "1900-01-01"
            tags.append("dob_placeholder")
        elif which == "partial":
            birth = f"{d.year:04d}-{d.month:02d}"
            tags.append("dob_partial")
        if birth is not None and entries_from is not None and birth != person.birth.isoformat():
            keyed = dt.date.fromisoformat(birth if len(birth) == 10 else f"{birth}-01")
            if keyed - dt.timedelta(weeks=40) >= entries_from:
                birth = person.birth.isoformat()
                tags = [
                    t for t in tags if t not in ("swapped_dob", "dob_keying_error", "dob_year_off")
                ]
        # address and postcode
        shown = current
        earlier = [a for a in addresses_in_life if a is not current]
        if earlier and rng.random() < RATES["postcode_old"]:
            shown = rng.choice(earlier)
            tags.append("moved")
        postcode: str | None = shown.postcode
        u = rng.random()
        if u < RATES["postcode_missing"]:
            postcode = None
            tags.append("postcode_missing")
        elif u < RATES["postcode_missing"] + RATES["postcode_typo"]:
            postcode = postcode_typo(rng, shown.postcode)
            tags.append("postcode_typo")
        if postcode is not None and rng.random() < RATES["postcode_format"]:
            postcode = _postcode_format(rng, postcode)
            tags.append("postcode_format")
        addresses = [_address(shown, postcode, open_ended=True)]
        # the rest: sex, ethnicity, known-as names
        if rng.random() < 0.005:
            sex = "unknown"
        u = rng.random()
        if u < 0.06:
            ethnicity = "NOBT"
        elif u < 0.07:
            ethnicity = "REFU"
        elif u < 0.10:
            ethnicity = _ETHNIC_NEAR.get(ethnicity, ethnicity)
        if rng.random() < 0.06 and person.given in VARIANTS:
            other_names.append(f"{rng.choice(VARIANTS[person.given])} {person.family_name}")
    if person.aliases and (
        source in ("police", "child_exploitation_team", "youth_justice") or rng.random() < 0.2
    ):
        other_names.extend(person.aliases)
    given_names = given
    if given is not None and middle:
        given_names = f"{given} {middle}"

    # identifiers
    role_child = person.role == "child"
    cover = NHS_COVER if role_child else ADULT_NHS_COVER
    nhs = person.nhs if person.nhs and rng.random() < cover.get(source, 0.1) else None
    if nhs and not first and rng.random() < RATES["nhs_transposed"]:
        nhs = transpose(nhs, rng)
        tags.append("nhs_transposed")
    upn = person.upn if person.upn and rng.random() < UPN_COVER.get(source, 0.0) else None
    pnc = person.pnc if person.pnc and rng.random() < PNC_COVER.get(source, 0.05) else None
    if role_child and nhs is None and upn is None and pnc is None:
        tags.append("missing_identifiers")

    line: dict[str, object] = {
        "format": FORMAT,
        "kind": "person",
        "source": source,
        "source_id": source_id,
        "agency": SOURCES[source],
        "given_names": given_names,
        "family_name": family,
        "other_names": other_names,
        "birth_date": birth,
        "sex": sex,
        "ethnicity": ethnicity,
        "identifiers": {"nhs_number": nhs, "upn": upn, "pnc_id": pnc, "local_id": source_id},
        "addresses": addresses,
    }
    return line, tags
