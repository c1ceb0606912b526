"""Charts as inline SVG strings: horizontal bars, stacked bars and lines.

Pure functions from numbers and labels to markup, so the report needs no script
and no network. Every label is escaped here: archive values are untrusted text.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from tonecheck.schema import CORE_CATEGORIES

CORE_COLORS = {
    "denigrating": "#c2185b",
    "isolating": "#6a4c93",
    "liability": "#d68a00",
    "inflammatory": "#00798c",
}
OTHER_COLORS = ("#4f6d7a", "#8d6e63", "#558b2f", "#5c6bc0", "#9e9d24", "#78909c")
TOTAL_COLOR = "#222222"
WIDTH = 760
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12"'


def category_color(category: str, known: Sequence[str] = ()) -> str:
    if category in CORE_COLORS:
        return CORE_COLORS[category]
    others = sorted(c for c in known if c not in CORE_COLORS) or [category]
    index = others.index(category) if category in others else sum(map(ord, category))
    return OTHER_COLORS[index % len(OTHER_COLORS)]


def ordered_categories(categories: Sequence[str]) -> list[str]:
    """The four core categories first (always), then any others by name."""
    return list(CORE_CATEGORIES) + sorted(c for c in set(categories) if c not in CORE_CATEGORIES)


def _fmt(value: float) -> str:
    if value >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _text(x: float, y: float, label: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(label)}</text>'


def _svg(chart_id: str, title: str, height: float, body: list[str]) -> str:
    return (
        f'<svg class="chart" id="chart-{escape(chart_id)}" data-chart="{escape(chart_id)}" '
        f'xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-label="{escape(title)}" {FONT}>'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _clip(label: str, n: int = 30) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def hbar(chart_id: str, title: str, items: Sequence[tuple[str, float, str, str]], *, label_width: int = 230) -> str:
    """One bar per item: (label, value, color, note shown after the bar)."""
    row, top = 24, 8
    height = top + row * max(1, len(items)) + 8
    peak = max((v for _, v, _, _ in items), default=0) or 1
    span = WIDTH - label_width - 170
    body: list[str] = []
    for i, (label, value, color, note) in enumerate(items):
        y = top + i * row
        w = max(0.0, span * value / peak)
        body.append(_text(label_width - 8, y + 15, _clip(label, 36), "end"))
        body.append(
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{color}">'
            f"<title>{escape(label)}: {escape(note)}</title></rect>"
        )
        body.append(_text(label_width + w + 6, y + 15, note, extra=' fill="#333"'))
    if not items:
        body.append(_text(label_width, top + 15, "no findings", extra=' fill="#666"'))
    return _svg(chart_id, title, height, body)


def stacked_hbar(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, Sequence[tuple[str, float]], str]],
    colors: dict[str, str],
    *,
    label_width: int = 220,
) -> str:
    """One stacked bar per row: (label, [(category, value)...], note); a legend on top."""
    row, top = 24, 30
    height = top + row * max(1, len(rows)) + 8
    peak = max((sum(v for _, v in segs) for _, segs, _ in rows), default=0) or 1
    span = WIDTH - label_width - 190
    body = _legend(colors, 4)
    for i, (label, segments, note) in enumerate(rows):
        y = top + i * row
        x = float(label_width)
        body.append(_text(label_width - 8, y + 15, _clip(label, 32), "end"))
        for category, value in segments:
            if value <= 0:
                continue
            w = span * value / peak
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{colors[category]}">'
                f"<title>{escape(label)}: {escape(category)} {_fmt(value)} per 1,000 replies</title></rect>"
            )
            x += w
        body.append(_text(x + 6, y + 15, note, extra=' fill="#333"'))
    if not rows:
        body.append(_text(label_width, top + 15, "no replies", extra=' fill="#666"'))
    return _svg(chart_id, title, height, body)


def _legend(colors: dict[str, str], y: float) -> list[str]:
    body, x = [], 8.0
    for name, color in colors.items():
        body.append(f'<rect class="legend" x="{x:.1f}" y="{y + 2}" width="12" height="12" fill="{color}"/>')
        body.append(_text(x + 16, y + 12, name))
        x += 24 + 7 * len(name)
    return body


def line_chart(
    chart_id: str,
    title: str,
    periods: Sequence[str],
    series: dict[str, Sequence[float]],
    colors: dict[str, str],
    volumes: Sequence[int] = (),
) -> str:
    """Lines over time (one per series), reply volume as faint bars behind them."""
    left, right, top, bottom = 56, 16, 48, 46
    height = 300
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    peak = max((v for values in series.values() for v in values), default=0) or 1
    n = len(periods)
    step = plot_w / max(1, n)

    def x_at(i: int) -> float:
        return left + step * (i + 0.5)

    def y_at(v: float) -> float:
        return top + plot_h - plot_h * v / peak

    body = _legend(colors, 4)
    for k in range(5):  # gridlines and y labels
        v = peak * k / 4
        y = y_at(v)
        body.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        body.append(_text(left - 6, y + 4, _fmt(v), "end", ' fill="#555"'))
    vol_peak = max(volumes, default=0) or 1
    for i, volume in enumerate(volumes):
        h = plot_h * 0.35 * volume / vol_peak
        body.append(
            f'<rect class="volume" x="{x_at(i) - step * 0.4:.1f}" y="{top + plot_h - h:.1f}" '
            f'width="{step * 0.8:.1f}" height="{h:.1f}" fill="#eef1f4"><title>{escape(periods[i])}: '
            f"{volume:,} replies</title></rect>"
        )
    every = max(1, -(-n // 10))
    for i, period in enumerate(periods):
        if i % every == 0:
            body.append(_text(x_at(i), height - bottom + 16, period, "middle", ' fill="#555"'))
    body.append(_text(8, top - 10, "findings per 1,000 replies", extra=' fill="#555"'))
    for name, values in series.items():
        points = " ".join(f"{x_at(i):.1f},{y_at(v):.1f}" for i, v in enumerate(values))
        width = 2.5 if name == "all findings" else 1.6
        body.append(f'<polyline class="series" fill="none" stroke="{colors[name]}" stroke-width="{width}" points="{points}"/>')
        for i, v in enumerate(values):
            body.append(
                f'<circle cx="{x_at(i):.1f}" cy="{y_at(v):.1f}" r="2.5" fill="{colors[name]}">'
                f"<title>{escape(periods[i])} {escape(name)}: {_fmt(v)} per 1,000 replies</title></circle>"
            )
    if not periods:
        body.append(_text(left, top + 20, "no readable times", extra=' fill="#666"'))
    return _svg(chart_id, title, height, body)
