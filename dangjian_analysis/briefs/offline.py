"""Find the resources an HTML page would load from outside itself.

A brief must open offline (sent by mail, put on an intranet, printed): everything it loads,
scripts, stylesheets, images, fonts, frames, has to be inside the file as a ``data:`` URI.
Links a reader may follow (``<a href>``, ``<area href>``) are not loaded and are fine.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["external_resources", "is_embedded"]

# Attributes that make a browser fetch something when the page loads, by tag (lower case).
_RESOURCE_ATTRS: dict[str, tuple[str, ...]] = {
    "audio": ("src",),
    "base": ("href",),
    "embed": ("src",),
    "feimage": ("href", "xlink:href"),
    "frame": ("src",),
    "iframe": ("src",),
    "image": ("href", "xlink:href"),
    "img": ("src", "srcset"),
    "input": ("src",),
    "link": ("href", "imagesrcset"),
    "object": ("data",),
    "script": ("src",),
    "source": ("src", "srcset"),
    "track": ("src",),
    "use": ("href", "xlink:href"),
    "video": ("src", "poster"),
}

_CSS_URL = re.compile(r"""url\(\s*(?P<q>['"]?)(?P<url>.*?)(?P=q)\s*\)""", re.IGNORECASE | re.DOTALL)
_CSS_IMPORT = re.compile(r"""@import\s+(?P<q>['"])(?P<url>.*?)(?P=q)""", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def is_embedded(url: str) -> bool:
    """Say whether loading ``url`` needs nothing outside the page.

    ``data:`` URIs and in-page references (``#id``, ``about:blank``) are embedded; web
    addresses, protocol-relative addresses (``//host/...``), ``file:`` URLs, relative
    paths and empty references are not.
    """
    text = url.strip()
    lowered = text.lower()
    return lowered.startswith(("data:", "about:blank")) or (text.startswith("#") and len(text) > 1)


def _srcset_urls(value: str) -> list[str]:
    """Return the URLs of a ``srcset`` value (each candidate is a URL and descriptors)."""
    urls: list[str] = []
    expect_url = True
    for token in value.split():
        if expect_url:
            url = token.rstrip(",")
            if url:
                urls.append(url)
            expect_url = token.endswith(",")
        elif token.endswith(","):
            expect_url = True
    return urls


def _css_urls(css: str) -> list[str]:
    """Return the URLs a stylesheet loads through ``url()`` and ``@import``."""
    css = _CSS_COMMENT.sub("", css)
    return [m.group("url") for m in _CSS_URL.finditer(css)] + [
        m.group("url") for m in _CSS_IMPORT.finditer(css)
    ]


class _ResourceFinder(HTMLParser):
    """Collect ``(where, url)`` for every resource reference that is not embedded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def _check(self, where: str, url: str) -> None:
        if not is_embedded(url):
            shown = url if len(url) <= 120 else url[:117] + "..."
            self.found.append(f"{where}: {shown!r}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        for name, value in attrs:
            name = name.lower()
            if value is None:
                continue
            if name in _RESOURCE_ATTRS.get(tag, ()):
                urls = _srcset_urls(value) if name.endswith("srcset") else [value]
                if not urls:
                    urls = [value]
                for url in urls:
                    self._check(f"<{tag} {name}>", url)
            elif name == "background":
                self._check(f"<{tag} background>", value)
            elif name == "style":
                for url in _css_urls(value):
                    self._check(f"<{tag} style>", url)
        if tag == "style":
            self._in_style = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() == "style":
            self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag.lower() == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            for url in _css_urls(data):
                self._check("<style>", url)


def external_resources(html: str) -> list[str]:
    """List what ``html`` would load from outside itself, one description per reference.

    Scripts, stylesheets, images, frames, media, ``srcset`` candidates, ``url()`` and
    ``@import`` in ``<style>`` elements and ``style`` attributes are checked; anything
    other than a ``data:`` URI or an in-page ``#fragment`` is reported, e.g.
    ``<script src>: 'https://cdn.example.org/require.js'``. Links to follow
    (``<a href>``) are not resources and are never reported. An empty list means the
    page is self-contained.
    """
    finder = _ResourceFinder()
    finder.feed(html)
    finder.close()
    return finder.found
