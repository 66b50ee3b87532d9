"""Checking form values against fields: strict types, enums, required values, ISO dates."""

from __future__ import annotations

import pytest

from oaflow.domain.definition import FormField
from oaflow.domain.errors import Fault
from oaflow.domain.forms import STANDARD_FIELDS, check_values
from oaflow.domain.text import Text


def texts(problems: list[Fault], lang: str = "en") -> list[str]:
    return [p.text(lang) for p in problems]


COMPLAINT = FormField("complaint_type", "enum", values=("quality", "logistics", "service"))


def test_enum_value_outside_the_list() -> None:
    assert texts(check_values([COMPLAINT], {"complaint_type": "x"})) == [
        "`complaint_type` must be one of quality, logistics, service; got 'x'"
    ]
    (problem,) = check_values([COMPLAINT], {"complaint_type": "x"})
    assert problem.code == "form.value.not_allowed"
    assert (
        problem.text("zh") == "`complaint_type` 必须是 quality, logistics, service 之一；实际是 'x'"
    )


def test_required_field_missing_names_field_and_label() -> None:
    field = FormField("customer", "string", Text("客户", "Customer"), required=True)
    expected = ["`customer` (Customer) is required but missing"]
    assert texts(check_values([field], {})) == expected
    assert texts(check_values([field], {"customer": None})) == expected
    assert texts(check_values([field], {"customer": "   "})) == expected
    assert check_values([field], {"customer": "ACME"}) == []
    assert texts(check_values([field], {}), "zh") == ["`customer`（客户）是必填项，但没有填写"]


def test_optional_fields_may_be_left_out() -> None:
    fields = [FormField("amount", "number"), FormField("due", "date"), COMPLAINT]
    assert check_values(fields, {}) == []


def test_names_not_among_the_fields_are_left_to_the_caller() -> None:
    assert check_values([COMPLAINT], {"other": object()}) == []


@pytest.mark.parametrize(
    ("field_type", "good", "bad", "expected"),
    [
        ("string", "text", 3, "must be a text; got 3"),
        ("text", "多行\n文本", ["a"], "must be a text; got ['a']"),
        ("number", 2.5, True, "must be a number; got true"),
        ("number", 7, "7", "must be a number; got '7'"),
        ("number", 0, float("nan"), "must be a number; got nan"),
        ("integer", 3, 3.0, "must be a whole number; got 3.0"),
        ("integer", -1, False, "must be a whole number; got false"),
        ("boolean", False, 0, "must be true or false; got 0"),
        ("date", "2024-03-01", "2024-02-30", "must be a date written YYYY-MM-DD; got '2024-02-30'"),
        ("date", "2024-12-31", "20240301", "must be a date written YYYY-MM-DD; got '20240301'"),
        ("datetime", "2024-03-01T09:30:00+08:00", "2024-03-01", "must be a date and time"),
        ("datetime", "2024-03-01 09:30", "2024-03-01T25:00", "must be a date and time"),
        ("department", "rnd", "", None),
        ("department", "rnd", "r nd", "must be a department code; got 'r nd'"),
        ("departments", ["rnd", "prd"], "rnd", "must be a list of department codes; got 'rnd'"),
        ("departments", ["rnd"], ["rnd", 3], "must be a list of department codes"),
        ("user", "alice", 5, "must be a user login; got 5"),
        ("list", [{"name": "m1"}], {"name": "m1"}, "must be a list; got {'name': 'm1'}"),
    ],
)
def test_types_are_strict(field_type: str, good: object, bad: object, expected: str | None) -> None:
    field = FormField("f", field_type)  # type: ignore[arg-type]
    assert check_values([field], {"f": good}) == []
    problems = check_values([field], {"f": bad})
    if expected is None:  # an empty value counts as missing, and the field is optional
        assert problems == []
    else:
        assert len(problems) == 1 and str(problems[0]).startswith(f"`f` {expected}")


def test_every_problem_is_reported() -> None:
    fields = [
        FormField("title", "string", required=True),
        FormField("amount", "number"),
        COMPLAINT,
    ]
    problems = check_values(fields, {"amount": "lots", "complaint_type": "price"})
    assert [p.params["field"] for p in problems] == ["title", "amount", "complaint_type"]


def test_long_values_are_shortened() -> None:
    problem = str(check_values([FormField("n", "number")], {"n": "x" * 500})[0])
    assert problem.endswith("...") and len(problem) < 100


def test_standard_fields_follow_template_1() -> None:
    names = [f.name for f in STANDARD_FIELDS]
    assert names == [
        "title",
        "goal",
        "department",
        "collaborating_departments",
        "key_nodes",
        "deliverables",
        "priority",
        "remarks",
    ]
    by_name = {f.name: f for f in STANDARD_FIELDS}
    assert [f.name for f in STANDARD_FIELDS if f.required] == ["title"]
    assert by_name["priority"].values == ("high", "normal", "low")
    assert all(f.label.zh and f.label.en for f in STANDARD_FIELDS)
    assert texts(check_values(STANDARD_FIELDS, {"title": "新产品A上市", "priority": "urgent"})) == [
        "`priority` must be one of high, normal, low; got 'urgent'"
    ]
    assert texts(check_values(STANDARD_FIELDS, {}), "zh") == [
        "`title`（任务名称）是必填项，但没有填写"
    ]
    assert texts(check_values(STANDARD_FIELDS, {})) == ["`title` (Title) is required but missing"]
