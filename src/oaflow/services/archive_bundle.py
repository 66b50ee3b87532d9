"""An archive's bundle on disk (ARC-1): a folder ``<files root>/archives/<name>/`` and a zip
``<name>.zip`` beside it holding the same files under ``<name>/``; ``manifest.json`` lists
every other file with its size and SHA-256, and the manifest's own SHA-256 is kept in the
database. Writing goes through a temporary folder that is moved into place, so a bundle is
either all there or not at all; verifying compares the folder and the zip with the manifest
and the manifest with the database."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
#: a fixed date inside the zip, so the same files make the same zip
ZIP_DATE = (2000, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a bundle: where (``folder`` or ``zip``), which file, and what
    (``changed``, ``missing``, ``extra``)."""

    where: str
    path: str
    problem: str


def root_of(files_root: Path) -> Path:
    return files_root / "archives"


def folder_of(files_root: Path, name: str) -> Path:
    return root_of(files_root) / name


def zip_of(files_root: Path, name: str) -> Path:
    return root_of(files_root) / f"{name}.zip"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def listing(files: Mapping[str, bytes]) -> list[dict[str, Any]]:
    """The manifest's list of ``files``: path, size and SHA-256, by path."""
    return [
        {"path": path, "size": len(data), "sha256": sha256(data)}
        for path, data in sorted(files.items())
    ]


def manifest_bytes(about: Mapping[str, Any], files: list[dict[str, Any]]) -> bytes:
    document = {**about, "algorithm": "sha256", "files": files}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write(files_root: Path, name: str, files: Mapping[str, bytes], manifest: bytes) -> None:
    """Write the folder and the zip of archive ``name``, replacing any earlier attempt."""
    root = root_of(files_root)
    root.mkdir(parents=True, exist_ok=True)
    temporary = root / f".{name}.building"
    shutil.rmtree(temporary, ignore_errors=True)
    everything = {**files, MANIFEST: manifest}
    for path, data in everything.items():
        target = temporary / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    packed = root / f".{name}.zip.building"
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(everything.items()):
            archive.writestr(zipfile.ZipInfo(f"{name}/{path}", ZIP_DATE), data)
    folder = folder_of(files_root, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(temporary, folder)
    os.replace(packed, zip_of(files_root, name))


def folder_files(folder: Path) -> dict[str, bytes]:
    """The files in ``folder`` by their path inside it (``/`` separated)."""
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def zip_files(path: Path, name: str) -> dict[str, bytes] | None:
    """The files of the zip under ``name/``; None when there is no readable zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            prefix = f"{name}/"
            return {
                i.filename.removeprefix(prefix): archive.read(i)
                for i in archive.infolist()
                if not i.is_dir()
            }
    except (OSError, zipfile.BadZipFile):
        return None


def check(
    where: str, found: Mapping[str, bytes], expected: list[dict[str, Any]], manifest_sha: str
) -> list[Finding]:
    """What differs between the files ``found`` and the ``expected`` list (the database's),
    the manifest included (its checksum kept apart)."""
    problems: list[Finding] = []
    wanted = {f["path"]: f["sha256"] for f in expected}
    wanted[MANIFEST] = manifest_sha
    for path, digest in sorted(wanted.items()):
        if path not in found:
            problems.append(Finding(where, path, "missing"))
        elif sha256(found[path]) != digest:
            problems.append(Finding(where, path, "changed"))
    problems += [Finding(where, p, "extra") for p in sorted(found) if p not in wanted]
    return problems


def verify(
    files_root: Path, name: str, expected: list[dict[str, Any]], manifest_sha: str
) -> list[Finding]:
    """Every changed, missing or extra file of the folder and the zip (the manifest too)."""
    folder = folder_of(files_root, name)
    problems = (
        check("folder", folder_files(folder), expected, manifest_sha)
        if folder.is_dir()
        else [Finding("folder", "", "missing")]
    )
    packed = zip_files(zip_of(files_root, name), name)
    if packed is None:
        return [*problems, Finding("zip", "", "missing")]
    return problems + check("zip", packed, expected, manifest_sha)
