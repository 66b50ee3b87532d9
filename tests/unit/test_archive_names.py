"""Archive names from their node's pattern (ARC-1): the manual's 项目归档-2024-新产品A, a
field's value or the title, no path in a name, numbered when taken."""

from __future__ import annotations

from datetime import datetime

from oaflow.domain.archive_names import archive_name, numbered, safe_name

AT = datetime(2024, 3, 22, 17, 0)


def test_the_manuals_name_from_the_product_field() -> None:
    data = {"product_name": "新产品A"}
    name = archive_name(
        "项目归档-{yyyy}-{product_name}", AT, "新产品A上市推进", "PROJ20240301", data
    )
    assert name == "项目归档-2024-新产品A"


def test_dates_title_and_key() -> None:
    pattern = "{yyyy}{MM}{dd}-{business_key}-{title}"
    assert archive_name(pattern, AT, "投诉", "TS202403001", {}) == "20240322-TS202403001-投诉"


def test_an_empty_missing_or_sensitive_field_stands_as_the_title() -> None:
    pattern = "归档-{product_name}"
    for data in ({}, {"product_name": ""}, {"product_name": None}):
        assert archive_name(pattern, AT, "新品上市", "K1", data) == "归档-新品上市"
    hidden = frozenset({"phone"})
    name = archive_name("归档-{phone}", AT, "投诉", "K1", {"phone": "13800000000"}, hidden)
    assert name == "归档-投诉"


def test_no_path_and_a_default_pattern() -> None:
    assert archive_name("../{title}", AT, "a/b\\c", "K1", {}) == "__a_b_c"
    assert archive_name("", AT, "t", "TS202403001", {}) == "归档-TS202403001"
    assert safe_name("..\x00.hidden") == "__.hidden"
    assert archive_name("{title}", AT, "", "K9", {}) == "K9"


def test_numbered_after_the_first() -> None:
    assert [numbered("项目归档-2024-新产品A", n) for n in (1, 2, 3)] == [
        "项目归档-2024-新产品A",
        "项目归档-2024-新产品A-2",
        "项目归档-2024-新产品A-3",
    ]
