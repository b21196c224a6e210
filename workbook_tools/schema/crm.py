"""The CRM workbook, declared once: sheets, columns, their wordings (see docs/domain.md#customers)."""

from __future__ import annotations

import unicodedata

from .lists import INDUSTRIES, LISTS, SETTINGS
from .model import Column as C
from .model import CType as T
from .model import Schema, SheetSpec

_ID_HELP = ("年份-行业代码-序号，如 2024-IT-001；由工具生成，请勿手改", "Year-industry-sequence, e.g. 2024-IT-001; assigned by the tool")
_DATE_HELP = ("日期，格式 YYYY-MM-DD", "A date, YYYY-MM-DD")

CUSTOMERS = SheetSpec(
    "customers", "客户基本信息", "Customers", "data", table_name="tbl_customers",
    aliases=("客户信息", "客户档案", "客户台账", "客户表", "客户基本信息表", "客户信息表", "客户关系信息管理表",
             "客户信息管理表", "客户关系管理表", "客户名单", "客户清单", "customer", "customer list", "customer info"),
    contested=(("客户等级", ("follow_grade", "tier_confirmed")), ("客户类型", ("customer_type", "tier_confirmed"))),
    ignore=("序号", "No", "行号", "#", "Row"),
    help_zh="一户一档：每行一个客户", help_en="One customer per row",
    columns=(
        C("customer_id", "客户编号", "Customer ID", T.CUSTOMER_ID,
          aliases=("编号", "客户ID", "客户代码", "客户号", "ID", "Customer No", "Customer code", "Client ID"),
          help_zh=_ID_HELP[0], help_en=_ID_HELP[1], example="2024-IT-001"),
        C("name", "客户名称", "Customer name", T.TEXT, required=True, width=28,
          aliases=("客户全称", "公司名称", "企业名称", "单位名称", "客户", "客户公司名称", "客户公司全称", "公司全称",
                   "企业全称", "机构名称", "客户单位", "company", "name", "company name", "client", "client name",
                   "customer", "account name"),
          help_zh="工商注册全称，不用简称", help_en="Full registered name, no abbreviations",
          example="杭州云启科技有限公司"),
        C("customer_type", "客户类型", "Customer type", T.LIST, list="customer_type",
          aliases=("类型", "客户类别", "customer category"),
          help_zh="新客户 / 老客户 / 潜在客户 / 流失客户", help_en="New / existing / prospect / churned"),
        C("industry", "所属行业", "Industry", T.LIST, list="industry", aliases=("行业", "行业类别", "行业分类", "所属领域", "sector", "vertical"),
          help_zh="决定客户编号中的行业代码", help_en="Gives the industry code of the customer ID"),
        C("company_size", "企业规模", "Company size", T.LIST, list="company_size", aliases=("规模", "人员规模", "员工人数", "公司规模", "机构规模", "size", "headcount", "employees"),
          help_zh="按员工人数选择", help_en="By head count"),
        C("founded", "成立时间", "Founded", T.YEAR_OR_DATE, aliases=("成立日期", "成立年份", "established", "year founded"), fmt="General",
          help_zh="年份（如 2015）或日期", help_en="A year (e.g. 2015) or a date"),
        C("region", "注册区域", "Region", T.TEXT, example="浙江杭州", aliases=("区域", "地区", "所在城市", "城市", "所在地区", "省市", "所在省市", "city", "location", "province"),
          help_zh="省市区域", help_en="Province / city"),
        C("source", "客户来源", "Lead source", T.LIST, list="source", aliases=("来源", "获客渠道", "渠道", "线索来源", "来源渠道", "客户获取渠道", "source", "channel",
                   "lead channel"),
          help_zh="行业展会、转介绍、线上推广等", help_en="Trade fair, referral, online …"),
        C("contact", "联系人", "Contact person", T.TEXT, example="张伟", required=True,
          aliases=("主要联系人", "对接人", "联系人姓名", "主要对接人", "主要对接人姓名", "姓名", "contact",
                   "contact name"),
          help_zh="主要联系人姓名（必填）", help_en="Main contact (required)"),
        C("title", "职位", "Title", T.TEXT, example="采购经理", aliases=("联系人职位", "职务", "岗位", "联系人职务", "position", "job title"), help_zh="联系人职位", help_en="Contact's title"),
        C("phone", "联系方式", "Phone", T.PHONE, required=True,
          aliases=("联系电话", "电话", "手机", "手机号", "手机号码", "电话号码", "mobile", "tel", "telephone",
                   "phone number", "mobile phone", "contact number"),
          help_zh="11位手机号或带区号座机，只填数字（必填）", help_en="11-digit mobile or landline with area code, digits only (required)",
          example="13800138000"),
        C("email", "电子邮箱", "E-mail", T.EMAIL, aliases=("邮箱", "Email", "e-mail", "mail", "电子邮件", "邮件地址",
                                                     "email address"),
          help_zh="如 zhang@company.com", help_en="e.g. zhang@company.com"),
        C("address", "企业地址", "Address", T.TEXT, example="杭州市西湖区文三路 90 号", help_zh="企业办公或注册地址", help_en="Office or registered address", width=30,
          aliases=("地址", "公司地址", "注册地址", "常用地址", "注册地址/常用地址", "办公地址", "企业注册地址")),
        C("first_contact", "初次接触时间", "First contact", T.DATE, aliases=("初次接触日期", "首次接触时间", "首次接触日期", "初次接触", "首次接触", "first contact date",
                   "date of first contact"),
          help_zh=_DATE_HELP[0], help_en=_DATE_HELP[1]),
        C("first_coop", "首次合作时间", "First cooperation", T.DATE, aliases=("首次合作日期", "签约时间", "首次合作", "签约日期", "first deal", "first deal date", "signed on"),
          help_zh="尚未合作填 -", help_en="Enter - if none yet"),
        C("stage", "当前合作阶段", "Stage", T.LIST, list="stage", aliases=("合作阶段", "阶段", "合作状态", "当前阶段", "客户状态", "stage", "status", "cooperation stage"),
          help_zh="接洽中 / 合作中 / 续约期 / 暂停合作 / 终止合作", help_en="Talking / active / renewal / paused / ended"),
        C("products", "主要合作项目/产品", "Products", T.TEXT, example="ERP 实施", help_zh="已合作或洽谈中的项目、产品", help_en="Projects or products bought or discussed", width=22,
          aliases=("合作项目", "合作产品", "主要产品", "合作项目/产品", "合作项目/产品名称", "合作产品/服务",
                   "主要合作项目", "products", "project", "projects")),
        C("amount_total", "累计合作金额(万元)", "Total amount (10k CNY)", T.AMOUNT, aliases=("累计金额", "累计合作金额", "累计成交金额", "成交金额", "合同金额", "total amount", "cumulative amount"),
          min_value=0, help_zh="单位：万元", help_en="In 万元 (10,000 CNY)"),
        C("amount_annual", "年度合作金额(万元)", "Annual amount (10k CNY)", T.AMOUNT,
          aliases=("年度金额", "年合作金额", "年度合作金额", "年采购额", "年度采购金额", "年合同额",
                   "annual amount", "annual value", "annual revenue", "annual sales"), min_value=0,
          help_zh="单位：万元；决定价值等级", help_en="In 万元; decides the value tier"),
        C("last_coop", "最近一次合作时间", "Last cooperation", T.DATE, aliases=("最近合作时间", "最近合作日期", "最近一次合作", "最近一次合作日期", "last deal",
                   "last cooperation date"),
          help_zh=_DATE_HELP[0], help_en=_DATE_HELP[1]),
        C("term", "合作期限", "Contract term", T.TERM, aliases=("合同期限", "合作周期", "合同有效期", "合同到期日", "合同到期时间", "到期时间", "到期日", "contract term",
                   "term", "contract end"),
          help_zh="如 2024.01-2025.12，到期日用于续约提醒", help_en="e.g. 2024.01-2025.12; its end drives renewal reminders",
          example="2024.01-2025.12"),
        C("needs", "关键需求", "Key needs", T.LONGTEXT, example="希望缩短交付周期", max_len=200,
          aliases=("需求", "客户需求", "需求描述", "核心需求", "初步需求标签", "需求标签", "key needs", "needs",
                   "requirements"),
          help_zh="简要描述，不超过200字", help_en="Short, at most 200 characters"),
        C("follow_grade", "跟进等级", "Follow-up grade", T.LIST, list="follow_grade", aliases=("客户等级(A/B/C)", "客户等级(ABC)", "意向等级", "客户级别", "跟进级别", "客户分级", "客户意向等级",
                   "grade", "intent grade", "customer grade"),
          help_zh="A 每周 / B 每两周 / C 每月", help_en="A weekly / B fortnightly / C monthly"),
        C("tier_confirmed", "客户等级(主管确认)", "Confirmed tier", T.LIST, list="value_tier",
          aliases=("确认等级", "主管确认等级", "客户价值等级", "价值等级(主管确认)", "客户价值等级(主管确认)",
                   "confirmed tier", "customer tier", "value tier (confirmed)"), width=16,
          help_zh="主管确认后的价值等级；工具只建议，不覆盖", help_en="Set by the supervisor; the tool never overwrites it"),
        C("tier_confirmed_on", "等级确认日期", "Tier confirmed on", T.DATE,
          aliases=("确认日期", "主管确认日期", "等级复核日期", "复核日期", "等级确认时间",
                   "tier confirmed date", "tier review date", "confirmed on"),
          help_zh="主管最近一次确认价值等级的日期；每季度复核一次", help_en="When the supervisor last confirmed the tier; "
          "reviewed every quarter"),
        C("satisfaction", "满意度", "Satisfaction", T.RATING, min_value=1, max_value=5, aliases=("满意度评分", "客户满意度", "满意度(1-5分)", "满意度评分(1-5分)", "satisfaction score", "csat"),
          help_zh="1–5 分", help_en="1 to 5"),
        C("risks", "潜在风险", "Risks", T.TEXT, example="付款周期延长", width=20, aliases=("风险", "风险点", "risk"), help_zh="如 付款周期延长、竞争对手接触",
          help_en="e.g. slower payment, competitor contact"),
        C("opportunities", "机会点", "Opportunities", T.TEXT, example="增购意向", width=20, aliases=("机会", "商机", "opportunity"), help_zh="如 增购意向、转介绍可能",
          help_en="e.g. upsell, referral"),
        C("owner", "负责人", "Owner", T.TEXT, example="李娜", aliases=("客户负责人", "销售负责人", "跟进负责人", "销售", "客户经理", "归属销售", "负责销售", "account manager",
                   "sales rep", "salesperson"),
          help_zh="谁跟进谁维护", help_en="Whoever follows up maintains the record"),
        C("remarks", "备注", "Remarks", T.TEXT, help_zh="其他需要说明的情况", help_en="Anything else worth noting", width=20, aliases=("说明", "notes", "note", "comment", "comments")),
        # filled by `wbt tiers`
        C("tier", "价值等级(系统)", "Value tier (proposed)", T.LIST, list="value_tier", computed=True, width=14,
          aliases=("价值等级", "系统等级", "系统建议等级", "proposed tier"),
          help_zh="按年度合作金额自动计算，供主管确认", help_en="From the annual amount, for the supervisor to confirm"),
        C("cadence_days", "跟进周期(天)", "Cadence (days)", T.INTEGER, computed=True, aliases=("跟进周期",),
          help_zh="价值等级与跟进等级中较严格的周期", help_en="The stricter of the tier and grade cadences"),
        C("last_contact", "最近沟通日期", "Last contact", T.DATE, computed=True, aliases=("最近沟通时间",),
          help_zh="取自沟通记录", help_en="From the contact log"),
        C("next_follow", "下次跟进日期", "Next follow-up", T.DATE, computed=True, aliases=("下次跟进时间",),
          help_zh="最近沟通日期 + 跟进周期", help_en="Last contact + cadence"),
        # a formula, so the value is right on the day the file is opened and no run rewrites it daily
        C("overdue", "是否逾期", "Overdue", T.LIST, help_zh="下次跟进日期已过为“是”（公式，按打开当天计算）",
          help_en="是 when the next follow-up date has passed (a formula: as of the day the file is opened)",
          list="yes_no", computed=True, aliases=("逾期",), width=9,
          formula='IF(ISNUMBER({next_follow}),IF({next_follow}<TODAY(),"是","否"),"")'),
        C("risk_flag", "风险标记", "Risk flag", T.TEXT, example="重点关注", computed=True, width=11, help_zh="重点关注 = 风险客户",
          help_en="重点关注 = at-risk customer"),
        C("risk_reasons", "风险原因", "Risk reasons", T.TEXT, example="近期投诉", help_zh="标记风险的原因，如近期投诉、联系人变更", help_en="Why the customer is flagged", computed=True, width=30),
        C("band", "管理分层", "Management band", T.LIST, list="management_band", computed=True,
          help_zh="重点维护 / 一般跟进 / 观察预警", help_en="Maintain / follow / watch"),
        C("high_potential", "高潜力", "High potential", T.TEXT, computed=True, width=26, aliases=("高潜力客户",),
          help_zh="近3个月采购次数比之前3个月增长 ≥ 30% 时写明次数", help_en="Purchases up 30 % or more on the "
          "three months before, with the counts"),
    ),
)

CONTACTS = SheetSpec(
    "contacts", "沟通记录", "Contact log", "data", table_name="tbl_contacts",
    aliases=("跟进记录", "沟通日志", "拜访记录", "沟通记录表", "客户沟通记录表", "客户沟通记录", "跟进记录表",
             "销售跟进记录", "contacts", "contact log", "follow-ups", "follow-up log"),
    # 003 calls our own people 客户对接人 (销售代表、客户成功经理), a log may mean the customer's
    # (docs/domain.md#contact-log):
    # decided by which of the two columns the sheet already has, else ambiguous (a 代码表 pin decides)
    contested=(("客户对接人", ("customer_contact", "follower")),),
    ignore=("序号", "No", "行号", "#", "Row"),
    help_zh="每行一次沟通或跟进；每次沟通后24小时内录入", help_en="One contact per row; log it within 24 hours",
    columns=(
        C("customer_id", "客户编号", "Customer ID", T.CUSTOMER_ID,
          aliases=("编号", "客户ID", "客户号", "客户代码", "Customer No", "Client ID"),
          help_zh="填编号或客户名称，工具可按名称补编号", help_en="ID or name; the tool can fill the ID from the name"),
        C("customer_name", "客户名称", "Customer name", T.TEXT, example="杭州云启科技有限公司", help_zh="客户全称；未填客户编号时按名称匹配客户", help_en="Full name; used to find the customer when the ID is empty", width=24,
          aliases=("客户", "公司名称", "客户全称", "客户公司名称", "客户名称(全称)", "company", "client", "customer",
                   "company name")),
        C("contact_date", "沟通时间", "Contact date", T.DATE, required=True, aliases=("沟通日期", "跟进时间", "跟进日期", "日期", "拜访时间", "拜访日期", "联系时间", "联系日期", "date",
                   "follow-up date", "visit date"),
          help_zh=_DATE_HELP[0], help_en=_DATE_HELP[1]),
        C("logged_at", "录入时间", "Logged at", T.DATETIME, aliases=("登记时间", "记录时间", "填写时间", "录入日期", "entered at", "logged"),
          help_zh="录入本行的时间，用于检查24小时内录入", help_en="When this row was entered; checks the 24-hour rule"),
        C("follower", "跟进人", "Followed up by", T.TEXT, example="李娜", help_zh="本次沟通的跟进人", help_en="Who made this contact", aliases=("沟通人", "跟进销售", "负责人", "跟进人员", "执行人", "销售人员", "followed by", "sales rep",
                   "salesperson", "owner", "contact owner")),
        C("participants", "参与人员", "Participants", T.TEXT, example="李娜、王强", help_zh="双方参与人员，多人用顿号分隔", help_en="People present, separated by 、", width=16, aliases=("参与人", "参会人员", "attendees")),
        # in a log, 联系人 is the customer's person (our side is 跟进人); 客户对接人 is contested (see SheetSpec)
        C("customer_contact", "客户联系人", "Customer contact", T.TEXT, example="王强", width=12,
          aliases=("客户方联系人", "对方联系人", "联系人", "客户联系人姓名", "联系人姓名", "contact person",
                   "client contact", "customer contact person"),
          help_zh="本次沟通的客户方联系人；与客户档案中的联系人不同即提示联系人变更",
          help_en="The customer's contact in this contact; differing from the customer record flags a change"),
        C("method", "沟通方式", "Method", T.LIST, list="contact_method",
          aliases=("方式", "跟进方式", "拜访方式", "contact method", "follow-up method")),
        C("summary", "沟通内容摘要", "Summary", T.LONGTEXT, example="电话沟通续约方案", help_zh="本次沟通的主要内容", help_en="What was discussed", max_len=500, width=36,
          aliases=("沟通内容", "跟进内容", "内容摘要", "核心内容", "沟通要点", "沟通摘要", "内容", "content",
                   "discussion")),
        C("feedback", "客户反馈与需求变化", "Feedback and demand changes", T.LONGTEXT, example="希望增加培训", max_len=200, width=30,
          aliases=("客户反馈", "需求变化", "客户反馈及需求变化", "反馈", "客户反馈与需求", "customer feedback",
                   "feedback and needs"), help_zh="需求有变化时，须在3个工作日内跟进",
          help_en="A demand change is followed up within 3 working days"),
        C("contact_changed", "联系人变更", "Contact changed", T.LIST, list="yes_no", width=10, aliases=("对接人变更", "联系人是否变更", "联系人更换", "contact change"),
          help_zh="客户方联系人是否更换（风险信号）", help_en="Did the customer's contact person change (a risk signal)"),
        C("next_action", "下一步行动", "Next action", T.TEXT, example="发送报价", help_zh="下一步具体要做什么", help_en="What happens next", width=24,
          aliases=("下一步计划", "后续行动", "后续跟进计划", "下一步", "待办事项", "后续计划", "next step", "next steps",
                   "to do")),
        C("action_owner", "行动负责人", "Action owner", T.TEXT, example="李娜", help_zh="负责下一步行动的人", help_en="Who does the next action", aliases=("行动责任人", "责任人", "待办负责人")),
        C("due", "截止时间", "Due", T.DATE, aliases=("截止日期", "完成时限", "时间节点", "due date", "deadline"), help_zh="下一步行动的截止日期，逾期标红",
          help_en="Due date of the next action; red when overdue"),
    ),
)

COMPLAINTS = SheetSpec(
    "complaints", "投诉登记", "Complaints", "data", table_name="tbl_complaints",
    aliases=("投诉记录", "投诉台账", "客户投诉", "投诉登记表", "客户投诉登记表", "客户投诉登记", "complaint register",
             "complaint log"),
    ignore=("序号", "No", "行号", "#", "Row"),
    help_zh="每行一条投诉；收到后1小时内登记", help_en="One complaint per row; register within 1 hour of receipt",
    columns=(
        C("complaint_id", "投诉编号", "Complaint ID", T.TEXT, example="TS-2024-0001", help_zh="投诉单号，如 TS-2024-0001", help_en="Complaint number, e.g. TS-2024-0001", aliases=("编号", "投诉单号", "工单号", "ticket", "ticket no"), width=14),
        C("customer_id", "客户编号", "Customer ID", T.CUSTOMER_ID, aliases=("客户ID", "客户号", "Customer No")),
        C("customer_name", "客户名称", "Customer name", T.TEXT, example="杭州云启科技有限公司", help_zh="客户全称；未填客户编号时按名称匹配客户", help_en="Full name; used to find the customer when the ID is empty", width=24, aliases=("客户", "投诉客户", "客户信息", "客户全称", "customer", "client")),
        C("received_at", "投诉时间", "Received", T.DATETIME, help_zh="收到投诉的日期时间（必填）", help_en="When the complaint was received (required)", required=True, aliases=("投诉日期", "接收时间", "收到时间", "complaint date", "received at")),
        C("registered_at", "登记时间", "Registered", T.DATETIME, aliases=("登记日期", "registered at"),
          help_zh="须在收到投诉后1小时内", help_en="Within 1 hour of receipt"),
        C("channel", "投诉渠道", "Channel", T.LIST, list="complaint_channel", aliases=("渠道", "接收渠道", "投诉方式")),
        C("description", "问题描述", "Description", T.LONGTEXT, example="系统登录偶发失败", help_zh="客户反映的问题", help_en="The problem the customer reported", max_len=500, width=36, aliases=("投诉内容", "问题", "issue", "problem")),
        C("urgency", "紧急程度", "Urgency", T.LIST, list="urgency", aliases=("紧急度", "优先级", "priority")),
        C("handler", "处理人", "Handler", T.TEXT, example="陈静", help_zh="负责处理本投诉的人", help_en="Who handles this complaint", aliases=("责任人", "处理负责人", "assigned to")),
        C("status", "处理状态", "Status", T.LIST, list="complaint_status", aliases=("状态", "status")),
        C("responded_at", "首次响应时间", "First response", T.DATETIME, aliases=("响应时间", "答复时间", "首次答复时间", "responded at"),
          help_zh="一般24小时内，紧急/特急按代码表时限", help_en="Normal within 24 h; urgent/critical per settings"),
        C("measures", "处理措施", "Measures", T.TEXT, example="远程排查并修复", help_zh="采取的处理措施", help_en="What was done", width=24, aliases=("措施", "actions taken")),
        C("result", "处理结果", "Result", T.TEXT, example="已恢复正常", help_zh="处理结果及客户意见", help_en="Outcome and the customer's view", width=20, aliases=("结果", "outcome")),
        C("resolved_at", "解决时间", "Resolved", T.DATETIME, aliases=("解决日期", "完成时间", "resolved at", "closed at")),
        C("satisfaction", "客户满意度", "Satisfaction", T.RATING, min_value=1, max_value=5, aliases=("满意度", "satisfaction score")),
    ),
)

SETTINGS_SHEET = SheetSpec(
    "settings", "代码表", "Lists & settings", "settings", aliases=("设置", "代码与设置", "settings", "lists"),
    help_zh="下拉选项、行业代码和各项阈值；工具从这里读取，改这里即可",
    help_en="Dropdown lists, industry codes and thresholds; the tool reads them from here",
)

INSTRUCTIONS = SheetSpec(
    "instructions", "说明", "Instructions", "doc", aliases=("使用说明", "填写说明", "instructions", "readme"),
)

SCHEMA = Schema(
    sheets=(CUSTOMERS, CONTACTS, COMPLAINTS, SETTINGS_SHEET, INSTRUCTIONS),
    lists=LISTS,
    industries=INDUSTRIES,
    settings=SETTINGS,
)

# Sheets the tool generates (never typed by hand), named in the workbook's own language
# (WorkbookModel.lang: a workbook with English headers gets English names). The reader knows every
# name in every language as the tool's own.
VALIDATION_SHEETS = {"zh": "校验结果", "en": "Validation results"}
CHANGELOG_SHEETS = {"zh": "变更日志", "en": "Change log"}   # continued on 变更日志 2 / Change log 2 … when full
REVIEW_SHEET_FMTS = {"zh": "{month} 月度复盘", "en": "{month} Monthly review"}          # month as YYYY-MM
REVIEW_QUARTER_SHEET_FMTS = {"zh": "{quarter} 季度复盘", "en": "{quarter} Quarterly review"}  # quarter as YYYY-Qn
VALIDATION_SHEET = VALIDATION_SHEETS["zh"]
CHANGELOG_SHEET = CHANGELOG_SHEETS["zh"]
REVIEW_SHEET_FMT = REVIEW_SHEET_FMTS["zh"]
REVIEW_QUARTER_SHEET_FMT = REVIEW_QUARTER_SHEET_FMTS["zh"]
MARKS_SHEET = "_wbt_marks"  # veryHidden: what each mark replaced, so a later run can clear it
# veryHidden: each customer's follow-up grade, stage and tiers at each month end (only what changed),
# continued on "_wbt_history 2" … when full (workbook_tools/history.py, docs/review.md#grade-history)
HISTORY_SHEET = "_wbt_history"
# generated review sheets end so (compared as normalised by norm_header); the reader skips them
REVIEW_SHEET_SUFFIXES = ("月度复盘", "季度复盘", "monthlyreview", "quarterlyreview")


def _lang(lang: str | None) -> str:
    return "en" if lang == "en" else "zh"


def validation_sheet_name(lang: str | None = "zh") -> str:
    return VALIDATION_SHEETS[_lang(lang)]


def changelog_sheet_name(n: int, lang: str | None = "zh") -> str:
    """The ``n``-th change-log sheet: 变更日志, 变更日志 2, 变更日志 3 … (Change log, Change log 2 …)."""
    base = CHANGELOG_SHEETS[_lang(lang)]
    return base if n <= 1 else f"{base} {n}"


def changelog_sheet_number(name: str) -> int:
    """1 for 变更日志 (or Change log), n for 变更日志 n (any spacing and case, full-width digits too), 0 for
    any other sheet."""
    s = unicodedata.normalize("NFKC", name).replace(" ", "").casefold()
    for base in CHANGELOG_SHEETS.values():
        b = base.replace(" ", "").casefold()
        if s.startswith(b):
            rest = s[len(b):]
            if not rest:
                return 1
            return int(rest) if rest.isdigit() and rest.isascii() and int(rest) >= 2 else 0
    return 0


def history_sheet_name(n: int) -> str:
    """The ``n``-th history sheet: _wbt_history, _wbt_history 2, _wbt_history 3 …"""
    return HISTORY_SHEET if n <= 1 else f"{HISTORY_SHEET} {n}"


def history_sheet_number(name: str) -> int:
    """1 for _wbt_history, n for _wbt_history n (any case and spacing), 0 for any other sheet."""
    s = name.replace(" ", "").casefold()
    if not s.startswith(HISTORY_SHEET):
        return 0
    rest = s[len(HISTORY_SHEET):]
    if not rest:
        return 1
    return int(rest) if rest.isdigit() and rest.isascii() and int(rest) >= 2 else 0


# Headers of the blocks in 代码表 (the reader finds blocks by these, in any column).
SETTINGS_HEADERS = {
    "industry_name": ("行业名称", "Industry"),
    "industry_code": ("行业代码", "Code"),
    "setting_key": ("设置项", "Key"),
    "setting_label": ("名称", "Name"),
    "setting_value": ("值", "Value"),
    "setting_unit": ("单位", "Unit"),
    "setting_help": ("说明", "Notes"),
    # the header-mapping block: a header this workbook uses → the column it is (see docs/reader.md)
    "map_text": ("表头文字", "Header text"),
    "map_target": ("对应列", "Maps to"),
    "map_unit": ("表头单位", "Header unit"),
    "map_sheet": ("所在工作表", "On sheet"),
    "map_help": ("映射说明", "Mapping notes"),
}
MAPPING_BLOCK = ("map_text", "map_target", "map_unit", "map_sheet", "map_help")
