"""``python -m cookbook_harness serve``: the test servers, by hand.

Starts the secure and insecure clusters exactly as the test session does,
prints the environment that reaches each, and stops them on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys

from .postgres import HarnessError, describe, running_servers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cookbook_harness")
    parser.add_argument("command", choices=["serve"])
    parser.add_argument(
        "--port-offset",
        type=int,
        default=0,
        help="add this to the ports in conf/ (for servers of your own beside a test run)",
    )
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
