"""Summary sentences, as practitioners write them in chronologies. One key per situation; each
has a few phrasings. Placeholders: {name} (the child's first name), {he}/{his}/{him} and the
capitalised {He}/{His}, plus whatever the caller passes ({mother}, {school}, {town}, ...)."""

from __future__ import annotations

import random

from sightline.synth.generator.model import Person

T: dict[str, tuple[str, ...]] = {
    # -- GP and health --------------------------------------------------------------------
    "gp_baby": (
        "Six to eight week baby check completed; {name} feeding and growing well.",
        "Seen for routine immunisations; given as scheduled.",
        "Brought by {mother} with nappy rash; advice and cream prescribed.",
        "Seen with cough and fever; viral illness, safety-netting advice given.",
        "Reviewed for reflux; reassurance given to {mother}.",
    ),
    "gp_child": (
        "Seen with earache; otitis media, antibiotics prescribed.",
        "Seen with sore throat and temperature; viral, advice given.",
        "Reviewed for eczema flare; emollients prescribed.",
        "Asthma review: inhaler technique checked, plan updated.",
        "Seen with abdominal pain; no red flags, reviewed with {mother}.",
        "Seen for a rash; likely viral, safety-netting advice given.",
        "Pre-school booster immunisations given.",
        "Seen with head lice and itchy scalp; treatment advised.",
    ),
    "gp_teen": (
        "Seen alone for low mood and poor sleep; signposted to school counsellor.",
        "Seen with acne; topical treatment prescribed.",
        "Seen with sports injury to ankle; sprain, rest and analgesia advised.",
        "Reviewed for headaches; eyesight check advised.",
        "Seen with anxiety about exams; self-help resources given.",
    ),
    "gp_missed": (
        "{name} was not brought to the booked immunisation appointment.",
        "Was not brought to asthma review; letter sent to {mother}.",
        "Did not attend follow-up appointment; second invitation sent.",
        "Was not brought to hearing test appointment; third missed appointment this year.",
    ),
    "gp_concern": (
        "GP concerned about {name}'s weight loss and unkempt presentation; liaised with health visitor.",
        "{mother} appeared under the influence of alcohol at appointment; GP discussed with safeguarding lead.",
        "Bruise to {name}'s upper arm noted at appointment; explanation from {mother} consistent.",
    ),
    # -- A&E ------------------------------------------------------------------------------
    "ae_injury": (
        "Attended with laceration to forehead after fall at home; wound glued, discharged.",
        "Attended after fall from trampoline; X-ray showed no fracture, discharged with advice.",
        "Attended with suspected fracture of left wrist after fall from bike; cast applied, fracture clinic.",
        "Attended with burn to hand from hot drink; dressed, discharged with follow-up.",
        "Attended after swallowing a small battery; observed, discharged.",
        "Attended with head injury after fall from climbing frame; observed, no concerns.",
        "Attended with sprained ankle from football; discharged with advice.",
    ),
    "ae_illness": (
        "Attended with breathing difficulty; treated for asthma exacerbation, discharged.",
        "Brought by ambulance with febrile convulsion; observed overnight.",
        "Attended with vomiting and dehydration; oral fluids, discharged.",
        "Attended with abdominal pain; surgical review, discharged.",
        "Attended with allergic reaction to nuts; antihistamine given, discharged.",
    ),
    "ae_teen_injury": (
        "Attended with hand injury after punching a wall; fracture of fifth metacarpal.",
        "Attended after being assaulted in town centre; facial bruising, no fracture.",
        "Attended intoxicated with alcohol, brought by friends; observed and discharged to {mother}.",
    ),
    "ae_self_harm": (
        "Attended after cutting left forearm; wounds closed, seen by CAMHS liaison before discharge.",
        "Attended after taking an overdose of paracetamol; treated and admitted to paediatric ward.",
        "Brought by police after being found on a bridge expressing suicidal thoughts; CAMHS liaison assessment.",
    ),
    # -- School ---------------------------------------------------------------------------
    "school_start": (
        "Started in Reception at {school}.",
        "Joined {school} in Reception.",
    ),
    "school_start_secondary": (
        "Transferred to {school} for Year 7.",
        "Started Year 7 at {school}.",
    ),
    "school_roll_change": (
        "Left {old_school} following house move; new school {school}.",
        "Removed from roll of {old_school}; joined {school}.",
    ),
    "attendance_summary": (
        "Attendance for {year}: {pct}%.",
        "Annual attendance {year}: {pct}% ({sessions} sessions missed).",
    ),
    "attendance_low": (
        "Attendance {pct}% in {year}; persistent absence letter sent to {mother}.",
        "Attendance has fallen to {pct}%; attendance officer meeting arranged with family.",
    ),
    "school_concern": (
        "Class teacher raised concern: {name} arrived hungry and in the same uniform all week.",
        "{name} told a teaching assistant that there was shouting at home last night.",
        "{name} appeared tired and withdrawn; DSL spoke with {mother} at collection.",
        "Concern logged on school safeguarding system: unexplained bruise to {name}'s arm.",
        "{name} late every day this week; no adult at collection on two occasions.",
        "{name} disclosed being worried about {his} mum's drinking; DSL informed.",
    ),
    "school_concern_teen": (
        "Head of year concerned about {name}'s new older friends waiting at the school gates.",
        "{name} seen with a new phone and expensive trainers; DSL aware.",
        "{name} involved in a fight on the school field; parents contacted.",
        "{name} left school site without permission at lunchtime.",
        "Staff concerned that {name} appears withdrawn and tired in lessons.",
    ),
    "exclusion_fixed": (
        "Suspended for {days} days for persistent disruptive behaviour.",
        "Fixed-term exclusion, {days} days, for verbal abuse towards staff.",
        "Suspended for {days} days after fight with another pupil.",
    ),
    "exclusion_permanent": (
        "Permanently excluded from {school} after being found with a bladed article on site.",
        "Permanently excluded from {school} following assault on another pupil.",
    ),
    "restraint": (
        "Physical intervention used to remove {name} from corridor during an incident; parents informed.",
    ),
    # -- Early help -----------------------------------------------------------------------
    "eh_request_school": (
        "Early help request from {school}: family struggling with routines and attendance.",
        "School asked for early help support for {name} and family.",
    ),
    "eh_request_health": (
        "Health visitor requested early help: {mother} isolated and struggling with routines.",
        "GP requested early help support for the family.",
    ),
    "eh_plan": (
        "Early help assessment completed with family; plan agreed around routines and school attendance.",
        "Team around the family established; early help plan started with {mother}'s consent.",
    ),
    "eh_visit": (
        "Home visit by family support worker; {mother} engaged, routines discussed.",
        "Home visit: home conditions adequate, children presented well.",
        "Home visit: {mother} reported struggling with bedtimes; parenting strategies shared.",
        "Home visit: discussed school attendance and morning routine with {mother}.",
    ),
    "eh_direct": (
        "Direct work session with {name} about feelings and worries.",
        "Completed 'three houses' exercise with {name}.",
    ),
    "eh_taf": (
        "Team around the family meeting; school, health visitor and family attended.",
        "TAF review: progress on attendance noted, plan updated.",
    ),
    "eh_close": (
        "Early help plan closed; outcomes achieved.",
        "Case closed to early help: family feel supported, no further needs identified.",
    ),
    # -- Children's social care -----------------------------------------------------------
    "referral_police_da": (
        "Domestic abuse notification shared with Children's Front Door; children present.",
        "Police referral following domestic incident at the home address.",
    ),
    "referral_school": (
        "Referral to Children's Front Door from {school} about neglect concerns.",
        "School DSL referred concerns about {name}'s presentation and home conditions.",
    ),
    "referral_health": (
        "Health visitor referral to Children's Front Door about home conditions.",
        "GP referral: concerns about parental mental health and children's care.",
    ),
    "mash": (
        "MASH discussion: information gathered from police, health and school.",
        "Multi-agency screening completed; threshold for assessment met.",
    ),
    "referral_accepted": (
        "Referral accepted for child and family assessment.",
        "Contact progressed to referral; allocated for assessment.",
    ),
    "allocation": (
        "Allocated to {worker} ({team}).",
        "Case allocated to social worker {worker}.",
    ),
    "assessment": (
        "Child and family assessment completed; outcome: child in need plan.",
        "Assessment completed: needs identified around parenting capacity and home conditions.",
        "Single assessment concluded; recommended continued support under section 17.",
    ),
    "assessment_nfa": (
        "Assessment completed: no further action, signposted to universal services.",
        "Assessment concluded; step down to early help recommended.",
    ),
    "cin_start": ("Child in need plan started.", "Section 17 child in need plan agreed."),
    "cin_review": (
        "Child in need review meeting; plan continues.",
        "CIN review: some progress, actions updated.",
    ),
    "sw_visit": (
        "Home visit by social worker; {name} seen and spoken with alone.",
        "Statutory visit completed; home conditions had improved.",
        "Home visit: {mother} engaged; discussed the plan and school attendance.",
        "Home visit: house cluttered, little food in fridge; discussed with {mother}.",
        "Visit: {name} seen in bedroom, said things at home are 'okay'.",
    ),
    "voice": (
        "{name}'s wishes and feelings recorded: wants to stay at home and for the arguing to stop.",
        "{name} said {he} likes school and {his} best friend; worried about {his} mum.",
    ),
    "strategy": (
        "Strategy discussion with police and health; section 47 enquiry agreed.",
        "Strategy meeting held; single-agency s47 enquiry by children's social care.",
    ),
    "s47": (
        "Section 47 enquiry completed; concerns substantiated, ICPC to be convened.",
        "Section 47 enquiry concluded; child at continuing risk of significant harm.",
    ),
    "icpc": (
        "Initial child protection conference: plan under the category of {category}.",
        "ICPC held; {name} made subject of a child protection plan ({category}).",
    ),
    "rcpc": (
        "Review child protection conference; plan to continue.",
        "Review conference: progress limited, plan continues.",
    ),
    "cp_start": ("Child protection plan started, category {category}.",),
    "cp_end": ("Child protection plan ended; step down to child in need.",),
    "core_group": (
        "Core group meeting; actions reviewed with family and professionals.",
        "Core group: school and health visitor updated; plan actions reviewed.",
    ),
    "case_closed_csc": (
        "Case closed to children's social care; step down to universal services.",
        "Case closure: plan outcomes met.",
    ),
    "step_down": ("Stepped down to early help.", "Step-down to early help agreed at CIN review."),
    # -- Police ---------------------------------------------------------------------------
    "police_da": (
        "Police attended the home address following a verbal argument between adults; children present.",
        "Domestic incident: {mother} reported being pushed by {partner}; DASH risk assessed as medium.",
        "Report of shouting at the address from neighbours; officers attended, children asleep upstairs.",
        "Domestic incident: {partner} arrested for assault; children witnessed the incident.",
    ),
    "police_teen": (
        "Involved in antisocial behaviour in {town} town centre; words of advice given.",
        "Stopped and searched in {town} park; nothing found.",
        "Reported for shoplifting from a supermarket in {town}; community resolution.",
        "Part of a group causing damage to a bus shelter; parents informed.",
    ),
    "arrest_teen": (
        "Arrested for criminal damage; interviewed with appropriate adult.",
        "Arrested for theft from a vehicle; released pending investigation.",
        "Arrested for assault on another young person; released under investigation.",
    ),
    "ooc": (
        "Youth conditional caution issued for theft.",
        "Community resolution agreed for criminal damage.",
        "Outcome 22: deferred prosecution, referred to youth justice service.",
    ),
    "missing_once": (
        "Reported missing by {mother} after not returning home; found at a friend's house the next morning.",
        "Reported missing; returned home by 23:30 of own accord.",
    ),
    "found_once": ("Located safe and well at a friend's address in {town}.",),
    "parent_offending": (
        "{partner} arrested for possession with intent to supply; children at the address.",
        "{partner} remanded in custody; family informed.",
    ),
    # -- CAMHS / school nursing / YJS ------------------------------------------------------
    "camhs_referral": (
        "Referral to CAMHS from GP: low mood and self-harm thoughts.",
        "School referral to CAMHS for anxiety affecting attendance.",
    ),
    "camhs_wait": ("Accepted onto CAMHS waiting list; estimated wait {weeks} weeks.",),
    "camhs_assessment": (
        "CAMHS choice appointment: low mood, anxiety; treatment offered.",
        "Mental health assessment completed; CBT-based intervention recommended.",
    ),
    "camhs_session": (
        "CAMHS treatment session; {name} engaged well.",
        "CAMHS session: worked on coping strategies for anxiety.",
    ),
    "camhs_dna": ("Did not attend CAMHS appointment; no contact from family.",),
    "camhs_close": (
        "Discharged from CAMHS: goals met.",
        "Discharged from CAMHS following non-attendance.",
    ),
    "sn_reception": (
        "Reception health review: height, weight, hearing and vision screened.",
        "School entry health review completed; immunisations up to date.",
    ),
    "sn_y6": (
        "Year 6 National Child Measurement Programme completed.",
        "Year 6 height and weight measured; results letter sent home.",
    ),
    "sn_dropin": (
        "School nurse drop-in: {name} asked for advice about sleep.",
        "School nurse drop-in: {name} talked about worries with friendships.",
        "School nurse drop-in: advice on healthy eating and exercise.",
    ),
    "yjs_start": ("Allocated to youth justice officer for out-of-court disposal work.",),
    "yjs_session": (
        "YJS session with {name}: victim awareness work.",
        "YJS session: reparation activity completed.",
        "YJS session: consequential thinking work.",
    ),
    "yjs_close": ("Out-of-court disposal intervention completed; case closed.",),
    # -- Long histories (extra contact types) ---------------------------------------------
    "phone_contact": (
        "Telephone call with {mother}; discussed the week and upcoming appointments.",
        "Call from school: {name} not in today, no reason given.",
        "Information shared with health about missed appointments.",
        "Professional consultation with team manager about drift in the plan.",
    ),
}

_CAPS = {"He": "he", "His": "his", "Him": "him"}


def say(rng: random.Random, key: str, child: Person | None = None, **kw: object) -> str:
    template = rng.choice(T[key])
    if child is not None:
        values: dict[str, object] = {
            "name": child.given,
            "he": child.he,
            "his": child.his,
            "him": child.him,
            "He": child.he.capitalize(),
            "His": child.his.capitalize(),
        }
        values.update(kw)
    else:
        values = dict(kw)
    text = template.format_map(values)
    return text[0].upper() + text[1:]
