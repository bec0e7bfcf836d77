"""The fictional county: towns, streets and postcodes, schools, GP practices, hospitals, teams and
practitioners.

Postcodes use the area "XS" (and XM, XP, XG, XD for places outside the county). No real UK
postcode starts with X, so a synthetic address can never be somebody's real one, yet every
postcode passes the usual format check `^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$`."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

from sightline.synth.generator import names
from sightline.synth.generator.vocab import EMAIL_DOMAINS

COUNTY = "Sallowshire"
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# name, population weight, postcode districts
TOWNS = (
    ("Hallowford", 30, ("XS1", "XS2", "XS3")),
    ("Brackenby", 18, ("XS4", "XS5")),
    ("Eastmere", 12, ("XS6",)),
    ("Thornwick", 10, ("XS7",)),
    ("Marlstone", 10, ("XS8",)),
    ("Stanbury Vale", 8, ("XS9",)),
    ("Oxley Green", 6, ("XS10",)),
    ("Kestlow", 6, ("XS11",)),
)
# Places outside the county (another police force area): county-lines destinations and cities.
OUT_OF_AREA = (
    ("Marrowgate", ("XM1", "XM4", "XM7")),
    ("Port Carrow", ("XP2", "XP3")),
    ("Greyhaven", ("XG5",)),
    ("Dunsby-on-Sea", ("XD4",)),
)
OTHER_FORCES = {
    "Marrowgate": "Marrowgate Metropolitan Police",
    "Port Carrow": "Carrow Coast Constabulary",
    "Greyhaven": "Carrow Coast Constabulary",
    "Dunsby-on-Sea": "Dunsby and Wold Police",
}

_STREET_FIRST = names.words(
    """Larkspur Mill Church Station Oak Ash Beech Willow Meadow Orchard Chestnut Rowan Hawthorn
    Elm Cedar Linden Holly Bramble Foxglove Kingfisher Heron Swallow Nightingale Fieldfare Wren
    Sparrow Bluebell Primrose Clover Juniper Hazel Alder Sycamore Poplar Maple Cherry Magnolia
    Victoria Albert Queens Kings Princes Windsor Tudor Stuart Grange Manor Priory Abbey Chapel
    Bridge Castle Market Canal Wharf Forge Tannery Brewery Foundry Quarry Common Green Park Hill
    Valley Brook Spring Well Moor Heath Marsh Ridge Coppice Spinney Paddock Furlong Hayfield
    Cornfield Barley Wheatsheaf Sallow Bracken Heather Gorse Thistle Fern Moss Lichen Granite"""
)
_STREET_LAST = names.words("Road Street Close Lane Avenue Drive Way Crescent Grove Court Gardens")
_SAINTS = names.words("Mary Peter Paul John Michael Andrew Joseph Anne Margaret Thomas Luke Chad")


@dataclass(frozen=True)
class Place:
    """An address-able place: a street (for homes) or an institution."""

    name: str
    town: str
    postcodes: tuple[str, ...]


@dataclass(frozen=True)
class Practitioner:
    name: str
    role: str
    email: str
    phone: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role, "email": self.email, "phone": self.phone}


@dataclass(frozen=True)
class School:
    name: str
    town: str
    postcode: str
    estab: int  # DfE establishment number (4 digits)
    phase: str  # primary | secondary | alternative
    staff: tuple[Practitioner, ...]


@dataclass(frozen=True)
class Team:
    agency: str
    name: str
    town: str | None
    postcode: str
    staff: tuple[Practitioner, ...]


@dataclass
class County:
    streets: dict[str, list[Place]]  # town -> streets
    town_cum: list[float]
    out_of_area: list[Place]
    primaries: dict[str, list[School]]
    secondaries: dict[str, list[School]]
    alternative: list[School]
    gp_practices: dict[str, list[Team]]
    teams: dict[str, list[Team]]  # team key -> teams (one per town/locality where local)
    hospital_ae: tuple[str, str]  # label, postcode
    minor_injuries: tuple[str, str]
    out_hospital: tuple[str, str]
    towns: list[str] = field(default_factory=list)

    def town(self, rng: random.Random) -> str:
        return rng.choices(self.towns, cum_weights=self.town_cum)[0]

    def team(self, key: str, town: str | None = None) -> Team:
        teams = self.teams[key]
        if town is not None:
            for team in teams:
                if team.town == town:
                    return team
        return teams[0]


class _PractitionerFactory:
    """Synthetic practitioners, each with a unique email and a phone number in Ofcom's drama
    range (01632 960000-960999)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.phones = [f"01632 960{n:03d}" for n in range(1000)]
        rng.shuffle(self.phones)
        self.count = 0
        self.emails: set[str] = set()

    def make(self, agency: str, role: str) -> Practitioner:
        rng = self.rng
        group = names.pick_ethnic_group(rng)
        sex = "female" if rng.random() < 0.72 else "male"
        first = names.first_name(rng, group, sex, adult=True)
        last = names.surname(rng, group, tail=rng.random() < 0.2)
        local = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
        email = f"{local}@{EMAIL_DOMAINS[agency]}"
        n = 2
        while email in self.emails:
            email = f"{local}{n}@{EMAIL_DOMAINS[agency]}"
            n += 1
        self.emails.add(email)
        phone = self.phones[self.count % len(self.phones)]
        self.count += 1
        return Practitioner(f"{first} {last}", role, email, phone)

    def staff(self, agency: str, roles: list[str], n: int) -> tuple[Practitioner, ...]:
        return tuple(self.make(agency, roles[i % len(roles)]) for i in range(n))


def _inward(rng: random.Random) -> str:
    return f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"


def build_county(rng: random.Random, children: int) -> County:
    """The county for a run of `children` children: sizes scale with it, names come from rng."""
    used_postcodes: set[str] = set()

    def postcode(district: str) -> str:
        while True:
            code = f"{district} {_inward(rng)}"
            if code not in used_postcodes:
                used_postcodes.add(code)
                return code

    combos = [f"{a} {b}" for a in _STREET_FIRST for b in _STREET_LAST]
    streets: dict[str, list[Place]] = {}
    total_weight = sum(w for _, w, _ in TOWNS)
    for town, weight, districts in TOWNS:
        n = max(25, min(len(combos), int(children * weight / total_weight / 25) + 25))
        chosen = rng.sample(combos, n)
        streets[town] = [
            Place(
                name,
                town,
                tuple(postcode(rng.choice(districts)) for _ in range(rng.choice((1, 1, 2, 3)))),
            )
            for name in chosen
        ]
    out_of_area = [
        Place(name, town, (postcode(rng.choice(districts)),))
        for town, districts in OUT_OF_AREA
        for name in rng.sample(combos, 12)
    ]

    people = _PractitionerFactory(rng)
    estab = itertools.count(2001)
    sec_estab = itertools.count(4001)
    primaries: dict[str, list[School]] = {}
    secondaries: dict[str, list[School]] = {}
    gp_practices: dict[str, list[Team]] = {}
    school_names: set[str] = set()

    def unique(name: str) -> str:
        base, n = name, 2
        while name in school_names:
            name = f"{base} ({n})"
            n += 1
        school_names.add(name)
        return name

    for town, weight, _ in TOWNS:
        share = children * weight / total_weight
        n_primary = max(1, round(share / 450))
        n_secondary = max(1, round(share / 1600))
        n_gp = max(1, round(share / 1800))
        primaries[town] = []
        for i in range(n_primary):
            street = rng.choice(streets[town])
            style = rng.random()
            if i == 0:
                name = f"{town} Primary School"
            elif style < 0.3:
                name = f"St {rng.choice(_SAINTS)}'s C of E Primary School"
            elif style < 0.4:
                name = f"St {rng.choice(_SAINTS)}'s Catholic Primary School"
            else:
                name = f"{street.name.split()[0]} Primary School"
            primaries[town].append(
                School(
                    unique(name),
                    town,
                    rng.choice(street.postcodes),
                    next(estab),
                    "primary",
                    people.staff("school", ["Designated safeguarding lead", "Class teacher"], 2),
                )
            )
        secondaries[town] = []
        for i in range(n_secondary):
            street = rng.choice(streets[town])
            if i == 0:
                name = f"{town} Academy"
            elif i % 3 == 1:
                name = f"{street.name.split()[0]} High School"
            else:
                name = f"St {rng.choice(_SAINTS)}'s Catholic High School"
            secondaries[town].append(
                School(
                    unique(name),
                    town,
                    rng.choice(street.postcodes),
                    next(sec_estab),
                    "secondary",
                    people.staff(
                        "school",
                        ["Designated safeguarding lead", "Head of year", "Attendance officer"],
                        3,
                    ),
                )
            )
        gp_practices[town] = []
        for i in range(n_gp):
            street = rng.choice(streets[town])
            name = (
                f"{town} Medical Centre"
                if i == 0
                else f"{street.name.split()[0]} {rng.choice(['Surgery', 'Health Centre'])}"
            )
            gp_practices[town].append(
                Team(
                    "health_gp",
                    name,
                    town,
                    rng.choice(street.postcodes),
                    people.staff("health_gp", ["GP", "GP", "Practice nurse"], 3),
                )
            )
    alternative = [
        School(
            name,
            "Hallowford",
            rng.choice(rng.choice(streets["Hallowford"]).postcodes),
            next(sec_estab),
            "alternative",
            people.staff("school", ["Centre manager", "Key worker"], 2),
        )
        for name in (
            "Hallowford Pupil Referral Unit",
            "The Bridge Learning Centre",
            "Pathways Alternative Provision",
        )
    ]

    scale = max(1, children // 4000)
    teams: dict[str, list[Team]] = {}

    def add(key: str, agency: str, label: str, roles: list[str], n: int, local: bool) -> None:
        towns: list[str | None] = [t for t, _, _ in TOWNS] if local else [None]
        teams[key] = []
        for town in towns:
            place = rng.choice(streets[town or "Hallowford"])
            name = label.format(town=town) if town else label
            teams[key].append(
                Team(agency, name, town, place.postcodes[0], people.staff(agency, roles, n))
            )

    csc = "childrens_social_care"
    add(
        "csc_front",
        csc,
        "Children's Front Door (MASH)",
        ["Social worker", "Team manager"],
        2 + scale,
        False,
    )
    add(
        "csc_assess",
        csc,
        "Assessment and Intervention Team ({town})",
        ["Social worker"],
        1 + scale // 3,
        True,
    )
    add(
        "csc_cin",
        csc,
        "Children in Need Team ({town})",
        ["Social worker", "Family practitioner"],
        1 + scale // 3,
        True,
    )
    add(
        "csc_cp",
        csc,
        "Child Protection Team",
        ["Social worker", "Senior practitioner"],
        2 + scale,
        False,
    )
    add(
        "csc_lac",
        csc,
        "Children in Care Team",
        ["Social worker", "Independent reviewing officer"],
        2 + scale,
        False,
    )
    add(
        "early_help",
        "early_help",
        "Early Help Locality Team ({town})",
        ["Family support worker", "Early help coordinator"],
        1 + scale // 3,
        True,
    )
    add(
        "police_missing",
        "police",
        "Missing and Exploitation Hub",
        ["Missing person coordinator", "Detective constable"],
        2 + scale // 2,
        False,
    )
    add(
        "police_neighbourhood",
        "police",
        "{town} Neighbourhood Policing Team",
        ["PC", "PCSO"],
        1 + scale // 4,
        True,
    )
    add(
        "police_pvp",
        "police",
        "Protecting Vulnerable People Unit",
        ["Detective sergeant", "Detective constable"],
        2 + scale // 2,
        False,
    )
    add(
        "camhs",
        "camhs",
        "CAMHS Community Team",
        ["Mental health practitioner", "Psychiatrist", "Clinical psychologist"],
        3 + scale,
        False,
    )
    add(
        "school_nursing",
        "school_nursing",
        "School Nursing Team ({town})",
        ["School nurse", "Community staff nurse"],
        1 + scale // 4,
        True,
    )
    add(
        "youth_justice",
        "youth_justice",
        "Youth Justice Service",
        ["Youth justice officer", "Case manager"],
        2 + scale,
        False,
    )
    add(
        "cet",
        "child_exploitation_team",
        "Child Exploitation Team",
        ["Child exploitation worker", "Senior practitioner"],
        2 + scale // 2,
        False,
    )
    add("ae", "health_ae", "Emergency Department", ["Paediatric liaison nurse"], 2, False)

    town_names = [t for t, _, _ in TOWNS]
    return County(
        streets=streets,
        town_cum=list(itertools.accumulate(w for _, w, _ in TOWNS)),
        out_of_area=out_of_area,
        primaries=primaries,
        secondaries=secondaries,
        alternative=alternative,
        gp_practices=gp_practices,
        teams=teams,
        hospital_ae=(
            "Hallowford General Hospital Emergency Department",
            streets["Hallowford"][0].postcodes[0],
        ),
        minor_injuries=("Brackenby Minor Injuries Unit", streets["Brackenby"][0].postcodes[0]),
        out_hospital=(
            "Marrowgate Royal Infirmary Emergency Department",
            out_of_area[0].postcodes[0],
        ),
        towns=town_names,
    )
