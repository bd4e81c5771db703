"""The briefs in a real browser: headless Chromium opens every page offline.

Each page must open without console errors, failed requests or any request for something
outside the file; every image must load; the cover must show the package and data
versions. A full-page screenshot of each page is saved in the test's temporary folder.

What a reader sees is checked too, on a laptop (1280 px) and a phone (390 px) screen: the
key findings on the first screen, one title, real tables, no text cut off on the right and
no sideways scrolling, no error output and no internal code outside the collapsed data
blocks. A screenshot of the first screen of each page at each width is saved. One brief is
printed to an A4 PDF, which must have pages and no table row split across two.

Debian's ``chromium`` is driven through the ``playwright`` package with the system
executable (Playwright's own browser downloads are never used). Without Chromium the tests
are skipped, unless ``DANGJIAN_REQUIRE_BROWSER=1`` (set by CI), which makes them fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import dangjian_analysis
from dangjian_analysis.briefs.build import INDEX, LIMITS_HEADING, NOTEBOOK_GLOB
from dangjian_analysis.briefs.render import CODE

from conftest import ROOT

REQUIRE = os.environ.get("DANGJIAN_REQUIRE_BROWSER") == "1"
NOTEBOOKS = ROOT / "notebooks"
BRIEFS = [f"{p.stem}.html" for p in sorted(NOTEBOOKS.glob(NOTEBOOK_GLOB))]
PAGES = [INDEX, *BRIEFS]
#: Screens a reader opens the briefs on: a laptop and a phone.
SCREENS = {"laptop": (1280, 900), "phone": (390, 844)}
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


@pytest.fixture(scope="session")  # one browser per test process, whatever the order of tests
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
def real_briefs(bundled_run):
    """The briefs of the repository's notebooks, built once per run (conftest.bundled_run)."""
    return bundled_run.result


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


# --- what a reader sees, on a laptop and on a phone ---------------------------------------

READER_VIEW = """
(code) => {
  const visible = (el) => el.checkVisibility({visibilityProperty: true, opacityProperty: true});
  const hidden = (el) => el.closest('details:not([open]), details > :not(summary), style, script');
  const pres = Array.from(document.querySelectorAll('pre')).filter(p => visible(p) && !hidden(p));
  const clipped = pres.filter(p => p.scrollWidth > p.clientWidth + 1)
    .map(p => p.textContent.trim().slice(0, 60) + ` (${p.scrollWidth} > ${p.clientWidth})`);
  const tables = Array.from(document.querySelectorAll('table'))
    .filter(t => visible(t) && !t.closest('details'));
  const key = document.querySelector('#key-findings, #bottom-line');
  const box = key ? key.getBoundingClientRect() : null;
  const pattern = new RegExp(code);
  const codes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || el.closest('details, style, script, a.url-shown') || !visible(el)) continue;
    const m = node.textContent.match(pattern);
    const where = el.tagName.toLowerCase();
    if (m) codes.push(`${m[0]} in <${where}>: ${node.textContent.trim().slice(0, 80)}`);
  }
  return {
    clipped,
    pageWidth: document.documentElement.scrollWidth,
    viewWidth: document.documentElement.clientWidth,
    tables: tables.length,
    keyTop: box ? box.top : null,
    keyHeadlineBottom: key
      ? key.querySelector('.key-findings-headline').getBoundingClientRect().bottom
      : null,
    screenHeight: window.innerHeight,
    h1: document.querySelectorAll('h1').length,
    stderr: document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]').length,
    errors: document.querySelectorAll(
      '[data-mime-type*="error"], [data-mime-type*="traceback"]').length,
    codes,
  };
}
"""


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("name", PAGES)
def test_a_reader_sees_findings_tables_and_words(browser, real_briefs, screenshots, name, screen):
    width, height = SCREENS[screen]
    context = browser.new_context(offline=True, viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto((real_briefs.out / name).as_uri(), wait_until="load")
        page.screenshot(path=str(screenshots / f"first-screen-{Path(name).stem}-{screen}.png"))
        seen = page.evaluate(READER_VIEW, CODE.pattern)
        assert seen["clipped"] == [], "text cut off on the right"
        assert seen["pageWidth"] <= seen["viewWidth"], "the page scrolls sideways"
        if name != INDEX:
            assert seen["tables"] >= 1, "no HTML table"
        assert seen["keyTop"] is not None, "no key findings"
        assert 0 <= seen["keyTop"] < seen["screenHeight"]
        assert seen["keyHeadlineBottom"] <= seen["screenHeight"], "headline below the first screen"
        assert seen["h1"] == 1
        assert seen["stderr"] == 0 and seen["errors"] == 0
        assert seen["codes"] == [], "internal codes in the visible text"
    finally:
        context.close()


def test_a_brief_prints_to_a4_without_splitting_table_rows(browser, real_briefs, tmp_path):
    context = browser.new_context(offline=True)
    try:
        page = context.new_page()
        page.goto((real_briefs.out / BRIEFS[0]).as_uri(), wait_until="load")
        page.emulate_media(media="print")
        rows = page.evaluate(
            "() => Array.from(document.querySelectorAll('tr'), "
            "r => getComputedStyle(r).breakInside)"
        )
        assert rows and set(rows) == {"avoid"}
        wide = page.evaluate(
            "() => Array.from(document.images).filter("
            "i => i.getBoundingClientRect().width > document.body.clientWidth + 1).length"
        )
        assert wide == 0, "a chart is wider than the page"
        pdf = page.pdf(format="A4", print_background=False)
        (tmp_path / "brief.pdf").write_bytes(pdf)
        pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
        assert pages > 0
    finally:
        context.close()
