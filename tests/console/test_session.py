"""The console covers the whole product: buttons pressed by number with Slack's confirm step,
forms asked field by field with the modal's validation, an admin demo user, login after
logout. Each test runs the real demo (simulator, SQLite, scheduler) from a script."""

from __future__ import annotations

import asyncio
import io
import os

from bot.console.terminal import StreamTerminal
from tests.console.demo_script import after, demo, number_of


async def test_a_typed_stop_is_confirmed_by_pressing_its_stop_button() -> None:
    # Before: the [Stop] [Cancel] buttons were drawn and nothing could press them.
    out = await demo("create jupyter:4.4-py3.7-cpu name=nb", "stop nb")
    stop = number_of(out, "Stop")
    out = await demo("create jupyter:4.4-py3.7-cpu name=nb", "stop nb", stop, "status nb")
    assert "Stopping nb" in after(out, f"scnet> {stop}")
    assert "Stopping nb" not in after(out, "scnet> status nb")


async def test_the_cards_stop_button_asks_slacks_confirm_question_first() -> None:
    out = await demo("create jupyter:4.4-py3.7-cpu name=nb", "status nb")
    stop = number_of(out, "Stop")
    lines = ("create jupyter:4.4-py3.7-cpu name=nb", "status nb", stop, "n", stop, "y")
    out = await demo(*lines)
    first = after(out, f"scnet> {stop}")
    assert "Stop nb?" in first  # the dialog's title, then its question
    assert "Type y to Stop, anything else to Cancel: n" in first
    denied, confirmed = first.split(f"scnet> {stop}", 1)
    assert "Stopping" not in denied
    assert "Stopping nb" in confirmed


async def test_the_create_form_shows_the_modals_error_under_its_field_and_asks_it_again() -> None:
    # image, name, type, gpus, cpus, ram, then timeout, group, tasks, port, mount, script, desc
    fields = ["1", "nb", "", "", "", "1G0", "", "", "", "", "", "", ""]
    out = await demo("create", *fields, "16G")
    assert "┌─ Create an instance ─┐" in out
    error = after(out, "Description (optional): ")
    assert error.lstrip("\n").startswith("⚠️ 1G0 is not a memory size for ram")  # as the modal
    assert "Memory (optional) [1G0]: 16G" in error  # only that field is asked again
    assert "Creating nb" in error


async def test_a_required_field_left_empty_is_refused_as_slack_refuses_it() -> None:
    out = await demo("create", "", "/cancel")
    assert "⚠️ This field is required." in out
    assert "Cancelled." in out


async def test_login_works_again_after_logout_with_the_demo_keys_the_banner_names() -> None:
    banner = await demo()
    assert "access key AK-demo, secret key SK-demo" in banner
    switch = "1"  # the login form's only button: use AK/SK instead of a token
    keys = ["demo", "AK-demo", "SK-demo", "y"]  # user, AK, SK, keep them to renew the token
    out = await demo("logout", "whoami", "login", switch, "", *keys, "whoami")
    assert "Logged out" in out
    assert "You are not logged in to SCNet" in after(out, "scnet> whoami")
    form = after(out, "scnet> login")
    assert "SecretKey (SK): •••••••" in form  # secrets are not echoed
    assert "SK-demo" not in form
    assert "✅ Logged in as demo." in after(form, "Token renewal")
    assert "SCNet user: demo" in after(form, "scnet> whoami")


async def test_the_demo_user_is_an_admin_and_the_banner_says_so() -> None:
    out = await demo("audit 5", "quota set gpus=8", "links")
    assert "are an admin here" in out
    assert "Only admins" not in out


async def test_a_pressed_number_that_is_no_button_says_so() -> None:
    out = await demo("42")
    assert "There is no button 42" in out


async def test_home_shows_the_app_home_with_pressable_buttons() -> None:
    out = await demo("home")
    assert "┌─ Home ─┐" in out
    assert "[1 " in after(out, "scnet> home")


async def test_the_forms_line_is_gone_and_zh_forms_say_optional_in_chinese() -> None:
    out = await demo("lang zh", "create", "1", "/cancel")
    assert "Forms open in Slack" not in out
    assert "（可选）" in out
    assert "(optional)" not in out


async def test_a_notice_while_the_prompt_waits_draws_the_prompt_again() -> None:
    read, write = os.pipe()
    shown = io.StringIO()
    terminal = StreamTerminal(os.fdopen(read, encoding="utf-8"), out=shown)
    asking = asyncio.ensure_future(terminal.ask("scnet> "))
    await asyncio.sleep(0)
    terminal.write("✅ nb is running")
    os.write(write, b"list\n")
    assert await asyncio.wait_for(asking, 5) == "list"
    os.close(write)
    assert shown.getvalue() == "scnet> \n✅ nb is running\nscnet> "
