"""Child Q (review 002, "Child Q & Child S" SCR, section 2): what each agency recorded.

Child Q is born in spring 2002, the third of a large sibling group, in LA1; the family moves to
LA2 in 2006. A child protection plan (neglect) from December 2006 to March 2008; accommodated
in August 2008; home in September 2009; the eldest sibling dies a month later; back in care
from August 2010 (full care order February 2012) after 12 foster placements; a local authority
children's home (LA2) from August 2012, where missing episodes and restraint escalate (39
reported to Police Force 1 between April 2010 and August 2013); an independent children's home
across the boundary (LA5) from May 2013, where the missing episodes fall (seven) until
December 2014, when a family member reports contact with older males online. In February 2015
she goes missing overnight twice, at the home of a registered sex offender. Dates within the
months the review gives are invented."""

from __future__ import annotations

import datetime as dt

from tests.replay_feeds.feedkit import Feed, nhs_number, upn_number

CHILD = "child-q"
NHS = nhs_number(2)
UPN = upn_number(938, 4210, 8, 41)
HOME = ("27 Tanner Street, Hollins", "XQ2 6LB", "2006-03-01", None)
LA2_HOME = ("Birchfield House, Hollins", "XQ3 1AA", "2012-08-20", "2013-05-19")
LA5_HOME = ("Oakridge, Wexcombe", "XR7 4TP", "2013-05-20", "2015-02-17")

# Missing episodes reported to Police Force 1, April 2010 to August 2013 (39): a few a year,
# then many from the autumn of 2012 in the LA2 children's home.
MISSING_F1 = [
    "2010-04-17T19:20",
    "2010-06-26T20:05",
    "2010-09-11T18:40",
    "2010-11-20T21:15",
    "2011-01-29T19:50",
    "2011-04-09T22:10",
    "2011-06-18T20:30",
    "2011-09-03T21:00",
    "2011-11-26T19:35",
    "2012-01-21T20:40",
    "2012-03-17T18:55",
    "2012-05-05T21:30",
    "2012-06-30T22:05",
    "2012-08-25T20:15",
    "2012-09-08T19:45",
    "2012-09-15T21:20",
    "2012-09-22T16:30",
    "2012-09-29T20:00",
    "2012-10-06T18:10",
    "2012-10-13T22:40",
    "2012-10-21T15:50",
    "2012-10-28T19:05",
    "2012-11-03T21:30",
    "2012-11-10T20:20",
    "2012-11-17T17:45",
    "2012-11-24T22:15",
    "2012-12-01T19:30",
    "2012-12-08T21:05",
    "2012-12-15T18:20",
    "2013-01-05T20:10",
    "2013-01-19T21:45",
    "2013-02-02T19:00",
    "2013-02-16T22:30",
    "2013-03-09T20:35",
    "2013-03-30T18:50",
    "2013-04-20T21:10",
    "2013-05-11T19:25",
    "2013-07-13T20:55",
    "2013-08-10T21:40",
]
# Reported to Police Force 4 while in LA5, September 2013 to December 2014 (seven with the two
# in February 2015 below).
MISSING_F4 = [
    "2013-10-05T19:10",
    "2014-01-18T20:30",
    "2014-04-12T21:15",
    "2014-07-26T19:40",
    "2014-11-15T20:05",
]


def _at(text: str, hours: int) -> str:
    return (dt.datetime.fromisoformat(text) + dt.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def feeds() -> list[Feed]:
    csc = Feed(CHILD, "la2-csc", "childrens_social_care", "csc.jsonl", "QSC")
    police = Feed(CHILD, "la2-police", "police", "police_force_1.jsonl", "QP1")
    force4 = Feed(CHILD, "la5-police", "police_other_force", "police_force_4.jsonl", "QP4")
    home2 = Feed(CHILD, "la2-childrens-home", "residential_care", "la2_childrens_home.jsonl", "QRH")
    home5 = Feed(
        CHILD, "la5-independent-home", "residential_care", "la5_independent_home.jsonl", "QIH"
    )
    primary = Feed(CHILD, "la2-primary", "school", "la2_primary_school.jsonl", "QPS")
    secondary = Feed(CHILD, "la5-school", "school", "la5_secondary_school.jsonl", "QSS")
    urgent = Feed(CHILD, "la2-hospital", "health_ae", "la2_hospital.jsonl", "QAE")
    gp = Feed(CHILD, "la5-gp", "health_gp", "la5_gp.jsonl", "QGP")
    camhs = Feed(CHILD, "la5-camhs", "camhs", "la5_camhs.jsonl", "QCM")

    q = csc.person(
        "Q1",
        "Quinn",
        "Harlow",
        birth="2002-04-11",
        sex="female",
        ethnicity="WBRI",
        nhs_no=NHS,
        upn_no=UPN,
        addresses=(HOME,),
        child=True,
    )
    mum = csc.person("M1", "Lisa", "Harlow", birth="1981-08-30", sex="female", addresses=(HOME,))
    dad = csc.person("F1", "Dean", "Harlow", birth="1978-01-14", sex="male", addresses=(HOME,))
    eldest = csc.person("B1", "Jordan", "Harlow", birth="1995-06-02", sex="male")
    gran = csc.person("G1", "Maureen", "Harlow", birth="1957", sex="female")
    csc.relationship("1", mum, q, "parent")
    csc.relationship("2", dad, q, "parent")
    csc.relationship("3", eldest, q, "sibling")
    csc.relationship("4", gran, q, "grandparent")
    police.person(
        "Q1", "Quinn", "Harlow", birth="2002-04-11", sex="female", addresses=(HOME,), child=True
    )
    f4q = force4.person(
        "Q1", "Quin", "Harlow", birth="2002-11-04", sex="female", addresses=(LA5_HOME,), child=True
    )
    offender = force4.person(
        "X1", "Graham", "Pell", birth="1969-09-19", sex="male", pnc="98/117452C"
    )
    young_male = force4.person("X2", "Liam", "Corder", birth="1991", sex="male")
    force4.relationship("1", offender, f4q, "suspected_exploiter", "2015-02-06")
    force4.relationship("2", young_male, f4q, "suspected_exploiter", "2015-01-20")
    home2.person(
        "Q1",
        "Quinn",
        "Harlow",
        birth="2002-04-11",
        sex="female",
        nhs_no=NHS,
        addresses=(LA2_HOME,),
        child=True,
    )
    home5.person(
        "Q1",
        "Quinn",
        "Harlow",
        birth="2002-04-11",
        sex="female",
        nhs_no=NHS,
        addresses=(LA5_HOME,),
        child=True,
    )
    primary.person(
        "Q1", "Quinn", "Harlow", birth="2002-04-11", sex="female", upn_no=UPN, child=True
    )
    secondary.person(
        "Q1",
        "Quinn",
        "Harlow",
        birth="2002-04-11",
        sex="female",
        upn_no=UPN,
        addresses=(LA5_HOME,),
        child=True,
    )
    urgent.person("Q1", "Quinn", "Harlow", birth="2002-04-11", sex="female", nhs_no=NHS, child=True)
    gp.person(
        "Q1",
        "Quinn",
        "Harlow",
        birth="2002-04-11",
        sex="female",
        nhs_no=NHS,
        addresses=(LA5_HOME,),
        child=True,
    )
    camhs.person("Q1", "Quinn", "Harlow", birth="2002-04", sex="female", nhs_no=NHS, child=True)

    csc.involvement(
        "sw",
        "childrens_social_care",
        "Children Looked After Team",
        "2006-12-04",
        practitioner=("Anna Brooke", "Social worker"),
        lead=True,
    )
    home2.involvement("1", "residential_care", "Birchfield House", "2012-08-20", "2013-05-19")
    home5.involvement("1", "residential_care", "Oakridge", "2013-05-20", "2015-02-17")
    primary.involvement("1", "school", "Hollins Park Special School", "2011-09-05", "2013-07-19")
    secondary.involvement("1", "school", "Oakridge School", "2013-09-02", "2015-02-17")
    gp.involvement("1", "health_gp", "Wexcombe Medical Centre", "2013-06-03")
    camhs.involvement("1", "camhs", "CAMHS Wexcombe", "2014-09-22")

    # --- early years: neglect, care, home, care again ---------------------------------------
    csc.entry(
        "change_of_residence",
        "2006",
        "Family moved from LA1 with a known history of neglectful parenting.",
        rec="2006-12-04",
        also=((mum, "parent"),),
    )
    csc.entry(
        "cp_conference",
        "2006-12-04",
        "Initial child protection conference for the sibling group.",
        also=((mum, "parent"), (dad, "parent")),
    )
    csc.entry(
        "cp_plan_start",
        "2006-12-04",
        "Child protection plan: neglect (home "
        "conditions, older siblings missing, children wandering the streets).",
    )
    csc.entry(
        "cp_plan_end", "2008-03-12", "Child protection plan ended after improvements in care."
    )
    csc.entry(
        "became_looked_after", "2008-08-18", "Accommodated under section 20: care not sustained."
    )
    for day in ("2008-08-18", "2008-11-24", "2009-03-16", "2009-06-22"):
        csc.entry(
            "placement_move",
            day,
            "Foster placement (placement ended: carers could not manage her behaviour).",
        )
    csc.entry("care_proceedings", "2008-10-27", "Care proceedings issued.")
    csc.entry("court_order", "2008-11-28", "Final care order; plan for rehabilitation home.")
    csc.entry(
        "change_of_residence",
        "2009-09-07",
        "Returned home with four siblings; no longer placed.",
        also=((mum, "parent"),),
    )
    csc.entry(
        "bereavement",
        "2009-10",
        "Eldest sibling died by suicide; profound impact on Quinn.",
        rec="2009-11-02",
        also=((eldest, "sibling"),),
    )
    csc.entry("court_order", "2009-11-16", "Supervision order.")
    csc.entry(
        "care_proceedings",
        "2010-08-09",
        "Care proceedings re-issued; Quinn asked to be taken back into care.",
    )
    csc.entry("became_looked_after", "2010-08-16", "Placed in foster care.")
    for day in (
        "2010-08-16",
        "2010-11-29",
        "2011-02-21",
        "2011-05-23",
        "2011-08-30",
        "2011-12-12",
        "2012-03-19",
        "2012-06-11",
    ):
        csc.entry(
            "placement_move",
            day,
            "Foster placement; earlier carers gave notice (aggression towards other children).",
        )
    csc.entry("court_order", "2012-02-20", "Full care order.")
    csc.entry("placement_move", "2012-08-20", "Placed at Birchfield House (LA2 children's home).")
    primary.entry(
        "ehcp_issued",
        "2011-07",
        "Statement of special educational needs (social, emotional and behavioural).",
        rec="2011-07-22",
    )
    primary.entry("school_start", "2011-09-05", "Started at Hollins Park Special School.")
    primary.entry("ehcp_review", "2012-06-20", "Annual review of the statement.")
    primary.entry("ehcp_review", "2013-06-12", "Annual review: transition to secondary.")
    for year, month in (
        (2011, 2),
        (2011, 8),
        (2012, 2),
        (2012, 8),
        (2013, 2),
        (2013, 8),
        (2014, 2),
        (2014, 8),
        (2015, 1),
    ):
        csc.entry(
            "lac_review",
            f"{year}-{month:02d}-14",
            "Looked-after review: missing episodes discussed; no health professional present.",
        )

    # --- missing from home and care: Police Force 1 -------------------------------------------
    for i, left in enumerate(MISSING_F1):
        hours = 5 + (i * 7) % 20
        police.entry(
            "missing_episode",
            left,
            "Reported missing (from home)"
            if left < "2010-08"
            else "Reported missing from care by carers.",
            ended=hours,
        )
        police.entry(
            "found_after_missing",
            _at(left, hours),
            "Returned or found; helicopter used on one occasion."
            if i == 20
            else "Returned or found.",
        )
        if i % 3 != 2:  # return interviews held, though not after every episode
            csc.entry("return_interview", _at(left, hours + 40)[:10], "Return interview held.")
    csc.entry(
        "strategy_discussion",
        "2012-10-16",
        "Missing from care strategy meeting (police, home, social worker).",
    )

    # --- 2012: arrests at ten, restraint, strategic meetings ---------------------------------
    for day in (
        "2012-10-03T17:20",
        "2012-10-10T20:45",
        "2012-10-19T16:10",
        "2012-10-27T19:30",
        "2012-11-04T18:05",
    ):
        police.entry(
            "arrest",
            day,
            "Arrested (aged 10) for breach of the peace at the children's home; not progressed.",
            rec=0,
        )
    police.entry(
        "physical_restraint",
        "2012-10-27T19:30",
        "Restrained by several officers during the arrest.",
    )
    for day in ("2012-09-14", "2012-10-02", "2012-11-08", "2012-12-19", "2013-01-30", "2013-03-21"):
        home2.entry("physical_restraint", day, "PRICE hold after an assault on staff.")
    for day in ("2012-11-14", "2012-12-12", "2013-01-23", "2013-03-06"):
        csc.entry(
            "multi_agency_meeting",
            day,
            "Strategic planning meeting (senior leaders, "
            "police, psychologist): placement and missing episodes.",
        )
    csc.entry(
        "referral_made", "2012-12-05", "Independent consultant clinical psychologist commissioned."
    )
    csc.entry(
        "case_closed", "2013-12-16", "Independent psychologist's involvement ended.", agency="other"
    )
    home2.entry("direct_work", "2012-11-21", "Keep-safe work with Quinn.")

    # --- 2013: urgent care, the move across the boundary -------------------------------------
    for day, what in (
        (
            "2013-01-11T19:40",
            "Foot injury after kicking a door; restrained in the department "
            "after assaulting carers and staff.",
        ),
        ("2013-02-03T18:15", "Wrist injury after a fall during an outburst."),
        ("2013-03-02T21:30", "Hand injury (punched a wall)."),
        ("2013-03-24T17:50", "Ankle sprain."),
        ("2013-04-14T20:10", "Finger injury during restraint."),
        ("2013-05-05T16:35", "Fall from a wall while running off; bruised hip."),
        ("2013-06-09T19:55", "Wrist injury."),
        ("2013-07-21T20:40", "Knee injury after a fall."),
    ):
        urgent.entry("ae_attendance", day, what, ended=4, place="Urgent care centre")
    urgent.entry(
        "physical_restraint", "2013-01-11T20:10", "Physically restrained in the department."
    )
    csc.entry(
        "placement_move",
        "2013-05-20",
        "Moved to Oakridge, an independent specialist children's home across the boundary (LA5).",
    )
    home5.entry("placement_move", "2013-05-20", "Admitted.")
    secondary.entry("school_start", "2013-09-02", "Started at Oakridge School (nurture provision).")
    for day in ("2013-09-18", "2013-10-02", "2013-10-21", "2013-11-06", "2013-11-27", "2013-12-11"):
        secondary.entry("physical_restraint", day, "Ground hold (Team Teach) after aggression.")
    secondary.entry("ehcp_review", "2014-06-18", "Annual review of the statement.")
    secondary.entry("self_harm", "2013-10-09", "Cut her arms with a pencil sharpener blade.")
    secondary.entry(
        "school_exclusion",
        "2014-03-05",
        "Fixed-term exclusion (aggression towards staff); work sent home.",
    )
    secondary.entry("school_exclusion", "2014-10-15", "Fixed-term exclusion (aggression).")
    for left in MISSING_F4:
        force4.entry("missing_episode", left, "Reported missing from Oakridge.", ended=9)
        force4.entry("found_after_missing", _at(left, 9), "Returned.")
        csc.entry(
            "information_shared",
            _at(left, 20)[:10],
            "Oakridge and Police Force 4 told the social worker of the missing episode.",
        )
        csc.entry("return_interview", _at(left, 40)[:10], "Return interview held.")
    for day in ("2014-09-17", "2014-10-08", "2014-11-05", "2014-12-03"):
        secondary.entry(
            "missing_episode",
            day + "T13:30",
            "Absconded from school for over 30 "
            "minutes (one episode 540 minutes); police missing team informed.",
            ended=3 if day != "2014-10-08" else 9,
        )
    home5.entry("direct_work", "2014-06-11", "Keep-safe work; device search.")
    gp.entry(
        "referral_made",
        "2014-09-22",
        "Referral to CAMHS after discussion with the residential worker.",
        sensitivity="health_confidential",
    )
    camhs.entry(
        "waiting_list",
        "2014-09-29",
        "Referral received as a new case (not a transfer); waiting list.",
        sensitivity="health_confidential",
    )

    # --- December 2014: older males online --------------------------------------------------
    gp.entry(
        "gp_attendance",
        "2014-12-02",
        "Recurrent urinary tract infections.",
        sensitivity="health_confidential",
    )
    csc.entry(
        "concern_raised",
        "2014-12-08",
        "Emergency duty team: a family member says Quinn "
        "is talking to three older males on social media.",
        grade="reported",
    )
    csc.entry(
        "referral_made", "2014-12-09", "Referred to Police Force 4's specialist CSE operation."
    )
    force4.entry(
        "ce_screening",
        "2014-12-16",
        "CSE risk assessment: amber; kept as very high "
        "risk on professional judgement. Constant supervision advised.",
        grade="professional_opinion",
    )
    for day in ("2014-12-16", "2014-12-23", "2015-01-06"):
        csc.entry(
            "strategy_discussion",
            day,
            "CSE strategy meeting (LA5): supervision on all outings; device searches.",
        )
    force4.entry(
        "intelligence_received",
        "2014-12",
        "Intelligence that a 23-year-old male is giving Quinn drugs and alcohol at his flat.",
        rec="2015-01-20",
        grade="intelligence",
        sensitivity="police_intelligence",
        intel=("2", "B", "P"),
        also=((young_male, "perpetrator"),),
    )
    csc.entry(
        "strategy_discussion",
        "2015-01-21",
        "CSE strategy meeting: police share "
        "intelligence about a 23-year-old male; child abduction notice to be sought.",
    )
    force4.entry(
        "offender_disruption",
        "2015-02-02",
        "Child abduction notice signed against the 23-year-old; he cannot be found.",
        also=((young_male, "perpetrator"),),
    )
    gp.entry(
        "referral_made",
        "2015-01-12",
        "Second referral to CAMHS.",
        sensitivity="health_confidential",
    )

    # --- February 2015 ------------------------------------------------------------------------
    force4.entry(
        "missing_episode",
        "2015-02-06T21:00",
        "First overnight missing episode from Oakridge.",
        ended=14,
    )
    force4.entry(
        "found_after_missing", "2015-02-07T11:00", "Returned; would not say where she had stayed."
    )
    csc.entry(
        "information_shared",
        "2015-02-07",
        "Police Force 4 told the social worker of the overnight episode.",
    )
    csc.entry("return_interview", "2015-02-09", "Return interview: no disclosure.")
    home5.entry(
        "missing_episode",
        "2015-02-14T20:05",
        "Left the roller rink ten minutes before staff arrived; reported to police, high risk.",
        ended="2015-02-16T14:50",
    )
    force4.entry(
        "missing_episode",
        "2015-02-14T20:05",
        "Missing from care, graded high risk; phone cell-sited in LA1.",
        ended="2015-02-16T14:50",
    )
    force4.entry(
        "found_after_missing",
        "2015-02-16T14:50",
        "Traced to a friend's home in LA1 "
        "after 42 hours 45 minutes; had spent two nights at a registered sex "
        "offender's home.",
    )
    csc.entry(
        "strategy_discussion",
        "2015-02-15",
        "Strategy meeting while missing (high risk): LA2 social worker, Oakridge, Police Force 4.",
    )
    force4.entry(
        "offender_arrested",
        "2015-02-16T12:30",
        "Older male (registered sex offender) arrested.",
        also=((offender, "perpetrator"),),
    )
    force4.entry(
        "offender_disruption",
        "2015-02-17",
        "Child abduction notice served on the 23-year-old, 15 days after it was signed.",
        also=((young_male, "perpetrator"),),
    )
    force4.entry(
        "sexual_assault_victim",
        "2015-02-15",
        "Quinn disclosed a serious sexual "
        "assault during the second missing episode; given alcohol and cocaine and "
        "threatened.",
        rec="2015-02-17",
        sensitivity="not_for_family_disclosure",
        also=((offender, "perpetrator"),),
    )
    force4.entry(
        "offender_charged",
        "2015-02-18",
        "Charged: breach of SOPO, inciting sexual activity, grooming.",
        also=((offender, "perpetrator"),),
    )
    csc.entry(
        "placement_move", "2015-02-17", "Placed in a secure unit pending a suitable placement."
    )
    force4.entry(
        "intelligence_received",
        "2014-09",
        "Device examination: sexualised chat with adults across the UK since the autumn.",
        precision="season",
        rec="2015-03-04",
        grade="intelligence",
        sensitivity="police_intelligence",
        intel=("1", "A", "P"),
    )
    csc.entry("placement_move", "2015-03-23", "Sole out-of-area placement with two carers.")
    force4.entry(
        "offender_convicted",
        "2015-04-24",
        "Guilty: two seven-year sentences.",
        also=((offender, "perpetrator"),),
    )
    force4.entry("offender_convicted", "2015-05-20", "Third offender (online grooming) convicted.")
    csc.entry(
        "disclosure",
        "2015-02",
        "Late disclosure: Quinn now says she was raped during the February 2015 episode.",
        rec="2016-03-10",
        sensitivity="not_for_family_disclosure",
    )
    return [csc, police, force4, home2, home5, primary, secondary, urgent, gp, camhs]
