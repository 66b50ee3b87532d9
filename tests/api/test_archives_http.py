"""Archives through HTTP (ARC-1): list, show, the zip, verify — in the instance's scope."""

from __future__ import annotations

import hashlib
import io
import zipfile

from tests.contract.test_archives import walk_launch

from oaflow.present.archive_files import archive_files
from oaflow.services import timers
from oaflow.services.archive_bundle import folder_of

from .conftest import Server


def test_archives_are_listed_shown_downloaded_and_verified(api: Server) -> None:
    api.app.archive_files = archive_files  # as the CLI's worker has it
    key = walk_launch(api.app)
    mkt = api.signed_in("mkt.head")
    [pending] = mkt.get("/api/archives").json()
    name = pending["name"]
    assert (pending["business_key"], pending["state"], pending["files"]) == (key, "pending", None)
    assert name.startswith("项目归档-") and name.endswith("-新产品A")
    assert mkt.get(f"/api/archives/{name}/zip").status_code == 409  # not built yet
    timers.fire_due(api.app, api.app.now())

    shown = mkt.get(f"/api/archives/{name}").json()
    assert shown["state"] == "built" and shown["file_count"] == 7
    sizes = {f["path"]: (f["size"], f["sha256"]) for f in shown["files"]}
    answer = mkt.get(f"/api/archives/{name}/zip")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as packed:
        for path, (size, digest) in sizes.items():
            data = packed.read(f"{name}/{path}")
            assert (len(data), hashlib.sha256(data).hexdigest()) == (size, digest)

    assert mkt.post(f"/api/archives/{name}/verify").json()["intact"] is True
    (folder_of(api.app.files_root, name) / "history.json").unlink()
    checked = mkt.post(f"/api/archives/{name}/verify", headers={"Accept-Language": "en"}).json()
    assert checked["intact"] is False
    assert checked["findings"] == [
        {
            "where": "folder",
            "path": "history.json",
            "problem": "missing",
            "text": "folder history.json: missing",
        }
    ]

    outsider = api.signed_in("csd.head")  # 客户服务部: not in the launch's scope
    assert outsider.get("/api/archives").json() == []
    for path in (f"/api/archives/{name}", f"/api/archives/{name}/zip"):
        assert outsider.get(path).status_code == 404
    assert outsider.post(f"/api/archives/{name}/verify").status_code == 404
    assert mkt.get("/api/archives/nope").json()["code"] == "archive.not_found"
