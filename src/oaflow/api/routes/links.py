"""The action links of messages (NTF-5): a GET only shows what the link would do (mail
scanners and previews open links); the person confirms with a POST, which acts once."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from oaflow.api.deps import TheApp
from oaflow.api.problems import language
from oaflow.domain.errors import OAFlowError
from oaflow.domain.labels import TASK_STATES
from oaflow.domain.text import Text
from oaflow.services import action_links

router = APIRouter(tags=["links"])
Token = Annotated[str, Path(min_length=10, max_length=2000)]
ACTIONS = {"approve": Text("审批通过", "Approve"), "ack": Text("确认接收", "Acknowledge")}
PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OA-Flow</title>
<style>body{{font-family:system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;
max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.6}}
button{{font-size:1.1rem;padding:.6rem 1.4rem;border-radius:.4rem;border:0;
background:#1664ff;color:#fff}}.muted{{color:#666}}</style></head>
<body>{body}</body></html>"""


def _page(lang: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.format(lang="en" if lang == "en" else "zh-CN", body=body), status)


@router.get("/a/{token}", response_class=HTMLResponse, include_in_schema=False)
def confirm(token: Token, request: Request, app: TheApp) -> HTMLResponse:
    """What the link would do, with a button; nothing is done by opening it."""
    lang = language(request)
    try:
        found = action_links.preview_link(app, token)
    except OAFlowError as error:
        return _page(
            lang, f"<p>{escape(error.text(lang))}</p>", 404 if error.kind == "not_found" else 400
        )
    task = found.task
    verb = ACTIONS.get(found.action, Text(found.action)).get(lang)
    body = (
        f"<h1>{escape(task.title)}</h1>"
        f"<p>{escape(task.business_key)} · {escape(task.node.name.get(lang))} · "
        f"{escape(TASK_STATES[task.state].get(lang))}</p>"
        f'<form method="post"><button type="submit">{escape(verb)}</button></form>'
        f'<p class="muted">{escape(DONE_ONCE.get(lang))}</p>'
    )
    return _page(lang, body)


@router.post("/a/{token}", response_class=HTMLResponse, include_in_schema=False)
def act(token: Token, request: Request, app: TheApp) -> HTMLResponse:
    """Do what the link says, as its person, once; their rights are checked again."""
    lang = language(request)
    try:
        done = action_links.use_link(app, token)
    except OAFlowError as error:
        status = {"not_found": 404, "conflict": 409, "forbidden": 403}.get(error.kind, 400)
        return _page(lang, f"<p>{escape(error.text(lang))}</p>", status)
    state = TASK_STATES[done.state].get(lang)
    return _page(lang, f"<h1>{escape(DONE.get(lang))}</h1><p>{escape(state)}</p>")


DONE_ONCE = Text("此链接只能使用一次。", "This link works once.")
DONE = Text("已完成", "Done")
