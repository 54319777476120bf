"""The web pages in a real browser (Debian's Chromium, driven by Playwright) against a real server
on loopback over the built-in sample: sign in, search as you type, a profile, the graph, the
review page's judgements; a screenshot of every page in artifacts/web/ and no serious or
critical axe-core violation on any."""

from __future__ import annotations

import csv
import json
import re
import sqlite3

from pepgraph.api.access import access_path
from tests.api.conftest import Server
from tests.web.conftest import check_axe, shoot, sign_in


def test_sign_in_refuses_a_bad_key_then_accepts_a_good_one(web: Server, page) -> None:
    page.goto(web.url + "/ui/search")
    assert "/login" in page.url
    check_axe(page, "login")
    shoot(page, "01-login")
    page.get_by_label("API key").fill("pgk_wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("That key is unknown")
    page.get_by_label("API key").fill(web.keys["reader"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/ui/search")
    cookie = next(c for c in page.context.cookies() if c["name"] == "pepgraph_key")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    # a reader has no Review link, and the review page says why
    assert page.get_by_role("link", name="Review").count() == 0
    page.goto(web.url + "/ui/review")
    assert "needs the analyst role" in page.inner_text("main")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    assert not [c for c in page.context.cookies() if c["name"] == "pepgraph_key"]


def test_search_as_you_type_filters_and_profile(web: Server, page) -> None:
    sign_in(page, web, "reader")
    check_axe(page, "search (empty)")
    page.get_by_label("Name").press_sequentially("sidoren", delay=30)
    page.wait_for_selector(".hit")
    hits = page.locator(".hit .caption").all_inner_texts()
    assert "Ivan Petrovich Sidorenko" in hits and "Elena Sidorenko" in hits
    assert "q=sidoren" in page.url  # the address follows the box
    assert "contains every word" in page.locator(".hit .why").first.inner_text()
    # a facet narrows the results, and says its counts
    pep = page.get_by_role("checkbox", name=re.compile(r"^PEP \d"))
    assert pep.count() == 1
    pep.check()
    page.wait_for_function("() => document.querySelectorAll('.hit').length === 1")
    assert page.locator(".hit .caption").all_inner_texts() == ["Ivan Petrovich Sidorenko"]
    check_axe(page, "search")
    shoot(page, "02-search")
    # Cyrillic finds the same person
    page.get_by_role("checkbox", name=re.compile(r"^PEP \d")).uncheck()
    page.get_by_label("Name").fill("Сидоренко")
    page.wait_for_function("() => [...document.querySelectorAll('.hit .why')].some(e => e.textContent.includes('Cyrillic'))")
    page.get_by_role("link", name="Elena Sidorenko").click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "Elena Sidorenko"
    main = page.inner_text("main")
    assert "Елена Викторовна Сидоренко" in main and "Cyrillic" in main
    assert "RCA" in main and "spouse" in main
    check_axe(page, "profile")
    shoot(page, "03-profile-rca")
    page.get_by_role("link", name="Ivan Petrovich Sidorenko").first.click()
    page.wait_for_selector(".timeline")
    main = page.inner_text("main")
    assert "Deputy Minister of Transport" in main and "reg-p1" in main and "san-3" in main  # merged records
    check_axe(page, "profile (PEP)")
    shoot(page, "04-profile-pep")


def test_graph_expands_and_exports(web: Server, page) -> None:
    sign_in(page, web, "reader")
    ivan = web.request("GET", "/ui/search.json?q=ivan+sidorenko").json()["results"][0]["id"]
    # one link per node: the hub cap leaves some out, and "Expand selected" fetches the rest
    page.goto(f"{web.url}/ui/entities/{ivan}/graph?limit=1")
    page.wait_for_function("() => window.pepgraphCy && window.pepgraphCy.nodes().length > 1")
    assert "capped" in page.locator("#graph-status").inner_text()
    before = page.evaluate("() => window.pepgraphCy.nodes().length")
    # by keyboard: pick the person in the list, then Expand
    page.get_by_role("button", name="Ivan Petrovich Sidorenko").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Expand selected").click()
    page.wait_for_function(f"() => window.pepgraphCy.nodes().length > {before}")
    labels = page.evaluate("() => window.pepgraphCy.edges().map(e => e.data('label'))")
    assert "spouse" in labels
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download GraphML").click()
    graphml = open(dl.value.path(), encoding="utf-8").read()
    assert graphml.startswith("<?xml") and "spouse" in graphml and f'id="{ivan}"' in graphml
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download PNG").click()
    assert open(dl.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    check_axe(page, "graph")
    shoot(page, "05-graph")
    # depth 2 from the form
    page.get_by_label("Depth").select_option("2")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**depth=2*")
    page.wait_for_function("() => window.pepgraphCy && window.pepgraphCy.nodes().length > 1")


def test_review_records_a_judgement_by_keyboard(web: Server, page) -> None:
    sign_in(page, web, "analyst", "/ui/review")
    pairs = page.locator(".pair")
    assert pairs.count() >= 1
    first = pairs.first
    left, right = first.get_attribute("data-left"), first.get_attribute("data-right")
    check_axe(page, "review")
    shoot(page, "06-review")
    page.keyboard.press("d")
    page.wait_for_function("() => document.querySelector('.pair .done').textContent.startsWith('Recorded')")
    with sqlite3.connect(access_path(web.db)) as con:
        rows = con.execute("SELECT key_name, left_id, right_id, judgement FROM pending_judgements").fetchall()
    assert ("web-analyst", left, right, "different") in rows
    # the button path works too, on the next pair
    if pairs.count() > 1:
        pairs.nth(1).get_by_role("button", name="Unsure").click()
        page.wait_for_function("() => document.querySelectorAll('.pair.judged').length === 2")


def test_screening_statistics_datasets_methodology(web: Server, page) -> None:
    sign_in(page, web, "reader", "/ui/screen")
    page.get_by_label("Name").fill("Иван Сидоренко")
    page.get_by_label("Birth date").fill("1961")
    page.get_by_role("button", name="Screen", exact=True).click()
    page.wait_for_url("**name=*")
    shown = page.locator(".hit .caption").all_inner_texts()
    # the page runs the screener as POST /match does: the same candidates
    query = {"schema": "Person", "properties": {"name": ["Иван Сидоренко"], "birthDate": ["1961"]}}
    api = web.request("POST", "/match/default?limit=10&cutoff=0.3", body={"queries": {"q": query}}).json()
    assert shown == [r["caption"] for r in api["responses"]["q"]["results"]]
    if shown:  # plain words for the transliterated name and the birth year
        top = page.locator(".hit").first.inner_text()
        assert "Ivan Petrovich Sidorenko" in top and "transliterated from Cyrillic" in top and "year" in top
    check_axe(page, "screening")
    shoot(page, "07-screening")
    for path, name, text in (("/ui/statistics", "08-statistics", "PEPs by status"),
                             ("/ui/datasets", "09-datasets", "sample_registry"),
                             ("/ui/methodology", "10-methodology", "How to ask for a correction")):
        page.goto(web.url + path)
        assert text in page.inner_text("main"), path
        check_axe(page, path)
        shoot(page, name)


def test_json_twins_headers_and_audit(web: Server) -> None:
    res = web.request("GET", "/ui/search.json?q=sidorenko")
    assert res.status == 200 and res.json()["total"] >= 2
    same = web.request("GET", "/ui/search?q=sidorenko", headers={"Accept": "application/json"}).json()
    assert same["results"] == res.json()["results"]
    ivan = res.json()["results"][0]["id"]
    for path in (f"/ui/entities/{ivan}.json", f"/ui/entities/{ivan}/graph.json", "/ui/statistics.json",
                 "/ui/datasets.json", "/ui/methodology.json", "/ui/screen.json?name=Ivan+Sidorenko"):
        reply = web.request("GET", path)
        assert reply.status == 200 and reply.headers["content-type"].startswith("application/json"), path
    assert web.request("GET", "/ui/review.json").status == 403  # readers do not review
    assert web.request("GET", "/ui/review.json", key="analyst").status == 200
    assert web.request("GET", "/ui/search.json", key=None).status == 401  # scripts get the envelope
    # minors: only admins may ask for them
    assert web.request("GET", "/ui/search.json?q=sidorenko&include_minors=true").status == 403
    assert web.request("GET", "/ui/search.json?q=sidorenko&include_minors=true", key="admin").status == 200
    assert web.request("GET", "/").headers["location"] == "/ui/search"
    html = web.request("GET", "/ui/search", key=None, headers={"Accept": "text/html"})
    assert html.status == 303 and html.headers["location"].startswith("/login?next=")
    page = web.request("GET", f"/ui/entities/{ivan}")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    # a source id answers with the canonical profile
    moved = web.request("GET", "/ui/entities/reg-p1.json")
    assert moved.status == 308 and moved.headers["location"] == f"/ui/entities/{ivan}.json"
    entries = web.request("GET", "/audit?limit=200", key="admin").json()["entries"]
    seen = [e for e in entries if e["endpoint"] == "/ui/search.json" and (e["query"] or {}).get("q") == "sidorenko"
            and e["key"] == "web-reader" and e["status"] == 200]
    assert seen and all(ivan in e["returned"] for e in seen)
    assert json.dumps(entries)  # readable


def test_batch_upload_progress_and_download(web: Server, page, tmp_path) -> None:
    names = ["Ivan Sidorenko", "Elena Sidorenko", "Nobody Atall", "Ahmad Karimi"] * 10
    upload = tmp_path / "customers.csv"
    upload.write_text("customer_ref,name,dob\n" + "".join(f"c{i},{n},1961\n" for i, n in enumerate(names)), encoding="utf-8")
    sign_in(page, web, "analyst", "/ui/screen/batch")
    check_axe(page, "batch form")
    page.get_by_label("Customer file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and screen").click()
    page.wait_for_url("**/ui/screen/batch/*")
    download = page.get_by_role("link", name="Download results (CSV)")
    download.wait_for(state="visible", timeout=60_000)
    assert page.locator("#progress").get_attribute("max") == str(len(names))
    assert "done: 40 of 40" in page.locator("#job-status").inner_text()
    check_axe(page, "batch progress")
    shoot(page, "11-batch")
    with page.expect_download() as dl:
        download.click()
    assert dl.value.suggested_filename == "customers-screened.csv"
    rows = list(csv.DictReader(open(dl.value.path(), encoding="utf-8")))
    assert {r["query_row"] for r in rows} == {str(i + 1) for i in range(len(names))}
    assert {"candidate_id", "score", "explanation", "customer_ref"} <= set(rows[0])
    # a reader may not run batches, nor read this one; its analyst and admins may
    job = page.url.rsplit("/", 1)[-1]
    assert web.request("GET", "/ui/screen/batch.json").status == 403
    assert web.request("GET", f"/ui/screen/batch/{job}.json").status == 403
    assert web.request("GET", f"/ui/screen/batch/{job}.json", key="admin").json()["job"]["status"] == "done"
    assert [j["id"] for j in web.request("GET", "/ui/screen/batch.json", key="analyst").json()["jobs"]] == [job]
