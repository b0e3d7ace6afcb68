"""Markdown written by people (challenge descriptions, rules, comments) turned into safe HTML.

Two layers, so that a gap in one is caught by the other: markdown-it renders CommonMark with
raw HTML switched off (a ``<script>`` typed in the text comes out as text), then nh3 keeps only
a small allow-list of tags, attributes and URL schemes. Headings move down one level because
the page around the text already has its ``<h1>``. Images are kept only when they come from this
site: the Content-Security-Policy would block others anyway, and an outside image tells a third
party who read the page.
"""
from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6",
    "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
# "/path" on this site; "//host" and "/\host" are other sites to a browser.
_LOCAL_PATH = re.compile(r"^/(?![/\\])[^\s\\]*$")
MAX_SOURCE_CHARS = 100_000

_parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _local_images_only(children: list[Token]) -> None:
    """An image from elsewhere becomes its description (alt text), so nothing is fetched."""
    for index, child in enumerate(children):
        if child.type == "image" and not _LOCAL_PATH.match(str(child.attrGet("src") or "")):
            alt = "".join(part.content for part in child.children or [])
            children[index] = Token("text", "", 0, content=alt)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if _LOCAL_PATH.match(value) else None
    return value


def render_markdown(text: str | None) -> Markup:
    """Sanitised HTML for Markdown ``text``; empty markup for empty text."""
    if not text or not text.strip():
        return Markup("")
    tokens = _parser.parse(text[:MAX_SOURCE_CHARS])
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + 1, 6)
            token.tag = f"h{level}"
        elif token.type == "inline" and token.children:
            _local_images_only(token.children)
    html = _parser.renderer.render(tokens, _parser.options, {})
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                      link_rel=LINK_REL, strip_comments=True, attribute_filter=_keep_attribute)
    return Markup(clean)  # nosec B704 - sanitised by nh3 just above
