"""The fixed reference rows: 31 provinces (GB/T 2260) and the certification schemes."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from models.reference import Region, Scheme

# code, abbr, name_zh, name_en, macro region (common seven), NBS region
PROVINCES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("110000", "BJ", "北京", "Beijing", "华北", "East"),
    ("120000", "TJ", "天津", "Tianjin", "华北", "East"),
    ("130000", "HE", "河北", "Hebei", "华北", "East"),
    ("140000", "SX", "山西", "Shanxi", "华北", "Central"),
    ("150000", "NM", "内蒙古", "Inner Mongolia", "华北", "West"),
    ("210000", "LN", "辽宁", "Liaoning", "东北", "Northeast"),
    ("220000", "JL", "吉林", "Jilin", "东北", "Northeast"),
    ("230000", "HL", "黑龙江", "Heilongjiang", "东北", "Northeast"),
    ("310000", "SH", "上海", "Shanghai", "华东", "East"),
    ("320000", "JS", "江苏", "Jiangsu", "华东", "East"),
    ("330000", "ZJ", "浙江", "Zhejiang", "华东", "East"),
    ("340000", "AH", "安徽", "Anhui", "华东", "Central"),
    ("350000", "FJ", "福建", "Fujian", "华东", "East"),
    ("360000", "JX", "江西", "Jiangxi", "华东", "Central"),
    ("370000", "SD", "山东", "Shandong", "华东", "East"),
    ("410000", "HA", "河南", "Henan", "华中", "Central"),
    ("420000", "HB", "湖北", "Hubei", "华中", "Central"),
    ("430000", "HN", "湖南", "Hunan", "华中", "Central"),
    ("440000", "GD", "广东", "Guangdong", "华南", "East"),
    ("450000", "GX", "广西", "Guangxi", "华南", "West"),
    ("460000", "HI", "海南", "Hainan", "华南", "East"),
    ("500000", "CQ", "重庆", "Chongqing", "西南", "West"),
    ("510000", "SC", "四川", "Sichuan", "西南", "West"),
    ("520000", "GZ", "贵州", "Guizhou", "西南", "West"),
    ("530000", "YN", "云南", "Yunnan", "西南", "West"),
    ("540000", "XZ", "西藏", "Tibet", "西南", "West"),
    ("610000", "SN", "陕西", "Shaanxi", "西北", "West"),
    ("620000", "GS", "甘肃", "Gansu", "西北", "West"),
    ("630000", "QH", "青海", "Qinghai", "西北", "West"),
    ("640000", "NX", "宁夏", "Ningxia", "西北", "West"),
    ("650000", "XJ", "新疆", "Xinjiang", "西北", "West"),
)

# code, name_zh, name_en, standard, family
SCHEMES: tuple[tuple[str, str, str, str, str], ...] = (
    ("QMS", "质量管理体系", "Quality management systems", "GB/T 19001 / ISO 9001", "management_system"),
    (
        "EMS",
        "环境管理体系",
        "Environmental management systems",
        "GB/T 24001 / ISO 14001",
        "management_system",
    ),
    (
        "OHSMS",
        "职业健康安全管理体系",
        "Occupational health and safety MS",
        "GB/T 45001 / ISO 45001",
        "management_system",
    ),
    (
        "ISMS",
        "信息安全管理体系",
        "Information security management systems",
        "GB/T 22080 / ISO/IEC 27001",
        "management_system",
    ),
    (
        "ITSMS",
        "信息技术服务管理体系",
        "IT service management systems",
        "GB/T 24405.1 / ISO/IEC 20000-1",
        "management_system",
    ),
    ("EnMS", "能源管理体系", "Energy management systems", "GB/T 23331 / ISO 50001", "management_system"),
    ("MMS", "测量管理体系", "Measurement management systems", "GB/T 19022 / ISO 10012", "management_system"),
    ("FOREST", "森林认证", "Forest certification", "GB/T 28951 / CFCC", "management_system"),
    ("SVC", "服务认证", "Service certification", "GB/T 27922 etc.", "service"),
    (
        "BANK",
        "银行营业网点服务认证",
        "Bank branch service certification",
        "CNCA-bank branch rules",
        "service",
    ),
    ("SPCA", "软件过程能力评估", "Software process capability", "SJ/T 11234-11235", "service"),
)

PROVINCE_CODES: tuple[str, ...] = tuple(row[0] for row in PROVINCES)
SCHEME_CODES: tuple[str, ...] = tuple(row[0] for row in SCHEMES)


def insert_reference_rows(connection: Connection) -> None:
    """Insert provinces and schemes that are not there yet (idempotent)."""
    region_table, scheme_table = Region.__table__, Scheme.__table__
    have_regions = set(connection.scalars(select(region_table.c.code)))
    regions = [
        dict(code=c, abbr=a, name_zh=z, name_en=e, macro_region=m, nbs_region=n)
        for c, a, z, e, m, n in PROVINCES
        if c not in have_regions
    ]
    if regions:
        connection.execute(insert(region_table), regions)
    have_schemes = set(connection.scalars(select(scheme_table.c.code)))
    schemes = [
        dict(code=c, name_zh=z, name_en=e, standard=s, family=f)
        for c, z, e, s, f in SCHEMES
        if c not in have_schemes
    ]
    if schemes:
        connection.execute(insert(scheme_table), schemes)
