"""Closed vocabularies stored as short codes; every table's CHECK constraints come from here."""

from __future__ import annotations

RISK_GRADES = ("A", "B", "C", "D")
INSTITUTION_STATUSES = ("approved", "suspended", "revoked", "cancelled")
APPLICATION_TYPES = ("establish", "change", "extend", "renew", "cancel")  # 设立 变更 扩项 延续 注销
APPLICATION_STATUSES = ("received", "accepted", "under_review", "approved", "rejected")
CERTIFICATE_STATUSES = ("valid", "suspended", "withdrawn", "expired")
CERTIFICATE_EVENT_KINDS = (
    "issue",
    "surveillance",  # 监督审核
    "suspension",
    "reinstatement",
    "scope_change",
    "withdrawal",
    "expiry",
    "recertification",  # 再认证: the first event of a new cycle
)
INSTITUTION_EVENT_KINDS = ("approval", "suspension", "reinstatement", "revocation", "cancellation")
CAMPAIGN_STATUSES = ("planned", "drawn", "assigned", "completed", "published")
UNIT_TYPES = ("certificate", "institution")
# 现场检查 书面检查 远程检查 部门协查 抽样检测 网络监测 委托第三方
INSPECTION_METHODS = (
    "onsite",
    "documents",
    "other_department",
    "testing",
    "remote",
    "online_monitoring",
    "commissioned",
)
# "not_inspected": the target could not be inspected at all (its reason in NOT_INSPECTED_REASONS)
OUTCOME_CODES = ("no_violation", "not_found", "refused", "violation", "not_inspected")
NOT_INSPECTED_REASONS = ("deregistered", "cannot_be_found", "certificate_invalid", "relocated", "other")
# 无 责令整改 暂停证书 撤销证书 行政处罚 移送 立案查处
FOLLOW_UPS = (
    "none",
    "rectify",
    "suspend_certificate",
    "withdraw_certificate",
    "penalty",
    "referral",
    "case_filed",
)
DISPOSAL_STATUSES = ("not_required", "open", "closed")  # 无需处置 处置中 已办结
REVIEW_STATUSES = ("pending", "approved", "returned")  # 待审核 已通过 已退回
ITEM_RESULTS = ("conform", "nonconform", "not_applicable")  # 符合 不符合 不适用
TEAM_ROLES = ("lead", "member")

# Finding categories, after the EMS problems table of the 2017 briefing and SAMR's focus list.
FINDING_CATEGORIES = (
    "site_not_visited",  # 未到现场审核 / 虚假审核
    "audit_time_cut",  # 审核时间不足 / 减少审核人日
    "certificate_to_unqualified",  # 向不符合条件的组织发证
    "certificate_selling",  # 买证卖证
    "outside_approved_scope",  # 超范围认证
    "auditor_unqualified",  # 审核员不具备能力 / 挂名
    "records_falsified",  # 审核记录不真实
    "failed_to_suspend",  # 未按规定暂停撤销证书
    "surveillance_skipped",  # 未实施监督审核
    "energy_baseline_wrong",  # 能源基准/绩效参数不合理 (EnMS)
)


def check_in(column: str, values: tuple[str, ...]) -> str:
    """SQL text of a CHECK constraint that keeps ``column`` inside ``values``."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"
