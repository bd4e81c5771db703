"""The ``dangjian`` command line.

Subcommands:

- ``dangjian validate [--data DIR]``: validate a data package;
- ``dangjian verify-sources --corpus DIR [--data DIR]``: check every figure's ``raw`` and
  ``locator`` against the source texts;
- ``dangjian docs [--check] [--root DIR]``: regenerate the data dictionary and the data
  tables of ``docs/data.md`` from ``datapackage.json`` (or check that they are current);
- ``dangjian info [--data DIR]``: print the package and data versions and where the data is;
- ``dangjian extract ARTICLE [--source-id ID] [--region-id ID] [--out FILE] [--bom]
  [--diff [DATA_DIR]] [--new-only]``: list the figures printed in an article as candidate
  rows of ``figures.csv``; given a folder, several files or a JSON Lines file, extract a
  whole corpus into one CSV or Parquet table (``[-j N] [--resume] [--scheduler ADDRESS]``);
- ``dangjian extract-recall --corpus DIR [--data DIR]``: check that the extractor finds
  the curated figures in their source texts.
- ``dangjian briefs [--out DIR] [--data DIR] [--notebooks DIR] [-j N] [NAME ...]``: execute the
  notebooks and write one self-contained HTML brief per notebook plus an index.

Errors print one line to stderr (one per problem for an invalid data package) and exit
with status 1 (2 for usage errors); Ctrl-C prints one line and exits with status 130; a
reader of stdout that stops early (``| head``) ends the command with status 141.
Every ``--help`` shows examples and the exit statuses of its command. Progress bars go to
stderr, and only when it is a terminal.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from dangjian_analysis.package.errors import DataPackageNotFoundError, DataValidationError
from dangjian_analysis.package.version import package_version

__all__ = ["main"]


def _cmd_validate(args: argparse.Namespace) -> int:
    from dangjian_analysis.package.validation import validate_tables

    package, tables = validate_tables(args.data)
    counts = ", ".join(
        f"{len(tables[name])} {name}" for name in package.resource_names if name in tables
    )
    print(f"valid: data package {package.folder} (data version {package.version}): {counts}")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from dangjian_analysis.curate.provenance import verify_sources

    report = verify_sources(args.corpus, args.data)
    print(report.summary())
    return 0 if report.ok else 1


def _cmd_docs(args: argparse.Namespace) -> int:
    from dangjian_analysis.briefs import docs

    root = Path(args.root)
    data = root / "data"
    targets = {
        root / "docs" / "data-dictionary.md": docs.data_dictionary(data),
        root / "docs" / "data.md": docs.update_readme(
            (root / "docs" / "data.md").read_text(encoding="utf-8"), docs.readme_section(data)
        ),
    }
    stale = [p for p, text in targets.items() if not p.is_file() or p.read_text("utf-8") != text]
    if args.check:
        if stale:
            names = ", ".join(str(p) for p in stale)
            print(f"error: stale generated docs: {names}; run 'dangjian docs'", file=sys.stderr)
            return 1
        print("generated docs are current")
        return 0
    for path, text in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from dangjian_analysis.package.schema import read_datapackage

    package = read_datapackage(args.data)
    print(f"dangjian-analysis {package_version()}")
    print(f"data version {package.version} at {package.folder}")
    return 0


_BUNDLED = "bundled"
#: Exit status after Ctrl-C (128 + SIGINT), as shells report it.
_INTERRUPTED = 130
#: Exit status after SIGTERM (128 + 15, as a shell reports it).
_TERMINATED = 143
#: Exit status when the reader of stdout went away (128 + SIGPIPE), as shells report it.
_BROKEN_PIPE = 141


def _cmd_extract(args: argparse.Namespace) -> int:
    from dangjian_analysis.curate import extract as ex
    from dangjian_analysis.curate.corpus import is_corpus

    if args.scheduler is not None or is_corpus(args.articles, args.out):
        return _extract_corpus(args)
    if args.resume:
        raise ValueError("--resume needs a corpus: a folder, several files or a JSON Lines file")
    article = args.articles[0]
    if args.new_only and args.diff is None:
        raise ValueError("--new-only needs --diff")
    data = None if args.diff in (None, _BUNDLED) else Path(args.diff)
    out = args.out
    if out is not None:
        from dangjian_analysis.text.files import check_output

        if out.is_dir() and not out.is_symlink():
            raise IsADirectoryError(f"{out} is a folder; give --out the name of a file in it")
        check_output(out, overwrite=True)  # a new path or a regular file, nothing else
        if out.exists() and out.resolve() == article.resolve():
            raise ValueError(f"--out {out} is the article itself")
        if out.exists() and not args.force:
            raise FileExistsError(f"{out} exists; give --force to overwrite it")
    text, encoding = _read_one(article)
    source_id = args.source_id
    if args.diff is not None and not source_id:
        source_id = ex.source_for_article(article, data)
    ex.check_ids(source_id, args.region_id, data)
    candidates = ex.extract_candidates(text, source_id=source_id, region_id=args.region_id)
    counts = f"{len(candidates)} candidates"
    if args.diff is not None:
        assert source_id is not None
        candidates = ex.diff_candidates(candidates, text, source_id=source_id, data=data)
        curated = sum(c.status == "curated" for c in candidates)
        counts += f" ({curated} curated, {len(candidates) - curated} new in {source_id})"
        if args.new_only:
            candidates = [c for c in candidates if c.status == "new"]
    payload = ex.candidates_csv(candidates, status=args.diff is not None).encode(
        "utf-8-sig" if args.bom else "utf-8"
    )
    if out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        where = "stdout"
    else:
        from dangjian_analysis.curate.corpus import write_atomic

        write_atomic(out, lambda fh: fh.write(payload), force=args.force)
        where = str(out)
    rows = f"{len(candidates)} rows" + (" with a BOM" if args.bom else "")
    print(f"read {article} ({encoding}): {counts}; wrote {rows} to {where}", file=sys.stderr)
    return 0


def _read_one(article: Path) -> tuple[str, str]:
    """Read a text file, or the text of an HTML page."""
    from dangjian_analysis.curate.corpus import read_any

    return read_any(article)


def _extract_corpus(args: argparse.Namespace) -> int:
    from dangjian_analysis.curate.corpus import extract_corpus
    from dangjian_analysis.curate.extract import check_ids

    if args.diff is not None or args.new_only:
        raise ValueError("--diff and --new-only work on one article at a time")
    check_ids(args.source_id, args.region_id)
    if args.scheduler is not None:
        from dangjian_analysis.curate.cluster import connect, extract_corpus_dask

        if args.out is None:
            raise ValueError("--scheduler needs --out (a folder of Parquet files)")
        if args.resume or args.bom:
            raise ValueError("--resume and --bom do not apply to a Dask run")
        try:
            client = connect(args.scheduler)
        except ImportError as exc:
            raise ValueError(str(exc)) from None
        with client:
            report = extract_corpus_dask(
                client,
                args.articles,
                args.out,
                force=args.force,
                source_id=args.source_id,
                region_id=args.region_id,
                partition_size=args.partition_size,
            )
    else:
        report = extract_corpus(
            args.articles,
            args.out,
            jobs=args.jobs,
            resume=args.resume,
            force=args.force,
            source_id=args.source_id,
            region_id=args.region_id,
            bom=args.bom,
        )
    print(report.summary(), file=sys.stderr)
    return 0


def _cmd_extract_recall(args: argparse.Namespace) -> int:
    from dangjian_analysis.curate.recall import MIN_RECALL, extraction_recall

    minimum = MIN_RECALL if args.min is None else args.min
    report = extraction_recall(args.corpus, args.data)
    print(report.summary())
    if report.recall < minimum:
        print(f"error: recall {report.recall:.1%} is below {minimum:.1%}", file=sys.stderr)
        return 1
    return 0


def _cmd_briefs(args: argparse.Namespace) -> int:
    from dangjian_analysis.briefs.build import BriefBuildError, build_briefs
    from dangjian_analysis.briefs.execute import Terminated

    try:
        result = build_briefs(
            args.out,
            notebooks=args.notebooks,
            data=args.data,
            names=args.names,
            jobs=args.jobs,
            progress=sys.stderr.isatty(),  # a progress bar only on a terminal
        )
    except BriefBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Terminated:
        print(
            f"terminated: {args.out} holds the briefs of the last complete build",
            file=sys.stderr,
        )
        return _TERMINATED
    except KeyboardInterrupt:
        print(
            f"interrupted: {args.out} holds the briefs of the last complete build",
            file=sys.stderr,
        )
        return _INTERRUPTED
    total = sum(b.size for b in result.briefs)
    print(
        f"built {len(result.briefs)} brief{'s' if len(result.briefs) != 1 else ''} "
        f"({total / 1e6:.1f} MB) in {result.seconds:.1f} s: {result.out / 'index.html'}"
    )
    for brief in result.briefs:
        if brief.zh_status != "current":
            why = "no Chinese text" if brief.zh_status == "missing" else "Chinese text out of date"
            print(
                f"note: {brief.name}: {why} (fingerprint of the English: {brief.fingerprint}); "
                f"zh/{brief.file} shows a notice pointing to the English brief"
            )
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


class _HelpFormatter(argparse.HelpFormatter):
    """Wrap paragraphs as argparse does, but keep blocks laid out by hand (examples)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        blocks = []
        for block in text.split("\n\n"):
            if "\n " in block:  # a heading over indented lines: keep them as written
                blocks.append("\n".join(indent + line for line in block.splitlines()))
            else:
                blocks.append(super()._fill_text(block, width, indent))
        return "\n\n".join(blocks)


_USAGE_STATUS = ("2", "wrong usage: an unknown command or option, a missing argument")
_INTERRUPTED_STATUS = ("130", "interrupted with Ctrl-C")


def _epilog(examples: Sequence[tuple[str, str]], statuses: Sequence[tuple[str, str]]) -> str:
    """Return the end of a --help: examples, each with what it does, and the exit statuses."""
    import textwrap

    lines = ["examples:"]
    for command, what in examples:
        lines += [f"  {command}", f"      {what}"]
    lines += ["", "exit status:"]
    for code, meaning in statuses:
        lines += textwrap.wrap(
            meaning, 78, initial_indent=f"  {code:>3}  ", subsequent_indent=" " * 7
        )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``dangjian`` command."""
    parser = argparse.ArgumentParser(
        prog="dangjian",
        description="Curated data on party organizations in China's non-public enterprises: "
        "validate a data package, build the HTML briefs, curate figures from articles. "
        "'dangjian COMMAND --help' shows the options, examples and exit statuses of a "
        "command.",
        formatter_class=_HelpFormatter,
        epilog=_epilog(
            [
                ("dangjian validate", "check the bundled data package"),
                ("dangjian validate --data my/data", "check a data package of your own"),
                ("dangjian briefs --data my/data", "build the briefs from it into build/briefs/"),
                ("dangjian extract article.txt --out candidates.csv", "list an article's figures"),
                ("dangjian info", "print the package and data versions"),
            ],
            [
                ("0", "success"),
                ("1", "an error, or a check that failed (one line each on stderr)"),
                _USAGE_STATUS,
                _INTERRUPTED_STATUS,
            ],
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, examples, statuses, **kwargs) -> argparse.ArgumentParser:
        return sub.add_parser(
            name, formatter_class=_HelpFormatter, epilog=_epilog(examples, statuses), **kwargs
        )

    data_help = "data package folder (default: the bundled package)"
    p = command(
        "validate",
        [
            ("dangjian validate", "check the bundled data package"),
            ("dangjian validate --data my/data", "check a data package of your own"),
        ],
        [
            ("0", "the package is valid (a line with its tables' row counts)"),
            ("1", "it is not: every problem on stderr, one line each, naming file, row and "
                  "column; or there is no package at --data"),
            _USAGE_STATUS,
        ],
        help="validate a data package",
        description="Check a data package: its descriptor, its tables (types, constraints, "
        "keys) and the curation rules. Every problem is reported at once.",
    )
    p.add_argument("--data", type=Path, default=None, help=data_help)
    p.set_defaults(func=_cmd_validate)

    p = command(
        "verify-sources",
        [
            ("dangjian verify-sources --corpus ../shared/seeds", "check the bundled figures"),
            ("dangjian verify-sources --corpus texts/ --data my/data", "check your own"),
        ],
        [
            ("0", "every figure with a local text was found in it"),
            ("1", "a figure's raw or locator is not in its text (listed), or an error"),
            _USAGE_STATUS,
        ],
        help="check figures against the source texts",
        description="Check that every figure's raw number is printed in its source text "
        "(the file named by corpus_file in sources.csv) with its locator within 40 "
        "characters. Figures of web-page sources are listed as not checked.",
    )
    p.add_argument("--corpus", type=Path, required=True, help="folder holding the source texts")
    p.add_argument("--data", type=Path, default=None, help=data_help)
    p.set_defaults(func=_cmd_verify)

    p = command(
        "docs",
        [
            ("dangjian docs", "rewrite docs/data-dictionary.md and the tables of docs/data.md"),
            ("dangjian docs --check", "only check that they are current (make test does)"),
        ],
        [
            ("0", "the docs were written, or are current"),
            ("1", "with --check: a generated page is stale (named on stderr)"),
            _USAGE_STATUS,
        ],
        help="regenerate the data docs from datapackage.json",
        description="Regenerate docs/data-dictionary.md and the data tables of docs/data.md "
        "from data/datapackage.json and the tables.",
    )
    p.add_argument("--check", action="store_true", help="fail if the docs are stale")
    p.add_argument("--root", type=Path, default=Path("."), help="repository root (default: .)")
    p.set_defaults(func=_cmd_docs)

    p = command(
        "info",
        [("dangjian info", "versions of the package and the bundled data, and where it is"),
         ("dangjian info --data my/data", "the same for a package of your own")],
        [("0", "printed"), ("1", "no data package at --data"), _USAGE_STATUS],
        help="print versions and the data location",
        description="Print the package version and the data version and folder.",
    )
    p.add_argument("--data", type=Path, default=None, help=data_help)
    p.set_defaults(func=_cmd_info)

    p = command(
        "extract",
        [
            (
                "dangjian extract article.txt --source-id src_x --region-id x "
                "--out candidates.csv --bom",
                "one article's figures as rows to curate, for a spreadsheet",
            ),
            ("dangjian extract article.txt --diff", "mark each candidate curated or new"),
            ("dangjian extract corpus/ --out candidates.parquet -j 2",
             "a whole folder into one table, two processes"),
            ("dangjian extract corpus/ --out candidates.parquet --resume",
             "finish an interrupted corpus run"),
        ],
        [
            ("0", "the table was written (unreadable articles of a corpus are skipped and "
                  "listed on stderr)"),
            ("1", "an error: an input missing or unreadable, --out existing without "
                  "--force, an unknown --source-id"),
            _USAGE_STATUS,
            ("130", "interrupted with Ctrl-C; a corpus run continues with --resume"),
            ("141", "the reader of stdout stopped early (| head); no rows are claimed"),
        ],
        help="list the figures printed in articles as candidate rows, ready to curate",
        description="Write one CSV row per quantity printed in ARTICLE, in the columns of "
        "figures.csv plus unit_kind, offset (0-based character offset in the article), "
        "period_suggestion and indicator_keyword. Put --diff last (or write --diff=DIR). "
        "Given a folder (searched for *.txt, *.html and *.htm), several files or a JSON "
        "Lines file of {id, text} records, extract the whole corpus into one table (CSV or "
        "Parquet, by the extension of --out) with the article of each row first.",
    )
    p.add_argument(
        "articles",
        nargs="+",
        type=Path,
        metavar="ARTICLE",
        help="plain-text article or HTML page; or a folder, several files, a JSON Lines file",
    )
    p.add_argument("--source-id", help="source_id written into every row")
    p.add_argument("--region-id", help="region_id written into every row")
    p.add_argument(
        "--out",
        type=Path,
        help="CSV file to write (default: stdout); for a corpus also *.parquet, or the "
        "folder of Parquet files of a Dask run",
    )
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    p.add_argument("--bom", action="store_true", help="write UTF-8 with a BOM (for Excel)")
    p.add_argument(
        "--diff",
        nargs="?",
        const=_BUNDLED,
        default=None,
        metavar="DATA_DIR",
        help="add match (curated/new) and curated_as against a data package "
        "(default: the bundled one); the source is --source-id or the one whose "
        "corpus_file is ARTICLE's file name",
    )
    p.add_argument("--new-only", action="store_true", help="with --diff: write only new rows")
    p.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=None,
        help="corpus: articles extracted at the same time, each in its own process "
        "(default: the number of CPUs)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="corpus: continue the interrupted run recorded in OUT.progress.jsonl, "
        "without extracting its finished articles again",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="corpus: run on the Dask cluster at ADDRESS (tcp://host:8786) and write a "
        "folder of Parquet files; needs pip install 'dangjian-analysis[scale]'",
    )
    p.add_argument(
        "--partition-size",
        type=_positive_int,
        default=None,
        help="with --scheduler: files per partition (default 64); JSON Lines files are "
        "read in blocks of 16 MB",
    )
    p.set_defaults(func=_cmd_extract)

    p = command(
        "extract-recall",
        [("dangjian extract-recall --corpus ../shared/seeds", "the share found, at least 95%")],
        [
            ("0", "the recall is at least --min"),
            ("1", "it is below --min, or an error"),
            _USAGE_STATUS,
        ],
        help="check that extract finds the curated figures in their sources",
        description="Run the extractor over every source text and print the share of the "
        "curated figures it finds at their curated value and bounds.",
    )
    p.add_argument("--corpus", type=Path, required=True, help="folder holding the source texts")
    p.add_argument("--data", type=Path, default=None, help=data_help)
    p.add_argument("--min", type=float, default=None, help="fail below this recall (default: 0.95)")
    p.set_defaults(func=_cmd_extract_recall)

    p = command(
        "briefs",
        [
            ("dangjian briefs", "every notebook into build/briefs/ (open index.html)"),
            ("dangjian briefs 01 03", "notebooks 01 and 03 only"),
            ("dangjian briefs --data my/data", "the briefs of a data package of your own"),
            ("dangjian briefs --out /srv/intranet/briefs -j 1", "elsewhere, one kernel"),
        ],
        [
            ("0", "every brief was built and the output folder replaced"),
            ("1", "a notebook failed or wrote to stderr (named with its cell), the data "
                  "package is invalid, or the output folder cannot be replaced; the folder "
                  "is left as it was"),
            _USAGE_STATUS,
            ("130", "interrupted with Ctrl-C; the output folder is left as it was"),
        ],
        help="build self-contained HTML briefs from the notebooks",
        description=(
            "Execute every notebook afresh and write one self-contained HTML brief per "
            "notebook plus index.html. The output folder is replaced only when every "
            "brief has been built, and never when it holds files the last build did not "
            "write. Ctrl-C stops the build and leaves the output folder as it was."
        ),
    )
    p.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="notebooks to build, by file stem or number (e.g. 01); default: all",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("build/briefs"),
        help="output folder (default: build/briefs)",
    )
    p.add_argument("--data", type=Path, default=None, help=data_help)
    p.add_argument(
        "--notebooks",
        type=Path,
        default=Path("notebooks"),
        help="folder of the notebooks (default: notebooks)",
    )
    p.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=None,
        help="notebooks executed at the same time (default: the number of CPUs)",
    )
    p.set_defaults(func=_cmd_briefs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``dangjian`` command; return its exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except DataValidationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader of stdout stopped (dangjian extract ... | head): the output is cut
        # short. Nothing more goes to stdout, not even at exit, and nothing claims rows.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        print("stopped: stdout was closed before the output was complete", file=sys.stderr)
        return _BROKEN_PIPE
    except (DataPackageNotFoundError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return _INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
