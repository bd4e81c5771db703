"""The briefs in a real browser: headless Chromium opens every page offline.

Each page must open without console errors, failed requests or any request for something
outside the file; every image must load; the cover must show the package and data
versions. A full-page screenshot of each page is saved in the test's temporary folder.

Debian's ``chromium`` is driven through the ``playwright`` package with the system
executable (Playwright's own browser downloads are never used). Without Chromium the tests
are skipped, unless ``DANGJIAN_REQUIRE_BROWSER=1`` (set by CI), which makes them fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import dangjian_analysis
from dangjian_analysis.briefs.build import INDEX, LIMITS_HEADING, NOTEBOOK_GLOB, build_briefs

from conftest import ROOT

REQUIRE = os.environ.get("DANGJIAN_REQUIRE_BROWSER") == "1"
NOTEBOOKS = ROOT / "notebooks"
PAGES = [INDEX, *(f"{p.stem}.html" for p in sorted(NOTEBOOKS.glob(NOTEBOOK_GLOB)))]
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "PingFang SC",
    "Hiragino Sans GB",
    "Microsoft YaHei",
    "SimHei",
    "WenQuanYi Micro Hei",
)

pytestmark = pytest.mark.slow


def unavailable(reason: str) -> None:
    if REQUIRE:
        pytest.fail(f"{reason}; DANGJIAN_REQUIRE_BROWSER=1 requires the browser tests to run")
    pytest.skip(reason)


def find_chromium() -> str | None:
    explicit = os.environ.get("DANGJIAN_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium()
    if executable is None:
        unavailable("no Chromium found (Debian package 'chromium')")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def real_briefs(tmp_path_factory):
    out = tmp_path_factory.mktemp("real-briefs") / "briefs"
    return build_briefs(out, notebooks=NOTEBOOKS, progress=False)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


class Visit:
    """One page opened offline, with what went wrong while it loaded."""

    def __init__(self, browser, path: Path, screenshot: Path) -> None:
        self.context = browser.new_context(offline=True, viewport={"width": 1100, "height": 900})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.requests: list[str] = []
        page = self.page
        page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on(
            "requestfailed", lambda r: self.problems.append(f"failed request: {r.url} {r.failure}")
        )
        page.on(
            "request",
            lambda r: (
                self.requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None
            ),
        )
        page.goto(path.as_uri(), wait_until="load")
        self.images = page.evaluate(
            "() => Array.from(document.images, i => "
            "({src: i.src.slice(0, 30), complete: i.complete, width: i.naturalWidth}))"
        )
        page.screenshot(path=str(screenshot), full_page=True)

    def text(self, selector: str) -> str:
        return self.page.locator(selector).inner_text()

    def close(self) -> None:
        self.context.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_opens_offline_without_errors(browser, real_briefs, screenshots, name):
    shot = screenshots / f"{Path(name).stem}.png"
    visit = Visit(browser, real_briefs.out / name, shot)
    try:
        assert visit.problems == []
        assert visit.requests == []
        assert all(img["complete"] and img["width"] > 0 for img in visit.images), visit.images
        assert visit.page.locator('[data-field="package-version"]').is_visible()
        version = dangjian_analysis.__version__
        assert visit.text('[data-field="package-version"]') == f"dangjian-analysis {version}"
        data_version = real_briefs.build.data_version
        assert visit.text('[data-field="data-version"]') == f"data version {data_version}"
        assert visit.page.evaluate("document.documentElement.lang") == "en"
        if name != INDEX:
            heading = visit.page.get_by_role("heading", name=LIMITS_HEADING)
            assert heading.is_visible()
            assert visit.page.locator("#sources").is_visible()
        else:
            links = visit.page.locator(".brief-index-list a")
            assert links.count() == len(PAGES) - 1
        assert shot.stat().st_size > 0
    finally:
        visit.close()


def chinese_fonts_installed() -> bool:
    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return bool(out.stdout.strip())


def test_fixture_brief_image_loads_and_chinese_uses_a_cjk_font(
    browser, built_fixture_briefs, screenshots
):
    result, _, _ = built_fixture_briefs
    visit = Visit(browser, result.out / "01_alpha.html", screenshots / "fixture-01_alpha.png")
    try:
        assert visit.problems == []
        assert visit.requests == []
        assert visit.images == [
            {"src": "data:image/png;base64,iVBORw0K", "complete": True, "width": 24}
        ]
        if not chinese_fonts_installed():
            unavailable("no Chinese font installed (Debian package 'fonts-noto-cjk')")
        cdp = visit.context.new_cdp_session(visit.page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": ".src-title-zh"})
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
        families = [f["familyName"] for f in fonts]
        assert any(family in CJK_FAMILIES or "CJK" in family for family in families), families
    finally:
        visit.close()
