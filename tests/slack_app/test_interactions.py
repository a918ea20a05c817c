"""Modals, buttons and App Home through the real Bolt app and the fake Slack."""

from __future__ import annotations

from bot.slack.blocks import ids
from bot.store import accounts, audit
from bot.store.identity import SlackUser
from tests.fake_slack.models import JSON
from tests.slack_app.conftest import SlackWorld

AI = "/ai/openapi/v2/instance-service"


async def test_login_modal_opens_at_once_and_its_submission_logs_in(world: SlackWorld) -> None:
    answer = await world.send(world.slack.slash_command(world.alice.id, "login"))
    assert answer.status == 200
    await world.slack.wait_for("views.open")
    (modal,) = world.slack.open_modals(world.alice.id)
    assert modal["callback_id"] == "login"
    token = world.scnet.sim.issue_token("alice")
    submission = world.slack.view_submission(world.alice.id, modal["id"], {"value": token})
    assert (await world.send(submission)).status == 200
    await world.slack.wait_for("chat.postEphemeral")
    (dm,) = world.slack.messages_to(world.alice.id)
    assert "alice" in dm.all_text()
    assert token not in dm.all_text()
    user = SlackUser(world.slack.team.id, world.alice.id)
    async with world.runtime.db.transaction() as session:
        summary = await accounts.get_summary(session, user)
    assert summary is not None
    assert summary.identity.scnet_user == "alice"


async def test_the_login_modal_switches_to_aksk_in_place(world: SlackWorld) -> None:
    await world.send(world.slack.slash_command(world.alice.id, "login", channel_id=world.channel))
    await world.slack.wait_for("views.open")
    (modal,) = world.slack.open_modals(world.alice.id)
    press = world.slack.block_action(world.alice.id, ids.LOGIN_SWITCH_MODE, view_id=modal["id"])
    assert (await world.send(press)).status == 200
    await world.slack.wait_for("views.update")
    assert world.slack.count("views.update", ok=True) == 1  # the view's own id and hash
    (switched,) = world.slack.open_modals(world.alice.id)
    assert switched["id"] == modal["id"]
    blocks = [block.get("block_id") for block in switched["blocks"]]
    assert ids.LOGIN_AK_BLOCK in blocks
    assert ids.LOGIN_SK_BLOCK in blocks
    assert ids.LOGIN_TOKEN_BLOCK not in blocks
    assert switched["private_metadata"] == modal["private_metadata"] == world.channel
    back = world.slack.block_action(world.alice.id, ids.LOGIN_SWITCH_MODE, view_id=modal["id"])
    await world.send(back)
    await world.slack.wait_for("views.update", count=2)
    (again,) = world.slack.open_modals(world.alice.id)
    assert ids.LOGIN_TOKEN_BLOCK in [block.get("block_id") for block in again["blocks"]]


async def test_a_bad_token_in_the_modal_is_refused_and_nothing_stored(world: SlackWorld) -> None:
    await world.send(world.slack.slash_command(world.alice.id, "login"))
    await world.slack.wait_for("views.open")
    (modal,) = world.slack.open_modals(world.alice.id)
    submission = world.slack.view_submission(world.alice.id, modal["id"], {"value": "eyJnope"})
    await world.send(submission)
    await world.slack.wait_for("chat.postEphemeral")
    (dm,) = world.slack.messages_to(world.alice.id)
    assert "eyJnope" not in dm.all_text()
    async with world.runtime.db.transaction() as session:
        summary = await accounts.get_summary(
            session, SlackUser(world.slack.team.id, world.alice.id)
        )
    assert summary is None


async def test_create_without_an_image_opens_the_form_then_fills_in_images(
    world: SlackWorld,
) -> None:
    await world.log_in(world.alice)
    await world.send(world.slack.slash_command(world.alice.id, "create gpus=2"))
    await world.slack.wait_for("views.update")
    (modal,) = world.slack.open_modals(world.alice.id)
    assert modal["callback_id"] == "create"
    text = str(modal["blocks"])
    assert "jupyter:4.4-py3.7-cpu" in text


async def test_card_buttons_refresh_and_restart(world: SlackWorld) -> None:
    await world.log_in(world.alice)
    await world.command(world.alice, "create jupyter:4.4-py3.7-cpu name=nb4")
    (instance,) = world.scnet.sim.instances.values()
    world.scnet.sim.set_status(instance.id, "Failed")
    card = (await world.command(world.alice, "status nb4"))[-1]
    assert "Failed" in card.all_text()
    before = len(world.slack.response_posts())
    await world.send(world.slack.block_action(world.alice.id, "instance.restart", message=card))
    await world.slack.wait_for("response_url", count=before + 1)
    assert world.scnet.sim.instance(instance.id).status == "Waiting"
    async with world.runtime.db.transaction() as session:
        entries = await audit.latest(session, world.slack.team.id)
    assert [e.action for e in entries][:2] == ["restart", "create"]
    assert all(e.outcome == "ok" for e in entries)


async def test_app_home_is_published_once_per_event_even_when_retried(world: SlackWorld) -> None:
    await world.log_in(world.alice)
    event = world.slack.app_home_opened(world.alice.id)
    assert (await world.send(event)).status == 200
    await world.slack.wait_for("views.publish")
    assert (await world.send(event, retry_num=1)).status == 200
    # The retry is acked but does nothing: still one publish once its listener has finished.
    await world.settle()
    assert world.slack.count("views.publish") == 1
    home = world.slack.home_view(world.alice.id)
    assert home is not None
    assert "alice" in str(home["blocks"])


async def open_create_form(
    world: SlackWorld, image: str, *, channel_id: str | None = None
) -> tuple[JSON, JSON]:
    """Type ``/scnet create``; the form once its images are in, and ``image``'s option."""
    await world.send(world.slack.slash_command(world.alice.id, "create", channel_id=channel_id))
    await world.slack.wait_for("views.update")
    (modal,) = world.slack.open_modals(world.alice.id)
    select = next(b for b in modal["blocks"] if b.get("block_id") == "create.image")["element"]
    options = [o for g in select.get("option_groups", [select]) for o in g["options"]]
    return modal, next(o for o in options if image in o["text"]["text"])


async def test_the_create_form_creates_what_was_chosen(world: SlackWorld) -> None:
    await world.log_in(world.alice)
    modal, chosen = await open_create_form(world, "jupyter:4.4-py3.7-cpu", channel_id=world.channel)
    values = {"create.image": chosen["value"], "create.name": "from-form", "create.gpus": "1"}
    submission = world.slack.view_submission(world.alice.id, modal["id"], values)
    assert (await world.send(submission)).status == 200
    await world.slack.wait_for("chat.postEphemeral")
    (instance,) = world.scnet.sim.instances.values()
    assert instance.spec.name == "from-form"
    assert instance.spec.version == "jupyter:4.4-py3.7-cpu"
    assert "from-form" in world.last_reply(world.alice).all_text()


async def test_the_create_form_reports_bad_fields_in_place(world: SlackWorld) -> None:
    await world.log_in(world.alice)
    await world.send(world.slack.slash_command(world.alice.id, "create"))
    await world.slack.wait_for("views.update")
    (modal,) = world.slack.open_modals(world.alice.id)
    select = next(b for b in modal["blocks"] if b.get("block_id") == "create.image")["element"]
    first = next(o for g in select.get("option_groups", [select]) for o in g["options"])
    values = {"create.image": first["value"], "create.timeout": "soon"}
    answer = await world.send(world.slack.view_submission(world.alice.id, modal["id"], values))
    body = answer.json()
    assert body["response_action"] == "errors"
    assert "create.timeout" in body["errors"]
    assert "soon" in body["errors"]["create.timeout"]
    assert "`" not in body["errors"]["create.timeout"]  # Slack shows these as plain text
    assert world.scnet.sim.instances == {}


async def test_a_retried_create_form_submission_creates_one_instance(world: SlackWorld) -> None:
    await world.log_in(world.alice)
    modal, chosen = await open_create_form(world, "jupyter:4.4-py3.7-cpu")
    values = {"create.image": chosen["value"], "create.name": "once"}
    submission = world.slack.view_submission(world.alice.id, modal["id"], values)
    assert (await world.send(submission)).status == 200
    await world.slack.wait_for("chat.postEphemeral")
    assert (await world.send(submission, retry_num=1)).status == 200
    await world.command(world.alice, "help")
    assert len(world.scnet.sim.instances) == 1


async def test_a_retried_button_press_restarts_once(world: SlackWorld) -> None:
    await world.log_in(world.alice)
    await world.command(world.alice, "create jupyter:4.4-py3.7-cpu name=r1")
    (instance,) = world.scnet.sim.instances.values()
    world.scnet.sim.set_status(instance.id, "Failed")
    card = (await world.command(world.alice, "status r1"))[-1]
    press = world.slack.block_action(world.alice.id, "instance.restart", message=card)
    before = len(world.slack.response_posts())
    await world.send(press)
    await world.slack.wait_for("response_url", count=before + 1)
    await world.send(press, retry_num=1)
    await world.command(world.alice, "help")
    restarts = world.scnet.sim.requests.count("POST", f"{AI}/task/actions/restart")
    assert restarts == 1
