"""The set-up page's QR code: the same otpauth:// address as its link, drawn on the server as an
SVG image with a name, dark on white."""
from __future__ import annotations

import re

import segno

from app.accounts.qr import qr_svg
from tests.accounts.two_step_support import html
from tests.conftest import login, make_user

LABEL = "QR code that adds Salus to an authenticator app"


def test_the_drawing_is_the_qr_code_of_the_data():
    svg = str(qr_svg("otpauth://totp/Salus:ana?secret=ABC", "name"))
    expected = segno.make("otpauth://totp/Salus:ana?secret=ABC", error="m", micro=False)
    assert svg.startswith('<svg role="img" aria-label="name" ') and 'class="qr-code"' in svg
    # The dark modules segno draws for this data, and nothing else: other data, another drawing.
    assert re.search(r' d="([^"]+)"/></g>', svg).group(1) == re.search(
        r' d="([^"]+)"/></g>', expected.svg_inline(scale=4, border=4, dark="#000", light="#fff")).group(1)
    assert svg != str(qr_svg("otpauth://totp/Salus:ana?secret=ABD", "name"))
    assert 'fill="#fff"' in svg and 'stroke="#000"' in svg
    assert "style=" not in svg and "<script" not in svg  # nothing the Content-Security-Policy blocks


def test_the_label_is_escaped():
    svg = str(qr_svg("x", 'a "quoted" <b>label</b>'))
    assert 'aria-label="a &#34;quoted&#34; &lt;b&gt;label&lt;/b&gt;"' in svg and "<b>" not in svg


def test_the_set_up_page_shows_the_qr_code_of_its_own_link(app, client):
    with app.app_context():
        make_user("ana@example.org")
    login(client, "ana@example.org")
    page = html(client.get("/account/two-step"))
    uri = re.search(r'href="(otpauth://[^"]+)"', page).group(1).replace("&amp;", "&")
    assert str(qr_svg(uri, LABEL)) in page


def test_the_qr_code_is_named_in_the_visitors_language(app, client):
    with app.app_context():
        make_user("ana@example.org", locale="fr")
    login(client, "ana@example.org")
    page = html(client.get("/account/two-step"))
    name = re.search(r'<svg role="img" aria-label="([^"]+)"', page).group(1)
    assert name and name != LABEL
