"""Curation rules about where a figure comes from and what kind of figure it is.

Two checks of a data package, each returning
problems (:class:`~dangjian_analysis.package.errors.Problem`) that name file, row and column:

- :func:`check_provenance_tag`: a source whose address is not on an outlet of the
  package's ``official_outlets`` (``analysis.json``) is a copy (a mirror, repost,
  aggregator or forum post), and its ``notes`` must begin with :data:`PROVENANCE_TAG` so
  that every reader of the source sees it. The list of outlets is data, not code: a
  researcher's package names its own.
- :func:`check_forecast_marking`: a figure the source prints as expected rather than
  counted (:data:`FORECAST_WORDS` in ``raw`` or ``locator``) must carry ``status``
  ``forecast`` (:data:`FORECAST`), and a figure marked ``forecast`` must say so in
  ``notes``, so that the analysis can leave forecasts out and a reader can see why.

Both join ``dangjian validate`` as named checks (``sources.provenance-tag``,
``figures.forecast-marked``; the module is listed in ``validation.CHECK_MODULES``).
:func:`is_official` and :func:`source_provenance` give the same answer to the
curation tools (``dangjian verify-sources`` counts figures by official and unofficial
source).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from dangjian_analysis.package.checks import CheckContext, named_check
from dangjian_analysis.package.errors import Problem
from dangjian_analysis.package.settings import load_settings_document, settings_path

if TYPE_CHECKING:
    from dangjian_analysis.package.tables import Table

__all__ = [
    "FORECAST",
    "FORECAST_WORDS",
    "PROVENANCE_TAG",
    "check_forecast_marking",
    "check_provenance_tag",
    "host_of",
    "is_official",
    "source_provenance",
]

#: The words that open the ``notes`` of a source that is a copy on an unofficial site.
PROVENANCE_TAG = "DOUBTFUL PROVENANCE"

#: The ``status`` of a figure the source gives as expected, not as a result.
FORECAST = "forecast"

#: Words that mark a printed figure as expected rather than counted (Simplified and
#: Traditional characters; English pages).
FORECAST_WORDS: tuple[str, ...] = ("预计", "預計", "预期", "預期", "预测", "預測", "expected")


def host_of(url: str) -> str:
    """Return the host of a web address in lower case, without a port ('' when there is none)."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def is_official(url: str, outlets: Iterable[str]) -> bool:
    """Whether ``url`` is on one of the ``outlets`` (a domain matches itself and its subdomains)."""
    host = host_of(url)
    return bool(host) and any(host == d or host.endswith("." + d) for d in outlets)


def source_provenance(url: str, outlets: Iterable[str]) -> str:
    """``'official'``, ``'unofficial'`` or ``'no address'`` for a source's ``url``."""
    if not url.strip():
        return "no address"
    return "official" if is_official(url, outlets) else "unofficial"


def check_provenance_tag(sources: Table, outlets: Mapping[str, str]) -> list[Problem]:
    """Every source with an address off the official outlets begins its notes with the tag.

    Sources without an address (article texts held in the package) are not web pages and
    are not checked. A package whose settings name no outlets is not checked either: with
    no list, nothing can be told apart.
    """
    if not outlets:
        return []
    problems: list[Problem] = []
    for number, row in enumerate(sources.rows, start=1):
        url = row.get("url", "")
        if source_provenance(url, outlets) != "unofficial":
            continue
        if not row.get("notes", "").startswith(PROVENANCE_TAG):
            problems.append(
                Problem(
                    sources.file,
                    number,
                    "notes",
                    f"notes beginning {PROVENANCE_TAG!r}: the address's host "
                    f"{host_of(url)!r} is not one of the official_outlets of the analysis "
                    "settings (a copy on an unofficial site), or the host added to them",
                    repr(row.get("notes", "")[:60]),
                    sources.key(row),
                )
            )
    return problems


def check_forecast_marking(figures: Table) -> list[Problem]:
    """Figures printed as expected are marked ``forecast``, and marked ones say so in notes.

    Packages whose ``figures.csv`` has no ``status`` column are not checked.
    """
    if "status" not in figures.header:
        return []
    problems: list[Problem] = []
    for number, row in enumerate(figures.rows, start=1):
        printed = f"{row.get('raw', '')} {row.get('locator', '')}"
        word = next((w for w in FORECAST_WORDS if w in printed.lower()), None)
        status = row.get("status", "")
        if word and status != FORECAST:
            problems.append(
                Problem(
                    figures.file,
                    number,
                    "status",
                    f"{FORECAST!r}: raw or locator prints {word!r}, a figure expected, "
                    "not counted",
                    repr(status) if status else "an empty cell",
                    figures.key(row),
                )
            )
        if status == FORECAST and not any(
            w in row.get("notes", "").lower() for w in (*FORECAST_WORDS, "forecast")
        ):
            problems.append(
                Problem(
                    figures.file,
                    number,
                    "notes",
                    "notes saying the figure is expected (a forecast), as its status says",
                    repr(row.get("notes", "")[:60]),
                    figures.key(row),
                )
            )
    return problems


@named_check(
    "sources.provenance-tag",
    f"a source whose address is on none of the official_outlets of analysis.json begins "
    f"its notes with {PROVENANCE_TAG!r}",
)
def _provenance_tag(ctx: CheckContext) -> list[Problem]:
    outlets: Mapping[str, str] = {}
    if settings_path(ctx.package) is not None:
        settings, _ = load_settings_document(ctx.package)
        outlets = settings.official_outlets
    return check_provenance_tag(ctx.tables["sources"], outlets)


@named_check(
    "figures.forecast-marked",
    "a figure printed as expected (预计, 预期, 预测, 'expected') has status 'forecast', "
    "and a forecast says so in its notes",
)
def _forecast_marked(ctx: CheckContext) -> list[Problem]:
    return check_forecast_marking(ctx.tables["figures"])
