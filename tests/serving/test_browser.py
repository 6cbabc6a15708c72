"""End to end in a real headless Chromium (Selenium + Debian's chromium and chromium-driver).

Starts ``senga serve`` (the bundled model) on a free port, uploads a generated
illustration, five small JPEGs and a broken file through the page at once,
waits for the results, checks their sizes and the broken file's error,
switches the style (every result follows), downloads one PNG and the ZIP, and
compares the download with ``senga extract`` on the same file. Skips when Chromium, its
driver or Selenium is missing (``.ci/run`` installs them).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="no Chromium browser (apt-get install chromium chromium-driver)"
    ),
    pytest.mark.skipif(CHROMEDRIVER is None, reason="no chromedriver (apt-get install chromium-driver)"),
]
selenium = pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[test]')")
pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install -e '.[serve]')")

from selenium import webdriver  # noqa: E402 - after the importorskip above
from selenium.common.exceptions import SessionNotCreatedException  # noqa: E402 - after the importorskip above
from selenium.webdriver.chrome.service import Service  # noqa: E402 - after the importorskip above
from selenium.webdriver.common.by import By  # noqa: E402 - after the importorskip above
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402 - after the importorskip above

TIMEOUT_S = 120


@contextlib.contextmanager
def _serve(log: Path, *extra: str, token: str | None = None) -> Iterator[str]:
    """``senga serve --port 0 EXTRA`` in a subprocess; yields its URL once it answers."""
    cmd = [sys.executable, "-m", "senga", "serve", "--port", "0", "--device", "cpu", *extra]
    with open(log, "w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, text=True)
    try:
        url = None
        deadline = time.monotonic() + TIMEOUT_S
        while url is None:
            assert proc.poll() is None, f"senga serve exited: {log.read_text()}"
            assert time.monotonic() < deadline, f"senga serve did not start: {log.read_text()}"
            m = re.search(r"serving (http://\S+/) ", log.read_text())
            url = m.group(1) if m else None
            time.sleep(0.1)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        while True:  # the socket is bound before the model loads; wait for answers
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(url + "api/health", headers=headers), timeout=5
                ) as r:
                    if r.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, f"no answer from {url}: {log.read_text()}"
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``senga serve --port 0`` (the bundled model); yields its URL."""
    with _serve(tmp_path_factory.mktemp("serve") / "serve.log") as url:
        yield url


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = None
    for attempt in range(3):  # a loaded machine sometimes fails to start Chromium: try a fresh profile
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--window-size=1280,1000",
            f"--user-data-dir={tmp_path / f'profile{attempt}'}",
        ):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        options.add_experimental_option(
            "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
        )
        service = Service(
            executable_path=CHROMEDRIVER, log_output=str(tmp_path / f"chromedriver{attempt}.log")
        )
        try:
            driver = webdriver.Chrome(options=options, service=service)
            break
        except SessionNotCreatedException:
            if attempt == 2:
                raise
            time.sleep(2)
    assert driver is not None
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.set_page_load_timeout(TIMEOUT_S)
    driver.downloads = downloads  # type: ignore[attr-defined]  # our own attribute on the driver
    try:
        yield driver
    finally:
        driver.quit()


def _wait_for_file(folder: Path, name: str) -> Path:
    path = folder / name
    deadline = time.monotonic() + TIMEOUT_S
    while not (path.is_file() and not list(folder.glob("*.crdownload"))):
        assert time.monotonic() < deadline, f"no download {name}: {os.listdir(folder)}"
        time.sleep(0.1)
    time.sleep(0.2)
    return path


def _card(driver: webdriver.Chrome, name: str):
    for el in driver.find_elements(By.CSS_SELECTOR, "#cards .card"):
        if el.find_element(By.CSS_SELECTOR, ".name").text == name:
            return el
    return None


def test_upload_style_download_in_a_real_browser(
    server: str, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    from senga.cli.main import main
    from senga.data.synth import generate_pair

    rgb, _ = generate_pair(7, 256)
    src = tmp_path / "illustration.png"
    Image.fromarray(rgb[:192]).save(src)  # 256 wide, 192 high: catches swapped axes
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    small = []  # a folder's worth: more files than the page sends at once
    for i in range(5):
        small.append(tmp_path / f"small{i}.jpg")
        Image.fromarray(rgb[i * 40 : i * 40 + 48, :64]).save(small[-1], quality=90)

    wait = WebDriverWait(browser, TIMEOUT_S, poll_frequency=0.1)
    browser.get(server)
    wait.until(lambda d: d.execute_script("return document.body.dataset.ready === '1'"))
    with urllib.request.urlopen(server + "api/health", timeout=30) as r:
        styles = json.load(r)["styles"]
    radios = [el.get_attribute("value") for el in browser.find_elements(By.CSS_SELECTOR, "input[name=style]")]
    assert radios == styles  # the page offers exactly the library's styles
    missing = [e["message"] for e in browser.get_log("browser") if "404" in e["message"]]
    assert missing == [], missing  # e.g. no /favicon.ico 404
    browser.find_element(By.ID, "files").send_keys("\n".join(str(p) for p in (src, broken, *small)))

    wait.until(
        lambda d: (c := _card(d, "illustration.png")) is not None and c.get_attribute("data-state") == "done"
    )
    wait.until(
        lambda d: (c := _card(d, "broken.png")) is not None and c.get_attribute("data-state") == "error"
    )
    for p in small:
        wait.until(
            lambda d, name=p.name: (
                (c := _card(d, name)) is not None and c.get_attribute("data-state") == "done"
            )
        )
        el = _card(browser, p.name)
        assert (el.get_attribute("data-width"), el.get_attribute("data-height")) == ("64", "48")
    assert browser.find_element(By.ID, "summary").text == "6 done, 1 failed"
    failed = _card(browser, "broken.png")
    error = failed.find_element(By.CSS_SELECTOR, ".status").text
    assert error.startswith("broken.png: ") and ("truncated" in error or "not an image" in error), error
    for part in (".viewer", ".split", ".zoom", ".download"):  # an error card has no result to show
        assert not failed.find_element(By.CSS_SELECTOR, part).is_displayed(), part
    done = _card(browser, "small0.jpg")
    for part in (".viewer", ".split", ".zoom", ".download"):
        assert done.find_element(By.CSS_SELECTOR, part).is_displayed(), part
    card = _card(browser, "illustration.png")
    size = browser.execute_script(
        "const img = arguments[0].querySelector('.result');"
        "return img.complete ? [img.naturalWidth, img.naturalHeight] : null;",
        card,
    )
    assert size == [256, 192]

    browser.find_element(By.CSS_SELECTOR, "input[name=style][value=controlnet]").click()
    wait.until(lambda d: card.get_attribute("data-style") == "controlnet")
    for p in small:  # every finished result is restyled
        wait.until(
            lambda d, name=p.name: _card(d, name).get_attribute("data-style") == "controlnet"
        )  # cards exist
    card.find_element(By.CSS_SELECTOR, ".zoom").click()  # 100% view and keyboard-reachable controls work
    assert card.find_element(By.CSS_SELECTOR, ".zoom").get_attribute("aria-pressed") == "true"
    browser.save_screenshot(str(tmp_path / "page.png"))
    card.find_element(By.CSS_SELECTOR, ".download").click()
    downloaded = _wait_for_file(browser.downloads, "illustration_lines.png")

    expected = tmp_path / "cli.png"
    assert (
        main(["extract", str(src), "-o", str(expected), "--style", "controlnet", "--device", "cpu", "-q"])
        == 0
    )
    got = np.asarray(Image.open(downloaded))
    want = np.asarray(Image.open(expected))
    assert got.shape == want.shape == (192, 256)
    np.testing.assert_array_equal(got, want)

    browser.find_element(By.ID, "zip").click()
    archive = _wait_for_file(browser.downloads, "senga_lines.zip")
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == ["illustration_lines.png"] + [f"small{i}_lines.png" for i in range(5)]
        assert zf.read("illustration_lines.png") == downloaded.read_bytes()
    assert (tmp_path / "page.png").stat().st_size > 10_000
    for style in (s for s in styles if s not in ("black", "controlnet")):  # every other style restyles too
        browser.find_element(By.CSS_SELECTOR, f"input[name=style][value={style}]").click()
        wait.until(lambda d, style=style: card.get_attribute("data-style") == style)
        assert not card.find_element(By.CSS_SELECTOR, ".status").text.startswith("Style not applied"), style


def test_keyboard_reaches_the_file_picker_and_style_controls(server: str, browser: webdriver.Chrome) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.get(server)
    WebDriverWait(browser, TIMEOUT_S).until(
        lambda d: d.execute_script("return document.body.dataset.ready === '1'")
    )
    reached = []
    for _ in range(14):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        el = browser.switch_to.active_element
        reached.append(el.get_attribute("id") or el.get_attribute("name") or el.tag_name)
    assert {"files", "style", "gamma", "drop_below"} <= set(reached), reached
    # arrow keys move the focused slider: the style controls work without a mouse
    browser.execute_script("document.querySelector('input[name=gamma]').focus()")
    ActionChains(browser).send_keys(Keys.ARROW_LEFT).perform()
    assert browser.find_element(By.ID, "gamma-out").text == "0.97"


def test_the_page_works_behind_a_token(browser: webdriver.Chrome, tmp_path: Path) -> None:
    token = "browser-test-token"
    with _serve(tmp_path / "serve.log", "--token", token, token=token) as url:
        wait = WebDriverWait(browser, TIMEOUT_S, poll_frequency=0.1)
        browser.get(url)  # without the token: the server answers 401, no page
        assert "needs its token" in browser.page_source
        browser.get(f"{url}?token={token}")  # the URL senga serve prints: sets the cookie, shows the page
        wait.until(lambda d: d.execute_script("return document.body.dataset.ready === '1'"))
        assert browser.current_url == url
        src = tmp_path / "one.png"
        Image.fromarray(np.full((40, 56, 3), 230, np.uint8)).save(src)
        browser.find_element(By.ID, "files").send_keys(str(src))  # the page's uploads carry the cookie
        wait.until(
            lambda d: (c := _card(d, "one.png")) is not None and c.get_attribute("data-state") == "done"
        )
        assert (
            _card(browser, "one.png").get_attribute("data-width"),
            _card(browser, "one.png").get_attribute("data-height"),
        ) == ("56", "40")
