"""The columns the risk and high-potential rules (ops.risk, docs/domain.md#risk-customers) read
besides the dates: 首次合作时间 (the cooperation's start), 联系人 and the log's 客户联系人 (a changed
contact), 备注/潜在风险 and the log's text (renewal intent, a replaced contact, purchases). The
write gates of tiers and the review (ops.needs) and the review's lists name them from here."""

RISK_CUSTOMERS = ("first_coop", "contact", "remarks", "risks")
RISK_LOG = ("contact_changed", "customer_contact", "summary", "feedback")
