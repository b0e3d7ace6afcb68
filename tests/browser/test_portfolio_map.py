"""The portfolio map in a real browser, under the real Content-Security-Policy: markers without
tiles and no request leaving the site; tiles from the configured server when one is set."""
import pytest

from tests.portfolio.catalogue_data import catalogue_world

pytestmark = pytest.mark.browser


def watch(tab):
    """Every request the page makes, and every policy violation the browser reports."""
    requests, refused = [], []
    tab.on("request", lambda request: requests.append(request.url))
    tab.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
           else None)
    return requests, refused


def test_markers_without_tiles_and_nothing_fetched_outside(app, page, live_server):
    with app.app_context():
        catalogue_world()
    requests, refused = watch(page)
    page.goto("/portfolio/map")
    page.locator("#portfolio-map").wait_for(state="visible")
    markers = page.locator("#portfolio-map path.leaflet-interactive")
    markers.first.wait_for()
    assert markers.count() == 3
    assert page.locator(".leaflet-tile").count() == 0
    markers.first.click(force=True)
    popup = page.locator(".leaflet-popup-content a")
    popup.wait_for()
    assert popup.get_attribute("href").startswith("/portfolio/")
    assert refused == []
    assert all(url.startswith(live_server.url) for url in requests), requests


def test_tiles_come_from_the_configured_server(app, page, live_server, monkeypatch):
    with app.app_context():
        catalogue_world()
    # A "tile server" on this very site, so that the test needs no network.
    monkeypatch.setitem(app.config, "MAP_TILE_URL", live_server.url + "/static/favicon.svg?z={z}&x={x}&y={y}")
    monkeypatch.setitem(app.config, "MAP_ATTRIBUTION", "Tiles: test server")
    requests, refused = watch(page)
    page.goto("/portfolio/map")
    page.locator(".leaflet-tile-loaded").first.wait_for()
    assert "Tiles: test server" in page.locator(".leaflet-control-attribution").inner_text()
    assert any("/static/favicon.svg?z=" in url for url in requests)
    assert refused == []


def test_without_javascript_the_places_are_listed(app, another_page):
    with app.app_context():
        catalogue_world()
    tab = another_page(java_script_enabled=False)
    tab.goto("/portfolio/map")
    assert tab.locator("#portfolio-map").is_hidden()
    assert tab.locator("#portfolio-places li").count() == 3
    assert "47.1585, 27.6014" in tab.locator("#portfolio-places").inner_text()
