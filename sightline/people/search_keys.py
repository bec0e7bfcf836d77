"""Keys for finding a person by name, however an agency spelled it.

Each name gives: its normalised tokens ("t:"), their phonetic codes ("p:", metaphone) and, for
given names, a nickname root ("n:") so Liam finds William and Mo finds Mohammed. The same
function builds the index (NameKey rows) and the keys of a search query, so they always agree."""

from __future__ import annotations

import re

import jellyfish
from anyascii import anyascii

_SPLIT = re.compile(r"[^a-z]+")

# Common UK nickname and variant groups: every member maps to the first (the root).
_NICKNAME_GROUPS = [
    "william liam will bill billy",
    "robert rob bob bobby robbie",
    "richard rich rick ricky dick",
    "james jim jimmy jamie",
    "thomas tom tommy",
    "joseph joe joey",
    "daniel dan danny",
    "michael mike mikey mick",
    "christopher chris kit",
    "matthew matt",
    "nicholas nick nicky",
    "alexander alex alexandra alexa sandy",
    "benjamin ben benny",
    "samuel sam sammy samantha",
    "jonathan jon jonny john johnny jack",
    "edward ed eddie ted teddy",
    "anthony tony ant",
    "joshua josh",
    "zachary zach zak",
    "oliver ollie olly",
    "harry henry hal",
    "charles charlie chas chuck",
    "frederick fred freddie freddy",
    "katherine catherine kate katie kathryn cathy kat",
    "elizabeth liz lizzie beth betty eliza libby",
    "margaret maggie meg peggy",
    "rebecca becky becca",
    "jessica jess jessie",
    "victoria vicky tori",
    "abigail abby abi",
    "olivia liv livvy",
    "amelia millie amy",
    "isabella isabel isabelle bella izzy",
    "sophie sophia sofia zofia zosia",
    "jennifer jenny jen",
    "natalie nat",
    "muhammad mohammed mohammad mohamed muhammed mo",
    "aisha ayesha aysha",
    "fatima fatimah",
    "yusuf yousef yusef joseph",
    "ibrahim ebrahim",
    "aleksander aleksandr olek",
    "katarzyna kasia",
    "malgorzata gosia",
    "wojciech wojtek",
    "kayden caden kaden",
]
NICKNAME_ROOT: dict[str, str] = {}
for _group in _NICKNAME_GROUPS:
    _names = _group.split()
    for _name in _names:
        NICKNAME_ROOT.setdefault(_name, _names[0])


def tokens(text: str | None) -> list[str]:
    """Lower-case ASCII tokens; hyphens, apostrophes and spaces split ("O'Neil-Smith")."""
    if not text:
        return []
    text = anyascii(text).lower().replace("'", "").replace("`", "")
    return [t for t in _SPLIT.split(text) if len(t) > 1]


def name_keys(given_names: str | None, family_name: str | None) -> set[str]:
    keys: set[str] = set()
    for token in tokens(given_names):
        keys |= _token_keys(token)
        keys.add(f"n:{NICKNAME_ROOT.get(token, token)}")
    family = tokens(family_name)
    for token in family:
        keys |= _token_keys(token)
    if len(family) > 1:  # "Smith-Jones" is also found as "smithjones"
        keys |= _token_keys("".join(family))
    return keys


def query_keys(text: str) -> set[str]:
    """Keys for free-text search: each word may be a given or a family name."""
    keys: set[str] = set()
    for token in tokens(text):
        keys |= _token_keys(token)
        keys.add(f"n:{NICKNAME_ROOT.get(token, token)}")
    return keys


def _token_keys(token: str) -> set[str]:
    keys = {f"t:{token[:60]}"}
    if len(token) > 1:
        keys.add(f"p:{jellyfish.metaphone(token)[:60]}")
    return keys
