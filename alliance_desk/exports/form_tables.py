"""What the two application forms hold, row by row: Ganzhou's 组建申请表 (003 § 组建申请表, 填表说明;
第八条) and Chongqing's 申报表 (004 § 附件1) with its 主要成员情况表 (at most 5 enterprises and 5
research institutes, universities and service bodies). Fields the application does not hold are
left blank for the applicant; nothing is invented."""
from __future__ import annotations

from alliance_desk.exports.common import CLASS_ZH, KIND_ZH, ExportError, fmt_num, holder, lead
from alliance_desk.exports.form_grid import (BOX, MAX_MAIN_MEMBERS, RESEARCH_SERVICE_KINDS, C, Form, Grid,
                                              PageBreak, Space, Text, Title, _box, _date, _lead_platform_text,
                                              _level_count, _phones, _v)


# ------------------------------------------------------------------ Ganzhou 组建申请表

GANZHOU_NOTES = [
    "一、创新联合体牵头单位须加盖法人公章。",
    "二、产业领域指联合体所涉及我市1+5+N产业链。",
    "三、创新联合体内已建平台数量指所有成员单位在本产业领域已建成并正在运行的省级以上各类科研平台。",
    "四、创新联合体组建申请表需附创新联合体组建协议、组建方案。",
    "五、申请表一式三份，盖章后报所在地科技主管部门和市科技局对口科室审核。",
]


def _facts(d: dict, specs: tuple, show=str) -> str:
    """The facts `d` holds, each written by its template, joined by ，(the missing ones left out)."""
    return "，".join(text.format(show(d[key])) for key, text in specs if d.get(key) is not None)


def _lead_summary(doc: dict) -> str:
    ld = lead(doc)
    parts = [f"{ld['name']}（{KIND_ZH.get(ld.get('kind'), '')}）"]
    if ld.get("address"):
        parts.append(f"地址：{ld['address']}")
    staff = _facts(ld, (("employees", "职工 {} 人"), ("rd_staff", "研发人员 {} 人"), ("senior_titles", "高级职称 {} 人")))
    money = _facts(ld, (("revenue_wan", "上年度营业收入 {} 万元"), ("rd_spend_wan", "研发投入 {} 万元")), fmt_num)
    parts += [x for x in (staff, money) if x]
    plats = [f"{p['name']}（{ {'national': '国家级', 'provincial': '省级', 'municipal': '市级'}.get(p.get('level'), '其他')}）"
             for p in ld.get("platforms") or []]
    if plats:
        parts.append("建有科技创新平台：" + "、".join(plats))
    classes = [CLASS_ZH[c] for c in ld.get("enterprise_class") or [] if c in CLASS_ZH]
    if classes:
        parts.append("企业类别：" + "、".join(classes))
    return "；".join(parts) + "。"


def ganzhou_form(doc: dict) -> Form:
    ld = lead(doc)
    chair = holder(doc, "council", "chair")
    contact = doc.get("contact") or {}
    rec = doc.get("recommendation") or {}
    kinds = [m.get("kind") for m in doc["members"]]
    f = Form("组建申请表")
    # cover
    f.blocks += [Space(40), Title("赣州市产业科技创新联合体", 22), Title("组建申请表", 22), Space(30)]
    cover = [("创新联合体名称", doc["name"]), ("产业领域", doc["industry"]), ("牵头单位", f"{ld['name']}（盖章）"),
             ("核心平台", _lead_platform_text(doc)), ("联 系 人", contact.get("name") or ""),
             ("联系电话", _phones(contact)), ("填报日期", _date(None, "        年      月       日"))]
    f.blocks.append(Grid([[C("", 1, "box"), C(k + "：", 6, "box", align="right"), C(v, 15, "line"), C("", 2, "box")]
                          for k, v in cover], ruled=False))
    f.blocks += [Space(50), Text("赣州市科学技术局制", "center", 14), PageBreak()]
    f.blocks.append(Title("填表说明", 16))
    f.blocks += [Text(t, "left", 12) for t in GANZHOU_NOTES]
    f.blocks.append(PageBreak())
    f.blocks.append(Title("赣州市产业科技创新联合体组建申请表", 16))
    ag = doc["agreement"]
    rows: list[list[C]] = [
        [C("创新联合体名称", 6, "label"), C(doc["name"], 18)],
        [C("联合体协议生效时间", 6, "label"), C(_date(ag.get("effective_on") or ag.get("signed_on")), 18)],
        [C("创新联合体牵头单位", 6, "label"), C(ld["name"], 18)],
        [C("创新联合体主要负责人", 6, "label"), C(chair["name"] if chair else "", 4), C("职务/职称", 4, "label"),
         C((chair or {}).get("title") or "", 4), C("电话", 2, "label"), C((chair or {}).get("phone") or "", 4)],
        [C("成员总数（个）", 6, "label"), C("其中：高校数量", 6, "label"), C("企业数量", 6, "label"),
         C("研究机构数量", 6, "label")],
        [C(str(len(doc["members"])), 6, align="center"), C(str(kinds.count("university")), 6, align="center"),
         C(str(kinds.count("enterprise")), 6, align="center"),
         C(str(kinds.count("research_institute")), 6, align="center")],
        [C("创新联合体内已建相关省级及以上各类科研平台数量", 8, "label"),
         C(str(_level_count(doc, ("national", "provincial"))), 4, align="center"),
         C("创新联合体内已建相关市级各类科研平台数量", 8, "label"),
         C(str(_level_count(doc, ("municipal",))), 4, align="center")],
        [C("联系人", 6, "label"), C(contact.get("name") or "", 8), C("电话", 4, "label"), C(_phones(contact), 6)],
        [C("产业链图：（另附）", 24, lines=2)],
        [C("联合体研究方向：" + "；".join(doc.get("research_directions") or []), 24, lines=2)],
        [C("联合体产业链图：（另附）", 24, lines=2)],
        [C("一、牵头单位及其科技创新核心平台基本情况（限1000字）", 24, "section")],
        [C(_lead_summary(doc), 24, lines=5)],
        [C("二、创新联合体技术创新目标（限1000字）", 24, "section")],
        [C(doc.get("goals") or "", 24, lines=5)],
        [C("三、创新联合体成员情况", 24, "section")],
        [C("成员单位名称", 7, "head"), C("统一社会信用代码", 6, "head"), C("所属研究方向", 4, "head"),
         C("所处产业链环节及分工", 4, "head"), C("前一年营业收入（万元）", 3, "head")],
    ]
    for m in doc["members"]:
        rows.append([C(m["name"], 7), C(m.get("uscc") or "", 6), C(m.get("research_direction") or "", 4),
                     C(m.get("chain_segment") or "", 4), C(_v(m.get("revenue_wan")), 3, align="right")])
    rows += [[C("四、创新联合体科研团队主要研究人员情况", 24, "section")],
             [C("成员单位名称", 9, "head"), C("牵头人姓名", 5, "head"), C("职务/职称", 5, "head"),
              C("团队研究人员数", 5, "head")]]
    teams = [m for m in doc["members"] if m.get("rd_staff")]
    for m in teams:
        rows.append([C(m["name"], 9), C("", 5), C("", 5), C(str(m["rd_staff"]), 5, align="center")])
    if not teams:
        rows.append([C("", 9), C("", 5), C("", 5), C("", 5)])
    rows += [[C("五、创新联合体已建市级及以上科研平台数量（含重点实验室、工程技术研究中心、企业技术创新中心等各类创新平台）",
                24, "section")],
             [C("成员单位", 6, "head"), C("拥有平台名称", 6, "head"), C("平台批准部门", 4, "head"),
              C("学科/产业领域", 3, "head"), C("省级/市级", 2, "head"), C("建设时间", 3, "head")]]
    level_zh = {"national": "国家级", "provincial": "省级", "municipal": "市级"}
    plats = [(m, p) for m in doc["members"] for p in m.get("platforms") or [] if p.get("level") in level_zh]
    for m, p in plats:
        rows.append([C(m["name"], 6), C(p["name"], 6), C(p.get("approved_by") or "", 4),
                     C(m.get("research_direction") or p.get("kind") or "", 3),
                     C(level_zh[p["level"]], 2, align="center"), C(p.get("approved_on") or "", 3, align="center")])
    if not plats:
        rows.append([C("", 6), C("", 6), C("", 4), C("", 3), C("", 2), C("", 3)])
    opinion = rec.get("opinion") or ""
    rows += [[C(f"县（市、区）科技主管部门推荐意见：\n{opinion}\n\n（盖章）\n{_date(rec.get('on'))}", 24, "box", lines=6)],
             [C("市科技局审核意见：\n\n\n（盖章）\n" + _date(None), 24, "box", lines=6)]]
    f.blocks.append(Grid(rows))
    return f


# ------------------------------------------------------------------ Chongqing 申报表

def _role_zh(role: str) -> str:
    return {"chair": "理事长", "vice_chair": "副理事长", "director": "理事", "member": "理事",
            "secretary_general": "秘书长", "deputy_secretary_general": "副秘书长",
            "honorary_chair": "名誉理事长"}.get(role, role)


CQ_KIND_ROWS = [("企业", ("enterprise",)), ("高校", ("university",)), ("科研机构", ("research_institute",)),
                ("行业协会", ("industry_association",)), ("中介机构", ("intermediary",)),
                ("金融机构", ("financial",)), ("其他", ("testing", "user", "other"))]


def main_members(doc: dict) -> tuple[list[dict], list[dict]]:
    """(enterprises, research/university/service members) for the 主要成员情况表: at most 5 each,
    the lead unit first, then core members, then the others, each in the order they were entered."""
    order = {"lead": 0, "core": 1}
    ranked = sorted(doc["members"], key=lambda m: order.get(m.get("role"), 2))
    ent = [m for m in ranked if m.get("kind") == "enterprise"][:MAX_MAIN_MEMBERS]
    res = [m for m in ranked if m.get("kind") in RESEARCH_SERVICE_KINDS][:MAX_MAIN_MEMBERS]
    return ent, res


def _platform_lines(m: dict) -> str:
    groups = {"国家级": ("national",), "市级": ("provincial", "municipal"), "其它": ("other",)}
    lines = []
    for label, levels in groups.items():
        ps = [p for p in m.get("platforms") or [] if p.get("level") in levels]
        names = "、".join(p["name"] for p in ps)
        by = "、".join(dict.fromkeys(p.get("approved_by") for p in ps if p.get("approved_by")))
        lines.append(f"{_box(bool(ps), label)} {names}，授予单位：{by}")
    return "\n".join(lines)


def _opinion_row() -> list[C]:
    sign = "负责人：        （公章）\n\n        年    月    日"
    return [C("联盟成员单位意见", 4, "label", lines=4), C(sign, 8, "box"), C("联盟理事会审批意见", 4, "label"),
            C(sign, 8, "box")]


def _identity_rows(m: dict, rep_label: str, nature: str) -> list[list[C]]:
    """The first rows of a member's block in 主要成员情况表: name, address, representative, contact, nature."""
    contact = m.get("contact") or {}
    return [
        [C("单位名称", 4, "label"), C(m["name"], 20)],
        [C("详细地址", 4, "label"), C(m.get("address") or "", 12), C("邮政编码", 4, "label"), C("", 4)],
        [C(rep_label, 4, "label"), C(m.get("legal_rep") or "", 4), C("电话", 3, "label"), C("", 5),
         C("单位网址", 3, "label"), C("", 5)],
        [C("联系人", 4, "label"), C(contact.get("name") or "", 4), C("电话", 3, "label"), C(_phones(contact), 5),
         C("电子邮箱", 3, "label"), C(contact.get("email") or "", 5)],
        [C("单位性质", 4, "label"), C(nature, 20)],
    ]


def _enterprise_block(m: dict) -> list[list[C]]:
    classes = m.get("enterprise_class")
    high_tech = None if classes is None else ("high_tech" in classes)
    rd_ratio = ""
    if m.get("rd_spend_wan") is not None and m.get("revenue_wan"):
        rd_ratio = f"{m['rd_spend_wan'] / m['revenue_wan'] * 100:.2f}%"
    nature = " ".join(BOX + x for x in ("国有企业", "集体企业", "股份", "有限责任", "中外合作", "港澳台合资",
                                        "港澳台合作", "其它（请注明）"))
    return [
        *_identity_rows(m, "法人代表", nature),
        [C("注册资金（万元）", 4, "label"), C("", 4), C("职工人数", 4, "label"), C(_v(m.get("employees")), 4),
         C("其中科技人员", 4, "label"), C(_v(m.get("rd_staff")), 4)],
        [C("资产总值（万元）", 4, "label"), C("", 4), C("资产负债率", 4, "label"), C("", 4),
         C("上年度销售收入（万元）", 4, "label"), C(_v(m.get("revenue_wan")), 4)],
        [C("上年度科研投入（万元）", 4, "label"), C(_v(m.get("rd_spend_wan")), 4),
         C("科研投入占销售收入比例", 4, "label"), C(rd_ratio, 4), C("出口创汇（万美元）", 4, "label"), C("", 4)],
        [C("是否建立科研创新平台（可多选）", 4, "label"), C(_platform_lines(m), 20, lines=3)],
        [C("是否为高新技术企业", 4, "label"), C(f"{_box(high_tech is True, '是')}    {_box(high_tech is False, '否')}", 8),
         C("认定时间", 4, "label"), C("", 8)],
        [C("已获专利数", 4, "label"), C("", 4), C("其中：发明    ，实用新型    ，外观    ，软件著作权    ", 16)],
        [C("相关优势领域", 4, "label"), C(m.get("research_direction") or "", 20)],
        [C("参与起草制订标准情况（可多选）", 4, "label"), C(f"{BOX}国际标准\n{BOX}国家标准\n{BOX}行业标准", 6, lines=3),
         C("起草标准名称", 4, "label"), C("", 10)],
        [C("主导产品概况", 4, "label", rows=4), C("主导产品", 8, "head"), C("市场占有率", 6, "head"),
         C("国内市场占有率排名", 6, "head")],
        [C("1:", 8), C("国内：    国际：", 6), C("", 6)],
        [C("2:", 8), C("国内：    国际：", 6), C("", 6)],
        [C("3:", 8), C("国内：    国际：", 6), C("", 6)],
        _opinion_row(),
    ]


def _research_block(m: dict) -> list[list[C]]:
    k = m.get("kind")
    nature = " ".join([_box(k == "research_institute", "科研院所"), _box(k == "university", "高等院校"),
                       _box(k in ("intermediary", "testing", "industry_association", "financial"), "服务机构"),
                       f"{BOX}其它（请注明）"])
    return [
        *_identity_rows(m, "法人代表或负责人", nature),
        [C("职工人数", 4, "label"), C(_v(m.get("employees")), 4), C("其中：高级职称人数", 4, "label"),
         C(_v(m.get("senior_titles")), 4), C("院士（不含兼职）数", 4, "label"), C("", 4)],
        [C("", 4, "label"), C("", 4), C("", 4, "label"), C("", 4), C("博士导师数", 4, "label"), C("", 4)],
        [C("是否建立科研创新平台（可多选）", 4, "label"), C(_platform_lines(m), 20, lines=3)],
        [C("相关优势领域", 4, "label"), C(m.get("research_direction") or "", 20)],
        [C("可合作转化的相关技术与成果（可附页）", 4, "label", rows=3), C("技术与成果名称", 8, "head"),
         C("预期用途", 6, "head"), C("主要完成人", 6, "head")],
        [C("", 8), C("", 6), C("", 6)],
        [C("", 8), C("", 6), C("", 6)],
        [C("能为本联盟提供的支撑条件", 4, "label"), C("", 20, lines=2)],
        _opinion_row(),
    ]


def chongqing_form(doc: dict) -> Form:
    ld = lead(doc)
    chair = holder(doc, "council", "chair")
    secg = holder(doc, "council", "secretary_general") or holder(doc, "expert_committee", "secretary_general")
    contact = doc.get("contact") or {}
    lcontact = ld.get("contact") or {}
    sec = doc["organization"].get("secretariat") or {}
    rec = doc.get("recommendation") or {}
    classes = set(ld.get("enterprise_class") or [])
    f = Form("申报表")
    f.blocks.append(Title("重庆市产业技术创新联盟申报表", 18))
    rows: list[list[C]] = [
        [C("一、基本信息表", 24, "section")],
        [C("联盟名称", 4, "label"), C(doc["name"], 20)],
        [C("联盟理事长", 4, "label"), C(chair["name"] if chair else "", 8), C("所在单位", 4, "label"),
         C(chair["unit"] if chair else "", 8)],
        [C("联盟秘书长单位", 4, "label"), C(secg["unit"] if secg else "", 20)],
        [C("联盟办公室地址", 4, "label"), C(sec.get("address") or "", 8), C("联系人及联系方式", 4, "label"),
         C(" ".join(x for x in (contact.get("name"), _phones(contact), contact.get("email")) if x), 8)],
        [C("二、牵头单位信息", 24, "section")],
        [C("单位名称", 4, "label"), C(ld["name"], 20)],
        [C("机构负责人", 4, "label"), C(ld.get("legal_rep") or "", 4), C("电话", 3, "label"), C("", 5),
         C("传真", 3, "label"), C("", 5)],
        [C("联系人", 4, "label"), C(lcontact.get("name") or "", 4), C("电话", 3, "label"),
         C(lcontact.get("phone") or "", 5), C("手机", 3, "label"), C(lcontact.get("mobile") or "", 5)],
        [C("联系地址", 4, "label"), C(ld.get("address") or "", 8), C("邮编", 3, "label"), C("", 2),
         C("E-mail", 3, "label"), C(lcontact.get("email") or "", 4)],
        [C("企业类别", 4, "label"), C("  ".join(_box(c in classes, CLASS_ZH[c]) for c in
                                                ("leading", "chain_master", "specialized_national",
                                                 "specialized_municipal")), 20)],
        [C("上年度经济指标", 4, "label", rows=2), C("总产值", 4, "head"), C("营业收入", 4, "head"),
         C("出口创汇", 4, "head"), C("纳税总额", 4, "head"), C("税后利润", 4, "head")],
        [C("万元", 4, align="right"), C(_v(ld.get("revenue_wan"), "万元"), 4, align="right"),
         C("万美元", 4, align="right"), C("万元", 4, align="right"), C("万元", 4, align="right")],
        [C("上年度内部研发投入经费", 4, "label"), C(_v(ld.get("rd_spend_wan"), "万元") or "万元", 8, align="right"),
         C("近三年内部研发投入经费累计", 6, "label"), C("万元", 6, align="right")],
        [C("人才队伍建设", 4, "label"),
         C(f"职工人数 {_v(ld.get('employees')) or '    '} 人，其中研发人员 {_v(ld.get('rd_staff')) or '    '} 人，"
           f"高级职称 {_v(ld.get('senior_titles')) or '    '} 人，博士    人，硕士    人，本科    人。", 20)],
    ]
    plats = [p for p in ld.get("platforms") or [] if p.get("level") in ("national", "provincial", "municipal")]
    prow = max(2, len(plats))
    rows.append([C("已建市级以上企业研发机构", 4, "label", rows=prow + 1), C("名称", 8, "head"), C("类别", 4, "head"),
                 C("批准单位", 4, "head"), C("批准时间", 4, "head")])
    for i in range(prow):
        p = plats[i] if i < len(plats) else {}
        level = {"national": "国家级", "provincial": "市级", "municipal": "市级"}.get(p.get("level"), "")
        rows.append([C(p.get("name", ""), 8), C(level, 4, align="center"), C(p.get("approved_by", ""), 4),
                     C(p.get("approved_on") or "", 4, align="center")])
    rows += [
        [C("近三年累计产学研合作项目", 4, "label"), C("      项\n      万元", 8), C("其中：今年", 4, "label"),
         C("      项\n      万元", 8)],
        [C("近三年产学研合作的高校", 4, "label"), C("累计    所，包括：", 20)],
        [C("近三年知识产权情况", 4, "label", rows=3), C("发明专利", 4, "label"), C("申请数", 3, "label"),
         C("项", 3, align="right"), C("实用新型专利", 4, "label"), C("申请数", 3, "label"), C("项", 3, align="right")],
        [C("", 4, "label"), C("授权数", 3, "label"), C("项", 3, align="right"), C("", 4, "label"),
         C("授权数", 3, "label"), C("项", 3, align="right")],
        [C("外观设计专利", 4, "label"), C("申请数", 3, "label"), C("项", 3, align="right"), C("授权数", 4, "label"),
         C("项", 3, align="right"), C("", 3)],
        [C("近三年牵头制修订标准", 4, "label"),
         C("其中，国际标准    项，国家标准    项，行业标准    项，地方标准    项，团体标准    项。", 20)],
        [C("承担省市及以上科研项目情况", 4, "label", rows=3), C("名称", 8, "head"), C("类别", 4, "head"),
         C("批准单位", 4, "head"), C("批准时间", 4, "head")],
        [C("", 8), C("", 4), C("", 4), C("", 4)],
        [C("", 8), C("", 4), C("", 4), C("", 4)],
        [C("获得省市及以上科技奖励情况", 4, "label", rows=3), C("名称", 8, "head"), C("类别", 4, "head"),
         C("批准单位", 4, "head"), C("获奖时间", 4, "head")],
        [C("", 8), C("", 4), C("", 4), C("", 4)],
        [C("", 8), C("", 4), C("", 4), C("", 4)],
    ]
    f.blocks.append(Grid(rows))
    f.blocks.append(PageBreak())

    inside = [m for m in doc["members"] if m.get("in_region")]
    outside = [m for m in doc["members"] if not m.get("in_region")]
    rows = [[C("三、联盟成员信息", 24, "section")],
            [C("联盟成员情况", 4, "label", rows=len(CQ_KIND_ROWS) + 2), C(f"市内单位合计 {len(inside)} 家", 20)]]
    for label, kinds in CQ_KIND_ROWS:
        ms = [m for m in inside if m.get("kind") in kinds]
        rows.append([C(f"{label} {len(ms)} 家", 4, align="center"), C("成员：" + "、".join(m["name"] for m in ms), 16)])
    rows.append([C(f"市外单位合计 {len(outside)} 家，成员：" + "、".join(m["name"] for m in outside), 20)])
    all_plats = [p for m in doc["members"] for p in m.get("platforms") or []]

    def count(levels, word):
        return sum(1 for p in all_plats if p.get("level") in levels and word in ((p.get("kind") or "") + p["name"]))

    nat, city = ("national",), ("provincial", "municipal")
    n_nat = sum(1 for p in all_plats if p.get("level") in nat)
    n_city = sum(1 for p in all_plats if p.get("level") in city)
    n_other = sum(1 for p in all_plats if p.get("level") == "other")
    innov = lambda lv: sum(count(lv, w) for w in ("技术创新中心", "制造业创新中心", "产业创新中心"))  # noqa: E731
    rows += [
        [C("联盟科技创新平台情况", 4, "label", rows=3), C(f"国家级 {n_nat} 家", 4, align="center"),
         C(f"其中：国家级企业技术中心 {count(nat, '企业技术中心')} 家，国家级工程研究中心 {count(nat, '工程研究中心')} 家，"
           f"国家级重点实验室 {count(nat, '重点实验室')} 家，国家级技术创新中心/制造业创新中心/产业创新中心 {innov(nat)} 家等", 16)],
        [C(f"市级 {n_city} 家", 4, align="center"),
         C(f"其中：市级企业技术中心 {count(city, '企业技术中心')} 家，市级重点实验室 {count(city, '重点实验室')} 家，"
           f"市级技术创新中心/制造业创新中心/产业创新中心 {innov(city)} 家等", 16)],
        [C(f"其他 {n_other} 家", 4, align="center"),
         C("其中：" + "、".join(p["name"] for p in all_plats if p.get("level") == "other"), 16)],
    ]
    council = doc["organization"].get("council") or []
    rows.append([C("联盟理事会组成单位及人员", 4, "label", rows=max(1, len(council)) + 1), C("姓 名", 3, "head"),
                 C("理事会职务", 3, "head"), C("所在单位（高校、科研机构具体到院、系）", 6, "head"),
                 C("职称／职务", 3, "head"), C("联系电话", 3, "head"), C("E-mail", 2, "head")])
    for h in council or [{"name": "", "unit": "", "role": ""}]:
        rows.append([C(h["name"], 3, align="center"), C(_role_zh(h["role"]) if h["role"] else "", 3, align="center"),
                     C(h["unit"], 6), C(h.get("title") or "", 3), C(h.get("phone") or "", 3),
                     C(h.get("email") or "", 2)])
    f.blocks.append(Grid(rows))

    ent, res = main_members(doc)
    for title, members, block in (("主要成员情况表（企业）", ent, _enterprise_block),
                                  ("主要成员情况表（科研机构、高校、服务机构）", res, _research_block)):
        for m in members or [None]:
            f.blocks.append(PageBreak())
            f.blocks.append(Title(f"{doc['name']}", 14))
            f.blocks.append(Title(title, 14))
            f.blocks.append(Grid(block(m) if m else block({"name": "", "kind": ""})))
            f.blocks.append(Text("注：填写主要成员情况，限5家。", "left", 10.5))
    f.blocks.append(PageBreak())
    opinion = rec.get("opinion") or ""
    by = f"（{rec['by']}）" if rec.get("by") else ""
    f.blocks.append(Grid([
        [C("四、审核意见表", 24, "section")],
        [C("联盟牵头单位意见：\n\n我单位承诺提交的全部申报材料真实可靠，如有弄虚作假行为，愿意承担法律责任。\n\n其他内容：\n\n\n"
           "单位负责人（签字或盖章）\n（公章）\n年   月   日", 24, "box", lines=12)],
        [C(f"区（县）产业主管部门意见：{by}\n{opinion}\n\n\n单位负责人（签字或盖章）\n（公章）\n{_date(rec.get('on'), '年   月   日')}",
           24, "box", lines=10)],
    ]))
    return f


#: the printed forms by the id a pack names in `[exports] application_form`, with their titles
FORM_BUILDERS = {"ganzhou": ganzhou_form, "chongqing": chongqing_form}
FORM_TITLES = {"ganzhou": "赣州市产业科技创新联合体组建申请表", "chongqing": "重庆市产业技术创新联盟申报表"}


def build_form(doc: dict, form: str) -> Form:
    build = FORM_BUILDERS.get(form)
    if build is not None:
        return build(doc)
    raise ExportError(f"未知的申请表格式「{form}」（可用：{'、'.join(FORM_BUILDERS)}）")
