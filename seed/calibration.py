"""Target figures the synthetic country is calibrated to (see ../shared/DESIGN.md).

Figures marked *assumed* are not in the briefing or the public statistics; they are plausible
choices, kept here so that a reviewer can change them in one place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# A fixed "today": the same --seed must give the same database, whatever the clock says.
AS_OF = dt.date(2026, 10, 31)
ONLINE_APPROVAL_START = dt.date(2017, 4, 1)
CERTIFICATE_VALIDITY_YEARS = 3
HISTORY_START = dt.date(2012, 1, 1)  # oldest certificate cycle still in the registry (*assumed*)
CAMPAIGN_YEARS = tuple(range(2017, 2027))

# Valid certificates by scheme, 2024-12 column of DESIGN.md; FOREST and SPCA are *assumed* small lines.
# SVC is the service-certification total minus the bank-branch line (drawn separately, see BANK_*).
SCHEME_CERTIFICATES_2024: dict[str, int] = {
    "QMS": 973_353,
    "EMS": 536_804,
    "OHSMS": 486_496,
    "ISMS": 46_016,
    "ITSMS": 23_251,
    "EnMS": 23_856,
    "MMS": 5_344,
    "FOREST": 3_000,
    "SVC": 77_104 - 4_000,
    "SPCA": 400,
}
# Bank-branch service certificates: 971 valid in 2017 (briefing); *assumed* ~4,000 rows nationally now.
BANK_CERTIFICATES_NATIONAL = 4_000
BANK_CERTIFICATES_2017 = 971
# Provinces leading the bank-branch line (briefing: Fujian, Zhejiang, Xinjiang, Beijing), as weights.
BANK_PROVINCE_WEIGHTS: dict[str, float] = {"350000": 24, "330000": 18, "650000": 13, "110000": 11}
BANK_OTHER_PROVINCE_WEIGHT = 1.2

# Share of all certificates by province (2024-12: GD 743,616, ZJ 553,393, JS 537,498, SD 288,359 of
# 4,158,266); the other 27 provinces are *assumed* weights roughly following economic size.
PROVINCE_CERTIFICATE_WEIGHTS: dict[str, float] = {
    "440000": 17.9,
    "330000": 13.3,
    "320000": 12.9,
    "370000": 6.9,
    "310000": 5.1,
    "110000": 4.6,
    "350000": 4.0,
    "410000": 3.9,
    "340000": 3.5,
    "420000": 3.3,
    "510000": 3.2,
    "130000": 2.9,
    "430000": 2.5,
    "210000": 1.9,
    "120000": 1.8,
    "500000": 1.5,
    "610000": 1.5,
    "360000": 1.5,
    "450000": 1.1,
    "530000": 1.0,
    "140000": 1.0,
    "520000": 0.8,
    "220000": 0.7,
    "230000": 0.7,
    "150000": 0.7,
    "650000": 0.7,
    "620000": 0.4,
    "460000": 0.3,
    "640000": 0.2,
    "630000": 0.1,
    "540000": 0.05,
}
TOP3_PROVINCES = ("440000", "330000", "320000")
TOP3_SHARE = 0.45

# Where certification bodies are registered (*assumed*: Beijing hosts the most).
PROVINCE_INSTITUTION_WEIGHTS: dict[str, float] = {
    "110000": 24,
    "310000": 8,
    "440000": 10,
    "320000": 7,
    "330000": 6,
    "370000": 5,
    "120000": 3,
}
INSTITUTION_OTHER_PROVINCE_WEIGHT = 1.4

# Certification bodies approved and in business at year end; 2017-2024 from the briefing and DESIGN.md,
# 2021, 2022 and 2025 *assumed* on the same curve.
INSTITUTIONS_AT_YEAR_END: dict[int, int] = {
    2016: 309,
    2017: 391,
    2018: 481,
    2019: 596,
    2020: 724,
    2021: 905,
    2022: 1_098,
    2023: 1_261,
    2024: 1_230,
    2025: 1_236,
}
# Cancellations (注销) per year (*assumed*; the 2024 dip needs them) and approvals in 2026 up to AS_OF.
INSTITUTION_CANCELLATIONS: dict[int, int] = {
    2017: 0,
    2018: 3,
    2019: 5,
    2020: 8,
    2021: 12,
    2022: 18,
    2023: 25,
    2024: 95,
    2025: 60,
    2026: 40,
}
INSTITUTIONS_NEW_2026 = 48
INSTITUTION_FIRST_APPROVAL = dt.date(2002, 1, 1)
RISK_GRADE_SHARES: dict[str, float] = {"A": 0.25, "B": 0.45, "C": 0.22, "D": 0.08}
BAD_ACTOR_SHARE = 0.07  # institutions that cut corners; hidden, but they skew to grades C and D
# Probability that an institution is approved for a scheme (*assumed*); SPCA had 3 pilot bodies.
INSTITUTION_SCHEME_PROBABILITY: dict[str, float] = {
    "QMS": 0.96,
    "EMS": 0.78,
    "OHSMS": 0.74,
    "ISMS": 0.16,
    "ITSMS": 0.11,
    "EnMS": 0.13,
    "MMS": 0.05,
    "FOREST": 0.02,
    "SVC": 0.30,
    "BANK": 0.012,
    "SPCA": 0.0,
}
SPCA_INSTITUTIONS = 3

# Online approval system (行政审批): 700+ applications from 2017-04-01 to the end of 2017.
APPLICATIONS_FIRST_YEAR_MIN = 700
CHANGE_APPLICATIONS_PER_INSTITUTION_YEAR = 2.2  # 变更 (*assumed*)
EXTEND_REJECTED_PER_INSTITUTION_YEAR = 0.05  # 扩项 turned down (*assumed*)
ESTABLISH_REJECTION_SHARE = 0.25
INSTITUTION_APPROVAL_RENEWAL_YEARS = 6  # approvals run six years; 延续 before they lapse

# Inspector registry: 6,028 in 2017, about 20,000 nationally now.
INSPECTORS_BY_2017 = 6_028
INSPECTORS_NATIONAL = 20_000
INSPECTOR_ACTIVE_SHARE = 0.92
INSPECTOR_SCHEME_PROBABILITY: dict[str, float] = {
    "QMS": 0.85,
    "EMS": 0.60,
    "OHSMS": 0.55,
    "ISMS": 0.12,
    "ITSMS": 0.08,
    "EnMS": 0.15,
    "MMS": 0.06,
    "FOREST": 0.03,
    "SVC": 0.20,
    "BANK": 0.05,
    "SPCA": 0.02,
}
INSPECTOR_AFFILIATION_SHARE = 0.15  # former auditors: avoidance (回避) applies

# Certificate status mix: a row is the current cycle of a certification; renewal re-issues it.
EXPIRED_SHARE = 0.26  # cycles that were not renewed
SUSPENDED_SHARE = 0.03  # of unexpired certificates (about 2-3% of all)
WITHDRAWN_SHARE = 0.008
BAD_ACTOR_STATUS_FACTOR = 2.5
CERTIFICATES_PER_ORGANISATION = 4_000_000 / 1_100_000

# Double-random campaigns: targets per year nationally (QMS 1,000 and EnMS 100 from the briefing).
CAMPAIGN_TARGETS_NATIONAL: dict[str, tuple[int, int]] = {
    # scheme: (targets a year, first year)
    "QMS": (1_000, 2017),
    "EnMS": (100, 2017),
    "EMS": (300, 2017),
    "OHSMS": (300, 2018),
    "BANK": (60, 2018),
    "ISMS": (60, 2019),
    "ITSMS": (40, 2019),
    "SVC": (80, 2020),
    "MMS": (20, 2021),
}
INSTITUTION_SAMPLING_RATIO: dict[str, float] = {"A": 0.05, "B": 0.10, "C": 0.25, "D": 0.60}
TEAM_SIZE_THREE_SHARE = 0.06
# Most teams an inspector serves on in one campaign year, all campaigns together (models.workload).
WORKLOAD_CAP = 5
VIOLATION_RATE_BY_GRADE: dict[str, float] = {"A": 0.03, "B": 0.06, "C": 0.11, "D": 0.18}
BAD_ACTOR_VIOLATION_RATE = 0.45
NOT_FOUND_RATE = 0.03
REFUSED_RATE = 0.005


@dataclass(frozen=True)
class Scale:
    """How many of everything one scale makes."""

    name: str
    certificates: int
    institution_factor: float  # of the national institution history
    inspectors: int
    campaign_factor: float  # of the national campaign sizes
    min_campaign_targets: int


SCALES: dict[str, Scale] = {
    "demo": Scale("demo", 40_000, 0.2, 1_500, 0.1, 8),
    "national": Scale("national", 4_000_000, 1.0, INSPECTORS_NATIONAL, 1.0, 20),
}
