#!/usr/bin/env python3
"""Opens the rendered Allure report in headless Chromium, as a person would, and checks that
the page shows the run's test count and failures as the JUnit XML has them."""

import argparse
import functools
import http.server
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--virtual-time-budget=15000", "--dump-dom"]


def counts(junit: str) -> tuple[int, int]:
    cases = list(ET.parse(junit).getroot().iter("testcase"))
    failed = sum(1 for c in cases if c.find("failure") is not None or c.find("error") is not None)
    return len(cases), failed


def page_text(report_dir: str) -> str:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=report_dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        sys.exit("check-report: no chromium on PATH (apt-get install chromium)")
    try:
        with tempfile.TemporaryDirectory() as profile:
            dom = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                                  f"http://127.0.0.1:{server.server_port}/"],
                                 capture_output=True, text=True, timeout=120).stdout
    finally:
        server.shutdown()
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("report_dir")
    ap.add_argument("junit")
    opts = ap.parse_args()
    total, failed = counts(opts.junit)
    text = page_text(opts.report_dir)
    problems = []
    if f"Total {total}" not in text:
        problems.append(f"the page does not show 'Total {total}'")
    if failed and not re.search(rf"(Failed|Broken) {failed}\b", text):
        problems.append(f"the page does not show {failed} failed")
    if not failed and re.search(r"\bFailed [1-9]", text):
        problems.append("the page shows failures the run did not have")
    if problems:
        print("check-report: " + "; ".join(problems) + f"\npage text: {text[:1500]}")
        return 1
    print(f"check-report: the rendered report shows {total} tests, {failed} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
