"""Everyday histories: what universal services record about every child (GP, school, A&E,
school nursing) and what targeted services record about the minority who need more (early help,
children's social care, police call-outs, CAMHS, youth justice)."""

from __future__ import annotations

import datetime as dt
import math

from sightline.synth.generator.ctx import Ctx, Subjects
from sightline.synth.generator.model import Person, SchoolSpell, add_years, local
from sightline.synth.generator.places import School, Team

DAY = dt.timedelta(days=1)


def poisson(ctx: Ctx, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= ctx.rng.random()
        if p <= limit:
            return k
        k += 1


def events_in(ctx: Ctx, start: dt.date, end: dt.date, per_year: float) -> list[dt.date]:
    """Dates of a Poisson process with `per_year` events a year between start and end."""
    if end <= start:
        return []
    years = (end - start).days / 365.25
    n = poisson(ctx, per_year * years)
    return sorted(ctx.between(start, end) for _ in range(n))


def every(ctx: Ctx, start: dt.date, end: dt.date, days: int, jitter: int = 3) -> list[dt.date]:
    """Roughly regular dates (a visit every `days` days) from start to end."""
    out = []
    d = start + dt.timedelta(days=ctx.rng.randint(1, max(1, days // 2)))
    while d <= end and d <= ctx.ref:
        out.append(d)
        d += dt.timedelta(days=max(1, days + ctx.rng.randint(-jitter, jitter)))
    return out


def working_days(d: dt.date, n: int) -> dt.date:
    while n > 0:
        d += DAY
        if d.weekday() < 5:
            n -= 1
    return d


def weekday(d: dt.date) -> dt.date:
    while d.weekday() >= 5:
        d += DAY
    return d


def children_alive(ctx: Ctx, on: dt.date) -> list[Person]:
    return [c for c in ctx.family.children if c.birth <= on]


def family_subjects(ctx: Ctx, kids: list[Person], with_mother: bool = True) -> Subjects:
    subjects: Subjects = [(c, "subject") for c in kids]
    if with_mother:
        subjects.append((ctx.family.mother, "parent"))
    return subjects


# -- Schools -----------------------------------------------------------------------------------


def reception_year(birth: dt.date) -> int:
    return birth.year + 4 if birth.month < 9 else birth.year + 5


def academic_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def _pick_school(ctx: Ctx, town: str, phase: str) -> School:
    pool = ctx.county.primaries if phase == "primary" else ctx.county.secondaries
    return ctx.rng.choice(pool[town])


def plan_schools(ctx: Ctx, child: Person) -> None:
    """The child's school career (spells), changing school when the family moves town."""
    ry = reception_year(child.birth)
    start = dt.date(ry, 9, ctx.rng.randint(2, 8))
    if start > ctx.ref:
        return
    sixth_form = ctx.rng.random() < 0.5
    phases = [
        ("primary", start, dt.date(ry + 7, 7, 20)),
        (
            "secondary",
            dt.date(ry + 7, 9, ctx.rng.randint(2, 8)),
            dt.date(ry + (14 if sixth_form else 12), 7, 20),
        ),
    ]
    spells: list[SchoolSpell] = []
    for phase, p_start, p_end in phases:
        if p_start > ctx.ref:
            break
        town = child.address_on(p_start).town
        spell = SchoolSpell(
            _pick_school(ctx, town, phase),
            p_start,
            p_end if p_end <= ctx.ref else None,
            "completed phase" if p_end <= ctx.ref else None,
        )
        spells.append(spell)
        for address in child.addresses:
            if (
                p_start < address.start < p_end
                and address.start <= ctx.ref
                and address.town != spell.school.town
            ):
                spell.end = address.start - DAY
                spell.reason_left = "house move"
                new_start = weekday(address.start + dt.timedelta(days=ctx.rng.randint(3, 20)))
                spell = SchoolSpell(
                    _pick_school(ctx, address.town, phase),
                    new_start,
                    p_end if p_end <= ctx.ref else None,
                    "completed phase" if p_end <= ctx.ref else None,
                )
                spells.append(spell)
    child.school_spells = [s for s in spells if s.start <= ctx.ref]
    if child.school_spells:
        first = child.school_spells[0]
        child.upn = ctx.gen.upns.issue(first.school.estab, first.start.year)


def truncate_schooling(child: Person, on: dt.date, reason: str) -> None:
    """The child leaves mainstream school on `on` (exclusion, move into care far away)."""
    kept = []
    for spell in child.school_spells:
        if spell.start > on:
            continue
        if spell.end is None or spell.end > on:
            spell.end = on
            spell.reason_left = reason
        kept.append(spell)
    child.school_spells = kept
    child.school_exit = on


def school_history(
    ctx: Ctx, child: Person, *, concern_rate: float, attendance_shift: float
) -> None:
    rng = ctx.rng
    base_attendance = min(99.5, rng.gauss(95.3, 2.2) - attendance_shift)
    previous: SchoolSpell | None = None
    for spell in child.school_spells:
        school = spell.school
        loc = {"postcode": school.postcode, "label": school.name}
        ctx.involve(
            "schools",
            child,
            _school_team(school),
            spell.start,
            spell.end,
            practitioner=school.staff[0],
        )
        if school.phase == "alternative":
            continue  # the trajectory that placed the child there records the start
        when = ctx.at(spell.start, 9, 15)
        if previous is None or (previous.school.phase != school.phase and spell.start.month == 9):
            key = "school_start" if school.phase == "primary" else "school_start_secondary"
            ctx.add(
                "schools",
                "school_start",
                when,
                ctx.say(key, child, school=school.name),
                [(child, "subject")],
                location=loc,
            )
        elif school.phase != "alternative":
            ctx.add(
                "schools",
                "education_roll_change",
                when,
                ctx.say(
                    "school_roll_change", child, school=school.name, old_school=previous.school.name
                ),
                [(child, "subject")],
                location=loc,
            )
        previous = spell
        # one attendance summary per completed academic year on roll
        end = spell.end or ctx.ref
        year = spell.start.year if spell.start.month >= 9 else spell.start.year - 1
        while True:
            july = dt.date(year + 1, 7, 19)
            if july > end or july > ctx.ref:
                break
            pct = max(40.0, min(100.0, base_attendance + rng.gauss(0, 1.8)))
            if child.school_exit and dt.date(year + 1, 7, 1) > add_years(child.school_exit, -1):
                pct = max(35.0, pct - rng.uniform(10, 30))
            sessions = round((100 - pct) * 3.8)
            label = academic_label(year)
            ctx.add(
                "schools",
                "attendance_summary",
                local(year + 1, 7, 1, 9, 0),
                ctx.say(
                    "attendance_summary", child, year=label, pct=f"{pct:.1f}", sessions=sessions
                ),
                [(child, "subject")],
                precision="month",
                location=loc,
                recorded=local(year + 1, 7, rng.randint(19, 23), rng.randint(8, 17), 0),
            )
            if pct < 90:
                low = weekday(ctx.between(dt.date(year + 1, 1, 10), dt.date(year + 1, 6, 30)))
                ctx.add(
                    "schools",
                    "attendance_low",
                    ctx.at(low),
                    ctx.say("attendance_low", child, year=label, pct=f"{pct:.0f}"),
                    [(child, "subject")],
                    location=loc,
                )
            year += 1
        # concerns logged by the school
        teen_from = add_years(child.birth, 12)
        for d in events_in(ctx, spell.start, end, concern_rate):
            if d.month == 8:
                continue
            key = "school_concern_teen" if d >= teen_from else "school_concern"
            ctx.add(
                "schools",
                "concern_raised",
                ctx.at(weekday(d), 8, 16),
                ctx.say(key, child),
                [(child, "subject")],
                grade="professional_opinion",
                location=loc,
            )


def _school_team(school: School) -> Team:
    return Team("school", school.name, school.town, school.postcode, school.staff)


# -- Health ------------------------------------------------------------------------------------


def gp_history(ctx: Ctx, child: Person, *, level: int) -> None:
    if not child.gp_registered:
        return
    rng = ctx.rng
    # registration: one practice per town lived in
    town = None
    spells: list[tuple[dt.date, dt.date | None, str]] = []
    for address in child.addresses:
        start = max(address.start, child.birth)
        if start > ctx.ref:
            break
        if address.town != town:
            if spells and spells[-1][1] is None:
                spells[-1] = (spells[-1][0], start - DAY, spells[-1][2])
            if address.town in ctx.county.gp_practices:  # else registered out of county
                spells.append((start, None, address.town))
            town = address.town
    for start, end, town_name in spells:
        practice = rng.choice(ctx.county.gp_practices[town_name])
        ctx.involve(
            "health_gp",
            child,
            practice,
            start + dt.timedelta(days=rng.randint(3, 40)),
            end,
            practitioner=practice.staff[0],
        )
    ages = [
        (0, 1, 2.2, "gp_baby"),
        (1, 5, 0.85, "gp_child"),
        (5, 12, 0.45, "gp_child"),
        (12, 18, 0.6, "gp_teen"),
    ]
    missed = 0.06 if level < 2 else 0.6
    for lo, hi, rate, key in ages:
        start = add_years(child.birth, lo)
        end = min(add_years(child.birth, hi), ctx.ref)
        for d in events_in(ctx, start, end, rate):
            ctx.add(
                "health_gp",
                "gp_attendance",
                ctx.at(weekday(d), 8, 18),
                ctx.say(key, child),
                [(child, "subject")],
                has_time=rng.random() < 0.5,
            )
        for d in events_in(ctx, start, end, missed if hi <= 12 else missed / 2):
            ctx.add(
                "health_gp",
                "appointment_missed",
                ctx.at(weekday(d), 8, 18),
                ctx.say("gp_missed", child),
                [(child, "subject")],
            )
    if level >= 2:
        for d in events_in(ctx, child.birth, ctx.ref, 0.12 * level):
            ctx.add(
                "health_gp",
                "concern_raised",
                ctx.at(weekday(d)),
                ctx.say("gp_concern", child),
                [(child, "subject")],
                grade="professional_opinion",
            )


def ae_history(ctx: Ctx, child: Person, *, level: int) -> None:
    rng = ctx.rng
    mult = 1.0 + 0.5 * level
    label, postcode = ctx.county.hospital_ae
    bands = [(0, 5, 0.22), (5, 12, 0.1), (12, 18, 0.18)]
    for lo, hi, rate in bands:
        start = add_years(child.birth, lo)
        end = min(add_years(child.birth, hi), ctx.ref)
        for d in events_in(ctx, start, end, rate * mult):
            when = ctx.at(d, 0, 24)
            if lo == 12 and rng.random() < 0.15 * (1 + level):
                key = "ae_teen_injury"
            else:
                key = "ae_injury" if rng.random() < 0.65 else "ae_illness"
            ctx.add(
                "health_ae",
                "ae_attendance",
                when,
                ctx.say(key, child),
                [(child, "subject")],
                has_time=True,
                ended=when + dt.timedelta(minutes=rng.randint(60, 400)),
                location={"postcode": postcode, "label": label},
            )


def school_nursing(ctx: Ctx, child: Person) -> None:
    if not child.school_spells:
        return
    rng = ctx.rng
    town = child.school_spells[0].school.town
    team = ctx.county.team("school_nursing", town)
    first = child.school_spells[0]
    dates = [(weekday(first.start + dt.timedelta(days=rng.randint(20, 200))), "sn_reception")]
    y6 = dt.date(reception_year(child.birth) + 6, 3, 10)
    if y6 <= ctx.ref:
        dates.append((weekday(ctx.between(y6, y6 + dt.timedelta(days=90))), "sn_y6"))
    if rng.random() < 0.15:
        dates += [
            (d, "sn_dropin") for d in events_in(ctx, add_years(child.birth, 12), ctx.ref, 0.4)
        ]
    dates = [(d, key) for d, key in dates if d <= ctx.ref]
    if not dates:
        return
    ctx.involve("school_nursing", child, team, dates[0][0], None)
    for d, key in dates:
        school = child.school_on(d)
        ctx.add(
            "school_nursing",
            "other",
            ctx.at(d),
            ctx.say(key, child),
            [(child, "subject")],
            location={"postcode": school.postcode, "label": school.name} if school else None,
        )


# -- Early help and children's social care ----------------------------------------------------


def referral(ctx: Ctx, kids: list[Person], on: dt.date, by: str, to: str = "csc") -> None:
    """A referral (to the Children's Front Door, or a request for early help) as the
    referrer's feed records it."""
    child = kids[0]
    if to == "early_help":
        school = child.school_on(on)
        if by == "schools" and school is not None:
            ctx.add(
                "schools",
                "referral_made",
                ctx.at(weekday(on)),
                ctx.say("eh_request_school", child, school=school.name),
                family_subjects(ctx, kids),
                location={"postcode": school.postcode, "label": school.name},
            )
        else:
            ctx.add(
                "health_gp",
                "referral_made",
                ctx.at(weekday(on)),
                ctx.say("eh_request_health", child),
                family_subjects(ctx, kids),
                sensitivity="standard",
            )
        return
    if by == "police":
        ctx.add(
            "police",
            "referral_made",
            ctx.at(on, 0, 24),
            ctx.say("referral_police_da", child),
            family_subjects(ctx, kids),
            has_time=True,
        )
    elif by == "schools":
        school = child.school_on(on)
        if school is None:
            by = "health_gp"
        else:
            ctx.add(
                "schools",
                "referral_made",
                ctx.at(weekday(on)),
                ctx.say("referral_school", child, school=school.name),
                family_subjects(ctx, kids),
                location={"postcode": school.postcode, "label": school.name},
            )
            return
    if by == "health_gp":
        ctx.add(
            "health_gp",
            "referral_made",
            ctx.at(weekday(on)),
            ctx.say("referral_health", child),
            family_subjects(ctx, kids),
            sensitivity="standard",
        )


def domestic_incident(ctx: Ctx, on: dt.date, kids: list[Person]) -> None:
    family = ctx.family
    perpetrator = family.others[0] if family.others else family.father()
    if perpetrator is None:
        return
    subjects: Subjects = [(c, "witness") for c in kids]
    subjects += [(family.mother, "victim"), (perpetrator, "perpetrator")]
    when = ctx.night(on)
    ctx.add(
        "police",
        "domestic_abuse",
        when,
        ctx.say("police_da", kids[0] if kids else None),
        subjects,
        has_time=True,
        location=ctx.home(family.mother, on),
    )
    if ctx.rng.random() < 0.6:
        ctx.give_pnc(perpetrator, on.year)
    if ctx.rng.random() < 0.7:
        ctx.add(
            "police",
            "referral_made",
            when + dt.timedelta(hours=ctx.rng.randint(8, 60)),
            ctx.say("referral_police_da", kids[0] if kids else None),
            family_subjects(ctx, kids),
            has_time=True,
        )


# CIN census assessment factor codes, as an assessment would list them.
_FACTORS = (
    "1A alcohol misuse (parent)",
    "2A drug misuse (parent)",
    "3A domestic abuse (child)",
    "3B domestic abuse (parent)",
    "4B mental health (parent)",
    "6A learning disability (parent)",
    "8B physical disability (child)",
    "9A socially unacceptable behaviour",
    "16A emotional abuse",
    "17A neglect",
    "19B physical abuse",
    "21A no factors",
)


def assessment_factors(ctx: Ctx, level: int) -> str | None:
    if level <= 1:
        return "Assessment factors: 21A no factors identified at statutory threshold."
    chosen = sorted(set(ctx.rng.sample(_FACTORS[:-1], k=min(4, 1 + level))))
    return "Assessment factors: " + "; ".join(chosen) + "."


def family_history(ctx: Ctx, kids: list[Person], on: dt.date) -> None:
    """What an assessment learns about the past, written with the precision people remember it:
    a year, a month, or a season ("summer 2018")."""
    rng = ctx.rng
    family = ctx.family
    child = kids[0]
    recorded = ctx.at(on) + dt.timedelta(hours=1)
    years_back = rng.randint(1, 6)
    year = on.year - years_back
    if rng.random() < 0.35 and year >= child.birth.year:
        ctx.add(
            "csc",
            "bereavement",
            local(year, 1, 1),
            f"{family.mother.given} said the children's grandmother died in {year}; "
            "the children were close to her.",
            family_subjects(ctx, kids),
            precision="year",
            grade="reported",
            recorded=recorded,
        )
    if rng.random() < 0.3:
        season, month = rng.choice((("spring", 4), ("summer", 7), ("autumn", 10)))
        if local(year, month, 1) < recorded and year >= child.birth.year:
            perpetrator = family.others[0] if family.others else family.father()
            subjects = family_subjects(ctx, kids)
            if perpetrator is not None:
                subjects.append((perpetrator, "perpetrator"))
            ctx.add(
                "csc",
                "domestic_abuse",
                local(year, month, 1),
                f"{family.mother.given} disclosed that in the {season} of {year} "
                f"{family.mother.his} then partner assaulted {family.mother.him} while the "
                "children were at home; not reported to police.",
                subjects,
                precision="season",
                grade="reported",
                recorded=recorded,
            )
    father = family.father()
    if father is not None and rng.random() < 0.15:
        when = on - dt.timedelta(days=rng.randint(200, 1500))
        if when > child.birth:
            ctx.add(
                "csc",
                "parent_imprisoned",
                local(when.year, when.month, 1),
                f"{father.given} served a prison sentence from {when:%B %Y}; contact with the "
                "children by letter.",
                [*family_subjects(ctx, kids, with_mother=False), (father, "parent")],
                precision="month",
                grade="reported",
                recorded=recorded,
            )


def early_help_episode(ctx: Ctx, start: dt.date, *, months: int | None = None) -> dt.date:
    rng = ctx.rng
    kids = children_alive(ctx, start)
    if not kids:
        return start
    family = ctx.family
    referral(ctx, kids, start, rng.choice(["schools", "schools", "health_gp"]), to="early_help")
    plan = weekday(start + dt.timedelta(days=rng.randint(10, 35)))
    end = plan + dt.timedelta(days=30 * (months or rng.randint(3, 9)))
    team = ctx.county.team("early_help", family.town)
    worker = rng.choice(team.staff)
    for child in kids:
        ctx.involve("early_help", child, team, plan, end, is_lead=True, practitioner=worker)
    ctx.register("early_help", *family.parents)
    home = ctx.home(family.mother, plan, "Home address")
    ctx.add(
        "early_help",
        "early_help_plan_start",
        ctx.at(plan),
        ctx.say("eh_plan", kids[0]),
        family_subjects(ctx, kids),
        location=home,
    )
    for d in every(ctx, plan, end, rng.choice((14, 21))):
        ctx.add(
            "early_help",
            "home_visit",
            ctx.at(weekday(d)),
            ctx.say("eh_visit", kids[0]),
            family_subjects(ctx, kids),
            location=home,
        )
    for child in kids:
        if child.age_on(plan) >= 4:
            for d in every(ctx, plan, end, 60, 10):
                ctx.add(
                    "early_help",
                    "direct_work",
                    ctx.at(weekday(d)),
                    ctx.say("eh_direct", child),
                    [(child, "subject")],
                )
    for d in every(ctx, plan, end, 49, 7):
        ctx.add(
            "early_help",
            "multi_agency_meeting",
            ctx.at(weekday(d)),
            ctx.say("eh_taf", kids[0]),
            family_subjects(ctx, kids),
        )
    if end <= ctx.ref:
        ctx.add(
            "early_help",
            "case_closed",
            ctx.at(weekday(end)),
            ctx.say("eh_close", kids[0]),
            family_subjects(ctx, kids),
        )
    return end


def csc_episode(ctx: Ctx, start: dt.date, level: int) -> dt.date:
    """Referral, assessment and (by level) child in need, child protection or care."""
    rng = ctx.rng
    family = ctx.family
    kids = children_alive(ctx, start)
    if not kids:
        return start
    county = ctx.county
    if level >= 3 or rng.random() < 0.4:
        domestic_incident(ctx, start - dt.timedelta(days=rng.randint(0, 2)), kids)
        by = "police"
    else:
        by = rng.choice(["schools", "health_gp"])
        referral(ctx, kids, start, by)
    ctx.register("csc", *family.adults)
    front = county.team("csc_front")
    d = working_days(start, rng.randint(0, 2))
    ctx.add(
        "csc",
        "mash_discussion",
        ctx.at(d),
        ctx.say("mash", kids[0]),
        family_subjects(ctx, kids),
        agency="mash",
    )
    ctx.add(
        "csc",
        "referral_accepted",
        ctx.at(d),
        ctx.say("referral_accepted", kids[0]),
        family_subjects(ctx, kids),
    )
    for child in kids:
        ctx.involve("csc", child, front, start, d)
    home = ctx.home(family.mother, start, "Home address")
    alloc = working_days(d, rng.randint(1, 5))
    team = county.team("csc_assess", family.town)
    worker = rng.choice(team.staff)
    ctx.add(
        "csc",
        "allocation",
        ctx.at(alloc),
        ctx.say("allocation", kids[0], worker=worker.name, team=team.name),
        family_subjects(ctx, kids, with_mother=False),
    )
    if level >= 3:
        strat = working_days(start, rng.randint(0, 2))
        ctx.add(
            "csc",
            "strategy_discussion",
            ctx.at(strat),
            ctx.say("strategy", kids[0]),
            family_subjects(ctx, kids),
        )
        ctx.add(
            "police",
            "strategy_discussion",
            ctx.at(strat),
            ctx.say("strategy", kids[0]),
            family_subjects(ctx, kids),
        )
    assessed = working_days(alloc, rng.randint(15, 45))
    for v in every(ctx, alloc, assessed, 10, 3):
        ctx.add(
            "csc",
            "home_visit",
            ctx.at(weekday(v)),
            ctx.say("sw_visit", kids[0]),
            family_subjects(ctx, kids),
            location=home,
        )
    for child in kids:
        ctx.involve("csc", child, team, alloc, assessed, is_lead=True, practitioner=worker)
        ctx.add(
            "csc",
            "assessment_completed",
            ctx.at(assessed),
            ctx.say("assessment" if level >= 2 else "assessment_nfa", child),
            [(child, "subject")],
            grade="professional_opinion",
            detail=assessment_factors(ctx, level),
        )
    family_history(ctx, kids, assessed)
    if level <= 1:
        ctx.add(
            "csc",
            "case_closed",
            ctx.at(assessed),
            ctx.say("case_closed_csc", kids[0]),
            family_subjects(ctx, kids, with_mother=False),
        )
        return early_help_episode(ctx, assessed + dt.timedelta(days=7))
    t = assessed
    if level >= 3:
        ctx.add(
            "csc",
            "s47_enquiry",
            ctx.at(t),
            ctx.say("s47", kids[0]),
            family_subjects(ctx, kids),
            sensitivity="not_for_family_disclosure" if rng.random() < 0.2 else None,
        )
        icpc = working_days(t, rng.randint(5, 15))
        category = rng.choice(["neglect", "neglect", "emotional abuse", "physical abuse"])
        cp_team = county.team("csc_cp")
        cp_worker = rng.choice(cp_team.staff)
        cp_end = icpc + dt.timedelta(days=rng.randint(270, 720))
        for child in kids:
            ctx.add(
                "csc",
                "cp_conference",
                ctx.at(icpc),
                ctx.say("icpc", child, category=category),
                [(child, "subject")],
            )
            ctx.add(
                "csc",
                "cp_plan_start",
                ctx.at(icpc),
                ctx.say("cp_start", child, category=category),
                [(child, "subject")],
            )
            ctx.involve("csc", child, cp_team, icpc, cp_end, is_lead=True, practitioner=cp_worker)
        for v in every(ctx, icpc, cp_end, 10, 3):
            ctx.add(
                "csc",
                "home_visit",
                ctx.at(weekday(v)),
                ctx.say("sw_visit", kids[0]),
                family_subjects(ctx, kids),
                location=home,
            )
        for v in every(ctx, working_days(icpc, 8), cp_end, 35, 7):
            ctx.add(
                "csc",
                "core_group",
                ctx.at(weekday(v)),
                ctx.say("core_group", kids[0]),
                family_subjects(ctx, kids),
            )
        review = icpc + dt.timedelta(days=rng.randint(80, 90))
        while review < cp_end:
            ctx.add(
                "csc",
                "cp_conference",
                ctx.at(weekday(review)),
                ctx.say("rcpc", kids[0]),
                family_subjects(ctx, kids),
            )
            review += dt.timedelta(days=rng.randint(150, 180))
        for d in events_in(ctx, icpc, cp_end, 2.0):
            domestic_incident(ctx, d, kids)
        if level >= 4 and cp_end <= ctx.ref:
            care_episode(ctx, cp_end, kids)
            return cp_end
        if cp_end > ctx.ref:
            return ctx.ref
        for child in kids:
            ctx.add(
                "csc",
                "cp_plan_end",
                ctx.at(weekday(cp_end)),
                ctx.say("cp_end", child),
                [(child, "subject")],
            )
        t = cp_end
    cin_team = county.team("csc_cin", family.town)
    cin_worker = rng.choice(cin_team.staff)
    cin_end = t + dt.timedelta(days=rng.randint(120, 500))
    for child in kids:
        ctx.add(
            "csc",
            "cin_plan_start",
            ctx.at(weekday(t)),
            ctx.say("cin_start", child),
            [(child, "subject")],
        )
        ctx.involve("csc", child, cin_team, t, cin_end, is_lead=True, practitioner=cin_worker)
    for v in every(ctx, t, cin_end, rng.choice((14, 21, 28)), 4):
        ctx.add(
            "csc",
            "home_visit",
            ctx.at(weekday(v)),
            ctx.say("sw_visit", kids[0]),
            family_subjects(ctx, kids),
            location=home,
        )
    for v in every(ctx, t, cin_end, 90, 10):
        ctx.add(
            "csc",
            "cin_review",
            ctx.at(weekday(v)),
            ctx.say("cin_review", kids[0]),
            family_subjects(ctx, kids),
        )
    for child in kids:
        if child.age_on(t) >= 4 and rng.random() < 0.7:
            v = ctx.between(t, min(cin_end, ctx.ref))
            ctx.add(
                "csc",
                "voice_of_child_recorded",
                ctx.at(weekday(v)),
                ctx.say("voice", child),
                [(child, "subject")],
                grade="reported",
            )
    if cin_end > ctx.ref:
        return ctx.ref
    if rng.random() < 0.4:
        ctx.add(
            "csc",
            "step_down",
            ctx.at(weekday(cin_end)),
            ctx.say("step_down", kids[0]),
            family_subjects(ctx, kids, with_mother=False),
        )
        return early_help_episode(ctx, cin_end + dt.timedelta(days=10))
    ctx.add(
        "csc",
        "case_closed",
        ctx.at(weekday(cin_end)),
        ctx.say("case_closed_csc", kids[0]),
        family_subjects(ctx, kids, with_mother=False),
    )
    return cin_end


def care_episode(ctx: Ctx, start: dt.date, kids: list[Person]) -> None:
    """Care proceedings and a period looked after (generic families at level 4)."""
    from sightline.synth.generator import trajectories

    rng = ctx.rng
    in_care = kids[: rng.randint(1, len(kids))]
    ctx.add(
        "csc",
        "care_proceedings",
        ctx.at(weekday(start)),
        "Care proceedings issued; interim care order sought.",
        family_subjects(ctx, in_care),
        sensitivity="not_for_family_disclosure",
    )
    lac_start = weekday(start + dt.timedelta(days=rng.randint(7, 30)))
    for child in in_care:
        trajectories.looked_after(
            ctx,
            child,
            lac_start,
            placements=rng.randint(1, 3),
            until=ctx.ref if rng.random() < 0.7 else None,
        )


# -- Adolescents: police, CAMHS, youth justice, missing ---------------------------------------


def teen_police(ctx: Ctx, child: Person) -> None:
    rng = ctx.rng
    start = add_years(child.birth, 12)
    if start >= ctx.ref:
        return
    dates = sorted(ctx.between(start, ctx.ref) for _ in range(rng.randint(1, 4)))
    for d in dates:
        ctx.add(
            "police",
            "police_incident",
            ctx.night(d),
            ctx.say("police_teen", child),
            [(child, "subject")],
            has_time=True,
        )
    if rng.random() < 0.45:
        d = dates[-1]
        ctx.give_pnc(child, d.year)
        when = ctx.night(d)
        ctx.add(
            "police",
            "arrest",
            when,
            ctx.say("arrest_teen", child),
            [(child, "subject")],
            has_time=True,
        )
        disposal = d + dt.timedelta(days=rng.randint(14, 90))
        ctx.add(
            "police",
            "out_of_court_disposal",
            ctx.at(weekday(disposal)),
            ctx.say("ooc", child),
            [(child, "subject")],
        )
        if disposal <= ctx.ref and rng.random() < 0.8:
            youth_justice(ctx, child, disposal)


def youth_justice(ctx: Ctx, child: Person, start: dt.date) -> None:
    rng = ctx.rng
    team = ctx.county.team("youth_justice")
    end = start + dt.timedelta(days=rng.randint(60, 180))
    ctx.involve("youth_justice", child, team, start, end, is_lead=True)
    ctx.register("youth_justice", ctx.family.mother)
    ctx.add(
        "youth_justice",
        "allocation",
        ctx.at(weekday(start)),
        ctx.say("yjs_start", child),
        [(child, "subject")],
    )
    for d in every(ctx, start, end, 14, 4):
        ctx.add(
            "youth_justice",
            "direct_work",
            ctx.at(weekday(d)),
            ctx.say("yjs_session", child),
            [(child, "subject")],
        )
    ctx.add(
        "youth_justice",
        "case_closed",
        ctx.at(weekday(end)),
        ctx.say("yjs_close", child),
        [(child, "subject")],
    )


def camhs(ctx: Ctx, child: Person, start: dt.date) -> None:
    rng = ctx.rng
    referrer = "schools" if child.school_on(start) and rng.random() < 0.5 else "health_gp"
    text = ctx.say("camhs_referral", child)
    ctx.add(
        referrer,
        "referral_made",
        ctx.at(weekday(start)),
        text,
        [(child, "subject")],
        sensitivity="health_confidential",
    )
    team = ctx.county.team("camhs")
    accepted = working_days(start, rng.randint(3, 20))
    ctx.add("camhs", "referral_accepted", ctx.at(accepted), text, [(child, "subject")])
    weeks = rng.randint(6, 40)
    ctx.add(
        "camhs",
        "waiting_list",
        ctx.at(accepted),
        ctx.say("camhs_wait", child, weeks=weeks),
        [(child, "subject")],
    )
    seen = weekday(accepted + dt.timedelta(weeks=weeks))
    end = seen + dt.timedelta(days=rng.randint(60, 300))
    ctx.involve("camhs", child, team, seen, end, is_lead=False)
    ctx.add(
        "camhs",
        "mental_health_assessment",
        ctx.at(seen),
        ctx.say("camhs_assessment", child),
        [(child, "subject")],
        grade="professional_opinion",
    )
    dna = 0
    for d in every(ctx, seen, end, 14, 4):
        if rng.random() < 0.2:
            dna += 1
            ctx.add(
                "camhs",
                "appointment_missed",
                ctx.at(weekday(d)),
                ctx.say("camhs_dna", child),
                [(child, "subject")],
            )
        else:
            ctx.add(
                "camhs",
                "direct_work",
                ctx.at(weekday(d)),
                ctx.say("camhs_session", child),
                [(child, "subject")],
            )
    ctx.add(
        "camhs",
        "case_closed",
        ctx.at(weekday(end)),
        ctx.say("camhs_close", child),
        [(child, "subject")],
    )
    if child.age_on(start) >= 12 and rng.random() < 0.35:
        label, postcode = ctx.county.hospital_ae
        d = ctx.between(start, min(end, ctx.ref))
        when = ctx.night(d)
        ctx.add(
            "health_ae",
            "ae_attendance",
            when,
            ctx.say("ae_self_harm", child),
            [(child, "subject")],
            has_time=True,
            location={"postcode": postcode, "label": label},
        )
        ctx.add(
            "health_ae",
            "self_harm",
            when + dt.timedelta(minutes=rng.randint(30, 200)),
            "Self-harm recorded; safeguarding referral considered, CAMHS liaison informed.",
            [(child, "subject")],
            has_time=True,
        )


def missing_once(ctx: Ctx, child: Person) -> None:
    rng = ctx.rng
    start = add_years(child.birth, 12)
    if start >= ctx.ref:
        return
    d = ctx.between(start, ctx.ref)
    when = ctx.night(d)
    found = when + dt.timedelta(hours=rng.randint(2, 16))
    ctx.add(
        "police",
        "missing_episode",
        when,
        ctx.say("missing_once", child),
        [(child, "subject"), (ctx.family.mother, "parent")],
        has_time=True,
        ended=found,
        location=ctx.home(child, d),
    )
    ctx.add(
        "police",
        "found_after_missing",
        found,
        ctx.say("found_once", child),
        [(child, "subject")],
        has_time=True,
    )
    rhi = found + dt.timedelta(days=rng.randint(1, 6))
    ctx.register("csc", ctx.family.mother)
    ctx.add(
        "csc",
        "return_interview",
        ctx.at(weekday(rhi.date())),
        "Return home interview completed; said "
        + child.he
        + " had stayed with a friend after an argument.",
        [(child, "subject")],
        grade="reported",
    )


# -- A very long history (benchmarks need children with 1,000+ entries) -----------------------


def long_history(ctx: Ctx, child: Person, target: int) -> None:
    """Weekly contact from many agencies over many years: the chaotic histories that make a
    chronology page slow if it is not built for them."""
    rng = ctx.rng
    family = ctx.family
    start = max(add_years(child.birth, 1), add_years(ctx.ref, -15))
    home = ctx.home(child, ctx.ref, "Home address")
    label, postcode = ctx.county.hospital_ae
    choices = (
        ("csc", "home_visit", "sw_visit"),
        ("csc", "information_shared", "phone_contact"),
        ("csc", "professional_consultation", "phone_contact"),
        ("early_help", "home_visit", "eh_visit"),
        ("schools", "concern_raised", "school_concern"),
        ("health_gp", "appointment_missed", "gp_missed"),
        ("health_gp", "gp_attendance", "gp_child"),
        ("police", "domestic_abuse", "police_da"),
        ("csc", "core_group", "core_group"),
        ("health_ae", "ae_attendance", "ae_injury"),
    )
    ctx.register("csc", *family.adults)
    span = max(1, (ctx.ref - start).days)
    made = 0
    while made < target:
        d = weekday(start + dt.timedelta(days=rng.randrange(span)))
        source, type_, key = rng.choice(choices)
        if source == "schools" and child.school_on(d) is None:
            continue
        if source == "police":
            domestic_incident(ctx, d, [child])
            made += 1
            continue
        loc = (
            home
            if type_ == "home_visit"
            else ({"postcode": postcode, "label": label} if source == "health_ae" else None)
        )
        draft = ctx.add(
            source,
            type_,
            ctx.at(d),
            ctx.say(key, child),
            [(child, "subject"), (family.mother, "parent")]
            if source in ("csc", "early_help")
            else [(child, "subject")],
            location=loc,
            has_time=source == "health_ae",
        )
        if draft is not None:
            made += 1
