"""Adam (review 004, "Adam" LCSPR): what each agency recorded.

Adam is in year 11 in 2019/20 (born in the spring of 2004); about 90% attendance until year 11,
47% in the Covid year. In 2019 the police investigate a vehicle theft and tell the school not to
tell the family; the school hears of a Snapchat post of Adam driving, shares it, asks the MASH
and makes a safeguarding referral that is rejected for lack of consent (children's social care
has no record of it). Intelligence that he deals cannabis, drives illegally and has criminal
associates stays police intelligence. Only after a 2020 arrest with clear evidence: a strategy
meeting, a child in need plan (its meetings not held), the complex safeguarding team (medium
risk; the family refuse it and it closes). Adam dies in a road traffic collision in the autumn
of 2020. The review gives no dates beyond years and seasons; these are invented."""

from __future__ import annotations

from tests.replay_feeds.feedkit import Feed, nhs_number, upn_number

CHILD = "adam"
NHS = nhs_number(6)
UPN = upn_number(353, 4380, 15, 162)
PNC = "20/019483W"
HOME = ("12 Mossley Row, Eastfold", "XA6 1PN", "2010-04-01", None)


def feeds() -> list[Feed]:
    police = Feed(CHILD, "ef-police", "police", "police.jsonl", "EFP")
    school = Feed(CHILD, "ef-high-school", "school", "school.jsonl", "EFS")
    csc = Feed(CHILD, "ef-csc", "childrens_social_care", "csc.jsonl", "EFC")
    yjs = Feed(CHILD, "ef-yjs", "youth_justice", "youth_justice.jsonl", "EFY")
    cgl = Feed(CHILD, "ef-cgl", "substance_misuse_service", "substance_misuse.jsonl", "EFD")
    cst = Feed(
        CHILD,
        "ef-complex-safeguarding",
        "child_exploitation_team",
        "complex_safeguarding.jsonl",
        "EFX",
    )
    gp = Feed(CHILD, "ef-gp", "health_gp", "gp.jsonl", "EFG")

    ap = police.person(
        "A1",
        "Adam",
        "Colley",
        birth="2004-04-22",
        sex="male",
        pnc=PNC,
        addresses=(HOME,),
        child=True,
    )
    dad_p = police.person(
        "F1", "Gary", "Colley", birth="1979-02-11", sex="male", pnc="97/208811N", addresses=(HOME,)
    )
    uncle = police.person("U1", "Lee", "Colley", birth="1983-06-30", sex="male", pnc="01/377420M")
    assoc1 = police.person("X1", "Tyler", "Birch", birth="2001-12-05", sex="male", pnc="18/300741F")
    assoc2 = police.person("X2", "Jordan", "Eccles", birth="1998", sex="male", pnc="15/662019B")
    police.relationship("1", dad_p, ap, "parent")
    police.relationship("2", uncle, ap, "aunt_or_uncle")
    police.relationship("3", assoc1, ap, "associate", "2019-09-01")
    police.relationship("4", assoc2, ap, "associate", "2019-09-01")
    school.person(
        "A1",
        "Adam",
        "Colley",
        birth="2004-04-22",
        sex="male",
        upn_no=UPN,
        addresses=(HOME,),
        child=True,
    )
    mum_s = school.person("M1", "Nicola", "Colley", sex="female", addresses=(HOME,))
    ac = csc.person(
        "A1",
        "Adam James",
        "Colley",
        birth="2004-04-22",
        sex="male",
        ethnicity="WBRI",
        nhs_no=NHS,
        upn_no=UPN,
        addresses=(HOME,),
        child=True,
    )
    mum_c = csc.person(
        "M1", "Nicola", "Colley", birth="1982-10-09", sex="female", addresses=(HOME,)
    )
    dad_c = csc.person("F1", "Gary", "Colley", birth="1979-02-11", sex="male", addresses=(HOME,))
    csc.relationship("1", mum_c, ac, "parent")
    csc.relationship("2", dad_c, ac, "parent")
    yjs.person(
        "A1", "Adam", "Colley", birth="2004-04-22", sex="male", pnc=PNC, upn_no=UPN, child=True
    )
    cgl.person("A1", "Adam", "Colley", birth="2004-04-22", sex="male", nhs_no=NHS, child=True)
    cst.person(
        "A1", "Adam", "Colley", birth="2004-04-22", sex="male", nhs_no=NHS, pnc=PNC, child=True
    )
    gp.person(
        "A1",
        "Adam",
        "Colley",
        birth="2004-04-22",
        sex="male",
        nhs_no=NHS,
        addresses=(HOME,),
        child=True,
    )

    school.involvement(
        "1",
        "school",
        "Eastfold High School",
        "2015-09-02",
        "2020-07-17",
        practitioner=("Sue Horrocks", "Designated safeguarding lead"),
    )
    gp.involvement("1", "health_gp", "Mossley Health Centre", "2004-05-10")
    yjs.involvement("1", "youth_justice", "Youth Justice Service", "2020-02-24", "2020-08-28")
    cgl.involvement(
        "1",
        "substance_misuse_service",
        "Young people's substance misuse service",
        "2020-03-02",
        "2020-05-11",
    )
    csc.involvement(
        "1",
        "childrens_social_care",
        "Child in Need Team",
        "2020-05-26",
        practitioner=("Rachel Dunne", "Social worker"),
        lead=True,
    )
    cst.involvement(
        "1", "child_exploitation_team", "Complex Safeguarding Team", "2020-07-03", "2020-08-26"
    )

    for year, pct in ((2016, 91), (2017, 90), (2018, 89), (2019, 90)):
        school.entry("attendance_summary", f"{year}-07-19", f"Attendance this year {pct}%.")
    police.entry(
        "parent_offending",
        "2018",
        "Father and uncle have convictions for vehicle crime and supply of drugs.",
        rec="2019-03-08",
        also=((dad_p, "parent"),),
    )

    # --- 2019: the indicators, one agency at a time ----------------------------------------------
    police.entry(
        "police_investigation",
        "2019-03-08",
        "Investigation into vehicle thefts; Adam "
        "a suspect. School asked not to tell Adam or his parents.",
        sensitivity="not_for_family_disclosure",
        also=((uncle, "associate"),),
    )
    school.entry(
        "information_shared",
        "2019-03-12",
        "Police told us of an investigation into "
        "vehicle theft involving Adam; not to inform him or his parents.",
        sensitivity="not_for_family_disclosure",
    )
    school.entry(
        "concern_raised",
        "2019-05-14",
        "Told by another parent of a Snapchat post "
        "showing Adam driving a car. Mother says it was his uncle driving.",
        grade="reported",
        also=((mum_s, "parent"),),
    )
    school.entry("information_shared", "2019-05-15", "Snapchat information shared with the police.")
    school.entry("mash_discussion", "2019-05-15", "Advice sought from the MASH.", agency="mash")
    school.entry("referral_made", "2019-05-16", "Safeguarding referral to children's social care.")
    school.entry(
        "referral_rejected",
        "2019-05-17",
        "Told the referral was rejected: no "
        "parental consent. (Children's social care holds no record of it.)",
        grade="reported",
    )
    police.entry(
        "intelligence_received",
        "2019-09",
        "Intelligence that Adam is dealing cannabis in Eastfold with older associates.",
        rec="2019-09-26",
        grade="intelligence",
        sensitivity="police_intelligence",
        intel=("2", "C", "P"),
        also=((assoc1, "associate"), (assoc2, "associate")),
    )
    school.entry(
        "concern_raised",
        "2019-10-04",
        "Pupils say Adam sells cannabis and has a lot of money.",
        grade="reported",
    )
    police.entry(
        "intelligence_received",
        "2019-11",
        "Intelligence that Adam drives cars for an older associate.",
        rec="2019-11-21",
        grade="intelligence",
        sensitivity="police_intelligence",
        intel=("3", "C", "P"),
        also=((assoc2, "associate"),),
    )
    police.entry(
        "police_incident",
        "2019-12-07T23:10",
        "Stopped driving a car with no licence "
        "or insurance; associates in the car. Reported for offences.",
        also=((assoc1, "associate"),),
    )

    # --- 2020: the arrests; the referrals; the plan ------------------------------------------------
    police.entry(
        "arrest", "2020-01-18T21:30", "Arrested for possession of cannabis with intent to supply."
    )
    police.entry(
        "released_under_investigation", "2020-01-19T03:00", "Released under investigation."
    )
    police.entry(
        "out_of_court_disposal",
        "2020-02-20",
        "Youth caution (possession of cannabis); referred to the youth justice service.",
    )
    yjs.entry("referral_accepted", "2020-02-24", "Referral after the caution.")
    yjs.entry("allocation", "2020-02-26", "Case worker allocated.")
    yjs.entry(
        "drug_use_disclosed",
        "2020-02-26",
        "Adam says he smokes cannabis most days; referral to the substance misuse service.",
        grade="reported",
        sensitivity="health_confidential",
    )
    yjs.entry("appointment_missed", "2020-03-09", "Did not attend.")
    yjs.entry("referral_made", "2020-02-27", "Referral to the substance misuse service.")
    cgl.entry("referral_accepted", "2020-03-02", "Referral from youth justice.")
    cgl.entry("allocation", "2020-03-05", "Worker allocated.")
    cgl.entry("appointment_missed", "2020-03-16", "Did not attend.")
    cgl.entry("disengagement", "2020-04-14", "No response to calls or letters (lockdown).")
    cgl.entry("case_closed", "2020-05-11", "Closed: not engaging.")
    school.entry("attendance_low", "2020-03-20", "Attendance this year 47%; schools closing.")
    yjs.entry("appointment_missed", "2020-04-06", "Did not answer the phone call.")
    police.entry(
        "arrest",
        "2020-05-22T22:45",
        "Arrested in a car with cash and cannabis wraps; associates present.",
        also=((assoc1, "associate"),),
    )
    police.entry(
        "referral_made",
        "2020-05-23",
        "Referral to children's social care: criminal activity, possible exploitation.",
    )
    csc.entry("referral_accepted", "2020-05-26", "Referral from police.")
    csc.entry("allocation", "2020-05-27", "Allocated to a social worker.")
    csc.entry(
        "strategy_discussion", "2020-06-02", "Strategy meeting (police, school, youth justice)."
    )
    csc.entry("s47_enquiry", "2020-06-09", "Record of outcome: child in need threshold.")
    csc.entry(
        "cin_plan_start",
        "2020-06-16",
        "Child in need plan; actions unclear.",
        also=((mum_c, "parent"),),
    )
    school.entry(
        "attendance_summary",
        "2020-06-19",
        "Attending in school as a vulnerable child on some days.",
    )
    csc.entry("referral_made", "2020-07-01", "Referral to the complex safeguarding team.")
    cst.entry("referral_accepted", "2020-07-03", "Referral accepted.")
    cst.entry("allocation", "2020-07-08", "Complex safeguarding social worker allocated.")
    police.entry(
        "intelligence_received",
        "2020-07",
        "Intelligence that Adam is still dealing "
        "cannabis with the same associates and driving their cars.",
        rec="2020-07-30",
        grade="intelligence",
        sensitivity="police_intelligence",
        intel=("2", "C", "P"),
        also=((assoc1, "associate"),),
    )
    csc.entry("home_visit", "2020-07-07", "Home visit: Adam seen.", also=((mum_c, "parent"),))
    csc.entry("assessment_completed", "2020-07-14", "Child and family assessment.")
    csc.entry("voice_of_child_recorded", "2020-07-14", "Adam's wishes and feelings recorded.")
    school.entry("education_roll_change", "2020-07-17", "Left school; college place offered.")
    cst.entry(
        "ce_screening",
        "2020-07-24",
        "Complex safeguarding assessment: medium risk of criminal exploitation.",
        grade="professional_opinion",
    )
    cst.entry(
        "disengagement",
        "2020-08-05",
        "Family refuse to work with the complex safeguarding social worker.",
    )
    csc.entry("no_access_visit", "2020-08-11", "No answer.")
    csc.entry(
        "professional_consultation",
        "2020-08-18",
        "Consultation with a clinical psychologist on ways to engage the family.",
    )
    cst.entry("case_closed", "2020-08-26", "Closed: family will not engage.")
    yjs.entry("case_closed", "2020-08-28", "Caution intervention ended; not completed.")
    csc.entry("no_access_visit", "2020-09-01", "No answer.")
    csc.entry(
        "home_visit", "2020-09-15", "Mother seen; Adam not at home.", also=((mum_c, "parent"),)
    )
    csc.entry("no_access_visit", "2020-09-29", "No answer.")
    police.entry("death", "2020-10-17T01:30", "Died in a road traffic collision.")
    return [police, school, csc, yjs, cgl, cst, gp]
