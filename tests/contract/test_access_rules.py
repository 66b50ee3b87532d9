"""What administrators configure (SEC-2, DEF-7): the roles holding each permission on a
process, and the compliance pre-review policies checked at publishing — on SQLite and
PostgreSQL. Only administrators change them; every process reads them at once."""

from __future__ import annotations

import pytest

from oaflow.domain.errors import ForbiddenError, InputError, ValidationError
from oaflow.domain.security import Permission, Role
from oaflow.services import access, catalog
from oaflow.services.app import App

from .driver import COMPLAINT, Driver, who

CONTRACT = """
key: supplier-contract
name: {zh: 供应商合同, en: Supplier contract}
business_key: "HT{yyyy}{seq:03}"
tags: [contract]
nodes:
  - {id: start, type: initiate, name: {zh: 发起}, next: legal}
  - id: legal
    type: approval
    name: {zh: 法务审核}
    assignee: {department: leg}
    time_limit: {hours: 24}
    next: sign
  - id: sign
    type: handle
    name: {zh: 签署}
    assignee: {head_of: initiator}
    time_limit: {hours: 24}
    next: done
  - {id: done, type: end, name: {zh: 结束}}
"""


def test_a_process_can_be_started_only_by_the_roles_it_grants(demo_app: App) -> None:
    admin = who(demo_app, "admin")
    Driver(demo_app).start("customer-complaint", "csd.staff", COMPLAINT)  # members may
    found = access.grant(demo_app, admin, "customer-complaint", "initiate", ["head"])
    assert found.grants[Permission.INITIATE] == (Role.HEAD,)
    assert Permission.INITIATE in found.custom
    with pytest.raises(ForbiddenError) as refused:
        Driver(demo_app).start("customer-complaint", "csd.staff", COMPLAINT)
    assert refused.value.code == "access.denied"
    Driver(demo_app).start("customer-complaint", "csd.head", COMPLAINT)  # heads still may
    access.grant(demo_app, admin, "customer-complaint", "initiate", ["default"])
    Driver(demo_app).start("customer-complaint", "csd.staff", COMPLAINT)


def test_handling_can_be_kept_from_a_role(demo_app: App) -> None:
    d = Driver(demo_app)
    d.start("customer-complaint", "csd.staff", COMPLAINT)
    access.grant(demo_app, who(demo_app, "admin"), "customer-complaint", "handle", ["auditor"])
    with pytest.raises(ForbiddenError):
        d.approve("csd.head", "triage")


def test_only_administrators_change_access_and_bad_input_changes_nothing(demo_app: App) -> None:
    admin = who(demo_app, "admin")
    before = access.grants(demo_app, admin, "customer-complaint")
    with pytest.raises(ForbiddenError):
        access.grant(demo_app, who(demo_app, "csd.head"), "customer-complaint", "view", [])
    with pytest.raises(InputError):
        access.grant(demo_app, admin, "customer-complaint", "administer", ["head"])
    with pytest.raises(InputError):
        access.grant(demo_app, admin, "customer-complaint", "view", ["king"])
    assert access.grants(demo_app, admin, "customer-complaint") == before
    with pytest.raises(ForbiddenError):  # reading them is for auditors and administrators
        access.grants(demo_app, who(demo_app, "csd.head"), "customer-complaint")
    assert access.grants(demo_app, who(demo_app, "auditor"), "customer-complaint") == before


def test_compliance_policies_are_configured_by_administrators(demo_app: App) -> None:
    admin = who(demo_app, "admin")
    assert access.policies(demo_app, admin)["contract"] == ("leg", "cmp")
    catalog.publish(demo_app, admin, CONTRACT, "contract.yaml")  # 法务部 approves first
    access.set_policy(demo_app, admin, "contract", ["cmp"])  # now 合规部 must
    with pytest.raises(ValidationError) as refused:
        catalog.publish(demo_app, admin, CONTRACT, "contract.yaml")
    assert [p.code for p in refused.value.problems] == ["definition.policy.no_approval"]
    with pytest.raises(ValidationError):  # validating checks the same policies
        catalog.validate(demo_app, CONTRACT, "contract.yaml")
    with pytest.raises(InputError):
        access.set_policy(demo_app, admin, "contract", ["nowhere"])
    with pytest.raises(ForbiddenError):
        access.set_policy(demo_app, who(demo_app, "leg.head"), "contract", ["leg"])
    access.set_policy(demo_app, admin, "contract", [])  # no policy for the tag any more
    assert "contract" not in access.policies(demo_app, admin)
    catalog.publish(demo_app, admin, CONTRACT, "contract.yaml")
