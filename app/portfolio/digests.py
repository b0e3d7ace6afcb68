"""Digest mails to the followers of projects.

Every change followers care about is a ProjectEvent (see ``events.py``). Each follower has a
watermark: the last event already mailed to them. A digest run mails every follower with newer
events ONE message covering all the projects they follow, in their language, through the outbox,
and moves their watermarks in the same transaction: the mail and the "already told" mark land
together or not at all, so a change is mailed once, however often the run repeats.

Runs come from ``flask portfolio digests`` and, every few minutes, from ``flask outbox work``.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import groupby
from typing import Any

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, insert, select, text

from app.accounts.models import User
from app.core import clock
from app.core.db import begin_write
from app.core.outbox import OutboxMail, external_url, render_mail
from app.extensions import db
from app.portfolio.citizen_rules import ProjectNews, project_news
from app.portfolio.labels import stage_label
from app.portfolio.models import Follow, PortfolioProject, ProjectEvent

MAIL_TEMPLATE = "project_digest"


def _number(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    shown = format_decimal(value, locale=get_locale())
    return f"{shown} {unit}".strip()


def news_lines(news: ProjectNews) -> list[str]:
    """One sentence per change, in the language of the mail being written (called while it renders)."""
    lines = []
    for change in news.stages:
        new = stage_label(change.get("to"))
        line = (_("Stage changed from %(old)s to %(new)s.", old=stage_label(change["from"]), new=new)
                if change.get("from") else _("The stage is now %(new)s.", new=new))
        if change.get("reason"):
            line += " " + _("Reason: %(reason)s", reason=change["reason"])
        lines.append(line)
    if news.progress is not None:
        old, new = news.progress.get("from"), news.progress.get("to")
        if new is None:
            lines.append(_("No milestones are planned any more."))
        elif old is None:
            lines.append(_("Progress: %(new)s%% of milestones done.", new=new))
        else:
            lines.append(_("Progress: from %(old)s%% to %(new)s%% of milestones done.", old=old, new=new))
    for milestone in news.milestones:
        title = milestone.get("title", "")
        if milestone.get("done", True):
            lines.append(_("Milestone reached: %(title)s", title=title))
        else:
            lines.append(_("Milestone no longer marked as done: %(title)s", title=title))
    for indicator in news.indicators:
        value = _number(indicator["to"], indicator["unit"])
        if indicator.get("target") is not None:
            lines.append(_("%(indicator)s: now %(value)s (target %(target)s).", indicator=indicator["name"],
                           value=value, target=_number(indicator["target"], indicator["unit"])))
        else:
            lines.append(_("%(indicator)s: now %(value)s.", indicator=indicator["name"], value=value))
    for item in news.updates:
        lines.append(_("New update: %(title)s", title=item.get("title", "")))
    return lines


def _lock_events() -> None:
    """Wait for every transaction still writing events, and keep new ones out until this commits.

    On PostgreSQL an event id can be taken by a transaction that commits after a later id is
    already visible; moving a watermark past the later id would skip the earlier event forever.
    SHARE ROW EXCLUSIVE also keeps two digest runs apart. SQLite's BEGIN IMMEDIATE (begin_write)
    already makes writers take turns."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE project_events IN SHARE ROW EXCLUSIVE MODE"))


def _pending_follows() -> list[tuple[Follow, User]]:
    latest = (select(ProjectEvent.project_id, func.max(ProjectEvent.id).label("latest"))
              .group_by(ProjectEvent.project_id).subquery())
    return [(follow, user) for follow, user in db.session.execute(
        select(Follow, User).join(User, User.id == Follow.user_id)
        .join(latest, latest.c.project_id == Follow.project_id)
        .where(Follow.notified_event_id < latest.c.latest, User.erased_at.is_(None))
        .order_by(Follow.user_id, Follow.project_id)).all()]


Event = tuple[int, str, dict[str, Any]]  # (id, kind, summary)


def _events_by_project(follows: list[Follow]) -> dict[int, list[Event]]:
    """Every event any of these followers has not heard of yet, by project, oldest first: one query."""
    project_ids = sorted({f.project_id for f in follows})
    oldest_mark = min(f.notified_event_id for f in follows)
    events: dict[int, list[Event]] = defaultdict(list)
    for event_id, project_id, kind, summary in db.session.execute(
            select(ProjectEvent.id, ProjectEvent.project_id, ProjectEvent.kind, ProjectEvent.summary)
            .where(ProjectEvent.project_id.in_(project_ids), ProjectEvent.id > oldest_mark)
            .order_by(ProjectEvent.id)):
        events[project_id].append((event_id, kind, summary or {}))
    return events


def _projects(project_ids: set[int]) -> dict[int, dict[str, Any]]:
    rows = db.session.execute(select(PortfolioProject.id, PortfolioProject.title, PortfolioProject.reference,
                                     PortfolioProject.stage).where(PortfolioProject.id.in_(project_ids)))
    return {pid: {"id": pid, "title": title, "reference": reference, "stage": stage,
                  "url": external_url("portfolio.project", project_id=pid)}
            for pid, title, reference, stage in rows}


def _news_for(follow: Follow, events: list[Event]) -> ProjectNews:
    return project_news(follow.project_id, (e for e in events if e[0] > follow.notified_event_id))


def send_digests(now: dt.datetime | None = None) -> int:
    """Queue one digest mail per follower who has news, move their watermarks, commit; answer how
    many mails were queued.

    A follower's news are the events of the projects they follow that are newer than their
    watermark: stage changes, the progress change (first value to last), milestones, updates.
    A run reads in a fixed number of queries however many followers there are (the outbox rows
    and watermark changes are written in batches). A follower whose events add up to nothing
    (progress that came back to where it was) gets no mail, but their watermark still moves.
    ``now`` stamps the mails (the clock's time by default).
    """
    now = now or clock.now()
    begin_write(db.session)
    _lock_events()
    pending = _pending_follows()
    if not pending:
        db.session.commit()
        return 0
    events = _events_by_project([follow for follow, _user in pending])
    projects = _projects({follow.project_id for follow, _user in pending})
    mails: list[dict[str, Any]] = []
    for _user_id, group in groupby(pending, key=lambda pair: pair[0].user_id):
        rows = list(group)
        user = rows[0][1]
        entries = []
        for follow, _user in rows:
            news = _news_for(follow, events.get(follow.project_id, []))
            if news.last_event_id:
                follow.notified_event_id = news.last_event_id
            if not news.empty and follow.project_id in projects:
                entries.append({"project": projects[follow.project_id], "news": news})
        if entries:
            mails.append(_mail(user, entries, now))
    if mails:
        # One statement for all the mails (the ORM would insert them one by one).
        db.session.execute(insert(OutboxMail), mails)
    db.session.commit()
    return len(mails)


def _mail(user: User, entries: list[dict[str, Any]], now: dt.datetime) -> dict[str, Any]:
    """An outbox row, written exactly as ``queue_mail_to_user`` would write it."""
    subject, text_body, html_body = render_mail(MAIL_TEMPLATE, user.locale, {
        "user": user, "entries": entries, "news_lines": news_lines,
        "portfolio_url": external_url("portfolio.catalogue")})
    return {"to_address": user.email, "user_id": user.id, "locale": user.locale, "kind": MAIL_TEMPLATE,
            "subject": subject[:300], "text_body": text_body, "html_body": html_body, "created_at": now,
            "next_attempt_at": now}
