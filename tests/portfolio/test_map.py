"""The map: useful without tiles and without scripts; nothing external unless an operator sets a
tile server, whose host alone is then allowed for images."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.portfolio import queries
from tests.portfolio.catalogue_data import catalogue_world, make_project

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"


@pytest.fixture
def world(db):
    return catalogue_world()


def test_located_projects_are_listed_by_place(world):
    projects, without = queries.located(queries.Filters())
    assert [p.title for p in projects] == ["Diabetes screening in Copou", "Ambulance routing",
                                           "Telemedicine for rural Iași"]
    assert without == 3
    projects, without = queries.located(queries.Filters(stage="pilot"))
    assert [p.title for p in projects] == ["Telemedicine for rural Iași"] and without == 0


def test_page_without_tiles_lists_places_and_fetches_nothing_outside(client, world, app):
    assert app.config["MAP_TILE_URL"] == ""
    response = client.get("/portfolio/map")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "3 projects with a place on the map" in html
    assert re.search(r"Iași · <span class=\"portfolio-coordinates\">47\.1585, 27\.6014</span>", html)
    assert "Copou · " in html and "3 other projects have no coordinates" in html
    assert 'data-lat="47.1585" data-lng="27.6014"' in html
    assert "data-tile-url" not in html and "data-attribution" not in html
    assert "http://" not in html and "https://" not in html
    assert "no map server is configured" in html
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy


def test_page_uses_vendored_files_and_no_inline_script(client, world):
    html = client.get("/portfolio/map").get_data(as_text=True)
    assert '<script src="/static/vendor/leaflet/leaflet.js" defer>' in html
    assert '<link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css">' in html
    assert '<script src="/static/js/portfolio-map.js" defer>' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert " style=" not in html
    for name in ("leaflet.js", "leaflet.css", "LICENSE", "images/marker-icon.png", "images/layers.png"):
        assert (STATIC / "vendor" / "leaflet" / name).is_file(), name
    assert "Leaflet 1.9.4" in (STATIC / "vendor" / "leaflet" / "leaflet.js").read_text()[:200]
    for name in ("vendor/leaflet/leaflet.js", "js/portfolio-map.js"):
        assert client.get(f"/static/{name}").status_code == 200


def test_a_tile_server_setting_reaches_the_page_and_the_policy(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAP_TILE_URL", "https://tiles.example.net/{z}/{x}/{y}.png")
    monkeypatch.setitem(app.config, "MAP_ATTRIBUTION", "© Example <a href=\"https://example.net\">maps</a>")
    response = client.get("/portfolio/map")
    html = response.get_data(as_text=True)
    assert 'data-tile-url="https://tiles.example.net/{z}/{x}/{y}.png"' in html
    assert 'data-attribution="© Example &lt;a href=&#34;https://example.net&#34;&gt;maps&lt;/a&gt;"' in html
    assert "no map server is configured" not in html
    policy = response.headers["Content-Security-Policy"]
    img = next(part for part in policy.split(";") if part.strip().startswith("img-src"))
    assert img.strip() == "img-src 'self' data: https://tiles.example.net"
    connect = next(part for part in policy.split(";") if part.strip().startswith("connect-src"))
    assert connect.strip() == "connect-src 'self'"
    assert "script-src 'self';" in policy


def test_a_subdomain_template_allows_the_subdomains_only_for_images(client, app, monkeypatch, db):
    monkeypatch.setitem(app.config, "MAP_TILE_URL", "https://{s}.tile.example.org/{z}/{x}/{y}.png")
    policy = client.get("/portfolio/map").headers["Content-Security-Policy"]
    img = next(part for part in policy.split(";") if part.strip().startswith("img-src"))
    assert img.strip() == "img-src 'self' data: https://*.tile.example.org"
    assert policy.count("tile.example.org") == 1


@pytest.mark.parametrize("setting", ["javascript:alert(1)//{z}", "tiles/{z}/{x}/{y}.png", "ftp://tiles.example.org/x"])
def test_a_tile_setting_that_is_not_a_web_address_adds_nothing(client, app, monkeypatch, db, setting):
    monkeypatch.setitem(app.config, "MAP_TILE_URL", setting)
    policy = client.get("/portfolio/map").headers["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy


def test_map_follows_the_catalogue_filters(client, world):
    html = client.get("/portfolio/map?theme=Telemedicine").get_data(as_text=True)
    assert "2 projects with a place on the map" in html and "1 other project has no coordinates" in html
    assert "Only projects matching" in html


def test_titles_are_escaped_in_the_list_and_data(client, db):
    make_project("<img src=x onerror=alert(1)>", latitude=45.0, longitude=25.0, location="\"Q\" & <R>")
    html = client.get("/portfolio/map").get_data(as_text=True)
    assert "<img src=x" not in html
    assert 'data-title="&lt;img src=x onerror=alert(1)&gt;"' in html
    assert "&#34;Q&#34; &amp; &lt;R&gt;" in html


def test_empty_map(client, db):
    make_project("Nowhere")
    html = client.get("/portfolio/map").get_data(as_text=True)
    assert "No project has a place on the map yet" in html and 'id="portfolio-map"' not in html


def test_map_script_builds_popups_from_text_only():
    script = (STATIC / "js" / "portfolio-map.js").read_text()
    assert "innerHTML" not in script and "textContent" in script
    assert "bindTooltip(text(" in script
