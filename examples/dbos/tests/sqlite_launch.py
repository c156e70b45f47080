"""Launch DBOS on a SQLite system database through Python's own ``sqlite3``.

Run as ``python -m tests.sqlite_launch`` in a fresh interpreter, in the folder
for ``dbos.sqlite``; prints the SQLite version, then the workflow's result.
"""

import sqlite3

from dbos import DBOS, DBOSConfig


@DBOS.step()
def answer() -> int:
    return 42


@DBOS.workflow()
def ask() -> int:
    return answer()


def main() -> None:
    config: DBOSConfig = {"name": "sqlite-check", "system_database_url": "sqlite:///dbos.sqlite"}
    print(f"SQLite {sqlite3.sqlite_version}", flush=True)
    DBOS(config=config)
    DBOS.launch()
    print(f"result {ask()}", flush=True)
    DBOS.destroy()


if __name__ == "__main__":
    main()
