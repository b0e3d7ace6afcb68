"""Reading an archive someone hands us, trusting nothing in it.

The ZIP is read in memory only (nothing is ever extracted to disk). Before a byte is inflated the
number of members and their declared total size are checked, and every member is then read with
a hard cap, so a small file that would inflate to gigabytes (a "zip bomb") is refused cheaply.
JSON is bounded in size and depth, CSV in size, rows and cell count; every refusal is a
:class:`ValidationFailed` whose message says what is wrong.
"""
from __future__ import annotations

import csv
import io
import json
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any, NoReturn, Sequence

from flask import current_app
from flask_babel import gettext as _

from app.core.errors import ValidationFailed
from app.results.archive import (ARCHIVE_VERSION, CHALLENGE_FILE, CSV_RESOURCES, PACKAGE_FILE, read_cell)

MAX_MEMBERS = 64
# The whole package may inflate to at most this many times the upload limit.
EXPANSION = 10
DESCRIPTOR_MAX_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
MAX_ROWS = 50_000
MAX_PROBLEMS = 25
RESOURCE_NAMES = ("challenge", *CSV_RESOURCES)


def refusal(message: str) -> ValidationFailed:
    return ValidationFailed(_("This archive cannot be imported. Nothing was imported."), fields={"archive": message})


def refuse(message: str) -> NoReturn:
    raise refusal(message)


class Problems:
    """Every problem found in a package, so one attempt shows them all (up to a limit)."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.more = 0

    def add(self, where: str, message: str) -> None:
        if len(self.fields) >= MAX_PROBLEMS:
            self.more += 1
            return
        key, n = where, 2
        while key in self.fields:
            key, n = f"{where} ({n})", n + 1
        self.fields[key] = message

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_any(self) -> None:
        if not self.fields:
            return
        fields = dict(self.fields)
        if self.more:
            fields["…"] = _("%(n)s more problems not shown.", n=self.more)
        raise ValidationFailed(_("This archive cannot be imported. Nothing was imported."), fields=fields)


def max_package_bytes() -> int:
    return int(current_app.config["UPLOAD_MAX_MB"]) * 1024 * 1024


def too_large_message() -> str:
    return _("The file is larger than %(mb)s MB. Nothing was imported.", mb=current_app.config["UPLOAD_MAX_MB"])


@dataclass
class Package:
    descriptor: dict[str, Any]
    challenge: Any
    tables: dict[str, list[dict[str, str]]]


def open_package(data: bytes) -> Package:
    """The descriptor, challenge.json and every CSV table of a package, or a clear refusal."""
    if len(data) > max_package_bytes():
        refuse(too_large_message())
    if not data.startswith(b"PK"):
        refuse(_("This file is not a ZIP archive. Choose the .zip file exported by Salus."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _read(archive)
    except ValidationFailed:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, zlib.error, NotImplementedError,
            RuntimeError, ValueError):
        refuse(_("This ZIP archive is damaged or uses a format Salus cannot read."))


def _read(archive: zipfile.ZipFile) -> Package:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        refuse(_("This archive holds %(n)s files; a Salus archive holds about ten.", n=len(infos)))
    budget = max_package_bytes() * EXPANSION
    if sum(info.file_size for info in infos) > budget:
        refuse(_("This archive would expand to more than %(mb)s MB. Nothing was imported.",
                 mb=budget // (1024 * 1024)))
    members = {info.filename: info for info in infos if not info.is_dir()}
    root = _root(members)
    descriptor = parse_json(_member(archive, members[root + PACKAGE_FILE], DESCRIPTOR_MAX_BYTES), PACKAGE_FILE)
    paths = resource_paths(descriptor)
    files = {}
    for name in RESOURCE_NAMES:
        info = members.get(posixpath.join(root, paths[name]) if root else paths[name])
        if info is None:
            refuse(_("The file %(name)s listed in datapackage.json is missing from the archive.", name=paths[name]))
        files[name] = _member(archive, info, budget)
        budget -= len(files[name])
    challenge = parse_json(files.pop("challenge"), CHALLENGE_FILE)
    tables = {name: read_csv(files[name], paths[name], [f for f, _k, _d in CSV_RESOURCES[name][2]])
              for name in CSV_RESOURCES}
    return Package(descriptor, challenge, tables)


def _root(members: dict[str, zipfile.ZipInfo]) -> str:
    """'' when datapackage.json is at the top, or the one folder holding it (an archive re-zipped
    from its unpacked folder)."""
    if PACKAGE_FILE in members:
        return ""
    folders = [name[:-len(PACKAGE_FILE)] for name in members
               if name.endswith("/" + PACKAGE_FILE) and name.count("/") == 1]
    if len(folders) != 1:
        refuse(_("This archive has no datapackage.json: it is not a Salus challenge archive."))
    return folders[0]


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.flag_bits & 0x1:
        refuse(_("This archive is protected by a password. Export it again without one."))
    if info.file_size > limit:
        refuse(_("The file %(name)s in the archive is too large.", name=info.filename[:100]))
    with archive.open(info) as handle:
        # Never trust the declared size: read one byte past the limit to notice a lie.
        data = handle.read(limit + 1)
    if len(data) > limit:
        refuse(_("The file %(name)s in the archive is too large.", name=info.filename[:100]))
    return data


def resource_paths(descriptor: Any) -> dict[str, str]:
    """The path of each resource Salus needs, after checking the descriptor is one we read."""
    if not isinstance(descriptor, dict):
        refuse(_("datapackage.json does not describe a data package."))
    version = descriptor.get("salus_archive_version")
    if version is None:
        refuse(_("This data package was not made by Salus (its datapackage.json has no salus_archive_version)."))
    if version != ARCHIVE_VERSION or not isinstance(version, int) or isinstance(version, bool):
        refuse(_("This archive has format version %(found)s; this Salus reads version %(expected)s.",
                 found=json.dumps(version)[:20], expected=ARCHIVE_VERSION))
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        refuse(_("datapackage.json lists no resources."))
    paths: dict[str, str] = {}
    for resource in resources:
        if not isinstance(resource, dict):
            continue
        name, path = resource.get("name"), resource.get("path")
        if name in RESOURCE_NAMES and isinstance(path, str):
            if not _safe_path(path):
                refuse(_("datapackage.json gives an unsafe path for %(name)s.", name=name))
            paths[name] = path
    missing = [name for name in RESOURCE_NAMES if name not in paths]
    if missing:
        refuse(_("datapackage.json does not list these resources: %(names)s.", names=", ".join(missing)))
    return paths


def _safe_path(path: str) -> bool:
    parts = path.split("/")
    return 0 < len(path) <= 200 and "\\" not in path and not path.startswith("/") \
        and all(part not in ("", ".", "..") for part in parts) and "\x00" not in path


def parse_json(data: bytes, name: str) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        refuse(_("%(name)s is not UTF-8 text.", name=name))
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        refuse(_("%(name)s is not valid JSON.", name=name))
    if json_depth(value) > MAX_JSON_DEPTH:
        refuse(_("%(name)s is nested too deeply.", name=name))
    return value


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JSON allows")


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest (without recursion, whatever the input)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def read_csv(data: bytes, name: str, fields: Sequence[str]) -> list[dict[str, str]]:
    """The rows of a CSV file as dicts, each cell with its formula neutralisation removed."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        refuse(_("%(name)s is not UTF-8 text.", name=name))
    if "\x00" in text:
        refuse(_("%(name)s contains characters that cannot be stored.", name=name))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[dict[str, str]] = []
    try:
        header = next(reader, None)
        if header is None or sorted(header) != sorted(fields):
            refuse(_("%(name)s must have exactly these columns: %(columns)s.", name=name, columns=", ".join(fields)))
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                # Rows are numbered as a spreadsheet shows them, the header being row 1.
                refuse(_("%(name)s, row %(row)s: %(found)s cells instead of %(expected)s.", name=name,
                         row=len(rows) + 2, found=len(row), expected=len(header)))
            if len(rows) >= MAX_ROWS:
                refuse(_("%(name)s has more than %(n)s rows.", name=name, n=MAX_ROWS))
            rows.append({column: read_cell(cell) for column, cell in zip(header, row)})
    except csv.Error:
        refuse(_("%(name)s is not a valid CSV file (near line %(line)s).", name=name, line=reader.line_num))
    return rows
