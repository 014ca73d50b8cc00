"""Name pools built once from Faker zh_CN, combined in bulk with numpy.

Faker is only asked for its word lists (surnames with weights, given-name characters, company
prefixes, phone prefixes); every name is then an index into those pools, so a million names cost a
few array operations, not a million Faker calls.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from faker.providers.company.zh_CN import Provider as CompanyProvider
from faker.providers.person.zh_CN import Provider as PersonProvider
from faker.providers.phone_number.zh_CN import Provider as PhoneProvider

# Full province names, as used in agency names (广东省市场监督管理局).
PROVINCE_FULL_NAMES: dict[str, str] = {
    "110000": "北京市",
    "120000": "天津市",
    "130000": "河北省",
    "140000": "山西省",
    "150000": "内蒙古自治区",
    "210000": "辽宁省",
    "220000": "吉林省",
    "230000": "黑龙江省",
    "310000": "上海市",
    "320000": "江苏省",
    "330000": "浙江省",
    "340000": "安徽省",
    "350000": "福建省",
    "360000": "江西省",
    "370000": "山东省",
    "410000": "河南省",
    "420000": "湖北省",
    "430000": "湖南省",
    "440000": "广东省",
    "450000": "广西壮族自治区",
    "460000": "海南省",
    "500000": "重庆市",
    "510000": "四川省",
    "520000": "贵州省",
    "530000": "云南省",
    "540000": "西藏自治区",
    "610000": "陕西省",
    "620000": "甘肃省",
    "630000": "青海省",
    "640000": "宁夏回族自治区",
    "650000": "新疆维吾尔自治区",
}

# Main cities per province with their GB/T 2260 prefecture codes (district digits added at random).
PROVINCE_CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "110000": (("北京", "1101"),),
    "120000": (("天津", "1201"),),
    "130000": (("石家庄", "1301"), ("唐山", "1302"), ("保定", "1306"), ("廊坊", "1310")),
    "140000": (("太原", "1401"), ("大同", "1402"), ("长治", "1404")),
    "150000": (("呼和浩特", "1501"), ("包头", "1502"), ("鄂尔多斯", "1506")),
    "210000": (("沈阳", "2101"), ("大连", "2102"), ("鞍山", "2103")),
    "220000": (("长春", "2201"), ("吉林", "2202")),
    "230000": (("哈尔滨", "2301"), ("大庆", "2306")),
    "310000": (("上海", "3101"),),
    "320000": (
        ("南京", "3201"),
        ("无锡", "3202"),
        ("徐州", "3203"),
        ("常州", "3204"),
        ("苏州", "3205"),
        ("南通", "3206"),
    ),
    "330000": (
        ("杭州", "3301"),
        ("宁波", "3302"),
        ("温州", "3303"),
        ("嘉兴", "3304"),
        ("绍兴", "3306"),
        ("金华", "3307"),
        ("台州", "3310"),
    ),
    "340000": (("合肥", "3401"), ("芜湖", "3402"), ("安庆", "3408")),
    "350000": (("福州", "3501"), ("厦门", "3502"), ("泉州", "3505"), ("漳州", "3506")),
    "360000": (("南昌", "3601"), ("赣州", "3607"), ("九江", "3604")),
    "370000": (
        ("济南", "3701"),
        ("青岛", "3702"),
        ("淄博", "3703"),
        ("烟台", "3706"),
        ("潍坊", "3707"),
        ("临沂", "3713"),
    ),
    "410000": (("郑州", "4101"), ("洛阳", "4103"), ("新乡", "4107"), ("许昌", "4110")),
    "420000": (("武汉", "4201"), ("宜昌", "4205"), ("襄阳", "4206")),
    "430000": (("长沙", "4301"), ("株洲", "4302"), ("湘潭", "4303"), ("岳阳", "4306")),
    "440000": (
        ("广州", "4401"),
        ("深圳", "4403"),
        ("珠海", "4404"),
        ("佛山", "4406"),
        ("东莞", "4419"),
        ("中山", "4420"),
        ("惠州", "4413"),
        ("江门", "4407"),
    ),
    "450000": (("南宁", "4501"), ("柳州", "4502"), ("桂林", "4503")),
    "460000": (("海口", "4601"), ("三亚", "4602")),
    "500000": (("重庆", "5001"),),
    "510000": (("成都", "5101"), ("绵阳", "5107"), ("德阳", "5106")),
    "520000": (("贵阳", "5201"), ("遵义", "5203")),
    "530000": (("昆明", "5301"), ("曲靖", "5303")),
    "540000": (("拉萨", "5401"),),
    "610000": (("西安", "6101"), ("宝鸡", "6103"), ("咸阳", "6104")),
    "620000": (("兰州", "6201"), ("天水", "6205")),
    "630000": (("西宁", "6301"),),
    "640000": (("银川", "6401"),),
    "650000": (("乌鲁木齐", "6501"), ("克拉玛依", "6502")),
}

# Industries (GB/T 4754 sections) with words that go into company names, and *assumed* weights.
INDUSTRIES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    (
        "制造业",
        44,
        (
            "机械制造",
            "电子科技",
            "精密模具",
            "化工",
            "塑胶制品",
            "五金制品",
            "电气设备",
            "汽车零部件",
            "纺织",
            "食品",
            "医疗器械",
            "新材料",
            "包装材料",
            "家具",
            "照明电器",
        ),
    ),
    ("建筑业", 17, ("建设工程", "建筑安装", "市政工程", "装饰工程", "路桥工程", "钢结构工程")),
    ("批发和零售业", 8, ("商贸", "供应链", "贸易", "物资")),
    ("信息传输、软件和信息技术服务业", 7, ("软件", "信息技术", "网络科技", "数据服务", "智能科技")),
    ("租赁和商务服务业", 5, ("物业管理", "人力资源", "企业管理", "保安服务")),
    ("交通运输、仓储和邮政业", 4, ("物流", "运输", "仓储")),
    ("科学研究和技术服务业", 4, ("检测技术", "工程设计", "环保科技", "生物科技")),
    ("电力、热力、燃气及水生产和供应业", 3, ("电力", "燃气", "热力", "水务", "新能源")),
    ("水利、环境和公共设施管理业", 2, ("环境工程", "园林绿化", "环卫服务")),
    ("采矿业", 1.5, ("矿业", "石材")),
    ("住宿和餐饮业", 1.2, ("餐饮管理", "酒店管理")),
    ("卫生和社会工作", 1.0, ("医疗管理", "养老服务")),
    ("农、林、牧、渔业", 1.0, ("农业科技", "林业", "牧业")),
    ("居民服务、修理和其他服务业", 1.0, ("家政服务", "设备维修")),
    ("教育", 0.8, ("教育科技", "职业培训")),
    ("房地产业", 0.8, ("置业", "房地产开发")),
    ("文化、体育和娱乐业", 0.5, ("文化传播", "体育发展")),
)
FINANCE_INDUSTRY = "金融业"
IT_INDUSTRY_INDEX = 3
ENERGY_INDUSTRY_INDICES = (0, 7, 9)

COMPANY_SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司", "有限责任公司")
INSTITUTION_KINDS = (
    "认证有限公司",
    "认证中心有限公司",
    "质量认证有限公司",
    "检验认证有限公司",
    "认证服务有限公司",
    "管理体系认证有限公司",
    "标准认证有限公司",
)
BANKS = (
    "中国工商银行股份有限公司",
    "中国农业银行股份有限公司",
    "中国银行股份有限公司",
    "中国建设银行股份有限公司",
    "交通银行股份有限公司",
    "招商银行股份有限公司",
    "兴业银行股份有限公司",
    "中国邮政储蓄银行股份有限公司",
    "浦发银行股份有限公司",
    "中信银行股份有限公司",
    "福建海峡银行股份有限公司",
    "新疆银行股份有限公司",
    "浙江泰隆商业银行股份有限公司",
)
DISTRICT_WORDS = (
    "鼓楼",
    "城东",
    "城西",
    "高新",
    "开发区",
    "中山路",
    "人民路",
    "解放路",
    "新华",
    "滨江",
    "西湖",
    "南湖",
    "东风",
    "和平",
    "光明",
    "建设路",
    "长江路",
    "黄河路",
    "湖滨",
    "站前",
    "金融街",
    "科技园",
)
# Characters that make up company brand names (字号).
BRAND_CHARACTERS = (
    "华泰通安鑫博腾飞恒信达兴盛隆昌远宏伟金源海创联世纪凌云天宇中科万合嘉瑞德润丰正永康新力诚汇美佳"
    "融晟昊宸睿智鼎铭卓越辉煌锦程优品精工众邦方圆启明博远宝利星辰东方旭日奥联亚航普惠同济和谐利民"
)


@cache
def surname_pool() -> tuple[np.ndarray, np.ndarray]:
    """Faker's zh_CN surnames and their frequency weights (normalised)."""
    names = np.array(list(PersonProvider.last_names.keys()), dtype=object)
    weights = np.array(list(PersonProvider.last_names.values()), dtype=float)
    return names, weights / weights.sum()


@cache
def given_name_pool() -> np.ndarray:
    """Single characters from Faker's zh_CN given names."""
    chars = sorted({ch for name in PersonProvider.first_names for ch in name})
    return np.array(chars, dtype=object)


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` Chinese personal names: weighted surname plus one or two given-name characters."""
    surnames, weights = surname_pool()
    given = given_name_pool()
    last = surnames[rng.choice(len(surnames), size=n, p=weights)]
    first = given[rng.integers(0, len(given), size=n)]
    second = given[rng.integers(0, len(given), size=n)]
    two_chars = rng.random(n) < 0.7
    second = np.where(two_chars, second, "")
    return (last + first + second).tolist()


@cache
def brand_pool() -> np.ndarray:
    """Company brand names (字号): Faker's zh_CN company prefixes plus two-character combinations."""
    chars = list(dict.fromkeys(BRAND_CHARACTERS))
    pairs = [a + b for a in chars for b in chars if a != b]
    prefixes = [p for p in CompanyProvider.company_prefixes if len(p) <= 4]
    return np.array(sorted(set(pairs)) + prefixes, dtype=object)


def phone_numbers(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` mainland mobile numbers built from Faker's zh_CN prefixes."""
    prefixes = np.array([str(p) for p in PhoneProvider.phonenumber_prefixes], dtype=object)
    head = prefixes[rng.integers(0, len(prefixes), size=n)]
    tail = rng.integers(0, 100_000_000, size=n)
    return [h + f"{t:08d}" for h, t in zip(head.tolist(), tail.tolist(), strict=True)]
