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
}
