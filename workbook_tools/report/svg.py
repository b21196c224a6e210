"""Small inline SVG charts for the HTML report (no scripts, no external assets)."""

from __future__ import annotations

import math
from html import escape

COLORS = ("#4472C4", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5", "#70AD47", "#264478", "#9E480E", "#636363")
BAR_COLORS = ("#4472C4", "#5B9BD5", "#70AD47", "#ED7D31", "#264478", "#9E480E")
FONT = "font-family='Microsoft YaHei, Noto Sans CJK SC, sans-serif'"


def _num(v: float) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _pct(v: float) -> str:
    return f"{100 * float(v):.1f}%"


def bar_chart(title: str, labels: list[str], values: list[float], *, width: int = 440, color: str = COLORS[0],
              percent: bool = False) -> str:
    """Horizontal bars, one per label, with the value (or the share, ``percent``) at the end of each bar."""
    show = _pct if percent else _num
    row = 22
    left = 110
    top = 30
    height = top + row * max(len(labels), 1) + 10
    vmax = max([float(v) for v in values] + [1.0])
    span = width - left - 50
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img' "
             f"aria-label='{escape(title)}' {FONT} font-size='12'>",
             f"<text x='{width / 2}' y='18' text-anchor='middle' font-weight='bold' font-size='13'>{escape(title)}</text>"]
    for i, (lab, v) in enumerate(zip(labels, values)):
        y = top + i * row
        w = span * float(v) / vmax
        parts.append(f"<text x='{left - 6}' y='{y + 15}' text-anchor='end'>{escape(str(lab))}</text>")
        parts.append(f"<rect x='{left}' y='{y + 3}' width='{w:.1f}' height='{row - 7}' fill='{color}'/>")
        parts.append(f"<text x='{left + w + 4:.1f}' y='{y + 15}'>{show(v)}</text>")
    if not labels:
        parts.append(f"<text x='{width / 2}' y='{top + 15}' text-anchor='middle' fill='#7F7F7F'>—</text>")
    parts.append("</svg>")
    return "".join(parts)


def pie_chart(title: str, labels: list[str], values: list[float], *, size: int = 220) -> str:
    """A donut with a legend (label, count, share)."""
    total = float(sum(values))
    width = size + 200
    cx = cy = size / 2 + 10
    r_out, r_in = size / 2 - 10, size / 4
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{size + 30}' role='img' "
             f"aria-label='{escape(title)}' {FONT} font-size='12'>",
             f"<text x='{width / 2}' y='16' text-anchor='middle' font-weight='bold' font-size='13'>{escape(title)}</text>"]
    cy += 14
    angle = -math.pi / 2
    for i, v in enumerate(values):
        if total <= 0 or v <= 0:
            continue
        sweep = 2 * math.pi * float(v) / total
        if sweep >= 2 * math.pi - 1e-9:
            parts.append(f"<circle cx='{cx}' cy='{cy}' r='{(r_out + r_in) / 2}' fill='none' "
                         f"stroke='{COLORS[i % len(COLORS)]}' stroke-width='{r_out - r_in}'/>")
            break
        a2 = angle + sweep
        large = 1 if sweep > math.pi else 0
        p = [(cx + r_out * math.cos(angle), cy + r_out * math.sin(angle)),
             (cx + r_out * math.cos(a2), cy + r_out * math.sin(a2)),
             (cx + r_in * math.cos(a2), cy + r_in * math.sin(a2)),
             (cx + r_in * math.cos(angle), cy + r_in * math.sin(angle))]
        parts.append(f"<path d='M{p[0][0]:.1f},{p[0][1]:.1f} A{r_out},{r_out} 0 {large} 1 {p[1][0]:.1f},{p[1][1]:.1f} "
                     f"L{p[2][0]:.1f},{p[2][1]:.1f} A{r_in},{r_in} 0 {large} 0 {p[3][0]:.1f},{p[3][1]:.1f} Z' "
                     f"fill='{COLORS[i % len(COLORS)]}'/>")
        angle = a2
    for i, (lab, v) in enumerate(zip(labels, values)):
        y = 40 + i * 22
        share = f"{100 * float(v) / total:.0f}%" if total else "—"
        parts.append(f"<rect x='{size + 20}' y='{y}' width='12' height='12' fill='{COLORS[i % len(COLORS)]}'/>")
        parts.append(f"<text x='{size + 38}' y='{y + 11}'>{escape(str(lab))} {_num(v)}（{share}）</text>")
    parts.append("</svg>")
    return "".join(parts)


def _nice(vmax: float) -> float:
    """A round axis maximum at or above ``vmax`` whose quarters are round too (1, 2, 4, 6 or 8 times a
    power of ten)."""
    if vmax <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(vmax))
    return next(m * mag for m in (1, 2, 4, 6, 8, 10) if m * mag >= vmax)


def line_chart(title: str, labels: list[str], series: list[tuple[str, list[float], bool]], *, width: int = 440,
               height: int = 240) -> str:
    """Lines over periods with point values, a legend and value axes: series flagged True are drawn
    against a second axis on the right (its own scale, ticks in the series' colour), so a small
    series beside a large one does not lie flat."""
    left, right, top, bottom = 44, 44, 30, 50
    n = max(len(labels), 1)
    step = (width - left - right) / max(n - 1, 1)
    ph = height - top - bottom
    scale = {side: _nice(max([float(v) for _, vals, sec in series if sec == side for v in vals] + [0.0]))
             for side in (False, True)}
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img' "
             f"aria-label='{escape(title)}' {FONT} font-size='11'>",
             f"<text x='{width / 2}' y='16' text-anchor='middle' font-weight='bold' font-size='13'>{escape(title)}</text>"]
    for t in range(5):  # gridlines with the left scale, and the right one when a series uses it
        y = top + ph * (1 - t / 4)
        parts.append(f"<line x1='{left}' y1='{y:.1f}' x2='{width - right}' y2='{y:.1f}' stroke='#E0E0E0'/>")
        parts.append(f"<text x='{left - 4}' y='{y + 4:.1f}' text-anchor='end' fill='#595959'>"
                     f"{_num(scale[False] * t / 4)}</text>")
        sec = [k for k, (_, _, s2) in enumerate(series) if s2]
        if sec:
            parts.append(f"<text x='{width - right + 4}' y='{y + 4:.1f}' fill='{COLORS[sec[0] % len(COLORS)]}'>"
                         f"{_num(scale[True] * t / 4)}</text>")
    for i, lab in enumerate(labels):
        parts.append(f"<text x='{left + i * step:.1f}' y='{top + ph + 16}' text-anchor='middle'>{escape(str(lab))}</text>")
    for k, (name, vals, secondary) in enumerate(series):
        color = COLORS[k % len(COLORS)]
        vmax = scale[secondary]

        def xy(i: int, v: float, vmax: float = vmax) -> tuple[float, float]:
            return left + i * step, top + ph * (1 - float(v) / vmax)

        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in enumerate(vals)))
        dash = " stroke-dasharray='5,3'" if secondary else ""
        parts.append(f"<polyline points='{pts}' fill='none' stroke='{color}' stroke-width='2'{dash}/>")
        for i, v in enumerate(vals):
            x, y = xy(i, v)
            parts.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3' fill='{color}'/>")
            dy = 14 if secondary else -6   # the right-axis series labels below its points, so they never collide
            anchor = "end" if i == len(vals) - 1 and len(vals) > 1 else "middle"   # clear of the right axis
            parts.append(f"<text x='{x:.1f}' y='{y + dy:.1f}' text-anchor='{anchor}' fill='{color}'>{_num(v)}</text>")
        lx = left + k * 150
        parts.append(f"<rect x='{lx}' y='{height - 18}' width='12' height='3' fill='{color}'/>")
        parts.append(f"<text x='{lx + 16}' y='{height - 13}'>{escape(name)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def chart(kind: str, title: str, labels: list[str], series: list[tuple[str, list[float], bool]], *,
          percent: bool = False, index: int = 0) -> str:
    """One chart of the review's declared charts, drawn by its kind."""
    if kind == "pie":
        return pie_chart(title, labels, series[0][1])
    if kind == "line":
        return line_chart(title, labels, series)
    return bar_chart(title, labels, series[0][1], percent=percent, color=BAR_COLORS[index % len(BAR_COLORS)])
