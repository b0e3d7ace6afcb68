"""Feeds for people who follow from elsewhere: the portfolio's progress updates as Atom (RFC 4287)
and a challenge's dates as iCalendar (RFC 5545).

Identifiers never change once given, so a feed reader or a calendar updates an entry rather than
adding a copy: Atom entries are ``tag:`` URIs (RFC 4151) of the update's id and day, calendar
events are UIDs of the challenge's id and the date's kind. Links are built from BASE_URL, never
from the request's Host header.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable, Sequence
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET  # nosec B405 - writes the feed, never parses input

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event, vText
from markupsafe import Markup
from sqlalchemy import select

from app.challenges.models import Challenge
from app.core import clock
from app.core.markdown import render_markdown
from app.core.outbox import external_url
from app.extensions import db
from app.portfolio.labels import stage_label
from app.portfolio.models import PortfolioProject, ProjectUpdate
from app.portfolio.opendata import iso_datetime, licence, project_url

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_SIZE = 50
# The year the portfolio's feeds were first published: the date part of their tag: URIs.
FEED_TAG_YEAR = 2026
# Atom is the default namespace of the document, so elements carry no prefix.
ET.register_namespace("", ATOM_NS)
# Characters XML 1.0 cannot carry at all, even escaped; a pasted control character must not make
# the whole feed unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def tag_authority() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def xml_text(value: object) -> str:
    return _NOT_XML.sub("", "" if value is None else str(value))


# --- Atom ---------------------------------------------------------------------------------

def latest_updates(project_id: int | None = None, limit: int = FEED_SIZE
                   ) -> list[tuple[ProjectUpdate, PortfolioProject]]:
    """The newest updates with their project, newest first: one query whatever they are."""
    statement = (select(ProjectUpdate, PortfolioProject)
                 .join(PortfolioProject, PortfolioProject.id == ProjectUpdate.project_id)
                 .order_by(ProjectUpdate.created_at.desc(), ProjectUpdate.id.desc()).limit(limit))
    if project_id is not None:
        statement = statement.where(ProjectUpdate.project_id == project_id)
    return [(update, project) for update, project in db.session.execute(statement)]


def entry_html(update: ProjectUpdate) -> Markup:
    """The update as the project page shows it: the stage change, then the sanitised Markdown."""
    parts = []
    if update.stage_to and update.stage_to != update.stage_from:
        if update.stage_from:
            line = _("Stage changed from %(old)s to %(new)s.", old=stage_label(update.stage_from),
                     new=stage_label(update.stage_to))
        else:
            line = _("Stage: %(new)s.", new=stage_label(update.stage_to))
        parts.append(Markup("<p><strong>%s</strong></p>") % line)
    parts.append(render_markdown(update.body))
    return Markup("").join(parts)


@dataclass(frozen=True)
class FeedInfo:
    title: str
    tag: str  # the specific part of the feed's tag: URI
    self_url: str
    page_url: str
    fallback_updated: dt.datetime  # when there are no entries yet


def _sub(parent: ET.Element, name: str, text: object = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{name}", {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def atom_feed(info: FeedInfo, rows: Sequence[tuple[ProjectUpdate, PortfolioProject]]) -> bytes:
    """A valid Atom document: feed id, title, updated, author, self link; each entry with id, title,
    updated, published, its project page as alternate link and the update as escaped HTML."""
    authority = tag_authority()
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {XML_LANG: str(get_locale() or "en")})
    _sub(feed, "id", f"tag:{authority},{FEED_TAG_YEAR}:{info.tag}")
    _sub(feed, "title", info.title)
    newest = max((update.created_at for update, _project in rows), default=info.fallback_updated)
    _sub(feed, "updated", iso_datetime(newest))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=info.self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=info.page_url)
    author = _sub(feed, "author")
    _sub(author, "name", "Salus")
    _sub(feed, "rights", licence())
    _sub(feed, "generator", "Salus")
    for update, project in rows:
        entry = _sub(feed, "entry")
        day = update.created_at.astimezone(dt.timezone.utc).date().isoformat()
        _sub(entry, "id", f"tag:{authority},{day}:portfolio/update/{update.id}")
        _sub(entry, "title", _("%(project)s: %(title)s", project=project.title, title=update.title))
        _sub(entry, "updated", iso_datetime(update.created_at))
        _sub(entry, "published", iso_datetime(update.created_at))
        _sub(entry, "link", rel="alternate", type="text/html", href=project_url(project.id))
        if update.stage_to:
            _sub(entry, "category", term=update.stage_to, label=stage_label(update.stage_to))
        _sub(entry, "content", str(entry_html(update)), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def portfolio_feed() -> bytes:
    info = FeedInfo(title=_("Salus portfolio: project updates"), tag="portfolio/updates",
                    self_url=external_url("portfolio.feed"), page_url=external_url("portfolio.catalogue"),
                    fallback_updated=clock.now())
    return atom_feed(info, latest_updates())


def project_feed(project: PortfolioProject) -> bytes:
    info = FeedInfo(title=_("%(project)s: updates", project=project.title), tag=f"portfolio/{project.id}/updates",
                    self_url=external_url("portfolio.project_feed", project_id=project.id),
                    page_url=project_url(project.id), fallback_updated=project.updated_at)
    return atom_feed(info, latest_updates(project.id))


# --- iCalendar ----------------------------------------------------------------------------

def challenge_dates(challenge: Challenge) -> list[tuple[str, dt.datetime, str]]:
    """(kind, instant, summary) for each date of the challenge that is known.

    Judging and results are dates only once they happened: the judging start of a challenge back
    to ``open`` for a second round belongs to the first, and is left out until judging restarts."""
    title = challenge.title
    dates = [("opening", challenge.opens_at, _("Submissions open: %(title)s", title=title)),
             ("deadline", challenge.submission_deadline, _("Submission deadline: %(title)s", title=title))]
    if challenge.status in ("judging", "published", "archived"):
        dates.append(("judging", challenge.judging_started_at, _("Judging starts: %(title)s", title=title)))
    if challenge.status in ("published", "archived"):
        dates.append(("results", challenge.published_at, _("Results published: %(title)s", title=title)))
    return [(kind, when, summary) for kind, when, summary in dates if when is not None]


def _events(challenge: Challenge, dates: Iterable[tuple[str, dt.datetime, str]], url: str) -> Iterable[Event]:
    stamp = clock.now().astimezone(dt.timezone.utc)
    language = str(get_locale() or "en")
    for kind, when, summary in dates:
        event = Event()
        event.add("uid", f"salus-challenge-{challenge.id}-{kind}@{tag_authority()}")
        event.add("dtstamp", stamp)
        event.add("dtstart", when.astimezone(dt.timezone.utc))
        # A deadline is an instant, not a stay: no DTEND, and free time in the reader's calendar.
        event.add("summary", summary, parameters={"LANGUAGE": language})
        event.add("description", f"{challenge.title}\n{url}", parameters={"LANGUAGE": language})
        event.add("url", url)
        event.add("sequence", max(challenge.version - 1, 0))
        event.add("transp", "TRANSPARENT")
        yield event


def challenge_calendar(challenge: Challenge) -> bytes:
    """A VCALENDAR of the challenge's dates, in UTC, folded and escaped by the icalendar library."""
    url = external_url("challenges.show", challenge_id=challenge.id)
    calendar = Calendar()
    calendar.add("prodid", "-//Salus//Challenge dates//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # Typed as text: the library escapes only properties it knows to be text.
    calendar.add("name", vText(challenge.title))
    calendar.add("x-wr-calname", vText(challenge.title))
    for event in _events(challenge, challenge_dates(challenge), url):
        calendar.add_component(event)
    return calendar.to_ical()
