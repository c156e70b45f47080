"""DBOS on a SQLite system database, with a SQLite newer than the system's.

DBOS's SQLite schema needs SQLite 3.42 or newer. ``pysqlite3-binary``'s wheel
bundles its own recent SQLite: DBOS uses it through an SQLAlchemy engine built
on that driver. Run ``python dbos_on_sqlite.py``: the system database is
``dbos.sqlite`` in the working directory.
"""

import pysqlite3.dbapi2
import sqlalchemy
from dbos import DBOS, DBOSConfig

URL = "sqlite:///dbos.sqlite"


@DBOS.step()
def answer() -> int:
    return 42


@DBOS.workflow()
def ask() -> int:
    return answer()


def main() -> None:
    config: DBOSConfig = {
        "name": "sqlite-check",
        "system_database_url": URL,
        "system_database_engine": sqlalchemy.create_engine(URL, module=pysqlite3.dbapi2),
        # Quiet: at INFO, DBOS logs each of its schema migrations.
        "log_level": "WARNING",
    }
    DBOS(config=config)
    DBOS.launch()
    print(f"SQLite {pysqlite3.dbapi2.sqlite_version}: the workflow returned {ask()}")
    DBOS.destroy()


if __name__ == "__main__":
    main()
