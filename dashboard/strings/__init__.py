"""The one string table, assembled from one module per page: ``key -> {"zh": ..., "en": ...}``.

Each module in this package defines ``STRINGS``; a key may be defined only once.
"""

from __future__ import annotations

import importlib
import pkgutil

LANGUAGES = ("zh", "en")


def load_strings() -> dict[str, dict[str, str]]:
    """Merge ``STRINGS`` of every module of this package; duplicate keys are an error."""
    table: dict[str, dict[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, texts in module.STRINGS.items():
            if key in table:
                raise ValueError(f"string key {key!r} defined twice (again in {info.name}.py)")
            table[key] = texts
    return table
