"""Launch DBOS on a SQLite system database and run one workflow.

Run as ``python -m tests.sqlite_launch DIRECTORY (stdlib|pysqlite3)`` in a
fresh interpreter; prints the SQLite version, then the workflow's result.
"""

import sys
from pathlib import Path

import sqlalchemy
from dbos import DBOS, DBOSConfig


@DBOS.step()
def answer() -> int:
    return 42


@DBOS.workflow()
def ask() -> int:
    return answer()


def main(directory: Path, driver: str) -> None:
    url = f"sqlite:///{directory / 'dbos.sqlite'}"
    config: DBOSConfig = {"name": "sqlite-check", "system_database_url": url}
    if driver == "pysqlite3":
        # [docs:sqlite-engine]
        import pysqlite3.dbapi2  # pysqlite3-binary: its wheel bundles a recent SQLite

        config["system_database_engine"] = sqlalchemy.create_engine(url, module=pysqlite3.dbapi2)
        # [/docs:sqlite-engine]
        print(f"SQLite {pysqlite3.dbapi2.sqlite_version}", flush=True)
    else:
        import sqlite3

        print(f"SQLite {sqlite3.sqlite_version}", flush=True)
    DBOS(config=config)
    DBOS.launch()
    print(f"result {ask()}", flush=True)
    DBOS.destroy()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
