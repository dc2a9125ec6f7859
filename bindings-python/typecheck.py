#!/usr/bin/env python3
"""The Python declarations checked against reality, as a user's type checker sees them:

1. `mypy --strict` over every ```python snippet of README.md and bindings-python/README.md, each
   compiled as the body of a coroutine (snippets may `await`), with the names they leave to the
   reader (`otp`, `invoice` …) declared below;
2. `mypy.stubtest`: the stub `qayd/_native.pyi` against the compiled module (every name, every
   signature).

    python bindings-python/typecheck.py      # needs mypy and the native module built into
                                             # bindings-python/python/qayd (test.sh does both)
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = REPO / "bindings-python/python"
READMES = [REPO / "README.md", REPO / "bindings-python/README.md"]

# What the snippets leave to the reader, typed as a user's program would have them.
PREAMBLE = """\
from typing import Any, Dict
otp: str = "123456"
invoice: Dict[str, Any] = {}
invoice_dict: Dict[str, Any] = {}
standard_invoice: Dict[str, Any] = {}
b2b_invoice: Dict[str, Any] = {}
"""


def snippets() -> list[tuple[str, str]]:
    found = []
    for readme in READMES:
        text = readme.read_text(encoding="utf-8")
        for match in re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M):
            line = text.count("\n", 0, match.start()) + 1
            found.append((f"{readme.relative_to(REPO)}:{line}", match.group(1)))
    return found


def main() -> int:
    found = snippets()
    if not found:
        print("no python snippets found", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        files = []
        for index, (where, code) in enumerate(found):
            body = "".join(f"    {line}\n" if line.strip() else "\n" for line in code.splitlines())
            path = pathlib.Path(scratch) / f"snippet_{index}.py"
            path.write_text(f"# {where}\n{PREAMBLE}\n\nasync def snippet() -> None:\n{body}", encoding="utf-8")
            files.append(str(path))
        env_path = {"MYPYPATH": str(PACKAGE)}
        strict = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *files],
            env={**os.environ, **env_path},
        )
    stubtest = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "--ignore-disjoint-bases", "qayd._native"],
        cwd=PACKAGE,
        env={**os.environ, **env_path, "PYTHONPATH": str(PACKAGE)},
    )
    print(f"{len(found)} README snippets under mypy --strict; stubtest of qayd._native")
    return 1 if strict.returncode or stubtest.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
