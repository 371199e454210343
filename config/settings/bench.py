"""Benchmarks: a database of their own (PostgreSQL by default), nothing else changes."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

SECRET_KEY = "bench-only-key-5d1c7a9e3b2f4a6c8e0d1b3f5a7c9e2d4f6a8b0c"  # noqa: S105
DATABASES = {"default": env.db("BENCH_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/relata_bench")}
# The analytics copies of the bench's workspaces, apart from those of a development base.
ANALYTICS_COPY_DIR = str(VAR_DIR / "bench-analytics-copies")  # noqa: F405
