"""Rich text of notes and letters: sanitised on save with nh3 (a maintained HTML
sanitiser), so that what is stored can be shown as HTML without running anything."""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "div", "span", "strong", "b", "em", "i", "u", "s", "del", "strike",
    "ul", "ol", "li", "blockquote", "pre", "code", "h1", "h2", "h3", "a", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def sanitize_html(html: str) -> str:
    """Only formatting survives: no scripts, styles, event handlers, frames, images or
    javascript: links; links open in a new tab without access to the opener."""
    if not html or not html.strip():
        return ""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return cleaned if plain_text(cleaned) else ""


def plain_text(html: str) -> str:
    """The words of a sanitised text (for previews, search and e-mails)."""
    import html as html_module

    return _SPACES.sub(" ", html_module.unescape(_TAGS.sub(" ", html or ""))).strip()
