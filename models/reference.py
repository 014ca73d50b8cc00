"""Reference tables: provinces (GB/T 2260) and certification schemes."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Region(SQLModel, table=True):
    """A province-level division, keyed by its GB/T 2260 code (e.g. ``440000`` Guangdong)."""

    code: str = Field(primary_key=True, min_length=6, max_length=6)
    abbr: str = Field(max_length=2, unique=True)
    name_zh: str = Field(max_length=16, unique=True)
    name_en: str = Field(max_length=32, unique=True)
    macro_region: str = Field(max_length=4)  # one of the common seven: 华北 华东 华中 华南 西南 西北 东北
    nbs_region: str = Field(max_length=12)  # East, Central, West, Northeast


class Scheme(SQLModel, table=True):
    """A certification scheme (认证制度/领域) such as QMS (ISO 9001)."""

    code: str = Field(primary_key=True, max_length=8)
    name_zh: str = Field(max_length=32)
    name_en: str = Field(max_length=64)
    standard: str = Field(max_length=48)
    family: str = Field(max_length=24)  # management_system or service
