"""Sam (review 003, "Child Sam" multi-agency learning review): what each agency recorded.

Sam is born in June 2002 (he is nearly five in May 2007); domestic abuse at home from an early
age; a baby half-sibling dies when he is about ten; a pupil referral unit at 13. The review
covers 4 November 2017 (his arrest in a murder investigation, released under investigation
ever since) to 22 August 2019 (shot in a targeted attack). Between them: out of education from
November 2017, community resolutions for cannabis, an arrest in another county for county-lines
supply in October 2018 followed by a step-down to early help, MACE in January 2019, a step-up
request refused in May 2019 without challenge, and a younger half-sibling at home while unknown
adult males come and go at night. The review restricts exact dates; the days here are invented
in its order."""

from __future__ import annotations

from tests.replay_feeds.feedkit import Feed, nhs_number, upn_number

CHILD = "sam"
NHS = nhs_number(4)
NHS_LEO = nhs_number(5)
UPN = upn_number(916, 1104, 7, 88)
PNC = "17/552306Q"
HOME = ("88 Delph Road, Northbrook", "XN3 4RS", "2008-01-01", None)
GRAN = ("5 Laurel Bank, Northbrook", "XN3 7HH", "2000-01-01", None)


def feeds() -> list[Feed]:
    police = Feed(CHILD, "nb-police", "police", "police.jsonl", "NBP")
    csc = Feed(CHILD, "nb-csc", "childrens_social_care", "csc.jsonl", "NBC")
    ff = Feed(CHILD, "nb-family-first", "early_help", "family_first.jsonl", "NBF")
    pru = Feed(CHILD, "nb-pru", "pru", "pru.jsonl", "NBU")
    lae = Feed(CHILD, "nb-education", "local_authority_education", "la_education.jsonl", "NBE")
    yos = Feed(CHILD, "nb-yos", "youth_justice", "yos.jsonl", "NBY")
    gp = Feed(CHILD, "nb-gp", "health_gp", "gp.jsonl", "NBG")
    camhs = Feed(CHILD, "nb-camhs", "camhs", "camhs.jsonl", "NBM")
    hospital = Feed(CHILD, "nb-hospital", "health_ae", "hospital.jsonl", "NBH")
    cet = Feed(CHILD, "nb-ce-team", "child_exploitation_team", "ce_team.jsonl", "NBT")
    careers = Feed(CHILD, "nb-career-connect", "voluntary_sector", "career_connect.jsonl", "NBK")

    sp = police.person(
        "S1",
        "Sam",
        "Redfern",
        birth="2002-06-09",
        sex="male",
        pnc=PNC,
        other_names=("Sammy Redfern",),
        addresses=(HOME,),
        child=True,
    )
    mum_p = police.person(
        "M1", "Donna", "Redfern", birth="1984-11-23", sex="female", addresses=(HOME,)
    )
    dad_p = police.person(
        "F1", "Craig", "Redfern", birth="1981-04-02", sex="male", pnc="99/310945L"
    )
    ex_p = police.person("W1", "Wayne", "Tiller", birth="1986-09-14", sex="male", pnc="05/118274H")
    ocg = police.person(
        "X1",
        "Reece",
        "Fagan",
        birth="1995-01-30",
        sex="male",
        pnc="12/402871D",
        other_names=("Fagz",),
    )
    leo_p = police.person("L1", "Leo", "Tiller", birth="2014-03-15", sex="male", addresses=(HOME,))
    police.relationship("1", mum_p, sp, "parent")
    police.relationship("2", dad_p, sp, "parent")
    police.relationship("3", ocg, sp, "suspected_exploiter", "2018-10-12")
    police.relationship("4", sp, leo_p, "half_sibling")
    sc = csc.person(
        "S1",
        "Samuel",
        "Redfern",
        birth="2002-06-09",
        sex="male",
        ethnicity="WBRI",
        nhs_no=NHS,
        upn_no=UPN,
        addresses=(HOME,),
        child=True,
    )
    mum_c = csc.person(
        "M1", "Donna", "Redfern", birth="1984-11-23", sex="female", addresses=(HOME,)
    )
    leo_c = csc.person(
        "L1", "Leo", "Tiller", birth="2014-03-15", sex="male", nhs_no=NHS_LEO, addresses=(HOME,)
    )
    gran_c = csc.person(
        "G1", "Pauline", "Marsh", birth="1961-05-05", sex="female", addresses=(GRAN,)
    )
    csc.relationship("1", mum_c, sc, "parent")
    csc.relationship("2", sc, leo_c, "half_sibling")
    csc.relationship("3", mum_c, leo_c, "parent")
    csc.relationship("4", gran_c, sc, "grandparent")
    sf = ff.person(
        "S1",
        "Sam",
        "Redfern",
        birth="2002-06-09",
        sex="male",
        nhs_no=NHS,
        addresses=(HOME,),
        child=True,
    )
    mum_f = ff.person("M1", "Donna", "Redfern", birth="1984-11-23", sex="female", addresses=(HOME,))
    leo_f = ff.person(
        "L1", "Leo", "Tiller", birth="2014-03-15", sex="male", nhs_no=NHS_LEO, addresses=(HOME,)
    )
    ff.relationship("1", sf, leo_f, "half_sibling")
    pru.person("S1", "Sam", "Redfern", birth="2002-06-09", sex="male", upn_no=UPN, child=True)
    lae.person("S1", "Samuel", "Redfern", birth="2002-06-09", sex="male", upn_no=UPN, child=True)
    yos.person(
        "S1", "Sam", "Redfern", birth="2002-06-09", sex="male", pnc=PNC, upn_no=UPN, child=True
    )
    gp.person(
        "S1",
        "Samuel",
        "Redfern",
        birth="2002-06-09",
        sex="male",
        nhs_no=NHS,
        addresses=(HOME,),
        child=True,
    )
    camhs.person("S1", "Samuel", "Redfern", birth="2002-06-09", sex="male", nhs_no=NHS, child=True)
    hospital.person(
        "S1", "Samuel", "Redfern", birth="2002-09-06", sex="male", nhs_no=NHS, child=True
    )
    cet.person("S1", "Sam", "Redfern", birth="2002-06-09", sex="male", pnc=PNC, child=True)
    ocg_t = cet.person("X1", "Reece", "Fagan", birth="1995-01-30", sex="male", pnc="12/402871D")
    cet.relationship("1", ocg_t, cet.subject or "", "suspected_exploiter", "2018-10-12")
    careers.person("S1", "Sam", "Redfern", birth="2002-06", sex="male", child=True)

    pru.involvement("1", "pru", "Northbrook PRU", "2015-09-07", "2018-06-29")
    gp.involvement("1", "health_gp", "Delph Road Surgery", "2002-07-01")
    yos.involvement("1", "youth_justice", "Youth Offending Service", "2018-06-05")
    csc.involvement("1", "childrens_social_care", "Assessment Team", "2017-11-07", "2018-08-08")
    csc.involvement("2", "childrens_social_care", "Assessment Team", "2018-10-16", "2018-11-22")
    ff.involvement(
        "1",
        "early_help",
        "Family First",
        "2018-11-26",
        practitioner=("Kerry Lowe", "Family First case manager"),
        lead=True,
    )
    cet.involvement("1", "child_exploitation_team", "CE Team", "2018-11-26")
    camhs.involvement("1", "camhs", "CAMHS Northbrook", "2019-06-24")

    # --- childhood --------------------------------------------------------------------------
    police.entry(
        "domestic_abuse",
        "2007-05-12T23:05",
        "Domestic incident between parents; Sam (4) present.",
        who=((sp, "witness"),),
        also=((mum_p, "victim"), (dad_p, "perpetrator")),
    )
    csc.entry(
        "referral_accepted",
        "2009-03-09",
        "School referral: Sam said his face hurt "
        "after his father hit him; talked of knives and killing himself.",
    )
    csc.entry("allocation", "2009-03-10", "Allocated for assessment.")
    csc.entry(
        "physical_abuse",
        "2009-03-06",
        "Said his father hit him in the face.",
        grade="reported",
        rec="2009-03-09",
    )
    csc.entry(
        "assessment_completed",
        "2009-04-02",
        "Assessment: educational psychology referral; mother to attend a parenting course.",
    )
    csc.entry(
        "bereavement",
        "2012-02",
        "His baby half-sister died (heart condition); bereavement support.",
        rec="2012-03-12",
    )
    police.entry(
        "police_investigation",
        "2014-10-15",
        "Investigation: a male enticing children "
        "including Sam (12) into sexual activity; no further action.",
        sensitivity="not_for_family_disclosure",
    )
    lae.entry(
        "referral_made",
        "2015-07-08",
        "Access Provision Panel: disruptive behaviour; cannabis found on him at school.",
    )
    pru.entry(
        "school_start", "2015-09-07", "Started at the pupil referral unit (one-to-one support)."
    )
    police.entry(
        "police_incident",
        "2016-01-23T22:30",
        "Mother's ex-partner (father of Sam's "
        "siblings) alleged to have assaulted a man he thought was seeing her.",
        also=((ex_p, "perpetrator"), (mum_p, "other")),
    )
    csc.entry(
        "assessment_completed",
        "2016-02-10",
        "Single assessment: low risk to the children (he is in prison); no further action.",
        also=((leo_c, "sibling"),),
    )
    lae.entry(
        "alternative_provision_start",
        "2016-09-12",
        "Alternative provision offered; attends some sessions.",
    )
    lae.entry(
        "education_roll_change",
        "2016-12-16",
        "Left the PRU; on the local authority's nominal roll.",
    )
    lae.entry(
        "assessment_completed",
        "2017-05-17",
        "Learning assessment: working significantly below age-related expectations.",
        agency="local_authority_education",
    )
    lae.entry(
        "education_roll_change", "2017-09-06", "Removed from the nominal roll; back to the PRU."
    )
    gp.entry(
        "gp_attendance",
        "2017-10-30",
        "Mother asks for an assessment of his emotional "
        "wellbeing after his close friend was murdered.",
        sensitivity="health_confidential",
        also=(),
    )
    csc.entry(
        "bereavement", "2017-10", "A close friend killed in a targeted attack.", rec="2017-11-08"
    )

    # --- November 2017: the murder arrest; out of education ------------------------------------
    police.entry(
        "arrest",
        "2017-11-04T06:10",
        "Arrested on suspicion of murder; home searched; items linked to drug supply seized.",
        sensitivity="not_for_family_disclosure",
    )
    police.entry(
        "released_under_investigation", "2017-11-05T02:30", "Released under investigation."
    )
    yos.entry(
        "information_shared",
        "2017-11-06",
        "Notified of the arrest; high-profile report to managers.",
    )
    csc.entry(
        "strategy_discussion",
        "2017-11-07",
        "Strategy meeting (YOS attending): section 47 enquiries.",
    )
    csc.entry(
        "s47_enquiry",
        "2017-11-21",
        "Section 47: engagement minimal; no YOS work while the investigation continues.",
    )
    pru.entry(
        "school_exclusion",
        "2017-11-20",
        "Excluded after a violent incident; parents of other pupils complaining about the arrest.",
    )
    pru.entry("not_in_education", "2017-11-27", "Not attending any provision.")
    for day in ("2018-01-15", "2018-02-19", "2018-03-19", "2018-05-14"):
        pru.entry("no_access_visit", day, "Mentor home visit: Sam would not come downstairs.")
    for day, who in (
        ("2018-02-05", "inspector"),
        ("2018-05-07", "inspector"),
        ("2018-10-08", "superintendent (48 weeks)"),
    ):
        police.entry(
            "police_investigation",
            day,
            f"Released-under-investigation review by an "
            f"{who}: continued. Suspect's age and vulnerability not recorded.",
            sensitivity="not_for_family_disclosure",
        )
    csc.entry(
        "assessment_completed",
        "2018-01-26",
        "Single assessment: Sam found it stressful; no referrals made.",
    )
    police.entry(
        "out_of_court_disposal", "2018-06-02T16:20", "Community resolution: possession of cannabis."
    )
    yos.entry("referral_accepted", "2018-06-05", "Referral after the community resolution.")
    yos.entry("allocation", "2018-06-07", "Case manager allocated.")
    ff.entry(
        "assessment_completed",
        "2018-06-20",
        "Early help assessment: peer associations, regular cannabis use, parental offending.",
    )
    yos.entry(
        "mental_health_assessment",
        "2018-06-21",
        "Strengths and difficulties questionnaire: borderline, below the CAMHS threshold.",
        sensitivity="health_confidential",
    )
    yos.entry(
        "concern_raised", "2018-06-21", "Staying out three or four nights a week.", grade="reported"
    )
    pru.entry("education_ended", "2018-06-29", "Officially left education (AQA awards).")
    police.entry(
        "out_of_court_disposal",
        "2018-07-14T23:40",
        "Second community resolution: possession of cannabis; drunk and disorderly.",
    )
    yos.entry(
        "drug_use_disclosed",
        "2018-07-18",
        "Told the YOS CAMHS and substance misuse workers he uses cannabis and ketamine regularly.",
        grade="reported",
        sensitivity="health_confidential",
    )
    yos.entry("referral_made", "2018-08-06", "Referral to Career Connect.")
    careers.entry("appointment_missed", "2018-08-20", "Did not attend.")
    careers.entry("appointment_missed", "2018-09-03", "Did not attend.")
    csc.entry("case_closed", "2018-08-08", "Closed after the single assessment.")

    # --- October 2018: county lines; step-down ----------------------------------------------
    police.entry(
        "arrest_out_of_area",
        "2018-10-12T14:30",
        "Arrested by another force at the "
        "home of a vulnerable drug user, with others from Northbrook; suspected "
        "county-lines supply. Bailed not to enter the area.",
        agency="police_other_force",
        rec="2018-10-15T09:00",
        also=((ocg, "associate"),),
    )
    police.entry(
        "information_shared",
        "2018-10-15",
        "The arresting force shared the details with local police and children's services.",
    )
    police.entry("crime_recorded", "2018-10-15", "Modern slavery crime report.")
    police.entry("nrm_referral", "2018-10-17", "National Referral Mechanism referral.")
    csc.entry(
        "strategy_discussion",
        "2018-10-16",
        "Strategy discussion with the other local authority: section 47 enquiries.",
    )
    cet.entry(
        "ce_screening",
        "2018-10-25",
        "Exploitation risk assessment: high risk of child criminal exploitation.",
        grade="professional_opinion",
    )
    cet.entry("referral_made", "2018-10-25", "Referred to MACE.")
    csc.entry("s47_enquiry", "2018-10-30", "Section 47: continuing risk of harm.")
    csc.entry(
        "assessment_completed",
        "2018-11-20",
        "Single assessment (contextual "
        "safeguarding framework): vulnerable; denies exploitation; will not engage with "
        "social care.",
    )
    csc.entry(
        "step_down", "2018-11-22", "Stepped down to early help (level 3) and the CE team cohort."
    )
    ff.entry(
        "early_help_plan_start",
        "2018-11-26",
        "Family First plan: family relationships, "
        "offending, education; mother's support to keep him safe.",
        also=((mum_f, "parent"),),
    )
    cet.entry("allocation", "2018-11-26", "Added to the CE team cohort.")
    police.entry(
        "intelligence_received",
        "2018-12",
        "Intelligence that Sam is part of an "
        "organised crime group dealing class A drugs, linked to an adult known as "
        "'Fagz'.",
        rec="2018-12-18",
        grade="intelligence",
        sensitivity="police_intelligence",
        intel=("2", "B", "C"),
        also=((ocg, "perpetrator"),),
    )
    csc.entry(
        "mace_discussion",
        "2019-01-03",
        "MACE: high risk of criminal exploitation "
        "(October scores); step-down to Family First approved.",
        agency="mace",
    )
    csc.entry(
        "nrm_decision",
        "2019-02-11",
        "Negative reasonable grounds decision.",
        agency="nrm_home_office",
        rec="2019-02-18",
    )
    police.entry(
        "intelligence_received",
        "2019-03",
        "Intelligence that Sam travels out of the county to supply drugs for the group.",
        rec="2019-03-21",
        grade="intelligence",
        sensitivity="police_intelligence",
        intel=("3", "C", "C"),
        also=((ocg, "perpetrator"),),
    )

    police.entry(
        "ocg_linked",
        "2019-06-20",
        "Mapped as a member of an organised crime group "
        "(tier 3); lead responsible officer assigned; 4P plan.",
        sensitivity="police_intelligence",
        also=((ocg, "associate"),),
    )

    # --- spring 2019: the home breaks down; the step-up request ------------------------------
    ff.entry(
        "concern_raised",
        "2019-04-09",
        "Home visit with the school nurse: mother says "
        "unknown adult males come into the house through the night; drug use and "
        "damage. Leo (5) at home.",
        grade="reported",
        also=((mum_f, "parent"), (leo_f, "sibling")),
    )
    police.entry(
        "domestic_abuse",
        "2019-04-14T21:50",
        "Sam threatened extreme violence to his mother and her partner; Leo present.",
        also=((mum_p, "victim"), (leo_p, "witness")),
    )
    ff.entry(
        "home_visit",
        "2019-04-16",
        "Family First and Career Connect: prefers work to education; not willing to travel.",
    )
    ff.entry(
        "step_up_requested",
        "2019-04-18",
        "Step-up to children's social care (level 4) requested, with a risk analysis.",
    )
    csc.entry(
        "mash_discussion", "2019-04-23", "MASH discussion of the step-up request.", agency="mash"
    )
    csc.entry(
        "step_up_refused",
        "2019-05-09",
        "At MACE: no evidence of immediate risk to Sam "
        "or his sibling; stays at level 3 with Family First and the CE team.",
    )
    ff.entry(
        "multi_agency_meeting",
        "2019-05-20",
        "With probation: exclusion zone for the ex-partner seeking contact with Leo.",
        also=((leo_f, "sibling"),),
    )
    for day in ("2019-05-28", "2019-06-11"):
        cet.entry("no_access_visit", day, "Planned session: Sam not available.")
    ff.entry(
        "concern_raised",
        "2019-04-30",
        "Low mood, paranoia; recommends a mental health assessment.",
        grade="professional_opinion",
    )
    gp.entry(
        "gp_attendance",
        "2019-06-19",
        "With his Family First case manager: low mood, vivid dreams, poor concentration.",
        sensitivity="health_confidential",
    )
    gp.entry(
        "referral_made",
        "2019-06-19",
        "Routine referral to CAMHS.",
        sensitivity="health_confidential",
    )
    camhs.entry(
        "waiting_list",
        "2019-06-24",
        "Routine referral: about eight weeks.",
        sensitivity="health_confidential",
    )
    ff.entry(
        "professional_consultation",
        "2019-07-15",
        "Case consultation (Catch 22, Family "
        "First, CE team): Family First to help him with health services.",
    )

    # --- August 2019: the attack -------------------------------------------------------------
    police.entry(
        "assault_victim",
        "2019-08-03T23:40",
        "Shot in a targeted attack; would not assist the investigation.",
        who=((sp, "victim"),),
    )
    police.entry(
        "knife_incident", "2019-08-04T00:30", "Found in possession of a knife at the scene."
    )
    hospital.entry(
        "ae_attendance",
        "2019-08-04T00:15",
        "Gunshot wound; brought by an associate; surgery.",
        ended="2019-08-21T12:00",
    )
    hospital.entry("hospital_discharge", "2019-08-21", "Discharged after surgery.")
    camhs.entry(
        "appointment_cancelled",
        "2019-08-19",
        "First appointment cancelled: in hospital.",
        sensitivity="health_confidential",
    )
    for day in ("2019-10-02", "2019-10-16", "2019-10-23"):
        camhs.entry(
            "appointment_cancelled_by_family",
            day,
            "Cancelled by the family.",
            sensitivity="health_confidential",
        )
    police.entry("conviction", "2019-10-01", "Convicted of possessing a knife; £85 costs.")
    yos.entry("referral_accepted", "2019-10-07", "Referral after the knife conviction.")
    yos.entry("allocation", "2019-10-09", "Case manager allocated.")
    camhs.entry(
        "mental_health_assessment",
        "2019-10-30",
        "First appointment, 19 weeks after referral, with his grandmother.",
        sensitivity="health_confidential",
    )
    return [police, csc, ff, pru, lae, yos, gp, camhs, hospital, cet, careers]
