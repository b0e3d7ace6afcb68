"""Markdown from organisers and citizens is rendered, and nothing in it can run or call out."""
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from app.core.markdown import render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="/ok.png" onerror="alert(1)">',
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "<iframe src=https://evil.example></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pixel](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<math><mtext><img src=x onerror="alert(1)"></mtext></math>',
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<!--<script>alert(1)</script>-->",
    "![outside](https://tracker.example/pixel.gif)",
    "![protocol relative](//tracker.example/pixel.gif)",
    "[ok](https://example.org \"title\" onmouseover=alert(1))",
    "<a href=https://example.org onclick=alert(1)>x</a>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
]

DANGEROUS_TAGS = {"script", "iframe", "svg", "math", "object", "embed", "form", "style", "meta", "body", "link",
                  "base", "button", "input", "textarea", "div", "span"}


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def elements(html: str):
    parser = Collector()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_is_neutralised(payload):
    html = str(render_markdown(payload))
    for tag, attrs in elements(html):
        assert tag not in DANGEROUS_TAGS, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name not in ("style", "srcdoc", "formaction"), html
            cleaned = "".join(value.split()).lower()
            assert not cleaned.startswith(("javascript:", "vbscript:", "data:")), html
            if name == "src":
                assert value.startswith("/") and not value.startswith("//"), html


def test_ordinary_markdown_is_kept():
    html = str(render_markdown("# Aim\n\nHelp **nurses** and *patients*.\n\n- one\n- two\n\n"
                               "See [the call](https://example.org/call).\n\n![Logo](/static/favicon.svg)"))
    assert "<h2>Aim</h2>" in html  # one level down: the page has its own h1
    assert "<strong>nurses</strong>" in html and "<em>patients</em>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://example.org/call" rel="noopener noreferrer nofollow">the call</a>' in html
    assert '<img src="/static/favicon.svg" alt="Logo">' in html


def test_links_get_rel_and_outside_images_become_text():
    html = str(render_markdown("[a](https://a.example) ![a chart](https://evil.example/c.png)"))
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<img" not in html and "a chart" in html and "evil.example" not in html


def test_raw_html_is_shown_as_text():
    assert "&lt;script&gt;" in str(render_markdown("<script>alert(1)</script>"))


def test_result_is_markup_and_empty_text_is_empty():
    assert isinstance(render_markdown("x"), Markup)
    assert render_markdown("") == Markup("")
    assert render_markdown(None) == Markup("")
    assert render_markdown("   \n ") == Markup("")
