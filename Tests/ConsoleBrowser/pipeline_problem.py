"""The pipeline page with a source down (Tests/ApplianceTests/ConsoleTests.swift stops the source's server
first): python pipeline_problem.py CONSOLE_URL ARTIFACT_DIR SOURCE

Waits until the page's banner says it is not ready and lists `source SOURCE: not connected`, checks that
the banner and the source's card are marked as problems (the red styles), and saves
ARTIFACT_DIR/console-pipeline-source-down.png. Exits non-zero with the reason otherwise."""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

url, artifacts, source = sys.argv[1:4]
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
    options.add_argument(argument)
driver = webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver"))
try:
    driver.get(url + "/#/pipeline")
    wanted = f"source {source}: not connected"
    try:
        WebDriverWait(driver, 30, poll_frequency=0.1).until(
            lambda d: wanted in d.find_element(By.TAG_NAME, "main").text and "Not ready" in d.find_element(By.TAG_NAME, "main").text)
    except Exception:
        raise SystemExit(f"the pipeline page never showed '{wanted}': {driver.find_element(By.TAG_NAME, 'main').text[:800]}")
    banner_bad = driver.execute_script("return Array.from(document.querySelectorAll('.banner.bad')).some(e => e.offsetParent !== null)")
    card_bad = driver.execute_script(
        "return Array.from(document.querySelectorAll('article.card.problem')).some(e => e.textContent.includes(arguments[0]))", source)
    driver.save_screenshot(os.path.join(artifacts, "console-pipeline-source-down.png"))
    if not banner_bad or not card_bad:
        raise SystemExit(f"the problem does not stand out: red banner {banner_bad}, source card marked {card_bad}")
    print("OK", flush=True)
finally:
    driver.quit()
