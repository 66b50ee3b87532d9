"""Exports are safe to open: formulas stay text, CSV opens in Excel on Chinese Windows."""

from io import BytesIO

from openpyxl import load_workbook

from oaflow.present.sheets import Sheet, to_csv, to_xlsx


def test_csv_has_a_bom_crlf_rows_and_no_formula() -> None:
    data = to_csv(["名称", "金额"], [['=HYPERLINK("x")', 12], ["研发部", None], ["-1+2", 3.5]])
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.split("\r\n")[:4] == [
        "名称,金额",
        '"\'=HYPERLINK(""x"")",12',
        "研发部,",
        "'-1+2,3.5",
    ]


def test_workbook_keeps_formula_like_text_as_text() -> None:
    data = to_xlsx([Sheet("台账", ["名称", "金额"], [["@SUM(A1:A2)", 5], ["市场部", 7.25]])])
    page = load_workbook(BytesIO(data))["台账"]
    assert [[c.value for c in row] for row in page.iter_rows()] == [
        ["名称", "金额"],
        ["@SUM(A1:A2)", 5],
        ["市场部", 7.25],
    ]
    assert page["A2"].data_type == "s"
    assert page["B3"].data_type == "n"
