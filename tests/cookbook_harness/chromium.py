"""The Chromium the browser tests and the preview benchmark drive (through Playwright).

Playwright cannot download its own browser here, so both use the system's:
``CHROMIUM``, default /usr/bin/chromium (Debian's ``apt-get install chromium``).
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Debian's Chromium as root in a container: no sandbox, no GPU, and none of the
# background traffic (updates, sync) that would leave the machine.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
