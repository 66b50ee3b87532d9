"""`oaflow notify channel|prefs|template …` and `oaflow link use TOKEN` (NTF-1..5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from oaflow.bootstrap import build_channels
from oaflow.cli.common import (
    AsOpt,
    JsonOpt,
    as_json,
    console,
    print_json,
    print_rows,
    run_as,
    run_command,
    zh,
)
from oaflow.domain.errors import ConflictError
from oaflow.domain.security import Principal
from oaflow.services import action_links, delivery, notify_admin
from oaflow.services.app import App
from oaflow.services.files import read_text

group = typer.Typer(help="Notification channels, preferences and templates.", no_args_is_help=True)
channel_group = typer.Typer(
    help="Channels: the SMTP server, group robots (WeCom, DingTalk, Feishu), webhooks.",
    no_args_is_help=True,
)
template_group = typer.Typer(help="Message templates per event and language.", no_args_is_help=True)
link_group = typer.Typer(help="Signed action links from messages.", no_args_is_help=True)
group.add_typer(channel_group, name="channel")
group.add_typer(template_group, name="template")

LocaleOpt = Annotated[str, typer.Option("--locale", help="zh or en.")]


NUMERIC_SETTINGS = frozenset({"port", "timeout"})


def _settings(pairs: list[str]) -> dict[str, Any]:
    """``--set host=smtp.example.com --set port=465`` as a dict; the numeric settings become
    numbers, everything else (a secret of digits, say) stays text."""
    found: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise typer.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--set")
        found[name] = int(value) if name in NUMERIC_SETTINGS and value.isdigit() else value
    return found


@channel_group.command("add")
def channel_add(
    name: Annotated[str, typer.Argument(help="A name of your choice, e.g. csd-dingtalk.")],
    kind: Annotated[str, typer.Option("--kind", help="email, wecom, dingtalk, feishu, webhook.")],
    as_: AsOpt,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="A setting NAME=VALUE (url, secret, host…).")
    ] = None,
    department: Annotated[
        str | None, typer.Option("--department", help="The department whose group it is.")
    ] = None,
    events: Annotated[
        list[str] | None, typer.Option("--event", help="An event it takes (default: its usual).")
    ] = None,
    per_minute: Annotated[
        int | None, typer.Option("--per-minute", help="Messages per minute at most (0: no limit).")
    ] = None,
) -> None:
    """Configure a channel; its settings are checked before anything is saved."""

    def body(app: App, who: Principal) -> None:
        settings = _settings(set_ or [])
        notify_admin.add_channel(
            app, who, name, kind, settings, department, events or [], per_minute
        )
        console.print(zh(f"已添加渠道 {name}", f"channel {name} added"))

    run_as(as_, body)


@channel_group.command("set")
def channel_set(
    name: Annotated[str, typer.Argument(help="The channel's name.")],
    as_: AsOpt,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="A setting NAME=VALUE to change.")
    ] = None,
    events: Annotated[
        list[str] | None, typer.Option("--event", help="The events it takes (replaces them).")
    ] = None,
    per_minute: Annotated[
        int | None, typer.Option("--per-minute", help="Messages per minute at most (0: no limit).")
    ] = None,
) -> None:
    """Change a channel's settings, checked before saving (then `outbox retry` its dead ones)."""

    def body(app: App, who: Principal) -> None:
        notify_admin.change_channel(app, who, name, _settings(set_ or []), events, per_minute)
        console.print(zh(f"已修改渠道 {name}", f"channel {name} changed"))

    run_as(as_, body)


@channel_group.command("list")
def channel_list(as_: AsOpt, json_: JsonOpt = False) -> None:
    """The channels, secrets masked."""

    def body(app: App, who: Principal) -> None:
        rows = notify_admin.channels(app, who)
        print_rows(
            json_,
            as_json(app, rows),
            zh("通知渠道", "Channels"),
            [
                zh("名称", "name"),
                zh("类型", "kind"),
                zh("部门", "department"),
                zh("设置", "settings"),
                zh("每分钟", "per min"),
                zh("状态", "state"),
            ],
            [
                [
                    r.name,
                    r.kind,
                    r.department or zh("全公司", "company"),
                    json.dumps(dict(r.settings), ensure_ascii=False),
                    r.per_minute or "-",
                    zh("启用", "enabled") if r.enabled else r.disabled_reason,
                ]
                for r in rows
            ],
        )

    run_as(as_, body)


@channel_group.command("test")
def channel_test(name: str, as_: AsOpt) -> None:
    """Send a test message through a channel now and say what happened (exit 1 if it failed)."""

    def body(app: App, who: Principal) -> None:
        with build_channels() as channels:
            result = delivery.try_channel(app, who, name, channels)
        if result.outcome != "sent":
            raise ConflictError(
                "channel.test_failed", name=name, outcome=result.outcome, detail=result.detail
            )
        console.print(zh(f"渠道 {name} 测试消息已发送", f"channel {name}: test message sent"))

    run_as(as_, body)


@channel_group.command("enable")
def channel_enable(name: str, as_: AsOpt) -> None:
    """Enable a channel again (after a 410 disabled it, say)."""
    run_as(as_, lambda app, who: notify_admin.set_channel_enabled(app, who, name, True))


@channel_group.command("disable")
def channel_disable(name: str, as_: AsOpt) -> None:
    """Stop sending to a channel; its deliveries are dead-lettered."""
    run_as(as_, lambda app, who: notify_admin.set_channel_enabled(app, who, name, False))


@channel_group.command("remove")
def channel_remove(name: str, as_: AsOpt) -> None:
    """Remove a channel and its delivery records."""
    run_as(as_, lambda app, who: notify_admin.remove_channel(app, who, name))


@group.command("prefs")
def prefs(
    as_: AsOpt,
    login: Annotated[
        str | None,
        typer.Argument(help="Whose preferences (default: yours; others' for administrators)."),
    ] = None,
    channels: Annotated[
        str | None, typer.Option("--channels", help="Comma-separated: inapp,email.")
    ] = None,
    mute: Annotated[list[str] | None, typer.Option("--mute", help="An event to mute.")] = None,
    unmute_all: Annotated[bool, typer.Option("--unmute-all", help="Mute nothing.")] = False,
    digest_hour: Annotated[
        int | None, typer.Option("--digest-hour", help="Daily digest at this hour (0–23).")
    ] = None,
    no_digest: Annotated[bool, typer.Option("--no-digest", help="No daily digest.")] = False,
    locale: Annotated[str | None, typer.Option("--locale", help="zh or en.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Show or change a person's notification preferences."""

    def body(app: App, who: Principal) -> None:
        changes: dict[str, Any] = {}
        if channels is not None:
            changes["channels"] = [c.strip() for c in channels.split(",") if c.strip()]
        if mute or unmute_all:
            changes["muted"] = list(mute or [])
        if digest_hour is not None or no_digest:
            changes["digest_hour"] = None if no_digest else digest_hour
        if locale is not None:
            changes["locale"] = locale
        whose = login or who.login
        view = (
            notify_admin.set_preferences(app, who, whose, **changes)
            if changes
            else notify_admin.preferences(app, who, whose)
        )
        if json_:
            print_json(as_json(app, view))
            return
        for line in _preferences_text(view):
            console.print(line, markup=False)

    run_as(as_, body)


def _preferences_text(view: notify_admin.Preferences) -> list[str]:
    """The preferences as a person reads them, in the words the options take."""
    none = zh("无", "none")
    digest = (
        zh(f"每个工作日 {view.digest_hour:02d}:00", f"{view.digest_hour:02d}:00 on working days")
        if view.digest_hour is not None
        else zh("不订阅", "none")
    )
    return [
        zh(f"{view.login} 的通知偏好", f"Notification preferences of {view.login}"),
        zh("渠道", "channels") + ": " + (", ".join(view.channels) or none),
        zh("免打扰的事件", "muted events") + ": " + (", ".join(view.muted) or none),
        zh("每日待办汇总", "daily digest") + ": " + digest,
        zh("消息语言", "language") + ": " + view.locale,
    ]


@template_group.command("list")
def template_list(as_: AsOpt, json_: JsonOpt = False) -> None:
    """Every event's template per language; which ones an administrator changed."""

    def body(app: App, who: Principal) -> None:
        rows: list[dict[str, Any]] = [  # each template's label in its own language
            {
                "event": t.event,
                "locale": t.locale,
                "label": t.label.get(t.locale),
                "customised": t.customised,
            }
            for t in notify_admin.template_list(app, who)
        ]
        print_rows(
            json_,
            rows,
            zh("消息模板", "Templates"),
            [zh("事件", "event"), zh("语言", "locale"), zh("名称", "label"), zh("来源", "source")],
            [[r["event"], r["locale"], r["label"], _source(r["customised"])] for r in rows],
        )

    run_as(as_, body)


def _source(customised: bool) -> str:
    return zh("已修改", "customised") if customised else zh("默认", "default")


@template_group.command("show")
def template_show(event: str, as_: AsOpt, locale: LocaleOpt = "zh", json_: JsonOpt = False) -> None:
    """The subject and body in use for EVENT."""

    def body(app: App, who: Principal) -> None:
        found = notify_admin.template(app, who, event, locale)
        if json_:
            fields = ("event", "locale", "subject", "body", "customised")
            print_json({name: getattr(found, name) for name in fields})
            return
        console.print(found.subject, markup=False)
        console.print(found.body, markup=False)

    run_as(as_, body)


@template_group.command("set")
def template_set(
    event: str,
    as_: AsOpt,
    subject: Annotated[str, typer.Option("--subject", help="The subject template.")],
    body_file: Annotated[Path, typer.Option("--body-file", help="A file with the body template.")],
    locale: LocaleOpt = "zh",
) -> None:
    """Replace EVENT's template after checking it; a bad one changes nothing."""

    def body(app: App, who: Principal) -> None:
        text = read_text(body_file)
        notify_admin.set_template(app, who, event, locale, subject, text)
        console.print(zh(f"已保存模板 {event}/{locale}", f"template {event}/{locale} saved"))

    run_as(as_, body)


@template_group.command("reset")
def template_reset(event: str, as_: AsOpt, locale: LocaleOpt = "zh") -> None:
    """Go back to the default template of EVENT."""

    def body(app: App, who: Principal) -> None:
        notify_admin.reset_template(app, who, event, locale)

    run_as(as_, body)


@template_group.command("preview")
def template_preview(
    event: str, as_: AsOpt, locale: LocaleOpt = "zh", json_: JsonOpt = False
) -> None:
    """EVENT's template rendered with sample values."""

    def body(app: App, who: Principal) -> None:
        rendered = notify_admin.preview(app, who, event, locale)
        if json_:
            print_json({"subject": rendered.subject, "text": rendered.text, "html": rendered.html})
            return
        console.print(rendered.subject, markup=False)
        console.print(rendered.text, markup=False)

    run_as(as_, body)


@link_group.command("use")
def link_use(token: Annotated[str, typer.Argument(help="The token or the whole link.")]) -> None:
    """Apply an action link from a message (what opening it in a browser will do). The
    signed link names the person it was sent to: it acts as them, and needs no --as."""

    def body(app: App) -> None:
        done = action_links.use_link(app, token.rstrip("/").rsplit("/", 1)[-1])
        print_json(as_json(app, done))

    run_command(body)
