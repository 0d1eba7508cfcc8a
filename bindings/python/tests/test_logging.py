"""RedactingFilter on handlers: messages, tracebacks and stack info scrubbed, no record lost."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from conftest import github_token, known_value

from secrets_hygiene import RedactingFilter, Redactor


@pytest.fixture
def setup() -> Iterator[tuple[logging.Logger, io.StringIO, str, str]]:
    value, token = known_value(), github_token()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactingFilter(Redactor(known_values=[value])))
    root = logging.getLogger("svc")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG)
    root.propagate = False
    yield root, stream, value, token
    root.handlers[:] = []


def test_message_and_args_are_scrubbed(setup: tuple[logging.Logger, io.StringIO, str, str]) -> None:
    logger, stream, value, token = setup
    logger.info("connecting with secret=%s token=%s", value, token)
    out = stream.getvalue()
    assert value not in out and token not in out
    assert out.startswith("INFO svc connecting with secret=****")
    assert f"token=****{token[-4:]}" in out


def test_a_traceback_carrying_the_key_is_scrubbed(setup: tuple[logging.Logger, io.StringIO, str, str]) -> None:
    logger, stream, value, token = setup

    def sign() -> None:
        raise PermissionError(f"signature rejected for secret={value} (token {token})")

    try:
        sign()
    except PermissionError:
        logger.exception("order failed")
    out = stream.getvalue()
    assert "Traceback (most recent call last)" in out
    assert "PermissionError: signature rejected for secret=****" in out
    assert value not in out and token not in out


def test_stack_info_is_scrubbed(setup: tuple[logging.Logger, io.StringIO, str, str]) -> None:
    logger, stream, value, _ = setup
    secret_in_source = value  # the stack shows this frame's source line, not the value

    def inner(credential: str) -> None:
        logger.warning("state %s", credential, stack_info=True)

    inner(secret_in_source)
    out = stream.getvalue()
    assert "Stack (most recent call last)" in out
    assert value not in out


def test_records_from_child_loggers_reach_the_handler_scrubbed(
    setup: tuple[logging.Logger, io.StringIO, str, str],
) -> None:
    logger, stream, value, _ = setup
    child = logging.getLogger("svc.exchange.bitget")  # propagates to the handler on "svc"
    child.error("bad key %s", value)
    out = stream.getvalue()
    assert "ERROR svc.exchange.bitget bad key ****" in out
    assert value not in out


def test_the_filter_never_drops_a_record(setup: tuple[logging.Logger, io.StringIO, str, str]) -> None:
    logger, stream, value, _ = setup
    logger.info("clean line")
    logger.info("line with %s", value)
    logger.info("bad format %d", "not a number")  # getMessage fails: withheld, still emitted
    lines = stream.getvalue().splitlines()
    assert lines[0] == "INFO svc clean line"
    assert lines[1].startswith("INFO svc line with ****")
    assert lines[2] == "INFO svc [secrets_hygiene: log message withheld: it could not be redacted]"
    assert len(lines) == 3
    record = logging.LogRecord("svc", logging.INFO, __file__, 1, "x %s", (value,), None)
    assert RedactingFilter(Redactor(known_values=[value])).filter(record) is True
    assert value not in record.getMessage()
