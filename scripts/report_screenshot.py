"""Screenshot of an HTML report page in headless chromium (the README's picture).

    python scripts/report_screenshot.py out/samples/report/docs/x.html shot.png \
        --anchor h-art-7
Needs Debian's chromium and chromium-driver (scripts/install-system.sh).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("page", type=Path)
    ap.add_argument("png", type=Path)
    ap.add_argument("--anchor", help="element id to scroll to")
    ap.add_argument("--size", default="1400,900", help="window width,height")
    args = ap.parse_args()
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"):
        opts.add_argument(arg)
    opts.add_argument(f"--window-size={args.size}")
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    try:
        driver.get(args.page.resolve().as_uri())
        if args.anchor:
            driver.execute_script(
                "document.getElementById(arguments[0]).scrollIntoView()", args.anchor
            )
        driver.save_screenshot(str(args.png))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
