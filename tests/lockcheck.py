"""Do the lock files agree with setup.cfg? Run before anything is installed (``make lock-check``).

setup.cfg keeps version ranges for people who install seatcore as a library; ``requirements.txt``
(the service) and ``requirements-test.txt`` (the service with the test and load extras) pin the
exact versions, with hashes, that ``make demo`` and ``make test`` install. They disagree when a
dependency was added to setup.cfg or its range moved without ``make lock``: then a fresh machine
would not install what setup.cfg says, so this check names each disagreement and exits 1.

Standard library only, plus ``packaging`` (pip's own copy when the venv has no other).
"""

from __future__ import annotations

import configparser
import re
import sys
import tomllib
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # a bare venv: pip vendors the same library
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.utils import canonicalize_name  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
SERVICE_LOCK = "requirements.txt"
TEST_LOCK = "requirements-test.txt"
TEST_EXTRAS = ("test", "load")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)\s*(\\?)\s*$")


def read_lock(path: Path) -> tuple[dict[str, str], list[str]]:
    """The lock's pins (canonical name -> version) and the names pinned without a hash."""
    pins: dict[str, str] = {}
    unhashed: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        match = _PIN.match(line)
        if not match:
            continue
        name = canonicalize_name(match.group(1))
        pins[name] = match.group(2)
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if not match.group(3) or "--hash=" not in following:
            unhashed.append(name)
    return pins, unhashed


def declared(root: Path = ROOT) -> tuple[list[Requirement], list[Requirement]]:
    """setup.cfg's requirements: the service's (with the build system's), and its test extras'."""
    cfg = configparser.ConfigParser()
    cfg.read(root / "setup.cfg", encoding="utf-8")

    def parse(text: str) -> list[Requirement]:
        return [Requirement(line) for line in text.splitlines() if line.strip()]

    service = parse(cfg["options"]["install_requires"])
    build = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    service += [Requirement(text) for text in build["build-system"]["requires"]]
    extras = [req for extra in TEST_EXTRAS for req in parse(cfg["options.extras_require"][extra])]
    return service, extras


def disagreements(root: Path = ROOT) -> list[str]:
    """Every way the lock files and setup.cfg disagree, one sentence each; empty when they agree."""
    problems: list[str] = []
    locks: dict[str, dict[str, str]] = {}
    for lock in (SERVICE_LOCK, TEST_LOCK):
        path = root / lock
        if not path.exists():
            problems.append(f"{lock} is missing")
            continue
        locks[lock], unhashed = read_lock(path)
        problems += [f"{lock}: {name} is pinned without a hash" for name in unhashed]
    if problems:
        return problems
    service, extras = declared(root)
    wanted = [(req, lock) for req in service for lock in (SERVICE_LOCK, TEST_LOCK)]
    wanted += [(req, TEST_LOCK) for req in extras]
    for req, lock in wanted:
        version = locks[lock].get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"setup.cfg asks for {req} but {lock} does not pin {req.name}")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"setup.cfg asks for {req} but {lock} pins {req.name}=={version}")
    for name, version in locks[SERVICE_LOCK].items():
        other = locks[TEST_LOCK].get(name)
        if other != version:
            problems.append(f"{SERVICE_LOCK} pins {name}=={version} but {TEST_LOCK} pins {other}")
    return problems


def main() -> int:
    problems = disagreements()
    if not problems:
        print(f"lock: {SERVICE_LOCK} and {TEST_LOCK} agree with setup.cfg")
        return 0
    print("lock: the lock files and setup.cfg disagree:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    print("lock: run `make lock` to pin again, and commit the lock files", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
