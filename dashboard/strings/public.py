"""Labels of the public results page (一公开)."""

STRINGS: dict[str, dict[str, str]] = {
    "nav.public": {"zh": "结果公示（公众）", "en": "Published results (public)"},
    "pub.caption": {
        "zh": "本页为公众视图：只显示已公示的抽查任务及其结果；执法证号已脱敏。抽取记录中的随机种子、名录哈希和参数可用于复核抽取未被操纵。",
        "en": "The public view: published campaigns and their results only; enforcement-ID numbers are masked. "
        "The seed, frame hash and parameters of each draw let anyone check that it was not rigged.",
    },
    "pub.none": {"zh": "尚无已公示的抽查结果。", "en": "No results have been published yet."},
    "pub.targets": {"zh": "检查对象", "en": "Targets"},
    "pub.violations": {"zh": "发现违法违规", "en": "Violations found"},
    "pub.published_on": {"zh": "公示日期", "en": "Published on"},
    "pub.audit": {"zh": "抽取记录", "en": "Draw record"},
    "pub.audit.download": {"zh": "下载抽取记录（JSON）", "en": "Download the draw record (JSON)"},
    "pub.audit.verify": {
        "zh": "用 `regdash verify --record 文件 --database-url 地址` 可从名录重新推导本次抽取并逐项核对。",
        "en": "`regdash verify --record FILE --database-url URL` re-derives this draw from the frame "
        "and checks every field of the record.",
    },
    "pub.audit.seeded": {
        "zh": "本次抽取为导入的历史记录，不是由本系统抽样程序抽取的，无法重新推导核验；故不提供抽取记录下载。",
        "en": "This draw is a historical record imported into the system, not made by its sampler: "
        "it cannot be re-derived and verified, so no draw record is offered for download.",
    },
    "pub.audit.incomplete": {
        "zh": "本次抽取提交时系统尚未保存完整的抽取记录（抽样方案、组员顺序），无法导出可核验的记录。",
        "en": "When this draw was committed the system did not yet keep the whole draw record "
        "(plan, team order): no verifiable record can be exported.",
    },
}
