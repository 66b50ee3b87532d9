"""The VER-4 scenario the migration tests share: version 1 of a purchase order with three
instances at different nodes, and version 2 where `review` is renamed `head_review`,
`receive` is removed and `supplier` becomes required.

- the first instance is at `review` (renamed: it migrates with ``--map review=head_review``);
- the second is at `receive` (removed in v2) and has no supplier: refused for both;
- the third is at `sign` (kept) but has no supplier, which v2 requires: refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from oaflow.domain.security import SYSTEM
from oaflow.domain.states import Action
from oaflow.engine.runtime import Command
from oaflow.services import authz, catalog, queries, runtime
from oaflow.services.app import App

KEY = "purchase-order"
V1 = """
key: purchase-order
name: {zh: 采购申请, en: Purchase order}
business_key: "PO{yyyy}{seq:03}"
form:
  - {name: amount, type: number, required: true, label: {zh: 金额, en: Amount}}
  - {name: supplier, type: string, label: {zh: 供应商, en: Supplier}}
nodes:
  - {id: apply, type: initiate, name: {zh: 提交申请, en: Apply}, next: review}
  - id: review
    type: approval
    name: {zh: 部门审批, en: Head approves}
    assignee: {user: mkt.head}
    time_limit: {hours: 24}
    next: sign
  - id: sign
    type: approval
    name: {zh: 总经理签批, en: GM signs}
    assignee: {user: gm}
    time_limit: {hours: 24}
    next: receive
  - id: receive
    type: handle
    name: {zh: 收货确认, en: Goods received}
    assignee: {user: fin.head}
    time_limit: {hours: 24}
    next: done
  - {id: done, type: end, name: {zh: 结束, en: Done}}
"""
V2 = """
key: purchase-order
name: {zh: 采购申请, en: Purchase order}
business_key: "PO{yyyy}{seq:03}"
form:
  - {name: amount, type: number, required: true, label: {zh: 金额, en: Amount}}
  - {name: supplier, type: string, required: true, label: {zh: 供应商, en: Supplier}}
nodes:
  - {id: apply, type: initiate, name: {zh: 提交申请, en: Apply}, next: head_review}
  - id: head_review
    type: approval
    name: {zh: 部门负责人审批, en: The head approves}
    assignee: {user: mkt.head}
    time_limit: {hours: 24}
    next: sign
  - id: sign
    type: approval
    name: {zh: 总经理签批, en: GM signs}
    assignee: {user: gm}
    time_limit: {hours: 24}
    next: done
  - {id: done, type: end, name: {zh: 结束, en: Done}}
"""


@dataclass(frozen=True)
class Instances:
    at_review: str  # renamed node: migrates
    at_receive: str  # removed node, no supplier: refused twice over
    at_sign: str  # no supplier: refused


def act(app: App, login: str, business_key: str, node: str, *actions: Action) -> None:
    """``login`` does ``actions`` on their task at ``node`` of ``business_key``."""
    who = authz.principal(app, login)
    (task,) = [
        t
        for t in queries.tasks_for(app, who)
        if t.node.id == node and t.business_key == business_key
    ]
    for action in actions:
        runtime.act(app, who, task.id, Command(action, login))


def prepare(app: App) -> Instances:
    """Version 1 with the three instances, then version 2 published (on a database with the
    demo organisation)."""
    catalog.publish(app, SYSTEM, V1, "purchase-v1.yaml")
    staff = authz.principal(app, "mkt.staff")
    found = Instances(
        *(
            runtime.start(app, staff, KEY, form).business_key
            for form in (
                {"title": "办公椅", "amount": 3000, "supplier": "某家具厂"},
                {"title": "投影仪", "amount": 8000},
                {"title": "服务器", "amount": 50000},
            )
        )
    )
    for key in (found.at_receive, found.at_sign):
        act(app, "mkt.head", key, "review", Action.APPROVE)
    act(app, "gm", found.at_receive, "sign", Action.APPROVE)
    catalog.publish(app, SYSTEM, V2, "purchase-v2.yaml")
    return found
