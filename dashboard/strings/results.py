"""Results: the new vocabularies, the fields of a result, and the validation and publication errors.

``error.workflow.<code>`` are also the codes of ``models.outcome_entry.check_outcome`` and ``models.results``;
``out.field.<field>`` name where the problem is (the form's field, the grid's and the file's column).
"""

STRINGS: dict[str, dict[str, str]] = {
    # vocabularies added with full results
    "out.method.remote": {"zh": "远程检查", "en": "Remote"},
    "out.method.online_monitoring": {"zh": "网络监测", "en": "Online monitoring"},
    "out.method.commissioned": {"zh": "委托第三方", "en": "Commissioned body"},
    "out.code.not_inspected": {"zh": "未检查", "en": "Not inspected"},
    "out.follow.case_filed": {"zh": "立案查处", "en": "Case filed"},
    "out.reason.deregistered": {"zh": "已注销", "en": "Deregistered"},
    "out.reason.cannot_be_found": {"zh": "无法取得联系或查无下落", "en": "Cannot be found"},
    "out.reason.certificate_invalid": {"zh": "证书已失效", "en": "Certificate no longer valid"},
    "out.reason.relocated": {"zh": "已迁出辖区", "en": "Moved out of the province"},
    "out.reason.other": {"zh": "其他", "en": "Other"},
    "out.disposal.not_required": {"zh": "无需处置", "en": "None required"},
    "out.disposal.open": {"zh": "处置中", "en": "In progress"},
    "out.disposal.closed": {"zh": "已办结", "en": "Closed"},
    "out.review.pending": {"zh": "待审核", "en": "Awaiting review"},
    "out.review.approved": {"zh": "已审核通过", "en": "Approved"},
    "out.review.returned": {"zh": "已退回", "en": "Returned"},
    "out.item_result.conform": {"zh": "符合", "en": "Conforms"},
    "out.item_result.nonconform": {"zh": "不符合", "en": "Does not conform"},
    "out.item_result.not_applicable": {"zh": "不适用", "en": "Not applicable"},
    # the fields of a result, as problems name them
    "out.field.target_id": {"zh": "检查对象", "en": "target"},
    "out.field.inspected_on": {"zh": "检查日期", "en": "inspection date"},
    "out.field.method": {"zh": "检查方式", "en": "method"},
    "out.field.outcome_code": {"zh": "检查结论", "en": "outcome"},
    "out.field.follow_up": {"zh": "后续处理措施", "en": "follow-up measure"},
    "out.field.findings": {"zh": "问题类别", "en": "finding categories"},
    "out.field.findings_text": {"zh": "检查发现", "en": "findings"},
    "out.field.not_inspected_reason": {"zh": "未检查原因", "en": "reason not inspected"},
    "out.field.disposal_status": {"zh": "处置状态", "en": "disposal status"},
    "out.field.closed_on": {"zh": "办结日期", "en": "closing date"},
    "out.field.inspectors": {"zh": "检查人员", "en": "inspectors"},
    "out.field.note": {"zh": "备注", "en": "note"},
    "out.field.items": {"zh": "检查事项", "en": "checklist item"},
    "out.field.reason": {"zh": "更正理由", "en": "reason for the correction"},
    "out.field.decision": {"zh": "审核意见", "en": "review decision"},
    # validation (models.outcome_entry) and writes (models.results)
    "out.problem": {"zh": "{field}：{message}", "en": "{field}: {message}"},
    "error.workflow.unknown_target": {
        "zh": "对象 {target} 不是本抽查任务的检查对象",
        "en": "target {target} is not a target of this campaign",
    },
    "error.workflow.not_in_vocabulary": {
        "zh": "“{value}”不是可选值，可选：{allowed}",
        "en": "'{value}' is not one of: {allowed}",
    },
    "error.workflow.date_missing": {"zh": "请填写日期", "en": "the date is missing"},
    "error.workflow.date_outside_window": {
        "zh": "日期 {date} 不在本任务的检查期间（{first} 至 {last}）内",
        "en": "{date} is outside the campaign's inspection period ({first} to {last})",
    },
    "error.workflow.date_in_future": {
        "zh": "日期 {date} 晚于今天（{today}）",
        "en": "{date} is after today ({today})",
    },
    "error.workflow.violation_needs_findings": {
        "zh": "结论为发现违法违规时，至少选择一个问题类别",
        "en": "a violation needs at least one finding category",
    },
    "error.workflow.findings_without_violation": {
        "zh": "结论为未发现问题时不能填写问题类别",
        "en": "finding categories need the outcome 'violation'",
    },
    "error.workflow.follow_up_without_violation": {
        "zh": "结论为未发现问题时后续处理措施只能为“无”（填写的是 {value}）",
        "en": "with the outcome 'no violation' the follow-up must be 'none' (given: {value})",
    },
    "error.workflow.disposal_without_violation": {
        "zh": "结论为未发现问题时处置状态只能为“无需处置”（填写的是 {value}）",
        "en": "with the outcome 'no violation' the disposal status must be 'not required' (given: {value})",
    },
    "error.workflow.duplicate_finding": {
        "zh": "问题类别 {value} 重复填写",
        "en": "finding category {value} given more than once",
    },
    "error.workflow.not_an_id": {
        "zh": "“{value}”不是对象编号（应为整数，仅含数字）",
        "en": "'{value}' is not a target id (a whole number, digits only)",
    },
    "error.workflow.excel_error": {
        "zh": "单元格是 Excel 错误值（{value}），请改为实际内容",
        "en": "the cell holds an Excel error value ({value}): enter the actual value",
    },
    "error.workflow.invisible_character": {
        "zh": "含有控制字符或不可见字符（{value}），请删除后重新输入",
        "en": "holds a control or invisible character ({value}): delete it and retype",
    },
    "error.workflow.not_inspected_needs_reason": {
        "zh": "结论为未检查时须填写未检查原因",
        "en": "'not inspected' needs its reason",
    },
    "error.workflow.reason_needs_not_inspected": {
        "zh": "只有结论为未检查时才填写未检查原因",
        "en": "a reason not inspected goes with the outcome 'not inspected' only",
    },
    "error.workflow.closed_needs_date": {"zh": "已办结须填写办结日期", "en": "'closed' needs a closing date"},
    "error.workflow.closing_date_without_closed": {
        "zh": "只有处置状态为已办结时才填写办结日期",
        "en": "a closing date goes with the disposal status 'closed' only",
    },
    "error.workflow.closed_before_inspection": {
        "zh": "办结日期 {date} 早于检查日期 {inspected}",
        "en": "closing date {date} is before the inspection date {inspected}",
    },
    "error.workflow.unknown_item": {
        "zh": "检查事项 {item} 不属于本抽查任务",
        "en": "checklist item {item} is not one this campaign checks",
    },
    "error.workflow.duplicate_item": {
        "zh": "检查事项 {item} 重复",
        "en": "checklist item {item} given twice",
    },
    "error.workflow.score_out_of_range": {
        "zh": "检查事项 {item} 的得分 {score} 超出 0–{max} 分",
        "en": "score {score} of item {item} is outside 0-{max}",
    },
    "error.workflow.nonconform_needs_violation": {
        "zh": "检查事项 {item} 不符合，结论不能为未发现问题",
        "en": "item {item} does not conform, so the outcome cannot be 'no violation'",
    },
    "error.workflow.too_long": {
        "zh": "内容过长（{length} 字，上限 {limit} 字）",
        "en": "too long ({length} characters, at most {limit})",
    },
    "error.workflow.outcome_exists": {
        "zh": "对象 {target} 已有检查结果；如需修改请使用更正",
        "en": "target {target} already has a result; correct it instead",
    },
    "error.workflow.submission_reused": {
        "zh": "该表单已保存过其他对象的结果，请刷新页面后重试",
        "en": "this form was already saved for another target; reload the page and try again",
    },
    "error.workflow.unknown_outcome": {"zh": "检查结果不存在", "en": "the result does not exist"},
    "error.workflow.campaign_published": {
        "zh": "本任务已公示，结果不能再修改",
        "en": "the campaign is published; its results can no longer change",
    },
    "error.workflow.return_needs_note": {"zh": "退回时请写明理由", "en": "returning a result needs a note"},
    "error.workflow.campaign_incomplete": {
        "zh": "尚不能公示：{missing} 个对象未录入结果，{pending} 个待审核，{returned} 个已退回待更正",
        "en": "not ready to publish: {missing} target(s) without a result, {pending} awaiting review, "
        "{returned} returned for correction",
    },
    "error.workflow.no_targets": {"zh": "本任务没有检查对象", "en": "the campaign has no targets"},
    # many rows at once (models.results.record_outcomes, models.imports.outcomes)
    "error.workflow.duplicate_target": {
        "zh": "对象 {target} 重复录入（首次在第 {first_row} 行）",
        "en": "target {target} entered twice (first in row {first_row})",
    },
    "error.workflow.other_province": {
        "zh": "对象 {target} 不属于本省，不能录入",
        "en": "target {target} is in another province",
    },
    "error.workflow.rows_invalid": {
        "zh": "有 {count} 处问题，未保存任何结果",
        "en": "{count} problem(s); nothing was saved",
    },
    "error.workflow.no_rows": {"zh": "没有填写任何结果", "en": "no results were filled in"},
    "error.workflow.bad_date": {
        "zh": "“{value}”不是日期（YYYY-MM-DD）",
        "en": "'{value}' is not a date (YYYY-MM-DD)",
    },
    "error.workflow.bad_number": {"zh": "“{value}”不是数字", "en": "'{value}' is not a number"},
    "error.workflow.wrong_campaign": {
        "zh": "该文件是抽查任务 {file} 的模板，不是本任务（{campaign}）的",
        "en": "this file is the template of campaign {file}, not of this campaign ({campaign})",
    },
    "error.workflow.changed_template": {
        "zh": "模板的检查事项列已被修改或与本任务当前的检查事项不一致，请重新下载模板",
        "en": "the template's checklist columns were changed or no longer match the campaign's items; "
        "download the template again",
    },
    "out.import.cell": {"zh": "{cell} 单元格", "en": "cell {cell}"},
    "out.import.row": {"zh": "第 {row} 行", "en": "row {row}"},
    # checklist picks (models.checklist.pick_items)
    "error.workflow.no_items": {"zh": "请至少选择一个检查事项", "en": "pick at least one checklist item"},
    "error.workflow.item_target_type": {
        "zh": "检查事项 {item} 的检查对象类型与本任务不一致",
        "en": "checklist item {item} is for another kind of target than this campaign draws",
    },
    "error.workflow.unknown_campaign": {"zh": "抽查任务不存在", "en": "the campaign does not exist"},
    # deadlines
    "out.deadline.provisional": {
        "zh": "暂定：{years} 年的法定节假日安排尚未收录，按周末和固定日期节日（元旦、劳动节、国庆节）估算；"
        "春节等农历节日和调休未计入，节假日日历更新后可能变化",
        "en": "provisional: the official holiday arrangement for {years} is not in the calendar yet; counted "
        "with weekends and the fixed-date holidays (New Year, Labour Day, National Day) only, without the "
        "lunar holidays and make-up working days, so it may move when the calendar is updated",
    },
    # audit actions
    "vocab.audit_action.outcome.correct": {"zh": "更正检查结果", "en": "Outcome corrected"},
    "vocab.audit_action.outcome.review": {"zh": "审核检查结果", "en": "Outcome reviewed"},
    "vocab.audit_action.campaign.items": {"zh": "确定检查事项", "en": "Checklist items picked"},
    "vocab.audit_action.outcomes.bulk": {"zh": "批量录入检查结果", "en": "Outcomes entered in bulk"},
    "vocab.audit_action.outcomes.approve": {"zh": "批量审核通过检查结果", "en": "Outcomes approved together"},
    "vocab.audit_action.certificate.event": {"zh": "登记证书状态变化", "en": "Certificate event recorded"},
}
