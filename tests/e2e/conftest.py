"""Browser tests: Chromium driven by Playwright (sync API) against pytest-django's live server.

Every test in this folder is marked ``browser``. The browser is the system Chromium
(``/usr/bin/chromium`` unless ``CHROMIUM_PATH`` says otherwise); a missing browser fails the
run instead of skipping it, so CI cannot go green without having run these tests.

Helpers for the tests live here too (import them from ``tests.e2e.conftest``):

* ``assert_accessible(page)`` runs axe-core and fails on serious or critical violations;
* the ``checks`` fixture screenshots each page to ``test-artifacts/screens/NAME.png`` and
  collects axe-core, reflow and untranslated-text problems (see ``PageChecks``);
* ``sign_in(page, base_url, username)`` signs in through the sign-in form.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio loop running in the test thread, which trips Django's
# "you cannot call this from an async context" guard on every ORM call the test makes itself.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

E2E_DIR = Path(__file__).resolve().parent
PROJECT_DIR = E2E_DIR.parents[1]
SCREENS_DIR = PROJECT_DIR / "test-artifacts" / "screens"

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
# A phone in an elderly resident's hand.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
# Fail fast: a page of this app answers in milliseconds.
TIMEOUT_MS = 10_000

# axe-core impacts that fail a test; "minor" and "moderate" are reported by axe but tolerated.
FAILING_IMPACTS = {"serious", "critical"}
# target-size (WCAG 2.2 AA) is spelled out so tap targets are checked whatever axe's default.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.path)).resolve().is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.one_database)


# --- Browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path():
    path = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {path!r}: the browser tests need it. Install Chromium "
            "(Debian: apt-get install chromium) or point CHROMIUM_PATH at a Chromium binary.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance, chromium_path):
    browser = playwright_instance.chromium.launch(
        executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser):
    """Open a fresh phone (own cookies, own session): ``new_page()`` returns its page."""
    contexts = []

    def make(**overrides):
        context = browser.new_context(**{**PHONE, **overrides})
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


# --- Data ------------------------------------------------------------------------------------


@pytest.fixture
def live_world(transactional_db):
    """``tests.conftest.World`` for live-server tests: the server thread must see committed rows."""
    from tests.conftest import World

    return World()


# --- Checks on each page --------------------------------------------------------------------

# The page itself must never scroll sideways on a phone (WCAG 1.4.10 Reflow); wide tables
# scroll inside their own box. Lists the elements sticking out, to say where to look.
_REFLOW_JS = r"""() => {
  const de = document.documentElement, vw = de.clientWidth;
  if (de.scrollWidth <= vw) return null;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right <= vw + 1 || r.width === 0) continue;
    if ([...el.children].some(c => c.getBoundingClientRect().right > vw + 1)) continue;
    const pos = getComputedStyle(el).position;
    let clipped = false;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') {
        clipped = pos !== 'absolute' && pos !== 'fixed';
        break;
      }
    }
    if (clipped) continue;
    const cls = typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().replace(/\s+/g, '.') : '';
    out.push(`${el.tagName.toLowerCase()}${cls} (${pos}) right edge at ${Math.round(r.right)}px: ` +
             JSON.stringify((el.textContent || '').trim().slice(0, 40)));
    if (out.length >= 5) break;
  }
  return {scrollWidth: de.scrollWidth, clientWidth: vw, culprits: out};
}"""

# In Chinese, the interface must not show English phrases (two Latin words in a row) left over
# from a missing translation. Code, elements marked with their own lang, and the licence's
# proper name are exempt; names in the test data are Chinese.
_ENGLISH_LEFT_JS = r"""() => {
  if (!document.documentElement.lang.startsWith('zh')) return [];
  const phrase = /[A-Za-z]{2,}[\s:,.'’]+[A-Za-z]{2,}/;
  const allowed = /GNU Affero/g;
  const exempt = el => el.closest('code, pre, script, style, template') ||
                       el.closest('[lang]') !== document.documentElement;
  const found = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.parentElement || exempt(node.parentElement)) continue;
    const text = node.textContent.replace(allowed, '').replace(/\s+/g, ' ').trim();
    if (phrase.test(text)) found.add(text.slice(0, 80));
  }
  for (const el of document.body.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
    if (exempt(el)) continue;
    for (const attr of ['aria-label', 'placeholder', 'title', 'alt']) {
      const value = el.getAttribute(attr);
      if (value && phrase.test(value.replace(allowed, ''))) {
        found.add(`${attr}="${value.slice(0, 60)}"`);
      }
    }
  }
  return [...found];
}"""


def _describe(violation: dict) -> str:
    lines = [
        f"[{violation['impact']}] {violation['id']}: {violation['help']}",
        f"    {violation['helpUrl']}",
    ]
    for node in violation["nodes"]:
        target = " ".join(str(t) for t in node["target"])
        summary = (node.get("failureSummary") or "").replace("\n", " ")
        lines.append(f"    - {target}\n      {node.get('html', '')[:200]}\n      {summary}")
    return "\n".join(lines)


def axe_problems(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, described."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        _describe(v) for v in results.response["violations"] if v.get("impact") in FAILING_IMPACTS
    ]


def assert_accessible(page) -> None:
    """Run axe-core on the page as it is now; fail on any serious or critical violation."""
    problems = axe_problems(page)
    if problems:
        pytest.fail(
            f"axe-core found {len(problems)} serious/critical accessibility problem(s) on "
            f"{page.url}:\n" + "\n".join(problems),
            pytrace=False,
        )


def reflow_problems(page) -> list[str]:
    found = page.evaluate(_REFLOW_JS)
    if not found:
        return []
    culprits = "".join(f"\n    - {c}" for c in found["culprits"]) or "\n    - (not found)"
    return [
        f"[reflow] the page scrolls sideways: {found['scrollWidth']}px of content in a "
        f"{found['clientWidth']}px wide phone screen. Sticking out:{culprits}"
    ]


def untranslated_problems(page) -> list[str]:
    return [
        f"[untranslated] English left on a Chinese page: {text!r}"
        for text in page.evaluate(_ENGLISH_LEFT_JS)
    ]


def screenshot(page, name: str) -> Path:
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENS_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True, scale="css")
    return path


class PageChecks:
    """Screenshot every page visited and check it; collect the problems, report them together.

    ``checks(page, "name")`` saves ``test-artifacts/screens/name.png`` and runs axe-core (serious
    and critical violations), the phone-width reflow check and, on Chinese pages, the
    untranslated-text check. A test ends with ``checks.assert_clean()``, so one run shows every
    page's problems, not only the first.
    """

    def __init__(self):
        self.problems: list[str] = []
        self.pages = 0
        self.reported = False

    def __call__(self, page, name: str) -> None:
        screenshot(page, name)
        self.pages += 1
        for problem in axe_problems(page) + reflow_problems(page) + untranslated_problems(page):
            self.problems.append(f"{name} <{page.url}>\n  {problem}")

    def assert_clean(self) -> None:
        self.reported = True
        if self.problems:
            pytest.fail(
                f"{len(self.problems)} problem(s) on the {self.pages} page(s) checked:\n\n"
                + "\n\n".join(self.problems),
                pytrace=False,
            )


@pytest.fixture
def checks():
    checker = PageChecks()
    yield checker
    if checker.problems and not checker.reported:
        # Shown with the failure when the test broke off before assert_clean().
        print("\n\n".join(checker.problems))


def sign_in(page, base_url: str, username: str, password: str | None = None) -> None:
    """Sign in through the form, as a person would; lands wherever the site sends them.

    Opens the sign-in page unless the page is already on it.
    """
    from tests.factories import PASSWORD

    if "/sign-in/" not in page.url:
        page.goto(f"{base_url}/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or PASSWORD)
    with page.expect_navigation():
        page.click("#password-form button[type=submit]")
    assert not page.url.endswith("/sign-in/"), f"signing in as {username} did not work"
