# ruff: noqa: E501 -- Markdown tables are one line per row
"""README.md of a public draw bundle (Chinese and English), written by `sampler.bundle.write_bundle`."""

from __future__ import annotations

__all__ = ["README"]

README = """\
# 抽取公示包 / Draw bundle

## 中文

本压缩包用于独立核验一次"双随机"抽取：检查对象和检查组能否由公开的名单和随机种子完全重现。

| 文件 | 内容 |
|---|---|
| `record.json` | 抽取记录：抽查计划、随机种子（由抽取前公布承诺值的随机数导出）、名单哈希、抽中的检查对象及入样概率、检查组 |
| `plan.json` | 抽查计划（与 `record.json` 中的 `plan` 相同） |
| `frame.csv` | 抽取时固化的名单（抽样框）：计算名单哈希的列，以及证书编号、获证组织、省份、认证机构等公开列（不参与哈希）；`row_check` 为每行的校验值 |
| `pool.csv` | 执法检查人员库：仅含资格条件列（地区、单位、认证领域、是否在岗、执法证有效期、回避机构），每名人员以加盐哈希 `inspector_key` 代替身份，不含姓名、电话、执法证号 |
| `manifest.json` | 各文件的 SHA-256 与大小、名单各列的类型、检查人员编号列的摘要 |

核验方法：安装 regdash 后运行 `regdash verify --bundle 本文件.zip`。结果为 `match`（退出码 0）表示：
名单哈希与人员库哈希可由本包文件重新计算且与记录一致，检查对象与检查组可由计划和种子完全重现，
公布的随机数与抽取前公布的承诺值一致。否则逐条列出差异（退出码 1），指明字段及名单中被改动的对象。

请再将 `record.json` 中的 `frame_hash`、`assignment.pool_hash`、`lottery.commitment` 与结果公示页面
所示数值核对，并记下页面上的审计链头（chain head），以便日后发现日志被截断。
同一检查人员在不同公示包中的 `inspector_key` 不同，无法跨包关联。

## English

This zip lets anyone check a double-random draw independently: that its targets and inspector
teams follow exactly from the published population and the random seed.

| file | holds |
|---|---|
| `record.json` | the draw record: plan, seed (derived from a nonce committed to before the draw), population hashes, drawn targets with inclusion probabilities, inspector teams |
| `plan.json` | the plan (the same as `plan` in `record.json`) |
| `frame.csv` | the population frozen for the draw: the columns the frame hash covers, and public columns not hashed (certificate number, organisation, province, certification body); `row_check` fingerprints each row |
| `pool.csv` | the inspector pool with eligibility columns only (region, agency, schemes, active, enforcement-ID validity, institutions to avoid); each inspector is a salted hash `inspector_key`: no names, phone numbers or enforcement-ID numbers |
| `manifest.json` | each file's SHA-256 and size, the frame columns' types, the digest of the inspector-id column |

To check it, install regdash and run `regdash verify --bundle THIS.zip`. `match` (exit 0) means the
frame hash and pool hash recompute from these files and equal the record's, the targets and teams
re-derive exactly from the plan and seed, and the revealed nonce matches its commitment. Otherwise
every difference is listed (exit 1), naming the field and, for a changed frame row, the unit.

Also compare `frame_hash`, `assignment.pool_hash` and `lottery.commitment` in `record.json` with
the published results page, and note the audit chain head shown there to detect a truncated log later.
The same inspector has a different `inspector_key` in every bundle, so bundles cannot be linked.

## Hashes / 哈希定义

- frame hash: sampler content hash (`sampler.frame.content_hash`, key `unit_id`) of the hashed columns
  of `frame.csv`, read with the types in `manifest.json` (`int`: 64-bit integer, `text`: as written).
- pool hash: the same content hash over the columns of `pool.csv` other than `inspector_key`, plus
  a column `inspector_id` whose digest is `manifest.json` `pool.inspector_id_digest` (the internal
  ids are not published); `pool.csv` rows are in the sampler's order.
- `∅` in `frame.csv` or `pool.csv` marks a missing value (the hash reads it as missing). / `∅` 表示缺失值。
- `row_check`: the first 16 hex digits of SHA-256 of a row's hashed values (canonical text) joined
  by U+001F.
"""
