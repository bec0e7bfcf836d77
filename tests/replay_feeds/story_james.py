"""James (review 000, "James" LCSPR, and its brief 001): what each agency recorded.

The review covers February 2019 to February 2021 and gives months and years; the days here are
invented, in the review's order. James is born in October 2004, lives with his mother until
October 2019 and then with his father; he is on School A's roll until March 2021 and barely
attends; an EHCP finalised in November 2017 is not reviewed until March 2021."""

from __future__ import annotations

from tests.replay_feeds.feedkit import Feed, nhs_number, upn_number

CHILD = "james"
NHS = nhs_number(1)
UPN = upn_number(937, 4001, 16, 12)
PNC = "19/204871T"
HOME_MOTHER = ("14 Larkspur Way, Marston Vale", "XW4 7HD", "2012-06-01", "2019-10-04")
HOME_FATHER = ("3 Coldharbour Lane, Marston Vale", "XW4 2QS", "2019-10-05", None)


def feeds() -> list[Feed]:
    csc = Feed(CHILD, "wk-csc", "childrens_social_care", "csc.jsonl", "WKC")
    police = Feed(CHILD, "wk-police", "police", "police.jsonl", "WKP")
    school = Feed(CHILD, "wk-school-a", "school", "school.jsonl", "WKS")
    sendar = Feed(CHILD, "wk-sendar", "local_authority_education", "la_education.jsonl", "WKE")
    camhs = Feed(CHILD, "wk-camhs", "camhs", "camhs.jsonl", "WKM")
    ae = Feed(CHILD, "wk-hospital", "health_ae", "hospital.jsonl", "WKH")
    gp = Feed(CHILD, "wk-gp", "health_gp", "gp.jsonl", "WKG")
    nursing = Feed(CHILD, "wk-compass", "school_nursing", "school_nursing.jsonl", "WKN")
    drugs = Feed(CHILD, "wk-drug-service", "substance_misuse_service", "drug_service.jsonl", "WKD")
    ap = Feed(CHILD, "wk-ap", "alternative_provision", "alternative_provision.jsonl", "WKA")

    # --- person lines: the same boy, as each agency holds him -----------------------------
    c = csc.person(
        "J1",
        "James Robert",
        "Ashdown",
        birth="2004-10-07",
        sex="male",
        ethnicity="WBRI",
        nhs_no=NHS,
        upn_no=UPN,
        addresses=(HOME_MOTHER, HOME_FATHER),
        child=True,
    )
    mum_c = csc.person(
        "M1", "Karen", "Ashdown", birth="1979-03-21", sex="female", addresses=(HOME_MOTHER,)
    )
    dad_c = csc.person(
        "F1", "Paul", "Ashdown", birth="1976-12-02", sex="male", addresses=(HOME_FATHER,)
    )
    csc.relationship("1", mum_c, c, "parent")
    csc.relationship("2", dad_c, c, "parent")
    p = police.person(
        "J1",
        "Jimmy",
        "Ashdown",
        birth="2004-10-07",
        sex="male",
        pnc=PNC,
        other_names=("James Ashdown",),
        addresses=(HOME_FATHER,),
        child=True,
    )
    dad_p = police.person(
        "F1", "Paul", "Ashdown", birth="1976-12-02", sex="male", addresses=(HOME_FATHER,)
    )
    assoc = police.person("X1", "Kai", "Mercer", birth="2003", sex="male")
    police.relationship("1", dad_p, p, "parent")
    police.relationship("2", assoc, p, "associate", "2019-06-01")
    school.person(
        "J1",
        "James",
        "Ashdown",
        birth="2004-10-07",
        sex="male",
        upn_no=UPN,
        addresses=(HOME_MOTHER,),
        child=True,
    )
    sendar.person(
        "J1", "James", "Ashdown", birth="2004-10-07", sex="male", upn_no=UPN, nhs_no=NHS, child=True
    )
    camhs.person(
        "J1",
        "James",
        "Ashdown",
        birth="2004-10-07",
        sex="male",
        nhs_no=NHS,
        addresses=(HOME_MOTHER,),
        child=True,
    )
    ae.person("J1", "James", "Ashdown", birth="2004-07-10", sex="male", nhs_no=NHS, child=True)
    gp.person(
        "J1",
        "James",
        "Ashdown",
        birth="2004-10-07",
        sex="male",
        nhs_no=NHS,
        addresses=(HOME_MOTHER, HOME_FATHER),
        child=True,
    )
    nursing.person("J1", "James", "Ashdown", birth="2004-10-07", sex="male", nhs_no=NHS, child=True)
    drugs.person(
        "J1", "James", "Ashdown", birth="2004-10", sex="male", child=True, addresses=(HOME_FATHER,)
    )
    ap.person("J1", "Jamie", "Ashdown", birth="2004-10-07", sex="male", child=True)

    # --- involvements ----------------------------------------------------------------------
    school.involvement(
        "roll",
        "school",
        "School A",
        "2016-09-05",
        "2021-03-31",
        practitioner=("Helen Marsh", "Designated safeguarding lead"),
    )
    gp.involvement("reg", "health_gp", "Marston Vale Surgery", "2004-11-01")
    camhs.involvement(
        "1",
        "camhs",
        "CAMHS North",
        "2014-01-15",
        "2019-04-03",
        practitioner=("Dr Ruth Okafor", "Consultant psychiatrist"),
    )
    camhs.involvement("2", "camhs", "CAMHS Duty", "2020-03-10")
    sendar.involvement("1", "local_authority_education", "SENDAR", "2017-11-20")
    csc.involvement(
        "cin",
        "childrens_social_care",
        "Strengthening Families",
        "2019-02-20",
        "2020-06-25",
        practitioner=("Megan Price", "Social worker"),
        lead=True,
    )
    csc.involvement(
        "cp",
        "childrens_social_care",
        "Safeguarding Team",
        "2020-06-25",
        practitioner=("Tom Akers", "Social worker"),
        lead=True,
    )
    nursing.involvement("1", "school_nursing", "School Health", "2020-07-01", "2020-10-20")
    drugs.involvement(
        "1", "substance_misuse_service", "Young People's Drug Service", "2020-02-14", "2020-05-29"
    )
    ap.involvement("ap1", "alternative_provision", "Alternative Provision 1", "2020-02-24")
    ap.involvement("ap2", "alternative_provision", "Alternative Provision 2", "2020-03-02")

    # --- before the review period ---------------------------------------------------------
    camhs.entry(
        "referral_accepted",
        "2014-01-15",
        "Accepted by CAMHS (aged 9): low mood, anger, talk of not wanting to live.",
    )
    camhs.entry("allocation", "2014-01-21", "Allocated to a CAMHS practitioner.")
    camhs.entry(
        "mental_health_assessment",
        "2016-05-11",
        "Review: depression; medication started; psychotherapy offered.",
        sensitivity="health_confidential",
    )
    school.entry("school_start", "2016-09-05", "Joined School A in year 7.")
    for day, what in (
        ("2016-11-19T21:40", "Self-inflicted cuts to forearm; discharged to mother."),
        ("2017-03-04T23:05", "Fall from bicycle; wrist sprain."),
        ("2017-06-17T20:15", "Overdose of paracetamol (12 tablets); admitted overnight."),
        ("2017-12-29T19:30", "Intoxicated with cannabis and alcohol; brought by ambulance."),
        ("2018-04-07T22:50", "Hand injury after punching a wall."),
        ("2018-09-22T18:20", "Suicidal thoughts after an argument at home; seen by CAMHS liaison."),
    ):
        ae.entry(
            "ae_attendance",
            day,
            what,
            ended=5,
            sensitivity="health_confidential",
            place="Emergency department",
        )
    ae.entry(
        "overdose",
        "2017-06-17T20:15",
        "Paracetamol overdose; referred to CAMHS liaison.",
        sensitivity="health_confidential",
    )
    sendar.entry(
        "ehcp_issued",
        "2017-11-20",
        "EHCP finalised: specialist provision needed; School A to meet needs until a "
        "special school is identified.",
    )
    sendar.entry(
        "waiting_list",
        "2018-06-12",
        "Referred to the neurodevelopmental pathway for an autism assessment; "
        "waiting time about five years.",
        agency="camhs",
    )
    school.entry("attendance_low", "2018-07-20", "Attendance this year 11%.")
    police.entry(
        "police_incident",
        "2018-11-24T23:40",
        "Father's car driven into a wall at speed; James (14) the driver; no injuries.",
    )

    # --- early 2019: three suicide attempts; CAMHS closes -----------------------------------
    ae.entry(
        "ae_attendance",
        "2019-01-12T20:05",
        "Overdose of sertraline; admitted for observation.",
        ended=30,
        sensitivity="health_confidential",
    )
    ae.entry(
        "overdose",
        "2019-01-12T20:05",
        "Overdose of prescribed sertraline (suicide attempt).",
        sensitivity="health_confidential",
    )
    ae.entry(
        "ae_attendance",
        "2019-02-09T17:45",
        "Ligature marks; attempted hanging at home, found by mother.",
        ended=8,
        sensitivity="health_confidential",
    )
    ae.entry(
        "suicide_attempt",
        "2019-02-09T17:45",
        "Attempted hanging at home.",
        sensitivity="health_confidential",
    )
    gp.entry(
        "gp_attendance",
        "2019-01-14",
        "Seen with mother after overdose; CAMHS aware.",
        sensitivity="health_confidential",
    )
    csc.entry(
        "referral_accepted",
        "2019-02-12",
        "Hospital referral after second suicide attempt; single assessment.",
    )
    csc.entry("allocation", "2019-02-13", "Allocated to a social worker (Strengthening Families).")
    camhs.entry(
        "drug_use_disclosed",
        "2019-03-20",
        "Says he smokes cannabis every day to calm "
        "his anxiety and anger; how he pays for it not explored.",
        grade="reported",
        sensitivity="health_confidential",
    )
    csc.entry(
        "assessment_completed",
        "2019-03-08",
        "Single assessment: child in need; risk from mental health, cannabis use and "
        "missing education.",
    )
    csc.entry(
        "cin_plan_start",
        "2019-03-14",
        "Child in need plan (section 17).",
        also=((mum_c, "parent"),),
    )
    police.entry(
        "police_incident",
        "2019-03-02T01:15",
        "Found on the railway bridge threatening to jump; detained under s136.",
    )
    police.entry(
        "suicidal_ideation",
        "2019-03-02T01:15",
        "Said he wanted to die; taken to the place of safety.",
        sensitivity="health_confidential",
    )
    ae.entry(
        "ae_attendance",
        "2019-03-02T02:30",
        "Brought by police under s136 after threat to jump from a bridge.",
        ended=9,
        sensitivity="health_confidential",
    )
    camhs.entry(
        "case_closed",
        "2019-04-03",
        "Discharged at James's and his mother's request: therapy and medication not "
        "helping. GP informed by letter.",
        sensitivity="health_confidential",
    )

    # --- 2019: education falls apart ----------------------------------------------------------
    sendar.entry(
        "alternative_provision_start",
        "2019-04-29",
        "Full-time placement at an unregistered alternative provider (mechanics).",
    )
    sendar.entry(
        "alternative_provision_end",
        "2019-06-28",
        "Full-time placement at the unregistered provider ended: an unlawful arrangement.",
    )
    sendar.entry(
        "not_in_education",
        "2019-07-01",
        "On School A's roll but receiving no education; no special school place identified.",
    )
    csc.entry(
        "change_of_residence",
        "2019-06",
        "Went to stay with his sister in Birmingham for a few months; no school place there.",
        precision="season",
        rec="2019-09-04",
        grade="reported",
    )
    sendar.entry(
        "school_place_declined",
        "2019-07-10",
        "Mother refused a special school place on grounds of distance.",
    )
    csc.entry(
        "cin_review",
        "2019-06-05",
        "CIN review: school did not attend; education and mental health the concerns.",
    )
    csc.entry(
        "cin_review",
        "2019-09-11",
        "CIN review: little reference to the gang concerns; "
        "actions to keep him at home in the evenings.",
    )
    school.entry("attendance_low", "2019-07-19", "Attendance this year 4%. No contact since May.")

    # --- August 2019: gangs; the NRM --------------------------------------------------------
    police.entry(
        "intelligence_received",
        "2019-06",
        "Intelligence that James is on the periphery of a "
        "group dealing cannabis and class A drugs around the town centre; seen with older "
        "youths.",
        precision="season",
        rec="2019-08-14T10:20",
        grade="intelligence",
        sensitivity="police_intelligence",
        intel=("2", "C", "P"),
        also=((assoc, "associate"),),
    )
    csc.entry(
        "information_shared",
        "2019-08-20",
        "Police shared concerns that James may be "
        "involved in criminal exploitation and linked to gangs.",
    )
    csc.entry(
        "threshold_discussion",
        "2019-08-22",
        "Strengthening Families discussion: how to "
        "assess criminal exploitation; child protection threshold not met; stays on the "
        "CIN plan. No exploitation-team referral.",
    )
    police.entry(
        "missing_episode",
        "2019-08-30T21:30",
        "Reported missing by mother; phone off.",
        ended=13,
        also=((dad_p, "parent"),),
    )
    police.entry(
        "found_after_missing", "2019-08-31T10:30", "Returned home; would not say where he had been."
    )
    csc.entry(
        "nrm_referral",
        "2019-09-18",
        "NRM referral: drug use, associations and potential "
        "for being exploited or trafficked to supply drugs.",
    )
    police.entry(
        "information_shared", "2019-09-18", "NRM referral received from children's social care."
    )
    csc.entry(
        "nrm_decision",
        "2019-10-09",
        "Single Competent Authority: reasonable grounds "
        "that James is a victim of modern slavery (criminal exploitation).",
        agency="nrm_home_office",
        rec="2019-10-16",
    )
    csc.entry(
        "change_of_residence",
        "2019-10-05",
        "Moved to live with his father.",
        also=((dad_c, "parent"),),
    )
    police.entry(
        "missing_episode",
        "2019-10-19T22:00",
        "Reported missing by father.",
        ended=16,
        also=((dad_p, "parent"),),
    )
    police.entry(
        "found_after_missing",
        "2019-10-20T14:00",
        "Found by officers in the town centre with older youths; taken home.",
    )
    csc.entry(
        "critical_moment",
        "2019-11-06",
        "James told his social worker he wants help to "
        "stop using cannabis and to keep away from the group.",
        grade="reported",
    )
    sendar.entry(
        "school_place_declined", "2019-11-15", "Special school declined a place: cannot meet needs."
    )
    csc.entry("cin_review", "2019-12-11", "CIN review: plan unchanged.")
    police.entry(
        "police_incident",
        "2020-01-20T19:10",
        "James reported threats from other "
        "young people over a drug debt; would not make a statement.",
        also=((assoc, "associate"),),
    )
    police.entry(
        "missing_episode",
        "2020-01-25T20:45",
        "Reported missing by father after the threats.",
        ended=20,
        also=((dad_p, "parent"),),
    )
    police.entry("found_after_missing", "2020-01-26T16:45", "Returned home of his own accord.")
    sendar.entry(
        "school_place_declined", "2020-01-22", "Second special school declined: no capacity."
    )

    # --- 2020: part-time provision, the drug service, the exploitation tool -----------------
    csc.entry("referral_made", "2020-02-12", "Referral to the young people's drug service.")
    drugs.entry("referral_accepted", "2020-02-14", "Referral received from children's social care.")
    drugs.entry("allocation", "2020-02-20", "Allocated to a young people's worker.")
    drugs.entry("appointment_missed", "2020-03-05", "Did not attend first appointment.")
    drugs.entry("appointment_missed", "2020-03-19", "Did not attend; father says James not ready.")
    drugs.entry(
        "disengagement", "2020-04-23", "No contact possible during lockdown; James declines video."
    )
    drugs.entry("case_closed", "2020-05-29", "Closed: not engaging.")
    sendar.entry(
        "alternative_provision_start",
        "2020-02-24",
        "Alternative Provision 1 commissioned (part-time, behaviour and relationships).",
    )
    ap.entry("alternative_provision_start", "2020-02-24", "Started two mornings a week.")
    ap.entry(
        "alternative_provision_start",
        "2020-03-02",
        "Alternative Provision 2: English and maths, two sessions a week.",
    )
    gp.entry(
        "gp_attendance",
        "2020-02-18",
        "Sleep poor; cannabis daily; advised.",
        sensitivity="health_confidential",
    )
    for day, text in (
        ("2020-04-16", "Attended 2 of 4 sessions (lockdown; father agreed to visits)."),
        ("2020-06-18", "Attended 3 of 8 sessions; work experience with a car mechanic offered."),
        ("2020-09-24", "Attended 1 of 6 sessions."),
        ("2020-12-10", "Attended 2 of 10 sessions."),
    ):
        ap.entry("attendance_low", day, text)
    camhs.entry(
        "referral_accepted",
        "2020-03-10",
        "Re-referred by GP; held by the duty team.",
        sensitivity="health_confidential",
    )
    camhs.entry(
        "mental_health_assessment",
        "2020-04-18",
        "Duty crisis assessment by phone after suicidal statements; seen once calm; low risk.",
        sensitivity="health_confidential",
    )
    ae.entry(
        "ae_attendance",
        "2020-04-17T23:30",
        "Suicidal statements; waited for CAMHS.",
        ended=6,
        sensitivity="health_confidential",
    )
    csc.entry(
        "ce_screening",
        "2020-05-14",
        "Child exploitation tool completed: no risk identified at this time.",
        grade="professional_opinion",
    )
    police.entry(
        "police_incident",
        "2020-05-30T22:15",
        "Father stabbed at home by a young associate of James; James present.",
        who=((p, "witness"),),
        also=((dad_p, "victim"), (assoc, "perpetrator")),
    )
    police.entry(
        "arrest",
        "2020-06-06T16:40",
        "James drove his father's car at the young "
        "person who stabbed his father and crashed; assaulted an officer on arrest.",
        also=((assoc, "victim"),),
    )
    police.entry(
        "referral_made", "2020-06-07", "Referral to children's social care after the arrest."
    )
    csc.entry("strategy_discussion", "2020-06-09", "Strategy discussion with police: s47 enquiry.")
    csc.entry(
        "s47_enquiry", "2020-06-19", "Section 47 enquiry: significant harm (neglect); conference."
    )
    csc.entry(
        "referral_made",
        "2020-06-10",
        "Referral to the Child Exploitation Team (feud, stabbing of father, car incident).",
    )
    csc.entry(
        "referral_accepted",
        "2020-06-12",
        "Child Exploitation Team: referral accepted; waiting for a worker.",
        agency="child_exploitation_team",
    )
    csc.entry(
        "cp_conference",
        "2020-06-25",
        "Initial child protection conference.",
        also=((dad_c, "parent"),),
    )
    csc.entry("cp_plan_start", "2020-06-25", "Child protection plan: neglect.")
    gp.entry(
        "information_shared",
        "2020-06-25",
        "Invitation to the child protection conference received the day before; could not attend.",
        rec="2020-07-20",
    )
    csc.entry(
        "allocation",
        "2020-07-22",
        "Child Exploitation Team: allocated to a worker after six weeks (staff shortages).",
        agency="child_exploitation_team",
    )
    for day in ("2020-07-07", "2020-08-13", "2020-09-24", "2020-11-05", "2020-12-10", "2021-01-14"):
        csc.entry(
            "core_group",
            day,
            "Core group: good attendance; health assessment, "
            "exploitation work and EHCP not progressing.",
        )
    csc.entry(
        "no_access_visit",
        "2020-08-05",
        "Exploitation worker visit: James would not come down.",
        agency="child_exploitation_team",
    )
    csc.entry(
        "disengagement",
        "2020-09-30",
        "James not engaging with the exploitation worker.",
        agency="child_exploitation_team",
    )
    nursing.entry(
        "no_access_visit",
        "2020-07-09",
        "Health needs assessment visit: father would not let the nurse see James.",
    )
    nursing.entry("appointment_missed", "2020-08-13", "Did not attend health needs assessment.")
    nursing.entry("appointment_missed", "2020-09-10", "Did not attend; second letter sent.")
    nursing.entry("case_closed", "2020-10-20", "Closed: lack of engagement. GP not informed.")
    csc.entry(
        "practical_support",
        "2020-04-02",
        "School meal vouchers arranged for father during lockdown.",
    )
    police.entry(
        "assault_victim",
        "2020-09-12T21:05",
        "James attacked with a knife by two youths; cut to the arm; would not name them.",
        who=((p, "victim"),),
    )
    ae.entry(
        "ae_attendance",
        "2020-09-12T21:50",
        "Laceration to the forearm after a knife attack; sutured. Police present.",
        ended=4,
    )
    sendar.entry("ehcp_amended", "2020-09-07", "EHCP amended to name a special school.")
    sendar.entry(
        "ehcp_amended",
        "2020-11-02",
        "Offer withdrawn by the special school; EHCP names School A again.",
    )
    police.entry(
        "police_incident",
        "2020-11-21T15:30",
        "Stopped with a small amount of cannabis; community resolution.",
    )

    # --- 2021: psychosis; the stabbing -------------------------------------------------------
    police.entry(
        "police_incident",
        "2021-01-16T02:10",
        "Concern for welfare: paranoid, hearing voices; father called police.",
    )
    camhs.entry(
        "mental_health_assessment",
        "2021-01-19",
        "Paranoia and psychotic symptoms; "
        "assessed low risk; safety plan, referral to drug services, medication.",
        sensitivity="health_confidential",
    )
    camhs.entry(
        "waiting_list",
        "2021-01-26",
        "Tier 4 bed considered; none available.",
        sensitivity="health_confidential",
    )
    police.entry(
        "knife_incident",
        "2021-02-13T20:20",
        "James stabbed his father at home in an "
        "apparent act of self-defence; father not seriously hurt.",
        also=((dad_p, "victim"),),
    )
    police.entry("arrest", "2021-02-13T20:40", "Arrested; appropriate adult; later released.")
    sendar.entry("ehcp_review", "2021-03-10", "First review of the EHCP since November 2017.")
    school.entry("education_roll_change", "2021-03-31", "Removed from School A's roll.")
    return [csc, police, school, sendar, camhs, ae, gp, nursing, drugs, ap]
