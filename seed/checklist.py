"""The seeded country's inspection item list (抽查事项清单) for certification supervision.

Modelled on the layout of the energy group's 双随机一公开 checklist (检查内容 / 检查标准 / 分值): each
item names its legal basis, whether it is checked on a certificate or on an institution, what is
checked, what passes, its points, and the finding category a failure is recorded under.
"""

from __future__ import annotations

from typing import Any

from models.queries.checklist import ITEM_COLUMNS

REGULATION = "《中华人民共和国认证认可条例》"
INSTITUTION_RULES = "《认证机构管理办法》"
CERTIFICATE_RULES = "《认证证书和认证标志管理办法》"
SYSTEM_RULES = "《质量管理体系认证规则》等管理体系认证规则"
AUDIT_TIME = "IAF MD5《QMS和EMS审核时间的确定》"

# code, title, legal basis, target type, check content, standard, score, finding category
CHECKLIST: tuple[tuple[str, str, str, str, str, str, int, str | None], ...] = (
    (
        "RZ-01",
        "认证机构资质",
        f"{REGULATION}；{INSTITUTION_RULES}",
        "institution",
        "查验认证机构批准书的有效期和批准的认证领域，核对机构实际开展的认证业务。",
        "批准书在有效期内；所开展的认证业务均在批准范围内。",
        10,
        "outside_approved_scope",
    ),
    (
        "RZ-02",
        "超范围认证",
        f"{REGULATION}；{INSTITUTION_RULES}",
        "certificate",
        "核对证书覆盖的认证领域、专业类别与机构批准范围、认可范围。",
        "证书范围不超出机构批准的认证领域；专业类别有相应能力的审核员。",
        10,
        "outside_approved_scope",
    ),
    (
        "RZ-03",
        "审核时间",
        f"{SYSTEM_RULES}；{AUDIT_TIME}",
        "certificate",
        "核对审核计划、审核记录的审核人日与受审核组织人数、风险、场所数对应的最低审核时间。",
        "审核人日不少于规定的最低人日；减少审核时间有书面理由，且减少不超过30%。",
        10,
        "audit_time_cut",
    ),
    (
        "RZ-04",
        "审核程序完整",
        SYSTEM_RULES,
        "certificate",
        "检查初次认证第一、二阶段审核，监督审核和再认证审核是否按规则实施、按期实施。",
        "各阶段审核均已实施；监督审核间隔不超过12个月；未省略、合并规则规定的审核环节。",
        10,
        "surveillance_skipped",
    ),
    (
        "RZ-05",
        "现场审核真实",
        f"{REGULATION}；{SYSTEM_RULES}",
        "certificate",
        "比对审核员交通、住宿票据，现场照片和签到记录，访谈受审核组织负责人和员工。",
        "审核组按计划到达受审核组织现场，审核时间、地点与记录一致；不存在未到现场出具报告。",
        15,
        "site_not_visited",
    ),
    (
        "RZ-06",
        "审核人员能力",
        f"{REGULATION}；{INSTITUTION_RULES}",
        "certificate",
        "核查审核组成员的执业注册、专业能力评价记录和劳动关系，检查是否存在挂名审核。",
        "审核员具有有效注册资格和相应专业能力；审核组成员实际参加审核。",
        10,
        "auditor_unqualified",
    ),
    (
        "RZ-07",
        "审核记录真实",
        SYSTEM_RULES,
        "certificate",
        "抽查审核报告、不符合项报告、抽样记录和纠正措施验证记录。",
        "审核记录真实、完整、可追溯，与受审核组织实际情况一致。",
        10,
        "records_falsified",
    ),
    (
        "RZ-08",
        "获证组织条件",
        f"{REGULATION}；{SYSTEM_RULES}",
        "certificate",
        "核查获证组织营业执照、相关行政许可，以及管理体系运行时间和有效性。",
        "获证组织具有法律地位和必需的行政许可，管理体系已运行且满足认证要求。",
        10,
        "certificate_to_unqualified",
    ),
    (
        "RZ-09",
        "买卖证书",
        f"{REGULATION}；{CERTIFICATE_RULES}",
        "institution",
        "抽查收费凭证、合同和审核安排，核查是否存在只收费不审核、出卖认证证书。",
        "每张证书均有对应的审核活动；不存在买卖、出租、出借认证证书。",
        15,
        "certificate_selling",
    ),
    (
        "RZ-10",
        "证书暂停撤销",
        f"{CERTIFICATE_RULES}；{SYSTEM_RULES}",
        "certificate",
        "核查获证组织不再满足认证要求、未接受监督审核或发生重大质量安全事故时的处理。",
        "及时暂停或撤销证书，并在规定时间内向认监委报送、对外公布证书状态。",
        10,
        "failed_to_suspend",
    ),
    (
        "RZ-11",
        "证书和标志使用",
        CERTIFICATE_RULES,
        "certificate",
        "核对证书内容、认证标志和证书信息报送是否与认证决定一致。",
        "证书内容准确，证书信息按时报送；认证标志按规定使用。",
        5,
        None,
    ),
    (
        "RZ-12",
        "公正性",
        f"{REGULATION}；{INSTITUTION_RULES}",
        "institution",
        "核查认证机构与受审核组织的咨询、投资等关系，及利益冲突的识别和回避。",
        "不存在认证与咨询不分、利益冲突未回避的情形。",
        10,
        None,
    ),
    (
        "RZ-13",
        "能源绩效参数",
        f"{SYSTEM_RULES}；《能源管理体系认证规则》",
        "certificate",
        "（能源管理体系）核查能源基准、能源绩效参数和能源绩效改进的审核证据。",
        "能源基准和能源绩效参数合理，审核报告对能源绩效改进有评价。",
        5,
        "energy_baseline_wrong",
    ),
)


def checklist_rows() -> list[dict[str, Any]]:
    """The list as one dict per item, every item active."""
    return [{**dict(zip(ITEM_COLUMNS, row, strict=True)), "active": True} for row in CHECKLIST]


def checklist_table() -> dict[str, list[Any]]:
    """The list as columns for the bulk loader."""
    rows = checklist_rows()
    return {name: [row[name] for row in rows] for name in rows[0]}
