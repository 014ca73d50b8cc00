"""Page titles."""

STRINGS: dict[str, dict[str, str]] = {
    "nav.overview": {"zh": "总览", "en": "Overview"},
    "nav.institutions": {"zh": "机构与审批", "en": "Institutions & approvals"},
    "nav.certificates": {"zh": "认证证书", "en": "Certificates"},
    "nav.inspectors": {"zh": "执法检查人员", "en": "Inspectors"},
    "nav.outcomes": {"zh": "检查结果", "en": "Inspection outcomes"},
}
