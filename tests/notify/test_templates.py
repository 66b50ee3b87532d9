"""Notification templates (NTF-3, NTF-4): defaults, checking, the sandbox, masking, HTML."""

from __future__ import annotations

import time
from typing import Any

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

from oaflow.domain.labels import MESSAGE_EVENTS
from oaflow.notify import sandbox, templates
from oaflow.notify.templates import (
    BODY_LIMIT,
    EVENTS,
    LOCALES,
    SAMPLE_CONTEXT,
    SOURCE_LIMIT,
    SUBJECT_LIMIT,
    VARIABLES,
    TemplateRenderError,
    check_template,
    default_template,
    mask_sensitive,
    render,
)

#: events about one task in front of someone: their Chinese message says what and by when
TASK_EVENTS = (
    "task_assigned",
    "task_rejected",
    "task_returned",
    "ack_reminder",
    "ack_escalation",
    "deadline_warning",
    "overdue",
    "escalation",
    "exception_opened",
    "urge",
)

COMPLAINT_FORM = {
    "customer": "上海恒达贸易有限公司",
    "contact": "陈先生",
    "phone": "13812345678",
    "summary": "订单延迟发货",
}


def check(subject: str, body: str) -> list[str]:
    """The problems of a template in English; each is said in Chinese too."""
    found = check_template(subject, body)
    assert all(problem.text("zh") for problem in found)
    return [problem.text("en") for problem in found]


def sample(**changes: Any) -> dict[str, Any]:
    return {**SAMPLE_CONTEXT, **changes}


# --- the defaults ------------------------------------------------------------------------


def test_the_events_variables_and_sample_context() -> None:
    assert EVENTS[0] == "task_assigned" and EVENTS[17] == "digest"
    assert len(EVENTS) == len(set(EVENTS)) == 26  # exception loop 3, meetings 5, INT-2 1, MTR 2
    assert set(SAMPLE_CONTEXT) == VARIABLES
    assert {"task", "business_key", "deadline", "remaining", "link"} == set(
        SAMPLE_CONTEXT["items"][0]
    )


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("event", EVENTS)
def test_every_default_passes_the_check_and_renders(event: str, locale: str) -> None:
    subject, body = default_template(event, locale)
    assert check(subject, body) == []
    rendered = render(subject, body, SAMPLE_CONTEXT, locale=locale)
    assert rendered.subject and "\n" not in rendered.subject
    assert SAMPLE_CONTEXT["link"] in rendered.text
    assert f'href="{SAMPLE_CONTEXT["link"]}"' in rendered.html
    assert "{{" not in rendered.text and "{%" not in rendered.text


@pytest.mark.parametrize("event", TASK_EVENTS)
def test_chinese_task_messages_say_what_where_how_long_and_where_to_click(event: str) -> None:
    rendered = render(*default_template(event, "zh"), SAMPLE_CONTEXT)
    for key in ("task", "node", "remaining", "action", "link", "process", "business_key"):
        assert SAMPLE_CONTEXT[key] in rendered.text, key
    for words in ("流程", "当前节点", "剩余时间", "需要您", "链接", "您好"):
        assert words in rendered.text, words
    assert SAMPLE_CONTEXT["business_key"] in rendered.subject
    assert rendered.subject.startswith("【")


def test_the_assigned_subject_reads_like_an_oa_message() -> None:
    rendered = render(*default_template("task_assigned", "zh"), SAMPLE_CONTEXT)
    assert rendered.subject == "【待处理】投诉受理 · CS20240301"
    assert "剩余时间：6 工时" in rendered.text
    assert "当前节点：客服受理（客服部）" in rendered.text


def test_the_digest_lists_every_task_with_its_link() -> None:
    rendered = render(*default_template("digest", "zh"), SAMPLE_CONTEXT)
    assert rendered.subject == "【待办汇总】您有 2 项待办"
    for item in SAMPLE_CONTEXT["items"]:
        assert item["task"] in rendered.text
        assert item["link"] in rendered.text
        assert item["remaining"] in rendered.text


def test_a_missing_note_leaves_no_empty_line() -> None:
    rendered = render(*default_template("task_assigned", "zh"), sample(note=""))
    assert "备注" not in rendered.text
    assert "\n\n\n" not in rendered.text


def test_unknown_events_and_locales_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match="unknown event 'holiday'"):
        default_template("holiday", "zh")
    with pytest.raises(ValueError, match="unknown locale 'fr'"):
        default_template("urge", "fr")


def test_every_event_has_its_label_in_both_languages() -> None:
    assert set(MESSAGE_EVENTS) == set(EVENTS)
    assert all(MESSAGE_EVENTS[event].get(locale) for event in EVENTS for locale in LOCALES)


# --- checking what an administrator wrote -------------------------------------------------


def test_a_good_template_has_no_problems() -> None:
    body = (
        "{{ recipient }}：\n"
        "{% for item in items %}{{ loop.index }}. {{ item.task }} {{ item.link }}\n{% endfor %}"
        "{% for key, value in form|dictsort %}{{ key }}={{ value }}\n{% endfor %}"
        "{{ form.get('customer', '') }} {{ note|default('无')|truncate(20) }}"
    )
    assert check("【{{ event_label }}】{{ task|upper }}", body) == []


def test_a_syntax_error_is_reported_with_its_line() -> None:
    problems = check("{{ task }}", "第一行\n{{ task }}\n{% if note %}\n没有结束")
    assert len(problems) == 1
    assert problems[0].startswith("body line 4: syntax error")
    assert "endif" in problems[0]


def test_an_unknown_variable_is_named_with_a_suggestion() -> None:
    problems = check("{{ task }}", "您好\n\n{{ tsak }}")
    assert len(problems) == 1
    assert problems[0].startswith("body line 3: unknown variable 'tsak'")
    assert "did you mean 'task'" in problems[0]
    assert "business_key" in problems[0]  # lists what may be used


def test_several_problems_are_reported_at_once() -> None:
    problems = check(
        "{{ phon }}",
        "{{ form.__class__ }}\n{{ note|center(80) }}\n{% set x = 1 %}",
    )
    assert len(problems) == 4, problems
    assert problems[0] == (
        "subject line 1: unknown variable 'phon'; use one of: " + ", ".join(sorted(VARIABLES))
    )
    assert problems[1].startswith("body line 1: '__class__' starts with '_'")
    assert problems[2].startswith("body line 2: unknown or disallowed filter 'center'")
    assert problems[3] == "body line 3: '{% set %}' is not allowed in notification templates"


def test_a_syntax_error_in_the_subject_and_problems_in_the_body_both_count() -> None:
    problems = check("{{ task", "{{ nobody }}")
    assert [p.split(":")[0] for p in problems] == ["subject line 1", "body line 1"]


def test_too_long_a_template_is_reported() -> None:
    problems = check("{{ task }}", "字" * (SOURCE_LIMIT + 1))
    assert problems == [
        f"body is {SOURCE_LIMIT + 1} characters long; the limit is 4000, shorten it"
    ]


def test_the_trial_render_catches_errors_that_parse_well() -> None:
    problems = check("{{ task }}", "{{ form.nothing }}")
    assert len(problems) == 1
    assert problems[0].startswith("body line 1: undefined value")
    assert "sample data" in problems[0]


def test_an_empty_subject_is_reported() -> None:
    assert check("{{ note|trim if false else '' }}", "{{ task }}") == [
        "subject renders as empty text; write something in it"
    ]


# --- the sandbox ------------------------------------------------------------------------

ATTACKS = [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ lipsum.__globals__ }}",
    "{% for c in ''.__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ form.__class__ }}",
    "{{ form['__class__'] }}",
    "{{ items|map(attribute='__class__')|join }}",
    "{{ self }}",
    "{{ range(10) }}",
    "{{ 9 ** (9 ** 9) }}",
    "{{ 10 ** 100000 }}",
    "{{ 'x' * 10 ** 9 }}",
    "{{ [0] * 10 ** 9 }}",
    "{{ note.center(10 ** 9) }}",
    "{{ '{:>999999999}'.format(1) }}",
    "{{ '%999999999d' % 1 }}",
    "{{ note|list|join(note * 1000) }}",
    "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "{% include 'x' %}",
    "{% for a in items %}{% for b in items %}{% for c in items %}{% endfor %}"
    "{% endfor %}{% endfor %}",
    "{% for c in note|list %}{% endfor %}",
    "{% for i in items recursive %}{{ loop(i) }}{% endfor %}",
]


@pytest.mark.parametrize("source", ATTACKS)
def test_attacks_are_refused_when_checking_and_when_rendering(source: str) -> None:
    started = time.perf_counter()
    assert check("{{ task }}", source) != []
    with pytest.raises(TemplateRenderError):
        render("{{ task }}", source, SAMPLE_CONTEXT)
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ form.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ lipsum.__globals__ }}",
        "{{ note.center(10 ** 9) }}",
        "{{ 9 ** (9 ** 9) }}",
    ],
)
def test_the_sandbox_itself_refuses_without_the_check(source: str) -> None:
    # defence in depth: the environment alone (no structure check) refuses too
    template = sandbox.ENV.from_string(source)
    with pytest.raises((SecurityError, UndefinedError)):
        template.render(SAMPLE_CONTEXT)


def test_jinja_powers_group_left_so_9_9_9_is_small() -> None:
    assert check("{{ task }}", "{{ 9 ** 9 ** 9 }}") == []
    assert render("{{ task }}", "{{ 9 ** 9 ** 9 }}", SAMPLE_CONTEXT).text == str(9**81)


def test_output_is_cut_at_the_limits() -> None:
    context = sample(note="很" * 3000, task="任务 " * 100)
    rendered = render(
        "{{ task }}\n{{ node }}", "{% for item in items %}{{ note }}{% endfor %}", context
    )
    assert len(rendered.text) == BODY_LIMIT and rendered.text.endswith("…")
    assert len(rendered.subject) == SUBJECT_LIMIT and "\n" not in rendered.subject
    assert render("{{ task }}\n{{ node }}", "x", SAMPLE_CONTEXT).subject == "投诉受理 客服受理"


def test_a_render_failure_is_a_template_render_error_with_the_line() -> None:
    with pytest.raises(TemplateRenderError, match=r"^body line 2: undefined value"):
        render("{{ task }}", "您好\n{{ form.phone }}", sample(form={}))
    assert issubclass(TemplateRenderError, ValueError)


def test_missing_variables_are_empty_and_unknown_ones_are_a_programming_error() -> None:
    assert render("{{ task }}", "[{{ note }}]", {"task": "投诉受理"}).text == "[]"
    with pytest.raises(ValueError, match="unknown template variables") as raised:
        render("{{ task }}", "x", {"task": "投诉受理", "password": "secret"})
    assert not isinstance(raised.value, TemplateRenderError)


# --- NTF-4: masking -----------------------------------------------------------------------


def test_mask_sensitive_hides_the_phone_of_a_complaint() -> None:
    masked = mask_sensitive(COMPLAINT_FORM, {"phone"})
    assert masked == {**COMPLAINT_FORM, "phone": "***"}
    assert COMPLAINT_FORM["phone"] == "13812345678"  # a copy
    assert mask_sensitive(COMPLAINT_FORM, ["phone", "contact"], mask="＊")["contact"] == "＊"


def test_mask_sensitive_reaches_into_rows() -> None:
    form = {"people": [{"name": "陈先生", "id_card": "310101199001011234"}], "total": 2}
    assert mask_sensitive(form, {"id_card"}) == {
        "people": [{"name": "陈先生", "id_card": "***"}],
        "total": 2,
    }


def test_a_template_printing_the_phone_shows_the_mask() -> None:
    body = "客户：{{ form.customer }}，电话：{{ form.phone }}"
    rendered = render("{{ task }}", body, sample(form=mask_sensitive(COMPLAINT_FORM, {"phone"})))
    assert rendered.text == "客户：上海恒达贸易有限公司，电话：***"
    assert "13812345678" not in rendered.text + rendered.html + rendered.subject


# --- the HTML part ------------------------------------------------------------------------


def test_the_html_part_escapes_a_script_in_the_note() -> None:
    note = '<script>alert("x")</script>'
    rendered = render(
        "{{ task }}", "备注：{{ note }}\n请点击链接办理：{{ link }}", sample(note=note)
    )
    assert rendered.text.startswith(f"备注：{note}")  # plain text stays as written
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in rendered.html
    assert '<a href="https://oa.example.com/a/task/1024">' in rendered.html
    assert '<html lang="zh-CN">' in rendered.html and "<br>" in rendered.html


def test_the_html_part_of_an_english_message() -> None:
    rendered = render("{{ task }}", "{{ link }}.", SAMPLE_CONTEXT, locale="en")
    assert '<html lang="en">' in rendered.html
    assert '<a href="https://oa.example.com/a/task/1024">' in rendered.html
    assert "</a>." in rendered.html


def test_a_javascript_address_is_not_made_a_link() -> None:
    rendered = render("{{ task }}", "{{ link }}", sample(link="javascript:alert(1)"))
    assert "<a " not in rendered.html


def test_english_previews_have_english_sample_values() -> None:
    sample = templates.sample_context("en")
    assert set(sample) == VARIABLES
    subject, body = default_template("task_assigned", "en")
    rendered = render(subject, body, sample, locale="en")
    assert "Accept complaint" in rendered.subject + rendered.text
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in rendered.text.replace("***", ""))


# --- bad input: refused at save with a clear problem, never a crash ------------------------


@pytest.mark.parametrize(
    "source",
    [
        "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",
        "{{ " + "(" * 1800 + "1" + ")" * 1800 + " }}",
        "{{ " + "not " * 900 + "task }}",
        "{{ task" + "|upper" * 600 + " }}",
        "{% if note %}" * 150 + "x" + "{% endif %}" * 150,
    ],
)
def test_deeply_nested_templates_are_refused_at_save(source: str) -> None:
    (problem,) = check_template("{{ task }}", source)
    expected = "is nested deeper than" if len(source) <= SOURCE_LIMIT else "characters long"
    assert expected in problem.text("en")
    assert problem.text("zh")
    with pytest.raises(TemplateRenderError):
        render("{{ task }}", source, SAMPLE_CONTEXT)


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x'.format }}",
        "{{ task.upper }}",
        "{{ form.items }}",
        "{{ [task.upper] }}",
        "{{ 'x'.format|string }}",
        "{{ items|map('x'.format)|join }}",
    ],
)
def test_a_template_printing_a_method_is_refused_at_save(source: str) -> None:
    (problem,) = check_template("{{ task }}", source)
    assert "templates may print values, not methods" in problem.text("en")
    assert "模板只能输出值，不能输出方法" in problem.text("zh")
    with pytest.raises(TemplateRenderError, match="not methods"):
        render("{{ task }}", source, SAMPLE_CONTEXT)


def test_calling_a_method_still_prints_its_value() -> None:
    assert check_template("{{ task }}", "{{ task.upper() }} {{ form.items()|list|length }}") == []
