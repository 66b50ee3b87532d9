"""`oaflow service set|list|show|remove`: where each service name of the process
definitions (e.g. finance.sync_budget) is answered in this deployment (INT-2), and
`oaflow incident list|show|retry|skip`: the calls that kept failing. Administrators only."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from oaflow.cli.common import (
    AsOpt,
    JsonOpt,
    as_json,
    console,
    lang,
    local,
    print_json,
    print_rows,
    run_as,
    say,
    zh,
)
from oaflow.domain.security import Principal
from oaflow.present import call_words
from oaflow.services import service_admin
from oaflow.services.app import App
from oaflow.services.service_admin import CallView, EndpointView

group = typer.Typer(
    help="Endpoints of other systems that service nodes call (外部系统接口).",
    no_args_is_help=True,
)
incidents = typer.Typer(
    help="Service calls that kept failing (待处理事件): list, show, retry, skip.",
    no_args_is_help=True,
)
ServiceArg = Annotated[str, typer.Argument(help="The service name, e.g. finance.sync_budget.")]
CallArg = Annotated[int, typer.Argument(help="The call's number (incident list).", min=1)]


def state_text(state: str) -> str:
    return call_words.state_text(state, lang())


@group.command("set")
def set_(
    service: ServiceArg,
    as_: AsOpt,
    url: Annotated[str | None, typer.Option("--url", help="http(s) URL it is POSTed to.")] = None,
    secret: Annotated[
        str | None,
        typer.Option("--secret", help="The signing secret (kept encrypted, never shown)."),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Seconds to wait for an answer (default 10).")
    ] = None,
) -> None:
    """Configure or change a service's endpoint (the secret is kept when not given)."""

    def body(app: App, who: Principal) -> None:
        view = service_admin.set_endpoint(app, who, service, url, secret, timeout)
        console.print(
            zh(f"已配置 {view.service} → {view.url}", f"configured {view.service} → {view.url}"),
            markup=False,
        )

    run_as(as_, body)


def endpoint_json(app: App, view: EndpointView) -> dict[str, Any]:
    found: dict[str, Any] = as_json(app, view)
    return found


@group.command("list")
def list_(as_: AsOpt, json_: JsonOpt = False) -> None:
    """The configured endpoints (secrets never shown)."""

    def body(app: App, who: Principal) -> None:
        views = service_admin.endpoints(app, who)
        print_rows(
            json_,
            [endpoint_json(app, v) for v in views],
            zh("外部系统接口", "Service endpoints"),
            [zh("服务", "service"), "URL", zh("超时(秒)", "timeout (s)"), zh("修改", "changed")],
            [[v.service, v.url, f"{v.timeout_seconds:g}", local(app, v.changed_at)] for v in views],
            whole=1,
        )

    run_as(as_, body)


@group.command("show")
def show(service: ServiceArg, as_: AsOpt, json_: JsonOpt = False) -> None:
    """One endpoint."""

    def body(app: App, who: Principal) -> None:
        view = service_admin.endpoint(app, who, service)
        if json_:
            print_json(endpoint_json(app, view))
            return
        secret = zh("已设置", "set") if view.secret_set else zh("未设置", "not set")
        for label, value in (
            (zh("服务", "service"), view.service),
            ("URL", view.url),
            (zh("超时", "timeout"), f"{view.timeout_seconds:g} s"),
            (zh("签名密钥", "signing secret"), secret),
            (zh("修改", "changed"), f"{local(app, view.changed_at)} · {view.changed_by}"),
        ):
            console.print(f"{label}: {value}", markup=False)

    run_as(as_, body)


@group.command("remove")
def remove(service: ServiceArg, as_: AsOpt) -> None:
    """Remove a service's endpoint (its calls then become incidents until one is set)."""

    def body(app: App, who: Principal) -> None:
        service_admin.remove_endpoint(app, who, service)
        console.print(zh(f"已删除 {service}", f"removed {service}"), markup=False)

    run_as(as_, body)


# -- incidents ----------------------------------------------------------------------------
def call_json(app: App, view: CallView) -> dict[str, Any]:
    found: dict[str, Any] = as_json(app, view)
    found["state_label"] = state_text(view.state)
    return found


@incidents.command("list")
def incident_list(
    as_: AsOpt,
    json_: JsonOpt = False,
    all_: Annotated[
        bool, typer.Option("--all", help="Every service call, not only incidents.")
    ] = False,
    instance: Annotated[
        str | None, typer.Option("--instance", help="Only the calls of this business key.")
    ] = None,
) -> None:
    """Incidents (open ones first, then resolved ones), or every call with --all."""

    def body(app: App, who: Principal) -> None:
        views = service_admin.calls(app, who, incidents=not all_, business_key=instance)
        print_rows(
            json_,
            [call_json(app, v) for v in views],
            zh("外部系统调用", "Service calls"),
            [
                zh("编号", "no."),
                zh("流程编号", "business key"),
                zh("节点", "node"),
                zh("服务", "service"),
                zh("状态", "state"),
                zh("尝试", "attempts"),
                zh("最后错误", "last error"),
            ],
            [
                [
                    v.id,
                    v.business_key,
                    say(v.node),
                    v.service,
                    state_text(v.state),
                    v.attempts,
                    v.last_error[:60],
                ]
                for v in views
            ],
            whole=2,
        )

    run_as(as_, body)


@incidents.command("show")
def incident_show(call: CallArg, as_: AsOpt, json_: JsonOpt = False) -> None:
    """One service call: its attempts, last error and how it was resolved."""

    def body(app: App, who: Principal) -> None:
        view = service_admin.call(app, who, call)
        if json_:
            print_json(call_json(app, view))
            return
        _say_call(app, view)

    run_as(as_, body)


def _say_call(app: App, view: CallView) -> None:
    lines = [
        (zh("编号", "no."), str(view.id)),
        (zh("流程", "instance"), f"{view.business_key} · {view.title}"),
        (zh("节点", "node"), f"{say(view.node)} ({view.node_id})"),
        (zh("服务", "service"), view.service),
        (zh("状态", "state"), state_text(view.state)),
        (zh("尝试次数", "attempts"), str(view.attempts)),
        (zh("下次尝试", "next attempt"), local(app, view.next_at) or "-"),
        (zh("最后错误", "last error"), view.last_error or "-"),
        (zh("对方编号", "reference"), view.reference or "-"),
        (zh("处理人", "resolved by"), view.resolved_by or "-"),
        (zh("跳过原因", "reason skipped"), view.resolution or "-"),
    ]
    for label, value in lines:
        console.print(f"{label}: {value}", markup=False)


@incidents.command("retry")
def incident_retry(call: CallArg, as_: AsOpt) -> None:
    """Attempt a failed call again now, from its first attempt (the worker or tick makes it)."""

    def body(app: App, who: Principal) -> None:
        view = service_admin.retry(app, who, call)
        console.print(
            zh(f"调用 {view.id} 将重新尝试", f"call {view.id} will be attempted again"),
            markup=False,
        )

    run_as(as_, body)


@incidents.command("skip")
def incident_skip(
    call: CallArg,
    as_: AsOpt,
    reason: Annotated[str, typer.Option("--reason", help="Why it is skipped (in the history).")],
) -> None:
    """Skip a failed call with a reason: its node passes and the process moves on."""

    def body(app: App, who: Principal) -> None:
        view = service_admin.skip(app, who, call, reason)
        console.print(
            zh(
                f"已跳过调用 {view.id}，{view.business_key} 继续流转",
                f"skipped call {view.id}; {view.business_key} moves on",
            ),
            markup=False,
        )

    run_as(as_, body)
