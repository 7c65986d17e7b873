"""Drives the console in headless Chromium (Debian's chromium and chromium-driver, through selenium).

Run by Tests/ApplianceTests/ConsoleTests.swift with the pinned environment of
Tests/SearchConformance/requirements.txt:

    python dashboard.py CONSOLE_URL ARTIFACT_DIR INSERT_COMMAND LIVE_WEEK

1. Loads #/answers, waits for both charts to render and prints the bars of each as
   `BARS {"q1": [[week, value], ...], "q2": [...]}` (the Swift test compares them with SQLite).
2. Saves a screenshot (light theme) to ARTIFACT_DIR/console-answers.png.
3. Marks the window, runs INSERT_COMMAND (a shell command that inserts a row in a source), waits until the
   Q1 chart has a bar for LIVE_WEEK, checks the mark survived (no reload), prints `LIVE {"seconds": s}` and
   the bars again, and saves console-answers-live.png.
4. Visits every other page, saves a screenshot of each (dark theme for the pipeline), and on the SQL page
   runs a DELETE through the page and expects the page to show it was rejected.
Any browser console error fails the run. Exits non-zero (with the reason) on any failure.
"""
import json
import os
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

url, artifacts, insert_command, live_week = sys.argv[1:5]
os.makedirs(artifacts, exist_ok=True)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Debian's driver: selenium must not look for (or download) one of its own.
    return webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver"))


def bars(driver):
    return driver.execute_script("""
        const read = id => Array.from(document.querySelectorAll('#' + id + ' rect.bar'))
            .map(r => [r.getAttribute('data-week'), Number(r.getAttribute('data-value'))]);
        return {q1: read('q1-chart'), q2: read('q2-chart')};
    """)


seen_errors = []


def errors(driver, expected=()):
    """SEVERE browser log entries so far, except those naming one of `expected` (Chrome logs every 4xx
    response as "Failed to load resource", including the SQL page's expected 400)."""
    for entry in driver.get_log("browser"):
        if entry.get("level") == "SEVERE" and not any(text in entry.get("message", "") for text in expected):
            seen_errors.append(entry)
    return list(seen_errors)


def wait(driver, seconds, condition, what):
    try:
        WebDriverWait(driver, seconds, poll_frequency=0.05).until(lambda d: condition(d))
    except Exception:
        raise SystemExit(f"timed out after {seconds}s waiting for {what}; browser errors: {errors(driver)}")


driver = browser()
try:
    driver.get(url + "/#/answers")
    wait(driver, 30, lambda d: d.execute_script("return document.body.dataset.answersRendered === 'true'"), "the answers to render")
    wait(driver, 10, lambda d: len(bars(d)["q1"]) > 0 and len(bars(d)["q2"]) > 0, "bars in both charts")
    print("BARS " + json.dumps(bars(driver)), flush=True)
    driver.save_screenshot(os.path.join(artifacts, "console-answers.png"))

    driver.execute_script("window.__notReloaded = 'yes'")
    version = driver.execute_script("return document.body.dataset.answersVersion")
    subprocess.run(insert_command, shell=True, check=True)
    inserted = time.monotonic()
    wait(driver, 20, lambda d: any(week == live_week and value >= 1 for week, value in bars(d)["q1"]),
         f"a Q1 bar for the inserted week {live_week}")
    seconds = time.monotonic() - inserted
    if driver.execute_script("return window.__notReloaded") != "yes":
        raise SystemExit("the page reloaded to show the change")
    if driver.execute_script("return document.body.dataset.answersVersion") == version:
        raise SystemExit("the chart changed but data-answers-version did not")
    print("LIVE " + json.dumps({"seconds": round(seconds, 3)}), flush=True)
    print("BARS " + json.dumps(bars(driver)), flush=True)
    driver.save_screenshot(os.path.join(artifacts, "console-answers-live.png"))

    # Hovering a bar shows its week.
    rect = driver.find_element(By.CSS_SELECTOR, f"#q1-chart rect.bar[data-week='{live_week}']")
    webdriver.ActionChains(driver).move_to_element(rect).perform()
    wait(driver, 5, lambda d: live_week in d.execute_script(
        "return Array.from(document.querySelectorAll('[role=tooltip], .tooltip')).map(e => e.textContent).join(' ')"),
        "a tooltip naming the hovered week")

    for page in ("pipeline", "topics", "dead-letters", "search"):
        driver.get(url + "/#/" + page)
        wait(driver, 15, lambda d: len(d.find_element(By.TAG_NAME, "main").text.strip()) > 40, f"the {page} page")
        if page == "pipeline":
            wait(driver, 15, lambda d: "streaming" in d.find_element(By.TAG_NAME, "main").text, "a streaming source on the pipeline page")
            driver.execute_script("document.documentElement.dataset.theme = 'dark'")
        driver.save_screenshot(os.path.join(artifacts, f"console-{page}.png"))

    if errors(driver):
        raise SystemExit(f"browser console errors: {seen_errors}")
    driver.get(url + "/#/sql")
    wait(driver, 15, lambda d: len(d.find_elements(By.TAG_NAME, "textarea")) == 1, "the SQL editor")
    editor = driver.find_element(By.TAG_NAME, "textarea")
    editor.clear()
    editor.send_keys("DELETE FROM weekly_site_registrations")
    run = [b for b in driver.find_elements(By.TAG_NAME, "button") if b.text.strip().lower().startswith("run")]
    if not run:
        raise SystemExit("no Run button on the SQL page")
    run[0].click()
    wait(driver, 10, lambda d: "read-only" in d.find_element(By.TAG_NAME, "main").text.lower()
         and "only read-only statements" in d.find_element(By.TAG_NAME, "main").text, "the SQL page to show the write was rejected")
    driver.save_screenshot(os.path.join(artifacts, "console-sql.png"))

    severe = errors(driver, expected=("/api/v1/sql - Failed to load resource: the server responded with a status of 400",))
    if severe:
        raise SystemExit(f"browser console errors: {severe}")
    print("OK", flush=True)
finally:
    driver.quit()
