"""``python -m compact.core.dbprobe URL``: exit 0 when the PostgreSQL server of URL answers.

Used by ``make test`` to decide whether a PostgreSQL run is possible. It connects to the server's
``postgres`` maintenance database with the URL's credentials (the database named in the URL need
not exist: the test run creates ``test_<name>``), and prints the server version.
"""

from __future__ import annotations

import sys


def probe(url: str, timeout: int = 3) -> str:
    """Connect to the PostgreSQL server of ``url`` (its ``postgres`` database) and return its version.

    Raises ``psycopg.Error`` (or ``ValueError`` for a URL that is not PostgreSQL) when it cannot.
    """
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        raise ValueError(f"not a PostgreSQL URL: {url}")
    with psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        connect_timeout=timeout,
    ) as conn:
        return conn.execute("SELECT version()").fetchone()[0]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m compact.core.dbprobe DATABASE_URL", file=sys.stderr)
        return 2
    try:
        print(probe(argv[0]))
    except Exception as exc:  # any failure to connect means "not reachable"
        print(f"not reachable: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
