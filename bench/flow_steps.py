"""What a person does with a complaint's task in the HTTP flow, by its node: (action, body)
— shared by the locust users (bench/locustfile.py) and the flow's in-process run
(bench/http_load.py)."""

from __future__ import annotations

from typing import Any

ACTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "triage": ("approve", {"note": "属实，转责任部门处理"}),
    "handle": ("complete", {"fields": {"cause": "包装材料强度不足", "solution": "更换加厚包装"}}),
    "review": ("approve", {"note": "认可"}),
    "reply": ("complete", {"fields": {"reply": "已回复客户", "satisfaction": 5}}),
}
