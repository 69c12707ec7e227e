"""The chat page in a real headless Chromium (Debian's chromium + chromium-driver, driven by selenium).

The app runs with the local 1.5B model on a free loopback port. Screenshots of each page state are kept in
test-artifacts/ui/ for people to look at.
"""

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import MINSK_QUESTION, SEED_000, copy_seeds
from rag.factory import build_assistant
from rag.prompts import REFUSAL
from rag.settings import Settings
from test_app import free_port

pytestmark = pytest.mark.slow

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "ui"
# An article whose title and key sentence carry live HTML: the page must show it as text and run none of it.
HOSTILE = """---
title: Lviv council <script>window.ragPwned = 1</script> votes on tram fares
date: 2022-03-02
---
The Lviv city council voted on Wednesday to make tram rides free for refugees, under placards reading \
<img src=x onerror="window.ragPwned = 2"> and <script>window.ragPwned = 3</script> outside the council building.

The mayor said the fares would return in the summer.
"""


@pytest.fixture(scope="module")
def page_url(tmp_path_factory, embedder):
    """The app answering with the local 1.5B model over a private store of the seed articles, as the user's own
    collection (the bundled demo articles would leave the store with the first upload)."""
    folder = tmp_path_factory.mktemp("browser")
    yield from _serve(folder, "local", copy_seeds(folder / "articles"), embedder)


def _serve(folder, llm, articles, embedder, store=None):
    """The page over a private store of `articles` in `folder` (or over the `store` given, as it is), on a free
    loopback port: yields its address, then stops it."""
    import app

    settings = Settings(store=store or folder / "store", uploads=folder / "uploads", llm=llm)
    assistant = build_assistant(settings, embedder=embedder, seed_if_empty=False)
    if articles is not None:
        assistant.ingest([articles], progress=False)
    demo = app.build_app(assistant)
    options = app.launch_options(settings) | {"server_port": free_port()}
    demo.launch(prevent_thread_lock=True, quiet=True, **options)
    try:
        yield f"http://127.0.0.1:{options['server_port']}/"
    finally:
        demo.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        reason = "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        pytest.fail(reason) if os.environ.get("CI") else pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000", "--no-first-run",
        # Nothing but the page on loopback: no update checks, sync, or QUIC probes to the internet.
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver, seconds=60):
    """A wait that looks again when the page re-rendered an element under it (as streaming does)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,))


def _text(driver, selector):
    """The text of the first element matching `selector`, read in one step inside the page (or None)."""
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", selector
    )


def _one(driver, selector):
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, selector)
    return found[0] if found else None


def _tab(driver, name):
    from selenium.webdriver.common.by import By

    _wait(driver).until(lambda d: d.find_element(By.XPATH, f"//button[@role='tab' and normalize-space()='{name}']")).click()


def _ask(driver, question):
    from selenium.webdriver.common.keys import Keys

    box = _wait(driver).until(lambda d: _one(d, "#rag-question textarea"))
    box.send_keys(question)
    box.send_keys(Keys.ENTER)


def _open(driver, url):
    driver.get(url)
    _wait(driver).until(lambda d: _one(d, "#rag-question textarea"))


def test_sources_show_first_then_the_answer_streams_in_and_its_citation_shows_the_source(browser, page_url):
    _open(browser, page_url)
    _ask(browser, MINSK_QUESTION)
    asked = time.perf_counter()
    drafts: list[str] = []
    sources_first: list[tuple[float, bool]] = []  # (seconds after asking, was the answer there yet?)

    def answered(driver):
        if not sources_first and _one(driver, "#rag-sources .rag-found .rag-source"):
            sources_first.append((time.perf_counter() - asked, _one(driver, "#rag-chat .rag-answer") is not None))
            driver.save_screenshot(str(ARTIFACTS / "sources-first.png"))
        draft = _text(driver, "#rag-chat .rag-draft")
        if draft and (not drafts or drafts[-1] != draft):
            drafts.append(draft)
        return _one(driver, "#rag-chat .rag-answer")

    answer = _wait(browser, 300).until(answered)
    # The passages, with the best sentence marked, were on screen before the model's answer was.
    assert sources_first and sources_first[0][1] is False, sources_first
    print(f"sources on screen {sources_first[0][0]:.2f} s after asking; answer after {time.perf_counter() - asked:.1f} s")
    assert len(drafts) >= 2 and drafts[-1].startswith(drafts[0]), drafts  # the text grew as the model wrote it
    assert "Minsk" in answer.text
    link = answer.find_element("css selector", "a.rag-cite")
    assert "Minsk" in link.get_attribute("title")  # hovering shows the quote
    link.click()
    card_id = link.get_attribute("href").split("#", 1)[1]
    card = _wait(browser, 5).until(lambda d: _one(d, f"#{card_id}.rag-flash"))
    marked = card.find_element("css selector", "mark").text
    assert "Minsk" in marked and marked in card.find_element("css selector", ".rag-passage").text
    assert "2022-02-25" in card.find_element("css selector", ".rag-source-head").text
    assert browser.execute_script("return window.location.href") == page_url  # the click did not navigate away
    browser.save_screenshot(str(ARTIFACTS / "answer.png"))


def test_a_refusal_is_plainly_a_refusal_with_what_was_searched(browser, page_url):
    _open(browser, page_url)
    _ask(browser, "Who won the 2022 FIFA World Cup?")
    refusal = _wait(browser, 120).until(lambda d: _one(d, "#rag-chat .rag-refusal"))
    assert refusal.text == REFUSAL
    assert "Searched for: “Who won the 2022 FIFA World Cup?”" in _one(browser, "#rag-chat .rag-searched").text
    assert "Not answered" in _one(browser, "#rag-sources").text and _one(browser, "#rag-chat a.rag-cite") is None
    browser.save_screenshot(str(ARTIFACTS / "refusal.png"))

    # A date filter that leaves no article: the Minsk question is refused, and the page says what limited it.
    from selenium.webdriver.common.by import By

    browser.find_element(By.ID, "rag-new").click()
    _wait(browser).until(lambda d: _one(d, "#rag-chat .rag-refusal") is None and "Sources appear here" in _text(d, "#rag-sources"))
    browser.find_element(By.XPATH, "//*[normalize-space()='Settings' and (self::button or self::span)]").click()
    _wait(browser).until(lambda d: _one(d, "#rag-since textarea, #rag-since input")).send_keys("2023-01-01")
    _ask(browser, MINSK_QUESTION)
    searched = _wait(browser, 120).until(lambda d: _one(d, "#rag-chat .rag-searched")).text
    assert searched == f"Searched for: “{MINSK_QUESTION}” (limited to dates 2023-01-01 to any)"


def test_an_uploaded_article_with_html_shows_as_text_and_runs_nothing_then_is_deleted(browser, page_url, tmp_path):
    from selenium.webdriver.common.by import By

    article = tmp_path / "lviv_placards.txt"
    article.write_text(HOSTILE, encoding="utf-8")
    _open(browser, page_url)
    _tab(browser, "Documents")
    _wait(browser).until(lambda d: SEED_000 in d.find_element(By.ID, "rag-documents").text)
    browser.find_element(By.CSS_SELECTOR, "#rag-upload input[type=file]").send_keys(str(article))
    _wait(browser).until(lambda d: "lviv_placards" in d.find_element(By.ID, "rag-upload").text)  # uploaded
    browser.find_element(By.ID, "rag-add").click()
    _wait(browser).until(lambda d: "1 added" in d.find_element(By.ID, "rag-added").text)
    table = browser.find_element(By.ID, "rag-documents").text
    assert "lviv_placards" in table and "Lviv council <script>window.ragPwned = 1</script> votes on tram fares" in table
    assert "3 documents" in browser.find_element(By.ID, "rag-caption").text

    _tab(browser, "Ask")
    browser.find_element(By.XPATH, "//*[normalize-space()='Settings' and (self::button or self::span)]").click()
    _wait(browser).until(lambda d: d.find_element(By.XPATH, "//label[normalize-space()='No model: quote the best sentences']")).click()
    _wait(browser).until(lambda d: "answers by no model" in d.find_element(By.ID, "rag-info").text)
    _ask(browser, "What did the Lviv city council vote for on Wednesday?")
    answer = _wait(browser).until(lambda d: _one(d, "#rag-chat .rag-answer"))
    assert '<img src=x onerror="window.ragPwned = 2"> and <script>window.ragPwned = 3</script>' in answer.text
    sources = browser.find_element(By.ID, "rag-sources").text
    assert "Lviv council <script>window.ragPwned = 1</script> votes on tram fares" in sources
    time.sleep(0.5)  # give an injected onerror handler the time it would need to fire
    assert browser.execute_script("return window.ragPwned") is None
    assert browser.find_elements(By.CSS_SELECTOR, "#rag-chat img, #rag-sources img, #rag-sources script") == []
    browser.save_screenshot(str(ARTIFACTS / "escaped.png"))

    _tab(browser, "Documents")
    browser.find_element(By.CSS_SELECTOR, "#rag-doomed input").click()
    _wait(browser).until(lambda d: _one(d, "#rag-doomed li[role=option][aria-label=lviv_placards]")).click()
    browser.find_element(By.ID, "rag-delete").click()
    _wait(browser).until(lambda d: "Deleted" in d.find_element(By.ID, "rag-removed").text)
    assert browser.find_element(By.ID, "rag-removed").text == (
        "Deleted lviv_placards (1 chunk); deleted its uploaded file lviv_placards.txt."
    )
    assert "lviv_placards" not in browser.find_element(By.ID, "rag-documents").text
    assert "2 documents" in browser.find_element(By.ID, "rag-caption").text


@pytest.fixture(scope="module")
def news_page_url(tmp_path_factory, embedder):
    """The app quoting (no model) over a story told by several outlets over months (tests/test_news.py)."""
    from conftest import write_articles
    from test_news import BRIDGE, FIELD

    folder = tmp_path_factory.mktemp("news-page")
    yield from _serve(folder, "extractive", write_articles(folder / "articles", BRIDGE + FIELD), embedder)


def test_articles_that_disagree_are_marked_and_old_evidence_is_flagged_on_the_page(browser, news_page_url):
    from test_news import KILLED

    _open(browser, news_page_url)
    _ask(browser, KILLED)
    sides = _wait(browser, 120).until(lambda d: _one(d, "#rag-chat .rag-disagree")).text
    assert "The articles give different figures (oldest first" in sides
    assert sides.index("12 — Harbor Bridge collapses") < sides.index("15 — Death toll rises")  # oldest first
    assert "2022-03-01 · CNN" in sides and "2022-03-03 · USA TODAY" in sides
    chat = _one(browser, "#rag-chat").text
    assert "Newest evidence: 2022-03-03" in chat
    assert "The newest article on this is from 3 March 2022" in chat  # asked today, years later
    browser.save_screenshot(str(ARTIFACTS / "disagreement.png"))


def test_a_timeline_question_gets_dated_lines_in_order_on_the_page(browser, news_page_url):
    _open(browser, news_page_url)
    _ask(browser, "What happened with the Harbor Bridge in Portmill?")
    timeline = _wait(browser, 120).until(lambda d: _one(d, "#rag-chat .rag-timeline")).text
    lines = timeline.splitlines()
    assert len(lines) >= 3 and [line[:10] for line in lines] == sorted(line[:10] for line in lines), lines
    assert lines[0].startswith("2022-03-01: At least 12 people were killed")
    browser.save_screenshot(str(ARTIFACTS / "timeline.png"))


# The example answers of docs/news.md, asked on the page over the whole news2022 store (docs/examples/*.json are
# the same questions through `ask --json`). The store takes an hour to build, so these run only where one is
# named: RAG_NEWS2022_STORE=/path/to/store python -m pytest tests/test_browser.py -k news2022
NEWS2022_STORE = os.environ.get("RAG_NEWS2022_STORE")


@pytest.fixture(scope="module")
def news2022_page_url(tmp_path_factory, embedder):
    if not NEWS2022_STORE:
        pytest.skip("no news2022 store named: set RAG_NEWS2022_STORE to a store of ../shared/bench/news2022")
    folder = tmp_path_factory.mktemp("news2022-page")
    yield from _serve(folder, "extractive", None, embedder, store=Path(NEWS2022_STORE))


def _ask_as_of(driver, url, question, day):
    """`question` asked on a fresh page as of `day` (Settings → Asked as of)."""
    from selenium.webdriver.common.by import By

    _open(driver, url)
    driver.find_element(By.XPATH, "//button[normalize-space()='Settings'] | //span[normalize-space()='Settings']").click()
    _wait(driver).until(lambda d: _one(d, "#rag-as-of textarea, #rag-as-of input")).send_keys(day)
    _ask(driver, question)


@pytest.mark.parametrize("example, day, question, shown", [
    ("disagreement", "2022-12-13", "How many people were killed in the Halloween crowd crush in Itaewon, Seoul?",
     ".rag-disagree"),
    ("freshness", "2022-03-15", "Why did Sudanese Prime Minister Abdalla Hamdok resign?", ".rag-warning"),
    ("timeline", "2022-12-31", "What happened with Elon Musk's bid to buy Twitter?", ".rag-timeline"),
])
def test_news2022_example_answers_on_the_page(browser, news2022_page_url, example, day, question, shown):
    """The page shows what `ask --json` gives for the same question (docs/examples/EXAMPLE.json)."""
    expected = json.loads((Path(__file__).resolve().parent.parent / "docs" / "examples" / f"{example}.json").read_text())
    _ask_as_of(browser, news2022_page_url, question, day)
    part = _wait(browser, 120).until(lambda d: _one(d, f"#rag-chat {shown}")).text
    chat = _one(browser, "#rag-chat").text
    assert f"Newest evidence: {expected['evidence_date']}" in chat
    if example == "disagreement":
        for side in expected["disagreement"]:
            assert side["value"] in part and side["citation"]["date"] in part
    elif example == "freshness":
        assert expected["warnings"][0] in part
    else:
        days = [line[:10] for line in part.splitlines()]
        assert days == [line[:10] for line in expected["text"].splitlines()], days
    browser.execute_script("document.querySelector('#rag-chat .rag-answer').scrollIntoView({block: 'start'});")
    browser.save_screenshot(str(ARTIFACTS / f"news2022-{example}.png"))
