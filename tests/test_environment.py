"""environment.yml (conda) and pyproject.toml (pip) must list the same requirements."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT


def _normalize(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$", requirement)
    assert match, requirement
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    spec = ",".join(sorted(s.strip() for s in match.group(3).split(",") if s.strip()))
    return name, spec


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for extra in ("notebooks", "test"):
        reqs += project["optional-dependencies"][extra]
    return dict(_normalize(r) for r in reqs)


def environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    reqs: list[str] = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            reqs += [d for d in dep["pip"] if not d.startswith("-")]
        else:
            reqs.append(dep)
    out = dict(_normalize(r) for r in reqs)
    out.pop("pip", None)
    out.pop("python", None)
    return out


def test_environment_yml_matches_pyproject():
    assert environment_requirements() == pyproject_requirements()


def test_python_version_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert project["requires-python"] == ">=3.11"
    assert "python>=3.11,<3.12" in env["dependencies"]


def test_lock_pins_every_requirement_exactly():
    lock = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"unpinned line in lock.txt: {line!r}"
            lock[re.sub(r"[-_.]+", "-", name).lower()] = version
    for name in pyproject_requirements():
        assert name in lock, f"{name} is required but not pinned in requirements/lock.txt"


def test_drift_is_detected():
    assert _normalize("pandas[pyarrow]>=3.1.1,<3.2") == ("pandas", "<3.2,>=3.1.1")
    assert _normalize("Jupyter_Core >=5.9") == ("jupyter-core", ">=5.9")
    assert _normalize("pandas>=3.1.1,<3.2") != _normalize("pandas>=3.0,<3.2")
