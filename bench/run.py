"""Run the benchmarks and print their figures: `make bench` (PostgreSQL by default).

Each benchmark builds its data in a database of its own (`relata_bench`), measures the
project's code path and the best hand-written SQL for the same figure in the same run,
and prints both with their ratio. Figures, not assertions: a shared machine makes timed
assertions flaky; the numbers go into the notes.

  make bench                      # all benchmarks
  python -m bench.run audit_log   # one of them
  BENCH_SCALE=0.1 make bench      # a tenth of the data, for a quick look
"""

from __future__ import annotations

import importlib
import os
import sys

BENCHMARKS = [
    "audit_log",
    "client_import",
    "client_duplicates",
    "client_search",
    "client_list",
    "activity_timeline",
    "analytics",
]


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import django

    django.setup()
    from bench.common import prepare_database

    prepare_database()
    for name in argv or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}: {module.__doc__.strip().splitlines()[0]}")
        module.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
