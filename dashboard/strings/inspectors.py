"""Labels of the inspector registry page (执法检查人员名录库), its entry form and template import."""

STRINGS: dict[str, dict[str, str]] = {
    "insp.title": {"zh": "执法检查人员名录库", "en": "Inspector registry"},
    "insp.caption": {
        "zh": "手机号与执法证号按查看者权限脱敏显示",
        "en": "Phone numbers and enforcement-ID numbers are masked according to the viewer's role",
    },
    "insp.tab.registry": {"zh": "名录浏览", "en": "Browse"},
    "insp.tab.counts": {"zh": "分省与领域统计", "en": "Counts"},
    "insp.tab.expiring": {"zh": "证件即将到期", "en": "IDs expiring"},
    "insp.tab.form": {"zh": "逐条录入", "en": "Add by form"},
    "insp.tab.import": {"zh": "模板导入", "en": "Import from template"},
    # filters
    "insp.filter.agencies": {"zh": "执法机构", "en": "Agencies"},
    "insp.filter.validity": {"zh": "执法证有效性", "en": "Enforcement-ID validity"},
    "insp.filter.active": {"zh": "在职状态", "en": "Active flag"},
    "insp.active.all": {"zh": "全部", "en": "All"},
    "insp.active.yes": {"zh": "在职", "en": "Active"},
    "insp.active.no": {"zh": "停用", "en": "Inactive"},
    "insp.validity.valid": {"zh": "有效（90 天以上）", "en": "Valid > 90 days"},
    "insp.validity.expiring": {"zh": "90 天内到期", "en": "Expiring ≤ 90 days"},
    "insp.validity.expired": {"zh": "已过期", "en": "Expired"},
    # KPIs and charts
    "insp.kpi.total": {"zh": "检查人员", "en": "Inspectors"},
    "insp.kpi.active": {"zh": "在职", "en": "Active"},
    "insp.kpi.valid": {"zh": "执法证有效", "en": "ID valid"},
    "insp.kpi.expiring": {"zh": "90 天内到期", "en": "Expiring ≤ 90 days"},
    "insp.kpi.expired": {"zh": "执法证过期", "en": "ID expired"},
    "insp.chart.by_province": {"zh": "按省份统计", "en": "By province"},
    "insp.chart.by_scheme": {"zh": "按检查领域统计", "en": "By field (scheme)"},
    "insp.chart.inspectors": {"zh": "人数", "en": "Inspectors"},
    "insp.chart.province": {"zh": "省份", "en": "Province"},
    "insp.chart.scheme": {"zh": "检查领域", "en": "Field"},
    "insp.expiring.title": {
        "zh": "即将到期的执法证（90 天内，在职）",
        "en": "IDs expiring within 90 days (active)",
    },
    "insp.expiring.none": {"zh": "90 天内没有到期的执法证", "en": "No ID expires within 90 days"},
    "insp.table.title": {"zh": "人员名录", "en": "Registry"},
    # columns
    "insp.col.name": {"zh": "姓名", "en": "Name"},
    "insp.col.enforcement_id": {"zh": "执法证号", "en": "Enforcement ID"},
    "insp.col.id_valid_until": {"zh": "有效期至", "en": "Valid until"},
    "insp.col.validity": {"zh": "有效性", "en": "Validity"},
    "insp.col.agency": {"zh": "执法机构", "en": "Agency"},
    "insp.col.province": {"zh": "省份", "en": "Province"},
    "insp.col.schemes": {"zh": "检查领域", "en": "Fields"},
    "insp.col.active": {"zh": "在职", "en": "Active"},
    "insp.col.phone": {"zh": "手机", "en": "Phone"},
    "insp.col.affiliations": {"zh": "曾任职机构（信用代码）", "en": "Past institutions (credit codes)"},
    "insp.col.days_left": {"zh": "剩余天数", "en": "Days left"},
    # form
    "insp.form.title": {"zh": "新增一名检查人员", "en": "Add one inspector"},
    "insp.form.choose": {"zh": "请选择", "en": "Choose"},
    "insp.form.submit": {"zh": "保存", "en": "Save"},
    "insp.form.saved": {"zh": "已保存：{name}（{eid}）", "en": "Saved: {name} ({eid})"},
    "insp.form.invalid": {"zh": "未保存，请修改以下内容：", "en": "Not saved. Please correct:"},
    "insp.form.help.enforcement_id": {
        "zh": "6–24 位汉字、数字、大写字母或连字符，如 粤市监执2019000123",
        "en": "6-24 Chinese characters, digits, capitals or hyphens, e.g. 粤市监执2019000123",
    },
    "insp.form.help.affiliations": {
        "zh": "选填：统一社会信用代码，多个用 ；分隔（用于回避）",
        "en": "Optional: unified social credit codes separated by ; (for conflict avoidance)",
    },
    # import
    "insp.import.step1": {
        "zh": "第 1 步：下载模板并填写",
        "en": "Step 1: download the template and fill it in",
    },
    "insp.import.template": {"zh": "下载 Excel 模板", "en": "Download the Excel template"},
    "insp.import.step2": {
        "zh": "第 2 步：上传填好的文件（.xlsx 或 .csv）",
        "en": "Step 2: upload the file (.xlsx or .csv)",
    },
    "insp.import.upload": {"zh": "选择文件", "en": "Choose a file"},
    "insp.import.step3": {"zh": "第 3 步：检查预览并确认导入", "en": "Step 3: check the preview and confirm"},
    "insp.import.rows": {"zh": "文件共 {rows} 行数据", "en": "{rows} data rows in the file"},
    "insp.import.sheet": {"zh": "工作表：{sheet}", "en": "Sheet: {sheet}"},
    "insp.import.choose_sheet": {"zh": "要导入的工作表", "en": "Sheet to import"},
    "insp.import.bad": {
        "zh": "有 {bad} 行不能导入（共 {problems} 处问题）。请修改文件后重新上传；未导入任何数据。",
        "en": "{bad} rows cannot be imported ({problems} problems). "
        "Fix the file and upload it again; nothing was imported.",
    },
    "insp.import.empty": {"zh": "文件中没有数据行", "en": "The file has no data rows"},
    "insp.import.good": {
        "zh": "全部 {rows} 行检查通过，确认后一次性导入（按执法证号新增或更新）。",
        "en": "All {rows} rows passed. "
        "Confirm to import them in one go (added or updated by enforcement ID).",
    },
    "insp.import.confirm": {"zh": "确认导入 {rows} 行", "en": "Confirm import of {rows} rows"},
    "insp.import.again": {
        "zh": "再次导入同一文件（{rows} 行，已有记录不会重复）",
        "en": "Import the same file again ({rows} rows; nothing is duplicated)",
    },
    "insp.import.done": {
        "zh": "导入完成：新增 {inserted} 人，更新 {updated} 人，未变 {unchanged} 人",
        "en": "Import done: {inserted} added, {updated} updated, {unchanged} unchanged",
    },
    "insp.import.failed": {
        "zh": "导入失败，未写入任何数据：{reason}",
        "en": "Import failed and nothing was written: {reason}",
    },
    "insp.import.problems": {"zh": "问题清单", "en": "Problems"},
    "insp.import.preview": {"zh": "数据预览", "en": "Preview"},
    "insp.import.col.row": {"zh": "行号", "en": "Row"},
    "insp.import.col.cell": {"zh": "单元格", "en": "Cell"},
    "insp.import.col.column": {"zh": "列", "en": "Column"},
    "insp.import.col.value": {"zh": "内容", "en": "Value"},
    "insp.import.col.reason": {"zh": "原因", "en": "Reason"},
    "insp.import.col.status": {"zh": "检查结果", "en": "Check"},
    "insp.import.status.ok": {"zh": "通过", "en": "OK"},
    "insp.import.status.bad": {"zh": "有误", "en": "Error"},
    # whole-file problems
    "insp.file.unreadable_xlsx": {"zh": "无法读取该 Excel 文件", "en": "This Excel file cannot be read"},
    "insp.file.unreadable_csv": {
        "zh": "无法读取该 CSV 文件（请用 UTF-8 或 GBK 编码）",
        "en": "This CSV file cannot be read (use UTF-8 or GBK encoding)",
    },
    "insp.file.bad_encoding": {
        "zh": "文件编码无法识别：只接受 UTF-8 或 GB18030/GBK（不接受 Big5、Shift-JIS、UTF-16 等），请另存为 UTF-8 CSV",
        "en": "Unrecognised text encoding: only UTF-8 or GB18030/GBK is accepted (not Big5, Shift-JIS, "
        "UTF-16 ...); save the file as UTF-8 CSV",
    },
    "insp.file.several_sheets": {
        "zh": "工作簿中有多个含数据的工作表（{sheets}）：请选择要导入的工作表",
        "en": "The workbook has several sheets with data ({sheets}): choose the sheet to import",
    },
    "insp.file.hidden_sheet": {
        "zh": "数据在隐藏的工作表中（{sheets}），隐藏的工作表不会被读取：请取消隐藏或将数据移到可见工作表",
        "en": "The data is on hidden sheets ({sheets}), which are never read: unhide the sheet or move "
        "the data to a visible one",
    },
    "insp.file.unknown_sheet": {
        "zh": "没有名为“{sheet}”的可见工作表（可选：{sheets}）",
        "en": "No visible sheet is named '{sheet}' (sheets: {sheets})",
    },
    "insp.file.unsupported_type": {
        "zh": "只支持 .xlsx 和 .csv 文件",
        "en": "Only .xlsx and .csv files are accepted",
    },
    "insp.file.no_header": {
        "zh": "找不到表头行：请使用下载的模板",
        "en": "No header row found: please use the downloaded template",
    },
    "insp.file.missing_columns": {"zh": "缺少必填列：{columns}", "en": "Required columns missing: {columns}"},
    "insp.file.too_large": {"zh": "文件超过 {limit_mb} MB", "en": "The file is larger than {limit_mb} MB"},
    "insp.file.too_many_rows": {
        "zh": "超过 {limit} 行，请分批导入",
        "en": "More than {limit} rows: import in batches",
    },
    # row problems
    "insp.problem.missing": {"zh": "必填项为空", "en": "Required field is empty"},
    "insp.problem.too_long": {"zh": "内容过长", "en": "Too long"},
    "insp.problem.bad_id_format": {
        "zh": "执法证号格式错误（6–24 位汉字、数字、大写字母或连字符，至少 4 位数字）",
        "en": "Bad enforcement-ID format (6-24 Chinese characters, digits, capitals or hyphens; 4+ digits)",
    },
    "insp.problem.duplicate_in_file": {
        "zh": "执法证号与第 {other_row} 行重复",
        "en": "Same enforcement ID as row {other_row}",
    },
    "insp.problem.bad_date": {
        "zh": "日期无法识别或有歧义（应为 YYYY-MM-DD 或 8 位数字 YYYYMMDD）",
        "en": "Not a date or ambiguous (use YYYY-MM-DD or eight digits YYYYMMDD)",
    },
    "insp.problem.invisible_character": {
        "zh": "含有控制字符或不可见字符（如零宽空格、方向控制符），请删除后重新输入",
        "en": "Holds a control or invisible character (e.g. zero-width space, direction override): "
        "delete it and retype",
    },
    "insp.problem.excel_error": {
        "zh": "单元格是 Excel 错误值（如 #N/A、#REF!），请改为实际内容",
        "en": "The cell holds an Excel error value (e.g. #N/A, #REF!): enter the actual value",
    },
    "insp.problem.numeric_identifier": {
        "zh": "Excel 已把该编号存成数字（超过 15 位有效数字或带小数/科学计数法），原编号已丢失："
        "请将该列设置为“文本”格式后重新输入",
        "en": "Excel stored this identifier as a number (over 15 significant digits, a fraction or "
        "scientific notation) and the typed text is lost: format the column as text and retype it",
    },
    "insp.problem.expired_id": {"zh": "执法证已过期", "en": "Enforcement ID has expired"},
    "insp.problem.unknown_province": {"zh": "未知省份", "en": "Unknown province"},
    "insp.problem.unknown_scheme": {"zh": "未知检查领域代码", "en": "Unknown scheme code"},
    "insp.problem.bad_active": {"zh": "状态应为 是/否", "en": "Active must be yes/no"},
    "insp.problem.bad_phone": {
        "zh": "电话号码格式错误（11 位手机号或固定电话）",
        "en": "Bad phone number (11-digit mobile or landline)",
    },
    "insp.problem.bad_credit_code": {
        "zh": "不是有效的统一社会信用代码（18 位，校验码按 GB 32100 计算，不使用 I、O、S、V、Z）",
        "en": "Not a valid unified social credit code (18 characters, GB 32100 check character; "
        "the letters I, O, S, V, Z are never used)",
    },
    "insp.problem.unknown_institution": {
        "zh": "没有该信用代码的认证机构",
        "en": "No institution has this credit code",
    },
    "insp.problem.already_registered": {
        "zh": "该执法证号已在名录中（修改请用模板导入）",
        "en": "This enforcement ID is already registered (use the template import to update)",
    },
}
