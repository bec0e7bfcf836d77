"""Child S (review 002, "Child Q & Child S" SCR, section 3): what each agency recorded.

Child S is born in 2003 in LA2, an only child; lives with her mother and grandmother until
2009, then with her mother alone as care deteriorates (shoplifting with her mother at 7,
hunger, nights on the streets). Eleven contacts and referrals in 2014 and 2015 ("concerns" 1 to
11 in the review) before a child protection plan in January 2015; looked after from May 2015;
at least 19 missing episodes in the review period, some across force boundaries, the longest
in December 2015 and January 2016. Her early history is only learned in June 2015, when her
looked-after social worker talks to the family: it is recorded then, at the precision the
family gave. Dates within the months the review gives are invented."""

from __future__ import annotations

from tests.replay_feeds.feedkit import Feed, nhs_number, upn_number

CHILD = "child-s"
NHS = nhs_number(3)
UPN = upn_number(938, 2150, 7, 203)
HOME = ("Flat 6, Calder Court, Hollins", "XQ5 2DW", "2009-06-01", None)
COUSIN = ("41 Weaver Road, Hollins", "XQ5 8JJ", "2014-12-03", "2014-12-14")
LA3_FOSTER = ("2 Orchard Close, Stanbury", "XT2 9EF", "2015-08-14", "2015-12-20")


def feeds() -> list[Feed]:
    csc = Feed(CHILD, "la2-csc", "childrens_social_care", "csc.jsonl", "SSC")
    police = Feed(CHILD, "la2-police", "police", "police_force_1.jsonl", "SP1")
    force2 = Feed(CHILD, "la3-police", "police_other_force", "police_force_2.jsonl", "SP2")
    primary = Feed(CHILD, "la2-brookside-primary", "school", "la2_primary_school.jsonl", "SPS")
    secondary = Feed(CHILD, "la2-secondary", "school", "la2_secondary_school.jsonl", "SSS")
    la3_school = Feed(CHILD, "la3-school", "school", "la3_secondary_school.jsonl", "STS")
    nursing = Feed(CHILD, "la2-school-nursing", "school_nursing", "school_nursing.jsonl", "SSN")
    ae = Feed(CHILD, "la2-hospital", "health_ae", "la2_hospital.jsonl", "SAE")
    camhs = Feed(CHILD, "la2-camhs", "camhs", "camhs.jsonl", "SCM")
    sarc = Feed(CHILD, "la2-sarc", "other", "sarc.jsonl", "SSR")
    housing = Feed(CHILD, "la2-housing", "housing", "housing.jsonl", "SHO")
    crc = Feed(CHILD, "crc", "probation", "community_rehabilitation.jsonl", "SCR")
    barnardos = Feed(CHILD, "barnardos", "voluntary_sector", "barnardos.jsonl", "SBA")
    help_ = Feed(CHILD, "la2-early-help", "early_help", "early_help.jsonl", "SEH")

    s = csc.person(
        "S1",
        "Sadie",
        "Whitcombe",
        birth="2003-03-02",
        sex="female",
        ethnicity="WBRI",
        nhs_no=NHS,
        upn_no=UPN,
        addresses=(HOME, COUSIN),
        child=True,
    )
    mum = csc.person(
        "M1", "Tracey", "Whitcombe", birth="1984-07-19", sex="female", addresses=(HOME,)
    )
    cousin = csc.person(
        "C1", "Jade", "Whitcombe", birth="1994-02-08", sex="female", addresses=(COUSIN,)
    )
    csc.relationship("1", mum, s, "parent")
    csc.relationship("2", cousin, s, "cousin")
    ps = police.person(
        "S1", "Sadie", "Whitcombe", birth="2003-03-02", sex="female", addresses=(HOME,), child=True
    )
    mum_p = police.person(
        "M1",
        "Tracey",
        "Whitcombe",
        birth="1984-07-19",
        sex="female",
        pnc="04/339817J",
        addresses=(HOME,),
    )
    police.relationship("1", mum_p, ps, "parent")
    force2.person(
        "S1",
        "Sadie",
        "Witcombe",
        birth="2003-03-02",
        sex="female",
        addresses=(LA3_FOSTER,),
        child=True,
    )
    primary.person(
        "S1", "Sadie", "Whitcombe", birth="2003-03-02", sex="female", upn_no=UPN, child=True
    )
    mum_s = primary.person("M1", "Tracey", "Whitcombe", sex="female")
    secondary.person(
        "S1",
        "Sadie",
        "Whitcombe",
        birth="2003-03-02",
        sex="female",
        upn_no=UPN,
        addresses=(HOME,),
        child=True,
    )
    mum_ss = secondary.person("M1", "Tracey", "Whitcombe", sex="female")
    la3_school.person(
        "S1", "Sadie", "Whitcombe", birth="2003-03-02", sex="female", upn_no=UPN, child=True
    )
    nursing.person(
        "S1", "Sadie", "Whitcombe", birth="2003-03-02", sex="female", nhs_no=NHS, child=True
    )
    ae.person(
        "S1",
        "Sadie",
        "Whitcombe",
        birth="2003-03-02",
        sex="female",
        nhs_no=NHS,
        addresses=(HOME,),
        child=True,
    )
    camhs.person(
        "S1", "Sadie", "Whitcombe", birth="2003-03-02", sex="female", nhs_no=NHS, child=True
    )
    sarc.person(
        "S1", "Sadie", "Whitcombe", birth="2003-03-02", sex="female", nhs_no=NHS, child=True
    )
    housing.person(
        "S1", "Sadie", "Whitcombe", birth="2003", sex="female", child=True, addresses=(HOME,)
    )
    mum_h = housing.person(
        "M1", "Tracey", "Whitcombe", birth="1984-07-19", sex="female", addresses=(HOME,)
    )
    crc.person("S1", "Sadie", "Whitcombe", sex="female", child=True)
    mum_c = crc.person(
        "M1", "Tracey", "Whitcombe", birth="1984-07-19", sex="female", pnc="04/339817J"
    )
    barnardos.person("S1", "Sadie", "Whitcombe", birth="2003-03-02", sex="female", child=True)
    help_.person(
        "S1", "Sadie", "Whitcombe", birth="2003-03-02", sex="female", upn_no=UPN, child=True
    )
    mum_e = help_.person("M1", "Tracey", "Whitcombe", birth="1984-07-19", sex="female")

    primary.involvement("1", "school", "Brookside Primary", "2007-09-05", "2014-07-22")
    secondary.involvement("1", "school", "Hollins Academy", "2014-09-03", "2015-08-13")
    la3_school.involvement("1", "school", "Stanbury High", "2015-09-07", "2015-12-18")
    nursing.involvement("1", "school_nursing", "School Nursing Hollins", "2013-06-12")
    help_.involvement("caf", "early_help", "Early Help Hollins", "2012-11-19", "2014-12-04")
    csc.involvement(
        "cin",
        "childrens_social_care",
        "Safeguarding Unit",
        "2014-12-04",
        "2015-05-17",
        practitioner=("Dan Whitley", "Social worker"),
        lead=True,
    )
    csc.involvement(
        "lac",
        "childrens_social_care",
        "Children Looked After Team",
        "2015-05-18",
        practitioner=("Priya Nandra", "Social worker"),
        lead=True,
    )
    barnardos.involvement("1", "voluntary_sector", "Barnardo's CSE service", "2015-06-22")

    # --- the early years, as the family told the looked-after social worker in 2015 ---------
    csc.entry(
        "bereavement",
        "2009",
        "Grandfather and uncle died; grandmother then missing for about a year.",
        rec="2015-06-10",
        grade="reported",
    )
    csc.entry(
        "change_of_residence",
        "2009",
        "Moved out of the family home with her mother (aged 6); care deteriorated from then.",
        rec="2015-06-10",
        grade="reported",
        also=((mum, "parent"),),
    )
    csc.entry(
        "parent_imprisoned",
        "2009",
        "Mother spent some time in prison.",
        rec="2015-06-10",
        grade="reported",
        also=((mum, "parent"),),
    )

    # --- housing's referrals; the CAF ---------------------------------------------------------
    housing.entry(
        "referral_made",
        "2010-03-15",
        "Child protection referral: mother shoplifting with Sadie (7) present; substance misuse.",
        also=((mum_h, "parent"),),
    )
    csc.entry("referral_accepted", "2010-03-16", "Referral from housing recorded.")
    csc.entry("case_closed", "2010-03-17", "No further action.")
    housing.entry(
        "referral_made",
        "2012-04-10",
        "Referral: poor home conditions, poor school attendance.",
        also=((mum_h, "parent"),),
    )
    housing.entry("neglect_indicator", "2012-04-10", "Flat in very poor condition; little food.")
    housing.entry(
        "referral_made",
        "2012-10-08",
        "Referral: rent arrears, risk of losing the home; child often out late.",
        also=((mum_h, "parent"),),
    )
    csc.entry(
        "assessment_completed",
        "2012-11-05",
        "Single assessment: proceed under the common assessment framework (CAF).",
    )
    help_.entry(
        "early_help_plan_start",
        "2012-11-19",
        "CAF opened; no lead professional agreed.",
        also=((mum_e, "parent"),),
    )
    crc.entry(
        "parent_offending",
        "2013-05-20",
        "Mother: suspended sentence for handling "
        "stolen goods; Building Skills for Recovery and supervision.",
        also=((mum_c, "parent"),),
    )
    nursing.entry(
        "concern_raised",
        "2013-06-12",
        "Concerns that Sadie may be at risk of "
        "sexual exploitation: sexual knowledge, missing from home, no protection "
        "from mother.",
        grade="professional_opinion",
    )
    for day in ("2013-09-20", "2013-12-06"):
        primary.entry(
            "attendance_low",
            day,
            "Attendance this term under 80%; staff collect her from home and give her breakfast.",
        )

    # --- 2014: concerns 1 to 9 ------------------------------------------------------------------
    csc.entry("meeting_cancelled", "2014-01-15", "CIN meeting cancelled by children's social care.")
    help_.entry(
        "multi_agency_meeting", "2014-02-04", "School and school nurse: described as a CAF meeting."
    )
    help_.entry(
        "multi_agency_meeting",
        "2014-02-26",
        "CIN/CAF meeting: wandering the streets "
        "late at night, low attendance, mother not engaging. Family support worker to "
        "talk to a social worker.",
    )
    primary.entry(
        "neglect_indicator", "2014-02-26", "Out on the streets late at night; attendance low."
    )
    crc.entry(
        "parent_imprisoned",
        "2014-03-10",
        "Mother remanded in custody; no arrangements made for Sadie's care.",
        also=((mum_c, "parent"),),
    )
    crc.entry(
        "referral_made",
        "2014-03-11",
        "Referral to children's social care: child left without care.",
    )
    csc.entry(
        "referral_accepted",
        "2014-03-11",
        "Referral from the rehabilitation company; placed with family members.",
    )
    csc.entry("allocation", "2014-03-12", "Allocated for a single assessment.")
    csc.entry(
        "assessment_completed",
        "2014-04-03",
        "Single assessment: no safeguarding "
        "concerns reported by agencies; poor attendance; mother not engaging with early "
        "help. School to monitor.",
    )
    csc.entry("case_closed", "2014-04-08", "Closed to children's social care.")
    primary.entry(
        "concern_raised",
        "2014-05-17",
        "Seen by an off-duty teacher shoplifting with her mother.",
        rec="2014-05-19",
        also=((mum_s, "parent"),),
    )
    primary.entry(
        "referral_made", "2014-05-19", "Rang the emergency duty team; told to inform the police."
    )
    csc.entry(
        "contact_received",
        "2014-05-19",
        "Emergency duty team: call from the primary "
        "school; advised to inform the police. No outcome recorded.",
    )
    primary.entry(
        "concern_raised",
        "2014-06-13",
        "Seen in a pub late at night.",
        rec="2014-06-16",
        grade="reported",
    )
    primary.entry(
        "referral_made",
        "2014-06-16",
        "Contact to the duty team; advised to speak to mother and the landlord.",
    )
    csc.entry(
        "contact_received",
        "2014-06-16",
        "Duty team: contact from the primary school "
        "(seen in a pub late at night). No further action recorded.",
    )
    police.entry(
        "missing_episode",
        "2014-07-05T21:30",
        "Reported missing by mother (first report).",
        ended=12,
        also=((mum_p, "parent"),),
    )
    police.entry("found_after_missing", "2014-07-06T09:30", "Returned home.")
    police.entry(
        "intelligence_received",
        "2014-07-08",
        "Sadie (11) seen repeatedly with "
        "older teenagers and young men, drinking in the park at night.",
        grade="intelligence",
        sensitivity="police_intelligence",
        intel=("2", "B", "P"),
    )
    primary.entry(
        "referral_made",
        "2014-07-14",
        "Child protection referral after discussion "
        "with the school nurse (pub, missing, older children).",
    )
    csc.entry("referral_accepted", "2014-07-15", "Referral from school.")
    csc.entry("allocation", "2014-07-16", "Allocated for a single assessment.")
    csc.entry(
        "assessment_completed",
        "2014-07-29",
        "Single assessment (school nursing asked, no other agency): no further action.",
    )
    police.entry("missing_episode", "2014-08-16T22:10", "Reported missing by mother.", ended=9)
    police.entry("found_after_missing", "2014-08-17T07:10", "Returned home.")
    nursing.entry("direct_work", "2014-09-10", "One-to-one keep-safe work (first session).")
    secondary.entry("school_start", "2014-09-03", "Started at Hollins Academy.")
    police.entry("missing_episode", "2014-09-27T21:45", "Reported missing by mother.", ended=6)
    police.entry("found_after_missing", "2014-09-28T03:45", "Found by officers in the town centre.")
    secondary.entry(
        "neglect_indicator",
        "2014-10-02",
        "Disclosed hunger; given food by teachers.",
        grade="reported",
    )
    police.entry(
        "police_incident",
        "2014-10-15T11:20",
        "Caught shoplifting food and clothes during school hours; no referral made.",
    )
    secondary.entry(
        "referral_made",
        "2014-10-16",
        "Referral to children's social care "
        "(hunger, shoplifting, attendance). No feedback received.",
    )
    csc.entry(
        "contact_received",
        "2014-10-16",
        "Contact from the secondary school (hunger, shoplifting, attendance). No outcome recorded.",
    )
    nursing.entry("appointment_missed", "2014-10-22", "Session cancelled: not in school.")
    police.entry("missing_episode", "2014-10-25T20:30", "Reported missing by mother.", ended=8)
    police.entry("found_after_missing", "2014-10-26T04:30", "Returned home.")
    secondary.entry(
        "attendance_low",
        "2014-11-07",
        "Attendance 66.7% this half term; arrives dishevelled and hungry.",
    )
    secondary.entry("neglect_indicator", "2014-11-07", "Given new shoes and uniform.")
    secondary.entry(
        "disclosure",
        "2014-11-13",
        "Distressed: disclosed neglect at home; "
        "'unclean and smells', shoes with holes; refused to go home.",
    )
    secondary.entry("referral_made", "2014-11-13", "Referral to children's social care.")
    csc.entry("mash_discussion", "2014-11-13", "MASH: team leader overview.", agency="mash")
    csc.entry(
        "home_visit",
        "2014-11-13",
        "Visit to mother: using amphetamines, struggling; Sadie returned home.",
        also=((mum, "parent"),),
    )
    csc.entry("strategy_discussion", "2014-11-14", "Strategy discussion at police request.")
    csc.entry(
        "s47_enquiry",
        "2014-11-20",
        "Section 47: home concerning but not at the 'level "
        "of neglect'; the school told the case will close.",
    )
    secondary.entry(
        "professional_consultation",
        "2014-11-21",
        "Head of year challenged the decision by phone; escalation policy not used.",
    )
    secondary.entry(
        "concern_raised",
        "2014-11-12",
        "Peers say Sadie goes off with older boys and men.",
        grade="reported",
    )
    police.entry(
        "ce_screening",
        "2014-11-19",
        "Specialist CSE team: low risk (peers would not "
        "speak to police); closed after a referral to Barnardo's.",
        grade="professional_opinion",
    )
    barnardos.entry("referral_accepted", "2014-11-24", "Referral for therapeutic work.")
    barnardos.entry("waiting_list", "2014-11-24", "On the waiting list.")
    ae.entry(
        "ae_attendance",
        "2014-11-25T13:10",
        "Said she took paracetamol (accidental "
        "overdose) at school; said her case was closed the day before. No CAMHS referral.",
        ended=5,
        sensitivity="health_confidential",
    )
    ae.entry(
        "overdose",
        "2014-11-25T13:10",
        "Paracetamol overdose (reported by the child).",
        sensitivity="health_confidential",
    )
    secondary.entry(
        "concern_raised",
        "2014-11-26",
        "Risk-taking increasing; worried about sexual exploitation.",
        grade="professional_opinion",
    )
    csc.entry("home_visit", "2014-11-27", "Visit: CSE concerns not substantiated.")

    # --- December 2014 to January 2015: CIN, then child protection ----------------------------
    secondary.entry(
        "physical_abuse",
        "2014-12-03",
        "Mother shouted at Sadie in school and hit her repeatedly on the arm.",
        also=((mum_ss, "perpetrator"),),
    )
    csc.entry(
        "home_visit",
        "2014-12-03",
        "Home conditions poor; Sadie to stay with her adult cousin.",
        also=((mum, "parent"),),
    )
    csc.entry(
        "change_of_residence", "2014-12-03", "Staying with her cousin.", also=((cousin, "other"),)
    )
    csc.entry(
        "cin_plan_start",
        "2014-12-04",
        "Child in need plan with school nursing and education; adult services not included.",
    )
    csc.entry("referral_made", "2014-12-04", "Second referral to the specialist CSE team.")
    police.entry(
        "ce_screening",
        "2014-12-10",
        "CSE team: low risk, no disclosure; closed.",
        grade="professional_opinion",
    )
    police.entry("missing_episode", "2014-12-14T20:00", "Missing from her cousin's home.", ended=16)
    police.entry(
        "found_after_missing", "2014-12-15T12:00", "Found and returned to her mother's home."
    )
    csc.entry(
        "concern_raised",
        "2014-12-15",
        "Cousin will not have her back: worried about her internet contact with older males.",
        grade="reported",
    )
    csc.entry("no_access_visit", "2014-12-17", "No answer at mother's flat.")
    csc.entry("no_access_visit", "2014-12-19", "No answer at mother's flat.")
    csc.entry("strategy_discussion", "2014-12-22", "Strategy meeting (requested a week before).")
    csc.entry("no_access_visit", "2014-12-30", "No answer.")
    csc.entry("meeting_cancelled", "2015-01-06", "CIN meeting cancelled: mother not co-operating.")
    secondary.entry("concern_raised", "2015-01-08", "Distressed about her mother's health.")
    csc.entry("home_visit", "2015-01-08", "Home worse; Sadie seen alone, feels safe with mother.")
    csc.entry(
        "voice_of_child_recorded",
        "2015-01-08",
        "Wants to stay with mum; knows she can go to her cousin's.",
    )
    csc.entry(
        "strategy_discussion",
        "2015-01-12",
        "Strategy meeting: proceed to a child protection conference.",
    )
    camhs.entry(
        "professional_consultation",
        "2015-01-20",
        "Consultation as part of the CIN plan: referral not indicated.",
        sensitivity="health_confidential",
    )
    csc.entry(
        "cp_conference",
        "2015-01-26",
        "Initial child protection conference.",
        also=((mum, "parent"),),
    )
    csc.entry("cp_plan_start", "2015-01-26", "Child protection plan: neglect.")
    for day in ("2015-02-05", "2015-03-09", "2015-04-13"):
        csc.entry("core_group", day, "Core group.")
    police.entry("missing_episode", "2015-02-21T21:15", "Reported missing by mother.", ended=11)
    police.entry("found_after_missing", "2015-02-22T08:15", "Returned home.")
    police.entry(
        "ce_screening", "2015-03-18", "CSE referral: low risk.", grade="professional_opinion"
    )
    police.entry("missing_episode", "2015-03-28T22:00", "Reported missing by mother.", ended=10)
    police.entry("found_after_missing", "2015-03-29T08:00", "Returned home.")
    police.entry(
        "intelligence_received",
        "2015-04",
        "Intelligence (from work with mother) that Sadie is drinking with older males.",
        rec="2015-04-24",
        grade="intelligence",
        sensitivity="police_intelligence",
        intel=("3", "C", "P"),
    )

    # --- 2015: looked after; missing from care --------------------------------------------------
    csc.entry("care_proceedings", "2015-05-11", "Interim care proceedings issued.")
    csc.entry("court_order", "2015-05-18", "Interim care order.")
    csc.entry("became_looked_after", "2015-05-18", "Looked after; placed with LA2 foster carers.")
    csc.entry("placement_move", "2015-05-18", "Foster placement (LA2).")
    police.entry(
        "ce_screening",
        "2015-05-27",
        "CSE referral: low risk; Barnardo's to be considered.",
        grade="professional_opinion",
    )
    police.entry(
        "missing_episode",
        "2015-06-13T19:40",
        "Missing overnight from foster care after her phone was taken away.",
        ended=15,
    )
    police.entry("found_after_missing", "2015-06-14T10:40", "Returned.")
    csc.entry(
        "return_interview",
        "2015-06-16",
        "Return interview: would not say where she was; agreed to work with Barnardo's.",
    )
    csc.entry("strategy_discussion", "2015-06-16", "Missing from care strategy meeting.")
    police.entry(
        "ce_screening", "2015-06-24", "CSE referral: low risk.", grade="professional_opinion"
    )
    barnardos.entry("referral_accepted", "2015-06-22", "Referral accepted; one-to-one work.")
    barnardos.entry("allocation", "2015-06-24", "Allocated to a CSE worker.")
    for left, hours in (("2015-07-04T20:10", 5), ("2015-07-11T21:30", 4)):
        police.entry("missing_episode", left, "Missing from foster care.", ended=hours)
        csc.entry(
            "return_interview", left[:8] + f"{int(left[8:10]) + 2:02d}", "Return interview held."
        )
    secondary.entry(
        "school_exclusion",
        "2015-07-13",
        "Fixed-term exclusion (2 days) after hitting another pupil.",
    )
    police.entry(
        "missing_episode",
        "2015-07-15T15:20",
        "Went missing on a shopping trip.",
        ended="2015-07-16T11:00",
    )
    police.entry(
        "found_after_missing", "2015-07-16T11:00", "Found in LA1 after intelligence from a peer."
    )
    police.entry(
        "intelligence_received",
        "2015-07-16",
        "Intelligence that she spent the night in a hotel drinking and taking drugs with adults.",
        grade="intelligence",
        sensitivity="police_intelligence",
        intel=("2", "B", "P"),
    )
    police.entry("police_investigation", "2015-07-20", "Hotel CCTV examined for offences.")
    sarc.entry(
        "mental_health_assessment",
        "2015-07-16",
        "SARC: seen by a community "
        "paediatrician; not at risk of self-harm; distress about the placement move. "
        "Smoking-cessation advice. Not examined.",
        sensitivity="health_confidential",
    )
    csc.entry("return_interview", "2015-07-17", "Return interview: said she stayed with a friend.")
    csc.entry("strategy_discussion", "2015-07-17", "Missing from care strategy meeting.")
    csc.entry("referral_made", "2015-07-21", "Further referral to Barnardo's for support.")
    csc.entry(
        "multi_agency_meeting",
        "2015-08-03",
        "Meeting with the family: harbouring; "
        "child abduction notices if the agreement is breached; confirmed by letter.",
        also=((mum, "parent"),),
    )
    police.entry(
        "missing_episode",
        "2015-08-07T14:30",
        "Missing during a GP visit with her mother; two nights.",
        ended="2015-08-09T16:00",
    )
    police.entry(
        "found_after_missing",
        "2015-08-09T16:00",
        "Returned; pictures online with alcohol, mentions of 'magic'.",
    )
    csc.entry(
        "return_interview",
        "2015-08-10",
        "Return interview: anxious; worried she has her mother's mental health problems.",
    )
    police.entry("missing_episode", "2015-08-12T18:00", "Missing again.", ended="2015-08-13T13:00")
    police.entry(
        "police_protection", "2015-08-13T15:00", "Taken to the police station; police protection."
    )
    csc.entry("placement_move", "2015-08-13", "Bridging foster placement (LA1).")
    csc.entry(
        "placement_move", "2015-08-14", "Experienced foster carers in LA3, about 80 miles away."
    )
    csc.entry("court_order", "2015-08-24", "Section 34 order: direct family contact suspended.")
    la3_school.entry("school_start", "2015-09-07", "Started at Stanbury High; support plan.")
    la3_school.entry(
        "missing_episode",
        "2015-09-22T09:00",
        "Did not arrive in class; took a taxi towards LA2; returned the same day.",
        ended=7,
    )
    csc.entry("return_interview", "2015-09-23", "Return interview held.")
    force2.entry(
        "sexual_assault_victim",
        "2015",
        "Disclosed that she was raped early in 2015 by a 14-year-old.",
        rec="2015-10-12",
        sensitivity="not_for_family_disclosure",
    )
    force2.entry(
        "police_investigation", "2015-10-12", "Investigation opened (alleged perpetrator a child)."
    )
    csc.entry("court_order", "2015-10-19", "Full care order.")
    la3_school.entry(
        "concern_raised",
        "2015-11-16",
        "Intelligence that she plans to go missing; has borrowed money.",
        grade="reported",
    )
    force2.entry(
        "missing_episode",
        "2015-11-19T09:10",
        "Missing from school with another vulnerable child; appeal on social media.",
        ended="2015-11-22T17:00",
    )
    police.entry(
        "found_after_missing",
        "2015-11-22T17:00",
        "Recovered in LA1 (reported missing by another force).",
    )
    csc.entry("court_order", "2015-11-23", "Recovery order (family thought to be harbouring her).")
    csc.entry("return_interview", "2015-11-24", "Return interview held.")
    csc.entry(
        "multi_agency_meeting",
        "2015-12-02",
        "Placement planning: specialist residential placement nearer home; being educated at home.",
    )
    csc.entry(
        "multi_agency_meeting",
        "2015-12-10",
        "Legal planning: High Court orders for restrictions considered.",
    )
    csc.entry("placement_move", "2015-12-21", "Out-of-area specialist residential placement (LA6).")
    police.entry(
        "missing_episode",
        "2015-12-23T16:00",
        "Missing from the LA6 placement.",
        ended="2016-01-02T11:00",
    )
    police.entry(
        "found_after_missing",
        "2016-01-02T11:00",
        "Found after 10 days; missing again the same day.",
    )
    police.entry(
        "missing_episode",
        "2016-01-02T19:00",
        "Missing again from the LA6 placement; national alert and media appeal.",
        ended="2016-01-10T14:00",
    )
    police.entry("found_after_missing", "2016-01-10T14:00", "Found after 8 days.")
    csc.entry(
        "ce_screening",
        "2016-01-12",
        "Assessed as a child sexual exploitation incident: "
        "known risks, intelligence about the adults, a male who knew she was missing.",
        grade="professional_opinion",
    )
    csc.entry(
        "multi_agency_meeting",
        "2016-01-11",
        "Legal planning meeting: residential with safeguards preferred to secure accommodation.",
    )
    csc.entry("placement_move", "2016-01-13", "Specialist residential unit (LA4), 2:1 supervision.")
    return [
        csc,
        police,
        force2,
        primary,
        secondary,
        la3_school,
        nursing,
        ae,
        camhs,
        sarc,
        housing,
        crc,
        barnardos,
        help_,
    ]
