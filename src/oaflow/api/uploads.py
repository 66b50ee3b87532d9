"""Reading one file out of a multipart/form-data request as it streams in: the bytes of
the ``file`` field go straight to the service's Receiver (which counts them against the
limit and hashes them); nothing is buffered whole in memory or spooled elsewhere."""

from __future__ import annotations

from fastapi import Request, UploadFile
from python_multipart.multipart import MultipartParser, parse_options_header

from oaflow.domain.errors import InputError, TooLargeError
from oaflow.services.deliverables import Receiver

FIELD = "file"
#: room for the multipart envelope around the file
ENVELOPE = 64 * 1024
#: the most bytes taken by fields other than the file (they are ignored)
OTHER_FIELDS = 64 * 1024

OPENAPI_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FIELD],
                    "properties": {FIELD: {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


class _Parts:
    """The parser's callbacks: which part is being read, and where its bytes go."""

    def __init__(self, received: Receiver) -> None:
        self.received = received
        self.filename: str | None = None
        self.files = 0
        self.other = 0
        self._field = bytearray()
        self._value = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._in_file = False

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": lambda d, s, e: self._field.extend(d[s:e]),
            "on_header_value": lambda d, s, e: self._value.extend(d[s:e]),
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
        }

    def part_begin(self) -> None:
        self._headers = {}
        self._in_file = False

    def header_end(self) -> None:
        self._headers[bytes(self._field).lower()] = bytes(self._value)
        self._field.clear()
        self._value.clear()

    def headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        if params.get(b"name") == FIELD.encode() and b"filename" in params:
            self.files += 1
            if self.files > 1:
                raise InputError("upload.one_file")
            self._in_file = True
            self.filename = params[b"filename"].decode("utf-8", errors="replace")

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self.received.write(data[start:end])
            return
        self.other += end - start
        if self.other > OTHER_FIELDS:
            raise TooLargeError("upload.too_large", limit_mb=round(OTHER_FIELDS / 2**20, 2))


async def read_file(request: Request, received: Receiver) -> str:
    """Stream the request's ``file`` field into ``received``; returns its file name."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > received.limit + ENVELOPE:
        raise TooLargeError("upload.too_large", limit_mb=round(received.limit / 2**20, 1))
    kind, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise InputError("upload.no_file")
    parts = _Parts(received)
    parser = MultipartParser(boundary, parts.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except (TooLargeError, InputError):
        raise
    except Exception as exc:  # the parser's own errors: a malformed body
        raise InputError("upload.malformed", reason=str(exc)[:200]) from None
    if parts.filename is None:
        raise InputError("upload.no_file")
    return parts.filename


async def read_upload(file: UploadFile, limit: int) -> bytes:
    """A small uploaded file's bytes, at most ``limit`` of them (a TooLargeError beyond)."""
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise TooLargeError("file.too_large", path=file.filename or "", limit_mb=limit // 2**20)
    return data
