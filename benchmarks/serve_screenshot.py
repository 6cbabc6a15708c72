"""Draw docs/images/serve.png: the ``senga serve`` page in headless Chromium with two synthetic illustrations.

Run (needs Debian's chromium + chromium-driver and selenium, as the browser test)::

    python benchmarks/serve_screenshot.py                  # -> docs/images/serve.png
    python benchmarks/serve_screenshot.py --out /tmp/page.png --width 420 --height 900   # phone-sized

Starts ``python -m senga serve --port 0 --device cpu`` (bundled model),
uploads two ``senga synth`` illustrations (seeds 7 and 11) through the page,
waits until both are done and saves a screenshot of the window.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "images" / "serve.png"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1000)
    args = parser.parse_args()

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from senga.data.synth import generate_pair

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        files = []
        for seed, name in ((7, "girl.png"), (11, "portrait.png")):
            rgb, _ = generate_pair(seed, 512)
            Image.fromarray(rgb).save(tmp / name)
            files.append(tmp / name)
        log = tmp / "serve.log"
        with open(log, "w") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "senga", "serve", "--port", "0", "--device", "cpu"],
                stderr=err,
                stdout=subprocess.DEVNULL,
            )
        driver = None
        try:
            url = None
            while url is None:
                if proc.poll() is not None:
                    raise SystemExit(log.read_text())
                m = re.search(r"serving (http://\S+/) ", log.read_text())
                url = m.group(1) if m else None
                time.sleep(0.1)
            while True:
                try:
                    urllib.request.urlopen(url + "api/health", timeout=5).close()
                    break
                except OSError:
                    time.sleep(0.2)
            options = webdriver.ChromeOptions()
            options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
            for arg in (
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--window-size={args.width},{args.height}",
                f"--user-data-dir={tmp / 'profile'}",
            ):
                options.add_argument(arg)
            driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
            wait = WebDriverWait(driver, 300, poll_frequency=0.2)
            driver.get(url)
            wait.until(lambda d: d.execute_script("return document.body.dataset.ready === '1'"))
            driver.find_element(By.ID, "files").send_keys("\n".join(str(f) for f in files))
            wait.until(
                lambda d: len(d.find_elements(By.CSS_SELECTOR, '.card[data-state="done"]')) == len(files)
            )
            driver.execute_script(
                "document.querySelectorAll('.split').forEach(s => {s.value = 45; s.dispatchEvent(new Event('input'))})"
            )
            time.sleep(0.5)
            driver.save_screenshot(args.out)
        finally:
            if driver is not None:
                driver.quit()
            proc.terminate()
            proc.wait(30)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
