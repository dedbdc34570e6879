# SPDX-License-Identifier: MIT
"""The whole Ibaraki FY2022 policy (policies/ibaraki/2022.yaml) written by hand in plain Python.

The baseline for benchmarks/full_policy.py: what a programmer would write for facilities whose
facts are all known (an application form filled in). No unknowns, no explanations, no checks:
the fastest honest version of the same rules. full_policy.py checks that it gives exactly
yoko's public results for every facility before timing either.
"""
from __future__ import annotations

import calendar
import datetime

_SECONDARY_OR_TERTIARY = ("secondary", "tertiary")
_PERINATAL = ("comprehensive", "regional")
_PLAN_ITEMS = ("a", "b", "c", "d", "e", "f", "g")
_REPORT_FINAL = datetime.date(2023, 3, 31)


def _years_end(d: datetime.date, n: int) -> datetime.date:
    """Last day of n years after the day d (民法140/143): counted from the next day, ending the day
    before the corresponding day, or at the end of the month when it has none."""
    first = d + datetime.timedelta(days=1)
    y = first.year + n
    last = calendar.monthrange(y, first.month)[1]
    if first.day > last:
        return datetime.date(y, first.month, last)
    return datetime.date(y, first.month, first.day) - datetime.timedelta(days=1)


def evaluate(f: dict) -> dict:
    """The public results of one facility (all facts known)."""
    special = f["emergency_tier"] in _SECONDARY_OR_TERTIARY
    at = f["ambulance_transports"]
    g1 = special and 1000 <= at < 2000
    g2a = special and at < 1000 and f["off_hours_admissions"] >= 500
    g2b = at < 1000 and ((special and f["sole_emergency_hospital_in_area"]) or f["prefecture_recognized_core_hospital"])
    acute = f["has_acute_ward"]
    peri = f["perinatal_center"] in _PERINATAL and acute
    ped = f["pediatric_emergency_hospital"]
    psy = f["psychiatric_emergency_facility"] and f["psychiatric_emergency_admissions"] >= 12
    g3a = peri or ped or psy
    stroke = f["super_acute_stroke_claims"] >= 25
    ami = f["acute_mi_treatments"] >= 60
    cancer = f["advanced_cancer_center"] and acute
    transplant = f["advanced_transplant_care"]
    child = f["child_psychiatry_hospital"]
    g3b = stroke or ami or cancer or transplant or child
    g4 = f["home_care_support"] == "enhanced_single"
    basis = [i for i, held in (("1", g1), ("2a", g2a), ("2b", g2b), ("3a", g3a), ("3b", g3b), ("4", g4)) if held]
    excluded = f["has_regional_care_system_addon"]
    considered = f["plan_items_considered"]
    if f["plans_level_b"]:
        hours_ok = f["target_hours_level_b"] <= 1860 and f["target_hours_other"] <= 960
    else:
        hours_ok = f["target_hours_other"] <= 960
    requirements = (f["responsible_person_assigned"] and f["employs_doctors_over_80h"]
                    and f["agreement_cap_over_960h"]
                    and f["committee_established"] and f["plan_created"]
                    and all(x in considered for x in _PLAN_ITEMS) and hours_ok
                    and f["measures_posted"])
    eligible = bool(basis) and not excluded and requirements
    if eligible:
        psych_only = (psy or child) and not (g1 or g2a or g2b or peri or ped or stroke or ami or cancer
                                             or transplant or g4)
        beds = f["max_used_psychiatric_beds"] if psych_only else f["max_used_beds"]
        cap = max(beds, 20) * 133000
        dc, na = f["has_doctor_clerk_addon"], f["has_nursing_assistant_addon"]
        costs = sum(e["amount"] for e in f["expenses"]
                    if not (e["covered_by"] == "doctor_clerk" and dc)
                    and not (e["covered_by"] == "nursing_assistant" and na) and not e["other_subsidy"])
        grant = min(3 * cap, 2 * costs) // 3000 * 1000  # floor(min(cap, 2/3 costs) / 1000) * 1000
    else:
        grant = 0
    done = f["completion_date"]
    due = done + datetime.timedelta(days=29)
    planned = f["planned_total_cost"]
    return {
        "basis": basis,
        "excluded": excluded,
        "requirements_met": requirements,
        "eligible": eligible,
        "grant_amount": grant,
        "withdrawal_deadline": f["decision_notice_received_on"] + datetime.timedelta(days=14),
        "report_due": due if due < _REPORT_FINAL else _REPORT_FINAL,
        "advance_payment_max": f["decided_amount"] * 4 // 5,
        "change_approval_required": 5 * abs(f["actual_total_cost"] - planned) > planned,
        "records_kept_until": _years_end(done, 5),
    }
