"""What the test processes share is made once per run (conftest.shared)."""

from __future__ import annotations

import uuid

import pytest

from conftest import shared


def test_made_once_then_read_back(tmp_path_factory):
    name = f"check-{uuid.uuid4().hex}"
    calls = []

    def make(folder):
        calls.append(folder)
        (folder / "made.txt").write_text("x")
        return {"folder": folder, "value": 42}

    first = shared(tmp_path_factory, name, make)
    second = shared(tmp_path_factory, name, make)
    assert first == second and first["value"] == 42
    assert len(calls) == 1
    assert (calls[0] / "made.txt").read_text() == "x"
    assert calls[0].name == f"shared-{name}"


def test_a_failure_is_reported_to_every_later_caller(tmp_path_factory):
    name = f"check-{uuid.uuid4().hex}"

    def broken(folder):
        raise RuntimeError("cannot make it")

    with pytest.raises(RuntimeError, match="cannot make it"):
        shared(tmp_path_factory, name, broken)
    with pytest.raises(pytest.fail.Exception, match=rf"making {name} failed in another"):
        shared(tmp_path_factory, name, lambda folder: 1)
