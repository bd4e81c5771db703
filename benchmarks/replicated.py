"""Write a package of the bundled figures repeated to a given number of rows (SYNTHETIC).

Copy ``k`` of the bundled figures gets its own figure ids (``zz-000001``, ...) and its own
regions (``tongcheng_c7``, a copy of each region row, parents copied alike), so every copy
is valid on its own and the copies never meet in one region. A package of 200,000 rows
then has the bundled mix of raws, units, qualifiers, see_also links and long notes in
Chinese: the shape of a large package of real reports. Usage:
``python benchmarks/replicated.py OUT --rows 200000``.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
from pathlib import Path

from dangjian_analysis.package.paths import default_data_dir


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def make_replicated(folder: Path, rows: int) -> Path:
    """Write the bundled package to ``folder`` with ``rows`` figures, in copies."""
    bundled = default_data_dir()
    shutil.copytree(bundled, folder, dirs_exist_ok=True)
    fig_columns, figures = _read(bundled / "figures.csv")
    reg_columns, regions = _read(bundled / "regions.csv")
    copies = -(-rows // len(figures))

    def region(rid: str, k: int) -> str:
        return rid if k == 0 or not rid else f"{rid}_c{k}"

    out_regions = []
    for k in range(copies):
        for row in regions:
            out_regions.append(
                {
                    **row,
                    "region_id": region(row["region_id"], k),
                    "parent_region_id": region(row["parent_region_id"], k),
                }
            )
    _write(folder / "regions.csv", reg_columns, out_regions)
    position = {fig["figure_id"]: n for n, fig in enumerate(figures)}
    out_figures = []
    for i in range(rows):
        k, j = divmod(i, len(figures))
        row = figures[j]

        def new_id(old: str, k: int = k) -> str:
            return f"zz-{k * len(figures) + position[old] + 1:06d}"

        out_figures.append(
            {
                **row,
                "figure_id": new_id(row["figure_id"]),
                "region_id": region(row["region_id"], k),
                "see_also": ";".join(
                    new_id(r)
                    for r in row["see_also"].split(";")
                    if r and k * len(figures) + position[r] < rows  # not cut off at the end
                ),
            }
        )
    _write(folder / "figures.csv", fig_columns, out_figures)
    settings = json.loads((folder / "analysis.json").read_text(encoding="utf-8"))
    settings["partial_counts"] = []  # they name bundled figure ids
    (folder / "analysis.json").write_text(
        json.dumps(settings, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return folder


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    print(f"wrote SYNTHETIC package to {make_replicated(args.out, args.rows)}")


if __name__ == "__main__":
    main()
