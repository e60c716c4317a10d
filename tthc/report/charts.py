"""Inline SVG charts for the report page: no scripts, no network."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Bar:
    name_vi: str
    name_en: str  # drawn below the Vietnamese name, in grey
    share: float | None  # how much of the bar is filled, 0–1 (None: empty)
    label: str  # the figure written after the bar


def bar_chart(bars: list[Bar], label_width: int = 420, bar_width: int = 360, aria_label: str = "bars") -> str:
    """Horizontal bars, one per row, labelled in Vietnamese with English below."""
    row_h = 34
    parts = [f'<svg role="img" aria-label="{escape(aria_label)}" width="{label_width + bar_width + 110}" '
             f'height="{row_h * len(bars) + 10}" xmlns="http://www.w3.org/2000/svg">']
    for i, bar in enumerate(bars):
        y = 5 + i * row_h
        filled = 0.0 if bar.share is None else max(0.0, min(1.0, bar.share)) * bar_width
        parts.append(f'<text x="0" y="{y + 13}" font-size="12">{escape(bar.name_vi)}</text>')
        parts.append(f'<text x="0" y="{y + 26}" font-size="10" fill="#5a6777">{escape(bar.name_en)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{bar_width}" height="16" fill="#eef1f5"/>')
        parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{filled:.1f}" height="16" fill="#2f6fb3"/>')
        parts.append(f'<text x="{label_width + bar_width + 6}" y="{y + 17}" font-size="12">{escape(bar.label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def sparkline(values: list[float | None], width: int = 160, height: int = 36, aria_label: str = "trend") -> str:
    """A small line over a series (oldest first), its last point marked; gaps where a value is missing."""
    known = [v for v in values if v is not None]
    parts = [f'<svg class="spark" role="img" aria-label="{escape(aria_label)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">']
    if known:
        low, high = min(known), max(known)
        step = (width - 8) / max(1, len(values) - 1)
        points = [(4 + i * step, height / 2 if high == low else height - 4 - (v - low) / (high - low) * (height - 8))
                  if v is not None else None for i, v in enumerate(values)]
        run: list[tuple[float, float]] = []
        for point in [*points, None]:
            if point is not None:
                run.append(point)
                continue
            if len(run) > 1:
                parts.append('<polyline fill="none" stroke="#2f6fb3" stroke-width="1.5" points="'
                             + " ".join(f"{x:.1f},{y:.1f}" for x, y in run) + '"/>')
            run = []
        x, y = next(p for p in reversed(points) if p is not None)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#2f6fb3"/>')
    parts.append("</svg>")
    return "".join(parts)
