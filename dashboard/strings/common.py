"""Labels shared by every page."""

STRINGS: dict[str, dict[str, str]] = {
    "app.title": {"zh": "认证监管数据看板", "en": "Certification supervision dashboard"},
    "app.language": {"zh": "语言", "en": "Language"},
    "common.download_csv": {"zh": "下载 CSV", "en": "Download CSV"},
    "common.download_excel": {"zh": "下载 Excel", "en": "Download Excel"},
    "common.no_data": {"zh": "没有符合条件的数据", "en": "No data for this selection"},
    "common.database_missing": {
        "zh": "数据库为空或未初始化：请运行 make run（或 regdash seed --scale demo）",
        "en": "The database is empty or not initialised: run make run (or regdash seed --scale demo)",
    },
    "filter.years": {"zh": "年份", "en": "Years"},
    "filter.provinces": {"zh": "省份", "en": "Provinces"},
    "filter.schemes": {"zh": "认证领域", "en": "Schemes"},
    "filter.statuses": {"zh": "状态", "en": "Statuses"},
}
