"""A real S3-protocol server of the test's own: moto's standalone server as a child process
(`python -m moto.server`), talked to over HTTP by the real boto3 client. Never in-process.

moto's server cannot bind port 0 and say which it got, so, like redis-server
(tests/support/servers.py), it is started on a port that was free a moment ago and, if
another process took it meanwhile ("Address already in use"), on another one
(`on_a_free_port`). It is ready when it answers STS's GetCallerIdentity with the account id
it was started with (MOTO_ACCOUNT_ID, random per server): an answer from another server that
has the port is not mistaken for ours."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tests.support.servers import TAKEN, PortTaken, on_a_free_port

WAIT = 20.0  # moto imports many modules before it listens
REGION = "us-east-1"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"


@dataclass
class MotoServer:
    port: int
    account: str
    process: subprocess.Popen[bytes]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, service: str = "s3", read_timeout: float = 5) -> Any:
        """A boto3 client of this server, answering at once or failing (no retries)."""
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 1},
                connect_timeout=1,
                read_timeout=read_timeout,
            ),
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait(timeout=10)


def _output(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")


def _answering_account(server: MotoServer) -> str | None:
    """The account id of the server answering on its port, if one answers."""
    # short: a port held by a process that never answers is soon given up for another one
    sts = server.client("sts", read_timeout=1)
    try:
        return str(sts.get_caller_identity()["Account"])
    except (BotoCoreError, ClientError):
        return None
    finally:
        sts.close()


def _start_moto(port: int, log: IO[bytes]) -> MotoServer:
    account = "".join(secrets.choice("0123456789") for _ in range(12))
    environment = {
        **os.environ,
        "MOTO_ACCOUNT_ID": account,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    }
    log.seek(0)
    log.truncate()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    started = MotoServer(port, account, process)
    deadline = time.monotonic() + WAIT
    while (answering := _answering_account(started)) != account:
        if process.poll() is not None or answering is not None:
            started.stop()
            output = _output(log)
            if TAKEN in output or answering is not None:
                raise PortTaken(port)
            raise AssertionError(f"moto's server exited:\n{output}")
        if time.monotonic() > deadline:
            started.stop()
            raise TimeoutError(f"moto's server on port {port} did not answer:\n{_output(log)}")
        time.sleep(0.05)
    return started


@contextmanager
def moto_server() -> Iterator[MotoServer]:
    """moto's S3-protocol server in a process of its own, on a free port; stopped after."""
    with tempfile.TemporaryFile() as log:
        started = on_a_free_port(lambda port: _start_moto(port, log))
        try:
            yield started
        finally:
            started.stop()
