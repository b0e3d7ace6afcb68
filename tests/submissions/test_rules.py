"""Pure rules: what a complete idea has, the dashboard's next step, and checking what teams write."""
from types import SimpleNamespace

import pytest

from app.core.errors import ValidationFailed
from app.submissions import rules
from app.submissions.uploads import UnsupportedFileType, clean_filename, recognise
from app.submissions.validation import clean_idea_data, link_problem, parse_budget
from tests.submissions.helpers import COMPLETE, jpeg_bytes, pdf_bytes, png_bytes


@pytest.mark.parametrize("content, has_tracks, needs_budget, missing", [
    ({**COMPLETE, "track_id": 3, "budget_requested": "10"}, True, True, []),
    ({**COMPLETE}, False, False, []),
    ({**COMPLETE}, True, False, ["track_id"]),
    ({**COMPLETE, "track_id": 3}, True, True, ["budget_requested"]),
    ({**COMPLETE, "budget_requested": "0"}, False, True, []),
    ({**COMPLETE, "title": "   "}, False, False, ["title"]),
    ({}, True, True, ["title", "summary", "problem", "solution", "beneficiaries", "track_id", "budget_requested"]),
])
def test_missing_for_submission(content, has_tracks, needs_budget, missing):
    assert rules.missing_for_submission(content, has_tracks=has_tracks, needs_budget=needs_budget) == missing


@pytest.mark.parametrize("members, minimum, ok", [(1, 1, True), (1, 2, False), (3, 2, True), (0, 1, False)])
def test_team_large_enough(members, minimum, ok):
    assert rules.team_large_enough(members, minimum) is ok


@pytest.mark.parametrize("phase, has_team, status, missing, step", [
    ("upcoming", False, None, [], "wait"),
    ("submissions_open", False, None, [], "create_team"),
    ("submissions_open", True, None, [], "write_idea"),
    ("submissions_open", True, "draft", ["title"], "write_idea"),
    ("submissions_open", True, "draft", [], "submit"),
    ("submissions_open", True, "withdrawn", [], "submit"),
    ("submissions_open", True, "submitted", [], "edit"),
    ("submissions_open", True, "not_retained", [], "none"),
    ("submissions_closed", True, "submitted", [], "none"),
    ("judging", True, "draft", [], "none"),
    ("results", False, None, [], "none"),
])
def test_next_step(phase, has_team, status, missing, step):
    assert rules.next_step(phase=phase, has_team=has_team, idea_status=status, missing=missing) == step


@pytest.mark.parametrize("raw, expected", [
    (None, None), ("", None), ("  ", None), (0, "0"), (12500, "12500"), ("12 500,50", "12500.50"),
    ("25000.5", "25000.5"), (1.25, "1.25"),
])
def test_parse_budget(raw, expected):
    value = parse_budget(raw)
    assert (str(value) if value is not None else None) == expected


@pytest.mark.parametrize("raw", ["abc", "NaN", "Infinity", True, "1,2.3"])
def test_parse_budget_refuses(raw):
    with pytest.raises(ValueError):
        parse_budget(raw)


@pytest.mark.parametrize("link, ok", [
    ("https://example.org/demo", True), ("http://192.168.0.1:8080/x", True),
    ("javascript:alert(1)", False), ("ftp://example.org/file", False), ("example.org", False),
    ("https://", False), ("https://exa mple.org", False), ("https://e.org/" + "a" * 2000, False),
])
def test_link_problem(link, ok):
    assert (link_problem(link) is None) is ok


CHALLENGE = SimpleNamespace(kind="call", tracks=[SimpleNamespace(id=7)], budget_total=100000)
HACKATHON = SimpleNamespace(kind="hackathon", tracks=[SimpleNamespace(id=7)], budget_total=None)


def test_clean_idea_data_keeps_only_present_fields_and_cleans_text():
    values = clean_idea_data({"title": "  Hello\x00 ", "problem": "a\r\nb\ud800", "links": ["", " https://x.org "]},
                             CHALLENGE)
    assert values == {"title": "Hello", "problem": "a\nb", "links": ["https://x.org"]}


@pytest.mark.parametrize("data, field", [
    ({"title": "x" * 201}, "title"),
    ({"summary": "x" * 20001}, "summary"),
    ({"beneficiaries": "x" * 20001}, "beneficiaries"),
    ({"track_id": 8}, "track_id"),
    ({"track_id": "seven"}, "track_id"),
    ({"budget_requested": -1}, "budget_requested"),
    ({"budget_requested": "1.001"}, "budget_requested"),
    ({"budget_requested": "10^12"}, "budget_requested"),
    ({"budget_requested": 10 ** 13}, "budget_requested"),
    ({"budget_requested": "1e999999999"}, "budget_requested"),
    ({"budget_requested": "1e-999999999"}, "budget_requested"),
    ({"links": ["https://ok.org", "not a link"]}, "links"),
    ({"links": [f"https://e.org/{i}" for i in range(11)]}, "links"),
    ({"links": "https://e.org\nhttps://f.org\nmailto:x@y.z"}, "links"),
    ({"links": {"a": 1}}, "links"),
])
def test_clean_idea_data_refuses(data, field):
    with pytest.raises(ValidationFailed) as caught:
        clean_idea_data(data, CHALLENGE)
    assert field in caught.value.fields


def test_limits_are_inclusive():
    values = clean_idea_data({"title": "x" * 200, "solution": "y" * 20000, "budget_requested": 0,
                              "links": [f"https://e.org/{i}" for i in range(10)]}, CHALLENGE)
    assert len(values["title"]) == 200 and len(values["links"]) == 10


def test_budget_only_for_calls():
    with pytest.raises(ValidationFailed) as caught:
        clean_idea_data({"budget_requested": 10}, HACKATHON)
    assert "budget_requested" in caught.value.fields
    assert clean_idea_data({"budget_requested": None}, HACKATHON) == {"budget_requested": None}


@pytest.mark.parametrize("raw, expected", [
    ("Evaluare_Iași.pdf", "Evaluare_Iași.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\Ana\\Desktop\\plan.pdf", "plan.pdf"),
    ("re\x00port\x07.pdf", "report.pdf"),
    ("invoice\u202efdp.pdf", "invoicefdp.pdf"),
    ("  .hidden.pdf  ", "hidden.pdf"),
    ("", "attachment"),
    (None, "attachment"),
    ("/", "attachment"),
])
def test_clean_filename(raw, expected):
    assert clean_filename(raw) == expected


def test_clean_filename_keeps_the_extension_when_shortening():
    name = clean_filename("ă" * 300 + ".pdf")
    assert len(name) == 255 and name.endswith(".pdf")
    assert clean_filename("scan", ".png") == "scan.png"


@pytest.mark.parametrize("head, name, content_type", [
    (pdf_bytes(), "plan.pdf", "application/pdf"),
    (pdf_bytes(), "plan", "application/pdf"),
    (png_bytes(), "diagram.PNG", "image/png"),
    (jpeg_bytes(), "photo.jpeg", "image/jpeg"),
    (jpeg_bytes(), "photo.jpg", "image/jpeg"),
])
def test_recognise_accepts_by_content(head, name, content_type):
    assert recognise(head, name, "application/octet-stream")[0] == content_type


@pytest.mark.parametrize("head, name, declared", [
    (b"<!doctype html><html><script>alert(1)</script></html>", "page.html", "text/html"),
    (b"<!doctype html><html><script>alert(1)</script></html>", "page.pdf", "application/pdf"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg", "image/svg+xml"),
    (b"just some notes\n", "notes.txt", "text/plain"),
    (b"", "empty.pdf", "application/pdf"),
    (pdf_bytes(), "page.html", "text/html"),
    (pdf_bytes(), "page.pdf", "text/html"),
    (b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>", "x.pdf", "application/pdf"),
    (png_bytes(), "image.pdf", "application/pdf"),
    (b"GIF89a" + b"\x00" * 20, "anim.gif", "image/gif"),
    (b"PK\x03\x04" + b"\x00" * 30, "slides.pdf", "application/pdf"),
])
def test_recognise_refuses(head, name, declared):
    with pytest.raises(UnsupportedFileType):
        recognise(head, name, declared)
