"""Exit 0 when the PostgreSQL server of DATABASE_URL-style argv[1] answers, else 1."""

import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg


def main(url: str) -> int:
    parts = urlsplit(url)
    # Connect to the maintenance database: the test database does not exist yet.
    dsn = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    try:
        psycopg.connect(dsn, connect_timeout=3).close()
    except psycopg.Error:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
