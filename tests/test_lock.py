"""The lock files pin every dependency setup.cfg names, within its range, with hashes."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.lockcheck import ROOT, disagreements


def test_the_lock_files_agree_with_setup_cfg() -> None:
    assert disagreements() == []


def copy_project(tmp_path: Path) -> Path:
    for name in ("setup.cfg", "pyproject.toml", "requirements.txt", "requirements-test.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_a_dependency_added_without_locking_is_named(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    cfg = (root / "setup.cfg").read_text()
    (root / "setup.cfg").write_text(cfg.replace("    orjson>=3.9\n", "    orjson>=3.9\n    left-pad>=1\n"))
    assert disagreements(root) == [
        f"setup.cfg asks for left-pad>=1 but {lock} does not pin left-pad"
        for lock in ("requirements.txt", "requirements-test.txt")
    ]


def test_a_range_the_pin_falls_outside_is_named(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    cfg = (root / "setup.cfg").read_text()
    (root / "setup.cfg").write_text(cfg.replace("    pytest>=8\n", "    pytest>=8,<8.1\n"))
    [problem] = disagreements(root)
    assert problem.startswith("setup.cfg asks for pytest<8.1,>=8 but requirements-test.txt pins pytest==")


def test_a_pin_without_hash_and_locks_that_differ_are_named(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    lock = (root / "requirements.txt").read_text()
    start = lock.index("orjson==")
    end = lock.index("\n", start)
    version = lock[start:end].split("==")[1].split()[0]
    (root / "requirements.txt").write_text(lock.replace(lock[start:end], "orjson==0.0.1"))
    problems = disagreements(root)
    assert "requirements.txt: orjson is pinned without a hash" in problems
    (root / "requirements.txt").write_text(lock.replace(f"orjson=={version}", "orjson==3.9.0"))
    expected = f"requirements.txt pins orjson==3.9.0 but requirements-test.txt pins {version}"
    assert disagreements(root) == [expected]
