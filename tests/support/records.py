"""Editing a draw record the way a forger would, for the verify tests."""

from __future__ import annotations

import copy
from typing import Any

DELETE = object()  # as ``value``: remove the key or item


def edit(record: Any, path: str, value: Any) -> Any:
    """A copy of ``record`` with the value at ``path`` (dots and ``[i]``) set; ``DELETE`` removes it."""
    forged = copy.deepcopy(record)
    parts = path.replace("[", ".[").split(".")
    node = forged
    for part in parts[:-1]:
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    last = parts[-1]
    key = int(last[1:-1]) if last.startswith("[") else last
    if value is DELETE:
        del node[key]
    else:
        node[key] = value
    return forged
