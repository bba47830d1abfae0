"""Run the benchmarks: ``python -m tests.bench [NAME...]`` (``make bench`` runs them all).

Every ``*_bench.py`` module in this folder is a benchmark, run as if by
``python -m tests.bench.<module>``. NAME picks some by module name, with or without the
``_bench`` suffix (``python -m tests.bench import`` runs ``import_bench``).
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path


def discover() -> list[str]:
    """Module names of the benchmarks present, sorted."""
    return sorted(path.stem for path in Path(__file__).parent.glob("*_bench.py"))


def main(argv: list[str]) -> int:
    found = discover()
    wanted = argv or found
    unknown = [n for n in wanted if n not in found and f"{n}_bench" not in found]
    if unknown:
        print(f"no benchmark named {', '.join(unknown)}; have: {', '.join(found)}")
        return 2
    failed = []
    for name in wanted:
        module = name if name in found else f"{name}_bench"
        print(f"== {module}", flush=True)
        sys.argv = [f"tests.bench.{module}"]
        try:
            runpy.run_module(f"tests.bench.{module}", run_name="__main__", alter_sys=True)
        except SystemExit as exc:
            if exc.code not in (0, None):
                failed.append(module)
    if failed:
        print(f"benchmarks that missed a target or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
