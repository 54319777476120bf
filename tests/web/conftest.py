"""A real server over the built-in sample, and Debian's Chromium driven by Playwright.

Skips (with the reason) when /usr/bin/chromium or the playwright package is missing: both are
installed by the Makefile's set-up where the machine allows (never `playwright install`, which
downloads a browser build of its own)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.api.conftest import Server, serve_sample

CHROMIUM = os.environ.get("PEPGRAPH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "web"


def _browser_or_skip() -> Any:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` (the Makefile's set-up does it where it can)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is missing: `pip install playwright` (never `playwright install`)")
    return sync_playwright


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    served = serve_sample(tmp_path_factory.mktemp("web"), "web")
    yield served
    served.proc.terminate()
    served.proc.wait(timeout=30)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    sync_playwright = _browser_or_skip()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


def sign_in(page: Any, web: Server, role: str = "analyst", next_path: str = "/ui/search") -> None:
    page.goto(web.url + next_path)
    assert "/login" in page.url, page.url  # a browser without a key is sent to sign in
    page.get_by_label("API key").fill(web.keys[role])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_path}*")


def shoot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(out), full_page=True)
    return out


def axe(page: Any) -> list[dict[str, Any]]:
    """Serious and critical accessibility violations, by the vendored axe-core."""
    # from the server, not inline: the pages' Content-Security-Policy allows only 'self' scripts
    page.add_script_tag(url="/ui/static/vendor/axe-core/axe.min.js")
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    bad = [v for v in found if v.get("impact") in ("serious", "critical")]
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n.get("target") for n in v.get("nodes", [])][:5]} for v in bad]


def check_axe(page: Any, name: str) -> None:
    bad = axe(page)
    assert not bad, f"{name}: " + json.dumps(bad, indent=1)
