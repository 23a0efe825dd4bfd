"""Demo and benchmark applications, as plain dicts in the exchange format.

``demo_applications()`` gives a hand-designed set of realistic applications for
the five regions (jinzhong, gansu, anshan, ganzhou, chongqing): per region at
least three that meet every ``fail`` rule of ``regions.md`` and at least two
that miss exactly the rules named in ``EXPECTED_FAILS`` for a clear, realistic
reason.  ``bulk_applications()`` streams reproducible synthetic applications
for benchmarks.  ``make_uscc()`` makes unified social credit codes
(统一社会信用代码, GB 32100-2015) with a right or a wrong check character.

Every dict validates against ``resources/schema/application.schema.json``.
Nothing here imports Qt or the database.

The names of universities, institutes and a few large groups are real and are
used for realism only; every person, every code (USCC), every address number
and every figure is synthetic.
"""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from typing import Any, Iterator

from stdnum.cn import uscc as _stdnum_uscc

from alliance_desk import dates

__all__ = [
    "FORMAT", "REGIONS", "CALLS", "DEMO_SEED",
    "demo_applications", "bulk_applications", "make_uscc", "expected_outcomes",
    "EXPECTED_ELIGIBLE", "EXPECTED_FAILS", "EXPECTED_WARNS",
]

FORMAT = "alliance-desk/application@1"
REGIONS = ("jinzhong", "gansu", "anshan", "ganzhou", "chongqing")
CALLS = {
    "jinzhong": "jinzhong-2023",
    "gansu": "gansu-standing",
    "anshan": "anshan-2024",
    "ganzhou": "ganzhou-2022",
    "chongqing": "chongqing-2022",
}
DEMO_SEED = 2024

# ============================================================== USCC (GB 32100-2015)

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_VALUE = {c: i for i, c in enumerate(_ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code
_ORG_BODY_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_DEFAULT_CITY_CODES = ("140700", "620100", "210300", "360700", "500000")


def _org_check(body: str) -> str:
    """Check character of a GB 11714 organisation code body (8 characters)."""
    total = 0
    for ch, w in zip(body, _ORG_WEIGHTS):
        total += (ord(ch) - 48 if ch <= "9" else ord(ch) - 55) * w
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def _org_body(rng: random.Random, prefix: str) -> str:
    if prefix.startswith("91") and rng.random() < 0.6:
        # post-2015 registrations: MA + 6 characters
        return "MA" + "".join(rng.choice(_ORG_BODY_CHARS) for _ in range(6))
    return "".join(rng.choice("0123456789") for _ in range(8))


def make_uscc(rng: random.Random, valid: bool = True, *, region_code: str | None = None,
              prefix: str = "91") -> str:
    """An 18-character unified social credit code.

    ``prefix`` is the registration authority and entity type (``91`` enterprise,
    ``12`` public institution such as a university, ``51`` social organisation,
    ``52`` private non-enterprise unit); ``region_code`` the 6-digit
    administrative division code (default: one of the five regions' cities).
    Valid codes pass ``stdnum.cn.uscc.is_valid``; invalid ones differ only in a
    wrong check character (the 18th).
    """
    if region_code is None:
        region_code = rng.choice(_DEFAULT_CITY_CODES)
    body = _org_body(rng, prefix)
    first17 = prefix + region_code + body + _org_check(body)
    good = _stdnum_uscc.calc_check_digit(first17)
    if valid:
        return first17 + good
    return first17 + rng.choice([c for c in _ALPHABET if c != good])


# ============================================================== region data
# A place: (address prefix, 6-digit division code, phone area code, streets, short name for company names)

def _pl(prefix: str, code: str, area: str, streets: str, short: str) -> tuple:
    return (prefix, code, area, tuple(streets.split()), short)


_ZIHAO_COMMON = (
    "华瑞 鑫源 恒信 泰和 宏达 金诚 天润 博通 国泰 昌盛 海川 瑞丰 新辰 安泰 德润 永固 嘉禾 汇能 盛康 明远 "
    "正阳 华通 凯越 卓越 聚力 众合 开元 锦程 长青 鼎盛 宇辰 信达 和信 普瑞 科达 精工 远航 华晟 晟达 亿丰 "
    "同创 合力 兴业 益康 康源 润泽 金石 坤元 乾元 立信 天宇 广源 中联 弘毅 博远 恒通 东升 泰丰 荣达 恒瑞"
).split()

_REGION: dict[str, dict[str, Any]] = {
    "jinzhong": {
        "province": "山西省", "prov_short": "山西", "city": "晋中市", "city_short": "晋中",
        "sci_dept": "山西省科学技术厅", "ind_dept": "山西省工业和信息化厅", "city_dept": "晋中市科学技术局",
        "counties": {
            "榆次区": [_pl("山西省晋中市榆次区", "140702", "0354", "迎宾街 顺城街 汇通路 蕴华街 龙湖大街 锦纶路 安宁街", "榆次")],
            "太谷区": [_pl("山西省晋中市太谷区", "140703", "0354", "龙山路 东环路 中都路 太谷经济技术开发区", "太谷")],
            "祁县": [_pl("山西省晋中市祁县", "140727", "0354", "昭余路 丹枫街 祁县经济开发区 东观镇工业园区", "祁县")],
            "平遥县": [_pl("山西省晋中市平遥县", "140728", "0354", "中都路 顺城路 洪善镇工业园区 康宁路", "平遥")],
            "介休市": [_pl("山西省晋中市介休市", "140781", "0354", "北关街 新华南街 义安镇工业园区 三佳乡经济开发区", "介休")],
            "晋中开发区": [_pl("山西省晋中市晋中开发区", "140700", "0354", "汇通产业园区 潇河产业园区 大学城产业园区 蕴华街", "晋中")],
            "灵石县": [_pl("山西省晋中市灵石县", "140729", "0354", "新建街 两渡镇工业园区", "灵石")],
            "寿阳县": [_pl("山西省晋中市寿阳县", "140725", "0354", "朝阳街 寿阳经济技术开发区", "寿阳")],
        },
        "outside": [
            _pl("山西省太原市小店区", "140105", "0351", "长治路 学府街 坞城路 龙城大街", "太原"),
            _pl("山西省太原市万柏林区", "140109", "0351", "迎泽西大街 和平北路 长风西街", "太原"),
            _pl("北京市海淀区", "110108", "010", "中关村大街 学院路 上地十街", "北京"),
        ],
        "zihao": "晋源 晋锐 榆丰 汾河 晋谷 龙城 太行 锦绣 昭余 古陶".split(),
        "bureau": {"晋中开发区": "晋中开发区科技服务中心"},
        "bureau_fmt": "晋中市{county}科学技术局",
    },
    "gansu": {
        "province": "甘肃省", "prov_short": "甘肃", "city": "", "city_short": "甘肃",
        "sci_dept": "甘肃省科学技术厅", "ind_dept": "甘肃省工业和信息化厅", "city_dept": "甘肃省工业和信息化厅",
        "counties": {
            "兰州市": [
                _pl("甘肃省兰州市城关区", "620102", "0931", "东岗西路 雁滩路 天水北路 南昌路", "兰州"),
                _pl("甘肃省兰州市七里河区", "620103", "0931", "西津西路 建兰路 敦煌路", "兰州"),
                _pl("甘肃省兰州市安宁区", "620105", "0931", "北滨河西路 安宁西路 桃林路", "兰州"),
                _pl("甘肃省兰州新区", "620100", "0931", "黄河大道 昆仑山大道 纬一路", "兰州"),
            ],
            "天水市": [
                _pl("甘肃省天水市秦州区", "620502", "0938", "岷山路 民主西路 藉河南路", "天水"),
                _pl("甘肃省天水市麦积区", "620503", "0938", "社棠路 渭滨北路 马跑泉路", "天水"),
            ],
            "白银市": [
                _pl("甘肃省白银市白银区", "620402", "0943", "人民路 诚信大道 银西产业园区", "白银"),
                _pl("甘肃省白银市平川区", "620403", "0943", "兴平路 电厂路", "白银"),
            ],
            "金昌市": [_pl("甘肃省金昌市金川区", "620302", "0935", "北京路 新华路 桂林路 金川路", "金昌")],
            "酒泉市": [
                _pl("甘肃省酒泉市肃州区", "620902", "0937", "解放路 富康路 酒泉经济技术开发区", "酒泉"),
                _pl("甘肃省酒泉市玉门市", "620981", "0937", "玉门东建材化工工业园 玉门镇", "玉门"),
            ],
            "定西市": [
                _pl("甘肃省定西市陇西县", "621122", "0932", "文峰镇 首阳镇中药材产业园 巩昌镇", "陇西"),
                _pl("甘肃省定西市安定区", "621102", "0932", "永定路 中华路", "定西"),
            ],
            "张掖市": [_pl("甘肃省张掖市甘州区", "620702", "0936", "北环路 县府街 张掖经济技术开发区", "张掖")],
        },
        "outside": [
            _pl("陕西省西安市碑林区", "610103", "029", "咸宁西路 友谊西路 南大街", "西安"),
            _pl("北京市海淀区", "110108", "010", "中关村大街 学院路 上地十街", "北京"),
        ],
        "zihao": "陇原 祁连 敦煌 黄河 陇上 金城 河西 丝路 陇银 陇电".split(),
        "bureau": {},
        "bureau_fmt": "{county}工业和信息化局",
    },
    "anshan": {
        "province": "辽宁省", "prov_short": "辽宁", "city": "鞍山市", "city_short": "鞍山",
        "sci_dept": "辽宁省科学技术厅", "ind_dept": "辽宁省工业和信息化厅", "city_dept": "鞍山市科学技术局",
        "counties": {
            "铁东区": [_pl("辽宁省鞍山市铁东区", "210302", "0412", "南中华路 胜利南路 园林路 东山街 五一路", "鞍山")],
            "铁西区": [_pl("辽宁省鞍山市铁西区", "210303", "0412", "建国路 人民路 大陆街 环钢路", "鞍山")],
            "立山区": [_pl("辽宁省鞍山市立山区", "210304", "0412", "胜利北路 鞍千路 曙光路 工业街", "鞍山")],
            "千山区": [_pl("辽宁省鞍山市千山区", "210311", "0412", "千山中路 鞍腾路 大孤山镇", "千山")],
            "高新区": [_pl("辽宁省鞍山市高新区", "210300", "0412", "千山中路 越岭路 激光产业园 鞍千路", "鞍山")],
            "海城市": [_pl("辽宁省鞍山市海城市", "210381", "0412", "中街 南台镇 腾鳌经济开发区 东四管理区", "海城")],
            "台安县": [_pl("辽宁省鞍山市台安县", "210321", "0412", "环城路 台安经济开发区", "台安")],
        },
        "outside": [
            _pl("辽宁省沈阳市和平区", "210102", "024", "三好街 南京南街 文化路", "沈阳"),
            _pl("辽宁省沈阳市浑南区", "210112", "024", "创新路 浑南中路 世纪路", "沈阳"),
            _pl("辽宁省大连市甘井子区", "210211", "0411", "凌工路 黄浦路 软件园路", "大连"),
        ],
        "zihao": "千山 辽鞍 鞍华 钢城 玉佛 汤岗 辽南 鞍泰 华冶 鞍联".split(),
        "bureau": {"高新区": "鞍山高新技术产业开发区科技创新局"},
        "bureau_fmt": "鞍山市{county}科学技术局",
    },
    "ganzhou": {
        "province": "江西省", "prov_short": "江西", "city": "赣州市", "city_short": "赣州",
        "sci_dept": "江西省科学技术厅", "ind_dept": "江西省工业和信息化厅", "city_dept": "赣州市科学技术局",
        "counties": {
            "章贡区": [_pl("江西省赣州市章贡区", "360702", "0797", "红旗大道 文清路 长征大道 章江南大道 沙河工业园", "赣州")],
            "南康区": [_pl("江西省赣州市南康区", "360703", "0797", "蓉江路 家居小镇 龙岭工业园 唐江镇", "南康")],
            "赣县区": [_pl("江西省赣州市赣县区", "360704", "0797", "赣县经济开发区 梅林镇 储潭镇", "赣县")],
            "赣州经开区": [_pl("江西省赣州市赣州经济技术开发区", "360700", "0797", "金岭西路 迎宾大道 华坚北路 香港工业园", "赣州")],
            "信丰县": [_pl("江西省赣州市信丰县", "360722", "0797", "信丰高新技术产业园区 嘉定镇 大塘埠镇", "信丰")],
            "于都县": [_pl("江西省赣州市于都县", "360731", "0797", "于都工业新区 贡江镇 纺织服装产业园", "于都")],
            "龙南市": [_pl("江西省赣州市龙南市", "360783", "0797", "龙南经济技术开发区 东江乡", "龙南")],
            "瑞金市": [_pl("江西省赣州市瑞金市", "360781", "0797", "瑞金经济技术开发区 象湖镇", "瑞金")],
        },
        "outside": [
            _pl("江西省南昌市青山湖区", "360111", "0791", "艾溪湖北路 高新大道 京东大道", "南昌"),
            _pl("江西省南昌市红谷滩区", "360113", "0791", "学府大道 丰和中大道", "南昌"),
            _pl("广东省深圳市南山区", "440305", "0755", "科技南路 深南大道 高新中一道", "深圳"),
        ],
        "zihao": "赣南 章江 虔城 客家 贡江 蓉江 虔丰 赣湘 宋城 郁孤".split(),
        "bureau": {"赣州经开区": "赣州经济技术开发区科技创新局"},
        "bureau_fmt": "赣州市{county}科学技术局",
    },
    "chongqing": {
        "province": "重庆市", "prov_short": "重庆", "city": "重庆市", "city_short": "重庆",
        "sci_dept": "重庆市科学技术局", "ind_dept": "重庆市经济和信息化委员会", "city_dept": "重庆市经济和信息化委员会",
        "counties": {
            "两江新区": [_pl("重庆市两江新区", "500000", "023", "金渝大道 星光大道 金开大道 云汉大道 鱼复工业园", "重庆")],
            "九龙坡区": [_pl("重庆市九龙坡区", "500107", "023", "西城大道 科园一路 石坪桥横街 铝城大道", "重庆")],
            "渝北区": [_pl("重庆市渝北区", "500112", "023", "龙兴大道 双凤路 空港大道 青枫北路", "重庆")],
            "沙坪坝区": [_pl("重庆市沙坪坝区", "500106", "023", "沙正街 学城大道 大学城中路", "重庆")],
            "西部科学城重庆高新区": [_pl("重庆市高新区", "500107", "023", "科学大道 西永大道 含谷镇 金凤镇", "重庆")],
            "巴南区": [_pl("重庆市巴南区", "500113", "023", "国际生物城 界石镇 龙洲大道", "重庆")],
            "涪陵区": [_pl("重庆市涪陵区", "500102", "023", "李渡工业园区 白涛化工园区 兴华中路 焦石镇", "重庆")],
            "璧山区": [_pl("重庆市璧山区", "500120", "023", "璧泉街道 青杠街道 剑山路", "重庆")],
            "永川区": [_pl("重庆市永川区", "500118", "023", "凤凰湖工业园区 兴龙大道", "重庆")],
        },
        "outside": [
            _pl("四川省成都市武侯区", "510107", "028", "一环路南一段 武侯大道 天府大道北段", "四川"),
            _pl("四川省成都市双流区", "510116", "028", "西航港大道 物联大道", "成都"),
            _pl("北京市海淀区", "110108", "010", "中关村大街 学院路 上地十街", "北京"),
        ],
        "zihao": "巴渝 渝新 两江 山城 渝联 缙云 嘉陵 渝丰 巴山 长嘉".split(),
        "bureau": {"两江新区": "两江新区经济运行局", "西部科学城重庆高新区": "重庆高新区改革发展局"},
        "bureau_fmt": "重庆市{county}经济和信息化委员会",
    },
}

# Universities, institutes and service bodies: name -> (kind, USCC prefix (authority+type+division), address, in_region)
_ACADEMIA: dict[str, dict[str, tuple]] = {
    "jinzhong": {
        "太原理工大学": ("university", "12140000", "山西省太原市万柏林区迎泽西大街79号", False),
        "中北大学": ("university", "12140000", "山西省太原市尖草坪区学院路3号", False),
        "山西大学": ("university", "12140000", "山西省太原市小店区坞城路92号", False),
        "太原科技大学": ("university", "12140000", "山西省太原市万柏林区窊流路66号", False),
        "晋中学院": ("university", "12140000", "山西省晋中市榆次区文华街199号", True),
        "山西农业大学": ("university", "12140000", "山西省晋中市太谷区铭贤南路1号", True),
        "山西中医药大学": ("university", "12140000", "山西省晋中市榆次区山西大学城", True),
        "中国科学院山西煤炭化学研究所": ("research_institute", "12100000", "山西省太原市迎泽区桃园南路27号", False),
        "山西省机电设计研究院有限公司": ("research_institute", "91140000", "山西省太原市小店区长治路", False),
        "晋中市检验检测中心": ("testing", "12140700", "山西省晋中市榆次区迎宾街", True),
        "晋中市科技成果转化服务中心": ("intermediary", "12140700", "山西省晋中市榆次区龙湖大街", True),
    },
    "gansu": {
        "兰州大学": ("university", "12100000", "甘肃省兰州市城关区天水南路222号", True),
        "兰州理工大学": ("university", "12620000", "甘肃省兰州市七里河区兰工坪路287号", True),
        "兰州交通大学": ("university", "12620000", "甘肃省兰州市安宁区安宁西路88号", True),
        "西北师范大学": ("university", "12620000", "甘肃省兰州市安宁区安宁东路967号", True),
        "甘肃农业大学": ("university", "12620000", "甘肃省兰州市安宁区营门村1号", True),
        "甘肃中医药大学": ("university", "12620000", "甘肃省兰州市城关区定西东路35号", True),
        "河西学院": ("university", "12620000", "甘肃省张掖市甘州区北环路846号", True),
        "兰州石化职业技术大学": ("university", "12620000", "甘肃省兰州市七里河区", True),
        "甘肃省科学院": ("research_institute", "12620000", "甘肃省兰州市城关区定西南路229号", True),
        "中国科学院兰州化学物理研究所": ("research_institute", "12100000", "甘肃省兰州市城关区天水中路18号", True),
        "甘肃省中医药研究院": ("research_institute", "12620000", "甘肃省兰州市七里河区", True),
        "甘肃省机械科学研究院有限责任公司": ("research_institute", "91620000", "甘肃省兰州市七里河区", True),
        "甘肃省化工研究院有限责任公司": ("research_institute", "91620000", "甘肃省兰州市城关区", True),
        "西安交通大学": ("university", "12100000", "陕西省西安市碑林区咸宁西路28号", False),
        "甘肃省产品质量监督检验研究院": ("testing", "12620000", "甘肃省兰州市城关区", True),
    },
    "anshan": {
        "辽宁科技大学": ("university", "12210000", "辽宁省鞍山市高新区千山中路185号", True),
        "鞍山师范学院": ("university", "12210000", "辽宁省鞍山市铁东区平安街43号", True),
        "东北大学": ("university", "12100000", "辽宁省沈阳市和平区文化路三巷11号", False),
        "大连理工大学": ("university", "12100000", "辽宁省大连市甘井子区凌工路2号", False),
        "沈阳工业大学": ("university", "12210000", "辽宁省沈阳市经济技术开发区沈辽西路111号", False),
        "沈阳农业大学": ("university", "12210000", "辽宁省沈阳市沈河区东陵路120号", False),
        "鞍钢集团钢铁研究院": ("research_institute", "91210300", "辽宁省鞍山市铁东区", True),
        "中钢集团鞍山热能研究院有限公司": ("research_institute", "91210300", "辽宁省鞍山市铁东区", True),
        "中国科学院金属研究所": ("research_institute", "12100000", "辽宁省沈阳市沈河区文化路72号", False),
        "中国科学院沈阳自动化研究所": ("research_institute", "12100000", "辽宁省沈阳市浑南区创新路135号", False),
        "辽宁省果树科学研究所": ("research_institute", "12210000", "辽宁省营口市鲅鱼圈区熊岳镇", False),
        "鞍山市产品质量监督检验院": ("testing", "12210300", "辽宁省鞍山市铁东区", True),
    },
    "ganzhou": {
        "江西理工大学": ("university", "12360000", "江西省赣州市章贡区红旗大道86号", True),
        "赣南师范大学": ("university", "12360000", "江西省赣州市蓉江新区", True),
        "赣南医学院": ("university", "12360000", "江西省赣州市章贡区", True),
        "赣南科技学院": ("university", "12360000", "江西省赣州市章贡区", True),
        "江西环境工程职业学院": ("university", "12360000", "江西省赣州市章贡区", True),
        "南昌大学": ("university", "12360000", "江西省南昌市红谷滩区学府大道999号", False),
        "江西农业大学": ("university", "12360000", "江西省南昌市青山湖区志敏大道1101号", False),
        "江西服装学院": ("university", "52360000", "江西省南昌市青山湖区", False),
        "东华大学": ("university", "12100000", "上海市松江区人民北路2999号", False),
        "中国科学院赣江创新研究院": ("research_institute", "12100000", "江西省赣州市章贡区", True),
        "赣州有色冶金研究所有限公司": ("research_institute", "91360700", "江西省赣州市章贡区", True),
        "赣州市农业科学研究所": ("research_institute", "12360700", "江西省赣州市章贡区", True),
        "赣州市检验检测认证总院": ("testing", "12360700", "江西省赣州市章贡区", True),
    },
    "chongqing": {
        "重庆大学": ("university", "12100000", "重庆市沙坪坝区沙正街174号", True),
        "重庆邮电大学": ("university", "12500000", "重庆市南岸区崇文路2号", True),
        "重庆理工大学": ("university", "12500000", "重庆市巴南区红光大道69号", True),
        "重庆交通大学": ("university", "12500000", "重庆市南岸区学府大道66号", True),
        "西南大学": ("university", "12100000", "重庆市北碚区天生路2号", True),
        "重庆医科大学": ("university", "12500000", "重庆市渝中区医学院路1号", True),
        "重庆科技学院": ("university", "12500000", "重庆市沙坪坝区大学城东路20号", True),
        "四川大学": ("university", "12100000", "四川省成都市武侯区一环路南一段24号", False),
        "电子科技大学": ("university", "12100000", "四川省成都市高新区西源大道2006号", False),
        "西南石油大学": ("university", "12510000", "四川省成都市新都区新都大道8号", False),
        "中国汽车工程研究院股份有限公司": ("research_institute", "91500000", "重庆市两江新区金开大道", True),
        "中国科学院重庆绿色智能技术研究院": ("research_institute", "12100000", "重庆市北碚区", True),
        "中国电子科技集团公司第二十四研究所": ("research_institute", "12100000", "重庆市沙坪坝区", True),
        "重庆材料研究院有限公司": ("research_institute", "91500000", "重庆市北碚区", True),
        "重庆市中药研究院": ("research_institute", "12500000", "重庆市南岸区", True),
        "招商局检测车辆技术研究院有限公司": ("testing", "91500000", "重庆市两江新区", True),
        "重庆市计量质量检测研究院": ("testing", "12500000", "重庆市北部新区", True),
        "重庆市生产力促进中心": ("intermediary", "12500000", "重庆市渝北区", True),
    },
}

# experts' units from outside the region (besides the region's own academia)
_EXPERT_UNITS = (
    "清华大学", "北京理工大学", "吉林大学", "同济大学", "西安交通大学", "华中科技大学", "中南大学",
    "北京科技大学", "浙江大学", "天津大学", "哈尔滨工业大学", "上海交通大学", "武汉理工大学",
    "中国科学院过程工程研究所", "中国农业大学", "四川大学",
)

_PROFESSIONAL_TITLES = ("教授", "研究员", "正高级工程师", "教授级高级工程师", "教授、博士生导师")

_MATERIALS = {
    "jinzhong": [("JZ-M1", 4, "A4双面打印，胶装，盖章"), ("JZ-M2", 1, "Word/WPS电子版（U盘）"),
                 ("JZ-M3", 1, "联盟协议书（成员单位法定代表人签字、盖章）")],
    "gansu": [("GS-M5", 1, "牵头单位书面申请（阐述组建必要性和重要性）"), ("GS-M1", 1, "组建申请表"),
              ("GS-M2", 1, "联盟协议"), ("GS-M3", 1, "联盟章程"),
              ("GS-M4", 1, "营业执照、平台认定文件等证明材料复印件")],
    "anshan": [("AS-M1", 1, "联盟协议复印件"), ("AS-M2", 2, "认定申请表"), ("AS-M3", 1, "组建必要性说明"),
               ("AS-M4", None, "各成员单位营业执照或法人证书复印件")],
    "ganzhou": [("GZ-M1", 3, "组建申请表"), ("GZ-M2", 3, "组建协议"), ("GZ-M3", 1, "组建方案"),
                ("GZ-M4", 1, "四图：环节覆盖图、产业链供应链图、供应链分布图、区域分布图"),
                ("GZ-M5", 1, "成员单位表（文件5）"), ("GZ-M6", 1, "理事及秘书处名单（文件6）"),
                ("GZ-M7", 1, "专家咨询委员会名单（文件7）")],
    "chongqing": [("CQ-M1", 1, "申报表"), ("CQ-M2", 1, "材料目录清单"), ("CQ-M3", 1, "建设运行报告"),
                  ("CQ-M4", 1, "组建协议"), ("CQ-M5", 1, "牵头单位创新资质及研发能力证明")],
}

# submission windows: (first day, last day) of the call, weekdays only
_WINDOWS = {
    "jinzhong": (date(2023, 9, 4), date(2023, 9, 29)),
    "gansu": (date(2021, 3, 1), date(2024, 6, 28)),
    "anshan": (date(2024, 3, 4), date(2024, 10, 31)),
    "ganzhou": (date(2022, 8, 15), date(2022, 11, 30)),
    "chongqing": (date(2022, 5, 5), date(2022, 5, 27)),
}

_SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁"
             "魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹"
             "黎易常武乔贺赖龚文")
_GIVEN = ("伟刚勇毅俊峰强军平东文辉力明永健广志义兴良海山波宁福生龙元国胜学祥才武新利清飞彬富顺信杰涛昌"
          "成康光天达安岩中茂进林坚和博诚敬振会思群豪邦乐功松善庆磊民友裕哲江超浩亮政谦奇朗宏鸣斌栋维启"
          "翔旭鹏泽晨辰建家树德泰盛秀娟英华慧美娜静淑惠玉萍红玲芬芳燕春兰凤洁梅琳云雪荣霞月莹艳瑞佳嘉琼"
          "丽晶颖倩婷瑶蓉琴薇岚欣宇昊睿鑫磊")
_MOBILE = ("138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "182", "183", "187",
           "188", "130", "131", "132", "155", "156", "186", "133", "153", "180", "189", "177", "199")
_CO_SUFFIX = ("有限公司", "有限公司", "股份有限公司", "科技有限公司", "科技股份有限公司")


def _person(rng: random.Random) -> str:
    given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.72 else "")
    return rng.choice(_SURNAMES) + given


def _mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE) + f"{rng.randrange(10 ** 8):08d}"


def _landline(rng: random.Random, area: str) -> str:
    if area in ("023", "010", "024", "029", "028"):
        return f"{area}-{rng.randint(2, 8)}{rng.randrange(10 ** 7):07d}"
    return f"{area}-{rng.randint(2, 8)}{rng.randrange(10 ** 6):06d}"


def _address(rng: random.Random, place: tuple) -> str:
    street = rng.choice(place[3])
    if street.endswith(("园", "区", "镇", "乡", "城", "道")) and not street.endswith(("大道",)):
        return f"{place[0]}{street}"
    return f"{place[0]}{street}{rng.randint(1, 399)}号"


_SCI_DEPT = {"北京市": "北京市科学技术委员会", "上海市": "上海市科学技术委员会", "重庆市": "重庆市科学技术局"}


def _own_province(address: str) -> str:
    """The province (or municipality) an address starts with."""
    i = address.find("省")
    if 0 < i <= 3:
        return address[: i + 1]
    return address[: address.find("市") + 1] if "市" in address[:4] else address[:3]


def _weekday_in(rng: random.Random, first: date, last: date) -> date:
    span = (last - first).days
    while True:
        d = first + timedelta(days=rng.randint(0, span))
        if d.weekday() < 5 and not (d.month == 10 and d.day <= 7) and not (d.month == 5 and d.day <= 3):
            return d  # a working day outside the National Day and Labour Day holidays


def _new_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# ============================================================== the demo scenarios
# Each scenario is one application.  "fails" and "warns" are the rule ids of
# regions.md that this application is designed to miss (all other fail/warn
# rules of its region are met).

def _lead(name: str, *platforms: tuple, kind: str = "enterprise", classes: tuple = ("leading", "high_tech"),
          outside: int | None = None) -> dict:
    return {"name": name, "kind": kind, "classes": list(classes), "outside": outside,
            "platforms": [dict(zip(("name", "level", "kind", "approved_by"), p)) for p in platforms]}


_SCENARIOS: list[dict[str, Any]] = [
    # ------------------------------------------------------------------ jinzhong
    dict(key="jz-nev", region="jinzhong", county="晋中开发区", industry="新能源汽车",
         name="晋中市新能源汽车产业技术创新战略联盟",
         lead=_lead("山西华晋新能源汽车股份有限公司",
                    ("山西省企业技术中心", "provincial", "企业技术中心", "山西省工业和信息化厅"),
                    ("晋中市新能源汽车整车集成工程技术研究中心", "municipal", "工程技术研究中心", "晋中市科学技术局"),
                    classes=("leading", "chain_master", "high_tech")),
         academia=["太原理工大学", "中北大学", "晋中学院"],
         extras=[("晋中市汽车工业协会", "industry_association"), ("晋商银行股份有限公司晋中分行", "financial")],
         n_members=18, n_core=7,
         biz=["汽车零部件", "电驱动", "动力电池", "汽车电子", "新能源材料", "智能装备", "精密铸造", "汽车线束"],
         topics=["新能源汽车动力系统", "汽车轻量化材料", "车用电池安全"],
         directions=["驱动电机及控制器一体化设计", "动力电池热管理与安全", "整车轻量化与铝合金压铸", "车用氢燃料电池系统集成"],
         goals="围绕晋中市新能源汽车产业链，联合攻克驱动电机、动力电池热管理、整车轻量化等关键共性技术，"
               "三年内形成发明专利10项以上、团体标准2项，带动产业链上下游企业协同发展。",
         abbr="jzxnyqc", fails=set(), warns=set()),
    dict(key="jz-steel", region="jinzhong", county="介休市", industry="特钢材料",
         name="晋中市特钢材料产业技术创新战略联盟",
         lead=_lead("山西晋鑫特殊钢集团有限公司",
                    ("山西省特殊钢材料工程技术研究中心", "provincial", "工程技术研究中心", "山西省科学技术厅"),
                    ("山西省企业技术中心", "provincial", "企业技术中心", "山西省工业和信息化厅")),
         academia=["太原理工大学", "太原科技大学", "山西省机电设计研究院有限公司"],
         extras=[("晋中市冶金行业协会", "industry_association"), ("晋中市检验检测中心", "testing")],
         n_members=32, n_core=9,
         biz=["特钢", "合金材料", "锻造", "精密铸造", "金属制品", "轴承", "耐磨材料", "冶金装备"],
         topics=["特殊钢冶炼", "钢铁冶金固废利用"],
         directions=["高品质轴承钢、齿轮钢洁净化冶炼", "特钢棒线材控轧控冷工艺", "钢渣等冶金固废资源化利用", "短流程电炉炼钢节能降碳"],
         goals="以介休特钢产业集群为依托，突破高端轴承钢、齿轮钢洁净化冶炼和控轧控冷等关键技术，"
               "推动特钢产品向高端装备配套延伸，三年内新增高附加值钢种5个以上。",
         abbr="jztgcl", fails=set(), warns={"JZ-TOTAL-MAX"}),
    dict(key="jz-pharma", region="jinzhong", county="太谷区", industry="现代医药",
         name="晋中市现代医药产业技术创新战略联盟",
         lead=_lead("山西晋谷药业股份有限公司",
                    ("山西省中药制剂工程技术研究中心", "provincial", "工程技术研究中心", "山西省科学技术厅")),
         academia=["山西中医药大学", "山西农业大学", "山西大学"],
         extras=[("晋中市科技成果转化服务中心", "intermediary")],
         n_members=20, n_core=6,
         biz=["药业", "中药饮片", "生物医药", "医药科技", "中药材种植", "制药装备"],
         topics=["中药制剂", "道地药材"],
         directions=["经典名方中药复方制剂开发", "道地药材规范化种植与溯源", "中药饮片质量标准提升", "化学药一致性评价"],
         goals="依托太谷中医药产业基础，构建道地药材种植—饮片加工—制剂开发的创新链，三年内完成3个经典名方制剂"
               "研发和2项中药材地方标准。",
         abbr="jzxdyy", secretariat={"in_lead_unit": False, "place_county": "晋中开发区"},
         zero_rd_enterprise=True,
         fails=set(), warns={"JZ-SECRETARIAT-LEAD", "JZ-RD-INVEST"}),
    dict(key="jz-beef", region="jinzhong", county="平遥县", industry="平遥牛肉",
         name="晋中市平遥牛肉产业技术创新战略联盟",
         lead=_lead("山西古陶牛肉食品股份有限公司",
                    ("山西省肉制品加工工程技术研究中心", "provincial", "工程技术研究中心", "山西省科学技术厅")),
         academia=["山西农业大学", "晋中学院"],
         extras=[("平遥县牛肉产业协会", "industry_association")],
         n_members=12, n_core=4,
         biz=["牛肉食品", "肉制品", "畜牧养殖", "食品包装", "冷链物流", "调味品"],
         topics=["传统肉制品加工", "肉牛健康养殖"],
         directions=["传统牛肉腌制工艺标准化", "低温肉制品保鲜与冷链", "肉牛良种繁育与健康养殖", "副产物综合利用"],
         goals="围绕平遥牛肉特色专业镇，开展传统工艺标准化、保鲜包装和肉牛健康养殖技术攻关，提升平遥牛肉品牌价值。",
         abbr="pyniurou", fails={"JZ-CORE-MIN"}, warns=set(),
         why="核心成员仅4家（含牵头单位），要求不少于5家"),
    dict(key="jz-glass", region="jinzhong", county="祁县", industry="祁县玻璃器皿",
         name="晋中市祁县玻璃器皿产业技术创新战略联盟",
         lead=_lead("山西祁县华晶玻璃器皿有限公司",
                    ("山西省企业技术中心", "provincial", "企业技术中心", "山西省工业和信息化厅")),
         academia=["太原理工大学", "晋中学院"],
         extras=[("祁县玻璃器皿行业协会", "industry_association")],
         n_members=14, n_core=6,
         biz=["玻璃器皿", "玻璃制品", "耐热玻璃", "玻璃模具", "包装制品", "工艺玻璃"],
         topics=["耐热玻璃", "玻璃窑炉节能"],
         directions=["高硼硅耐热玻璃配方与熔制", "人工吹制器皿自动化成型", "窑炉天然气节能与余热利用", "无铅水晶玻璃料方"],
         goals="面向祁县玻璃器皿专业镇，突破高硼硅耐热玻璃熔制和器皿自动化成型技术，降低单位产品能耗15%。",
         abbr="qxbl", agreement_years=2, fails={"JZ-AGREEMENT-TERM"}, warns=set(),
         why="联盟协议期仅2年，自申报日起不足3年"),
    dict(key="jz-pv", region="jinzhong", county="榆次区", industry="光伏电池及组件",
         name="晋中市光伏电池及组件产业技术创新战略联盟",
         lead=_lead("山西晋阳光能科技有限公司",
                    ("山西省高效光伏电池工程技术研究中心", "provincial", "工程技术研究中心", "山西省科学技术厅")),
         academia=["太原理工大学", "中国科学院山西煤炭化学研究所", "晋中学院"],
         extras=[("晋中市新能源行业协会", "industry_association")],
         n_members=16, n_core=6,
         biz=["光伏科技", "光伏材料", "硅材料", "电池组件", "光伏玻璃", "储能科技", "光伏装备"],
         topics=["高效晶硅电池", "光伏储能"],
         directions=["TOPCon/HJT高效电池量产工艺", "光伏组件封装材料国产化", "分布式光伏与储能一体化", "退役组件回收利用"],
         goals="围绕光伏电池及组件产业链，联合攻关高效电池量产工艺与封装材料，三年内量产电池转换效率提升1个百分点。",
         abbr="jzgf", submitted_at="2023-09-30T18:40", fails={"JZ-DEADLINE"}, warns=set(),
         why="9月30日18:40提交，超过18:00截止时间"),
    dict(key="jz-malleable", region="jinzhong", county="太谷区", industry="太谷玛钢",
         name="晋中市太谷玛钢产业技术创新战略联盟",
         lead=_lead("山西太谷恒昌玛钢管件有限公司",
                    ("山西省企业技术中心", "provincial", "企业技术中心", "山西省工业和信息化厅")),
         academia=["太原科技大学", "中北大学"],
         extras=[("太谷区玛钢行业协会", "industry_association"), ("晋中市检验检测中心", "testing")],
         n_members=15, n_core=6,
         biz=["玛钢管件", "铸造", "管道配件", "五金制品", "阀门", "消防管件", "模具"],
         topics=["可锻铸铁", "绿色铸造"],
         directions=["可锻铸铁管件薄壁化与轻量化", "铸造砂处理与绿色铸造", "管件自动化造型生产线", "镀锌工艺环保改造"],
         goals="推动太谷玛钢专业镇铸造工艺绿色化、自动化升级，三年内建成2条自动化造型示范线。",
         abbr="tgmg", bad_uscc="member", fails={"JZ-USCC"}, warns=set(),
         why="一家成员单位的统一社会信用代码校验位错误"),
    # ------------------------------------------------------------------ gansu
    dict(key="gs-nonferrous", region="gansu", county="金昌市", industry="有色金属新材料",
         name="甘肃省有色金属新材料产业技术创新联盟",
         lead=_lead("金川集团股份有限公司",
                    ("国家企业技术中心", "national", "企业技术中心", "国家发展和改革委员会"),
                    ("镍钴资源综合利用国家重点实验室", "national", "重点实验室", "科学技术部"),
                    classes=("leading", "chain_master", "high_tech")),
         academia=["兰州大学", "兰州理工大学", "中国科学院兰州化学物理研究所", "甘肃省科学院"],
         extras=[("甘肃省有色金属行业协会", "industry_association"), ("甘肃省产品质量监督检验研究院", "testing")],
         n_members=16, n_core=6,
         biz=["有色金属", "新材料", "镍钴材料", "铜材", "稀贵金属", "电池材料", "冶金装备"],
         topics=["镍钴新材料", "有色冶炼固废利用"],
         directions=["镍钴锂电池正极材料前驱体", "铜镍冶炼渣资源化利用", "高纯稀贵金属制备", "有色冶炼烟气治理"],
         goals="以金昌有色金属产业为核心，联合攻克电池材料前驱体、冶炼渣综合利用等关键技术，形成行业标准2项以上。",
         abbr="gsysjs", fails=set(), warns=set()),
    dict(key="gs-tcm", region="gansu", county="定西市", industry="中医中药",
         name="甘肃省中医中药产业技术创新联盟",
         lead=_lead("甘肃陇西岐黄中药材股份有限公司",
                    ("甘肃省中药材加工工程技术研究中心", "provincial", "工程技术研究中心", "甘肃省科学技术厅"),
                    ("甘肃省企业技术中心", "provincial", "企业技术中心", "甘肃省工业和信息化厅")),
         academia=["甘肃中医药大学", "甘肃农业大学", "兰州大学", "甘肃省中医药研究院"],
         extras=[("甘肃省医药行业协会", "industry_association"), ("甘肃银行股份有限公司定西分行", "financial")],
         n_members=18, n_core=6,
         biz=["中药材", "中药饮片", "药业", "中药材种植", "生物科技", "药材物流"],
         topics=["道地中药材", "中药饮片炮制"],
         directions=["当归、党参、黄芪道地药材良种选育", "中药饮片炮制工艺规范化", "中药材全程质量追溯", "中药大健康产品开发"],
         goals="打造陇药全产业链创新体系，开展道地药材良种选育、饮片炮制规范化和质量追溯技术攻关。",
         abbr="gszyzy", fails=set(), warns=set()),
    dict(key="gs-petro", region="gansu", county="兰州市", industry="石化装备",
         name="甘肃省石化装备产业技术创新联盟",
         lead=_lead("兰州兰石集团有限公司",
                    ("国家企业技术中心", "national", "企业技术中心", "国家发展和改革委员会"),
                    ("甘肃省石化装备工程技术研究中心", "provincial", "工程技术研究中心", "甘肃省科学技术厅")),
         academia=["兰州理工大学", "兰州交通大学", "甘肃省机械科学研究院有限责任公司", "兰州石化职业技术大学"],
         extras=[("甘肃省机械工业协会", "industry_association")],
         n_members=15, n_core=6,
         biz=["石化装备", "压力容器", "换热设备", "阀门", "机械制造", "焊接材料", "检测技术"],
         topics=["石化压力容器", "高效换热"],
         directions=["大型加氢反应器制造技术", "高效换热器设计与制造", "石化装备智能运维", "特种材料焊接工艺"],
         goals="围绕炼化装备国产化，联合突破大型加氢反应器、高效换热器制造和智能运维技术。",
         abbr="gsshzb", systems={"open_membership": False}, fails=set(), warns={"GS-OPEN"}),
    dict(key="gs-electric", region="gansu", county="天水市", industry="电工电器",
         name="甘肃省电工电器产业技术创新联盟",
         lead=_lead("天水陇电电工电器股份有限公司",
                    ("甘肃省企业技术中心", "provincial", "企业技术中心", "甘肃省工业和信息化厅")),
         academia=[],
         extras=[("天水市电工电器行业协会", "industry_association"), ("甘肃银行股份有限公司天水分行", "financial")],
         n_members=10, n_core=5,
         biz=["电工电器", "开关", "电气设备", "电力电子", "电器元件", "电缆", "自动化"],
         topics=["高压开关", "低压电器"],
         directions=["高压开关设备智能化", "低压电器小型化设计", "电力电子变流装置", "电气设备可靠性试验"],
         goals="推动天水电工电器产业集群协同创新，提升高压开关、低压电器产品智能化水平。",
         abbr="gsdgdq", fails={"GS-COMPOSITION"}, warns=set(),
         why="成员均为企业和服务机构，没有高校或科研院所"),
    dict(key="gs-newenergy", region="gansu", county="酒泉市", industry="新能源装备",
         name="甘肃省风光电新能源装备产业技术创新联盟",
         lead=_lead("酒泉祁连风电装备有限公司",
                    ("甘肃省风电装备工程技术研究中心", "provincial", "工程技术研究中心", "甘肃省科学技术厅")),
         academia=["兰州理工大学", "兰州交通大学", "河西学院"],
         extras=[("甘肃省新能源行业协会", "industry_association")],
         n_members=14, n_core=5,
         biz=["风电装备", "光伏科技", "储能科技", "新能源", "电力设备", "复合材料", "塔筒制造"],
         topics=["风电装备", "新能源并网"],
         directions=["大型风电叶片复合材料", "风电机组智能运维", "光热储能系统集成", "新能源并网与消纳"],
         goals="依托河西走廊风光资源，联合开展风电装备、光热储能和新能源并网消纳技术攻关。",
         abbr="gsxny", agreement={"ip_terms": False, "breach_terms": False}, fails={"GS-IP"}, warns=set(),
         why="联盟协议未约定知识产权归属、许可使用、收益分配和违约责任"),
    dict(key="gs-chem", region="gansu", county="白银市", industry="精细化工",
         name="甘肃省精细化工产业技术创新联盟",
         lead=_lead("白银陇银化工股份有限公司",
                    ("甘肃省精细化工工程技术研究中心", "provincial", "工程技术研究中心", "甘肃省科学技术厅")),
         academia=["兰州大学", "中国科学院兰州化学物理研究所", "甘肃省化工研究院有限责任公司"],
         extras=[("甘肃省石油和化学工业协会", "industry_association")],
         n_members=12, n_core=5,
         biz=["化工", "精细化学品", "新材料", "化学科技", "氟化工", "助剂"],
         topics=["精细化学品合成", "化工清洁生产"],
         directions=["氟化工精细化学品合成", "化工园区安全与清洁生产", "催化剂制备与回收", "工业副产石膏资源化"],
         goals="围绕白银精细化工园区，开展氟化工精细化学品、催化剂回收和清洁生产技术攻关。",
         abbr="gsjxhg", systems={"charter": False}, missing_materials=["GS-M3"],
         fails={"GS-CHARTER", "GS-MATERIALS"}, warns=set(),
         why="联盟章程尚未制定，未提交GS-M3联盟章程"),
    # ------------------------------------------------------------------ anshan
    dict(key="as-steel", region="anshan", county="铁东区", industry="钢铁深加工",
         name="鞍山市钢铁深加工产业技术创新战略联盟",
         lead=_lead("鞍钢集团有限公司",
                    ("国家企业技术中心", "national", "企业技术中心", "国家发展和改革委员会"),
                    ("海洋装备用金属材料及其应用国家重点实验室", "national", "重点实验室", "科学技术部"),
                    classes=("leading", "chain_master", "high_tech")),
         academia=["辽宁科技大学", "东北大学", "鞍钢集团钢铁研究院"],
         extras=[("鞍山市钢铁深加工行业协会", "industry_association"), ("鞍山银行股份有限公司", "financial")],
         n_members=20, n_core=7,
         biz=["钢材加工", "金属制品", "冷轧板", "钢结构", "焊管", "紧固件", "耐火材料"],
         topics=["高强钢深加工", "钢材表面处理"],
         directions=["高强汽车板深加工", "海工及桥梁用钢焊接", "钢材表面处理与涂镀", "冶金固废综合利用"],
         goals="延伸鞍山钢铁产业链，联合突破高强汽车板深加工、海工用钢焊接等关键技术，提高精深加工产品比重。",
         abbr="asgtsjg", fails=set(), warns=set()),
    dict(key="as-laser", region="anshan", county="高新区", industry="激光与光电",
         name="鞍山市激光与光电产业技术创新战略联盟",
         lead=_lead("鞍山千山激光科技有限公司",
                    ("辽宁省激光加工装备工程技术研究中心", "provincial", "工程技术研究中心", "辽宁省科学技术厅"),
                    classes=("specialized_national", "high_tech")),
         academia=["辽宁科技大学", "鞍山师范学院", "东北大学"],
         extras=[("鞍山市产品质量监督检验院", "testing")],
         n_members=14, n_core=5,
         biz=["激光科技", "光电科技", "光学", "激光装备", "智能装备", "光纤器件"],
         topics=["高功率激光", "光电检测"],
         directions=["高功率光纤激光器", "激光熔覆与再制造", "激光精密焊接装备", "光电传感与检测"],
         goals="以鞍山激光产业园为载体，开展高功率光纤激光器和激光再制造装备攻关，培育激光产业集群。",
         abbr="asjg", no_results=True, fails=set(), warns={"AS-RESULTS"}),
    dict(key="as-power", region="anshan", county="铁西区", industry="柔性输配电及节能装备",
         name="鞍山市柔性输配电及节能装备产业技术创新战略联盟",
         lead=_lead("鞍山辽电电力电子股份有限公司",
                    ("辽宁省柔性输配电工程技术研究中心", "provincial", "工程技术研究中心", "辽宁省科学技术厅"),
                    ("辽宁省企业技术中心", "provincial", "企业技术中心", "辽宁省工业和信息化厅")),
         academia=["辽宁科技大学", "沈阳工业大学", "东北大学"],
         extras=[("鞍山银行股份有限公司", "financial")],
         n_members=15, n_core=6,
         biz=["电力电子", "电气", "变压器", "节能科技", "自动化", "电力设备"],
         topics=["柔性输电", "电能质量"],
         directions=["静止无功补偿与柔性直流输电", "高压变频调速节能", "电能质量治理", "智能配电网装备"],
         goals="巩固鞍山柔性输配电装备优势，联合开展柔性直流输电、高压变频节能等关键技术攻关。",
         abbr="asrxsp", fails=set(), warns=set()),
    dict(key="as-magnesite", region="anshan", county="海城市", industry="菱镁新材料",
         name="鞍山市菱镁新材料产业技术创新战略联盟",
         lead=_lead("海城华镁新材料集团有限公司",
                    ("辽宁省镁质材料工程技术研究中心", "provincial", "工程技术研究中心", "辽宁省科学技术厅")),
         academia=["辽宁科技大学", "东北大学", "中钢集团鞍山热能研究院有限公司"],
         extras=[("海城市镁质材料行业协会", "industry_association")],
         n_members=16, n_core=6,
         biz=["镁业", "耐火材料", "镁质材料", "新材料", "矿业", "镁化工"],
         topics=["镁质耐火材料", "高纯氧化镁"],
         directions=["高纯电熔镁砂制备", "镁质耐火材料长寿化", "菱镁矿低品位资源综合利用", "镁基功能材料"],
         goals="推动海城菱镁资源高值化利用，联合攻克高纯镁砂、镁基功能材料制备技术。",
         abbr="aslm", provincial_recognized=True, provincial_recognized_on="2015-11-18", missing_materials=["AS-M3"],
         material_notes={"AS-M1": "附辽宁省产业技术创新战略联盟认定文件复印件"},
         fails=set(), warns=set()),
    dict(key="as-mining", region="anshan", county="立山区", industry="矿山装备",
         name="鞍山市矿山装备产业技术创新战略联盟",
         lead=_lead("鞍山重矿机械装备股份有限公司",
                    ("辽宁省矿山装备工程技术研究中心", "provincial", "工程技术研究中心", "辽宁省科学技术厅")),
         academia=["东北大学", "辽宁科技大学"],
         extras=[("鞍山市产品质量监督检验院", "testing")],
         n_members=13, n_core=5,
         biz=["矿山机械", "重型机器", "破碎设备", "输送设备", "耐磨材料", "液压"],
         topics=["大型破碎筛分", "矿山装备智能化"],
         directions=["大型破碎筛分装备", "矿山装备智能化与远程运维", "耐磨件材料与寿命", "选矿工艺装备"],
         goals="围绕冶金矿山装备，联合攻克大型破碎筛分装备和远程智能运维技术。",
         abbr="asksb", missing_materials=["AS-M3"], fails={"AS-MATERIALS"}, warns=set(),
         why="未提交AS-M3组建必要性说明"),
    dict(key="as-pear", region="anshan", county="千山区", industry="南果梨种植与精深加工",
         name="鞍山市南果梨产业技术创新战略联盟",
         lead=_lead("鞍山千山南果梨食品有限公司",
                    ("鞍山市南果梨深加工工程技术研究中心", "municipal", "工程技术研究中心", "鞍山市科学技术局")),
         academia=["沈阳农业大学", "鞍山师范学院", "辽宁省果树科学研究所"],
         extras=[("鞍山市南果梨协会", "industry_association")],
         n_members=12, n_core=5,
         biz=["果业", "食品", "农业科技", "果品冷藏", "饮品", "生态农业"],
         topics=["南果梨栽培", "果品精深加工"],
         directions=["南果梨品种改良与标准化栽培", "果品采后保鲜与冷链", "南果梨酒、饮品等精深加工", "病虫害绿色防控"],
         goals="提升鞍山南果梨品牌，联合开展品种改良、采后保鲜和精深加工技术攻关。",
         abbr="asngl", not_established=True, fails={"AS-ESTABLISHED"}, warns=set(),
         why="协议已签署但联盟尚未正式成立（无成立日期）"),
    dict(key="as-automation", region="anshan", county="高新区", industry="工业自动化与智能控制",
         name="鞍山市工业自动化与智能控制产业技术创新战略联盟",
         lead=_lead("鞍山英维智能控制股份有限公司",
                    ("辽宁省冶金过程控制工程技术研究中心", "provincial", "工程技术研究中心", "辽宁省科学技术厅"),
                    classes=("specialized_national", "high_tech")),
         academia=["辽宁科技大学", "中国科学院沈阳自动化研究所", "鞍山师范学院"],
         extras=[],
         n_members=15, n_core=6,
         biz=["自动化", "智能控制", "软件", "工业互联网", "传感器", "机器人"],
         topics=["冶金过程控制", "工业机器人"],
         directions=["冶金过程智能控制", "工业机器人系统集成", "工业互联网平台", "智能传感与在线检测"],
         goals="面向冶金、装备制造企业智能化改造，联合开发过程控制系统和工业机器人集成应用。",
         abbr="aszdh", material_copies={"AS-M4": 8}, fails={"AS-MATERIALS"}, warns=set(),
         why="AS-M4营业执照/法人证书仅8份，成员单位15家"),
    # ------------------------------------------------------------------ ganzhou
    dict(key="gz-magnet-motor", region="ganzhou", county="赣州经开区", industry="新能源及新能源汽车产业",
         name="赣州市稀土永磁电机产业科技创新联合体",
         lead=_lead("赣州章华永磁电机股份有限公司",
                    ("江西省稀土永磁电机工程研究中心", "provincial", "工程研究中心", "江西省发展和改革委员会"),
                    ("江西省企业技术中心", "provincial", "企业技术中心", "江西省工业和信息化厅"),
                    classes=("leading", "specialized_national", "high_tech")),
         academia=["江西理工大学", "中国科学院赣江创新研究院", "赣州有色冶金研究所有限公司", "南昌大学"],
         extras=[("赣州银行股份有限公司", "financial"), ("赣州市检验检测认证总院", "testing")],
         n_members=16, n_core=6,
         biz=["永磁电机", "稀土永磁", "磁材", "电机控制", "汽车零部件", "稀土新材料", "电驱动"],
         topics=["稀土永磁材料", "永磁驱动电机"],
         directions=["高性能钕铁硼磁体低重稀土化", "新能源汽车驱动电机", "永磁电机控制器", "稀土永磁材料回收利用"],
         goals="聚焦稀土永磁—电机—整车链条，协同攻关低重稀土磁体和高效驱动电机，推动稀土资源就地转化增值。",
         abbr="gzxtyc", fails=set(), warns=set()),
    dict(key="gz-display", region="ganzhou", county="信丰县", industry="电子信息（数字经济）产业",
         name="赣州市新型显示与智能终端产业科技创新联合体",
         lead=_lead("江西信丰华显光电科技有限公司",
                    ("江西省新型显示工程技术研究中心", "provincial", "工程技术研究中心", "江西省科学技术厅"),
                    classes=("specialized_national", "high_tech")),
         academia=["赣南师范大学", "江西理工大学", "赣南科技学院"],
         extras=[("赣州市检验检测认证总院", "testing")],
         n_members=14, n_core=5,
         biz=["光电", "电子科技", "显示技术", "智能终端", "线路板", "精密模具", "电子材料"],
         topics=["新型显示", "智能终端"],
         directions=["Mini LED背光模组", "高密度印制电路板", "智能终端整机设计", "显示面板检测装备"],
         goals="围绕信丰电子信息产业集群，协同攻关Mini LED背光和高密度线路板技术，完善本地配套。",
         abbr="gzxsxs", fails=set(), warns=set()),
    dict(key="gz-furniture", region="ganzhou", county="南康区", industry="其他产业",
         name="赣州市实木家居产业科技创新联合体",
         lead=_lead("江西南康木匠家居股份有限公司",
                    ("江西省实木家具工程技术研究中心", "provincial", "工程技术研究中心", "江西省科学技术厅")),
         academia=["江西环境工程职业学院", "赣南科技学院"],
         extras=[],
         n_members=9, n_core=4, n_experts=7, secretariat={"full_time_staff": 1},
         biz=["家具", "家居", "木业", "板材", "五金配件", "涂料", "智能家居"],
         topics=["实木家具智能制造", "家具涂装"],
         directions=["实木家具智能制造", "水性涂料涂装工艺", "家具结构设计与个性化定制", "木材干燥与改性"],
         goals="推动南康家具产业由“制造”向“智造”转型，开展实木家具智能制造和水性涂装技术攻关。",
         abbr="gzsmjj", fails=set(), warns={"GZ-MEMBERS-MIN", "GZ-EXPERTS", "GZ-SECRETARIAT-SIZE"}),
    dict(key="gz-navelorange", region="ganzhou", county="赣县区", industry="现代种业",
         name="赣州市脐橙种业产业科技创新联合体",
         lead=_lead("赣州虔丰脐橙种苗科技有限公司",
                    ("赣州市脐橙种苗繁育工程技术研究中心", "municipal", "工程技术研究中心", "赣州市科学技术局"),
                    classes=("high_tech",)),
         academia=["赣南师范大学", "赣州市农业科学研究所", "江西农业大学"],
         extras=[("赣州市果业协会", "industry_association")],
         n_members=13, n_core=5,
         biz=["种苗", "果业", "农业科技", "脐橙", "生物科技", "农资"],
         topics=["脐橙良种繁育", "柑橘病害防控"],
         directions=["脐橙无病毒容器苗繁育", "黄龙病防控与抗性砧木", "脐橙新品种选育", "种苗质量检测标准"],
         goals="建设赣南脐橙种业创新链，开展无病毒容器苗繁育、抗性砧木和新品种选育协同攻关。",
         abbr="gzqczy", fails={"GZ-LEAD-PLATFORM"}, warns=set(),
         why="牵头单位只有市级平台，没有省级以上科技创新平台"),
    dict(key="gz-textile", region="ganzhou", county="于都县", industry="纺织服装产业",
         name="赣州市纺织服装产业科技创新联合体",
         lead=_lead("江西于都华贡纺织服装股份有限公司",
                    ("江西省企业技术中心", "provincial", "企业技术中心", "江西省工业和信息化厅")),
         academia=["江西服装学院", "东华大学", "赣南科技学院"],
         extras=[("于都县纺织服装行业协会", "industry_association"), ("赣州银行股份有限公司", "financial")],
         n_members=15, n_core=5,
         biz=["纺织", "服装", "服饰", "针织", "面料", "印染", "智能制造"],
         topics=["功能性面料", "服装智能制造"],
         directions=["功能性面料开发", "服装智能裁剪与吊挂生产线", "印染废水处理与节水", "服装数字化设计"],
         goals="推动于都纺织服装产业数字化转型，开展功能性面料、智能生产线和印染节水技术攻关。",
         abbr="gzfzfz", agreement={"sealed": False}, fails={"GZ-AGREEMENT"}, warns=set(),
         why="组建协议已签字但未加盖成员单位公章"),
    dict(key="gz-biopharma", region="ganzhou", county="章贡区", industry="医药食品产业",
         name="赣州市生物医药产业科技创新联合体",
         lead=_lead("江西章贡生物制药股份有限公司",
                    ("江西省生物医药工程技术研究中心", "provincial", "工程技术研究中心", "江西省科学技术厅")),
         academia=["赣南医学院", "赣南师范大学", "江西理工大学"],
         extras=[("赣州市检验检测认证总院", "testing")],
         n_members=14, n_core=5,
         biz=["生物医药", "药业", "医疗器械", "生物科技", "中药", "健康食品"],
         topics=["生物制药", "功能食品"],
         directions=["富硒功能食品开发", "中药配方颗粒", "体外诊断试剂", "医用耗材"],
         goals="依托赣州医药产业园，协同开展富硒功能食品、中药配方颗粒和体外诊断试剂研发。",
         abbr="gzswyy", bad_uscc="lead", fails={"GZ-LEAD-LEGAL", "GZ-USCC"}, warns=set(),
         why="牵头单位统一社会信用代码校验位错误"),
    # ------------------------------------------------------------------ chongqing
    dict(key="cq-icv", region="chongqing", county="两江新区", industry="智能网联汽车",
         name="重庆市智能网联汽车产业技术创新联盟",
         lead=_lead("重庆两江智行汽车科技有限公司",
                    ("重庆市企业技术中心", "municipal", "企业技术中心", "重庆市经济和信息化委员会"),
                    ("重庆市智能网联汽车工程技术研究中心", "municipal", "工程技术研究中心", "重庆市科学技术局"),
                    classes=("specialized_national", "high_tech")),
         academia=["重庆大学", "重庆邮电大学", "中国汽车工程研究院股份有限公司", "招商局检测车辆技术研究院有限公司"],
         extras=[("重庆农村商业银行股份有限公司", "financial")],
         n_members=18, n_core=7, tier="pilot",
         biz=["汽车电子", "智能驾驶", "汽车零部件", "车联网", "传感器", "软件", "汽车科技"],
         topics=["智能驾驶", "车路协同"],
         directions=["L3级自动驾驶域控制器", "车路协同与V2X通信", "智能座舱人机交互", "汽车功能安全与预期功能安全测试"],
         goals="围绕智能网联汽车产业链，协同攻关自动驾驶域控制器、车路协同和智能座舱关键技术，形成团体标准3项。",
         abbr="cqznwl", fails=set(), warns=set()),
    dict(key="cq-semi", region="chongqing", county="西部科学城重庆高新区", industry="功率半导体",
         name="重庆市功率半导体产业技术创新联盟",
         lead=_lead("重庆渝芯功率半导体有限公司",
                    ("国家企业技术中心", "national", "企业技术中心", "国家发展和改革委员会"),
                    ("重庆市功率半导体工程研究中心", "municipal", "工程研究中心", "重庆市发展和改革委员会"),
                    classes=("specialized_national", "high_tech")),
         academia=["重庆大学", "重庆邮电大学", "中国电子科技集团公司第二十四研究所", "中国科学院重庆绿色智能技术研究院"],
         extras=[("重庆市生产力促进中心", "intermediary")],
         n_members=16, n_core=6, tier="demonstration", previously_pilot=True,
         biz=["半导体", "微电子", "电子材料", "封装测试", "功率器件", "集成电路"],
         topics=["功率器件", "芯片封装"],
         directions=["碳化硅功率器件", "IGBT模块封装", "功率半导体可靠性测试", "车规级芯片设计"],
         goals="建设功率半导体设计—制造—封测协同创新链，突破碳化硅器件和车规级IGBT模块关键技术。",
         abbr="cqglbdt", fails=set(), warns=set()),
    dict(key="cq-biomed", region="chongqing", county="巴南区", industry="生物医药",
         name="重庆市生物医药产业技术创新联盟",
         lead=_lead("重庆博康生物医药股份有限公司",
                    ("重庆市企业技术中心", "municipal", "企业技术中心", "重庆市经济和信息化委员会"),
                    classes=("leading", "high_tech")),
         academia=["重庆医科大学", "西南大学", "重庆市中药研究院"],
         extras=[("重庆市计量质量检测研究院", "testing")],
         n_members=15, n_core=5, tier="pilot",
         biz=["生物医药", "药业", "医疗器械", "生物科技", "制药", "诊断试剂"],
         topics=["生物药", "中药新药"],
         directions=["单克隆抗体药物", "中药新药及经典名方", "高端医疗器械", "体外诊断"],
         goals="依托重庆国际生物城，协同开展抗体药物、中药新药和高端医疗器械研发与成果转化。",
         abbr="cqswyy", fails=set(), warns={"CQ-PRIORITY"}),
    dict(key="cq-aluminium", region="chongqing", county="九龙坡区", industry="铝合金轻量化材料",
         name="重庆市铝合金轻量化材料产业技术创新联盟",
         lead=_lead("重庆渝铝轻合金科技股份有限公司",
                    ("重庆市企业技术中心", "municipal", "企业技术中心", "重庆市经济和信息化委员会"),
                    classes=("specialized_municipal", "high_tech")),
         academia=["重庆大学", "重庆理工大学", "重庆材料研究院有限公司"],
         extras=[],
         n_members=12, n_core=5, tier="pilot", tech_staff_total=25,
         biz=["铝业", "轻合金", "压铸", "汽车零部件", "模具", "表面处理", "新材料"],
         topics=["高强铝合金", "轻量化结构件"],
         directions=["高强韧铝合金压铸件", "汽车轻量化结构件", "再生铝保级利用", "铝合金表面处理"],
         goals="围绕汽车、摩托车轻量化需求，协同开发高强韧铝合金压铸件和再生铝保级利用技术。",
         abbr="cqlhj", fails={"CQ-TECH-STAFF"}, warns=set(),
         why="联盟科技工作人员总数25人，要求不低于30人"),
    dict(key="cq-shalegas", region="chongqing", county="涪陵区", industry="页岩气开发装备",
         name="重庆市页岩气开发装备产业技术创新联盟",
         lead=_lead("重庆涪石能源装备股份有限公司",
                    ("重庆市企业技术中心", "municipal", "企业技术中心", "重庆市经济和信息化委员会"),
                    classes=("specialized_municipal", "high_tech")),
         academia=["重庆科技学院", "西南石油大学", "重庆大学"],
         extras=[],
         n_members=12, n_core=5, tier="pilot", submitted_at="2022-05-31T10:15",
         biz=["石油装备", "钻采设备", "压裂装备", "管材", "能源科技", "阀门", "检测技术"],
         topics=["页岩气压裂装备", "钻采工具"],
         directions=["电驱压裂成套装备", "页岩气井口装置国产化", "钻井工具耐磨与寿命", "页岩气开发环保技术"],
         goals="依托涪陵页岩气田，协同攻关电驱压裂成套装备和井口装置国产化。",
         abbr="cqyyq", fails={"CQ-DEADLINE"}, warns=set(),
         why="5月31日10:15提交，超过5月30日23:59截止时间"),
    dict(key="cq-iiot", region="chongqing", county="渝北区", industry="工业互联网",
         name="重庆市工业互联网产业技术创新联盟",
         lead=_lead("四川蜀联工业互联网科技有限公司",
                    ("四川省企业技术中心", "provincial", "企业技术中心", "四川省经济和信息化厅"),
                    classes=("specialized_national", "high_tech"), outside=0),
         academia=["重庆邮电大学", "重庆大学", "电子科技大学"],
         extras=[("重庆市生产力促进中心", "intermediary")],
         n_members=14, n_core=5, tier="pilot",
         biz=["软件", "信息技术", "工业互联网", "数据科技", "智能制造", "网络科技"],
         topics=["工业互联网平台", "边缘计算"],
         directions=["工业互联网标识解析", "边缘计算网关", "工业APP与数字孪生", "工业数据安全"],
         goals="推动成渝地区工业互联网协同发展，开展标识解析、边缘计算和工业数据安全技术攻关。",
         abbr="cqgyhlw", fails={"CQ-LEAD-LOCAL"}, warns=set(),
         why="牵头单位注册地在四川省成都市，不在重庆市内"),
]


# ============================================================== building one demo application

class _Builder:
    def __init__(self, sc: dict, seed: int):
        self.sc = sc
        self.region = sc["region"]
        self.R = _REGION[self.region]
        # one generator per scenario: ids and details stay stable when scenarios are added or reordered
        self.rng = random.Random(f"alliance-desk-demo:{seed}:{sc['key']}")
        self.used_names: set[str] = set()
        self.used_people: set[str] = set()
        self.used_platforms: set[str] = set()

    # -------------------------------------------------------------- small helpers
    def person(self) -> str:
        rng = self.rng
        while True:
            n = _person(rng)
            if n not in self.used_people:
                self.used_people.add(n)
                return n

    def contact(self, area: str, title: str | None = None, email: bool = False) -> dict:
        rng = self.rng
        c = {"name": self.person(), "phone": _landline(rng, area), "mobile": _mobile(rng)}
        if title:
            c["title"] = title
        if email:
            c["email"] = f"{rng.randrange(10 ** 8, 10 ** 10)}@qq.com" if rng.random() < 0.5 else \
                f"{self.sc['abbr']}{rng.randint(10, 999)}@163.com"
        return c

    def local_place(self) -> tuple:
        places = [p for ps in self.R["counties"].values() for p in ps]
        return self.rng.choice(places)

    def company_name(self, place: tuple) -> tuple[str, str]:
        """(company name, its business word)."""
        rng, R = self.rng, self.R
        for _ in range(100):
            prefix = rng.choice((place[4], place[4], R["prov_short"]))
            zihao = rng.choice(R["zihao"] + _ZIHAO_COMMON)
            biz = rng.choice(self.sc["biz"])
            name = prefix + zihao + biz + rng.choice(_CO_SUFFIX)
            if name not in self.used_names:
                self.used_names.add(name)
                return name, biz
        raise RuntimeError("company names exhausted")  # pragma: no cover

    def platform_name(self, candidates: list[str]) -> str:
        """The first candidate no other member of this application uses yet."""
        for name in candidates:
            if name not in self.used_platforms:
                self.used_platforms.add(name)
                return name
        name = candidates[0].replace("中心", "分中心") if "中心" in candidates[0] else candidates[0] + "（二）"
        self.used_platforms.add(name)
        return name

    # -------------------------------------------------------------- members
    def member(self, name: str, kind: str, role: str, place: tuple | None, in_region: bool,
               uscc_prefix: str, address: str | None = None, lead_spec: dict | None = None,
               biz: str | None = None) -> dict:
        rng, R, sc = self.rng, self.R, self.sc
        region_code = place[1] if place else uscc_prefix[2:8]
        uscc = make_uscc(rng, True, region_code=region_code, prefix=uscc_prefix[:2])
        area = place[2] if place else self.lead_place[2]
        m: dict[str, Any] = {"name": name, "uscc": uscc, "kind": kind, "role": role, "in_region": in_region}
        rep_title = {"university": "校长", "research_institute": "院长", "financial": "行长",
                     "industry_association": "会长", "testing": "院长", "intermediary": "主任"}.get(kind, "董事长")
        m["legal_rep"] = self.person()
        m["address"] = address or _address(rng, place)
        topics = sc["topics"]
        if kind == "enterprise":
            m["chain_segment"] = rng.choice(("上游·原材料与关键零部件", "中游·制造与集成", "下游·应用与服务"))
            m["research_direction"] = rng.choice(sc["directions"])
            big = role == "lead"
            emp = rng.randint(800, 6000) if big else rng.randint(150, 1500) if role == "core" else rng.randint(40, 600)
            rd = max(5, int(emp * rng.uniform(0.08, 0.2)))
            m["employees"] = emp
            m["rd_staff"] = rd
            m["senior_titles"] = max(1, int(rd * rng.uniform(0.08, 0.3)))
            revenue = round(emp * rng.uniform(45, 160), -1)
            m["revenue_wan"] = revenue
            m["rd_spend_wan"] = round(revenue * rng.uniform(0.025, 0.065), 1)
            if lead_spec is not None:
                m["enterprise_class"] = list(lead_spec["classes"])
            else:
                cls = []
                if rng.random() < 0.65:
                    cls.append("high_tech")
                r = rng.random()
                if r < 0.1:
                    cls.insert(0, "specialized_national")
                elif r < 0.35:
                    cls.insert(0, "specialized_municipal")
                m["enterprise_class"] = cls
            m["projects_municipal_or_above"] = rng.randint(6, 20) if big else rng.randint(0, 8)
            m["high_level_talent"] = "provincial_or_above" if big else rng.choice(("municipal", "none", "none", "provincial_or_above"))
        elif kind in ("university", "research_institute"):
            m["chain_segment"] = "技术供给"
            m["research_direction"] = rng.choice(sc["directions"])
            uni = kind == "university"
            emp = rng.randint(1200, 4500) if uni else rng.randint(150, 1200)
            rd = int(emp * rng.uniform(0.45, 0.8))
            m["employees"] = emp
            m["rd_staff"] = rd
            m["senior_titles"] = int(rd * rng.uniform(0.3, 0.55))
            m["revenue_wan"] = None
            m["rd_spend_wan"] = float(rng.randint(80, 3000) * 10)
            m["projects_municipal_or_above"] = rng.randint(20, 180) if uni else rng.randint(8, 60)
            m["high_level_talent"] = "provincial_or_above"
        else:
            m["chain_segment"] = "服务支撑"
            m["employees"] = rng.randint(12, 400)
            m["rd_staff"] = None if kind in ("financial", "industry_association") else rng.randint(5, 60)
            m["rd_spend_wan"] = None
            m["projects_municipal_or_above"] = rng.randint(0, 3)
            m["high_level_talent"] = "none"
        # platforms
        prov, city = R["province"], (R["city"] or R["province"])
        if lead_spec is not None:
            self.used_platforms.update(p["name"] for p in lead_spec["platforms"])
            m["platforms"] = [dict(p, approved_on=self.date_before(self.submitted.date(), 400, 3000))
                              for p in lead_spec["platforms"]]
        elif kind in ("university", "research_institute"):
            own = _own_province(m["address"])  # a provincial platform is approved where the unit is
            shuffled = rng.sample(topics, len(topics))
            lab = self.platform_name([f"{own}{t}{k}" for k in ("重点实验室", "工程技术研究中心") for t in shuffled])
            # Chongqing is itself province-level: its own platforms are 市级 (municipal) there
            pls = [{"name": lab, "level": "municipal" if own == "重庆市" else "provincial", "kind": lab[-5:] if lab.endswith("重点实验室") else "工程技术研究中心",
                    "approved_by": _SCI_DEPT.get(own, own + "科学技术厅"),
                    "approved_on": self.date_before(self.submitted.date(), 300, 3600)}]
            if rng.random() < 0.35:
                nat = self.platform_name([f"{t}国家地方联合工程研究中心" for t in shuffled])
                pls.append({"name": nat, "level": "national", "kind": "工程研究中心",
                            "approved_by": "国家发展和改革委员会"})
            m["platforms"] = pls
        elif kind == "enterprise":
            r = rng.random()
            if r < 0.18 and in_region:
                m["platforms"] = [{"name": f"{prov}企业技术中心",
                                   "level": "municipal" if self.region == "chongqing" else "provincial",
                                   "kind": "企业技术中心",
                                   "approved_by": R["ind_dept"]}]
            elif r < 0.55 and in_region:
                cands = [f"{city}{biz}工程技术研究中心"] if biz else []
                cands += [f"{city}{t}工程技术研究中心" for t in rng.sample(topics, len(topics))]
                m["platforms"] = [{"name": self.platform_name(cands), "level": "municipal",
                                   "kind": "工程技术研究中心", "approved_by": R["city_dept"]}]
            else:
                m["platforms"] = []
        else:
            m["platforms"] = []
        m["integrity_ok"] = True
        m["contact"] = self.contact(area, rng.choice(("技术中心主任", "总工程师", "科技处处长", "办公室主任", "项目主管")))
        m["_rep_title"] = rep_title  # removed before returning
        return m

    def date_before(self, d: date, lo: int, hi: int) -> str:
        return (d - timedelta(days=self.rng.randint(lo, hi))).isoformat()

    def build(self) -> dict:
        sc, rng, R, region = self.sc, self.rng, self.R, self.region
        app_id = _new_id(rng)
        # -------------------------------------------- dates
        if "submitted_at" in sc:
            self.submitted = datetime.strptime(sc["submitted_at"], "%Y-%m-%dT%H:%M")
        else:
            d = _weekday_in(rng, *_WINDOWS[region])
            self.submitted = datetime(d.year, d.month, d.day, rng.randint(8, 16), rng.choice((0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55)))
        sub_day = self.submitted.date()
        signed = sub_day - timedelta(days=rng.randint(21, 150))
        # -------------------------------------------- lead
        lead_spec = sc["lead"]
        county_places = R["counties"][sc["county"]]
        if lead_spec["outside"] is not None:
            self.lead_place = R["outside"][lead_spec["outside"]]
            lead_in_region = False
        else:
            self.lead_place = rng.choice(county_places)
            lead_in_region = True
        self.used_names.add(lead_spec["name"])
        members = [self.member(lead_spec["name"], lead_spec["kind"], "lead", self.lead_place, lead_in_region,
                               "91" + self.lead_place[1], lead_spec=lead_spec)]
        # -------------------------------------------- academia, extras, generated enterprises
        table = _ACADEMIA[region]
        acad = []
        for name in sc["academia"]:
            kind, prefix, addr, in_reg = table[name]
            self.used_names.add(name)
            acad.append(self.member(name, kind, "member", None, in_reg, prefix, address=addr))
        extras = []
        for name, kind in sc["extras"]:
            self.used_names.add(name)
            if name in table:
                k2, prefix, addr, in_reg = table[name]
                extras.append(self.member(name, k2, "member", None, in_reg, prefix, address=addr))
            else:
                place = county_places[0]
                prefix = {"industry_association": "51", "intermediary": "12"}.get(kind, "91") + place[1]
                extras.append(self.member(name, kind, "member", place, True, prefix))
        n_gen = sc["n_members"] - 1 - len(acad) - len(extras)
        gen_core = min(n_gen, max(0, sc["n_core"] - 1 - min(2, len(acad))))
        gen = []
        for i in range(n_gen):
            if rng.random() < 0.15 and i >= gen_core:
                place, in_reg = rng.choice(R["outside"]), False
            elif rng.random() < 0.5:
                place, in_reg = rng.choice(county_places), True
            else:
                place, in_reg = self.local_place(), True
            if region == "gansu":  # the region is the province: every Gansu address is in the region
                in_reg = place[0].startswith("甘肃")
            name, biz = self.company_name(place)
            gen.append(self.member(name, "enterprise", "core" if i < gen_core else "member", place, in_reg,
                                   "91" + place[1], biz=biz))
        # core roles: the first two academic members and the biggest generated enterprises
        candidates = acad[:2] + gen + acad[2:]
        for m in candidates[: sc["n_core"] - 1]:
            m["role"] = "core"
        others = [m for m in gen + extras + acad if m["role"] == "member"]
        core = [m for m in candidates if m["role"] == "core"]
        # order: lead, core members, then the rest
        members = members + core + others
        # -------------------------------------------- scenario faults on members
        if sc.get("zero_rd_enterprise"):
            ent = [m for m in members[1:] if m["kind"] == "enterprise"]
            ent[-1]["rd_spend_wan"] = 0.0
        if sc.get("bad_uscc") == "lead":
            members[0]["uscc"] = self.corrupt(members[0]["uscc"])
        elif sc.get("bad_uscc") == "member":
            victim = members[len(members) // 2]
            victim["uscc"] = self.corrupt(victim["uscc"])
        lead = members[0]
        lead_rep_title = lead.pop("_rep_title")
        titles = {id(m): m.pop("_rep_title") for m in members[1:]}
        # -------------------------------------------- organisation
        council = [{"name": lead["legal_rep"], "unit": lead["name"], "title": lead_rep_title, "role": "chair",
                    "phone": _mobile(rng)}]
        for m in core[:3]:
            council.append({"name": m["legal_rep"], "unit": m["name"], "title": titles[id(m)], "role": "vice_chair",
                            "phone": _mobile(rng)})
        for m in (core[3:] + others)[: rng.randint(4, 8)]:
            t = "副校长" if m["kind"] == "university" else "副院长" if m["kind"] == "research_institute" else \
                rng.choice(("总经理", "副总经理", "总工程师", "董事长"))
            council.append({"name": self.person(), "unit": m["name"], "title": t, "role": "member"})
        sec_general = self.person()
        council.append({"name": sec_general, "unit": lead["name"], "title": rng.choice(("副总经理", "总工程师", "技术中心主任")),
                        "role": "secretary_general", "phone": _mobile(rng)})
        if rng.random() < 0.5:
            council.append({"name": self.person(), "unit": lead["name"], "title": "科技部部长",
                            "role": "deputy_secretary_general", "phone": _mobile(rng)})
        n_experts = sc.get("n_experts") or (rng.randint(8, 12) if region == "ganzhou" else rng.randint(5, 11))
        units = [m["name"] for m in members if m["kind"] in ("university", "research_institute")]
        units += [n for n, v in _ACADEMIA[region].items() if v[0] in ("university", "research_institute")]
        units += list(_EXPERT_UNITS)
        experts = []
        for i in range(n_experts):
            role = "chair" if i == 0 else "vice_chair" if i <= (2 if n_experts >= 9 else 1) else "member"
            experts.append({"name": self.person(), "unit": units[i] if i < 2 and len(units) > 1 else rng.choice(units),
                            "title": rng.choice(_PROFESSIONAL_TITLES), "role": role, "phone": _mobile(rng)})
        sec_over = dict(sc.get("secretariat") or {})
        sec_place_county = sec_over.pop("place_county", None)
        if sec_place_county:
            sec_addr = _address(rng, R["counties"][sec_place_county][0]) + "联盟服务中心"
        else:
            sec_addr = lead["address"] + rng.choice(("研发楼3层", "技术中心办公楼2层", "综合楼5层", "科技大厦8层"))
        staff_default = rng.randint(2, 3) if region in ("ganzhou", "jinzhong") else rng.randint(2, 4)
        secretariat = {"address": sec_addr, "in_lead_unit": True, "full_time_staff": staff_default,
                       "office_area_m2": float(rng.randint(6, 20) * 10)}
        secretariat.update(sec_over)
        organization = {"council": council, "expert_committee": experts, "secretariat": secretariat,
                        "external_liability_body": True, "legal_entity_registered": rng.random() < 0.15}
        # -------------------------------------------- agreement and systems
        years = sc.get("agreement_years") or rng.choice((5, 5, 5, 6, 10))
        agreement = {"signed_on": signed.isoformat(), "effective_on": signed.isoformat(),
                     "expires_on": dates.period_end(signed, years).isoformat(),
                     "signed_by_legal_reps": True, "sealed": True, "innovation_goals": True,
                     "task_division": True, "ip_terms": True, "breach_terms": True}
        agreement.update(sc.get("agreement") or {})
        systems = {k: True for k in ("charter", "funding_management", "funding_supervision", "project_management",
                                     "confidentiality", "iur_cooperation", "council_rules", "rd_management",
                                     "open_membership", "results_diffusion", "operation_mechanism",
                                     "management_mechanism", "collaborative_innovation")}
        systems.update(sc.get("systems") or {})
        # -------------------------------------------- materials
        materials = []
        missing = set(sc.get("missing_materials") or ())
        copies_over = sc.get("material_copies") or {}
        notes = sc.get("material_notes") or {}
        for code, copies, note in _MATERIALS[region]:
            if copies is None:
                copies = len(members)
            copies = copies_over.get(code, copies)
            got = code not in missing
            item = {"code": code, "received": got, "copies": copies if got else 0, "note": notes.get(code, note)}
            if not got:
                item["note"] = "未提交" + ("（已获省级认定，不再需要）" if sc.get("provincial_recognized") else "")
            materials.append(item)
        if region == "chongqing" and sc.get("tier") == "demonstration" and sc.get("previously_pilot"):
            # 004 § 三(二): a former 试点 applying for 示范 adds its recognition document
            materials.append({"code": "CQ-M6", "received": True, "copies": 1,
                              "note": "往年试点创新联盟认定文件复印件"})
        # -------------------------------------------- the application
        area = self.lead_place[2] if lead_in_region else county_places[0][2]
        doc: dict[str, Any] = {
            "format": FORMAT,
            "id": app_id,
            "region": region,
            "call": CALLS[region],
            "name": sc["name"],
            "industry": sc["industry"],
        }
        if region == "chongqing":
            doc["tier_requested"] = sc.get("tier", "pilot")
            doc["previously_pilot"] = bool(sc.get("previously_pilot", False))
        if region == "anshan":
            doc["provincial_recognized"] = bool(sc.get("provincial_recognized", False))
            if sc.get("provincial_recognized_on"):
                doc["provincial_recognized_on"] = sc["provincial_recognized_on"]
        established = None if sc.get("not_established") else (signed + timedelta(days=rng.randint(0, 14))).isoformat()
        if established is not None and established > sub_day.isoformat():
            established = signed.isoformat()
        doc.update({
            "county": sc["county"],
            "established_on": established,
            "submitted_at": self.submitted.strftime("%Y-%m-%dT%H:%M"),
            "goals": sc["goals"],
            "research_directions": list(sc["directions"]),
            "investment_wan": float(rng.randint(30, 600) * 10),
            "tech_staff_total": sc.get("tech_staff_total") or (rng.randint(45, 200) if region == "chongqing" else rng.randint(60, 420)),
        })
        if region == "chongqing":  # 004 § 三(一): the bound materials carry every member unit's seal
            doc["materials_sealed_by_all"] = not sc.get("unsealed", False)
        if not sc.get("no_results"):
            doc["cooperation_results"] = (
                f"联盟成员已联合承担{R['province'] if region != 'chongqing' else '重庆市'}级以上科技项目"
                f"{rng.randint(3, 12)}项，共同申请发明专利{rng.randint(8, 40)}项、授权{rng.randint(3, 15)}项，"
                f"牵头或参与制定标准{rng.randint(1, 5)}项，联合培养研究生{rng.randint(10, 60)}名，"
                f"举办技术交流对接活动{rng.randint(3, 12)}场。")
        doc["contact"] = {"name": self.person(), "phone": _landline(rng, area), "mobile": _mobile(rng),
                          "email": f"{sc['abbr']}@163.com", "title": "联盟秘书处联系人"}
        doc["members"] = members
        doc["organization"] = organization
        doc["agreement"] = agreement
        doc["systems"] = systems
        doc["materials"] = materials
        eligible = not sc["fails"]
        if eligible and "submitted_at" not in sc:
            bureau = R["bureau"].get(sc["county"]) or R["bureau_fmt"].format(county=sc["county"])
            doc["recommendation"] = {
                "recommended": True,
                "opinion": "经审核，该联盟申报材料真实、完整，成员构成和组织架构符合申报条件，同意推荐。",
                "by": bureau,
                "on": (sub_day + timedelta(days=rng.randint(3, 20))).isoformat(),
            }
        else:
            doc["recommendation"] = None
        return doc

    def corrupt(self, code: str) -> str:
        good = code[-1]
        return code[:-1] + self.rng.choice([c for c in _ALPHABET if c != good])


def _build_all(seed: int) -> tuple[list[dict], dict[str, bool], dict[str, set[str]], dict[str, set[str]]]:
    apps, eligible, fails, warns = [], {}, {}, {}
    for region in REGIONS:
        for sc in _SCENARIOS:
            if sc["region"] != region:
                continue
            doc = _Builder(sc, seed).build()
            apps.append(doc)
            eligible[doc["id"]] = not sc["fails"]
            fails[doc["id"]] = set(sc["fails"])
            warns[doc["id"]] = set(sc["warns"])
    return apps, eligible, fails, warns


def demo_applications(seed: int = DEMO_SEED) -> list[dict]:
    """Realistic applications for all five regions, at least 5 per region.

    Deterministic for a given seed.  For the default seed the intended outcome
    of each is in ``EXPECTED_ELIGIBLE``, ``EXPECTED_FAILS`` and
    ``EXPECTED_WARNS`` (keyed by application id); ``expected_outcomes(seed)``
    gives the same for any seed.
    """
    return _build_all(seed)[0]


def expected_outcomes(seed: int = DEMO_SEED) -> tuple[dict[str, bool], dict[str, set[str]], dict[str, set[str]]]:
    """(eligible, fails, warns) by application id for ``demo_applications(seed)``.

    ``fails``/``warns`` hold the rule ids of regions.md that are designed not
    to be met (status fail / warn); every other rule of the region is met.  For
    the Anshan application with ``provincial_recognized`` both are empty: every
    other AS rule is ``na``.
    """
    _, eligible, fails, warns = _build_all(seed)
    return eligible, fails, warns


def scenario_notes(seed: int = DEMO_SEED) -> dict[str, str]:
    """Application id -> why it was designed ineligible (Chinese), for ineligible demo applications."""
    apps = demo_applications(seed)
    by_name = {sc["name"]: sc for sc in _SCENARIOS}
    return {a["id"]: by_name[a["name"]]["why"] for a in apps if by_name[a["name"]].get("why")}


# EXPECTED_ELIGIBLE: dict[str, bool]         application id -> meets every fail rule
# EXPECTED_FAILS: dict[str, set[str]]        application id -> fail rule ids designed not to be met
# EXPECTED_WARNS: dict[str, set[str]]        application id -> warn rule ids designed not to be met
# (for demo_applications(DEMO_SEED); computed on first access so that importing this module stays cheap)
_EXPECTED: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    if name in ("EXPECTED_ELIGIBLE", "EXPECTED_FAILS", "EXPECTED_WARNS"):
        if not _EXPECTED:
            e, f, w = expected_outcomes(DEMO_SEED)
            _EXPECTED.update(EXPECTED_ELIGIBLE=e, EXPECTED_FAILS=f, EXPECTED_WARNS=w)
        return _EXPECTED[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ============================================================== bulk (benchmarks)

_BULK_KINDS_EVERY = 6  # every 6th non-lead member is a university or institute


def _bulk_region_tables() -> dict[str, dict]:
    out = {}
    for region in REGIONS:
        R = _REGION[region]
        places = [p for ps in R["counties"].values() for p in ps]
        acad = [(n, v[0], v[1], v[2], v[3]) for n, v in _ACADEMIA[region].items()
                if v[0] in ("university", "research_institute")]
        industries = [sc["industry"] for sc in _SCENARIOS if sc["region"] == region]
        biz = sorted({b for sc in _SCENARIOS if sc["region"] == region for b in sc["biz"]})
        directions = [d for sc in _SCENARIOS if sc["region"] == region for d in sc["directions"]]
        # precomputed partial check sums for each place's "91" + division code
        out[region] = {
            "R": R, "places": places, "counties": list(R["counties"]), "acad": acad,
            "industries": industries, "biz": biz, "directions": directions,
            "zihao": R["zihao"] + _ZIHAO_COMMON,
            "pre": {p[1]: sum(_VALUE[c] * w for c, w in zip("91" + p[1], _WEIGHTS)) for p in places},
            "acad_pre": {a[2]: sum(_VALUE[c] * w for c, w in zip(a[2], _WEIGHTS)) for a in acad},
            "materials": _MATERIALS[region],
        }
    return out


_BULK_TABLES: dict[str, dict] | None = None
_CHUNK_TABLES: tuple | None = None


def _chunk_tables() -> tuple:
    """Weighted digit sums of 4-digit chunks of an organisation-code body, for the fast USCC path."""
    def table(weights: tuple) -> list[int]:
        return [sum(int(c) * w for c, w in zip(f"{i:04d}", weights)) for i in range(10000)]
    return (table(_ORG_WEIGHTS[:4]), table(_ORG_WEIGHTS[4:]),
            table(_WEIGHTS[8:12]), table(_WEIGHTS[12:16]))


def _fast_uscc(prefix8: str, pre_sum: int, n: int) -> str:
    """Valid USCC with an all-digit organisation code derived from counter ``n`` (fast path)."""
    global _CHUNK_TABLES
    if _CHUNK_TABLES is None:
        _CHUNK_TABLES = _chunk_tables()
    org_hi, org_lo, u_hi, u_lo = _CHUNK_TABLES
    hi, lo = divmod(n % 100000000, 10000)
    c = 11 - (org_hi[hi] + org_lo[lo]) % 11
    org_chk = "X" if c == 10 else "0" if c == 11 else str(c)
    total = pre_sum + u_hi[hi] + u_lo[lo] + _VALUE[org_chk] * 28
    return f"{prefix8}{hi:04d}{lo:04d}{org_chk}{_ALPHABET[(31 - total) % 31]}"


def bulk_applications(n: int, members_per_app: int = 30, seed: int = 7) -> Iterator[dict]:
    """Reproducible synthetic applications for benchmarks, cycling over the five regions.

    Pure Python and fast (no validation inside; 5,000 x 30 members in about a
    second or two); every dict is valid against the schema and every USCC is
    valid.  ``members_per_app`` counts the lead (at least 1).
    """
    global _BULK_TABLES
    if _BULK_TABLES is None:
        _BULK_TABLES = _bulk_region_tables()
    tables = _BULK_TABLES
    members_per_app = max(1, int(members_per_app))
    rng = random.Random(seed)
    rand, getrandbits = rng.random, rng.getrandbits
    # pools drawn once, then indexed with rng.random(): far cheaper than rng.choice per field
    people = [_person(rng) for _ in range(4096)]
    mobiles = [_mobile(rng) for _ in range(4096)]
    suffixes = _CO_SUFFIX
    n_suffix = len(suffixes)
    segments = ("上游·原材料与关键零部件", "中游·制造与集成", "下游·应用与服务")
    talent = ("municipal", "none", "none", "provincial_or_above")
    titles = _PROFESSIONAL_TITLES
    counter = rng.randrange(10 ** 7)
    for i in range(n):
        region = REGIONS[i % 5]
        T = tables[region]
        R = T["R"]
        counties = T["counties"]
        county = counties[int(rand() * len(counties))]
        lead_place = R["counties"][county][0]
        first, last = _WINDOWS[region]
        day = first + timedelta(days=int(rand() * ((last - first).days + 1)))
        submitted = f"{day.isoformat()}T{8 + int(rand() * 9):02d}:{int(rand() * 60):02d}"
        signed = day - timedelta(days=21 + int(rand() * 130))
        biz, zihao, places, acad, directions = T["biz"], T["zihao"], T["places"], T["acad"], T["directions"]
        n_biz, n_zihao, n_places, n_dir = len(biz), len(zihao), len(places), len(directions)
        pre, acad_pre = T["pre"], T["acad_pre"]
        province, sci_dept, ind_dept, city_dept = R["province"], R["sci_dept"], R["ind_dept"], R["city_dept"]
        city = R["city"] or province
        own_level = "municipal" if region == "chongqing" else "provincial"  # 重庆市 platforms are 市级 there
        members = []
        names = set()
        for j in range(members_per_app):
            counter += 1
            person = people[getrandbits(12)]
            contact = {"name": people[getrandbits(12)], "mobile": mobiles[getrandbits(12)]}
            if j and j % _BULK_KINDS_EVERY == 0 and acad:
                name, kind, prefix8, address, in_region = acad[(j // _BULK_KINDS_EVERY - 1 + i) % len(acad)]
                if name in names:
                    name = f"{name}（{j}）"
                names.add(name)
                emp = 300 + int(rand() * 3700)
                members.append({
                    "name": name, "uscc": _fast_uscc(prefix8, acad_pre[prefix8], counter), "kind": kind,
                    "role": "core" if j <= 12 else "member", "in_region": in_region,
                    "legal_rep": person, "address": address,
                    "chain_segment": "技术供给", "research_direction": directions[int(rand() * n_dir)],
                    "employees": emp, "rd_staff": emp // 2, "senior_titles": emp // 5, "revenue_wan": None,
                    "rd_spend_wan": float(100 + int(rand() * 30000)), "enterprise_class": [],
                    "platforms": [{"name": f"{province}{biz[int(rand() * n_biz)]}重点实验室", "level": own_level,
                                   "kind": "重点实验室", "approved_by": sci_dept}],
                    "projects_municipal_or_above": 5 + int(rand() * 115), "high_level_talent": "provincial_or_above",
                    "integrity_ok": True, "contact": contact,
                })
                continue
            place = lead_place if j == 0 else places[int(rand() * n_places)]
            short = place[4]
            name = short + zihao[int(rand() * n_zihao)] + biz[int(rand() * n_biz)] + suffixes[int(rand() * n_suffix)]
            while name in names:
                name = short + zihao[int(rand() * n_zihao)] + biz[int(rand() * n_biz)] + suffixes[int(rand() * n_suffix)]
            names.add(name)
            emp = 800 + int(rand() * 5200) if j == 0 else 40 + int(rand() * 1460)
            revenue = float(emp * (45 + int(rand() * 115)))
            r = rand()
            if j == 0 or r < 0.15:
                platforms = [{"name": f"{province}企业技术中心", "level": own_level, "kind": "企业技术中心",
                              "approved_by": ind_dept}]
            elif r < 0.45:
                platforms = [{"name": f"{city}{biz[int(rand() * n_biz)]}工程技术研究中心", "level": "municipal",
                              "kind": "工程技术研究中心", "approved_by": city_dept}]
            else:
                platforms = []
            streets = place[3]
            members.append({
                "name": name, "uscc": _fast_uscc("91" + place[1], pre[place[1]], counter), "kind": "enterprise",
                "role": "lead" if j == 0 else "core" if j <= 6 else "member", "in_region": True,
                "legal_rep": person,
                "address": f"{place[0]}{streets[int(rand() * len(streets))]}{1 + int(rand() * 399)}号",
                "chain_segment": segments[int(rand() * 3)], "research_direction": directions[int(rand() * n_dir)],
                "employees": emp, "rd_staff": emp // 8, "senior_titles": emp // 40, "revenue_wan": revenue,
                "rd_spend_wan": round(revenue * 0.04, 1),
                "enterprise_class": ["leading", "high_tech"] if j == 0 else ["high_tech"] if r < 0.6 else [],
                "platforms": platforms,
                "projects_municipal_or_above": int(rand() * 9), "high_level_talent": talent[int(rand() * 4)],
                "integrity_ok": True, "contact": contact,
            })
        lead = members[0]
        council = [{"name": lead["legal_rep"], "unit": lead["name"], "title": "董事长", "role": "chair"}]
        for m in members[1:4]:
            council.append({"name": m["legal_rep"], "unit": m["name"], "title": "总经理", "role": "vice_chair"})
        council.append({"name": people[getrandbits(12)], "unit": lead["name"], "title": "副总经理",
                        "role": "secretary_general"})
        expert_units = [a[0] for a in acad] or list(_EXPERT_UNITS)
        experts = [{"name": people[getrandbits(12)], "unit": expert_units[int(rand() * len(expert_units))],
                    "title": titles[int(rand() * len(titles))], "role": "chair" if k == 0 else "member"}
                   for k in range(5 + int(rand() * 7))]
        industries = T["industries"]
        industry = industries[int(rand() * len(industries))]
        doc = {
            "format": FORMAT,
            "id": str(uuid.UUID(int=getrandbits(128), version=4)),
            "region": region,
            "call": CALLS[region],
            "name": f"{city}{industry.replace('产业', '')}产业技术创新联盟（第{i + 1}号）",
            "industry": industry,
            "county": county,
            "established_on": signed.isoformat(),
            "submitted_at": submitted,
            "goals": "协同攻关产业链关键共性技术，推动成果转化和标准制定。",
            "research_directions": directions[(i % 4) * 2:(i % 4) * 2 + 3] or directions[:3],
            "investment_wan": float(300 + int(rand() * 5700)),
            "tech_staff_total": 30 + int(rand() * 370),
            "cooperation_results": "联合承担科技项目，共同申请发明专利。",
            "contact": {"name": people[getrandbits(12)], "mobile": mobiles[getrandbits(12)]},
            "members": members,
            "organization": {
                "council": council, "expert_committee": experts,
                "secretariat": {"address": lead["address"], "in_lead_unit": True, "full_time_staff": 1 + int(rand() * 4),
                                "office_area_m2": float(60 + int(rand() * 140))},
                "external_liability_body": True, "legal_entity_registered": False,
            },
            "agreement": {"signed_on": signed.isoformat(), "effective_on": signed.isoformat(),
                          "expires_on": dates.period_end(signed, 5).isoformat(), "signed_by_legal_reps": True,
                          "sealed": True, "innovation_goals": True, "task_division": True,
                          "ip_terms": True, "breach_terms": True},
            "systems": {"charter": True, "funding_management": True, "funding_supervision": True,
                        "project_management": True, "confidentiality": True, "iur_cooperation": True,
                        "open_membership": True, "results_diffusion": True, "operation_mechanism": True,
                        "management_mechanism": True, "collaborative_innovation": True},
            "materials": [{"code": code, "received": True,
                           "copies": members_per_app if copies is None else copies}
                          for code, copies, _note in T["materials"]],
            "recommendation": None,
        }
        if region == "chongqing":
            doc["tier_requested"] = "pilot"
            doc["previously_pilot"] = False
            doc["materials_sealed_by_all"] = True
        elif region == "anshan":
            doc["provincial_recognized"] = False
        yield doc
