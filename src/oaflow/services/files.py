"""Reading a file a person names (an organisation, a calendar, a form, a definition): a
clear error, not a traceback, for a path that is missing, a folder, unreadable, too large
or not UTF-8 text."""

from __future__ import annotations

from pathlib import Path

from oaflow.domain.errors import InputError

MAX_BYTES = 20 * 1024 * 1024


def read_bytes(path: Path) -> bytes:
    try:
        if path.is_dir():
            raise InputError("file.is_directory", path=str(path))
        if path.stat().st_size > MAX_BYTES:
            raise InputError("file.too_large", path=str(path), limit_mb=MAX_BYTES // 2**20)
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("file.not_found", path=str(path)) from None
    except PermissionError:
        raise InputError("file.not_readable", path=str(path)) from None
    except OSError as exc:
        raise InputError("file.not_readable", path=f"{path} ({exc.strerror})") from None


def read_text(path: Path) -> str:
    """The text of a UTF-8 file (a byte-order mark, as Excel writes it, is skipped)."""
    try:
        return read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("file.not_utf8", path=str(path)) from None
