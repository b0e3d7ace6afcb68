"""Registries through which each feature contributes to a person's data export and erasure.

Accounts owns the person; other features own what the person wrote. Each registers a function
here instead of accounts importing every feature.
"""
from __future__ import annotations

from typing import Any, Callable

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]

_exporters: dict[str, Exporter] = {}
_erasers: list[Eraser] = []


def register_exporter(section: str, exporter: Exporter) -> None:
    _exporters[section] = exporter


def register_eraser(eraser: Eraser) -> None:
    if eraser not in _erasers:
        _erasers.append(eraser)


def export_sections(user: Any) -> dict[str, Any]:
    return {section: exporter(user) for section, exporter in sorted(_exporters.items())}


def run_erasers(user: Any) -> None:
    for eraser in _erasers:
        eraser(user)
