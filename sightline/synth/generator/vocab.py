"""The controlled vocabulary of the sightline/1 exchange format (DESIGN.md), as plain constants.

The generator only ever writes values from these sets; the tests check every line against them."""

from __future__ import annotations

FORMAT = "sightline/1"

AGENCIES = frozenset(
    {
        "childrens_social_care",
        "early_help",
        "police",
        "police_other_force",
        "health_ae",
        "health_gp",
        "camhs",
        "school_nursing",
        "school",
        "alternative_provision",
        "pru",
        "local_authority_education",
        "youth_justice",
        "substance_misuse_service",
        "child_exploitation_team",
        "mash",
        "mace",
        "nrm_home_office",
        "probation",
        "housing",
        "residential_care",
        "foster_care",
        "voluntary_sector",
        "other",
    }
)

ENTRY_TYPES = frozenset(
    [
        "missing_episode",
        "found_after_missing",
        "return_interview",
        "police_incident",
        "arrest",
        "arrest_out_of_area",
        "knife_incident",
        "assault_victim",
        "sexual_assault_victim",
        "intelligence_received",
        "released_under_investigation",
        "out_of_court_disposal",
        "conviction",
        "offender_disruption",
        "overdose",
        "self_harm",
        "suicidal_ideation",
        "suicide_attempt",
        "ae_attendance",
        "gp_attendance",
        "hospital_discharge",
        "mental_health_assessment",
        "drug_use_disclosed",
        "domestic_abuse",
        "physical_abuse",
        "neglect_indicator",
        "disclosure",
        "concern_raised",
        "bereavement",
        "referral_made",
        "referral_accepted",
        "referral_rejected",
        "allocation",
        "assessment_completed",
        "strategy_discussion",
        "s47_enquiry",
        "cin_plan_start",
        "cin_review",
        "cp_conference",
        "cp_plan_start",
        "cp_plan_end",
        "core_group",
        "became_looked_after",
        "placement_move",
        "lac_review",
        "care_proceedings",
        "court_order",
        "police_protection",
        "early_help_plan_start",
        "case_closed",
        "step_down",
        "step_up_requested",
        "step_up_refused",
        "threshold_discussion",
        "mash_discussion",
        "mace_discussion",
        "ce_screening",
        "nrm_referral",
        "nrm_decision",
        "school_start",
        "school_exclusion",
        "attendance_low",
        "attendance_summary",
        "not_in_education",
        "education_roll_change",
        "ehcp_issued",
        "ehcp_review",
        "alternative_provision_start",
        "home_visit",
        "no_access_visit",
        "appointment_missed",
        "appointment_cancelled_by_family",
        "appointment_cancelled",
        "disengagement",
        "voice_of_child_recorded",
        "direct_work",
        "information_shared",
        "change_of_residence",
        "parent_imprisoned",
        "parent_offending",
        "birth",
        "death",
        "police_investigation",
        "crime_recorded",
        "offender_arrested",
        "offender_charged",
        "offender_convicted",
        "multi_agency_meeting",
        "meeting_cancelled",
        "professional_consultation",
        "physical_restraint",
        "waiting_list",
        "practical_support",
        "education_ended",
        "ehcp_amended",
        "school_place_declined",
        "critical_moment",
        "other",
    ]
)

PRECISIONS = ("year", "season", "month", "day")
ROLES = frozenset(
    {"subject", "parent", "sibling", "perpetrator", "victim", "witness", "associate", "other"}
)
GRADES = frozenset({"fact", "professional_opinion", "reported", "intelligence"})
SENSITIVITIES = frozenset(
    {
        "standard",
        "health_confidential",
        "police_intelligence",
        "not_for_family_disclosure",
        "informant_protected",
    }
)
RELATIONSHIP_TYPES = frozenset(
    {
        "parent",
        "child",
        "sibling",
        "half_sibling",
        "step_parent",
        "carer",
        "grandparent",
        "partner",
        "peer",
        "associate",
        "suspected_exploiter",
        "other",
    }
)
SEXES = frozenset({"male", "female", "unknown"})
ETHNICITIES = frozenset(
    [
        "WBRI",
        "WIRI",
        "WOTH",
        "WIRT",
        "WROM",
        "MWBC",
        "MWBA",
        "MWAS",
        "MOTH",
        "AIND",
        "APKN",
        "ABAN",
        "AOTH",
        "BCRB",
        "BAFR",
        "BOTH",
        "CHNE",
        "OOTH",
        "REFU",
        "NOBT",
    ]
)

# Feed (source system) -> the agency that holds it. Order matters: a person's first record (the
# clean one) is the one in the earliest feed of this list that holds them.
SOURCES: dict[str, str] = {
    "health_gp": "health_gp",
    "schools": "school",
    "health_ae": "health_ae",
    "csc": "childrens_social_care",
    "early_help": "early_help",
    "school_nursing": "school_nursing",
    "camhs": "camhs",
    "police": "police",
    "youth_justice": "youth_justice",
    "child_exploitation_team": "child_exploitation_team",
}
SOURCE_ORDER = {name: i for i, name in enumerate(SOURCES)}
CSV_SOURCES = frozenset({"schools"})

# Email domains for practitioners, per agency (example.org is reserved for documentation).
EMAIL_DOMAINS = {
    "childrens_social_care": "csc.example.org",
    "early_help": "earlyhelp.example.org",
    "police": "police.example.org",
    "health_ae": "hospital.example.org",
    "health_gp": "gp.example.org",
    "camhs": "camhs.example.org",
    "school_nursing": "schoolnursing.example.org",
    "school": "schools.example.org",
    "youth_justice": "yjs.example.org",
    "child_exploitation_team": "cet.example.org",
}

PERSON_COLUMNS = (
    "format",
    "kind",
    "source",
    "source_id",
    "agency",
    "given_names",
    "family_name",
    "other_names",
    "birth_date",
    "sex",
    "ethnicity",
    "identifiers.nhs_number",
    "identifiers.upn",
    "identifiers.pnc_id",
    "identifiers.local_id",
    "addresses",
)
ENTRY_COLUMNS = (
    "format",
    "kind",
    "source",
    "source_id",
    "agency",
    "type",
    "occurred_at",
    "precision",
    "ended_at",
    "recorded_at",
    "subjects",
    "summary",
    "detail",
    "grade",
    "sensitivity",
    "intelligence_grade.system",
    "intelligence_grade.source",
    "intelligence_grade.assessment",
    "intelligence_grade.handling",
    "location.postcode",
    "location.label",
)
INVOLVEMENT_COLUMNS = (
    "format",
    "kind",
    "source",
    "source_id",
    "person",
    "agency",
    "team",
    "practitioner.name",
    "practitioner.role",
    "practitioner.email",
    "practitioner.phone",
    "is_lead",
    "from",
    "to",
)
RELATIONSHIP_COLUMNS = (
    "format",
    "kind",
    "source",
    "source_id",
    "from",
    "to",
    "type",
    "from_date",
    "to_date",
)
# List-valued fields travel as a JSON array in one CSV cell.
CSV_LIST_FIELDS = frozenset({"other_names", "addresses", "subjects"})

TRAJECTORIES = (
    "criminal_exploitation",
    "neglect_to_cse_in_care",
    "rejected_referrals",
    "non_engaging_family",
    "sibling_exposure",
)
LONG_HISTORY = "long_history"
