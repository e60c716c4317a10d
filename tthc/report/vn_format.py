"""Numbers and labels as a Vietnamese reader writes them, with English beside: "1.191.036",
"33,38 %", "7,96", "20/09/2021"."""

from __future__ import annotations

from html import escape


def vn_int(value: float | int | None) -> str:
    """1191036 → "1.191.036"."""
    return "—" if value is None else f"{round(value):,}".replace(",", ".")


def vn_percent(ratio: float | None, decimals: int = 2) -> str:
    """0.33376 → "33,38 %"."""
    return "—" if ratio is None else f"{ratio * 100:.{decimals}f}".replace(".", ",") + " %"


def vn_decimal(value: float | None, decimals: int = 2) -> str:
    """7.96 → "7,96"; 1234.5 → "1.234,50"."""
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def vn_date(value: object) -> str:
    """2021-09-20 → 20/09/2021 (a date, a timestamp or its text)."""
    text = str(value or "")
    return f"{text[8:10]}/{text[5:7]}/{text[:4]}" if len(text) >= 10 else text


def both(vi: str, en: str) -> str:
    """A Vietnamese label with its English after it, as HTML."""
    return f'{escape(vi)} <span class="en">/ {escape(en)}</span>'
