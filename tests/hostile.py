"""A shared corpus of hostile text, and the checks that a page shows it harmlessly.

Any test that puts user-authored text through a page can loop over ``CORPUS`` and call
``assert_no_live_markup`` on every response and ``assert_shown_escaped`` where the text
should appear.
"""

from __future__ import annotations

from django.utils.html import escape

LONG = "长" * 10_000

CORPUS: dict[str, str] = {
    "script": "<script>alert(1)</script>",
    "attribute_breakout": '"><img src=x onerror=alert(1)>',
    "javascript_url": '<a href="javascript:alert(1)">x</a>',
    "svg_onload": "<svg onload=alert(1)>",
    # Short enough for every field, and carries a "/" (which must not break any URL).
    "short_tag": "<b>x</b>",
    "template_expression": "{{ 7*7 }}",
    "template_tag": "{% debug %}",
    "long": LONG,
    "right_to_left_override": "\u202e0831-\u202d楼",
    "zero_width_joiner": "👨\u200d👩\u200d👧 一家",
    "emoji": "🏠🎉",
    "nul_byte": "a\x00b",
    "sql": "'; DROP TABLE x; --",
}

# What a browser would run if the text reached the page unescaped.
LIVE_MARKUP = [
    "<script>alert",
    "<img src=x onerror",
    '<a href="javascript:',
    "<svg onload",
    "<b>x</b>",
]


def assert_no_live_markup(html: str) -> None:
    """None of the corpus's markup appears as markup (escaped text is fine)."""
    live = [m for m in LIVE_MARKUP if m in html]
    assert live == [], f"unescaped markup on the page: {live}"


def assert_shown_escaped(html: str, text: str) -> None:
    """``text`` appears on the page exactly as typed, HTML-escaped, and was not evaluated as a
    template (``{{ 7*7 }}`` stays literal rather than becoming 49)."""
    assert_no_live_markup(html)
    assert escape(text) in html, f"{text[:40]!r} is not shown (escaped) on the page"
