"""Errors in one language: every code a sampler or workflow error carries has a text in Chinese and English,
the text uses only the fields the error gives, and the dashboard shows the Chinese text in the Chinese UI."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

import dashboard.i18n
from dashboard.errors import describe, error_text
from dashboard.strings import LANGUAGES, load_strings
from models.draw_records import campaign_exists_error
from sampler.allocate import allocate
from sampler.attribute import sample_size
from sampler.errors import InfeasibleAssignmentError, RecordFormatError, SamplerError, check_rate
from sampler.power import plan_power

ROOT = Path(__file__).resolve().parents[2]
ERROR_CLASSES = {"SamplerError": "sampler", "InfeasibleAssignmentError": "sampler"}
ERROR_CLASSES |= {"RecordFormatError": "sampler", "WorkflowError": "workflow"}
# the sampler modules a dashboard page calls: every error they raise carries a code
DASHBOARD_SAMPLER_MODULES = ("errors", "attribute", "allocate", "power", "estimate")
TABLE = load_strings()


def _raises() -> list[tuple[str, int, str, str | None, set[str]]]:
    """(file, line, kind, code, field names) of every error constructed in sampler/ and models/."""
    found = []
    for path in [*ROOT.glob("sampler/**/*.py"), *ROOT.glob("models/**/*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            kind = ERROR_CLASSES.get(node.func.id)
            if kind is None:
                continue
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            code = keywords.get("code")
            literal = code.value if isinstance(code, ast.Constant) else None
            fields = set(keywords) - {"code", "field"}
            found.append((str(path.relative_to(ROOT)), node.lineno, kind, literal, fields))
    return found


RAISES = _raises()


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_string_key_has_both_languages_with_the_same_placeholders():
    for key, texts in TABLE.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(texts[language].strip() for language in LANGUAGES), key
        if key != "error.generic":  # names the field in Chinese, gives the English detail in English
            assert _placeholders(texts["zh"]) == _placeholders(texts["en"]), key


def test_every_error_code_has_a_text_in_both_languages_using_only_the_fields_it_is_given():
    coded = [r for r in RAISES if r[3] is not None]
    assert len(coded) > 50
    for path, line, kind, code, fields in coded:
        key = f"error.{kind}.{code}"
        assert key in TABLE, f"{path}:{line} code {code!r} has no string {key}"
        for language in LANGUAGES:
            assert _placeholders(TABLE[key][language]) <= fields, f"{path}:{line} {key} {language}"


def test_error_classes_default_codes_have_texts():
    for cls in (InfeasibleAssignmentError, RecordFormatError):
        assert f"error.sampler.{cls.code}" in TABLE


def test_every_error_of_the_modules_pages_call_carries_a_code():
    wanted = {f"sampler/{name}.py" for name in DASHBOARD_SAMPLER_MODULES}
    uncoded = [f"{p}:{line}" for p, line, _, code, _ in RAISES if p in wanted and code is None]
    assert uncoded == []


@pytest.fixture
def language(monkeypatch):
    def use(code: str) -> None:
        monkeypatch.setattr(dashboard.i18n, "current_language", lambda: code)

    return use


def _error(call) -> Exception:
    with pytest.raises((SamplerError, ValueError)) as caught:
        call()
    return caught.value


@pytest.mark.parametrize(
    ("call", "zh", "en"),
    [
        (
            lambda: sample_size(confidence=0.95, tolerable=0.05, expected=0.2),
            "可容忍不合格率（0.05）必须大于预期不合格率（0.2）。",
            "The tolerable rate (0.05) must exceed the expected rate (0.2).",
        ),
        (
            lambda: allocate({"130000": 5, "440000": 10}, 20, method="proportional"),
            "样本量（20）不能超过总体数 N（15）。",
            "The sample size (20) cannot exceed the population N (15).",
        ),
    ],
    ids=["tolerable-vs-expected", "n-over-N"],
)
def test_sampler_errors_read_in_the_ui_language(language, call, zh, en):
    error = _error(call)
    language("zh")
    assert error_text(error) == zh
    assert not re.search(r"[A-Za-z]{4,}", error_text(error))  # no English word in the Chinese text
    language("en")
    assert error_text(error) == en


def test_empty_stratum_names_the_province_in_the_language(language):
    error = _error(lambda: allocate({"130000": 5, "440000": 0}, 3, method="proportional"))
    language("zh")
    assert error_text(error) == "分层“广东”没有单位（N = 0）。"
    language("en")
    assert error_text(error) == "Stratum “Guangdong” is empty (N = 0)."


def test_rate_and_choice_errors_name_the_input_in_the_language(language):
    language("zh")
    assert (
        error_text(_error(lambda: check_rate(1.5, "tolerable")))
        == "可容忍不合格率须在 [0, 1] 之内，收到的是 1.5。"
    )
    error = _error(lambda: sample_size(confidence=0.95, tolerable=0.05, model="binomial", population=100))
    assert error_text(error) == "总体数 N 只用于超几何分布模型，不用于二项分布。"
    language("en")
    assert (
        error_text(error) == "The population size is used by the hypergeometric model only, not by Binomial."
    )


def test_plan_power_unknown_strata_named_as_provinces(language):
    error = _error(
        lambda: plan_power({"990000": 1}, {"440000": 10}, rates=0.1, tolerable=0.05, confidence=0.9)
    )
    language("zh")
    assert error_text(error) == "配额中有不存在的分层：990000。"


def test_campaign_exists_reads_in_chinese(language):
    error = campaign_exists_error("X", 2026)
    language("zh")
    assert error_text(error) == "2026 年已有名为“X”的抽查任务，且已抽取。请换一个名称。"
    language("en")
    assert (
        error_text(error)
        == "A 2026 campaign named “X” already exists and has been drawn. Choose another name."
    )


def test_an_error_without_a_code_names_its_field_in_chinese_and_keeps_the_detail_in_english(language):
    error = SamplerError("cap must be true or false, got 'x'", field="cap")
    language("zh")
    assert error_text(error) == "无法完成：输入有误（每人最多任务数）。请检查该项后重试。"
    language("en")
    assert error_text(error) == "Cannot proceed: cap must be true or false, got 'x'"


def test_error_info_survives_pickling_for_the_cache():
    import pickle

    info = describe(_error(lambda: sample_size(confidence=0.95, tolerable=0.05, expected=0.2)))
    assert pickle.loads(pickle.dumps(info)) == info


@pytest.mark.parametrize("model", ["binomial", "hypergeometric", "poisson"])
def test_model_names_are_translated(language, model):
    language("zh")
    zh = dashboard.i18n.t(f"plan.model.{model}")
    language("en")
    assert zh != dashboard.i18n.t(f"plan.model.{model}") and "分布" in zh


def test_a_quota_above_the_population_names_the_provinces_in_the_language(language):
    language("zh")
    text = dashboard.i18n.t("plan.error.quota_over", provinces="河北、广东")
    assert "河北、广东" in text and not re.search(r"[A-Za-z]{3,}", text.replace("n > N", ""))
    language("en")
    assert "Lower these quotas" in dashboard.i18n.t("plan.error.quota_over", provinces="Hebei")
