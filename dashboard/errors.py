"""Sampler and workflow errors in the reader's language: the code and fields an error carries, translated.

`sampler.errors.SamplerError` and `models.draw_records.WorkflowError` carry ``code`` (the kind of
problem) and ``fields`` (its values); their English message is for logs and the command line. A page
shows `error_text(error)`: the string ``error.sampler.<code>`` or ``error.workflow.<code>`` filled
with the fields, each value shown as a reader knows it (province and scheme names, model names in
the language, field names as labels). An error without a code falls back to a message naming its field
in Chinese, and to the English message itself in English.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from dashboard.i18n import current_language, province_name, scheme_name, strings, t
from models.draw_records import WorkflowError
from models.reference_data import PROVINCE_CODES, SCHEME_CODES

_PROVINCES = frozenset(PROVINCE_CODES)
_SCHEMES = frozenset(SCHEME_CODES)


@dataclass(frozen=True)
class ErrorInfo:
    """What a page needs to show an error later (it can be cached and pickled, unlike the exception).

    ``kind`` is ``sampler`` or ``workflow``; ``code`` may be None; ``message`` is the English text.
    """

    kind: str
    code: str | None
    message: str
    field: str | None = None
    fields: dict = dataclasses.field(default_factory=dict)


def describe(error: Exception) -> ErrorInfo:
    """The code, fields and English message of ``error`` (a `SamplerError` or a `WorkflowError`)."""
    return ErrorInfo(
        kind="workflow" if isinstance(error, WorkflowError) else "sampler",
        code=getattr(error, "code", None),
        message=str(error),
        field=getattr(error, "field", None),
        fields=dict(getattr(error, "fields", None) or {}),
    )


def stratum_label(value: object) -> str:
    """A stratum as a reader knows it: ``440000`` -> 广东/Guangdong, ``440000/QMS`` -> both parts."""
    parts = []
    for part in str(value).split("/"):
        if part in _PROVINCES:
            parts.append(province_name(part))
        elif part in _SCHEMES:
            parts.append(scheme_name(part))
        else:
            parts.append(part)
    return " / ".join(parts)


def field_label(name: object) -> str:
    """An input's label: ``tolerable`` -> 可容忍不合格率; ``rates['440000']`` -> label (province)."""
    text = str(name)
    base, _, rest = text.partition("[")
    key = f"error.field.{base}"
    label = t(key) if key in strings() else base
    if rest:
        label += f" ({stratum_label(rest.rstrip(']').strip(chr(39) + chr(34)))})"
    return label


def _joined(values: Iterable[object], show) -> str:
    separator = "、" if current_language() == "zh" else ", "
    return separator.join(show(value) for value in values)


def _shown(name: str, value: object) -> object:
    if name in ("stratum", "planned", "scheme", "province", "region"):
        return stratum_label(value)
    if name in ("strata",):
        return _joined(value, stratum_label)
    if name in ("name", "option"):
        return field_label(value)
    if name == "missing":
        return _joined(value, field_label)
    if name in ("model", "method"):
        key = f"plan.{name}.{value}"
        return t(key) if key in strings() else value
    if name == "choices":
        return _joined(value, str)
    return value


def error_text(error: Exception | ErrorInfo) -> str:
    """The message of ``error`` in the current language (see the module docstring)."""
    info = error if isinstance(error, ErrorInfo) else describe(error)
    key = f"error.{info.kind}.{info.code}"
    if info.code and key in strings():
        return t(key, **{name: _shown(name, value) for name, value in info.fields.items()})
    where = field_label(info.field) if info.field else t("error.field.none")
    return t("error.generic", field=where, detail=info.message)
