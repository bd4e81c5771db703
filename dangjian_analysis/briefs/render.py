"""What the builder does to an executed notebook before it becomes a brief.

* :func:`check_no_stderr` fails the build when a cell wrote to stderr: a warning or a
  traceback is noise for a reader, and a sign that something changed for a maintainer.
* :func:`lift_key_findings` takes the output of the cell tagged ``key-findings`` (the HTML
  section :func:`dangjian_analysis.key_findings` shows) out of the notebook, so that the
  brief can open with it.
* :func:`fold_coded_outputs` moves outputs whose text shows the data package's codes
  (``nonpublic_enterprises_above_scale``) into a collapsed "data" block: readers see
  words; the codes stay one click away.
* :func:`split_title` drops the notebook's own ``# `` title (the cover shows it) and turns
  any other top-level heading into a second-level one, so that a brief has one ``<h1>``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dangjian_analysis.report.findings import KEY_FINDINGS_TAG
from dangjian_analysis.report.reader import CODES_BLOCK_CLASS

if TYPE_CHECKING:
    import jinja2
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

__all__ = [
    "CODE",
    "FOLDED_SUMMARY",
    "KeyFindingsBox",
    "RenderError",
    "check_no_stderr",
    "describe_images",
    "drop_table_codes",
    "exporter",
    "fold_coded_outputs",
    "fragments",
    "has_key_findings_cell",
    "lift_key_findings",
    "markdown_inline",
    "split_title",
    "template_root",
]

#: An internal code: lower-case words joined by underscores (``park_enterprises``), not
#: part of a path, a file name or an address.
CODE = re.compile(r"(?<![\w./\\:#-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/\\-]|\.\w)")

#: Summary line of the block that holds an output folded for its codes.
FOLDED_SUMMARY = "Data as computed, with the data package's codes"

_H1 = re.compile(r"^(\s{0,3})#(\s+)(?P<text>.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_DETAILS = re.compile(r"<details\b.*?</details>", re.S | re.I)
_STYLE = re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")
_CODES_BLOCK = re.compile(
    r'<details class="' + re.escape(CODES_BLOCK_CLASS) + r'">.*?</details>', re.S
)
_HEADLINE = re.compile(r'<p class="key-findings-headline">(.*?)</p>', re.S)


class RenderError(ValueError):
    """A notebook's outputs cannot become a brief; the message names the cell."""


def _source(cell: dict[str, Any]) -> str:
    value = cell.get("source", "")
    return "".join(value) if isinstance(value, list) else str(value)


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _first_line(text: str, limit: int = 60) -> str:
    for line in text.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 3] + "..."
    return ""


def _tags(cell: dict[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _where(nb: NotebookNode, index: int, injected: int | None) -> str:
    """``cell N ('first line')`` with N the index in the notebook file."""
    original = index if injected is None or index < injected else index - 1
    return f"cell {original} ({_first_line(_source(nb.cells[index]))!r})"


# --- stderr --------------------------------------------------------------------------------


def check_no_stderr(nb: NotebookNode, name: str, injected: int | None = None) -> None:
    """Raise :class:`RenderError` when any cell of executed ``nb`` wrote to stderr.

    ``injected`` is the index of a cell the builder inserted (not counted in the cell
    numbers of the message).
    """
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                said = _first_line(_text(output.get("text", "")), 100) or "(empty)"
                raise RenderError(
                    f"{name}: {_where(nb, index, injected)} wrote to stderr: {said}"
                )


# --- key findings --------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFindingsBox:
    """The key findings of a brief: the HTML section and its headline as text."""

    html: str
    headline: str


def has_key_findings_cell(nb: NotebookNode) -> bool:
    """Say whether ``nb`` has a code cell tagged ``key-findings``."""
    return any(
        c.get("cell_type") == "code" and KEY_FINDINGS_TAG in _tags(c) for c in nb.cells
    )


def lift_key_findings(nb: NotebookNode, name: str, injected: int | None = None) -> KeyFindingsBox:
    """Remove the ``key-findings`` cell from executed ``nb`` and return what it showed.

    Raises:
        RenderError: no such cell, more than one, a cell that shows no key-findings
            section, or findings that show an internal code.

    """
    indexes = [
        i
        for i, c in enumerate(nb.cells)
        if c.get("cell_type") == "code" and KEY_FINDINGS_TAG in _tags(c)
    ]
    if not indexes:
        raise RenderError(
            f"{name}: no code cell tagged {KEY_FINDINGS_TAG!r}; every brief opens with the "
            "key findings its notebook computes (dj.key_findings(headline, points))"
        )
    if len(indexes) > 1:
        cells = ", ".join(_where(nb, i, injected) for i in indexes)
        raise RenderError(f"{name}: more than one cell tagged {KEY_FINDINGS_TAG!r}: {cells}")
    (index,) = indexes
    section = ""
    for output in nb.cells[index].get("outputs", []):
        candidate = _text(output.get("data", {}).get("text/html", ""))
        if 'id="key-findings"' in candidate:
            section = candidate
            break
    if not section:
        raise RenderError(
            f"{name}: {_where(nb, index, injected)} is tagged {KEY_FINDINGS_TAG!r} but shows "
            "no key findings: its result must be dj.key_findings(headline, points)"
        )
    shown = html.unescape(_TAGS.sub(" ", section))
    code = CODE.search(shown)
    if code:
        raise RenderError(
            f"{name}: the key findings of {_where(nb, index, injected)} show the internal "
            f"code {code.group(0)!r}; say it in words"
        )
    match = _HEADLINE.search(section)
    headline = html.unescape(match.group(1)).strip() if match else ""
    del nb.cells[index]
    return KeyFindingsBox(section, headline)


# --- codes out of sight --------------------------------------------------------------------


def visible_text(fragment: str) -> str:
    """Return the text of an HTML fragment a reader sees at once.

    ``<details>`` blocks, styles and scripts are left out.
    """
    text = _DETAILS.sub(" ", fragment)
    text = _STYLE.sub(" ", text)
    return html.unescape(_TAGS.sub(" ", text))


def _folded(inner_html: str) -> str:
    return (
        f'<details class="brief-data brief-folded"><summary>{html.escape(FOLDED_SUMMARY)}'
        f'</summary><div class="brief-folded-body">{inner_html}</div></details>'
    )


def drop_table_codes(nb: NotebookNode) -> int:
    """Leave out the collapsed block of codes and figure ids under each reader table.

    A reader table (:class:`~dangjian_analysis.report.reader.ReaderTable`) keeps its rows'
    codes in a ``<details>`` block for researchers in JupyterLab; a brief shows words only,
    and the codes stay in the data download. Returns the number of blocks left out.
    """
    dropped = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" not in data:
                continue
            text, count = _CODES_BLOCK.subn("", _text(data["text/html"]))
            if count:
                data["text/html"] = text
                dropped += count
    return dropped


def fold_coded_outputs(nb: NotebookNode) -> int:
    """Fold every output whose visible text shows an internal code into a data block.

    Plain text (streams, ``text/plain`` results) becomes an HTML ``<details>`` holding the
    text; HTML results are wrapped whole, unless their codes are already inside a
    ``<details>`` block (as in :class:`~dangjian_analysis.report.reader.ReaderTable`).
    The plain text is kept beside the HTML. Returns the number of outputs folded.
    """
    import nbformat

    folded = 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "stream" and output.get("name") == "stdout":
                text = _text(output.get("text", ""))
                if CODE.search(text):
                    block = _folded(f"<pre>{html.escape(text.rstrip())}</pre>")
                    output = nbformat.v4.new_output(
                        "display_data", data={"text/html": block, "text/plain": text}
                    )
                    folded += 1
            elif kind in ("execute_result", "display_data"):
                data = output.get("data", {})
                if "text/html" in data:
                    page = _text(data["text/html"])
                    if CODE.search(visible_text(page)):
                        data["text/html"] = _folded(page)
                        folded += 1
                elif "text/plain" in data and not any(k.startswith("image/") for k in data):
                    text = _text(data["text/plain"])
                    if CODE.search(text):
                        data["text/html"] = _folded(f"<pre>{html.escape(text.rstrip())}</pre>")
                        folded += 1
            outputs.append(output)
        cell["outputs"] = outputs
    return folded


# --- images --------------------------------------------------------------------------------


def describe_images(nb: NotebookNode) -> int:
    """Give every PNG output without alternative text one naming the section it is in.

    The text is ``Chart: <heading of the section>`` (``Chart`` before any heading) and goes
    to the output's ``metadata["image/png"]["alt"]``. Returns the number of images
    described.
    """
    heading = ""
    described = 0
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            for line in _source(cell).splitlines():
                match = re.match(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
                if match:
                    heading = match.group(1)
            continue
        for output in cell.get("outputs", []):
            if "image/png" not in output.get("data", {}):
                continue
            meta = output.setdefault("metadata", {}).setdefault("image/png", {})
            if not meta.get("alt"):
                meta["alt"] = f"Chart: {heading}" if heading else "Chart"
                described += 1
    return described


# --- headings ------------------------------------------------------------------------------


def split_title(nb: NotebookNode, title: str) -> str:
    """Drop the notebook's own title heading and demote any other ``# `` heading.

    The first Markdown cell's first line, when it is a ``# `` heading, is the notebook's
    title: the cover shows the brief's title instead. When that heading continues the
    title (``# 02 · Coverage across regions: definitions, ...`` for the title ``02 ·
    Coverage across regions``), the rest is returned as the subtitle. Every other ``# ``
    heading becomes ``## `` (outside code blocks), so the brief has a single ``<h1>``.
    """
    subtitle = ""
    first_markdown = True
    for cell in nb.cells:
        if cell.get("cell_type") != "markdown":
            continue
        lines = _source(cell).splitlines()
        if first_markdown:
            first_markdown = False
            start = next((i for i, ln in enumerate(lines) if ln.strip()), None)
            if start is not None and (match := _H1.match(lines[start])):
                heading = match.group("text")
                if heading != title and heading.startswith(title):
                    rest = heading[len(title) :].strip(" :;,-–—·")
                    subtitle = rest[:1].upper() + rest[1:]
                lines = lines[:start] + lines[start + 1 :]
        in_fence = False
        for i, line in enumerate(lines):
            if _FENCE.match(line):
                in_fence = not in_fence
            elif not in_fence and (match := _H1.match(line)):
                lines[i] = f"{match.group(1)}##{match.group(2)}{match.group('text')}"
        cell["source"] = "\n".join(lines).strip("\n")
    return subtitle


# --- pages ---------------------------------------------------------------------------------


def template_root() -> Path:
    """Return the folder of the briefs' templates (an nbconvert template and fragments)."""
    return Path(str(resources.files("dangjian_analysis.briefs") / "templates"))


def fragments() -> jinja2.Environment:
    """Return the autoescaping Jinja environment for the cover, the sources and the index."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_root() / "brief"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def exporter(language: str) -> HTMLExporter:
    """Return nbconvert's HTML exporter with the ``brief`` template: no code, no prompts."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.template_name = "brief"
    config.HTMLExporter.extra_template_basedirs = [str(template_root())]
    config.HTMLExporter.theme = "light"
    config.HTMLExporter.language_code = language
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.embed_images = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = ("remove-cell",)
    config.TagRemovePreprocessor.remove_all_outputs_tags = ("remove-output",)
    config.TagRemovePreprocessor.remove_input_tags = ("remove-input",)
    return HTMLExporter(config=config)


def markdown_inline(text: str) -> str:
    """Render one paragraph of Markdown to HTML without the enclosing ``<p>``."""
    from nbconvert.filters.markdown import markdown2html

    rendered = markdown2html(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>"):
        rendered = rendered[3:-4]
    return rendered
