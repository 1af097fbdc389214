"""Small charts drawn by the server as inline SVG (no script, no external library, no inline
style: the console's CSS colours them): grouped horizontal bars and a quarterly trend. Every bar
and point is a link to the matters behind it. Every value goes in through ``Markup.format``, which
escapes it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

LABEL_WIDTH = 170
CHART_WIDTH = 640
BAR_HEIGHT = 16
ROW_GAP = 12

_OPEN = Markup(
    '<svg class="chart {}" viewBox="0 0 {} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">'
)
_LINK = Markup('<a href="{}"><title>{}</title>{}</a>')
_TEXT = Markup('<text x="{}" y="{}" text-anchor="{}">{}</text>')
_RECT = Markup('<rect class="bar {}" x="{}" y="{}" width="{}" height="{}"></rect>')
_LINE = Markup('<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"></line>')


@dataclass(frozen=True)
class BarRow:
    """One row of grouped bars: ``values`` drawn with ``classes`` (e.g. this quarter, last quarter)."""

    label: str
    values: tuple[int, ...]
    href: str
    title: str = ""


@dataclass(frozen=True)
class TrendPoint:
    """One quarter of the trend: a bar of ``total`` and a point of ``highlight`` on the line."""

    label: str
    total: int
    highlight: int
    href: str
    highlight_href: str


def _n(value: float) -> str:
    return f"{value:.1f}"


def grouped_bars(rows: Sequence[BarRow], *, classes: Sequence[str], label: str) -> Markup:
    """Horizontal bars, one group per row, the longest value full width."""
    if not rows:
        return Markup("")
    per_row = BAR_HEIGHT * len(classes) + ROW_GAP
    height = per_row * len(rows) + ROW_GAP
    top = max((v for r in rows for v in r.values), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 40
    parts = [_OPEN.format("bars", CHART_WIDTH, height, label)]
    for i, row in enumerate(rows):
        y = ROW_GAP + i * per_row
        middle = y + BAR_HEIGHT * len(classes) / 2 + 4
        parts.append(_TEXT.format(LABEL_WIDTH - 6, _n(middle), "end", row.label))
        for j, (value, css) in enumerate(zip(row.values, classes, strict=False)):
            width = max(room * value / top, 1 if value else 0)
            by = y + j * BAR_HEIGHT
            bar = _RECT.format(css, LABEL_WIDTH, by, _n(width), BAR_HEIGHT - 2) + _TEXT.format(
                _n(LABEL_WIDTH + width + 4), by + BAR_HEIGHT - 2, "start", value
            )
            parts.append(_LINK.format(row.href, row.title or f"{row.label}：{value}", bar))
    parts.append(_LINE.format(LABEL_WIDTH, 0, LABEL_WIDTH, height))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def trend_chart(points: Sequence[TrendPoint], *, label: str, total_name: str, highlight_name: str) -> Markup:
    """Bars of ``total`` per quarter with the line of ``highlight`` (e.g. 受理 and 确认不能办)."""
    if not points:
        return Markup("")
    height, bottom, left = 240, 200, 20
    step = (CHART_WIDTH - 2 * left) / len(points)
    top = max(max(p.total, p.highlight) for p in points) or 1
    scale = (bottom - 30) / top
    parts = [
        _OPEN.format("trend", CHART_WIDTH, height, label),
        _LINE.format(left, bottom, CHART_WIDTH - left, bottom),
    ]
    dots: list[tuple[float, float]] = []
    for i, point in enumerate(points):
        cx = left + step * (i + 0.5)
        bar_h = point.total * scale
        bar = _RECT.format("prev", _n(cx - step * 0.3), _n(bottom - bar_h), _n(step * 0.6), _n(bar_h))
        if point.total:
            bar += _TEXT.format(_n(cx), _n(bottom - bar_h - 4), "middle", point.total)
        parts.append(_LINK.format(point.href, f"{point.label} {total_name}：{point.total}", bar))
        parts.append(_TEXT.format(_n(cx), bottom + 26, "middle", point.label))
        dots.append((cx, bottom - point.highlight * scale))
    polyline = " ".join(f"{_n(x)},{_n(y)}" for x, y in dots)
    parts.append(Markup('<polyline class="line" points="{}"></polyline>').format(polyline))
    for point, (x, y) in zip(points, dots, strict=True):
        dot = Markup('<circle class="dot" cx="{}" cy="{}" r="5"></circle>').format(_n(x), _n(y))
        if point.highlight:
            dot += _TEXT.format(_n(x + 8), _n(y - 8), "start", point.highlight)
        parts.append(
            _LINK.format(point.highlight_href, f"{point.label} {highlight_name}：{point.highlight}", dot)
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
