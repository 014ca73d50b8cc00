"""Sampler and workflow errors by code (``error.sampler.<code>``, ``error.workflow.<code>``), and input labels.

Fields are filled by `dashboard.errors.error_text`; every code a sampler or workflow error can carry
has a text here (tests/dashboard/test_strings.py checks it).
"""

STRINGS: dict[str, dict[str, str]] = {
    "error.generic": {
        "zh": "无法完成：输入有误（{field}）。请检查该项后重试。",
        "en": "Cannot proceed: {detail}",
    },
    # input names as the errors name them
    "error.field.none": {"zh": "未指明的输入", "en": "an input"},
    "error.field.tolerable": {"zh": "可容忍不合格率", "en": "tolerable rate"},
    "error.field.expected": {"zh": "预期不合格率", "en": "expected rate"},
    "error.field.confidence": {"zh": "置信度", "en": "confidence"},
    "error.field.population": {"zh": "总体数 N", "en": "population N"},
    "error.field.n": {"zh": "样本量 n", "en": "sample size n"},
    "error.field.deviations": {"zh": "不合格数", "en": "deviations"},
    "error.field.rates": {"zh": "假设不合格率", "en": "assumed rates"},
    "error.field.weights": {"zh": "风险权重", "en": "risk weights"},
    "error.field.ratio": {"zh": "抽查比例", "en": "sampling ratio"},
    "error.field.minimum": {"zh": "每省最少", "en": "minimum per stratum"},
    "error.field.bad": {"zh": "假设不合格数", "en": "assumed non-conforming count"},
    "error.field.model": {"zh": "模型", "en": "model"},
    "error.field.method": {"zh": "分配方法", "en": "allocation method"},
    "error.field.allocation": {"zh": "配额", "en": "quotas"},
    "error.field.team_size": {"zh": "每组检查人员数", "en": "inspectors per team"},
    "error.field.cap": {"zh": "每人最多任务数", "en": "most teams per inspector"},
    "error.field.seed": {"zh": "随机种子", "en": "seed"},
    "error.field.counts": {"zh": "检查结果", "en": "outcome counts"},
    "error.field.domain": {"zh": "汇总口径", "en": "domain"},
    "error.field.stratum": {"zh": "分层", "en": "strata"},
    # model names
    "plan.model.binomial": {"zh": "二项分布", "en": "Binomial"},
    "plan.model.hypergeometric": {"zh": "超几何分布", "en": "Hypergeometric"},
    "plan.model.poisson": {"zh": "泊松分布", "en": "Poisson"},
    # sampler errors
    "error.sampler.not_a_rate": {
        "zh": "{name}须为 0 到 1 之间的数，收到的是 {value}。",
        "en": "The {name} must be a number between 0 and 1, got {value}.",
    },
    "error.sampler.rate_out_of_range": {
        "zh": "{name}须在 {low}, {high} 之内，收到的是 {value}。",
        "en": "The {name} must lie in {low}, {high}, got {value}.",
    },
    "error.sampler.not_whole": {
        "zh": "{name}须为整数，收到的是 {value}。",
        "en": "The {name} must be a whole number, got {value}.",
    },
    "error.sampler.too_small": {
        "zh": "{name}至少为 {minimum}，收到的是 {value}。",
        "en": "The {name} must be at least {minimum}, got {value}.",
    },
    "error.sampler.unknown_choice": {
        "zh": "{name}“{value}”无法识别；可选：{choices}。",
        "en": "Unknown {name} “{value}”; choose one of: {choices}.",
    },
    "error.sampler.assignment_infeasible": {
        "zh": "无法选派检查组：在当前规则下（每组人数、每人任务上限、异地要求、证件有效期）没有可行的选派方案。"
        "请提高每人任务上限、减少每组人数或取消异地要求。",
        "en": "No inspector teams can be formed under these rules (team size, most teams per inspector, "
        "cross-region, ID validity). Raise the cap, make teams smaller or drop the cross-region rule.",
    },
    "error.sampler.record_format": {
        "zh": "抽取记录格式有误：{field}。",
        "en": "The draw record is malformed at {field}.",
    },
    "error.sampler.hypergeometric_needs_population": {
        "zh": "超几何分布模型需要总体数 N。",
        "en": "The hypergeometric model needs the population size N.",
    },
    "error.sampler.population_only_hypergeometric": {
        "zh": "总体数 N 只用于超几何分布模型，不用于{model}。",
        "en": "The population size is used by the hypergeometric model only, not by {model}.",
    },
    "error.sampler.tolerable_not_above_expected": {
        "zh": "可容忍不合格率（{tolerable}）必须大于预期不合格率（{expected}）。",
        "en": "The tolerable rate ({tolerable}) must exceed the expected rate ({expected}).",
    },
    "error.sampler.no_sample_size": {
        "zh": "在预期不合格率 {expected}、置信度 {confidence} 下，没有样本量能把上限控制在可容忍不合格率 {tolerable} 以内。",
        "en": "No sample size keeps the upper limit within the tolerable rate {tolerable} at the expected "
        "rate {expected} and confidence {confidence}.",
    },
    "error.sampler.deviations_exceed_n": {
        "zh": "不合格数（{k}）不能超过样本量（{n}）。",
        "en": "The deviations ({k}) cannot exceed the sample size ({n}).",
    },
    "error.sampler.n_exceeds_population": {
        "zh": "样本量（{n}）不能超过总体数 N（{population}）。",
        "en": "The sample size ({n}) cannot exceed the population N ({population}).",
    },
    "error.sampler.give_two_of": {
        "zh": "样本量、可容忍不合格率、置信度三者须给出两个；缺少：{missing}。",
        "en": "Give two of sample size, tolerable rate and confidence; missing: {missing}.",
    },
    "error.sampler.no_strata": {"zh": "总体中没有任何分层。", "en": "The population has no strata."},
    "error.sampler.empty_stratum": {
        "zh": "分层“{stratum}”没有单位（N = 0）。",
        "en": "Stratum “{stratum}” is empty (N = 0).",
    },
    "error.sampler.population_empty": {
        "zh": "每个分层至少需要 1 个单位（有分层为空）。",
        "en": "Every stratum needs at least one unit (a stratum is empty).",
    },
    "error.sampler.unknown_strata": {
        "zh": "{name}中有不存在的分层：{strata}。",
        "en": "The {name} name unknown strata: {strata}.",
    },
    "error.sampler.stratum_value_missing": {
        "zh": "{name}缺少分层“{stratum}”的值。",
        "en": "The {name} give no value for stratum “{stratum}”.",
    },
    "error.sampler.cannot_allocate": {
        "zh": "无法分配 {n} 个：权重为正的分层只有 {held} 个单位可供抽取。",
        "en": "Cannot allocate {n}: the strata with a positive weight hold only {held} units.",
    },
    "error.sampler.needs_option": {
        "zh": "该分配方法需要{option}。",
        "en": "This allocation method needs the {option}.",
    },
    "error.sampler.neyman_rates_degenerate": {
        "zh": "Neyman 分配至少需要一个严格介于 0 与 1 之间的假设不合格率。",
        "en": "Neyman allocation needs at least one assumed rate strictly between 0 and 1.",
    },
    "error.sampler.weight_invalid": {
        "zh": "分层“{stratum}”的风险权重须为不小于 0 的数，收到的是 {value}。",
        "en": "The risk weight of stratum “{stratum}” must be a number >= 0, got {value}.",
    },
    "error.sampler.weights_all_zero": {
        "zh": "风险加权分配至少需要一个大于 0 的权重。",
        "en": "Risk-weighted allocation needs at least one positive weight.",
    },
    "error.sampler.ratio_sets_n": {
        "zh": "按比例抽查由比例决定样本量，不能另给总数。",
        "en": "The sampling-ratio method sets the total itself; do not give a total.",
    },
    "error.sampler.needs_n": {
        "zh": "分配方法“{method}”需要抽取总数。",
        "en": "The allocation method “{method}” needs a total sample size.",
    },
    "error.sampler.n_below_minimum": {
        "zh": "抽取总数 {n} 少于“每省最少 {minimum} 个”所需的 {needed} 个。",
        "en": "The total {n} is below the {needed} units that a minimum of {minimum} per stratum needs.",
    },
    "error.sampler.sample_out_of_range": {
        "zh": "各分层样本量须在 0 到该层总数 N 之间。",
        "en": "Every stratum's sample size must lie between 0 and its N.",
    },
    "error.sampler.bad_out_of_range": {
        "zh": "各分层假设不合格数须在 0 到该层总数 N 之间。",
        "en": "Every stratum's assumed non-conforming count must lie between 0 and its N.",
    },
    "error.sampler.bad_exceeds_population": {
        "zh": "分层“{stratum}”的假设不合格数超过了该层总数 N。",
        "en": "The assumed non-conforming count of stratum “{stratum}” exceeds its N.",
    },
    "error.sampler.estimate_needs_n": {
        "zh": "每个分层至少需要检查 1 个单位才能估计。",
        "en": "Every stratum needs at least one inspected unit for an estimate.",
    },
    "error.sampler.deviations_out_of_range": {
        "zh": "不合格数须在 0 到检查数之间。",
        "en": "The deviations must lie between 0 and the number inspected.",
    },
    "error.sampler.rates_out_of_range": {
        "zh": "不合格率须在 0 到 1 之间。",
        "en": "The rates must lie between 0 and 1.",
    },
    "error.sampler.rates_or_bad": {
        "zh": "须给出假设不合格率或假设不合格数之一（不能同时给出或都不给）。",
        "en": "Give either assumed rates or assumed non-conforming counts, not both or neither.",
    },
    "error.sampler.needs_population": {
        "zh": "计算效能需要各分层的总数 N。",
        "en": "The power calculation needs the population N of every stratum.",
    },
    "error.sampler.missing_column": {
        "zh": "数据缺少列“{column}”。",
        "en": "The data lack the column “{column}”.",
    },
    "error.sampler.stratum_n_exceeds_population": {
        "zh": "分层“{stratum}”的检查数超过了该层总数 N。",
        "en": "Stratum “{stratum}”: more units inspected than it holds (n > N).",
    },
    "error.sampler.stratum_not_inspected": {
        "zh": "分层“{stratum}”没有已检查的单位。",
        "en": "Stratum “{stratum}” has no inspected units.",
    },
    # workflow errors (models.draw_records.WorkflowError codes)
    "error.workflow.campaign_exists": {
        "zh": "{year} 年已有名为“{name}”的抽查任务，且已抽取。请换一个名称。",
        "en": "A {year} campaign named “{name}” already exists and has been drawn. Choose another name.",
    },
    "error.workflow.scheme_mismatch": {
        "zh": "计划中的任务“{name}”针对 {planned}，不是 {scheme}。",
        "en": "The planned campaign “{name}” is for {planned}, not {scheme}.",
    },
    "error.workflow.name_invalid": {
        "zh": "任务名称须为 1–{limit} 个字符。",
        "en": "The campaign name must be 1–{limit} characters.",
    },
    "error.workflow.reason_required": {"zh": "请填写理由。", "en": "Please give a reason."},
    "error.workflow.reason_too_long": {
        "zh": "理由过长（最多 256 个字符）。",
        "en": "The reason is too long (256 characters at most).",
    },
    "error.workflow.session_closed": {"zh": "本次抽取已不再开放。", "en": "This draw is no longer open."},
    "error.workflow.session_missing": {"zh": "抽取记录不存在。", "en": "The draw does not exist."},
    "error.workflow.frame_changed": {
        "zh": "开启抽取后名录已发生变化，请重新开启。",
        "en": "The population changed since the draw was opened: open it again.",
    },
    "error.workflow.stale_preview": {
        "zh": "预览已失效（参数或结果已改变），未提交。请重新抽取。",
        "en": "The preview is stale (inputs or result changed); nothing was committed. Draw again.",
    },
    "error.workflow.already_committed": {
        "zh": "本次抽取已经提交过，未重复保存。",
        "en": "This draw was committed already; nothing was saved twice.",
    },
    "error.workflow.seed_invalid": {
        "zh": "随机种子须为 0 至 {maximum} 之间的整数。",
        "en": "The seed must be a whole number from 0 to {maximum}.",
    },
    "error.workflow.year_invalid": {
        "zh": "年度须在 1 至 9999 之间。",
        "en": "The year must be from 1 to 9999.",
    },
    "error.workflow.population_invalid": {
        "zh": "名单无法固化，抽取未开启：{detail}",
        "en": "The population cannot be frozen, so the draw was not opened: {detail}",
    },
    "error.workflow.frozen_missing": {
        "zh": "找不到此次抽取固化的名单（{hash}），请说明理由后重新开启。",
        "en": "The population frozen for this draw ({hash}) is missing: open the draw again with a reason.",
    },
    "error.sampler.too_large": {
        "zh": "{name}至多为 {maximum}，收到的是 {value}。",
        "en": "The {name} must be at most {maximum}, got {value}.",
    },
    "error.workflow.publication_in_future": {
        "zh": "公示日期 {on} 晚于今天（北京时间 {today}）。",
        "en": "The publication date {on} is after today ({today}, China time).",
    },
    "error.workflow.publication_before_results": {
        "zh": "公示日期 {on} 早于检查结果形成之日（最后一次检查：{formed_on}）。",
        "en": "The publication date {on} is before the results were formed (last inspection {formed_on}).",
    },
    # bundle errors (models.bundle)
    "error.workflow.bundle_no_campaign": {
        "zh": "该抽查任务不存在。",
        "en": "This campaign does not exist.",
    },
    "error.workflow.bundle_unpublished": {
        "zh": "该抽查任务尚未公示，公示包暂不公开。",
        "en": "This campaign is not published yet: its bundle is not public.",
    },
    "error.workflow.bundle_no_draw": {
        "zh": "该抽查任务尚无已提交的抽取。",
        "en": "This campaign has no committed draw yet.",
    },
    "error.workflow.bundle_seeded": {
        "zh": "本次抽取为导入的历史记录，无法重新推导核验。",
        "en": "This draw is an imported historical record: it cannot be re-derived and verified.",
    },
    "error.workflow.bundle_invalid": {
        "zh": "不一致：数据库中的抽取记录或名单已无法读取为有效的抽取记录（提交后被改动过）：{detail}",
        "en": "Mismatch: the stored draw record or population no longer reads as a draw record (changed "
        "after the commit): {detail}",
    },
    "error.workflow.bundle_incomplete": {
        "zh": "本次抽取的记录不完整，无法生成可核验的公示包。",
        "en": "This draw's record is incomplete: no verifiable bundle can be built.",
    },
    "error.workflow.cap_exceeded": {
        "zh": "{count}名检查人员将超过{year}年度每人最多{cap}项任务的上限（例如检查人员 {inspector}）："
        "其间另一次抽取已提交并占用了名额。请说明理由后重新开启本次抽取。",
        "en": "{count} inspector(s) would exceed the cap of {cap} team(s) in {year} (e.g. inspector "
        "{inspector}): another draw was committed meanwhile and used the places. Open this draw again "
        "with a reason.",
    },
    "error.workflow.certificate_event": {
        "zh": "证书（编号 {certificate_id}）的这一状态变化不符合其历史记录，未登记。",
        "en": "This event does not fit the history of certificate {certificate_id}; nothing was recorded.",
    },
    "error.workflow.frozen_damaged": {
        "zh": "数据库中固化的名单（{hash}）已损坏或被改动，无法使用。请运行审计核验（regdash audit verify）。",
        "en": "The frozen population {hash} in the store is damaged or was changed: it cannot be used. "
        "Run the audit check (regdash audit verify).",
    },
}
