"""Checks of the built image, run by ``scripts/test-image`` (not collected by pytest):

    SCNET_ENGINE="podman --runtime runc" SCNET_RUN_FLAGS="..." \\
        .venv/bin/python -m tests.deploy.image_check --image localhost/scnet-bot:latest \\
        --admin-database-url "$(scripts/test-postgres)" --version 0.1.0

The container shares the host's network, so it reaches the SCNet simulator, the fake Slack
(both served here, on loopback) and PostgreSQL (a fresh database, dropped afterwards). Each
check prints one line; the first failure ends the run with exit 1 and the container's log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import asyncpg
from sqlalchemy.engine import make_url

from bot.scnet.simulator import Delays, ScnetSimulator
from bot.store.keys import generate_key
from tests.deploy.bot_process import free_port
from tests.fake_slack import FakeSlack

UID_NOT_ROOT = "10001"


class CheckFailed(Exception):
    pass


def say(line: str) -> None:
    print(f"image-check: {line}", file=sys.stderr, flush=True)  # noqa: T201 - a CLI


class Engine:
    def __init__(self, words: Sequence[str], run_flags: Sequence[str]) -> None:
        self.words = list(words)
        self.run_flags = list(run_flags)

    def __call__(
        self, *args: str, check: bool = True, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(  # noqa: S603 - our own engine and arguments
            [*self.words, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and done.returncode != 0:
            raise CheckFailed(
                f"{' '.join(args[:2])} exited {done.returncode}: {done.stderr[-800:]}"
            )
        return done

    def run(
        self,
        image: str,
        *args: str,
        env_file: Path,
        rm: bool = True,
        detach: bool = False,
        name: str | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        flags = ["--network", "host", "--env-file", str(env_file), *self.run_flags]
        if rm:
            flags.append("--rm")
        if detach:
            flags.append("-d")
        if name:
            flags += ["--name", name]
        return self("run", *flags, image, *args, check=False, timeout=timeout)


def _env_file(directory: Path, values: dict[str, str]) -> Path:
    path = directory / f"env-{secrets.token_hex(4)}"
    path.write_text("".join(f"{key}={value}\n" for key, value in values.items()))
    path.chmod(0o600)
    return path


async def _fresh_database(admin_url: str) -> tuple[str, str]:
    url = make_url(admin_url)
    name = "scnet_img_" + secrets.token_hex(5)
    admin = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(False))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name, url.set(drivername="postgresql", database=name).render_as_string(False)


async def _drop_database(admin_url: str, name: str) -> None:
    url = make_url(admin_url)
    admin = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(False))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _get(base: str, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(f"{base}{path}") as answer:
        return answer.status, await answer.text()


async def _wait_healthy(base: str, engine: Engine, name: str, timeout: float = 60) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, _ = await _get(base, "/healthz")
            if status == 200:
                return
        except aiohttp.ClientError:
            pass
        state = engine("inspect", "--format", "{{.State.Running}}", name, check=False)
        if state.stdout.strip() == "false":
            raise CheckFailed("the container exited before /healthz answered")
        await asyncio.sleep(0.25)
    raise CheckFailed(f"/healthz did not answer within {timeout:.0f} s")


async def check(args: argparse.Namespace, engine: Engine, work: Path) -> None:
    image = args.image
    labels = json.loads(
        engine("image", "inspect", "--format", "{{json .Config.Labels}}", image).stdout
    )
    if labels.get("org.opencontainers.image.version") != args.version:
        raise CheckFailed(f"version label is {labels.get('org.opencontainers.image.version')!r}")
    say(f"ok: label org.opencontainers.image.version={args.version}")
    health = engine("image", "inspect", "--format", "{{json .Config.Healthcheck}}", image).stdout
    if "healthz" not in health:
        raise CheckFailed(f"no HEALTHCHECK on /healthz in the image: {health.strip()}")
    say("ok: HEALTHCHECK on /healthz")

    version = engine.run(image, "--version", env_file=_env_file(work, {}))
    if version.stdout.strip() != f"scnet-bot {args.version}":
        raise CheckFailed(f"--version printed {version.stdout!r}")
    say(f"ok: scnet-bot --version -> {version.stdout.strip()}")

    # The entrypoint is scnet-bot; a shell needs --entrypoint.
    tools = engine(
        "run",
        "--rm",
        *engine.run_flags,
        "--entrypoint",
        "sh",
        image,
        "-c",
        "for t in gcc cc c++ make; do command -v $t; done; exit 0",
    )
    if tools.stdout.strip():
        raise CheckFailed(f"compilers in the final image: {tools.stdout.split()}")
    say("ok: no compiler in the final image")

    bad_key = "not-a-fernet-key-" + secrets.token_hex(8)
    bad = engine.run(
        image,
        "run",
        env_file=_env_file(
            work,
            {
                "SLACK_BOT_TOKEN": "xoxb-1-2-3",
                "SLACK_SIGNING_SECRET": "s",
                "ENCRYPTION_KEYS": bad_key,
            },
        ),
        timeout=60,
    )
    lines = [line for line in (bad.stdout + bad.stderr).splitlines() if line.strip()]
    lines = [line for line in lines if "level=error" not in line]  # podman's own noise
    if bad.returncode != 2 or len(lines) != 1 or "ENCRYPTION_KEYS" not in lines[0]:
        raise CheckFailed(f"a bad ENCRYPTION_KEYS gave exit {bad.returncode}: {lines}")
    if bad_key in bad.stdout + bad.stderr:
        raise CheckFailed("the bad key's value was printed")
    say(f"ok: a bad setting stops the start with one line: {lines[0]}")

    async with FakeSlack() as slack:
        sim = ScnetSimulator(delays=Delays(waiting=3600, deploying=3600))
        sim.add_user("alice")
        scnet_url = await sim.start()
        name, database_url = await _fresh_database(args.admin_database_url)
        container = "scnet-bot-check-" + secrets.token_hex(4)
        try:
            await _serve_and_check(engine, image, work, slack, scnet_url, database_url, container)
        finally:
            logs = engine("logs", container, check=False)
            engine("rm", "-f", container, check=False)
            if logs.returncode == 0 and os.environ.get("SCNET_IMAGE_CHECK_LOGS"):
                say("container log:\n" + logs.stdout + logs.stderr)
            await sim.stop()
            await _drop_database(args.admin_database_url, name)


async def _serve_and_check(
    engine: Engine,
    image: str,
    work: Path,
    slack: FakeSlack,
    scnet_url: str,
    database_url: str,
    container: str,
) -> None:
    alice = slack.add_user("alice")
    port = free_port()
    env = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "SCNET_API_URL": scnet_url,
        "DATABASE_URL": database_url,
        "ENCRYPTION_KEYS": generate_key(),
        "PORT": str(port),
    }
    env_file = _env_file(work, env)
    migrated = engine.run(image, "db", "upgrade", env_file=env_file)
    if migrated.returncode != 0 or "applied" not in migrated.stdout:
        raise CheckFailed(
            f"db upgrade: exit {migrated.returncode}: {migrated.stdout}{migrated.stderr}"
        )
    say(f"ok: db upgrade on PostgreSQL -> {migrated.stdout.strip()}")

    started = time.monotonic()
    run = engine.run(image, env_file=env_file, rm=False, detach=True, name=container)
    if run.returncode != 0:
        raise CheckFailed(f"run: {run.stderr[-800:]}")
    base = f"http://127.0.0.1:{port}"
    await _wait_healthy(base, engine, container)
    say(f"ok: GET /healthz 200 after {time.monotonic() - started:.1f} s")

    status, metrics = await _get(base, "/metrics")
    if status != 200 or "scnet_bot_leader 1" not in metrics.splitlines():
        raise CheckFailed(f"/metrics: {status}: {metrics[:300]}")
    say("ok: GET /metrics 200, this replica leads")

    request = slack.slash_command(alice.id, "help")
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{base}/slack/events", data=request.body, headers=request.headers(slack.signing_secret)
        ) as answer,
    ):
        if answer.status != 200:
            raise CheckFailed(f"signed /scnet help: HTTP {answer.status}")
    await slack.wait_for("response_url", count=1, timeout=10)
    if "/scnet" not in slack.messages_to(alice.id)[-1].all_text():
        raise CheckFailed("the help reply does not look like help")
    forged = slack.slash_command(alice.id, "help")
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{base}/slack/events", data=forged.body, headers=forged.headers("wrong-secret")
        ) as answer,
    ):
        if answer.status != 401:
            raise CheckFailed(f"a badly signed request got HTTP {answer.status}")
    say("ok: a signed /scnet help answered on its response_url; a forged one got 401")

    uid = engine("exec", container, "sh", "-c", "awk '/^Uid:/ {print $2}' /proc/1/status").stdout
    if uid.strip() != UID_NOT_ROOT:
        raise CheckFailed(f"PID 1 runs as uid {uid.strip()!r}")
    say(f"ok: the bot runs as uid {uid.strip()} (not root)")

    if engine.words[0] == "podman":
        healthcheck = engine("healthcheck", "run", container, check=False)
        if healthcheck.returncode != 0:
            raise CheckFailed(f"HEALTHCHECK failed: {healthcheck.stdout}{healthcheck.stderr}")
        say("ok: the image's HEALTHCHECK passes in the running container")

    stop_started = time.monotonic()
    engine("stop", "-t", "10", container, timeout=30)
    took = time.monotonic() - stop_started
    code = engine("inspect", "--format", "{{.State.ExitCode}}", container).stdout.strip()
    if code != "0" or took > 10:
        raise CheckFailed(f"SIGTERM: exit code {code} after {took:.1f} s")
    say(f"ok: SIGTERM -> exit 0 in {took:.1f} s")

    logs = engine("logs", container).stderr + engine("logs", container).stdout
    lines = [line for line in logs.splitlines() if line.strip()]
    for line in lines:
        try:
            json.loads(line)
        except ValueError:
            raise CheckFailed(f"not a JSON log line: {line[:200]!r}") from None
    for secret_name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "ENCRYPTION_KEYS"):
        if env[secret_name] in logs:
            raise CheckFailed(f"{secret_name} appears in the container's log")
    say(f"ok: {len(lines)} log lines, all JSON, no secret in them")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image", required=True)
    parser.add_argument("--admin-database-url", required=True)
    parser.add_argument("--version", required=True)
    args = parser.parse_args(argv)
    engine = Engine(
        shlex.split(os.environ.get("SCNET_ENGINE", "podman")),
        shlex.split(os.environ.get("SCNET_RUN_FLAGS", "")),
    )
    with tempfile.TemporaryDirectory(prefix="scnet-image-check-") as work:
        try:
            asyncio.run(check(args, engine, Path(work)))
        except CheckFailed as failure:
            say(f"FAILED: {failure}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
