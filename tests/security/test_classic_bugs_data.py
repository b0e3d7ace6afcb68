"""The classic bugs of data in and out, attacked through the real app: CSV formula injection in every
CSV download, uploads served inline or accepted as web pages, and sort or filter parameters that
reach the SQL."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal

from sqlalchemy import func, select, text

from tests.factories import make_assignment, make_challenge, make_idea, make_juror, make_team, make_user
from tests.portfolio.scenario import LOCAL
from tests.results.scenario import judged
from tests.security.classic_support import FORMULA_STARTS, FORMULAS, api_headers, signed_in, sql_statements
from tests.submissions.helpers import jpeg_bytes, pdf_bytes, png_bytes

ORGANISER, ADMIN, ANA, JUROR = "olga@example.org", "admin@example.org", "a1@example.org", "juror1@example.org"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


# --- CSV formula injection ------------------------------------------------------------------------

def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def assert_neutralised(name: str, rows: list[list[str]], *, expect_payload: bool = True) -> None:
    """No cell a spreadsheet would run: a cell may start with = + - @ tab or CR only as a plain number."""
    cells = [cell for row in rows for cell in row]
    live = [cell for cell in cells if cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)]
    assert live == [], (name, live)
    if expect_payload:
        defused = [cell for cell in cells if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS)]
        assert defused, f"{name} carries none of the attacks: the check proves nothing"


def test_every_csv_download_neutralises_formulas(app, db, frozen_clock):
    from app.portfolio.services import create_project, promote_idea
    from app.results.awards import replace_awards
    from app.results.publication import publish_results

    world = judged()
    admin = make_user(ADMIN, name=FORMULAS[3], admin=True)
    # Every text people write that a CSV repeats: team and people's names, titles, reasons, awards.
    for n, (name, team) in enumerate(sorted(world.teams.items())):
        team.name = FORMULAS[n % len(FORMULAS)] + f" {name}"
        team.deadline_exception_reason = FORMULAS[(n + 1) % len(FORMULAS)]
        world.ideas[name].title = FORMULAS[(n + 2) % len(FORMULAS)] + f" {name}"
        for member in world.members[name]:
            member.name = FORMULAS[(n + 3) % len(FORMULAS)]
    world.organiser.name = FORMULAS[0]
    db.session.commit()
    cid = world.challenge.id
    replace_awards(world.challenge, world.organiser, [
        {"idea_id": world.ideas["Alpha"].id, "name": FORMULAS[1], "amount": Decimal("1000")},
        {"idea_id": world.ideas["Beta"].id, "name": FORMULAS[2]}])

    organiser = signed_in(app, ORGANISER)
    downloads = {"console": f"/challenges/{cid}/console.csv", "ranking": f"/challenges/{cid}/judging/ranking.csv",
                 "audit (judging)": f"/challenges/{cid}/audit.csv"}
    for name, path in downloads.items():
        response = organiser.get(path)
        assert response.status_code == 200 and response.mimetype == "text/csv", (path, response.status_code)
        assert_neutralised(name, csv_rows(response.data))

    publish_results(world.challenge, world.organiser)
    promote_idea(world.ideas["Alpha"], world.organiser)
    create_project(admin, {**LOCAL[0], "title": FORMULAS[2], "summary": FORMULAS[4], "organisation": FORMULAS[5],
                           "themes": [FORMULAS[0]], "partners": [FORMULAS[1]], "contact_name": FORMULAS[3]})
    visitor = app.test_client()
    for name, client, path in (("results", visitor, f"/challenges/{cid}/results.csv"),
                               ("audit (published)", organiser, f"/challenges/{cid}/audit.csv"),
                               ("portfolio", visitor, "/portfolio/export.csv")):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "text/csv", (path, response.status_code)
        assert_neutralised(name, csv_rows(response.data))
    # The two packages of CSV files: the challenge archive and the portfolio's open data.
    for name, client, path in (("archive", organiser, f"/challenges/{cid}/archive.zip"),
                               ("open data", visitor, "/portfolio/export.zip")):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        with zipfile.ZipFile(io.BytesIO(response.data)) as package:
            members = [m for m in package.namelist() if m.endswith(".csv")]
            assert members, f"{name} holds no CSV file"
            rows = [row for member in members for row in csv_rows(package.read(member))]
        assert_neutralised(name, rows)


# --- uploads: never served inline, never a web page -----------------------------------------------

HTML_PAGE = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
REFUSED = {
    "an HTML page": (HTML_PAGE, "page.html", "text/html"),
    "an HTML page named and declared as a PDF": (HTML_PAGE, "plan.pdf", "application/pdf"),
    "an SVG image": (SVG, "logo.svg", "image/svg+xml"),
    "an SVG named and declared as a PNG": (SVG, "logo.png", "image/png"),
    "a PDF header followed by HTML": (b"%PDF-1.4\n" + HTML_PAGE + b"\n%%EOF\n", "polyglot.pdf", "application/pdf"),
    "a PNG with a script appended": (png_bytes() + b"<script>alert(1)</script>", "photo.png", "image/png"),
    "a long PNG with a page appended": (png_bytes() + bytes(range(256)) * 64 + HTML_PAGE, "photo.png", "image/png"),
    "a JPEG with a page appended": (jpeg_bytes() + b"\n" * 9000 + b"<html><script>alert(1)</script>",
                                    "photo.jpg", "image/jpeg"),
    "a GIF that is also a script": (b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(1);//", "anim.gif", "image/gif"),
    "a PDF declared as HTML": (pdf_bytes(), "plan.pdf", "text/html"),
    "plain text": (b"just words", "notes.txt", "text/plain"),
}
DOWNLOAD_POLICY = "default-src 'none'; sandbox"


def upload(app, headers, idea_id, content, name, declared):
    return app.test_client().post(f"/api/v1/ideas/{idea_id}/attachments", headers=headers,
                                  data={"file": (io.BytesIO(content), name, declared)},
                                  content_type="multipart/form-data")


def test_uploads_are_downloads_only_and_web_pages_are_refused(app, db, frozen_clock):
    from app.submissions.models import Attachment

    organiser, ana, juror = make_user(ORGANISER), make_user(ANA), make_user(JUROR)
    challenge = make_challenge(organisers=[organiser])
    idea = make_idea(make_team(challenge, ana))
    idea_id, team_id = idea.id, idea.team_id
    headers = api_headers(app, ANA)
    for label, (content, name, declared) in REFUSED.items():
        response = upload(app, headers, idea_id, content, name, declared)
        assert response.status_code == 415, (label, response.status_code, response.get_json())
        assert response.get_json()["error"]["code"] == "unsupported_media_type"
    # The page's upload form refuses the same files with a message, and stores nothing either.
    client = signed_in(app, ANA)
    page = client.get(f"/teams/{team_id}/idea")
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.get_data(as_text=True)).group(1)
    refused = client.post(f"/ideas/{idea_id}/attachments", content_type="multipart/form-data",
                          data={"csrf_token": token, "file": (io.BytesIO(SVG), "logo.svg", "image/svg+xml")})
    assert refused.status_code == 303
    db.session.rollback()
    assert db.session.scalar(select(func.count(Attachment.id))) == 0
    db.session.rollback()  # no read transaction left open under the writes below (ids only from here)

    stored = upload(app, headers, idea_id, pdf_bytes("budget"), "budget.pdf", "application/pdf")
    assert stored.status_code == 201, stored.get_json()
    attachment_id = stored.get_json()["id"]
    # Everyone who can read the file gets it the same way: as a download, in a sandbox, never sniffed.
    challenge.status, idea.status, idea.submitted_at = "judging", "submitted", frozen_clock.now()
    db.session.commit()
    make_juror(challenge, juror)
    make_assignment(idea, juror)
    downloads = [(signed_in(app, ANA), f"/ideas/{idea_id}/attachments/{attachment_id}", {}),
                 (app.test_client(), f"/api/v1/ideas/{idea_id}/attachments/{attachment_id}", headers),
                 (signed_in(app, ORGANISER), f"/ideas/{idea_id}/attachments/{attachment_id}", {}),
                 (signed_in(app, JUROR), f"/reviews/{idea_id}/attachments/{attachment_id}", {})]
    for client, path, extra in downloads:
        response = client.get(path, headers=extra)
        assert response.status_code == 200, (path, response.status_code)
        assert response.headers["Content-Disposition"].startswith("attachment"), path
        assert response.headers["Content-Security-Policy"] == DOWNLOAD_POLICY, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-"), path


# --- ORDER BY and filter injection ----------------------------------------------------------------

INJECTIONS = ("title;DROP TABLE users--", "(select 1)", "desc,1", "-1 OR 1=1", "99999999999999999999999",
              "' --%_[]\u00e9\u0301" + "x" * 3000)
MARKERS = ("DROP", "(select 1)", "desc,1", "OR 1=1", "' --", "99999999999999999999999")


def list_urls(cid: int, pid: int) -> list[tuple[str | None, str, tuple[str, ...]]]:
    """Every list that sorts or filters: (who, path, the query parameters it reads)."""
    # The views of the catalogue read their filters through one function: each is tried somewhere.
    return [
        (None, "/portfolio", ("sort", "order", "stage", "theme", "q", "page")),
        (None, "/api/v1/portfolio", ("sort", "organisation", "funding", "location", "page", "per_page")),
        (None, "/portfolio/export.csv", ("sort", "stage", "theme")), (None, "/portfolio/export.json", ("sort", "q")),
        (None, "/portfolio/map", ("sort", "stage")), (None, "/portfolio/pipeline", ("sort", "theme")),
        (None, "/challenges", ("page", "sort", "order")), (None, "/api/v1/challenges", ("page", "per_page", "sort")),
        (None, f"/portfolio/{pid}/comments", ("page", "sort")), (None, f"/api/v1/portfolio/{pid}/comments", ("page",)),
        (ORGANISER, f"/challenges/{cid}/console", ("status", "track", "sort", "order")),
        (ORGANISER, f"/challenges/{cid}/console.csv", ("status", "track", "sort")),
        (ORGANISER, f"/challenges/{cid}/judging", ("round", "method")),
        (ORGANISER, f"/challenges/{cid}/judging/ranking.csv", ("round", "method")),
        (ORGANISER, f"/challenges/{cid}/audit", ("kind", "page")),
        (ORGANISER, f"/challenges/{cid}/audit.csv", ("kind",)),
        (ORGANISER, f"/api/v1/challenges/{cid}/audit", ("kind", "page", "per_page")),
        (ORGANISER, f"/api/v1/challenges/{cid}/ideas", ("status", "page", "per_page", "sort")),
        (ORGANISER, f"/api/v1/challenges/{cid}/ranking", ("round", "method")),
        (ORGANISER, f"/api/v1/challenges/{cid}/jurors", ("page", "per_page")),
        (ORGANISER, f"/api/v1/challenges/{cid}/assignments", ("page", "per_page")),
        (ORGANISER, f"/api/v1/challenges/{cid}/announcements/audience?audience=track", ("track_id",)),
        (ADMIN, "/admin/moderation", ("state", "page")), (ADMIN, "/api/v1/portfolio/moderation", ("state", "page")),
        (JUROR, "/reviews", ("sort", "order")), (JUROR, "/api/v1/me/assignments", ("page", "per_page")),
    ]


def test_sort_and_filter_parameters_never_reach_the_sql(app, db, frozen_clock):
    from app.portfolio.services import create_project

    world = judged()
    admin = make_user(ADMIN, name="Ada Admin", admin=True)
    project = create_project(admin, LOCAL[0])
    clients = {None: app.test_client()}
    clients.update({who: signed_in(app, who) for who in (ORGANISER, ADMIN, JUROR)})
    tokens = {who: api_headers(app, who) for who in (ORGANISER, ADMIN, JUROR)}
    sent = 0
    with sql_statements(db.engine) as statements:
        for who, path, parameters in list_urls(world.challenge.id, project.id):
            api = path.startswith("/api/")
            client, headers = (app.test_client(), tokens.get(who, {})) if api else (clients[who], {})
            path, _sep, fixed = path.partition("?")
            base = dict(part.split("=") for part in fixed.split("&") if part)
            baseline = client.get(path, query_string=base, headers=headers)
            assert baseline.status_code in (200, 422), (path, baseline.status_code)
            for parameter in parameters:
                for value in INJECTIONS:
                    response = client.get(path, query_string={**base, parameter: value}, headers=headers)
                    sent += 1
                    assert response.status_code < 500, (path, parameter, value, response.status_code)
                    assert response.status_code in ((200, 422) if api else (200, 404, 422)), (
                        path, parameter, value, response.status_code)
    reflected = [s for s in statements for marker in MARKERS if marker in s]
    assert reflected == [], reflected[:3]
    assert sent > 300
    # Still all there.
    assert db.session.execute(text("SELECT COUNT(*) FROM users")).scalar() >= 10
