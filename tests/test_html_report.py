from __future__ import annotations

import base64
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from batchfix import XSS, make_batch

from pipeline.batchread import load_batch
from pipeline.errors import BatchReadError
from pipeline.html_report import write_report
from pipeline.labels import load_labels

LABELS = load_labels().names
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


class _Tags(HTMLParser):
    """Tags with their attributes, and the text, of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(path: Path) -> _Tags:
    p = _Tags()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture
def report(tmp_path: Path):
    docs = make_batch(tmp_path)
    return docs, write_report(tmp_path)


def test_report_writes_a_page_per_document_and_the_sheets(report, tmp_path) -> None:
    docs, files = report
    assert files.index == tmp_path / "report" / "index.html"
    assert [p.relative_to(tmp_path / "report").as_posix() for p in files.documents] == [
        "docs/a.txt.html",
        "docs/sub/b.txt.html",
    ]
    assert {p.name for p in files.sheets} == {
        "components.csv",
        "clauses.csv",
        "failures.csv",
        "report.xlsx",
    }
    # the report folder is not read back as part of the batch
    assert len(load_batch(tmp_path).documents) == len(docs)


def test_pages_are_self_contained_and_escape_document_text(report) -> None:
    _, files = report
    for page in (files.index, *files.documents):
        tags = _parse(page)
        html = page.read_text(encoding="utf-8")
        # one script (ours), no resource from anywhere: links are local anchors
        # or relative pages
        assert [t for t, _ in tags.tags if t == "script"] == ["script"]
        assert not [t for t, _ in tags.tags if t in ("img", "link", "iframe")]
        for _, attrs in tags.tags:
            for key in ("src", "href"):
                value = attrs.get(key) or ""
                assert not re.match(r"[a-z]+:|//", value), value
        assert "http://" not in html.replace("http://example.invalid", "")
    doc_a = files.documents[0]
    text = "".join(_parse(doc_a).text)
    assert XSS in text  # shown as text
    assert "TREATY SERIES <b>No. 7</b>" in text  # furniture, escaped too


def test_document_page_outline_legend_highlights_and_review(report) -> None:
    docs, files = report
    tags = _parse(files.documents[0]).tags
    ids = {a["id"] for _, a in tags if a.get("id")}
    outline = [
        a["href"] for t, a in tags if t == "a" and a.get("href", "").startswith("#h-")
    ]
    assert len(outline) == 5  # title + Articles 1-4
    assert all(h[1:] in ids for h in outline)
    clauses = {
        a["id"]: a for _, a in tags if "clause" in (a.get("class") or "").split()
    }
    assert len(clauses) == len(docs["a.txt.json"]["clauses"])
    dispute = next(c for c in docs["a.txt.json"]["clauses"] if "dispute" in c["text"])
    attrs = clauses[f"c-{dispute['clause_id']}"]
    assert "lb-dispute_resolution" in attrs["class"]
    assert attrs["title"].startswith("dispute_resolution 0.93 (threshold 0.50)")
    tax = next(c for c in docs["a.txt.json"]["clauses"] if "tax" in c["text"])
    assert "review" in clauses[f"c-{tax['clause_id']}"]["class"].split()
    legend = [a for t, a in tags if t == "li" and "lb-" in (a.get("class") or "")]
    assert len(legend) == len(LABELS)
    pages = [a for t, a in tags if t == "span" and a.get("class") == "pages"]
    assert len(pages) == len(docs["a.txt.json"]["clauses"])


def test_batch_page_matrix_and_failures(report) -> None:
    _, files = report
    html = files.index.read_text(encoding="utf-8")
    tags = _parse(files.index)
    cells = [a for t, a in tags.tags if t == "td" and "on" in (a.get("class") or "")]
    # a.txt: 6 components, b.txt: 2 (see batchfix.RULES)
    assert len(cells) == 6 + 2
    links = {a["href"] for t, a in tags.tags if t == "a" and "href" in a}
    assert {"docs/a.txt.html", "docs/sub/b.txt.html", "report.xlsx"} <= links
    assert "in/bad.pdf: not a PDF" in html and "UnsupportedFormatError" in html
    assert "From the batch ledger." in html


def test_report_of_an_empty_folder_fails(tmp_path: Path) -> None:
    with pytest.raises(BatchReadError, match="no documents or error records"):
        write_report(tmp_path)


# ----- in a real browser (Debian's chromium through Selenium) -----------------


def _chrome(javascript: bool = True):
    """Debian's chromium, headless, through its own chromedriver; skipped when
    absent, except in CI, which installs it and must run these tests."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        reason = (
            "chromium and chromium-driver are not installed "
            "(scripts/install-system.sh installs them; `make test` runs it)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason + ": CI must run the browser tests")
        pytest.skip(reason)
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if not javascript:
        opts.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)


@pytest.fixture(scope="module")
def browser():
    driver = _chrome()
    try:
        yield driver
    finally:
        driver.quit()


def _errors(driver) -> list[dict]:
    """Script errors and console errors since the last call (the log is drained)."""
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_browser_renders_the_batch_page(browser, report) -> None:
    _, files = report
    browser.get(files.index.as_uri())
    assert _errors(browser) == []
    matrix = browser.find_elements("css selector", "table.matrix tbody tr")
    assert len(matrix) == 2
    on = browser.find_elements("css selector", "table.matrix td.on")
    assert len(on) == 8
    # the component colour is applied (CSS custom properties resolved)
    assert on[0].value_of_css_property("background-color") not in (
        "rgba(0, 0, 0, 0)",
        "rgb(255, 255, 255)",
    )
    assert len(browser.find_elements("css selector", "#legend li")) == len(LABELS)
    failures = browser.find_element("id", "failures").text
    assert "in/bad.pdf" in failures and "unsupported" in failures
    browser.find_element(
        "link text", "Agreement between Caldera and Norvik on Logistics Support"
    ).click()
    assert browser.current_url.endswith("docs/sub/b.txt.html")
    assert _errors(browser) == []


def test_browser_renders_a_document_page(browser, report, tmp_path) -> None:
    docs, files = report
    browser.get(files.documents[0].as_uri())
    outline = browser.find_elements("css selector", "nav#outline a")
    assert [a.text for a in outline][1:] == [
        "Article 1 \u2014 Definitions",
        "Article 2 \u2013 Exercises",
        "Article 3",
        "Article 4",
    ]
    outline[3].click()  # Article 3: the anchor resolves
    assert browser.current_url.endswith("#h-art-3")
    clauses = browser.find_elements("css selector", ".clause")
    assert len(clauses) == len(docs["a.txt.json"]["clauses"])
    dispute = browser.find_element("css selector", ".clause.lb-dispute_resolution")
    assert dispute.value_of_css_property("background-color") != "rgb(246, 247, 249)"
    assert "dispute_resolution 0.93" in dispute.get_attribute("title")
    assert browser.find_elements("css selector", ".clause.review")
    assert len(browser.find_elements("css selector", "#legend li")) == len(LABELS)
    assert "p. 1" in browser.find_element("css selector", ".clause .pages").text
    # the hostile clause is text: nothing ran, no element was made from it
    assert browser.execute_script("return window.__pwned") is None
    assert browser.execute_script("return document.scripts.length") == 1
    assert browser.execute_script("return document.images.length") == 0
    assert XSS in browser.find_element("id", "text").text
    # the script's filter: only the dispute_resolution clauses stay visible
    browser.find_element(
        "css selector", "#filter-label option[value=dispute_resolution]"
    ).click()
    shown = [
        c for c in browser.find_elements("css selector", ".clause") if c.is_displayed()
    ]
    assert len(shown) == sum(
        "dispute_resolution" in c["labels"] for c in docs["a.txt.json"]["clauses"]
    )
    assert _errors(browser) == []
    pdf = base64.b64decode(browser.print_page())
    assert pdf.startswith(b"%PDF")
    shot = tmp_path / "document.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


def test_browser_reads_the_page_without_javascript(report) -> None:
    _, files = report
    driver = _chrome(javascript=False)
    try:
        driver.get(files.documents[0].as_uri())
        visible = [
            c
            for c in driver.find_elements("css selector", ".clause")
            if c.is_displayed()
        ]
        assert len(visible) == len(driver.find_elements("css selector", ".clause")) > 0
        assert len(driver.find_elements("css selector", "nav#outline a")) == 5
        # the filter controls need the script: without it they stay hidden
        assert not driver.find_element("id", "controls").is_displayed()
    finally:
        driver.quit()
