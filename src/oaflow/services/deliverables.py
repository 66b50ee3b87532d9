"""Uploaded deliverables (SEC-5): the handler of an open task uploads files for it; anyone
who may see the task downloads them.

The bytes are streamed to a file under the storage root with a generated name (the
uploader's name is only a label), counted against the size limit as they arrive, hashed
(sha256), and their type is decided by their content, never by what the client says: a
known document or image type by its signature, UTF-8 text as text, anything else refused.
A task's completion names its uploaded files as ``file:ID``; the engine keeps the
reference like any other deliverable.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

import filetype
from sqlalchemy import Connection

from oaflow.domain.errors import (
    ForbiddenError,
    InputError,
    NotFoundError,
    TooLargeError,
    UnsupportedTypeError,
)
from oaflow.domain.model import InstanceRecord, TaskRecord
from oaflow.domain.security import Permission, Principal
from oaflow.services import audit, authz
from oaflow.services.app import App
from oaflow.services.audit import AuditAction
from oaflow.storage import files_repo
from oaflow.storage import runtime_reads as repo

REF_PREFIX = "file:"
SNIFF_BYTES = 8192
#: what a deliverable may be: documents, spreadsheets, slides, images, archives, text
ALLOWED_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/zip",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
    }
)
_TEXT_TYPES = {".csv": "text/csv", ".md": "text/markdown"}


@dataclass(frozen=True)
class FileView:
    """An uploaded file as its task shows it."""

    id: int
    task_id: int
    name: str
    size: int
    content_type: str
    sha256: str
    uploaded_by: str
    uploaded_at: datetime

    @property
    def ref(self) -> str:
        """How a completion names it among the deliverables."""
        return f"{REF_PREFIX}{self.id}"


def _view(stored: files_repo.StoredFile) -> FileView:
    return FileView(
        stored.id,
        stored.task_id,
        stored.name,
        stored.size,
        stored.content_type,
        stored.sha256,
        stored.uploaded_by,
        stored.uploaded_at,
    )


def safe_name(name: str) -> str:
    """The uploader's file name as a label: no folders, control characters or leading dots,
    at most 200 characters; ``file`` when nothing is left."""
    base = re.split(r"[\\/]", name)[-1]
    kept = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    return kept[:200] or "file"


class Receiver:
    """Takes an upload's bytes as they arrive: into a temporary file under the storage root,
    counted against the limit (``TooLargeError`` at the first byte over it) and hashed.
    Closed without ``keep``, the bytes are removed."""

    def __init__(self, root: Path, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._hash = hashlib.sha256()
        self._head = b""
        incoming = root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        self.path = incoming / f"{secrets.token_hex(16)}.part"
        self._out = self.path.open("xb")

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise TooLargeError("upload.too_large", limit_mb=round(self.limit / 2**20, 1))
        if len(self._head) < SNIFF_BYTES:
            self._head += chunk[: SNIFF_BYTES - len(self._head)]
        self._hash.update(chunk)
        self._out.write(chunk)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    @property
    def head(self) -> bytes:
        return self._head

    def close(self) -> None:
        if not self._out.closed:
            self._out.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Receiver:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def receiver(app: App) -> Receiver:
    return Receiver(app.files_root, app.max_upload)


def content_type(head: bytes, name: str) -> str:
    """The type of a file by its first bytes (``name`` only tells text files apart)."""
    kind = filetype.guess(head) if head else None
    if kind is not None:
        if kind.mime not in ALLOWED_TYPES:
            raise UnsupportedTypeError("upload.type_refused", type=kind.mime)
        return str(kind.mime)
    if b"\x00" in head or not _utf8(head):
        raise UnsupportedTypeError("upload.type_unknown")
    return _TEXT_TYPES.get(Path(name).suffix.lower(), "text/plain") + "; charset=utf-8"


def _utf8(head: bytes) -> bool:
    """UTF-8 text (a sequence cut at the end of the sniffed bytes is allowed)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


def check_upload(app: App, who: Principal, task_id: int) -> None:
    """``who`` may upload for the task: it is open and theirs to finish. Called before the
    bytes are taken (and again when they are kept)."""
    with app.db.read() as conn:
        _open_task_of(app, conn, who, task_id)


def _open_task_of(app: App, conn: Connection, who: Principal, task_id: int) -> TaskRecord:
    task, instance = _visible_task(app, conn, who, task_id)
    missing = NotFoundError("task.not_found", task_id=task_id)
    if not task.may_act(who.login):
        owner = task.assignee or list(task.candidates)
        raise ForbiddenError("task.not_yours", task=task_id, owner=owner)
    authz.authorize(app, conn, who, Permission.SUBMIT, instance=instance, missing=missing)
    if not task.is_open:
        raise InputError("upload.task_closed", task_id=task_id)
    return task


def stored_path(app: App, stored_name: str) -> Path:
    """Where a kept file's bytes are: under its generated name, in a folder of its first two
    characters."""
    return app.files_root / stored_name[:2] / stored_name


def keep(app: App, who: Principal, task_id: int, name: str, received: Receiver) -> FileView:
    """Keep what ``received`` took for the task: its type decided by content, under a
    generated name in the storage root, with a row saying whose it is."""
    label = safe_name(name)
    kind = content_type(received.head, label)
    if received.size == 0:
        raise InputError("upload.empty")
    stored_name = secrets.token_hex(16)
    target = stored_path(app, stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    received._out.close()
    with app.db.write() as conn:
        task = _open_task_of(app, conn, who, task_id)
        os.replace(received.path, target)
        try:
            file_id = files_repo.add_file(
                conn,
                {
                    "task_id": task_id,
                    "instance_id": task.instance_id,
                    "name": label,
                    "stored_name": stored_name,
                    "size": received.size,
                    "content_type": kind,
                    "sha256": received.sha256,
                    "uploaded_by": who.login,
                    "uploaded_at": app.now(),
                },
            )
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        stored = files_repo.get_file(conn, file_id)
        detail = {"file": file_id, "name": label, "size": received.size, "sha256": received.sha256}
        audit.record(app, conn, who, AuditAction.FILE_UPLOAD, f"task:{task_id}", **detail)
    assert stored is not None
    return _view(stored)


def files_of_task(app: App, who: Principal, task_id: int) -> list[FileView]:
    """The files uploaded for a task the caller may see."""
    with app.db.read() as conn:
        _visible_task(app, conn, who, task_id)
        return [_view(f) for f in files_repo.files_of_task(conn, task_id)]


def files_of_instance(app: App, who: Principal, business_key: str) -> list[FileView]:
    """The files uploaded for any task of an instance the caller may see."""
    missing = NotFoundError("instance.not_found", business_key=business_key)
    with app.db.read() as conn:
        instance = repo.find_instance(conn, app.sensitive, business_key)
        if instance is None:
            raise missing
        authz.authorize(app, conn, who, Permission.VIEW, instance=instance, missing=missing)
        return [_view(f) for f in files_repo.files_of_instance(conn, instance.id or 0)]


def _visible_task(
    app: App, conn: Connection, who: Principal, task_id: int
) -> tuple[TaskRecord, InstanceRecord]:
    missing = NotFoundError("task.not_found", task_id=task_id)
    task = repo.load_task(conn, app.sensitive, task_id)
    if task is None:
        raise missing
    instance = repo.load_instance(conn, app.sensitive, task.instance_id)
    assert instance is not None
    authz.authorize(app, conn, who, Permission.VIEW, instance=instance, missing=missing)
    return task, instance


def download(app: App, who: Principal, file_id: int) -> tuple[FileView, Path]:
    """A file for someone who may see its task, and where its bytes are."""
    missing = NotFoundError("upload.not_found", file_id=file_id)
    with app.db.read() as conn:
        stored = files_repo.get_file(conn, file_id)
        if stored is None:
            raise missing
        instance = repo.load_instance(conn, app.sensitive, stored.instance_id)
        assert instance is not None
        authz.authorize(app, conn, who, Permission.VIEW, instance=instance, missing=missing)
    path = stored_path(app, stored.stored_name)
    if not path.is_file():
        raise NotFoundError("upload.bytes_missing", file_id=file_id)
    return _view(stored), path


def check_refs(app: App, task_id: int, named: Mapping[str, str]) -> None:
    """Every ``file:ID`` among a completion's deliverables was uploaded for this task."""
    refs = {name: value for name, value in named.items() if value.startswith(REF_PREFIX)}
    if not refs:
        return
    with app.db.read() as conn:
        for name, value in refs.items():
            number = value.removeprefix(REF_PREFIX)
            stored = files_repo.get_file(conn, int(number)) if number.isdigit() else None
            if stored is None or stored.task_id != task_id:
                raise InputError("upload.not_of_task", name=name, ref=value, task_id=task_id)
