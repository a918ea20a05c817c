"""The interactive console: type ``/scnet ...`` lines, read the replies as text, press buttons.

The same ``Conversation`` that answers Slack answers here, through the same entry points:
``command`` for a typed line, ``action`` for a button, ``read_create_form`` /
``submit_create`` / ``submit_login`` for a form, ``home`` for the App Home. The replies are
the same Block Kit, rendered by ``bot.console.text``:

- every drawn button gets a number (``[3 Stop]``); typing it presses the button, after the
  same confirm dialog Slack shows for it; numbers stay valid, so an older card's buttons work;
- a form (``/scnet create``, ``/scnet login``, the Home's buttons) is asked field by field
  (``bot.console.forms``), with the modal's validation and errors;
- ``home`` shows the App Home tab; ``quit``, Ctrl-D and Ctrl-C leave (Ctrl-C also while a
  command runs: it is cancelled).

``scnet-bot demo`` runs it against the embedded simulator with a demo user already logged in;
``scnet-bot console`` runs it against the configured SCNet.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Sequence
from itertools import count
from typing import Final

from bot.domain.commands import Login
from bot.domain.i18n import DEFAULT_LOCALE, Locale, translate
from bot.domain.notices import Delivery, TargetUnavailable
from bot.slack.blocks import build_login_modal, ids, read_create_submission, read_login_submission
from bot.slack.blocks.modals import LoginMode
from bot.slack.blocks.watch_notices import build_delivery
from bot.slack.conversation import Conversation, Invocation, Message, Modal, Reply, notice

from .forms import YES, FormFiller, Pressed, State, Submitted
from .terminal import Terminal
from .text import Json, Style, render_blocks, render_view, text_of

PROMPT: Final = "scnet> "
QUIT: Final = frozenset({"quit", "exit", ":q"})
HOME: Final = "home"


def strip_command(line: str, command: str) -> str:
    """``/scnet images gpu`` and ``images gpu`` both mean ``images gpu``."""
    text = line.strip()
    for prefix in (command, command.lstrip("/")):
        if text == prefix:
            return ""
        if text.startswith(prefix + " "):
            return text[len(prefix) + 1 :]
    return text


class ConsoleSender:
    """The watcher's notices to the console user, printed: the demo's stand-in for a DM.

    The console has no channels and no other users: a notice for anyone else is refused
    (and so marked dead), never reported as sent. ``render`` draws the blocks (a session's
    numbers its buttons, so a notice's Restart can be pressed).
    """

    def __init__(
        self,
        user_id: str,
        *,
        command: str,
        write: Callable[[str], None] = print,
        render: Callable[[Sequence[object]], str] = render_blocks,
    ) -> None:
        self._user_id = user_id
        self._command = command
        self._write = write
        self._render = render

    async def send(self, delivery: Delivery) -> None:
        if delivery.target.user_id != self._user_id:
            raise TargetUnavailable("not_in_console")
        blocks, _ = build_delivery(delivery, command=self._command)
        self._write("\n" + self._render(blocks))


class ConsoleSession:
    """One user at one terminal; ``invocation`` is asked afresh for every line, so that
    ``lang zh`` takes effect at once."""

    def __init__(
        self,
        conversation: Conversation,
        invocation: Callable[[], Awaitable[Invocation]],
        terminal: Terminal,
    ) -> None:
        self._conversation = conversation
        self._invocation = invocation
        self._terminal = terminal
        self._buttons: dict[int, Json] = {}
        self._next = count(1)
        self._locale: Locale = DEFAULT_LOCALE

    # --- drawing ----------------------------------------------------------------------------

    def _number(self, element: Json) -> int | None:
        if not element.get("action_id") and not element.get("url"):
            return None
        number = next(self._next)
        self._buttons[number] = element
        return number

    def render(self, blocks: Sequence[object]) -> str:
        """``blocks`` as text, each button numbered so that typing the number presses it."""
        return render_blocks(blocks, self._style())

    def write_notice(self, text: str) -> None:
        """For ``ConsoleSender``: a notice arriving while the prompt waits."""
        self._terminal.write(text)

    # --- the loop ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Until ``quit``, the end of the input, or Ctrl-C (also while a command runs)."""
        loop = asyncio.get_running_loop()
        work = asyncio.ensure_future(self._loop())
        interrupted = False

        def interrupt() -> None:
            nonlocal interrupted
            interrupted = True
            work.cancel()

        try:
            loop.add_signal_handler(signal.SIGINT, interrupt)
            handled = True
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
            handled = False
        try:
            with self._terminal.session():
                await work
        except asyncio.CancelledError:
            if not interrupted:
                raise
        finally:
            work.cancel()
            if handled:
                loop.remove_signal_handler(signal.SIGINT)

    async def _loop(self) -> None:
        while True:
            line = await self._terminal.ask(PROMPT)
            if line is None or line.strip() in QUIT:
                return
            await self.handle(line)

    async def handle(self, line: str) -> None:
        """One typed line: a button's number, ``home``, or a command."""
        inv = await self._invocation()
        self._locale = inv.locale
        text = strip_command(line, inv.command)
        if not text.strip() and not line.strip():
            return
        if text.isdigit():
            await self.press(inv, int(text))
            return
        if text == HOME:
            self._terminal.write(render_view(await self._conversation.home(inv), self._style()))
            return
        await self.show(inv, await self._conversation.command(inv, text))

    def _style(self) -> Style:
        return Style(locale=self._locale, number=self._number)

    async def show(self, inv: Invocation, replies: Sequence[Reply]) -> None:
        for reply in replies:
            if isinstance(reply, Modal):
                await self._form(inv, reply)
            else:
                self._terminal.write(self.render(reply.blocks))

    # --- buttons ----------------------------------------------------------------------------

    async def press(self, inv: Invocation, number: int) -> None:
        element = self._buttons.get(number)
        if element is None:
            self._terminal.write("⚠️ " + translate("console.no_button", inv.locale, number=number))
            return
        url = element.get("url")
        if isinstance(url, str):
            self._terminal.write(translate("console.open_link", inv.locale, url=url))
        confirm = element.get("confirm")
        if isinstance(confirm, dict) and not await self._confirm(inv, confirm):
            return
        action_id = str(element.get("action_id", ""))
        value = str(element.get("value", ""))
        if action_id == ids.OPEN_CREATE:
            await self._form(inv, Modal(view={}, load_images=True))
        elif action_id == ids.OPEN_LOGIN:
            await self.show(inv, await self._conversation.run(inv, Login()))
        elif action_id:
            await self.show(inv, await self._conversation.action(inv, action_id, value))

    async def _confirm(self, inv: Invocation, dialog: Json) -> bool:
        """Slack's confirm dialog: its title, text and two buttons; only yes goes on."""
        self._terminal.write(f"┌─ {text_of(dialog.get('title'))} ─┐\n{text_of(dialog.get('text'))}")
        prompt = translate(
            "console.confirm",
            inv.locale,
            confirm=text_of(dialog.get("confirm")),
            deny=text_of(dialog.get("deny")),
        )
        answer = await self._terminal.ask(prompt, remember=False)
        return answer is not None and answer.strip().lower() in YES

    # --- forms ------------------------------------------------------------------------------

    async def _form(self, inv: Invocation, modal: Modal) -> None:
        view: Json = modal.view
        if modal.load_images:
            view = await self._conversation.create_modal_with_images(inv, modal.prefill)
        if view.get("callback_id") == ids.CREATE_CALLBACK:
            await self._create(inv, view)
        elif view.get("callback_id") == ids.LOGIN_CALLBACK:
            await self._login(inv, view)

    async def _create(self, inv: Invocation, view: Json) -> None:
        filler = FormFiller(self._terminal, locale=inv.locale)
        state: State = {}
        errors: dict[str, str] | None = None
        while True:
            result = await filler.fill(view, state, errors=errors)
            if not isinstance(result, Submitted):
                self._cancelled(inv)
                return
            image, fields = read_create_submission(state)
            command = self._conversation.read_create_form(inv, image, fields)
            if not isinstance(command, dict):
                break
            errors = command
        await self.show(inv, await self._conversation.submit_create(inv, command))

    async def _login(self, inv: Invocation, view: Json) -> None:
        filler = FormFiller(self._terminal, locale=inv.locale)
        state: State = {}
        while True:
            state.clear()
            result = await filler.fill(view, state)
            if isinstance(result, Pressed) and result.element.get("action_id") == (
                ids.LOGIN_SWITCH_MODE
            ):
                mode: LoginMode = "aksk" if result.element.get("value") == "aksk" else "token"
                view = build_login_modal(
                    locale=inv.locale, mode=mode, private_metadata=inv.channel_id or ""
                )
                continue
            if not isinstance(result, Submitted):
                self._cancelled(inv)
                return
            break
        form = read_login_submission(state)
        await self.show(inv, [await self._conversation.submit_login(inv, form)])

    def _cancelled(self, inv: Invocation) -> None:
        message: Message = notice("notice.cancelled", inv.locale)
        self._terminal.write(self.render(message.blocks))
