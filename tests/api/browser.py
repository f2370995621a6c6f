"""Headless Chromium (Debian) for page tests: offline (every name but loopback unresolvable), the DOM after scripts
ran, and the console lines Chromium logged (CSP violations are reported there)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

CSP_VIOLATION = re.compile(r"Content Security Policy|Refused to (load|execute|apply)", re.IGNORECASE)


@dataclass
class Page:
    """What Chromium saw: the serialised DOM and its log."""

    dom: str
    log: str

    @property
    def csp_violations(self) -> list[str]:
        """Log lines that report a blocked resource."""
        return [line for line in self.log.splitlines() if CSP_VIOLATION.search(line)]

    @property
    def drawn_features(self) -> int:
        """Vector features Leaflet drew (SVG paths of interactive layers)."""
        return len(re.findall(r"<path[^>]*leaflet-interactive", self.dom))


def load(url: str, budget_ms: int = 8000, lang: str = "en") -> Page:
    """Load `url` in headless Chromium without network (loopback only) and let its scripts run for `budget_ms`."""
    binary = shutil.which("chromium")
    assert binary, "chromium is missing: `make test-deps` installs it"
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        proc = subprocess.run(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={profile}",
             "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--proxy-server=direct://",
             "--enable-logging=stderr", "--v=0", f"--lang={lang}", f"--virtual-time-budget={budget_ms}",
             "--dump-dom", url],
            capture_output=True, text=True, timeout=120)
    return Page(proc.stdout, proc.stderr)
