"""Commands of the harness.

``python -m cookbook_harness serve`` starts the secure and insecure clusters
exactly as the test session does, prints the environment that reaches each,
and stops them on Ctrl-C.

``python -m cookbook_harness included-coverage DATA_FILE`` checks, after a
measured test run, that every Python line a page includes was executed.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
from pathlib import Path

from .postgres import HarnessError, describe, running_servers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cookbook_harness")
    parser.add_argument("command", choices=["serve", "included-coverage"])
    parser.add_argument("data_file", nargs="?", type=Path, help="coverage data (included-coverage)")
    parser.add_argument(
        "--port-offset",
        type=int,
        default=0,
        help="add this to the ports in conf/ (for servers of your own beside a test run)",
    )
    args = parser.parse_args(argv)
    if args.command == "included-coverage":
        return included_coverage(args.data_file)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        with running_servers(port_offset=args.port_offset) as servers:
            print(describe(servers), flush=True)
            for variant, cluster in servers.clusters.items():
                exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in cluster.client_env().items())
                print(f"# {variant}\nexport {exports}", flush=True)
            for variant, reason in servers.unavailable.items():
                print(f"# {variant}: {reason}", flush=True)
            signal.sigwait({signal.SIGINT, signal.SIGTERM})
    except HarnessError as exc:
        print(f"cookbook harness: {exc}", file=sys.stderr)
        return 2
    return 0


def included_coverage(data_file: Path) -> int:
    # Imported here: `serve` must work in an environment with psycopg alone.
    from . import included
    from .plugin import REPORT

    regions, problems = included.check(data_file)
    included.write_into_report(regions, REPORT)
    for page, counts in included.summary(regions).items():
        executed, statements = counts["executed"], counts["statements"]
        print(f"{page}: {executed}/{statements} included Python statements executed")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
