"""Hand-built applications for rule tests: `eligible(region)` meets every fail rule of that region,
so a test changes one thing and watches one rule flip."""
from __future__ import annotations

import copy
import uuid

from stdnum.cn import uscc as _uscc

REGION_PREFIX = {"jinzhong": "140700", "gansu": "620100", "anshan": "210300", "ganzhou": "360700",
                 "chongqing": "500000"}


def uscc(n: int, region: str = "jinzhong", valid: bool = True) -> str:
    body = "91" + REGION_PREFIX[region] + f"{n:09d}"
    body = body[:17]
    check = _uscc.calc_check_digit(body)
    if not valid:
        check = "0" if check != "0" else "1"
    return body + check


def member(n: int, region: str, kind: str = "enterprise", role: str = "member", **extra) -> dict:
    d = {"name": f"测试成员单位{n:02d}有限公司" if kind == "enterprise" else f"测试研究机构{n:02d}",
         "uscc": uscc(n, region), "kind": kind, "role": role, "in_region": True,
         "integrity_ok": True}
    if kind == "enterprise":
        d["rd_spend_wan"] = 120.5
    d.update(extra)
    return d


def holders(n: int, prefix: str) -> list[dict]:
    roles = ["chair"] + ["vice_chair"] * min(2, max(0, n - 1)) + ["member"] * max(0, n - 3)
    return [{"name": f"{prefix}{i + 1}", "unit": f"测试成员单位{i + 1:02d}有限公司", "role": roles[i]}
            for i in range(n)]


CALLS = {"jinzhong": ("jinzhong-2023", "2023-09-20T10:00"), "gansu": ("gansu-standing", "2024-05-06T09:30"),
         "anshan": ("anshan-2024", "2024-06-03T14:00"), "ganzhou": ("ganzhou-2022", "2022-09-15T10:00"),
         "chongqing": ("chongqing-2022", "2022-05-20T16:00")}

INDUSTRY = {"jinzhong": "新能源汽车", "gansu": "先进制造", "anshan": "精品钢材", "ganzhou": "新能源及新能源汽车产业",
            "chongqing": "智能网联新能源汽车"}

MATERIALS = {
    "jinzhong": [("JZ-M1", 4), ("JZ-M2", None), ("JZ-M3", None)],
    "gansu": [("GS-M1", 1), ("GS-M2", 1), ("GS-M3", 1), ("GS-M4", 1), ("GS-M5", 1)],
    "anshan": [("AS-M1", 1), ("AS-M2", 1), ("AS-M3", 1), ("AS-M4", 12)],
    "ganzhou": [("GZ-M1", 3)] + [(f"GZ-M{i}", 1) for i in range(2, 8)],
    "chongqing": [(f"CQ-M{i}", 1) for i in range(1, 6)],
}


def eligible(region: str, n_members: int = 12) -> dict:
    call, submitted = CALLS[region]
    members = [member(1, region, role="lead", platforms=[
        {"name": "省级企业技术中心", "level": "provincial", "kind": "企业技术中心"}],
        enterprise_class=["leading", "specialized_national", "high_tech"])]
    members += [member(2, region, "university", "core"), member(3, region, "research_institute", "core"),
                member(4, region, "enterprise", "core"), member(5, region, "enterprise", "core")]
    members += [member(i, region) for i in range(6, n_members + 1)]
    doc = {
        "format": "alliance-desk/application@1",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"test/{region}")),
        "region": region,
        "call": call,
        "name": f"测试{INDUSTRY[region]}产业技术创新联盟",
        "industry": INDUSTRY[region],
        "county": "测试区",
        "established_on": "2021-03-01",
        "submitted_at": submitted,
        "goals": "突破关键共性技术",
        "tech_staff_total": 120,
        "cooperation_results": "联合申请发明专利 12 项",
        "members": members,
        "organization": {
            "council": holders(7, "理事"),
            "expert_committee": holders(10, "专家"),
            "secretariat": {"address": "测试路 1 号", "in_lead_unit": True, "full_time_staff": 3},
            "external_liability_body": True,
        },
        "agreement": {"signed_on": "2021-03-01", "expires_on": "2028-02-28", "signed_by_legal_reps": True,
                      "sealed": True, "innovation_goals": True, "task_division": True, "ip_terms": True,
                      "breach_terms": True},
        "systems": {k: True for k in ("charter", "funding_management", "funding_supervision",
                                      "project_management", "confidentiality", "iur_cooperation",
                                      "council_rules", "rd_management", "open_membership",
                                      "results_diffusion", "operation_mechanism", "management_mechanism",
                                      "collaborative_innovation")},
        "materials_sealed_by_all": True,
        "materials": [{"code": c, "received": True, **({"copies": n} if n else {})}
                      for c, n in MATERIALS[region]],
    }
    return copy.deepcopy(doc)



def variant(region: str, tag: str, **changes) -> dict:
    """An eligible application of `region` with its own stable id (from `tag`) and `changes`."""
    doc = eligible(region)
    doc["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"variant/{region}/{tag}"))
    doc.update(changes)
    return doc

def stored_file(path, *docs: dict) -> None:
    """A database file at `path` holding `docs`, closed again (another process opens it next)."""
    from alliance_desk import store
    from db.session import open_database

    db = open_database(path)
    store.import_documents(db, [("", d) for d in docs])
    db.dispose()
