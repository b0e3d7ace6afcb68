"""The console's SVG charts: valid XML, described for screen readers, escaped, without styles."""
import xml.etree.ElementTree as ET

import pytest

from app.judging import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    return ET.fromstring(str(markup))


def juror_chart(label="Dorte Dommer"):
    return charts.juror_distributions([charts.JurorSeries(label, [2.0, 2.5, 3.0, 4.2], 2.925),
                                       charts.JurorSeries("Giulia", [4.0, 5.0], 4.5),
                                       charts.JurorSeries("No reviews", [], 0.0)], 1.0, 5.0)


def ranking_chart(label="Heart failure at home"):
    return charts.ranking_spread([charts.SpreadRow(1, label, 3.0, 5.0, 4.1, disagreement=True),
                                  charts.SpreadRow(2, "Falls", 2.0, 2.5, 2.2)], 1.0, 5.0, "the calibrated score")


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context("/"):
        yield


@pytest.mark.parametrize("draw", [juror_chart, ranking_chart])
def test_charts_are_valid_svg_images_with_a_title_and_a_description(draw):
    markup = draw()
    root = parse(markup)
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "style" not in markup and "<script" not in markup
    assert all("style" not in element.attrib for element in root.iter())


def test_the_juror_chart_draws_a_box_a_mean_and_every_review():
    root = parse(juror_chart())
    assert len(root.findall(SVG + "rect")) == 2  # no box for a juror without reviews
    assert len(root.findall(SVG + "polygon")) == 2  # the means
    assert len(root.findall(SVG + "circle")) == 6  # one dot per review
    labels = [t.text for t in root.findall(SVG + "text")]
    assert {"Dorte Dommer", "Giulia", "No reviews"} <= set(labels)
    assert {"1", "2", "3", "4", "5"} <= set(labels)  # the axis


def test_the_ranking_chart_marks_disagreement_with_a_dashed_red_line():
    root = parse(ranking_chart())
    dashed = [line for line in root.findall(SVG + "line") if line.get("stroke-dasharray")]
    assert dashed and all(line.get("stroke") == charts.RED for line in dashed)
    assert [t.text for t in root.findall(SVG + "text") if t.text.startswith(("1.", "2."))] == [
        "1. Heart failure at home", "2. Falls"]


@pytest.mark.parametrize("draw", [juror_chart, ranking_chart])
def test_names_and_titles_are_escaped(draw):
    hostile = '<script>alert("x")</script> & \x01 co'
    markup = draw(hostile)
    assert "<script>" not in markup
    root = parse(markup)  # still valid XML, control character and all
    texts = "".join(t.text or "" for t in root.iter(SVG + "text"))
    assert "<script>" in texts  # shown as text, not markup


def test_long_labels_are_shortened():
    assert charts.short("A" * 40) == "A" * 27 + "…"
    assert charts.short("  two   words ") == "two words"


def test_scores_outside_the_scale_stay_inside_the_chart():
    root = parse(charts.ranking_spread([charts.SpreadRow(1, "x", -3.0, 9.0, 12.0)], 1.0, 5.0, "the raw mean"))
    width = float(root.get("viewBox").split()[2])
    assert all(0 <= float(c.get("cx")) <= width for c in root.iter(SVG + "circle"))


def test_five_numbers():
    assert charts.five_numbers([1, 2, 3, 4, 5]) == (1, 2, 3, 4, 5)
    assert charts.five_numbers([3.0]) == (3.0, 3.0, 3.0, 3.0, 3.0)
    assert charts.quantile([1, 2], 0.5) == 1.5
