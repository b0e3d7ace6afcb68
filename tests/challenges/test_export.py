"""CSV cells that a spreadsheet would run as formulas are neutralised."""
import csv
import io

import pytest

from app.challenges.export import csv_text, safe_cell


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("Team Iași", "Team Iași"),
    ("a=b", "a=b"),
    ("", ""),
    (None, ""),
    (3, "3"),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_csv_text_neutralises_every_cell_and_keeps_quotes_valid():
    text = csv_text(["=Header", "Name"], [["=1+1", 'He said "hi", then left'], ["@x", "ok"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["'=Header", "Name"], ["'=1+1", 'He said "hi", then left'], ["'@x", "ok"]]
