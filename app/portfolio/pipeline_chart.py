"""The pipeline chart, drawn on the server as SVG: a grid of stages (columns) by theme (rows), each
cell a bar as long as its count with the number beside it. The page shows the same numbers in a
table, so the chart is a picture of the table, never the only way to read it."""
from __future__ import annotations

from markupsafe import Markup, escape
from flask_babel import gettext as _, ngettext

from app.portfolio.labels import NO_THEME, stage_fill, stage_label
from app.portfolio.queries import Pipeline

LABEL_WIDTH = 210
COLUMN_WIDTH = 100
BAR_WIDTH = 64
ROW_HEIGHT = 34
HEADER_HEIGHT = 44
MAX_THEMES = 12
MAX_LABEL_CHARS = 28


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[:MAX_LABEL_CHARS - 1].rstrip() + "…"


def theme_name(theme: str | None) -> str:
    return theme if theme is not None else str(NO_THEME)


def render(pipeline: Pipeline, chart_id: str = "pipeline-chart") -> Markup:
    """The SVG element; text is escaped, styling uses presentation attributes only (the CSP forbids
    inline styles)."""
    themes = pipeline.themes[:MAX_THEMES]
    rows: list[tuple[str, str, dict[str, int]]] = [(_("All projects"), "", pipeline.totals)]
    rows += [(theme_name(theme), theme_name(theme), counts) for theme, counts in themes]
    width = LABEL_WIDTH + COLUMN_WIDTH * len(pipeline.stages)
    height = HEADER_HEIGHT + ROW_HEIGHT * len(rows) + 8
    # The overall row and the theme rows have their own scales: totals would flatten the themes.
    total_max = max(pipeline.totals.values(), default=0) or 1
    theme_max = max((n for _t, counts in themes for n in counts.values()), default=0) or 1

    desc = _("Number of projects at each stage: %(counts)s.",
             counts="; ".join(f"{stage_label(s)} {pipeline.totals[s]}" for s in pipeline.stages))
    if len(pipeline.themes) > MAX_THEMES:
        desc += " " + ngettext("The chart shows the %(num)d most common themes; the table lists all of them.",
                               "The chart shows the %(num)d most common themes; the table lists all of them.",
                               MAX_THEMES)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart pipeline-chart" role="img" '
           f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="sans-serif" font-size="14">',
           f'<title id="{chart_id}-title">{escape(_("Projects by stage and theme"))}</title>',
           f'<desc id="{chart_id}-desc">{escape(desc)}</desc>']
    for index, stage in enumerate(pipeline.stages):
        x = LABEL_WIDTH + index * COLUMN_WIDTH
        out.append(f'<rect x="{x}" y="{HEADER_HEIGHT - 10}" width="{COLUMN_WIDTH - 8}" height="4" '
                   f'fill="{stage_fill(stage)}"/>')
        out.append(f'<text x="{x}" y="{HEADER_HEIGHT - 18}" font-weight="bold" fill="#0b0c0c">'
                   f'{escape(stage_label(stage))}</text>')
    for row, (label, full, counts) in enumerate(rows):
        y = HEADER_HEIGHT + row * ROW_HEIGHT
        scale = total_max if row == 0 else theme_max
        if row % 2 == 0:
            out.append(f'<rect x="0" y="{y}" width="{width}" height="{ROW_HEIGHT}" fill="#f3f2f1"/>')
        weight = ' font-weight="bold"' if row == 0 else ""
        title = f"<title>{escape(full)}</title>" if full and _short(full) != full else ""
        out.append(f'<text x="6" y="{y + 22}" fill="#0b0c0c"{weight}>{title}{escape(_short(label))}</text>')
        for index, stage in enumerate(pipeline.stages):
            x = LABEL_WIDTH + index * COLUMN_WIDTH
            count = counts.get(stage, 0)
            bar = round(BAR_WIDTH * count / scale) if count else 0
            if bar:
                out.append(f'<rect x="{x}" y="{y + 8}" width="{max(bar, 3)}" height="{ROW_HEIGHT - 16}" '
                           f'fill="{stage_fill(stage)}"/>')
            colour = "#0b0c0c" if count else "#505a5f"
            out.append(f'<text x="{x + max(bar, 3) + 4 if bar else x}" y="{y + 22}" fill="{colour}">{count}</text>')
    out.append("</svg>")
    return Markup("".join(out))  # nosec B704 - every text above is escaped
