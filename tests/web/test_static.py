"""The console's static files: one rule per CSS selector, and every file linked from the pages."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CSS_DIR = ROOT / "static" / "quarry" / "css"
JS_DIR = ROOT / "static" / "quarry" / "js"
STYLESHEETS = ROOT / "templates" / "web" / "partials" / "stylesheets.html"
SCRIPTS = ROOT / "templates" / "web" / "partials" / "scripts.html"


def _split_top_level(text: str, separator: str) -> list[str]:
    """Return text split at separator, except inside brackets (`:has(a, b)`, `[x=","]`)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _normalize(selector: str) -> str:
    """Return a selector spelled one way: single spaces, one space around combinators."""
    selector = re.sub(r"\s*([>+~])\s*", r" \1 ", selector)
    return " ".join(selector.split())


def style_rules(css: str, media: str = "") -> list[tuple[str, list[str]]]:
    """Return (media context, selectors) for every style rule, nested @media rules included.

    The media context is the chain of @media conditions around a rule ("" at the top level);
    @keyframes blocks hold keyframe selectors, not style rules, and are skipped.
    """
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    rules = []
    position = 0
    while (brace := css.find("{", position)) != -1:
        prelude = " ".join(css[position:brace].split())
        depth, end = 1, brace + 1
        while depth:
            depth += {"{": 1, "}": -1}.get(css[end], 0)
            end += 1
        body = css[brace + 1 : end - 1]
        if prelude.startswith("@media"):
            rules += style_rules(body, f"{media} {prelude}".strip())
        elif not prelude.startswith("@"):
            rules.append((media, [_normalize(s) for s in _split_top_level(prelude, ",")]))
        position = end
    return rules


def repeated_selectors(sheets: dict[str, str]) -> dict[tuple[str, str], list[str]]:
    """Return each selector that more than one rule defines in one media context, with where."""
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name, css in sheets.items():
        for media, selectors in style_rules(css):
            for selector in selectors:
                seen[(media, selector)].append(name)
    return {key: where for key, where in seen.items() if len(where) > 1}


def test_it_defines_every_selector_in_one_rule() -> None:
    sheets = {path.name: path.read_text() for path in sorted(CSS_DIR.glob("*.css"))}
    assert sheets
    assert repeated_selectors(sheets) == {}


def test_it_finds_a_selector_that_two_rules_define() -> None:
    sheets = {
        "a.css": ".x, .y > .z { color: red; }\n@media (max-width: 9px) { .x { color: blue; } }",
        "b.css": "/* .x { } */ .y>.z { margin: 0; }\n@keyframes spin { to { opacity: 0; } }",
        "c.css": ".w:has(.x, .q) { margin: 0; }\n@keyframes fade { to { opacity: 1; } }",
    }
    assert repeated_selectors(sheets) == {("", ".y > .z"): ["a.css", "b.css"]}


def test_it_links_every_stylesheet() -> None:
    linked = re.findall(r"quarry/css/([\w-]+\.css)", STYLESHEETS.read_text())
    assert sorted(linked) == sorted(path.name for path in CSS_DIR.glob("*.css"))
    assert len(linked) == len(set(linked))


def test_it_preloads_every_module() -> None:
    preloaded = re.findall(
        r'rel="modulepreload" href="[^"]*quarry/js/([\w-]+\.js)', SCRIPTS.read_text()
    )
    assert sorted(preloaded) == sorted(path.name for path in JS_DIR.glob("*.js"))
    assert len(preloaded) == len(set(preloaded))
