"""The demo page in a real browser (Debian's Chromium under Selenium): coordinator, executor
and parent on one screen, as a visitor would click through it. Screenshots go to the test's
temporary folder (and to DEMO_SCREENSHOTS, when set, to look at them).

Skipped, with the reason, where Chromium and its driver are not installed
(`apt-get install chromium chromium-driver`).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from demo.web import serve
from demo.world import DemoWorld

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="no browser: apt-get install chromium chromium-driver (Debian) to run it",
)

WAIT = 30.0
FORWARD = "Далее|Готово|Дальше"
TASK_BUTTON = "[data-testid^='button-'][data-callback^='tsk']"
OWN_ROADMAP = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "roadmaps"
    / "docx"
    / "lyceum-diaries-2023-2028.docx"
)
Element = Any


@pytest.fixture
async def demo_url(tmp_path: Path) -> AsyncIterator[str]:
    world = await DemoWorld.start(tmp_path / "demo")
    runner, port = await serve(world, 0)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        await runner.cleanup()
        await world.close()


def _browser() -> Any:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(argument)
    service = webdriver.ChromeService(executable_path=DRIVER)
    return webdriver.Chrome(options=options, service=service)


class Page:
    """The demo page seen through the browser: what a visitor reads and clicks."""

    def __init__(self, driver: Any, shots: list[Path]) -> None:
        self.driver = driver
        self.shots = shots

    def until(self, found: Callable[[], Any], what: str) -> Any:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                result = found()
            except StaleElementReferenceException:
                result = None  # redrawn under our feet: look again
            if result:
                return result
            time.sleep(0.1)
        self.shoot("timeout")
        raise AssertionError(f"timed out waiting for {what}")

    def shoot(self, name: str) -> None:
        for folder in self.shots:
            folder.mkdir(parents=True, exist_ok=True)
            self.driver.save_screenshot(str(folder / f"{name}.png"))

    def bot_messages(self, phone: str) -> list[Element]:
        return self.driver.find_elements(
            By.CSS_SELECTOR, f"#chat-{phone} [data-from='bot'][data-testid^='message-']"
        )

    def count(self, phone: str) -> int:
        return len(self.bot_messages(phone))

    def type(self, phone: str, text: str) -> None:
        field = self.driver.find_element(By.ID, f"input-{phone}")
        field.clear()
        field.send_keys(text)
        self.driver.find_element(By.ID, f"send-{phone}").click()

    def new_message(self, phone: str, after: int, pattern: str) -> Element:
        """The first bot message on this phone past the first `after` whose text matches."""

        def found() -> Element | None:
            for message in self.bot_messages(phone)[after:]:
                if re.search(pattern, message.text):
                    return message
            return None

        return self.until(found, f"«{pattern}» on the {phone} phone")

    def button(self, message: Element, label: str) -> Element:
        for button in message.find_elements(By.CSS_SELECTOR, "[data-testid^='button-']"):
            if label in button.text:
                return button
        raise AssertionError(f"no button «{label}» in: {message.text}")

    def edited(self, message: Element, before: str) -> Element:
        return self.edited_id(message.get_attribute("data-testid"), before)

    def edited_id(self, testid: str, before: str | None) -> Element:
        """The message once its edit count is no longer `before` (it is drawn anew each time:
        found again by its test id, never held)."""

        def again() -> Element | None:
            current = self.driver.find_element(By.CSS_SELECTOR, f"[data-testid='{testid}']")
            return current if current.get_attribute("data-edits") != before else None

        return self.until(again, f"an edit of {testid}")

    def current(self, testid: str) -> tuple[str, str, list[str]]:
        """(text, edit count, button labels) of a message, read in one go."""

        def read() -> tuple[str, str, list[str]] | None:
            message = self.driver.find_element(By.CSS_SELECTOR, f"[data-testid='{testid}']")
            buttons = message.find_elements(By.CSS_SELECTOR, "[data-testid^='button-']")
            return message.text, message.get_attribute("data-edits"), [b.text for b in buttons]

        return self.until(read, testid)

    def press(self, testid: str, label: str) -> None:
        def click() -> bool:
            message = self.driver.find_element(By.CSS_SELECTOR, f"[data-testid='{testid}']")
            self.button(message, label).click()
            return True

        self.until(click, f"«{label}» in {testid}")


def _answer_the_survey(page: Page) -> str:
    """Whatever the questions: the first choice, a few words, then «Отправить»."""
    page.driver.find_element(By.ID, "survey-link").click()
    intro = page.new_message("parent", 0, "Начать|[Оо]прос")
    testid = intro.get_attribute("data-testid")
    text, edits, _labels = page.current(testid)
    page.press(testid, "Начать")
    page.edited_id(testid, edits)
    for _ in range(60):
        text, edits, labels = page.current(testid)
        if "Спасибо" in text:
            return text
        if any("Отправить" in label for label in labels):
            page.press(testid, "Отправить")
        elif any(word in text for word in ("Напишите", "сообщением")):
            page.type("parent", "Всё понравилось")
        else:
            forward = [lb for lb in labels if re.search("Далее|Готово|Дальше", lb)]
            options = [
                lb for lb in labels if not re.search("Назад|Далее|Готово|Дальше|Пропустить", lb)
            ]
            chosen = any(lb.startswith(("✓", "✅", "☑", "✔")) for lb in options)
            if forward and (chosen or not options):
                page.press(testid, forward[0])
            else:
                page.press(testid, options[0])
        page.edited_id(testid, edits)
    raise AssertionError(f"the survey did not end: {text}")


def _journey(url: str, shots: list[Path]) -> None:
    driver = _browser()
    page = Page(driver, shots)
    try:
        driver.get(url)
        page.until(lambda: driver.find_elements(By.ID, "chat-coordinator"), "the page")
        page.shoot("1-start")

        # The coordinator asks how things stand.
        before = page.count("coordinator")
        page.type("coordinator", "/status")
        status = page.new_message("coordinator", before, r"✅ ?\d")
        assert re.search(r"✅ ?\d", status.text)
        page.shoot("2-status")

        # A visitor's own roadmap, uploaded as the coordinator: the importer's preview.
        before = page.count("coordinator")
        picker = driver.find_element(By.ID, "file-coordinator")
        driver.execute_script("arguments[0].style.display = 'block'", picker)
        picker.send_keys(str(OWN_ROADMAP))
        preview = page.new_message("coordinator", before, "Предпросмотр")
        page.button(preview, "Импортировать")
        page.shoot("2b-own-roadmap-preview")

        # The executor opens her tasks, marks one done, sends a link as the evidence.
        before = page.count("executor")
        page.type("executor", "/tasks")
        listing = page.new_message("executor", before, "Мои задачи")
        task = listing.find_elements(
            By.CSS_SELECTOR, "[data-testid^='button-'][data-callback^='tsk']"
        )[0]
        edits = listing.get_attribute("data-edits")
        task.click()
        card = page.edited(listing, edits)
        edits = card.get_attribute("data-edits")
        page.button(card, "Выполнено").click()
        asked = page.edited(card, edits)
        told_before = page.count("coordinator")
        if "Без отчёта" in asked.text or "ссылку" in asked.text:
            page.type("executor", "https://school2.ru/docs/prikaz-123.pdf")
        page.new_message("executor", 0, "выполнено")
        notice = page.new_message("coordinator", told_before, "выполнено")
        assert "выполнено" in notice.text
        page.shoot("3-done-and-told")

        # The parent opens the survey link and answers to the thank-you.
        thanks = _answer_the_survey(page)
        assert "Спасибо" in thanks
        page.shoot("4-survey-thanks")

        # The next morning: the day moves on, the reminders come.
        day = driver.find_element(By.ID, "day").text
        driver.find_element(By.ID, "next-day").click()
        page.until(lambda: driver.find_element(By.ID, "day").text != day, "the next day")
        page.shoot("5-next-day")
    finally:
        driver.quit()


async def test_a_visitor_plays_all_three_phones(demo_url: str, tmp_path: Path) -> None:
    shots = [tmp_path / "screenshots"]
    if os.environ.get("DEMO_SCREENSHOTS"):
        shots.append(Path(os.environ["DEMO_SCREENSHOTS"]))
    # Selenium blocks: it runs in a thread while this loop serves the page and the bot.
    await asyncio.to_thread(_journey, demo_url, shots)
    assert (tmp_path / "screenshots" / "4-survey-thanks.png").exists()
