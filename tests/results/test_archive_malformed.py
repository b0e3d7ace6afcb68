"""Archives that must be refused: each with a clear reason, never a crash, and nothing stored."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from app.core.errors import ValidationFailed
from app.results.archive import build_archive
from app.results.archive_import import import_archive
from tests.conftest import make_user
from tests.results.archive_support import edit_json, members, published, rewrite, row_counts, zip_of


@pytest.fixture
def package(db):
    world = published(db)
    return build_archive(world.challenge)


@pytest.fixture
def admin(db):
    return make_user("admin@example.org", admin=True)


def refused(data: bytes, admin) -> str:
    """Import must fail with ValidationFailed and leave every table as it was; the problems as text."""
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        import_archive(data, admin)
    assert row_counts() == before
    assert caught.value.message.startswith("This archive cannot be imported")
    return " | ".join(f"{where}: {message}" for where, message in caught.value.fields.items())


def csv_replace(old: str, new: str):
    return lambda content: content.decode().replace(old, new, 1).encode()


def descriptor(edit):
    return rewrite_member("datapackage.json", edit_json(edit))


def rewrite_member(name: str, change):
    return lambda data: rewrite(data, **{name.replace(".", "_"): change})


def deep(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


def set_in(path: tuple, value):
    def edit(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit


CASES = {
    "not a zip": (lambda data: b"%PDF-1.7 not an archive", "not a ZIP archive"),
    "truncated zip": (lambda data: data[:len(data) // 2], "damaged"),
    "no datapackage.json": (lambda data: rewrite(data, datapackage_json=None), "no datapackage.json"),
    "a plain zip": (lambda data: zip_of({"notes.txt": b"hello"}), "no datapackage.json"),
    "no version": (descriptor(lambda d: d.pop("salus_archive_version")), "not made by Salus"),
    "a later version": (descriptor(set_in(("salus_archive_version",), 2)), "format version 2"),
    "a version as text": (descriptor(set_in(("salus_archive_version",), "1")), "format version \"1\""),
    "descriptor not an object": (rewrite_member("datapackage.json", b"[1, 2]"), "does not describe"),
    "descriptor not json": (rewrite_member("datapackage.json", b"{nope"), "datapackage.json is not valid JSON"),
    "a resource missing": (descriptor(lambda d: d["resources"].pop()), "reviews"),
    "a listed file missing": (lambda data: rewrite(data, teams_csv=None), "teams.csv"),
    "a path escaping the package": (descriptor(lambda d: d["resources"][1].update(path="../tracks.csv")), "unsafe"),
    "challenge.json too deep": (rewrite_member("challenge.json", deep(50)), "nested too deeply"),
    "challenge.json deeper than Python": (rewrite_member("challenge.json", deep(100_000)), "not valid JSON"),
    "NaN in challenge.json": (rewrite_member("challenge.json", lambda c: c.replace(b'"weight": 2.0', b'"weight": NaN')),
                              "not valid JSON"),
    "not UTF-8": (rewrite_member("ideas.csv", lambda c: c + "Caf\u00e9".encode("latin-1")), "not UTF-8"),
    "a row with too few cells": (rewrite_member("ideas.csv", lambda c: c + b"1,2\r\n"), "row 6: 2 cells instead of 12"),
    "a broken quote": (rewrite_member("teams.csv", lambda c: c + b'9,"Team "Q" x,1\r\n'), "not a valid CSV"),
    "columns renamed": (rewrite_member("teams.csv", csv_replace("key,name,size", "id,name,size")), "exactly these"),
    "a bad amount": (rewrite_member("ideas.csv", csv_replace("60000.00", "sixty thousand")), "budget_requested"),
    "three decimals": (rewrite_member("awards.csv", csv_replace("60000.00", "60000.001")), "two decimal"),
    "an unknown status": (rewrite_member("ideas.csv", csv_replace(",submitted,", ",winner,")), "status"),
    "an unknown team": (rewrite_member("teams.csv", lambda c: c.replace(b"\r\n", b"\r\n", 1)
                                       .split(b"\r\n", 2)[0] + b"\r\n" + c.split(b"\r\n", 2)[2]),
                        "No team has this key"),
    "a title too long": (rewrite_member("ideas.csv", csv_replace("Idea Beta", "B" * 201)), "At most 200"),
    "a hackathon with a budget": (rewrite_member("challenge.json", edit_json(set_in(("kind",), "hackathon"))),
                                  "budget_total"),
    "an unknown kind": (rewrite_member("challenge.json", edit_json(set_in(("kind",), "party"))), "kind"),
    "a naive time": (rewrite_member("challenge.json", edit_json(set_in(("opens_at",), "2026-11-01T10:00:00"))),
                     "opens_at"),
    "a zero weight": (rewrite_member("challenge.json", edit_json(set_in(("criteria", 0, "weight"), 0))), "weight"),
    "a missing field": (rewrite_member("challenge.json", edit_json(lambda d: d.pop("currency"))), "currency"),
    "changed results": (rewrite_member("challenge.json", edit_json(set_in(("publication", "awards", 0, "amount"), 1.0))),
                        "do not match their digest"),
    "a malformed digest": (rewrite_member("challenge.json", edit_json(set_in(("publication", "digest"), "x"))),
                           "SHA-256"),
    "a ranking row of the wrong shape": (
        rewrite_member("challenge.json", edit_json(set_in(("publication", "ranking", 0, "rank"), "first"))),
        "publication.ranking.0"),
    "an award for no entry": (rewrite_member("awards.csv", lambda c: c + b"2,424242,Ghost prize,,organiser\r\n"),
                              "No entry has this key"),
    "a NUL character": (rewrite_member("ideas.csv", csv_replace("Idea Beta", "Idea\x00Beta")), "cannot be stored"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_malformed_packages_are_refused_clearly(package, admin, case):
    break_it, reason = CASES[case]
    assert reason in refused(break_it(package), admin)


def test_every_problem_is_listed_at_once(package, admin):
    broken = rewrite(package, ideas_csv=lambda c: c.decode().replace("60000.00", "lots").replace(
        ",submitted,", ",winner,").encode())
    problems = refused(broken, admin)
    assert "budget_requested" in problems and problems.count("status") >= 4
    # The awards point at rows that have problems of their own: not reported again.
    assert "awards.csv" not in problems


def test_a_package_over_the_upload_limit_is_refused(package, admin, app):
    too_big = b"PK" + bytes(app.config["UPLOAD_MAX_MB"] * 1024 * 1024)
    assert "larger than 10 MB" in refused(too_big, admin)


def test_a_zip_bomb_is_refused_before_it_is_inflated(package, admin, app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_MB", 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members(package).items():
            archive.writestr(name, content)
        with archive.open("padding.bin", "w") as handle:
            for _ in range(11):
                handle.write(bytes(1024 * 1024))
    bomb = buffer.getvalue()
    assert len(bomb) < 100_000
    assert "expand to more than 10 MB" in refused(bomb, admin)


def test_a_member_that_lies_about_its_size_is_caught(package, admin, app, monkeypatch):
    """The declared sizes pass, the real content is bigger: reading stops at the limit."""
    monkeypatch.setitem(app.config, "UPLOAD_MAX_MB", 1)
    files = members(package)
    files["ideas.csv"] += b"x" * (11 * 1024 * 1024)
    data = bytearray(zip_of(files))
    # Shrink the declared size of ideas.csv in its central directory record.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("ideas.csv")
    central = data.rfind(b"PK\x01\x02", 0, data.find(b"PK\x05\x06"))
    while data[central + 46:central + 46 + len(b"ideas.csv")] != b"ideas.csv":
        central = data.rfind(b"PK\x01\x02", 0, central)
    data[central + 24:central + 28] = (1000).to_bytes(4, "little")
    assert info.file_size > 10 * 1024 * 1024
    assert any(word in refused(bytes(data), admin) for word in ("damaged", "too large", "cells"))


def test_too_many_members_are_refused(package, admin):
    files = members(package)
    files.update({f"extra/{n}.txt": b"" for n in range(100)})
    assert "holds 109 files" in refused(zip_of(files), admin)


def test_a_package_rezipped_inside_its_folder_is_read(package, admin):
    folder = zip_of({f"salus-archive/{name}": content for name, content in members(package).items()})
    challenge = import_archive(folder, admin)
    assert challenge.status == "archived"


def test_challenge_json_must_be_an_object(package, admin):
    assert "Must be a JSON object" in refused(rewrite(package, challenge_json=json.dumps([1]).encode()), admin)
