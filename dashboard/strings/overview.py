"""Labels of the Overview page."""

STRINGS: dict[str, dict[str, str]] = {
    "overview.period": {
        "zh": "{start} 至 {end}，与上年同期（截至 {previous_end}）比较；有效证书与获证组织为截至 {stock_month}末的存量，对比截至 {previous_stock_month}末",
        "en": "{start} to {end}, compared with the same period a year earlier (to {previous_end}); "
        "valid certificates and certified organisations as at end of {stock_month}, "
        "against end of {previous_stock_month}",
    },
    "overview.kpi.active_institutions": {"zh": "在册认证机构", "en": "Active institutions"},
    "overview.kpi.active_institutions_help": {
        "zh": "截至期末已获批准且当前状态为批准的机构",
        "en": "Institutions approved by the end of the period whose status is approved now",
    },
    "overview.kpi.approvals": {"zh": "本年批准事项", "en": "Approvals this year"},
    "overview.kpi.approvals_help": {
        "zh": "期内作出批准决定的行政审批申请（不按认证领域筛选）",
        "en": "Applications decided as approved within the period (not filtered by scheme)",
    },
    "overview.kpi.valid_certificates": {"zh": "有效证书", "en": "Valid certificates"},
    "overview.kpi.valid_certificates_help": {
        "zh": "截至 {month}末（期内最后一个月末）处于有效期内、且此后未被暂停或撤销的证书",
        "en": "Certificates within their validity as at end of {month} (the last month end of the period) "
        "and not suspended or withdrawn since",
    },
    "overview.kpi.certified_organisations": {"zh": "获证组织", "en": "Certified organisations"},
    "overview.kpi.certified_organisations_help": {
        "zh": "截至 {month}末（期内最后一个月末）至少持有一张有效证书的组织",
        "en": "Organisations holding at least one valid certificate as at end of {month} "
        "(the last month end of the period)",
    },
    "overview.kpi.inspections": {"zh": "已完成检查", "en": "Inspections done"},
    "overview.kpi.inspections_help": {
        "zh": "期内记录了检查结果的双随机抽查对象",
        "en": "Double-random targets with an inspection outcome recorded within the period",
    },
    "overview.kpi.nonconformity": {"zh": "不符合率（加权）", "en": "Non-conformity rate (weighted)"},
    "overview.kpi.nonconformity_help": {
        "zh": "按层总体 N_h/N 加权的全国估计，{confidence} 置信区间 {low} – {high}；未加权比率 {unweighted}",
        "en": "National estimate weighted by stratum population N_h/N; {confidence} interval {low} – {high}; "
        "unweighted rate {unweighted}",
    },
    "overview.kpi.nonconformity_none": {
        "zh": "本年尚无检查结果",
        "en": "No inspection outcomes recorded for this year",
    },
    "overview.nonconformity_interval": {
        "zh": "{confidence} 区间 {low} – {high}",
        "en": "{confidence} interval {low} – {high}",
    },
    "overview.trend": {"zh": "按月签发证书", "en": "Certificates issued per month"},
    "overview.trend_caption": {
        "zh": "{first}–{last} 年，按认证领域堆叠",
        "en": "{first}–{last}, stacked by scheme",
    },
    "overview.tab.chart": {"zh": "按领域趋势图", "en": "Chart by scheme"},
    "overview.tab.table": {"zh": "按月明细", "en": "Monthly table"},
    "overview.issued": {"zh": "签发数", "en": "Issued"},
    "overview.note": {
        "zh": "名录只保存当前状态，往期的机构与证书数按“当时已批准/已发证且至今未被撤销”推算。",
        "en": "The register keeps current statuses only: past institution and certificate figures "
        "count those approved or issued by then and not revoked or withdrawn since.",
    },
    "overview.pp": {"zh": "{value} 个百分点", "en": "{value} pp"},
}
