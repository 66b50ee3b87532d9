"""Archives (ARC-1): an instance that passes its archive node gets exactly one archive,
whose bundle the worker builds once — a folder and a zip with the deliverable files, the
history, Template 3 and Template 4 and a manifest of SHA-256 checksums — and ``verify``
finds every changed, missing or extra file and a changed manifest."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from tests.contract.driver import Driver, who

from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import ConflictError, InputError, NotFoundError
from oaflow.domain.security import SYSTEM
from oaflow.domain.states import Action
from oaflow.present.archive_files import archive_files
from oaflow.services import archive_jobs, archives, deliverables, timers
from oaflow.services.app import App
from oaflow.services.archive_bundle import Finding, folder_of, zip_of

NAME = "项目归档-2024-新产品A"
FORM = {
    "title": "新产品A上市推进",
    "product_name": "新产品A",
    "collaborating_departments": ["rnd"],
}


@pytest.fixture
def arch(demo_app: App, tmp_path: Path) -> App:
    demo_app.files_root = tmp_path / "files"
    demo_app.archive_files = archive_files
    return demo_app


def upload(app: App, login: str, task_id: int, name: str, data: bytes) -> str:
    with deliverables.receiver(app) as received:
        received.write(data)
        return deliverables.keep(app, who(app, login), task_id, name, received).ref


def walk_launch(app: App, form: dict[str, object] = FORM) -> str:
    """S1 from 001 to its end, with an uploaded plan at 研发方案输出."""
    d = Driver(app)
    key = d.start("new-product-launch", "mkt.head", form)
    d.complete("mkt.head", "n001")
    d.approve("rnd.head", "confirm_requirements")
    d.approve("vp.market", "n002")
    task = d.ack("rnd.head", "n003")
    ref = upload(app, "rnd.head", task, "研发方案.md", "# 研发方案\n模块化设计\n".encode())
    outputs, files = {"plan_summary": "模块化"}, {"研发方案": ref}
    d.do(task, Action.COMPLETE, "rnd.head", outputs=outputs, deliverables=files)
    d.complete("prd.head", "capacity", capacity_note="产能充足")
    d.approve("leg.head", "legal_review")
    d.complete("sal.head", "sales_training", training_note="两场培训")
    return key


def test_an_instance_passing_its_archive_node_gets_one_archive_built_once(arch: App) -> None:
    key = walk_launch(arch)
    (pending,) = archives.archive_list(arch, SYSTEM)
    assert (pending.name, pending.business_key, pending.state) == (NAME, key, "pending")
    timeline = Driver(arch).instance(key)["timeline"]
    assert [e["data"]["name"] for e in timeline if e["kind"] == "archived"] == [NAME]
    assert archive_jobs.fire_one(arch, arch.now()) is True
    assert archive_jobs.fire_one(arch, arch.now()) is False  # built once
    assert timers.fire_due(arch, arch.now()) == 0
    (built,) = archives.archive_list(arch, SYSTEM)
    paths = {f.path for f in built.files}
    assert built.state == "built"
    assert paths == {
        "instance.json",
        "history.json",
        "history.csv",
        "progress-template3.csv",
        "exceptions-template4.csv",
        "archive.xlsx",
        "deliverables/1-研发方案.md",
    }
    folder = folder_of(arch.files_root, NAME)
    manifest = (folder / "manifest.json").read_bytes()
    assert hashlib.sha256(manifest).hexdigest() == built.manifest_sha256
    listed = json.loads(manifest)
    assert listed["archive"] == NAME and listed["business_key"] == key
    for entry in listed["files"]:
        data = (folder / entry["path"]).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["size"], entry["sha256"])
    assert (folder / "deliverables/1-研发方案.md").read_text() == "# 研发方案\n模块化设计\n"
    progress = (folder / "progress-template3.csv").read_bytes()
    assert progress.startswith(b"\xef\xbb\xbf")  # Excel on Chinese Windows reads UTF-8
    assert "任务ID,当前节点,负责人" in progress.decode("utf-8-sig")
    assert "研发方案输出" in progress.decode("utf-8-sig")
    with zipfile.ZipFile(zip_of(arch.files_root, NAME)) as packed:
        assert sorted(packed.namelist()) == sorted(f"{NAME}/{p}" for p in {*paths, "manifest.json"})
    assert archives.verify(arch, SYSTEM, NAME).intact


def test_names_stay_unique_and_the_tick_builds(arch: App, clock: FixedClock) -> None:
    walk_launch(arch)
    walk_launch(arch)
    other = walk_launch(arch, {**FORM, "product_name": ""})  # no product name: the title
    walk_launch(arch, {**FORM, "product_name": "新产品A-2"})  # the name of the second
    walk_launch(arch)
    names = sorted(a.name for a in archives.archive_list(arch, SYSTEM))
    assert names == [NAME, f"{NAME}-2", f"{NAME}-2-2", f"{NAME}-3", "项目归档-2024-新产品A上市推进"]
    timers.tick(arch, clock, clock.now())
    assert {a.state for a in archives.archive_list(arch, SYSTEM)} == {"built"}
    assert [a.business_key for a in archives.of_instance(arch, SYSTEM, other)] == [other]


def test_verify_finds_each_kind_of_tampering(arch: App) -> None:
    walk_launch(arch)
    timers.fire_due(arch, arch.now())
    folder = folder_of(arch.files_root, NAME)
    history = folder / "history.csv"
    history.write_bytes(history.read_bytes().replace(b"2024", b"2025", 1))  # a changed byte
    (folder / "instance.json").unlink()
    (folder / "extra.txt").write_text("not archived")
    manifest = folder / "manifest.json"
    manifest.write_text(manifest.read_text().replace("sha256", "sha-256", 1))
    found = archives.verify(arch, SYSTEM, NAME)
    assert not found.intact
    assert set(found.findings) == {
        Finding("folder", "history.csv", "changed"),
        Finding("folder", "instance.json", "missing"),
        Finding("folder", "extra.txt", "extra"),
        Finding("folder", "manifest.json", "changed"),
    }
    with zipfile.ZipFile(zip_of(arch.files_root, NAME), "a") as packed:
        packed.writestr(f"{NAME}/added.csv", "x")
    assert Finding("zip", "added.csv", "extra") in archives.verify(arch, SYSTEM, NAME).findings
    zip_of(arch.files_root, NAME).unlink()
    assert Finding("zip", "", "missing") in archives.verify(arch, SYSTEM, NAME).findings


def test_who_sees_the_instance_sees_its_archive(arch: App, tmp_path: Path) -> None:
    walk_launch(arch)
    timers.fire_due(arch, arch.now())
    assert [a.name for a in archives.archive_list(arch, who(arch, "mkt.head"))] == [NAME]
    assert archives.show(arch, who(arch, "rnd.head"), NAME).state == "built"
    assert archives.archive_list(arch, who(arch, "csd.head")) == []
    with pytest.raises(NotFoundError):
        archives.show(arch, who(arch, "csd.head"), NAME)
    with pytest.raises(NotFoundError):
        archives.verify(arch, who(arch, "csd.head"), NAME)
    target = tmp_path / "out.zip"
    assert archives.export(arch, who(arch, "mkt.head"), NAME, target) == target
    assert target.read_bytes() == zip_of(arch.files_root, NAME).read_bytes()
    with pytest.raises(InputError, match="already exists"):
        archives.export(arch, who(arch, "mkt.head"), NAME, target)


def test_a_bundle_waits_for_a_process_that_can_write_it(arch: App) -> None:
    walk_launch(arch)
    arch.archive_files = None  # an API process without the adapters' writer
    assert archive_jobs.next_due(arch) is None and archive_jobs.fire_one(arch, arch.now()) is False
    with pytest.raises(ConflictError):
        archives.verify(arch, SYSTEM, NAME)


def test_two_workers_build_a_bundle_once(arch: App) -> None:
    """A second worker that looks while the first is building (PostgreSQL: skips the locked
    row; SQLite: waits for the write lock) finds nothing left to build."""
    from tests.contract.test_timers import run_against_paused

    walk_launch(arch)

    def second(other: App) -> bool:
        other.files_root, other.archive_files = arch.files_root, archive_files
        return archive_jobs.fire_one(other, arch.now())

    built_first: list[bool] = []
    found, error = run_against_paused(
        arch, lambda a: built_first.append(archive_jobs.fire_one(a, a.now())), second
    )
    assert (built_first, found, error) == ([True], False, None)
    (built,) = archives.archive_list(arch, SYSTEM)
    assert built.state == "built" and archives.verify(arch, SYSTEM, NAME).intact


def test_sensitive_values_stay_out_of_the_bundle(arch: App) -> None:
    """The complaint's phone (a sensitive field, SEC-3) is not written into any file."""
    key = Driver(arch).run_complaint()
    timers.fire_due(arch, arch.now())
    (archive,) = archives.of_instance(arch, SYSTEM, key)
    folder = folder_of(arch.files_root, archive.name)
    texts = {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert "instance.json" in texts and "history.json" in texts
    assert [n for n, data in texts.items() if b"13800000000" in data] == []
    form = json.loads(texts["instance.json"])["form"]
    assert [f["value"] for f in form if f["name"] == "phone"] == ["***"]
