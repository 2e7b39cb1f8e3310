"""Inline SVG icons: 24×24 outlines drawn with currentColor, so CSS sets their colour."""

from __future__ import annotations

from functools import lru_cache

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# Each entry is the inner markup of a 24×24 stroked SVG.
PATHS: dict[str, str] = {
    "project": '<path d="M12 2 3 7v10l9 5 9-5V7z"/><path d="m3 7 9 5 9-5M12 12v10"/>',
    "dataset": (
        '<ellipse cx="12" cy="5" rx="8" ry="3"/><path d="M4 5v14c0 1.7 3.6 3 8 3s8-1.3 8-3V5"/>'
        '<path d="M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3"/>'
    ),
    "table": (
        '<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M3 10h18M3 15h18M9 10v10"/>'
    ),
    # A view: a table seen through a lens (its query), as BigQuery's explorer marks views.
    "view": (
        '<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M3 10h18"/>'
        '<circle cx="12" cy="15" r="2.2"/><path d="M6.5 15c1.5-2.4 3.3-3.4 5.5-3.4s4 1 5.5 3.4'
        'c-1.5 2.4-3.3 3.4-5.5 3.4s-4-1-5.5-3.4z"/>'
    ),
    "model": (
        '<circle cx="5" cy="6" r="2"/><circle cx="5" cy="18" r="2"/><circle cx="19" cy="12" r="2"/>'
        '<circle cx="12" cy="12" r="2"/><path d="M7 7l3.5 3.5M7 17l3.5-3.5M14 12h3"/>'
    ),
    "routine": '<path d="M14 4h-1.5A2.5 2.5 0 0 0 10 6.5V20M6.5 10H13M15 13l5 6M20 13l-5 6"/>',
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "trash": '<path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3"/>',
    "play": '<path d="M7 4.5v15l12-7.5z" fill="currentColor"/>',
    "query": '<path d="m8 8-4 4 4 4M16 8l4 4-4 4M13.5 5l-3 14"/>',
    "history": '<path d="M3 12a9 9 0 1 0 3-6.7L3 8"/><path d="M3 3v5h5M12 7v5l3 3"/>',
    "upload": '<path d="M12 16V4M7 9l5-5 5 5M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3"/>',
    "chevron": '<path d="m9 6 6 6-6 6"/>',
    "error": '<circle cx="12" cy="12" r="9"/><path d="M12 7.5v5.5M12 16.5v.01"/>',
    "success": '<circle cx="12" cy="12" r="9"/><path d="m8 12.5 2.7 2.7L16.5 9.5"/>',
    "running": '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>',
    "info": '<circle cx="12" cy="12" r="9"/><path d="M12 11v5.5M12 7.5v.01"/>',
    "home": '<path d="m3 11 9-7 9 7M5 9.5V20h5v-6h4v6h5V9.5"/>',
    "close": '<path d="M6 6l12 12M18 6 6 18"/>',
    "more": (
        '<circle cx="12" cy="5.5" r="1.6" fill="currentColor" stroke="none"/>'
        '<circle cx="12" cy="12" r="1.6" fill="currentColor" stroke="none"/>'
        '<circle cx="12" cy="18.5" r="1.6" fill="currentColor" stroke="none"/>'
    ),
    "edit": '<path d="M4 20h4L19 9l-4-4L4 16zM13.5 6.5l4 4"/>',
    "stop": '<rect x="6.5" y="6.5" width="11" height="11" rx="1.5" fill="currentColor"/>',
    "open": (
        '<path d="M14 4h6v6M20 4l-9 9"/>'
        '<path d="M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5"/>'
    ),
    "caret": '<path d="m7 10 5 5 5-5"/>',
    "check": '<path d="m5 12.5 4.5 4.5L19 7.5"/>',
    "search": '<circle cx="11" cy="11" r="6.5"/><path d="m16 16 4.5 4.5"/>',
}


@lru_cache(maxsize=256)
def icon(name: str, label: str = "") -> SafeString:
    """Return the named icon as inline SVG; decorative unless a label is given."""
    paths = mark_safe(PATHS[name])  # safe: constant markup defined above
    if label:
        return format_html(
            '<svg class="icon icon-{}" viewBox="0 0 24 24" role="img" aria-label="{}">{}</svg>',
            name,
            label,
            paths,
        )
    return format_html(
        '<svg class="icon icon-{}" viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
        "{}</svg>",
        name,
        paths,
    )
