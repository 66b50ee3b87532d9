"""The sample values of a notification: a realistic complaint in Chinese and in English,
used by the trial render that checks a template and by previews."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

_SAMPLE_FORM: dict[str, Any] = {
    "customer": "上海恒达贸易有限公司",
    "contact": "陈先生",
    "phone": "***",
    "order_no": "SO-20240226-0183",
    "category": "物流延误",
    "summary": "订单承诺 2 月 28 日送达，至今未收到货，客户要求说明原因并尽快发货。",
}

#: a complete, realistic context: used for the trial render of :func:`check_template`
SAMPLE_CONTEXT: Mapping[str, Any] = MappingProxyType(
    {
        "recipient": "李娜",
        "event_label": "待处理",
        "business_key": "CS20240301",
        "title": "客户投诉：上海恒达贸易订单延迟发货",
        "process": "客户投诉",
        "task": "投诉受理",
        "node": "客服受理",
        "department": "客服部",
        "remaining": "6 工时",
        "deadline": "2024-03-01 17:00",
        "action": "核实投诉内容并确认受理",
        "link": "https://oa.example.com/a/task/1024",
        "note": "客户今日已来电三次，请优先处理。",
        "actor": "张伟",
        "items": [
            {
                "task": "投诉受理",
                "business_key": "CS20240301",
                "deadline": "2024-03-01 17:00",
                "remaining": "6 工时",
                "link": "https://oa.example.com/a/task/1024",
            },
            {
                "task": "费用报销审批",
                "business_key": "FY20240227",
                "deadline": "2024-03-04 12:00",
                "remaining": "1 天 3 工时",
                "link": "https://oa.example.com/a/task/1019",
            },
        ],
        "count": 2,
        "form": _SAMPLE_FORM,
    }
)

#: the same sample in English, for previews in English
SAMPLE_CONTEXT_EN: Mapping[str, Any] = MappingProxyType(
    {
        **SAMPLE_CONTEXT,
        "recipient": "Li Na",
        "event_label": "new task",
        "title": "Complaint: late delivery of a Hengda Trading order",
        "process": "Customer complaint",
        "task": "Accept complaint",
        "node": "Service desk intake",
        "department": "Service Desk",
        "remaining": "6.0 h",
        "action": "check the complaint and accept it",
        "note": "The customer called three times today; please handle it first.",
        "actor": "Zhang Wei",
        "items": [
            {**item, "task": name, "remaining": left}
            for item, name, left in zip(
                SAMPLE_CONTEXT["items"],
                ("Accept complaint", "Expense claim approval"),
                ("6.0 h", "11.0 h"),
                strict=True,
            )
        ],
        "form": {
            **_SAMPLE_FORM,
            "customer": "Shanghai Hengda Trading Co., Ltd.",
            "contact": "Mr Chen",
            "category": "late delivery",
            "summary": "Promised for 28 February, not delivered yet; the customer wants a reason.",
        },
    }
)
