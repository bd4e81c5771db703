"""The briefs in a real browser: headless Chromium opens every page offline.

Each page must open without console errors, failed requests or any request for something
outside the file; every image must load; the cover must show the package and data
versions.

What a reader sees is checked too, on a laptop (1280 px) and a phone (390 px) screen: the
key findings on the first screen, one title, real tables, no text cut off on the right and
no sideways scrolling, no error output and no internal code outside the collapsed data
blocks. Every brief, in English and in Chinese, is printed to A4 and must fit on at most
four pages.

The briefs themselves are checked as a policy reader meets them: no chart taller than two
phone screens, no element wider than the phone's screen, a "Cite this" block naming the
data version on every brief, the index's answer on its first screen, every Chinese page
mostly in Chinese and linking to its English twin (and back), and the whole-data download
holding every figure of the package.

``DANGJIAN_BUILT_BRIEFS=DIR`` points the tests at briefs built beforehand (from the
bundled data) instead of building them, for quick iteration. ``DANGJIAN_SCREENSHOTS=DIR``
saves a screenshot of the first screen of every page each test opens, to look at.

The pages are opened in one browser tab per window size, reused from test to test
(:class:`Tabs`): opening a tab takes longer than loading a brief into it.

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
from typing import Any

import pytest

import dangjian_analysis
from dangjian_analysis.briefs.build import INDEX, LIMITS_HEADING, NOTEBOOK_GLOB
from dangjian_analysis.briefs.render import CODE

from conftest import ROOT

REQUIRE = os.environ.get("DANGJIAN_REQUIRE_BROWSER") == "1"
NOTEBOOKS = ROOT / "notebooks"
BRIEFS = [f"{p.stem}.html" for p in sorted(NOTEBOOKS.glob(NOTEBOOK_GLOB))]
ZH_BRIEFS = [f"zh/{b}" for b in BRIEFS]
ANNEXES = [f"annex/{b}" for b in BRIEFS]
FRONT = [INDEX, "glossary.html", f"zh/{INDEX}", "zh/glossary.html"]
PAGES = [*FRONT, *BRIEFS, *ZH_BRIEFS, *ANNEXES]
#: Printed A4 pages a brief may take.
MAX_PRINTED_PAGES = 4
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


class Built:
    """A folder of briefs built from the bundled data, and its data version."""

    def __init__(self, out: Path, data_version: str) -> None:
        self.out = out
        self.data_version = data_version


@pytest.fixture(scope="module")
def real_briefs(request):
    """The briefs of the repository's notebooks, built once per run (conftest.bundled_run).

    DANGJIAN_BUILT_BRIEFS=DIR opens an existing build instead, for quick runs.
    """
    prebuilt = os.environ.get("DANGJIAN_BUILT_BRIEFS")
    if prebuilt:
        import json

        marker = json.loads((Path(prebuilt) / ".dangjian-briefs.json").read_text("utf-8"))
        return Built(Path(prebuilt), marker["data_version"])
    result = request.getfixturevalue("bundled_run").result
    return Built(result.out, result.build.data_version)


class Tabs:
    """One browser tab per window size, reused by the tests of this module.

    Each test loads its page into the tab (``goto`` replaces the previous page) and finds
    it showing the screen, not print, media.
    """

    def __init__(self, browser) -> None:
        self.browser = browser
        self.open: dict[tuple[int, int], tuple[Any, Any]] = {}

    def context(self, width: int = 1280, height: int = 720):
        return self._tab(width, height)[0]

    def page(self, width: int = 1280, height: int = 720):
        page = self._tab(width, height)[1]
        page.emulate_media(media="screen")
        return page

    def _tab(self, width: int, height: int) -> tuple[Any, Any]:
        if (width, height) not in self.open:
            context = self.browser.new_context(
                offline=True, viewport={"width": width, "height": height}
            )
            self.open[(width, height)] = (context, context.new_page())
        return self.open[(width, height)]

    def close(self) -> None:
        for context, _ in self.open.values():
            context.close()
        self.open.clear()


@pytest.fixture(scope="module")
def tabs(browser):
    reused = Tabs(browser)
    yield reused
    reused.close()


def screenshot(page, name: str) -> None:
    """Save the first screen of ``page`` in DANGJIAN_SCREENSHOTS, when that is set."""
    folder = os.environ.get("DANGJIAN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name.replace('/', '-')}.png"))


class Visit:
    """One page opened offline, with what went wrong while it loaded."""

    WIDTH, HEIGHT = 1100, 900

    def __init__(self, tabs: Tabs, path: Path, name: str) -> None:
        self.context = tabs.context(self.WIDTH, self.HEIGHT)
        self.page = page = tabs.page(self.WIDTH, self.HEIGHT)
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.listeners = {
            "console": lambda m: (
                self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
            "pageerror": lambda e: self.problems.append(f"page error: {e}"),
            "requestfailed": lambda r: self.problems.append(
                f"failed request: {r.url} {r.failure}"
            ),
            "request": lambda r: (
                self.requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None
            ),
        }
        for event, listener in self.listeners.items():
            page.on(event, listener)
        page.goto(path.as_uri(), wait_until="load")
        self.images = page.evaluate(
            "() => Array.from(document.images, i => "
            "({src: i.src.slice(0, 30), complete: i.complete, width: i.naturalWidth}))"
        )
        screenshot(page, name)

    def text(self, selector: str) -> str:
        return self.page.locator(selector).inner_text()

    def close(self) -> None:
        for event, listener in self.listeners.items():
            self.page.remove_listener(event, listener)


@pytest.mark.parametrize("name", PAGES)
def test_page_opens_offline_without_errors(tabs, real_briefs, name):
    visit = Visit(tabs, real_briefs.out / name, name)
    try:
        assert visit.problems == []
        assert visit.requests == []
        assert all(img["complete"] and img["width"] > 0 for img in visit.images), visit.images
        if "glossary" not in name:
            version = dangjian_analysis.__version__
            assert visit.text('[data-field="package-version"]') == f"dangjian-analysis {version}"
            data_version = real_briefs.data_version
            assert f" {data_version} (" in visit.text('[data-field="data-version"]')
        # Built from the bundled data: no notice of another package on the first screen.
        assert visit.page.locator('[data-field="other-data"]').count() == 0
        lang = "zh-Hans" if name.startswith("zh/") else "en"
        assert visit.page.evaluate("document.documentElement.lang") == lang
        if name in BRIEFS or name in ANNEXES:
            heading = visit.page.get_by_role("heading", name=LIMITS_HEADING)
            assert heading.is_visible()
            assert visit.page.locator("#sources").is_visible()
        elif name == INDEX:
            links = visit.page.locator(".brief-index-list a")
            assert links.count() == len(BRIEFS)
    finally:
        visit.close()


def chinese_fonts_installed() -> bool:
    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return bool(out.stdout.strip())


def test_fixture_brief_image_loads_and_chinese_uses_a_cjk_font(tabs, built_fixture_briefs):
    result, _, _ = built_fixture_briefs
    visit = Visit(tabs, result.out / "01_alpha.html", "fixture-01_alpha.html")
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
@pytest.mark.parametrize("name", [INDEX, f"zh/{INDEX}", *BRIEFS, *ZH_BRIEFS, *ANNEXES])
def test_a_reader_sees_findings_tables_and_words(tabs, real_briefs, name, screen):
    width, height = SCREENS[screen]
    page = tabs.page(width, height)
    page.goto((real_briefs.out / name).as_uri(), wait_until="load")
    screenshot(page, f"first-screen-{Path(name).stem}-{screen}")
    seen = page.evaluate(READER_VIEW, CODE.pattern)
    assert seen["clipped"] == [], "text cut off on the right"
    assert seen["pageWidth"] <= seen["viewWidth"], "the page scrolls sideways"
    if name in ANNEXES:
        assert seen["tables"] >= 1, "no HTML table"
    assert seen["keyTop"] is not None, "no key findings"
    assert 0 <= seen["keyTop"] < seen["screenHeight"]
    assert seen["keyHeadlineBottom"] <= seen["screenHeight"], "headline below the first screen"
    assert seen["h1"] == 1
    assert seen["stderr"] == 0 and seen["errors"] == 0
    assert seen["codes"] == [], "internal codes in the visible text"


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


#: Printed page count of each brief, filled by the print test (shown with -s).
PRINTED: dict[str, int] = {}


@pytest.mark.parametrize("name", [*BRIEFS, *ZH_BRIEFS])
def test_every_brief_prints_to_at_most_four_a4_pages(tabs, real_briefs, tmp_path, name):
    page = tabs.page()
    page.goto((real_briefs.out / name).as_uri(), wait_until="load")
    page.emulate_media(media="print")
    rows = page.evaluate(
        "() => Array.from(document.querySelectorAll('tr'), "
        "r => getComputedStyle(r).breakInside)"
    )
    assert set(rows) <= {"avoid"}
    wide = page.evaluate(
        "() => Array.from(document.querySelectorAll('img, svg')).filter("
        "i => i.getBoundingClientRect().width > document.body.clientWidth + 1).length"
    )
    assert wide == 0, "a chart is wider than the page"
    pdf = page.pdf(format="A4", print_background=False)
    (tmp_path / "brief.pdf").write_bytes(pdf)
    PRINTED[name] = pdf_pages(pdf)
    print(f"{name}: {PRINTED[name]} printed A4 pages")
    assert 0 < PRINTED[name] <= MAX_PRINTED_PAGES


def test_an_annex_prints_to_a4_without_splitting_table_rows(tabs, real_briefs, tmp_path):
    page = tabs.page()
    page.goto((real_briefs.out / ANNEXES[0]).as_uri(), wait_until="load")
    page.emulate_media(media="print")
    rows = page.evaluate(
        "() => Array.from(document.querySelectorAll('tr'), "
        "r => getComputedStyle(r).breakInside)"
    )
    assert rows and set(rows) == {"avoid"}
    assert pdf_pages(page.pdf(format="A4", print_background=False)) > 0


PHONE_VIEW = """
() => {
  const width = window.innerWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || el.closest('details:not([open])')) continue;
    if (r.right > width + 1 && !scrolls(el)) {
      wide.push(`<${el.tagName.toLowerCase()} class="${el.className.baseVal ?? el.className}"> `
        + `${Math.round(r.right)} px`);
    }
  }
  const selector = '.brief-chart svg, .brief-chart img, .jp-RenderedSVG svg, .jp-RenderedImage img';
  const charts = Array.from(document.querySelectorAll(selector),
    c => Math.round(c.getBoundingClientRect().height));
  return {wide: wide.slice(0, 5), charts, screen: window.innerHeight,
          pageWidth: document.documentElement.scrollWidth};
}
"""


@pytest.mark.parametrize("name", [*BRIEFS, *ZH_BRIEFS, *ANNEXES, INDEX, f"zh/{INDEX}"])
def test_charts_and_elements_fit_a_phone(tabs, real_briefs, name):
    width, height = SCREENS["phone"]
    page = tabs.page(width, height)
    page.goto((real_briefs.out / name).as_uri(), wait_until="load")
    seen = page.evaluate(PHONE_VIEW)
    assert seen["wide"] == [], "elements wider than the screen"
    assert seen["pageWidth"] <= width
    assert all(h <= 2 * seen["screen"] for h in seen["charts"]), seen["charts"]
    if name in BRIEFS:  # the builder allows at most two cells tagged 'brief'
        assert len(seen["charts"]) <= 2


@pytest.mark.parametrize("name", [*BRIEFS, *ZH_BRIEFS])
def test_every_brief_says_how_to_cite_it(tabs, real_briefs, name):
    page = tabs.page()
    page.goto((real_briefs.out / name).as_uri(), wait_until="load")
    cite = page.locator("#cite")
    assert cite.count() == 1, "no #cite block"
    text = cite.inner_text()
    assert real_briefs.data_version in text
    assert dangjian_analysis.__version__ in text
    assert re.search(r"\d{4}-\d{2}-\d{2}", text), "no date"
    assert name in text, "no address"
    assert page.locator("#licence").is_visible()
    annex = page.locator(f'a[href$="annex/{Path(name).name}"]')
    assert annex.count() >= 1, "no link to the annex"


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("name", [INDEX, f"zh/{INDEX}"])
def test_the_index_answers_on_its_first_screen(tabs, real_briefs, name, screen):
    width, height = SCREENS[screen]
    page = tabs.page(width, height)
    page.goto((real_briefs.out / name).as_uri(), wait_until="load")
    box = page.locator("#answer").bounding_box()
    assert box is not None, "no #answer"
    assert 0 <= box["y"] and box["y"] + box["height"] <= height, box
    title = page.locator("h1").inner_text()
    assert "dangjian" not in title.lower(), "the title is the package name"


HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]+")


def chinese_share(text: str) -> float:
    """Han characters against Han characters plus Latin words (a word reads like a character)."""
    han, words = len(HAN.findall(text)), len(LATIN_WORD.findall(text))
    return han / (han + words) if han + words else 0.0


@pytest.mark.parametrize(
    "name", [f"zh/{INDEX}", "zh/glossary.html", *ZH_BRIEFS, INDEX, "glossary.html", *BRIEFS]
)
def test_every_page_links_its_twin_and_chinese_pages_read_as_chinese(tabs, real_briefs, name):
    page = tabs.page()
    page.goto((real_briefs.out / name).as_uri(), wait_until="load")
    twin = page.locator("a.twin-link")
    assert twin.count() == 1, "no link to the page in the other language"
    href = twin.get_attribute("href")
    target = (real_briefs.out / name).parent / href
    expected = name[3:] if name.startswith("zh/") else f"zh/{name}"
    assert target.resolve() == (real_briefs.out / expected).resolve()
    if name.startswith("zh/"):
        share = chinese_share(page.locator("body").inner_text())
        assert share > 0.6, f"visible text only {share:.0%} Chinese"


def test_the_whole_data_download_holds_every_figure(browser, real_briefs):
    import csv
    import io
    import zipfile

    from dangjian_analysis import load_figures

    context = browser.new_context(offline=True, accept_downloads=True)
    try:
        page = context.new_page()
        page.goto((real_briefs.out / INDEX).as_uri(), wait_until="load")
        link = page.locator("#download a")
        href = link.get_attribute("href")
        assert link.is_visible() and href.endswith(".zip")
    finally:
        context.close()
    with zipfile.ZipFile(real_briefs.out / href) as archive:
        names = archive.namelist()
        (figures_csv,) = [n for n in names if n.endswith("/figures.csv")]
        rows = list(csv.DictReader(io.StringIO(archive.read(figures_csv).decode("utf-8-sig"))))
        assert any(n.endswith("/data-dictionary.csv") for n in names)
        assert any(n.endswith("/datapackage.json") for n in names)
        for table in ("sources", "regions", "indicators", "scopes"):
            assert any(n.endswith(f"/{table}.csv") for n in names), table
    expected = set(load_figures()["figure_id"])
    assert {r["figure_id"] for r in rows} == expected
