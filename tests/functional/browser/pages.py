"""Steps a person takes in the browser, shared by the journeys."""

from __future__ import annotations

from pathlib import Path

from tests.factories import PASSWORD

SHOTS = Path(__file__).parent / "screenshots"  # kept as test artefacts when a browser test fails


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
