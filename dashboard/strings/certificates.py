"""Labels of the Certificates page."""

STRINGS: dict[str, dict[str, str]] = {
    "certificates.scope": {
        "zh": "证书数量为当前名录状态；年份范围用于签发趋势。机构所在省份用于机构排名。",
        "en": "Counts are the register as it stands; the year range applies to the issuance trend. "
        "Institution rankings filter on the province where the institution is registered.",
    },
    "certificates.kpi.selection": {"zh": "证书数（所选范围）", "en": "Certificates (selection)"},
    "certificates.kpi.valid": {"zh": "有效证书", "en": "Valid certificates"},
    "certificates.kpi.top3": {"zh": "前三省份占比", "en": "Top-3 provinces' share"},
    "certificates.kpi.top3_help": {
        "zh": "证书数最多的三个省份占所选证书的比例",
        "en": "Share of the selected certificates held in the three largest provinces",
    },
    "certificates.kpi.expiring": {"zh": "90 天内到期", "en": "Expiring within 90 days"},
    "certificates.kpi.expiring_help": {
        "zh": "有效证书中到期日在今天（{today}）起 90 天内的数量",
        "en": "Valid certificates whose expiry date falls within 90 days of today ({today})",
    },
    "certificates.kpi.suspended_withdrawn": {"zh": "暂停/撤销占比", "en": "Suspended or withdrawn"},
    "certificates.section.provinces": {"zh": "省份分布", "en": "By province"},
    "certificates.section.matrix": {"zh": "领域 × 省份", "en": "Scheme × province"},
    "certificates.section.issuance": {"zh": "签发趋势", "en": "Issuance"},
    "certificates.section.concentration": {"zh": "集中度", "en": "Concentration"},
    "certificates.section.expiring": {"zh": "即将到期", "en": "Expiring soon"},
    "certificates.section.status_share": {"zh": "暂停/撤销", "en": "Suspended / withdrawn"},
    "certificates.map": {"zh": "各省证书分布", "en": "Certificates by province"},
    "certificates.top_provinces": {"zh": "证书数前十省份", "en": "Top 10 provinces"},
    "certificates.by_scheme_province": {
        "zh": "认证领域 × 省份 × 状态",
        "en": "Scheme × province × status",
    },
    "certificates.issuance": {"zh": "按月签发趋势", "en": "Certificates issued per month"},
    "certificates.issued": {"zh": "签发数", "en": "Issued"},
    "certificates.concentration": {"zh": "集中度", "en": "Concentration"},
    "certificates.top_institutions": {"zh": "证书数前十认证机构", "en": "Top 10 institutions"},
    "certificates.top3_caption": {
        "zh": "前三省份合计占 {share}；前十机构合计占 {inst_share}",
        "en": "The top three provinces hold {share}; the top ten institutions hold {inst_share}",
    },
    "certificates.expiring": {
        "zh": "90 天内到期的有效证书",
        "en": "Valid certificates expiring within 90 days",
    },
    "certificates.number": {"zh": "证书编号", "en": "Certificate number"},
    "certificates.issued_on": {"zh": "发证日期", "en": "Issued on"},
    "certificates.expires_on": {"zh": "到期日期", "en": "Expires on"},
    "certificates.status_share": {
        "zh": "各机构暂停/撤销证书占比",
        "en": "Suspended and withdrawn certificates by institution",
    },
    "certificates.status_share_caption": {
        "zh": "图中为证书数不少于 {min} 张的机构中占比最高的 {top} 家；表格列出全部机构",
        "en": "The chart shows the {top} highest shares among institutions with at least {min} certificates; "
        "the table lists all",
    },
    "certificates.suspended": {"zh": "暂停", "en": "Suspended"},
    "certificates.withdrawn": {"zh": "撤销", "en": "Withdrawn"},
    "certificates.share_suspended_withdrawn": {"zh": "暂停+撤销占比", "en": "Suspended + withdrawn share"},
}
