"""Labels of the planning page: quotas, power before the draw, live draw and commit."""

STRINGS: dict[str, dict[str, str]] = {
    "nav.planning": {"zh": "抽查计划与抽取", "en": "Plan & draw"},
    "plan.caption": {
        "zh": "双随机一公开：先按省份定配额并查看抽查效能，再用公开的随机种子抽取检查对象、随机选派执法检查人员，并留存记录备查。",
        "en": "Double random, one public: set quotas per province and check the power of the plan, then draw the "
        "targets and the inspector teams with a recorded seed, and keep the record for audit.",
    },
    "plan.scheme": {"zh": "认证领域", "en": "Scheme"},
    "plan.year": {"zh": "年度", "en": "Year"},
    "plan.seed": {
        "zh": "模拟用随机种子（正式抽取的种子由开启抽取时生成）",
        "en": "Simulation seed (the live draw's seed is fixed when the draw is opened)",
    },
    "plan.size.header": {"zh": "1 · 样本量（属性抽样）", "en": "1 · Sample size (attribute sampling)"},
    "plan.size.confidence": {"zh": "置信度", "en": "Confidence"},
    "plan.size.tolerable": {"zh": "可容忍不合格率", "en": "Tolerable non-conformity rate"},
    "plan.size.expected": {"zh": "预期不合格率", "en": "Expected non-conformity rate"},
    "plan.size.model": {"zh": "模型", "en": "Model"},
    "plan.size.n": {"zh": "每层所需样本量", "en": "Sample size per stratum"},
    "plan.size.allowed": {"zh": "允许不合格数", "en": "Deviations allowed"},
    "plan.size.help": {
        "zh": "在该样本量下，若发现的不合格数不超过允许值，即可在所选置信度下认为不合格率低于可容忍值。",
        "en": "With this sample, finding no more than the allowed deviations supports, at the chosen confidence, "
        "that the rate is below the tolerable rate.",
    },
    "plan.quota.header": {"zh": "2 · 各省配额", "en": "2 · Quotas per province"},
    "plan.quota.total": {"zh": "抽取总数", "en": "Total targets"},
    "plan.quota.method": {"zh": "分配方法", "en": "Allocation method"},
    "plan.quota.minimum": {"zh": "每省最少", "en": "Minimum per province"},
    "plan.quota.ratio": {"zh": "抽查比例", "en": "Sampling ratio"},
    "plan.quota.edit_help": {
        "zh": "可直接修改各省配额（n 不得超过该省证书总数 N）。",
        "en": "Quotas can be edited per province (n may not exceed the province's N).",
    },
    "plan.quota.sum": {"zh": "配额合计 {n} 个，覆盖 {p} 个省份", "en": "{n} targets in {p} provinces"},
    "plan.method.proportional": {"zh": "按规模比例", "en": "Proportional"},
    "plan.method.equal": {"zh": "各省均等", "en": "Equal"},
    "plan.method.neyman": {"zh": "Neyman（按历史不合格率）", "en": "Neyman (past non-conformity)"},
    "plan.method.risk": {"zh": "风险加权（按历史不合格率）", "en": "Risk-weighted (past non-conformity)"},
    "plan.method.ratio": {"zh": "按比例抽查（如 ≥3%）", "en": "Sampling ratio (e.g. >= 3%)"},
    "plan.col.province": {"zh": "省份", "en": "Province"},
    "plan.col.N": {"zh": "有效证书数 N", "en": "Valid certificates N"},
    "plan.col.n": {"zh": "配额 n", "en": "Quota n"},
    "plan.col.past_rate": {
        "zh": "平滑不合格率（含先验，用于分配）",
        "en": "Smoothed rate (with prior, used to allocate)",
    },
    "plan.col.past_rate_help": {
        "zh": "(不合格数 + 1) / (检查数 + 2)：Beta(1, 1) 先验与历史检查结果合并后的估计，不是观测值；没有历史的省份为 50%。",
        "en": "(violations + 1) / (inspected + 2): a Beta(1, 1) prior combined with past inspections, not an "
        "observation; a province without history reads 50%.",
    },
    "plan.col.inspected": {"zh": "历史检查数", "en": "Inspected in the past"},
    "plan.col.violations": {"zh": "历史不合格数", "en": "Violations found"},
    "plan.col.observed_rate": {"zh": "历史观测不合格率", "en": "Observed rate"},
    "plan.quota.from_size": {
        "zh": "抽取总数默认取第 1 步的每层样本量 {n}（不超过各省证书数）之和。",
        "en": "The total defaults to step 1's sample size of {n} per province (at most its N), summed.",
    },
    "plan.power.model_note": {
        "zh": "按每张证书以假设不合格率独立不合格计算：各省不合格数服从二项分布，下列概率与期望是对其精确求期望的结果（小省份不会因取整为 0 而显示 0%）。",
        "en": "Each certificate is taken as non-conforming with the assumed rate: a province's count is binomial, "
        "and the figures below are exact expectations over it (a small province is not rounded to 0).",
    },
    "plan.col.bad": {"zh": "预期不合格数（N × 假设率）", "en": "Expected non-conforming (N × rate)"},
    "plan.col.p_detect": {"zh": "至少发现 1 个的概率", "en": "P(at least one found)"},
    "plan.col.expected": {"zh": "预期发现数", "en": "Expected found"},
    "plan.col.test_power": {"zh": "检验效能", "en": "Test power"},
    "plan.power.header": {"zh": "3 · 抽取前的统计效能", "en": "3 · Power before the draw"},
    "plan.power.assumed": {"zh": "假设实际不合格率", "en": "Assumed true non-conformity rate"},
    "plan.power.any": {"zh": "全国至少发现 1 个的概率", "en": "P(at least one found nationally)"},
    "plan.power.expected": {"zh": "预期发现不合格数", "en": "Expected non-conforming found"},
    "plan.power.half_width": {
        "zh": "全国加权估计的置信区间半宽",
        "en": "Half-width of the national weighted interval",
    },
    "plan.power.half_width_none": {"zh": "有省份配额为 0，无法给出", "en": "n/a: some province has quota 0"},
    "plan.power.chart": {
        "zh": "各省至少发现 1 个不合格的概率",
        "en": "Probability of finding at least one per province",
    },
    "plan.power.mc": {"zh": "蒙特卡洛核验（{r} 次重复）", "en": "Monte Carlo check ({r} replications)"},
    "plan.power.mc_result": {
        "zh": "模拟：{sim}（标准误 {se}）；精确值：{exact}",
        "en": "Simulated: {sim} (s.e. {se}); exact: {exact}",
    },
    "plan.draw.header": {"zh": "4 · 正式抽取与选派", "en": "4 · Live draw and team assignment"},
    "plan.draw.campaign": {"zh": "抽查任务名称", "en": "Campaign name"},
    "plan.draw.date": {"zh": "检查日期", "en": "Inspection date"},
    "plan.draw.team": {"zh": "每组检查人员数", "en": "Inspectors per team"},
    "plan.draw.cap": {"zh": "每人本年度最多任务数", "en": "Most teams per inspector this year"},
    "plan.draw.cap_help": {
        "zh": "上限按抽查年度计算：{year}年所有抽查任务（各认证领域）中已分派的任务一并计入。",
        "en": "The cap counts the campaign year: teams in all of {year}'s campaigns (every scheme) count.",
    },
    "plan.draw.cross": {
        "zh": "异地检查（不选派本省人员）",
        "en": "Cross-region (no inspector from the target's province)",
    },
    "plan.draw.exclude_months": {
        "zh": "排除近 N 个月内已被其他任务抽中的证书（0 = 不排除）",
        "en": "Exclude certificates drawn in another campaign within the last N months (0 = off)",
    },
    "plan.draw.excluded": {
        "zh": "已排除 {count} 张在 {cutoff} 及以后被抽中过的证书（开启日 {as_of} 前 {months} 个月内）。",
        "en": "{count} certificate(s) drawn on or after {cutoff} (within {months} months before the opening "
        "on {as_of}) were excluded.",
    },
    "plan.draw.run": {"zh": "抽取检查对象并选派人员", "en": "Draw targets and inspectors"},
    "plan.draw.preview": {
        "zh": "已抽取 {n} 个检查对象，{m} 名检查人员参与（尚未保存）",
        "en": "{n} targets drawn, {m} inspectors on teams (not saved yet)",
    },
    "plan.draw.audit": {
        "zh": "审计信息：名录哈希 {frame}，种子 {seed}，随机流 {stream}",
        "en": "Audit: frame hash {frame}, seed {seed}, stream {stream}",
    },
    "plan.draw.commit": {"zh": "确认并保存本次抽取", "en": "Commit this draw"},
    "plan.draw.committed": {"zh": "已保存：抽取记录编号 {id}", "en": "Committed: draw record {id}"},
    "plan.error.quota_over": {
        "zh": "配额超过该省有效证书总数（n > N）：{provinces}。请调低这些省份的配额。",
        "en": "Quota above the province's valid certificates (n > N): {provinces}. Lower these quotas.",
    },
    "plan.col.certificate": {"zh": "证书编号", "en": "Certificate"},
    "plan.col.organisation": {"zh": "获证组织", "en": "Organisation"},
    "plan.col.institution": {"zh": "认证机构", "en": "Institution"},
    "plan.col.probability": {"zh": "入样概率", "en": "Inclusion probability"},
    "plan.col.team": {"zh": "检查人员", "en": "Inspectors"},
    "plan.lottery.explain": {
        "zh": "正式抽取前先“开启抽取”：系统随机生成一个保密随机数，并公布其承诺值（哈希）和名录哈希；抽取种子由该随机数决定，任何人都不能选择。"
        "每次抽取都会记录；改变参数再次抽取须说明理由，全部记录随结果公示。",
        "en": "Before the live draw, open it: the system fixes a secret random number and shows its commitment "
        "(a hash) and the frame hash; the draw's seed comes from that number, so nobody chooses it. Every draw is "
        "logged; drawing again with other parameters needs a reason, and the whole log is published with the results.",
    },
    "plan.lottery.open": {"zh": "开启抽取（生成随机数承诺）", "en": "Open the draw (fix the commitment)"},
    "plan.lottery.reopen_reason": {
        "zh": "重新开启的理由（必填，将公示）",
        "en": "Why the draw is opened again (required, published)",
    },
    "plan.lottery.opened": {
        "zh": "抽取已开启：承诺值 `{commitment}` · 名录哈希 `{frame}` · {by} 于 {at} 开启 · 已抽取 {attempts} 次",
        "en": "Draw open: commitment `{commitment}` · frame hash `{frame}` · opened by {by} at {at} · {attempts} attempt(s)",
    },
    "plan.lottery.reason": {
        "zh": "参数已改变：再次抽取的理由（必填，将公示）",
        "en": "The parameters changed: why draw again (required, published)",
    },
    "plan.lottery.stale": {
        "zh": "参数已改变，上面的预览已失效，不能提交。请重新抽取。",
        "en": "The parameters changed since this preview: it can no longer be committed. Draw again.",
    },
    "plan.lottery.not_frozen": {
        "zh": "此次抽取在名单固化功能上线前开启，未保存固化名单，无法继续。请说明理由后重新开启（将固化当前名单）。",
        "en": "This draw was opened before populations were frozen and has no frozen population. Open it again "
        "with a reason (the current population is frozen).",
    },
    "plan.lottery.other_scheme": {
        "zh": "抽查任务“{name}”的抽取是按 {planned} 开启的，当前选择的是 {scheme}。请改回 {planned}，或为 {scheme} 另起一个任务名称。",
        "en": "The draw of “{name}” was opened for {planned}, not {scheme}. Switch back to {planned}, or give "
        "{scheme} a campaign name of its own.",
    },
    "plan.lottery.committed_already": {
        "zh": "{year} 年的抽查任务“{name}”已完成抽取并提交。",
        "en": "The {year} campaign “{name}” has been drawn and committed.",
    },
    "plan.no_population": {
        "zh": "该领域没有有效证书，无法抽取。",
        "en": "This scheme has no valid certificates to draw.",
    },
}
