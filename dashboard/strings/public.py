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
    "pub.bundle": {"zh": "公示包", "en": "Public bundle"},
    "pub.bundle.caption": {
        "zh": "公示包（zip）包含抽取记录、抽查计划、抽取时固化的名单（仅公开列）和检查人员资格库（以加盐哈希代替身份，"
        "不含个人信息），以及中英文说明。无需数据库，用 `regdash verify --bundle 文件` 即可离线重现本次抽取并逐项核对。",
        "en": "The bundle (zip) holds the draw record, the plan, the population frozen for the draw (public "
        "columns only), the inspectors' eligibility (salted hashes instead of identities, no personal data) and "
        "a README in Chinese and English. `regdash verify --bundle FILE` re-derives the draw offline, no "
        "database needed, and checks every field.",
    },
    "pub.bundle.download": {"zh": "下载公示包（zip）", "en": "Download the bundle (zip)"},
    "pub.verify": {"zh": "验证本次抽取", "en": "Verify this draw"},
    "pub.verify.running": {
        "zh": "正在由数据库生成公示包并重新推导抽取……",
        "en": "Building the bundle from the store and re-deriving the draw…",
    },
    "pub.verify.match": {
        "zh": "一致：公示包中的名单哈希、人员库哈希可重新计算，检查对象和检查组可由计划和种子完全重现（{checked}）。",
        "en": "Match: the bundle's frame and pool hashes recompute, and its targets and teams re-derive "
        "exactly from the plan and seed ({checked}).",
    },
    "pub.verify.mismatch": {
        "zh": "不一致：发现 {n} 处差异（字段及对象如下）。抽取记录或名单在提交后被改动过。",
        "en": "Mismatch: {n} difference(s), listed below by field and unit. The draw record or its "
        "population was changed after the commit.",
    },
}
