"""Planted trajectories: the patterns the practice reviews describe, woven across agencies with
plausible dates and recording lags, so the chronology, the rules and the linkage can be shown
finding them.

- criminal_exploitation: an adolescent drawn into county lines (after "James": missing episodes,
  exclusion, out-of-area arrest, knife injury, cannabis, intelligence naming an older adult,
  screening and an NRM referral that come late).
- neglect_to_cse_in_care: early neglect, a child protection plan, care, placement moves, then
  missing episodes and sexual exploitation by adults, across a force boundary.
- rejected_referrals: referrals from school and health rejected ("threshold not met", "no
  consent"), step-up refused, while concerns accumulate.
- non_engaging_family: cancelled appointments, no-access visits, closures for non-engagement.
- sibling_exposure: the younger siblings of an exploited child living with the consequences."""

from __future__ import annotations

import datetime as dt

from sightline.synth.generator.background import (
    early_help_episode,
    every,
    truncate_schooling,
    weekday,
    working_days,
)
from sightline.synth.generator.ctx import Ctx, Subjects
from sightline.synth.generator.model import Address, Person, SchoolSpell, add_years, local
from sightline.synth.generator.places import OTHER_FORCES, Place

DAY = dt.timedelta(days=1)


def _out_of_area(ctx: Ctx) -> Place:
    return ctx.rng.choice(ctx.county.out_of_area)


def _loc(place: Place) -> dict[str, str | None]:
    return {"postcode": place.postcodes[0], "label": place.town}


def _spread(ctx: Ctx, start: dt.date, end: dt.date, n: int) -> list[dt.date]:
    return sorted(ctx.between(start, end) for _ in range(n))


def _school_loc(child: Person, on: dt.date) -> dict[str, str | None] | None:
    school = child.school_on(on)
    return {"postcode": school.postcode, "label": school.name} if school else None


# -- Care -------------------------------------------------------------------------------------


def looked_after(
    ctx: Ctx,
    child: Person,
    start: dt.date,
    *,
    placements: int,
    until: dt.date | None,
    residential_from: dt.date | None = None,
) -> list[tuple[dt.date, Address]]:
    """The child becomes looked after on `start`, moves placement `placements` times and leaves
    care on `until` (None: still looked after on the reference date)."""
    rng = ctx.rng
    county = ctx.county
    end = min(until or ctx.ref, ctx.ref)
    if start > end:
        return []
    team = county.team("csc_lac")
    worker = rng.choice(team.staff)
    ctx.involve("csc", child, team, start, until, is_lead=True, practitioner=worker)
    ctx.add(
        "csc",
        "court_order",
        ctx.at(start),
        "Interim care order granted.",
        [(child, "subject")],
        sensitivity="not_for_family_disclosure",
        keep=True,
    )
    moves = sorted(
        {weekday(ctx.between(start + dt.timedelta(days=60), end)) for _ in range(placements)}
        - {start}
    )
    dates = [start, *moves]
    history: list[tuple[dt.date, Address]] = []
    for i, d in enumerate(dates):
        residential = residential_from is not None and d >= residential_from
        if residential:
            street = county.streets[county.towns[1 + i % 3]][2 + i % 2]
            line = f"{street.name.split()[0]} House children's home, {street.name}, {street.town}"
            kind = "residential children's home"
        elif i >= 2 and rng.random() < 0.4:
            street = _out_of_area(ctx)
            line = f"{rng.randint(1, 90)} {street.name}, {street.town}"
            kind = f"foster placement out of county ({street.town})"
        else:
            town = county.town(rng)
            street = rng.choice(county.streets[town])
            line = f"{rng.randint(1, 140)} {street.name}, {town}"
            kind = f"foster placement in {town}"
        address = Address(line, street.postcodes[0], street.town, d)
        history.append((d, address))
        subjects: Subjects = [(child, "subject")]
        if i == 0:
            ctx.add(
                "csc",
                "became_looked_after",
                ctx.at(d),
                f"{child.given} became looked after; placed in a {kind}.",
                subjects,
                keep=True,
                location={"postcode": address.postcode, "label": "Placement"},
            )
        else:
            reason = rng.choice(
                [
                    "placement breakdown",
                    "carers gave notice",
                    "to a placement able to meet needs",
                    "after a missing episode",
                ]
            )
            ctx.add(
                "csc",
                "placement_move",
                ctx.at(d),
                f"Placement move ({reason}); now in a {kind}.",
                subjects,
                keep=True,
                location={"postcode": address.postcode, "label": "Placement"},
            )
    # the child's address history: home until care, then each placement
    keep = [a for a in child.addresses if a.start < start]
    if keep and (keep[-1].end is None or keep[-1].end >= start):
        keep[-1] = Address(
            keep[-1].line, keep[-1].postcode, keep[-1].town, keep[-1].start, start - DAY
        )
    for j, (_, address) in enumerate(history):
        nxt = history[j + 1][0] if j + 1 < len(history) else until
        address.end = nxt - DAY if nxt and nxt <= ctx.ref else None
        keep.append(address)
    if until is not None and until <= ctx.ref:
        home = ctx.family.addresses[-1]
        keep.append(Address(home.line, home.postcode, home.town, until))
        ctx.add(
            "csc",
            "case_closed",
            ctx.at(weekday(until)),
            "Returned home to parents; care order discharged.",
            [(child, "subject")],
        )
    child.addresses = keep
    review = working_days(start, 20)
    gap = 90
    while review <= end:
        ctx.add(
            "csc",
            "lac_review",
            ctx.at(weekday(review)),
            "Looked after review chaired by IRO; care plan endorsed.",
            [(child, "subject")],
        )
        review += dt.timedelta(days=gap)
        gap = 182
    final = start + dt.timedelta(days=rng.randint(150, 230))
    if final <= end:
        ctx.add(
            "csc",
            "court_order",
            ctx.at(weekday(final)),
            "Final care order made.",
            [(child, "subject")],
            sensitivity="not_for_family_disclosure",
        )
    for v in every(ctx, start, end, 42, 7):
        address = child.address_on(v)
        ctx.add(
            "csc",
            "home_visit",
            ctx.at(weekday(v)),
            "Statutory visit at placement; " + child.given + " seen alone.",
            [(child, "subject")],
            location={"postcode": address.postcode, "label": "Placement"},
        )
    return history


# -- 1. Criminal exploitation ----------------------------------------------------------------


def criminal_exploitation(
    ctx: Ctx, child: Person, adults: list[Person], peers: list[Person]
) -> tuple[dt.date, dt.date]:
    rng = ctx.rng
    family = ctx.family
    mother = family.mother
    adult = adults[0]
    ref = ctx.ref
    t_end = ref - dt.timedelta(days=rng.randint(20, 100))
    earliest = add_years(child.birth, 12) + dt.timedelta(days=120)
    span = min((t_end - earliest).days, rng.randint(500, 1100))
    t0 = t_end - dt.timedelta(days=max(span, 240))

    def at(frac: float) -> dt.date:
        return t0 + dt.timedelta(days=int((t_end - t0).days * frac))

    town = family.town
    name = child.given
    he, his, him = child.he, child.his, child.him
    alias = rng.choice(list(adult.aliases) or ["K"])
    child.aliases.append(rng.choice(["Little", "Lil", "Young"]) + " " + name[:3].capitalize())
    ctx.register("csc", *family.parents)
    ctx.register("police", mother)

    # Phase 1: school worries, first missing episode
    for d in _spread(ctx, t0, at(0.3), 3):
        d = weekday(d)
        ctx.add(
            "schools",
            "concern_raised",
            ctx.at(d, 8, 16),
            ctx.say("school_concern_teen", child),
            [(child, "subject")],
            grade="professional_opinion",
            location=_school_loc(child, d),
            keep=True,
        )
    for d in _spread(ctx, t0, at(0.45), 2):
        d = weekday(d)
        ctx.add(
            "schools",
            "school_exclusion",
            ctx.at(d),
            ctx.say("exclusion_fixed", child, days=rng.randint(2, 5)),
            [(child, "subject")],
            location=_school_loc(child, d),
            keep=True,
        )
    d = weekday(at(0.2))
    ctx.add(
        "schools",
        "attendance_low",
        ctx.at(d),
        f"Attendance this term {rng.randint(62, 80)}%; {name} often arriving after registration "
        "and leaving at lunchtime.",
        [(child, "subject")],
        location=_school_loc(child, d),
        keep=True,
    )
    ctx.add(
        "police",
        "police_incident",
        ctx.night(at(0.15)),
        f"{name} found with a group of older youths in {town} skate park after a report of "
        "drug dealing; spoken to and taken home.",
        [(child, "subject")],
        has_time=True,
        keep=True,
    )
    missing_dates = sorted(_spread(ctx, at(0.22), at(0.95), rng.randint(5, 9)))
    far = set(rng.sample(range(1, len(missing_dates)), k=min(3, len(missing_dates) - 1)))
    for i, d in enumerate(missing_dates):
        left = ctx.night(d)
        hours = rng.randint(10, 30) if i in far else rng.randint(3, 14)
        found = left + dt.timedelta(hours=hours)
        ctx.add(
            "police",
            "missing_episode",
            left,
            f"{mother.given} reported {name} missing; not returned home, phone switched off.",
            [(child, "subject"), (mother, "parent")],
            has_time=True,
            ended=found,
            location=ctx.home(child, d),
            keep=True,
        )
        if i in far:
            place = _out_of_area(ctx)
            ctx.add(
                "police",
                "found_after_missing",
                found,
                f"Located by {OTHER_FORCES[place.town]} at an address in {place.town}, "
                f"{rng.randint(40, 90)} miles from home, with two older males; returned by police.",
                [(child, "subject")],
                has_time=True,
                agency="police_other_force",
                location=_loc(place),
                keep=True,
            )
        else:
            ctx.add(
                "police",
                "found_after_missing",
                found,
                f"{name} returned home of own accord; would not say where {he} had been.",
                [(child, "subject")],
                has_time=True,
                location=ctx.home(child, d),
                keep=True,
            )
        rhi = found + dt.timedelta(hours=rng.choice([30, 50, 70, 100, 200]))
        if rng.random() < 0.35:
            ctx.add(
                "csc",
                "return_interview",
                ctx.at(weekday(rhi.date())),
                f"Return home interview offered; {name} declined to engage.",
                [(child, "subject")],
                keep=True,
            )
        else:
            ctx.add(
                "csc",
                "return_interview",
                ctx.at(weekday(rhi.date())),
                f"Return home interview: {name} said {he} was 'with mates' and would not give "
                "names; had new clothes and a second phone.",
                [(child, "subject")],
                grade="reported",
                keep=True,
            )

    # Phase 2: exploitation recognised piecemeal
    intel_dates = _spread(ctx, at(0.35), at(0.9), rng.randint(2, 4))
    for d in intel_dates:
        ctx.add(
            "police",
            "intelligence_received",
            ctx.at(d, 0, 24),
            rng.choice(
                [
                    f"Intelligence indicates {name} is running drugs for a line controlled by an "
                    f"adult known as '{alias}'.",
                    f"Intelligence that '{alias}' is using young people including {name} to "
                    f"deal class A drugs in {town} and {rng.choice(['Port Carrow', 'Greyhaven'])}.",
                    f"Intelligence that {name} owes a drug debt to '{alias}' and has been "
                    "threatened.",
                ]
            ),
            [(child, "subject"), (adult, "perpetrator")],
            grade="intelligence",
            sensitivity="police_intelligence",
            intel=ctx.intel_grade(),
            keep=True,
            detail="Source reporting; not to be disclosed outside policing without the "
            "originator's agreement.",
        )
    d = at(0.45)
    ctx.add(
        "police",
        "knife_incident",
        ctx.night(d),
        f"{name} stopped and searched in {town}; found in possession of a kitchen knife. Arrested.",
        [(child, "subject")],
        has_time=True,
        keep=True,
    )
    ctx.add(
        "police",
        "arrest",
        ctx.night(d) + dt.timedelta(minutes=20),
        "Arrested for possession of a bladed article; interviewed with appropriate adult.",
        [(child, "subject")],
        has_time=True,
        keep=True,
    )
    ctx.give_pnc(child, d.year)
    ctx.add(
        "police",
        "referral_made",
        ctx.at(d + DAY),
        f"Police referral to Children's Front Door: {name} found with a knife, concerns about "
        "criminal exploitation.",
        [(child, "subject"), (mother, "parent")],
        keep=True,
    )
    strat = working_days(d, rng.randint(1, 4))
    ctx.add(
        "csc",
        "strategy_discussion",
        ctx.at(strat),
        "Strategy discussion: concerns about criminal exploitation; agreed s47 enquiry and "
        "exploitation screening.",
        [(child, "subject"), (mother, "parent")],
        keep=True,
    )
    summer = strat.year - 1 if strat.month < 9 else strat.year
    if local(summer, 7, 1) > local(earliest.year, earliest.month, 1):
        ctx.add(
            "csc",
            "change_of_residence",
            local(summer, 7, 1),
            f"{mother.given} said {name} went to stay with relatives in Marrowgate for several "
            f"weeks in the summer of {summer}; no agency knew at the time.",
            [(child, "subject"), (mother, "parent")],
            precision="season",
            grade="reported",
            recorded=ctx.at(strat) + dt.timedelta(hours=2),
            keep=True,
        )
    screen = working_days(strat, rng.randint(10, 60))
    ctx.add(
        "csc",
        "ce_screening",
        ctx.at(screen),
        "Child exploitation screening tool completed: significant risk of criminal "
        "exploitation (CIN factor 24A).",
        [(child, "subject")],
        grade="professional_opinion",
        keep=True,
    )
    excl = weekday(at(0.5))
    ctx.add(
        "schools",
        "school_exclusion",
        ctx.at(excl),
        ctx.say(
            "exclusion_permanent",
            child,
            school=(child.school_on(excl) or ctx.county.alternative[0]).name,
        ),
        [(child, "subject")],
        location=_school_loc(child, excl),
        keep=True,
    )
    truncate_schooling(child, excl, "permanently excluded")
    ctx.add(
        "schools",
        "not_in_education",
        ctx.at(weekday(excl + dt.timedelta(days=10))),
        f"{name} not on any school roll following permanent exclusion; awaiting alternative "
        "provision.",
        [(child, "subject")],
        keep=True,
    )
    ap = ctx.county.alternative[rng.randrange(len(ctx.county.alternative))]
    ap_start = weekday(excl + dt.timedelta(days=rng.randint(25, 70)))
    child.school_spells.append(SchoolSpell(ap, ap_start, None))
    ctx.add(
        "schools",
        "alternative_provision_start",
        ctx.at(ap_start),
        f"Started part-time (mornings only) at {ap.name}.",
        [(child, "subject")],
        location={"postcode": ap.postcode, "label": ap.name},
        keep=True,
    )
    for d2 in _spread(ctx, ap_start, t_end, 2):
        ctx.add(
            "schools",
            "attendance_low",
            ctx.at(weekday(d2)),
            f"Attended {rng.randint(20, 55)}% of offered sessions at {ap.name}.",
            [(child, "subject")],
            location={"postcode": ap.postcode, "label": ap.name},
            keep=True,
        )
    d = at(0.55)
    ctx.add(
        "school_nursing",
        "drug_use_disclosed",
        ctx.at(weekday(d)),
        f"{name} disclosed smoking cannabis daily; says it calms {him} down.",
        [(child, "subject")],
        grade="reported",
        keep=True,
    )

    # Phase 3: harm and the late multi-agency response
    d = at(0.62)
    place = _out_of_area(ctx)
    arrest = ctx.night(d)
    ctx.add(
        "police",
        "arrest_out_of_area",
        arrest,
        f"Arrested by {OTHER_FORCES[place.town]} at a cuckooed flat in {place.town} with wraps "
        "of class A drugs and cash; county lines.",
        [(child, "subject"), (adult, "associate")],
        has_time=True,
        agency="police_other_force",
        location=_loc(place),
        keep=True,
    )
    ctx.add(
        "police",
        "released_under_investigation",
        arrest + dt.timedelta(hours=14),
        "Released under investigation; returned to the county by officers.",
        [(child, "subject")],
        has_time=True,
        agency="police_other_force",
        keep=True,
    )
    d = at(0.72)
    stab = ctx.night(d)
    ctx.add(
        "police",
        "assault_victim",
        stab,
        f"{name} stabbed in the thigh in {town}; would not name the offender. Believed linked "
        "to a drug debt.",
        [(child, "victim"), (adult, "associate")],
        has_time=True,
        keep=True,
    )
    label, postcode = ctx.county.hospital_ae
    ctx.add(
        "health_ae",
        "ae_attendance",
        stab + dt.timedelta(minutes=rng.randint(25, 70)),
        "Attended by ambulance with a stab wound to the left thigh; wound explored and "
        "closed. Police present.",
        [(child, "subject")],
        has_time=True,
        ended=stab + dt.timedelta(hours=rng.randint(5, 20)),
        location={"postcode": postcode, "label": label},
        keep=True,
    )
    if peers:
        ctx.add(
            "police",
            "intelligence_received",
            ctx.at(d + dt.timedelta(days=3), 0, 24),
            f"Intelligence that {name} is associating with {peers[0].given} "
            f"{peers[0].family_name}, also believed to be running for '{alias}'.",
            [(child, "subject"), (peers[0], "associate"), (adult, "perpetrator")],
            grade="intelligence",
            sensitivity="police_intelligence",
            intel=ctx.intel_grade(),
            keep=True,
        )
    nrm = working_days(at(0.75), 3)
    ctx.add(
        "csc",
        "nrm_referral",
        ctx.at(nrm),
        f"National Referral Mechanism referral made for {name} (criminal exploitation, "
        "county lines).",
        [(child, "subject")],
        keep=True,
    )
    ctx.add(
        "csc",
        "nrm_decision",
        ctx.at(working_days(nrm, rng.randint(5, 25))),
        "Reasonable grounds decision: positive.",
        [(child, "subject")],
        agency="nrm_home_office",
        keep=True,
    )
    cet_ref = working_days(at(0.8), 2)
    ctx.add(
        "csc",
        "referral_made",
        ctx.at(cet_ref),
        f"Referral to the Child Exploitation Team for {name}.",
        [(child, "subject")],
        keep=True,
    )
    cet_team = ctx.county.team("cet")
    alloc = working_days(cet_ref, rng.randint(20, 60))  # allocation delayed (James 3.5)
    ctx.involve("child_exploitation_team", child, cet_team, alloc, None)
    ctx.add(
        "child_exploitation_team",
        "allocation",
        ctx.at(alloc),
        "Allocated to child exploitation worker after waiting list.",
        [(child, "subject")],
        keep=True,
    )
    ctx.add(
        "child_exploitation_team",
        "ce_screening",
        ctx.at(alloc + DAY),
        "Exploitation risk assessment: high risk of criminal exploitation.",
        [(child, "subject"), (adult, "perpetrator")],
        grade="professional_opinion",
        keep=True,
    )
    mace = working_days(alloc, rng.randint(3, 15))
    ctx.add(
        "child_exploitation_team",
        "mace_discussion",
        ctx.at(mace),
        f"MACE panel discussed {name}, the adult known as '{alias}' and locations in {town}.",
        [(child, "subject"), (adult, "perpetrator")],
        agency="mace",
        keep=True,
    )
    for d2 in every(ctx, alloc, t_end, 14, 5):
        if rng.random() < 0.45:
            ctx.add(
                "child_exploitation_team",
                "no_access_visit",
                ctx.at(weekday(d2)),
                f"Planned session: {name} not at home; {mother.given} did not know where {he} was.",
                [(child, "subject")],
                keep=True,
            )
        else:
            ctx.add(
                "child_exploitation_team",
                "direct_work",
                ctx.at(weekday(d2)),
                f"Direct work with {name} on healthy relationships and debt bondage.",
                [(child, "subject")],
                keep=True,
            )
    ctx.add(
        "youth_justice",
        "out_of_court_disposal",
        ctx.at(weekday(at(0.85))),
        "Youth conditional caution for possession of a bladed article; YJS intervention.",
        [(child, "subject")],
        keep=True,
    )
    ctx.involve(
        "youth_justice", child, ctx.county.team("youth_justice"), at(0.85), None, is_lead=False
    )
    ctx.add(
        "youth_justice",
        "drug_use_disclosed",
        ctx.at(weekday(at(0.88))),
        f"{name} told YJS worker {he} uses cannabis every day and owes money.",
        [(child, "subject")],
        grade="reported",
        keep=True,
    )
    ctx.add(
        "csc",
        "critical_moment",
        ctx.at(weekday(at(0.9))),
        f"{name} asked {his} social worker for help to get away from '{alias}'; "
        "reachable moment recorded.",
        [(child, "subject")],
        grade="reported",
        keep=True,
    )
    cp = working_days(strat, rng.randint(10, 15))
    ctx.add(
        "csc",
        "cp_conference",
        ctx.at(cp),
        "Initial child protection conference: plan under the category of neglect; "
        "exploitation risk outside the home noted.",
        [(child, "subject"), (mother, "parent")],
        keep=True,
    )
    ctx.add(
        "csc",
        "cp_plan_start",
        ctx.at(cp),
        "Child protection plan started, category neglect.",
        [(child, "subject")],
        keep=True,
    )
    sw_team = ctx.county.team("csc_cp")
    ctx.involve("csc", child, sw_team, cp, None, is_lead=True)
    for v in every(ctx, cp, t_end, 12, 3):
        if rng.random() < 0.3:
            ctx.add(
                "csc",
                "no_access_visit",
                ctx.at(weekday(v)),
                f"Home visit: no answer; {name} not seen.",
                [(child, "subject")],
                location=ctx.home(child, v, "Home address"),
            )
        else:
            ctx.add(
                "csc",
                "home_visit",
                ctx.at(weekday(v)),
                f"Home visit: {name} seen briefly, reluctant to talk; {mother.given} worried "
                f"about who {he} is with.",
                [(child, "subject"), (mother, "parent")],
                location=ctx.home(child, v, "Home address"),
            )
    for v in every(ctx, working_days(cp, 8), t_end, 30, 5):
        ctx.add(
            "csc",
            "core_group",
            ctx.at(weekday(v)),
            "Core group: school absent; police and CET updated on missing episodes.",
            [(child, "subject")],
        )
    # relationships the agencies hold
    since = intel_dates[0]
    for source in ("police", "child_exploitation_team", "csc"):
        ctx.relate(source, adult, child, "suspected_exploiter", since, None)
    for peer in peers:
        ctx.relate("police", peer, child, "peer", since, None)
        ctx.relate("child_exploitation_team", peer, child, "associate", since, None)
    for extra in adults[1:]:
        ctx.add(
            "police",
            "intelligence_received",
            ctx.at(at(0.8), 0, 24),
            f"Intelligence that {extra.aliases[0] if extra.aliases else extra.given} drives "
            f"young people including {name} to {rng.choice(['Port Carrow', 'Greyhaven'])}.",
            [(child, "subject"), (extra, "perpetrator")],
            grade="intelligence",
            sensitivity="police_intelligence",
            intel=ctx.intel_grade(),
            keep=True,
        )
        ctx.relate("police", extra, child, "suspected_exploiter", at(0.8), None)
    return t0, t_end


# -- 5. Sibling exposure ----------------------------------------------------------------------


def sibling_exposure(
    ctx: Ctx, older: Person, siblings: list[Person], t0: dt.date, t_end: dt.date
) -> None:
    """The younger siblings at home while their brother or sister is exploited."""
    rng = ctx.rng
    mother = ctx.family.mother
    names_ = " and ".join(s.given for s in siblings)
    kids: Subjects = [(s, "subject") for s in siblings]
    d = t0 + (t_end - t0) * 2 // 3
    ctx.add(
        "police",
        "police_incident",
        ctx.night(d),
        f"Police called to the home address after men came to the door threatening "
        f"{older.given}; {names_} {'was' if len(siblings) == 1 else 'were'} in the house.",
        [*kids, (older, "victim"), (mother, "parent")],
        has_time=True,
        location=ctx.home(older, d),
        keep=True,
    )
    d2 = d + dt.timedelta(days=rng.randint(30, 120))
    ctx.add(
        "police",
        "domestic_abuse",
        ctx.night(d2),
        f"{older.given} damaged property and pushed {mother.given} during an argument "
        f"about money; {names_} witnessed it.",
        [*[(s, "witness") for s in siblings], (older, "perpetrator"), (mother, "victim")],
        has_time=True,
        location=ctx.home(older, d2),
        keep=True,
    )
    for sibling in siblings:
        name = sibling.given
        d3 = weekday(t0 + (t_end - t0) * 3 // 4 + dt.timedelta(days=rng.randint(0, 20)))
        school = sibling.school_on(d3)
        if school is not None:
            loc = {"postcode": school.postcode, "label": school.name}
            ctx.add(
                "schools",
                "concern_raised",
                ctx.at(d3),
                f"{name} told {sibling.his} teacher that people came to the house looking for "
                f"{sibling.his} {'brother' if older.sex == 'male' else 'sister'} and "
                f"{sibling.he} is scared at night.",
                [(sibling, "subject"), (older, "sibling")],
                grade="reported",
                location=loc,
                keep=True,
            )
            ctx.add(
                "schools",
                "attendance_low",
                ctx.at(weekday(d3 + dt.timedelta(days=40))),
                f"{name}'s attendance has dropped to {rng.randint(78, 88)}% this term.",
                [(sibling, "subject")],
                location=loc,
                keep=True,
            )
        ctx.add(
            "csc",
            "voice_of_child_recorded",
            ctx.at(weekday(t_end - dt.timedelta(days=rng.randint(10, 30)))),
            f"{name} said {sibling.he} worries about {sibling.his} "
            f"{'brother' if older.sex == 'male' else 'sister'} and does not like the people "
            "who call at the house.",
            [(sibling, "subject"), (older, "sibling")],
            grade="reported",
            keep=True,
        )


# -- 2. Neglect to sexual exploitation in care -------------------------------------------------


def neglect_to_cse_in_care(ctx: Ctx, child: Person, adults: list[Person]) -> None:
    rng = ctx.rng
    family = ctx.family
    mother = family.mother
    name = child.given
    ctx.register("csc", *family.parents)
    # early neglect (health, school, early help, CSC)
    for d in _spread(ctx, child.birth + dt.timedelta(days=40), add_years(child.birth, 5), 6):
        ctx.add(
            "health_gp",
            "appointment_missed",
            ctx.at(weekday(d)),
            ctx.say("gp_missed", child),
            [(child, "subject")],
            keep=True,
        )
    for d in _spread(ctx, add_years(child.birth, 1), add_years(child.birth, 4), 3):
        ctx.add(
            "health_gp",
            "neglect_indicator",
            ctx.at(weekday(d)),
            rng.choice(
                [
                    "Health visitor: home conditions poor, dog faeces on floor, little food.",
                    f"Health visitor: {name} has untreated tooth decay and severe nappy rash.",
                    f"{name} underweight, dropped two centile lines; {mother.given} missed dietitian.",
                ]
            ),
            [(child, "subject"), (mother, "parent")],
            grade="professional_opinion",
            keep=True,
        )
    early_help_episode(
        ctx, add_years(child.birth, 3) + dt.timedelta(days=rng.randint(0, 200)), months=5
    )
    csc_start = add_years(child.birth, 5) + dt.timedelta(days=rng.randint(0, 200))
    ctx.add(
        "schools",
        "referral_made",
        ctx.at(weekday(csc_start)),
        f"School referral: {name} hungry, unwashed, head lice untreated for months.",
        [(child, "subject"), (mother, "parent")],
        location=_school_loc(child, csc_start),
        keep=True,
    )
    cin = working_days(csc_start, 40)
    ctx.add(
        "csc",
        "cin_plan_start",
        ctx.at(cin),
        "Child in need plan started (neglect).",
        [(child, "subject")],
        keep=True,
    )
    ctx.involve(
        "csc",
        child,
        ctx.county.team("csc_cin", family.town),
        cin,
        add_years(child.birth, 7),
        is_lead=True,
    )
    for d in every(ctx, cin, add_years(child.birth, 7), 21, 5):
        if rng.random() < 0.35:
            ctx.add(
                "csc",
                "no_access_visit",
                ctx.at(weekday(d)),
                "Unannounced visit: no answer, curtains closed; card left.",
                [(child, "subject"), (mother, "parent")],
                location=ctx.home(child, d, "Home address"),
                keep=True,
            )
        else:
            ctx.add(
                "csc",
                "home_visit",
                ctx.at(weekday(d)),
                ctx.say("sw_visit", child),
                [(child, "subject"), (mother, "parent")],
                location=ctx.home(child, d, "Home address"),
                keep=True,
            )
    for d in _spread(ctx, add_years(child.birth, 5), add_years(child.birth, 8), 4):
        ctx.add(
            "schools",
            "neglect_indicator",
            ctx.at(weekday(d)),
            rng.choice(
                [
                    f"{name} came to school without a coat in freezing weather; asked staff for food.",
                    f"{name} smelt strongly of urine; spare uniform given.",
                    f"{name} said there was no electricity at home last night.",
                ]
            ),
            [(child, "subject")],
            location=_school_loc(child, d),
            keep=True,
        )
    cp = add_years(child.birth, 7) + dt.timedelta(days=rng.randint(0, 60))
    ctx.add(
        "csc",
        "strategy_discussion",
        ctx.at(weekday(cp - dt.timedelta(days=20))),
        "Strategy discussion: cumulative neglect; s47 enquiry agreed.",
        [(child, "subject"), (mother, "parent")],
        keep=True,
    )
    ctx.add(
        "csc",
        "cp_conference",
        ctx.at(weekday(cp)),
        "Initial child protection conference: plan under the category of neglect.",
        [(child, "subject"), (mother, "parent")],
        keep=True,
    )
    ctx.add(
        "csc",
        "cp_plan_start",
        ctx.at(weekday(cp)),
        "Child protection plan started (neglect).",
        [(child, "subject")],
        keep=True,
    )
    lac = add_years(child.birth, rng.randint(8, 10)) + dt.timedelta(days=rng.randint(0, 200))
    ctx.involve("csc", child, ctx.county.team("csc_cp"), cp, lac, is_lead=True)
    for d in every(ctx, working_days(cp, 8), lac, 35, 6):
        ctx.add(
            "csc",
            "core_group",
            ctx.at(weekday(d)),
            ctx.say("core_group", child),
            [(child, "subject"), (mother, "parent")],
            keep=True,
        )
    for d in every(ctx, cp, lac, 14, 4):
        ctx.add(
            "csc",
            "home_visit",
            ctx.at(weekday(d)),
            ctx.say("sw_visit", child),
            [(child, "subject"), (mother, "parent")],
            location=ctx.home(child, d, "Home address"),
            keep=True,
        )
    ctx.add(
        "csc",
        "care_proceedings",
        ctx.at(weekday(lac - dt.timedelta(days=30))),
        "Care proceedings issued: neglect has not improved under a child protection plan.",
        [(child, "subject"), (mother, "parent")],
        sensitivity="not_for_family_disclosure",
        keep=True,
    )
    resi = add_years(child.birth, 13) + dt.timedelta(days=rng.randint(0, 150))
    looked_after(
        ctx, child, weekday(lac), placements=rng.randint(5, 8), until=None, residential_from=resi
    )
    # adolescence in care: missing, exploitation
    start = add_years(child.birth, 13)
    end = ctx.ref - dt.timedelta(days=rng.randint(10, 60))
    adult = adults[0]
    missing = _spread(ctx, start, end, rng.randint(8, 16))
    for i, d in enumerate(missing):
        left = ctx.night(d)
        found = left + dt.timedelta(hours=rng.randint(6, 50))
        ctx.add(
            "police",
            "missing_episode",
            left,
            f"Reported missing from placement by staff; {name} left after an argument and "
            "got into a car.",
            [(child, "subject")],
            has_time=True,
            ended=found,
            location={"postcode": child.address_on(d).postcode, "label": "Placement"},
            keep=True,
        )
        if i % 3 == 1:
            place = _out_of_area(ctx)
            ctx.add(
                "police",
                "found_after_missing",
                found,
                f"Found by {OTHER_FORCES[place.town]} in a flat in {place.town} with adult "
                "males; alcohol present.",
                [(child, "subject"), (adult, "associate")],
                has_time=True,
                agency="police_other_force",
                location=_loc(place),
                keep=True,
            )
        else:
            ctx.add(
                "police",
                "found_after_missing",
                found,
                f"{name} returned to placement; smelt of alcohol.",
                [(child, "subject")],
                has_time=True,
                keep=True,
            )
        ctx.add(
            "csc",
            "return_interview",
            ctx.at(weekday((found + 3 * DAY).date())),
            f"Return interview: {name} said {child.he} was with 'friends' who are older; "
            "would not say more.",
            [(child, "subject")],
            grade="reported",
            keep=True,
        )
    d = missing[len(missing) // 2]
    ctx.add(
        "csc",
        "disclosure",
        ctx.at(weekday(d + 5 * DAY)),
        f"{name} told {child.his} key worker that older men give {child.him} vodka and cannabis "
        "and 'expect things back'.",
        [(child, "subject"), (adult, "perpetrator")],
        grade="reported",
        sensitivity="not_for_family_disclosure",
        keep=True,
    )
    ctx.add(
        "csc",
        "ce_screening",
        ctx.at(weekday(d + 9 * DAY)),
        "Exploitation screening: significant risk of child sexual exploitation (CIN 11A) and "
        "missing (10A).",
        [(child, "subject")],
        grade="professional_opinion",
        keep=True,
    )
    ctx.add(
        "child_exploitation_team",
        "mace_discussion",
        ctx.at(weekday(d + 20 * DAY)),
        f"MACE: {name} discussed with adults of concern and the flat in Marrowgate.",
        [(child, "subject"), (adult, "perpetrator")],
        agency="mace",
        keep=True,
    )
    ctx.involve("child_exploitation_team", child, ctx.county.team("cet"), d + 20 * DAY, None)
    sa = missing[-2] + DAY
    ctx.add(
        "police",
        "sexual_assault_victim",
        ctx.night(sa),
        f"{name} reported a sexual assault by an adult male at an address in Marrowgate; "
        "crime recorded and passed to the other force.",
        [(child, "victim"), (adult, "perpetrator")],
        has_time=True,
        sensitivity="not_for_family_disclosure",
        keep=True,
    )
    for d in _spread(ctx, start + dt.timedelta(days=100), end, 3):
        informant = rng.random() < 0.3
        ctx.add(
            "police",
            "intelligence_received",
            ctx.at(d, 0, 24),
            rng.choice(
                [
                    f"Intelligence that adult males are collecting {name} and other girls from "
                    "children's homes in a silver car.",
                    f"Intelligence that {adult.given} {adult.family_name} is supplying alcohol "
                    f"to {name} and arranging parties in Marrowgate.",
                ]
            ),
            [(child, "subject"), (adult, "perpetrator")],
            grade="intelligence",
            sensitivity="informant_protected" if informant else "police_intelligence",
            intel=ctx.intel_grade(),
            keep=True,
        )
    label, postcode = ctx.county.out_hospital
    d = ctx.night(missing[-1] + DAY)
    ctx.add(
        "health_ae",
        "ae_attendance",
        d,
        "Brought in intoxicated after being found in a park late at night; observed overnight.",
        [(child, "subject")],
        has_time=True,
        location={"postcode": postcode, "label": label},
        keep=True,
    )
    ctx.add(
        "health_ae",
        "overdose",
        d + dt.timedelta(hours=2),
        "Disclosed taking tablets given by an older male; treated and discharged to staff.",
        [(child, "subject")],
        has_time=True,
        keep=True,
    )
    for source in ("police", "csc", "child_exploitation_team"):
        ctx.relate(source, adult, child, "suspected_exploiter", missing[0], None)
    for extra in adults[1:]:
        ctx.relate("police", extra, child, "suspected_exploiter", missing[len(missing) // 2], None)
        ctx.add(
            "police",
            "intelligence_received",
            ctx.at(d.date(), 0, 24),
            f"Intelligence that {extra.given} {extra.family_name} is associated with "
            f"{adult.given} {adult.family_name} and has contact with {name}.",
            [(child, "subject"), (extra, "perpetrator"), (adult, "associate")],
            grade="intelligence",
            sensitivity="police_intelligence",
            intel=ctx.intel_grade(),
            keep=True,
        )


# -- 3. Rejected referrals --------------------------------------------------------------------


def rejected_referrals(ctx: Ctx, child: Person) -> None:
    rng = ctx.rng
    family = ctx.family
    mother = family.mother
    name = child.given
    start = max(add_years(child.birth, 4), ctx.ref - dt.timedelta(days=rng.randint(900, 1800)))
    ctx.register("csc", mother)
    cycles = rng.randint(4, 7)
    span = (ctx.ref - dt.timedelta(days=30) - start).days
    reasons = [
        "threshold for children's social care not met; signposted to early help",
        "no parental consent for the referral; closed at the front door",
        "no further action: information noted, concerns not at threshold",
        "referral lacked sufficient information; referrer advised to resubmit",
    ]
    for i in range(cycles):
        d = weekday(start + dt.timedelta(days=span * i // cycles))
        school = child.school_on(d)
        concern = rng.choice(
            [
                (
                    f"{name} disclosed that {mother.given}'s boyfriend shouts at {child.him} and "
                    f"locks {child.him} in {child.his} room.",
                    "disclosure",
                    "reported",
                ),
                (
                    f"{name} arrived with a bruise on {child.his} cheek; explanation inconsistent.",
                    "concern_raised",
                    "professional_opinion",
                ),
                (
                    f"{name} hungry again; taking food from other children's lunchboxes.",
                    "neglect_indicator",
                    "fact",
                ),
            ]
        )
        referrer = "schools" if school else "health_gp"
        loc = {"postcode": school.postcode, "label": school.name} if school else None
        ctx.add(
            referrer,
            concern[1],
            ctx.at(d),
            concern[0],
            [(child, "subject")],
            grade=concern[2],
            location=loc,
            keep=True,
            sensitivity="standard",
        )
        ref_day = working_days(d, rng.randint(0, 3))
        ctx.add(
            referrer,
            "referral_made",
            ctx.at(ref_day),
            f"Referral to Children's Front Door about {name} (referral {i + 1}).",
            [(child, "subject"), (mother, "parent")],
            location=loc,
            keep=True,
            sensitivity="standard",
        )
        decided = working_days(ref_day, rng.choice([1, 1, 2, 5, 12]))
        ctx.add(
            "csc",
            "mash_discussion",
            ctx.at(decided),
            "Front door screening of referral; checks with police and health.",
            [(child, "subject"), (mother, "parent")],
            agency="mash",
            keep=True,
        )
        ctx.add(
            "csc",
            "referral_rejected",
            ctx.at(decided),
            f"Referral not accepted: {rng.choice(reasons)}.",
            [(child, "subject"), (mother, "parent")],
            keep=True,
        )
        ctx.involve("csc", child, ctx.county.team("csc_front"), decided, decided)
        if rng.random() < 0.4:
            ctx.add(
                "police",
                "domestic_abuse",
                ctx.night(d + dt.timedelta(days=rng.randint(5, 60))),
                f"Verbal argument between {mother.given} and partner; {name} present. "
                "DASH standard risk.",
                [(child, "witness"), (mother, "victim")],
                has_time=True,
                location=ctx.home(child, d),
                keep=False,
            )
        if i == 1:
            eh_end = early_help_episode(ctx, decided + dt.timedelta(days=7), months=4)
            ctx.add(
                "early_help",
                "step_up_requested",
                ctx.at(weekday(eh_end - 14 * DAY)),
                f"Early help requested step-up to social care: concerns for {name} escalating, "
                f"{mother.given} not engaging with the plan.",
                [(child, "subject"), (mother, "parent")],
                keep=True,
            )
            ctx.add(
                "csc",
                "step_up_refused",
                ctx.at(weekday(eh_end - 10 * DAY)),
                "Step-up request declined: continue at early help level.",
                [(child, "subject")],
                keep=True,
            )
        if i == cycles - 2:
            ctx.add(
                "csc",
                "threshold_discussion",
                ctx.at(weekday(decided + 3 * DAY)),
                "Threshold discussion requested by school DSL; decision upheld.",
                [(child, "subject")],
                keep=True,
            )


# -- 4. Non-engaging family -------------------------------------------------------------------


def non_engaging_family(ctx: Ctx, child: Person) -> None:
    rng = ctx.rng
    family = ctx.family
    mother = family.mother
    name = child.given
    kids = [c for c in family.children if c.birth < ctx.ref - dt.timedelta(days=400)] or [child]
    start = max(add_years(child.birth, 1), ctx.ref - dt.timedelta(days=rng.randint(1100, 2000)))
    end = ctx.ref - dt.timedelta(days=20)
    for d in _spread(ctx, start, end, rng.randint(5, 9)):
        type_, summary = rng.choice(
            [
                (
                    "appointment_cancelled_by_family",
                    f"{mother.given} cancelled {name}'s appointment on the day; no new date.",
                ),
                (
                    "appointment_missed",
                    f"{name} was not brought to the appointment; no contact from family.",
                ),
            ]
        )
        ctx.add("health_gp", type_, ctx.at(weekday(d)), summary, [(child, "subject")], keep=True)
    episodes = rng.randint(2, 4)
    span = (end - start).days
    for i in range(episodes):
        d = weekday(start + dt.timedelta(days=span * i // episodes + rng.randint(0, 60)))
        source = "early_help" if i % 2 == 0 else "csc"
        team = (
            ctx.county.team("early_help", family.town)
            if source == "early_help"
            else ctx.county.team("csc_cin", family.town)
        )
        close = weekday(d + dt.timedelta(days=rng.randint(70, 160)))
        for c in kids:
            ctx.involve(source, c, team, d, close, is_lead=True)
        ctx.register(source, mother)
        subjects = [(c, "subject") for c in kids] + [(mother, "parent")]
        if source == "early_help":
            ctx.add(
                "early_help",
                "early_help_plan_start",
                ctx.at(d),
                f"Early help plan agreed at first meeting; {mother.given} agreed to weekly visits.",
                subjects,
                keep=True,
            )
        else:
            ctx.add(
                "csc",
                "cin_plan_start",
                ctx.at(d),
                "Child in need plan started.",
                subjects,
                keep=True,
            )
        for v in every(ctx, d, close - 7 * DAY, 10, 3):
            if rng.random() < 0.6:
                ctx.add(
                    source,
                    "no_access_visit",
                    ctx.at(weekday(v)),
                    "Planned home visit: no answer; could hear children inside. Card left.",
                    subjects,
                    location=ctx.home(child, v, "Home address"),
                    keep=True,
                )
            elif rng.random() < 0.5:
                ctx.add(
                    source,
                    "appointment_cancelled_by_family",
                    ctx.at(weekday(v)),
                    f"{mother.given} texted to cancel the visit: 'not convenient'.",
                    subjects,
                    keep=True,
                )
            else:
                ctx.add(
                    source,
                    "home_visit",
                    ctx.at(weekday(v)),
                    f"Brief doorstep visit; {mother.given} would not let worker in. Children "
                    "heard but not seen.",
                    subjects,
                    location=ctx.home(child, v, "Home address"),
                    keep=True,
                )
        ctx.add(
            source,
            "disengagement",
            ctx.at(weekday(close - 7 * DAY)),
            f"{mother.given} said {mother.he} does not want any more involvement from services.",
            subjects,
            grade="reported",
            keep=True,
        )
        ctx.add(
            source,
            "case_closed",
            ctx.at(close),
            "Case closed due to non-engagement; no multi-agency discussion before closure.",
            subjects,
            keep=True,
        )
    if child.school_spells:
        for d in _spread(ctx, start, end, 2):
            school = child.school_on(d)
            if school:
                ctx.add(
                    "school_nursing",
                    "appointment_cancelled_by_family",
                    ctx.at(weekday(d)),
                    f"Parent declined school nurse review for {name}.",
                    [(child, "subject")],
                    keep=True,
                )
