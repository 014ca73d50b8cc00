"""Sampling frames: a table of units with a unit id and stratum keys, and its content hash."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from functools import cached_property

import numpy as np
import pandas as pd

from sampler.errors import SamplerError

__all__ = ["STRATUM_SEPARATOR", "Frame", "content_hash", "frame_hash"]

#: Stratum labels join the values of the stratum keys with this character, e.g. ``"GD|QMS"``.
STRATUM_SEPARATOR = "|"
_SMALL_TABLE = 20_000  # below this many rows, column digests use plain Python


def _canonical_text(value: object) -> str:
    """Text form of one value used by the content hash (stable across machines and sources)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "\u2205"
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    return str(value)


def _column_digest(values: pd.Series, order: np.ndarray | None) -> bytes:
    """Digest of one column taken in canonical row order ``order`` (None: the stored order is canonical)."""
    digest = hashlib.sha256()
    if pd.api.types.is_integer_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        digest.update(b"int64:")
        ints = values.to_numpy(dtype="<i8")
        digest.update(np.ascontiguousarray(ints if order is None else ints[order]).tobytes())
        return digest.digest()
    if len(values) < _SMALL_TABLE:  # small tables: plain Python is faster than pandas machinery
        raw = values.tolist()
        texts = [_canonical_text(raw[i]) for i in (range(len(raw)) if order is None else order.tolist())]
        distinct_list = sorted(set(texts))
        position = {text: i for i, text in enumerate(distinct_list)}
        distinct = np.array(distinct_list, dtype=object)
        canonical_codes = np.array([position[text] for text in texts], dtype="<i4")
    else:
        # factorize in the stored order, then reorder the integer codes (cheaper than moving text)
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        texts_u = np.array([_canonical_text(u) for u in uniques], dtype=object)
        # Several raw values may share one text (1 and 1.0); rebuild codes over sorted distinct texts.
        distinct, inverse = np.unique(texts_u.astype(str), return_inverse=True)
        inverse = inverse.astype("<i4")
        if not len(codes):
            canonical_codes = np.zeros(0, "<i4")
        else:
            canonical_codes = inverse[codes if order is None else codes[order]]
    digest.update(b"text:")
    digest.update(json.dumps(distinct.tolist(), ensure_ascii=False).encode("utf-8"))
    digest.update(np.ascontiguousarray(canonical_codes).tobytes())
    return digest.digest()


def _id_order(ids: pd.Series) -> np.ndarray:
    """Row positions sorted by unit id: numerically for integer ids, by text otherwise."""
    if pd.api.types.is_integer_dtype(ids.dtype) and not pd.api.types.is_bool_dtype(ids.dtype):
        values = ids.to_numpy(dtype=np.int64)
        if _is_sorted(values):  # frames read from the store come in id order: no sort needed
            return np.arange(len(values), dtype=np.intp)
        return np.argsort(values, kind="stable")
    text = ids.map(_canonical_text) if ids.dtype == object else ids.astype(str)
    codes, _ = pd.factorize(text, sort=True)
    return np.argsort(_narrow(codes), kind="stable")


def _is_sorted(values: np.ndarray) -> bool:
    """Whether ``values`` never decrease (then a stable argsort is the identity)."""
    return len(values) < 2 or bool(np.all(values[1:] >= values[:-1]))


def _strictly_increasing(ids: pd.Series) -> bool:
    """Whether integer ids increase strictly (so are unique: no hash table over millions of ids)."""
    if not pd.api.types.is_integer_dtype(ids.dtype) or pd.api.types.is_bool_dtype(ids.dtype):
        return False
    values = ids.to_numpy()
    return len(values) < 2 or bool(np.all(values[1:] > values[:-1]))


def _narrow(codes: np.ndarray) -> np.ndarray:
    """Non-negative integer codes in the narrowest type: numpy sorts 8- and 16-bit keys by radix
    sort (linear time; stable, so the result is the same as for the wide codes)."""
    if not len(codes) or codes.min() < 0:  # -1 marks a missing value: keep the order it gives
        return codes
    top = int(codes.max())
    if top < 2**8:
        return codes.astype(np.uint8)
    if top < 2**16:
        return codes.astype(np.uint16)
    return codes


def _distinct(codes: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(codes, return_inverse=True)`` for non-negative codes below ``bound``.

    With few possible codes (strata are combinations of a few dozen key values) counting beats
    sorting millions of rows; the result is the same.
    """
    if bound > max(4 * len(codes), 1 << 16):
        return np.unique(codes, return_inverse=True)
    present = np.flatnonzero(np.bincount(codes, minlength=bound))
    slot = np.zeros(bound, dtype=np.int64)
    slot[present] = np.arange(len(present))
    return present, slot[codes]


def _content_hash(data: pd.DataFrame, key: str, order: np.ndarray) -> str:
    identity = _is_sorted(order)  # a permutation in increasing order is the identity
    total = hashlib.sha256(b"regdash-frame-v1\n")
    for name in sorted(map(str, data.columns)):
        total.update(name.encode("utf-8") + b"\x00")
        total.update(_column_digest(data[name], None if identity else order))
    return total.hexdigest()


def content_hash(data: pd.DataFrame, *, key: str) -> str:
    """Order-independent SHA-256 of a table whose rows are identified by column ``key``.

    Rows are put in canonical order (by ``key``; numerically for integer keys, as text otherwise),
    columns in name order; each column is hashed as little-endian int64 (integer columns) or as
    canonical text codes (everything else), and the column digests are hashed together with the
    column names. The result therefore ignores row and column order and is the same on any machine.

    Parameters
    ----------
    data : pandas.DataFrame
        The table.
    key : str
        Name of a column with unique values.

    Returns
    -------
    str
        64 hexadecimal characters.
    """
    if key not in data.columns:
        raise SamplerError(f"column {key!r} is missing from the table", field=key)
    return _content_hash(data, key, _id_order(data[key]))


def frame_hash(data: pd.DataFrame, *, unit_id: str = "unit_id") -> str:
    """The hash a draw records as ``frame_hash``: `content_hash` keyed by the unit id column.

    Equal to ``Frame(data).content_hash`` (strata do not enter the hash); 64 hexadecimal characters.
    """
    return content_hash(data, key=unit_id)


class Frame:
    """A sampling frame: units with a unique id and the keys that define strata.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit. Must hold ``unit_id`` and every column named in ``strata``; other
        columns (institution, risk grade ...) ride along and are part of the content hash.
    strata : sequence of str, optional
        Columns whose value combinations are the strata (default ``("region", "scheme")``).
        An empty sequence gives one stratum holding every unit, labelled ``"all"``.
    unit_id : str, optional
        Name of the unit id column (default ``"unit_id"``).

    Notes
    -----
    A stratum is labelled by joining its key values with ``"|"`` in the order of ``strata``
    (``"GD|QMS"``). The frame never modifies ``data``; treat it as read-only afterwards.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        strata: Sequence[str] = ("region", "scheme"),
        unit_id: str = "unit_id",
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise SamplerError("frame data must be a pandas DataFrame", field="frame")
        strata = tuple(strata) if not isinstance(strata, str) else (strata,)
        missing = [c for c in (unit_id, *strata) if c not in data.columns]
        if missing:
            raise SamplerError(
                f"frame is missing column(s) {', '.join(map(repr, missing))}; it has "
                f"{', '.join(map(str, data.columns))}",
                field=missing[0],
            )
        if len(data) == 0:
            raise SamplerError("frame is empty: it has no units", field="frame")
        ids = data[unit_id]
        if ids.isna().any():
            raise SamplerError(f"frame column {unit_id!r} has missing values", field=unit_id)
        if not _strictly_increasing(ids) and not ids.is_unique:
            duplicated = ids[ids.duplicated()].iloc[0]
            raise SamplerError(f"frame column {unit_id!r} repeats the id {duplicated!r}", field=unit_id)
        for key in strata:
            if data[key].isna().any():
                raise SamplerError(f"frame stratum column {key!r} has missing values", field=key)
        self._data = data.reset_index(drop=True) if not data.index.equals(pd.RangeIndex(len(data))) else data
        self._strata = strata
        self._unit_id = unit_id

    # -- plain attributes -------------------------------------------------------------------
    @property
    def data(self) -> pd.DataFrame:
        """The units table (read-only by convention)."""
        return self._data

    @property
    def strata(self) -> tuple[str, ...]:
        """The stratum key columns."""
        return self._strata

    @property
    def unit_id(self) -> str:
        """Name of the unit id column."""
        return self._unit_id

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Frame({len(self)} units, strata={list(self._strata)}, {len(self.stratum_labels)} strata)"

    def with_strata(self, strata: Sequence[str]) -> Frame:
        """The same units stratified by other keys (the content hash and id order are shared)."""
        other = Frame(self._data, strata=strata, unit_id=self._unit_id)
        for name in ("content_hash", "_by_id"):
            if name in self.__dict__:
                other.__dict__[name] = self.__dict__[name]
        return other

    # -- derived, cached: each computed at most once per frame -------------------------------
    @cached_property
    def _by_id(self) -> np.ndarray:
        """Row positions in unit id order (shared by the content hash and the canonical order)."""
        return _id_order(self._data[self._unit_id])

    @cached_property
    def content_hash(self) -> str:
        """Order-independent SHA-256 of the units table (see `content_hash`)."""
        return _content_hash(self._data, self._unit_id, self._by_id)

    @cached_property
    def _stratum_index(self) -> tuple[np.ndarray, tuple[str, ...]]:
        if not self._strata:
            return np.zeros(len(self), dtype=np.int64), ("all",)
        codes = np.zeros(len(self), dtype=np.int64)
        parts: list[np.ndarray] = []
        for key in self._strata:
            key_codes, uniques = pd.factorize(self._data[key], sort=False)
            codes = codes * len(uniques) + key_codes
            parts.append(np.array([_canonical_text(u) for u in uniques], dtype=object))
        combos, inverse = _distinct(codes, math.prod(len(p) for p in parts))
        labels = []
        for combo in combos:
            texts = []
            rest = int(combo)
            for uniques in reversed(parts):
                rest, code = divmod(rest, len(uniques))
                texts.append(uniques[code])
            labels.append(STRATUM_SEPARATOR.join(reversed(texts)))
        order = np.argsort(np.array(labels, dtype=object).astype(str), kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return rank[inverse].astype(np.int64), tuple(labels[i] for i in order)

    @property
    def stratum_codes(self) -> np.ndarray:
        """Per unit, the position of its stratum in `stratum_labels`."""
        return self._stratum_index[0]

    @property
    def stratum_labels(self) -> tuple[str, ...]:
        """Stratum labels in sorted (canonical) order."""
        return self._stratum_index[1]

    @cached_property
    def stratum_of_unit(self) -> pd.Series:
        """Per unit (row order of `data`), its stratum label."""
        labels = np.array(self.stratum_labels, dtype=object)
        return pd.Series(labels[self.stratum_codes], index=self._data.index, name="stratum")

    def stratum_sizes(self) -> pd.Series:
        """Population size N_h of every stratum, indexed by label in canonical order."""
        counts = np.bincount(self.stratum_codes, minlength=len(self.stratum_labels))
        return pd.Series(counts, index=pd.Index(self.stratum_labels, name="stratum"), name="N")

    @cached_property
    def canonical_order(self) -> np.ndarray:
        """Row positions sorted by (stratum label, unit id): the order every draw starts from."""
        by_id = self._by_id
        within = np.argsort(_narrow(self.stratum_codes[by_id]), kind="stable")
        return by_id[within]

    @cached_property
    def stratum_bounds(self) -> np.ndarray:
        """Offsets into `canonical_order`: stratum h occupies ``[bounds[h], bounds[h + 1])``."""
        counts = np.bincount(self.stratum_codes, minlength=len(self.stratum_labels))
        return np.concatenate([[0], np.cumsum(counts)])

    def stratum_mean(self, column: str, mapping: Mapping[object, float] | None = None) -> pd.Series:
        """Mean per stratum of ``column`` (mapped through ``mapping`` first, if given).

        Used for risk-weighted allocation: ``frame.stratum_mean("risk_grade", {"A": 1, "B": 2})``.
        A value absent from ``mapping`` raises `SamplerError` naming it.
        """
        if column not in self._data.columns:
            raise SamplerError(f"frame has no column {column!r}", field=column)
        values = self._data[column]
        if mapping is not None:
            keyed = {_canonical_text(k): float(v) for k, v in mapping.items()}
            text = values.map(_canonical_text)
            unknown = sorted(set(text.unique()) - set(keyed))
            if unknown:
                raise SamplerError(
                    f"no weight given for {column} value(s) {', '.join(map(repr, unknown[:5]))}",
                    field=column,
                )
            values = text.map(keyed)
        sums = np.bincount(
            self.stratum_codes, weights=values.to_numpy(dtype=float), minlength=len(self.stratum_labels)
        )
        return pd.Series(sums, index=self.stratum_sizes().index) / self.stratum_sizes()

    def cell_counts(self, column: str) -> pd.DataFrame:
        """Units per (stratum, value of ``column``) cell: columns stratum, <column>, units.

        ``stratum`` is categorical over `stratum_labels`; rows are sorted by stratum, then value.
        """
        if column not in self._data.columns:
            raise SamplerError(f"frame has no column {column!r}", field=column)
        codes, names = pd.factorize(self._data[column], sort=True)
        if np.any(codes < 0):
            raise SamplerError(f"frame column {column!r} has missing values", field=column)
        width = max(len(names), 1)
        key = self.stratum_codes * width + codes
        if len(self.stratum_labels) * width <= 50_000_000:
            counts = np.bincount(key, minlength=len(self.stratum_labels) * width)
            present = np.flatnonzero(counts)
            counts = counts[present]
        else:
            present, counts = np.unique(key, return_counts=True)
        stratum = pd.Categorical.from_codes(present // width, categories=list(self.stratum_labels))
        return pd.DataFrame({"stratum": stratum, column: names[present % width], "units": counts})
