"""Labels of the inspection-outcome page (检查结果) and of the outcome vocabularies."""

STRINGS: dict[str, dict[str, str]] = {
    "out.title": {"zh": "检查结果", "en": "Inspection outcomes"},
    "out.caption": {
        "zh": "已提交抽取（双随机）的检查结果；未录入结果的抽查对象不计入比率",
        "en": "Results of committed double-random draws; "
        "targets without a recorded outcome are not in the rates",
    },
    "out.filter.campaign": {"zh": "抽查任务", "en": "Campaign"},
    "out.filter.all_campaigns": {"zh": "全部任务", "en": "All campaigns"},
    "out.none": {"zh": "还没有已提交的抽查任务", "en": "No committed campaign yet"},
    # KPIs
    "out.kpi.drawn": {"zh": "抽中对象", "en": "Targets drawn"},
    "out.kpi.inspected": {"zh": "已检查", "en": "Inspected"},
    "out.kpi.violations": {"zh": "发现违法违规", "en": "Violations"},
    "out.kpi.unweighted": {"zh": "样本违规率（未加权）", "en": "Sample violation rate (unweighted)"},
    "out.kpi.weighted": {"zh": "全国违规率估计（加权）", "en": "National violation rate (weighted estimate)"},
    "out.kpi.interval": {
        "zh": "{confidence} 置信区间 {low} – {high}",
        "en": "{confidence} CI {low} – {high}",
    },
    "out.estimate.title": {
        "zh": "违规率：加权估计与未加权比率",
        "en": "Violation rate: weighted estimate and unweighted rate",
    },
    "out.estimate.explain": {
        "zh": "两个数字含义不同：未加权比率 = 违规数 ÷ 已检查数，只描述样本；"
        "加权估计按各层（省份 × 领域）总体规模 N_h/N 加权并做有限总体校正，"
        "估计的是全部获证对象的违规率。分层抽样配额不成比例时二者会不同。",
        "en": "Two different figures: the unweighted rate = violations ÷ inspected "
        "describes the sample only; the weighted estimate weights each stratum "
        "(province × scheme) by N_h/N with a finite-population correction and estimates "
        "the rate in the whole population. They differ when quotas are not proportional.",
    },
    "out.estimate.pending": {
        "zh": "加权估计不含尚无检查结果的 {strata} 个层（总体 {population}）",
        "en": "The weighted estimate leaves out {strata} strata with no outcome yet "
        "(population {population})",
    },
    "out.estimate.pooled": {
        "zh": "{first}–{last} 年合并：各年同一层（省份 × 领域）的 N_h、n_h 与违规数相加后加权",
        "en": "{first}–{last} pooled: each stratum's N_h, n_h and violations are summed over the years, then weighted",
    },
    "out.estimate.unavailable": {"zh": "无法计算加权估计：{reason}", "en": "No weighted estimate: {reason}"},
    # charts
    "out.chart.codes": {"zh": "检查结论", "en": "Outcome codes"},
    "out.chart.findings": {"zh": "问题类别", "en": "Finding categories"},
    "out.chart.count": {"zh": "数量", "en": "Count"},
    "out.chart.code": {"zh": "结论", "en": "Outcome"},
    "out.chart.category": {"zh": "问题类别", "en": "Category"},
    "out.chart.no_findings": {"zh": "所选范围内没有记录问题", "en": "No findings recorded in this selection"},
    # rates
    "out.rates.title": {"zh": "违规率及置信区间", "en": "Violation rates with intervals"},
    "out.rates.province": {"zh": "分省违规率", "en": "Rates by province"},
    "out.rates.scheme": {"zh": "分领域违规率", "en": "Rates by scheme"},
    "out.rates.institution": {"zh": "分机构违规率", "en": "Rates by institution"},
    "out.tab.findings": {"zh": "检查结论与问题", "en": "Outcomes & findings"},
    "out.rates.note": {
        "zh": "Wilson 与 Clopper–Pearson（精确）区间，置信水平 95%；样本量小时区间很宽",
        "en": "Wilson and Clopper–Pearson (exact) intervals at 95%; small samples give wide intervals",
    },
    "out.col.province": {"zh": "省份", "en": "Province"},
    "out.col.scheme": {"zh": "领域", "en": "Scheme"},
    "out.col.institution": {"zh": "认证机构", "en": "Institution"},
    "out.col.n": {"zh": "已检查", "en": "Inspected"},
    "out.col.violations": {"zh": "违规", "en": "Violations"},
    "out.col.rate": {"zh": "违规率", "en": "Rate"},
    "out.col.wilson_low": {"zh": "Wilson 下限", "en": "Wilson low"},
    "out.col.wilson_high": {"zh": "Wilson 上限", "en": "Wilson high"},
    "out.col.cp_low": {"zh": "Clopper–Pearson 下限", "en": "Clopper–Pearson low"},
    "out.col.cp_high": {"zh": "Clopper–Pearson 上限", "en": "Clopper–Pearson high"},
    # case list
    "out.cases.title": {"zh": "检查案例清单", "en": "Case list"},
    "out.cases.truncated": {
        "zh": "共 {total} 条，表中显示最新 {shown} 条（下载内容同表格）",
        "en": "{total} cases; the table shows the latest {shown} (downloads match the table)",
    },
    "out.col.target": {"zh": "对象编号", "en": "Target"},
    "out.col.certificate": {"zh": "证书编号", "en": "Certificate"},
    "out.col.year": {"zh": "年度", "en": "Year"},
    "out.col.campaign": {"zh": "抽查任务", "en": "Campaign"},
    "out.col.inspectors": {"zh": "检查人员", "en": "Inspectors"},
    "out.col.date": {"zh": "检查日期", "en": "Date"},
    "out.col.method": {"zh": "检查方式", "en": "Method"},
    "out.col.outcome": {"zh": "检查结论", "en": "Outcome"},
    "out.col.findings": {"zh": "发现问题", "en": "Findings"},
    "out.col.follow_up": {"zh": "后续处理", "en": "Follow-up"},
    # vocabularies
    "out.code.no_violation": {"zh": "未发现问题", "en": "No violation"},
    "out.code.not_found": {"zh": "检查对象未找到", "en": "Target not found"},
    "out.code.refused": {"zh": "拒绝检查", "en": "Refused inspection"},
    "out.code.violation": {"zh": "发现违法违规", "en": "Violation"},
    "out.method.onsite": {"zh": "现场检查", "en": "On-site"},
    "out.method.documents": {"zh": "书面审查", "en": "Documents"},
    "out.method.other_department": {"zh": "其他部门结果", "en": "Other department"},
    "out.method.testing": {"zh": "检验检测", "en": "Testing"},
    "out.follow.none": {"zh": "无", "en": "None"},
    "out.follow.rectify": {"zh": "责令整改", "en": "Rectify"},
    "out.follow.suspend_certificate": {"zh": "暂停证书", "en": "Suspend certificate"},
    "out.follow.withdraw_certificate": {"zh": "撤销证书", "en": "Withdraw certificate"},
    "out.follow.penalty": {"zh": "行政处罚", "en": "Penalty"},
    "out.follow.referral": {"zh": "移送", "en": "Referral"},
    "out.finding.site_not_visited": {"zh": "未到现场审核", "en": "Site not visited"},
    "out.finding.audit_time_cut": {"zh": "缩短审核时间", "en": "Audit time cut"},
    "out.finding.certificate_to_unqualified": {
        "zh": "向不符合条件的组织发证",
        "en": "Certificate to unqualified (bad) actors",
    },
    "out.finding.certificate_selling": {"zh": "买证卖证", "en": "Certificate selling"},
    "out.finding.outside_approved_scope": {"zh": "超范围认证", "en": "Outside approved scope"},
    "out.finding.auditor_unqualified": {"zh": "审核员能力不足或挂名", "en": "Auditor unqualified"},
    "out.finding.records_falsified": {"zh": "审核记录不真实", "en": "Records falsified"},
    "out.finding.failed_to_suspend": {"zh": "未按规定暂停或撤销证书", "en": "Failed to suspend or withdraw"},
    "out.finding.surveillance_skipped": {"zh": "未实施监督审核", "en": "Surveillance audit skipped"},
    "out.finding.energy_baseline_wrong": {
        "zh": "能源基准或绩效参数不合理",
        "en": "Energy baseline wrong (EnMS)",
    },
}
