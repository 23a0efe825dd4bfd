"""The fixed vocabularies rules speak in: outcome statuses and the Chinese labels of the application
fields, member fields, member kinds, platform levels and enterprise classes a pack may name."""
from __future__ import annotations

STATUSES = ("pass", "fail", "warn", "manual", "na")

# Chinese labels for the application fields a pack may name.
FIELD_LABELS = {
    "organization.council": "理事会",
    "organization.expert_committee": "专家咨询委员会",
    "organization.secretariat": "常设执行机构（秘书处）",
    "organization.secretariat.address": "秘书处固定办公场所",
    "organization.secretariat.in_lead_unit": "秘书处设在牵头单位内",
    "organization.secretariat.full_time_staff": "秘书处专职人员",
    "organization.external_liability_body": "明确对外承担责任的主体",
    "organization.legal_entity_registered": "联盟法人登记",
    "agreement.signed_by_legal_reps": "协议由成员单位法定代表人共同签署",
    "agreement.sealed": "协议加盖公章",
    "agreement.innovation_goals": "协议有明确的技术创新目标",
    "agreement.task_division": "协议有明确的任务分工",
    "agreement.ip_terms": "协议明确成果和知识产权归属、许可使用和收益分配",
    "agreement.breach_terms": "协议明确违约责任追究",
    "agreement.expires_on": "协议到期日",
    "systems.charter": "联盟章程",
    "systems.funding_management": "经费内部管理办法",
    "systems.funding_supervision": "经费使用内部监督机制",
    "systems.project_management": "项目管理制度",
    "systems.confidentiality": "保密管理制度",
    "systems.iur_cooperation": "产学研合作管理制度",
    "systems.council_rules": "理事会运行制度",
    "systems.rd_management": "科技研发管理办法",
    "systems.open_membership": "吸收新成员的开放机制",
    "systems.results_diffusion": "成果扩散机制",
    "cooperation_results": "技术创新合作活动的初步成效",
    "goals": "技术创新目标",
    "established_on": "联盟成立日期",
    "provincial_recognized": "已认定为省级联盟",
    "provincial_recognized_on": "省级联盟认定日期",
    "tier_requested": "申报类别",
    "materials_sealed_by_all": "申报材料经联盟所有成员单位盖章",
    "systems.operation_mechanism": "明确的运行机制",
    "systems.management_mechanism": "明确的管理机制",
    "systems.collaborative_innovation": "长效的协同创新机制",
    "previously_pilot": "往年已为试点创新联盟",
    "tech_staff_total": "科技工作人员总数",
    "investment_wan": "联盟组建资金投入",
}

MEMBER_FIELD_LABELS = {
    "integrity_ok": "诚信状况良好（无科研严重失信记录、无信用黑名单记录）",
    "rd_spend_wan": "研发经费投入",
    "in_region": "在本地注册",
    "employees": "职工人数",
    "rd_staff": "研发人员",
}

KIND_LABELS = {
    "enterprise": "企业", "university": "高校", "research_institute": "科研院所",
    "industry_association": "行业协会", "intermediary": "中介机构", "financial": "金融机构",
    "testing": "检测机构", "user": "用户单位", "other": "其他",
}

VALUE_LABELS = {"demonstration": "示范", "pilot": "试点"}

LEVEL_LABELS = {"national": "国家级", "provincial": "省级", "municipal": "市级", "other": "其他"}

CLASS_LABELS = {
    "leading": "领军企业", "chain_master": "链主企业", "specialized_national": "国家级专精特新企业",
    "specialized_municipal": "市级专精特新企业", "high_tech": "高新技术企业",
}
