"""The feedback chart, drawn on the server as SVG: on one criterion's scale, a bar for the idea's
mean and one for the mean of all entries.

Like the judging charts, it uses SVG presentation attributes (the pages allow no inline styles),
is an image with a title and a description for screen readers, and the page repeats its numbers
in a table.
"""
from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup

from app.judging.charts import BLUE, GRID, MUTED, TEXT, text

WIDTH, LABEL_WIDTH, RIGHT, TOP, ROW, BAR = 480, 150, 60, 30, 34, 20


def number(value: float | None) -> str:
    """A mean as the reader's language writes it, two decimals; a dash when there is none."""
    return "—" if value is None else format_decimal(value, format="#,##0.00")


def _f(value: float) -> str:
    return f"{value:.1f}"


def criterion_chart(prefix: str, name: str, mean: float | None, average: float | None,
                    low: int, high: int) -> Markup:
    """The two bars start at the bottom of the scale so that a longer bar is always a better score."""
    span_high = high if high > low else low + 1
    span = WIDTH - LABEL_WIDTH - RIGHT

    def x(value: float) -> float:
        return LABEL_WIDTH + (min(max(value, low), span_high) - low) / (span_high - low) * span

    bottom = TOP + 2 * ROW
    body = []
    # At most ten ticks, so that a 0–100 scale stays readable.
    step = max(1, -(-(span_high - low) // 10))
    for tick in range(low, span_high + 1, step):
        body.append(f'<line x1="{_f(x(tick))}" y1="{TOP - 6}" x2="{_f(x(tick))}" y2="{bottom}" stroke="{GRID}" '
                    f'stroke-width="1"/>')
        body.append(f'<text x="{_f(x(tick))}" y="{TOP - 12}" text-anchor="middle" font-size="13" '
                    f'fill="{TEXT}">{tick}</text>')
    for n, (label, value, colour) in enumerate(((_("This idea"), mean, BLUE),
                                                (_("All entries"), average, MUTED))):
        y = TOP + ROW * n + (ROW - BAR) / 2
        body.append(f'<text x="{LABEL_WIDTH - 10}" y="{_f(y + BAR / 2 + 5)}" text-anchor="end" font-size="14" '
                    f'fill="{TEXT}">{text(label)}</text>')
        if value is None:
            missing = _("No complete review")
            body.append(f'<text x="{LABEL_WIDTH + 6}" y="{_f(y + BAR / 2 + 5)}" font-size="13" fill="{MUTED}">'
                        f'{text(missing)}</text>')
            continue
        end = x(value)
        body.append(f'<rect x="{LABEL_WIDTH}" y="{_f(y)}" width="{_f(max(end - LABEL_WIDTH, 2))}" height="{BAR}" '
                    f'fill="{colour}"/>')
        body.append(f'<text x="{_f(max(end, LABEL_WIDTH + 2) + 6)}" y="{_f(y + BAR / 2 + 5)}" font-size="14" '
                    f'font-weight="bold" fill="{TEXT}">{text(number(value))}</text>')
    title = _("%(criterion)s: this idea against all entries", criterion=name)
    desc = _("On the scale from %(low)s to %(high)s, this idea's mean score is %(mean)s and the mean of all "
             "entries is %(average)s. The table below gives the same numbers.",
             low=low, high=high, mean=number(mean), average=number(average))
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {bottom + 8}" '
            f'aria-labelledby="{prefix}-title {prefix}-desc" font-family="sans-serif">'
            f'<title id="{prefix}-title">{text(title)}</title><desc id="{prefix}-desc">{text(desc)}</desc>')
    return Markup(head + "".join(body) + "</svg>")  # nosec B704 - every text above is escaped by text()
