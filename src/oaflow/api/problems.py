"""Errors as problem+json (RFC 9457): the code of the error, its text in the caller's
language, and a status from its kind. Bad input is never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from oaflow.domain.errors import BusyError, OAFlowError, ThrottledError, ValidationError
from oaflow.domain.text import Text
from oaflow.services import audit

STATUS = {
    "not_found": 404,
    "forbidden": 403,
    "conflict": 409,
    "bad_input": 422,
    "unprocessable": 422,
    "unauthenticated": 401,
    "throttled": 429,
    "too_large": 413,
    "unsupported_type": 415,
    "unavailable": 503,  # sealed values without their key (SEC-3): fails closed
    "busy": 503,  # the database's locks waited for too long: nothing done, send it again
    "error": 400,
}
MEDIA = "application/problem+json"
#: seconds a client is asked to wait before sending a request the busy database refused
BUSY_RETRY_AFTER = 1


class Problem(BaseModel):
    """What went wrong (RFC 9457), with OA-Flow's stable error code."""

    type: str
    title: str
    status: int
    code: str
    detail: str = ""
    instance: str = ""
    problems: list[str] = []


Responses = dict[int | str, dict[str, Any]]
#: documented on every operation
COMMON: Responses = {
    401: {"model": Problem, "description": "Not signed in, or the session or token ended"},
    403: {"model": Problem, "description": "Not allowed (CSRF, scope or permission)"},
    422: {"model": Problem, "description": "The request is not valid"},
    429: {"model": Problem, "description": "Too many requests"},
}
ONE: Responses = {
    404: {"model": Problem, "description": "Not found, or outside the caller's scope"}
}
CHANGE: Responses = {
    409: {"model": Problem, "description": "Changed meanwhile, or in the wrong state"}
}


def language(request: Request) -> str:
    wanted = request.query_params.get("lang") or request.headers.get("accept-language", "")
    return "en" if wanted.lower().startswith("en") else "zh"


def problem(
    request: Request, status: int, code: str, title: str, detail: str = "", **extra: Any
) -> JSONResponse:
    body = Problem(
        type=f"urn:oaflow:problem:{code}",
        title=title,
        status=status,
        code=code,
        detail=detail,
        instance=request.url.path,
        **extra,
    )
    headers = {}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra.pop("retry_after"))
    return JSONResponse(body.model_dump(), status_code=status, media_type=MEDIA, headers=headers)


def error_response(request: Request, error: OAFlowError, timezone: str) -> JSONResponse:
    """An OA-Flow error as problem+json, in the caller's language."""
    lang = language(request)
    status = STATUS.get(error.kind, 400)
    if error.kind == "unavailable":  # the operator's problem: name no object (SEC-3)
        return problem(request, status, error.code, UNAVAILABLE.get(lang))
    extra: dict[str, Any] = {}
    if isinstance(error, ValidationError):
        extra["problems"] = [p.text(lang) for p in error.problems]
    response = problem(
        request, status, error.code, error.text(lang, timezone), error.hint(lang, timezone), **extra
    )
    if isinstance(error, ThrottledError):
        response.headers["Retry-After"] = str(error.params.get("retry_after", 60))
    if isinstance(error, BusyError):
        response.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


def install(
    api: FastAPI,
    timezone: str,
    database_errors: tuple[type[BaseException], ...],
    explain: Callable[[BaseException], OAFlowError | None],
) -> None:
    """The API's error handlers: OA-Flow errors, invalid requests, HTTP errors, and the
    database's failures that mean something to the caller (``explain``: a busy database is
    a 503 to send again; any other stays a 500)."""

    def database_failure(request: Request, exc: Exception) -> JSONResponse:
        explained = explain(exc)
        if explained is None:
            raise exc
        return error_response(request, explained, timezone)

    for error in database_errors:
        api.add_exception_handler(error, database_failure)  # type: ignore[arg-type]

    @api.exception_handler(OAFlowError)
    def oaflow_error(request: Request, error: OAFlowError) -> JSONResponse:
        who = getattr(request.state, "oaflow_who", None)
        if who is not None:  # a refusal of a signed-in caller goes to the audit log
            audit.record_denial(request.app.state.oaflow, error, who)
        return error_response(request, error, timezone)

    @api.exception_handler(RequestValidationError)
    def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        lang = language(request)
        found = [_where(e) for e in error.errors()]
        malformed = any(e.get("type") == "json_invalid" for e in error.errors())
        title = INVALID.get(lang) if not malformed else MALFORMED.get(lang)
        code = "request.malformed" if malformed else "request.invalid"
        return problem(request, 400 if malformed else 422, code, title, "; ".join(found))

    @api.exception_handler(HTTPException)
    def http_error(request: Request, error: HTTPException) -> JSONResponse:
        code = HTTP_CODES.get(error.status_code, "request.failed")
        title = str(error.detail) if error.detail else code
        if error.status_code == 400:  # a body that cannot be read (bytes that are no text …)
            title, detail = UNREADABLE.get(language(request)), title
            return problem(request, 400, code, title, detail)
        return problem(request, error.status_code, code, title)


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Make the OpenAPI description say what the errors are: problem+json (FastAPI files a
    model's responses under application/json); 400 for every request with a body (one that
    is not JSON, not text or not a form) and 413 (a body over 5 MB sent with an
    Idempotency-Key, which is kept whole); 409 for every change (a retry with an
    Idempotency-Key while the first request still runs)."""
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path in schema.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.get("responses", {})
            errors = {**(BODY_ERRORS if "requestBody" in operation else {})}
            if method.upper() in {"POST", "PUT", "PATCH", "DELETE"}:
                errors["409"] = IN_FLIGHT
            content = {MEDIA: {"schema": problem_ref}}
            for status, description in errors.items():
                responses.setdefault(status, {"description": description, "content": content})
            for status, response in responses.items():
                content = response.get("content", {})
                if (
                    status[0] in "45"
                    and content.get("application/json", {}).get("schema") == problem_ref
                ):
                    content[MEDIA] = content.pop("application/json")
    return schema


IN_FLIGHT = "A request with this Idempotency-Key still runs"
BODY_ERRORS = {
    "400": "The request body cannot be read (not JSON, not text, not a form)",
    "413": "The request body is too large",
}
INVALID = Text("请求内容不符合要求", "the request is not valid")
UNAVAILABLE = Text(
    "敏感数据暂时无法读取：请联系管理员检查加密密钥",
    "sensitive data cannot be read right now: ask an administrator to check the keys",
)
MALFORMED = Text("请求不是有效的 JSON", "the request body is not valid JSON")
UNREADABLE = Text("请求内容无法读取", "the request body cannot be read")
HTTP_CODES = {
    400: "request.malformed",
    404: "request.no_such_path",
    405: "request.method_not_allowed",
    413: "request.too_large",
    415: "request.unsupported_media",
}


def _where(error: Any) -> str:
    place = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
    return f"{place}: {error.get('msg', '')}" if place else str(error.get("msg", ""))
