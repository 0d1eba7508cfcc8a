"""The Redactor: rules, known values in every encoding, spans, immutability and hygiene of
its own errors and repr."""

from __future__ import annotations

import base64
import copy
import json
import pickle
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from conftest import github_token, known_value, random_alnum

import secrets_hygiene
from secrets_hygiene import Redactor, mask


def test_mask_matches_the_reports() -> None:
    value = random_alnum(20)
    assert mask(value) == "****" + value[-4:]
    assert mask("short") == "****"


def test_rule_matches_are_masked_and_found_with_character_spans() -> None:
    token = github_token()
    redactor = Redactor()
    text = f"ééé token={token} end"
    out = redactor.redact(text)
    assert token not in out
    assert out == f"ééé token=****{token[-4:]} end"
    [found] = redactor.find(text)
    assert found.rule_id == "github.pat-classic"
    assert text[found.start : found.end] == token
    assert found.span == (found.start, found.end)
    assert token not in repr(found)
    # bytes: byte offsets
    [in_bytes] = redactor.find(text.encode())
    assert text.encode()[in_bytes.start : in_bytes.end] == token.encode()


def test_clean_text_comes_back_unchanged() -> None:
    text = "2026-11-20T08:00:00Z INFO order filled qty=1\n"
    redactor = Redactor()
    assert redactor.redact(text) is text
    data = text.encode()
    assert redactor.redact_bytes(data) is data
    assert redactor.find(text) == []


def encodings(value: str) -> dict[str, str]:
    basic = base64.b64encode(f"bot:{value}".encode()).decode()
    raw = base64.b64encode(value.encode()).decode()
    return {
        "raw": value,
        "quote default safe": quote(value),
        "quote empty safe": quote(value, safe=""),
        "quote_plus": quote_plus(value),
        "base64 padded": basic,
        "base64 unpadded": basic.rstrip("="),
        "base64 of the value alone": raw,
        "urlsafe base64": base64.urlsafe_b64encode(value.encode()).decode().rstrip("="),
        "json.dumps": json.dumps(value)[1:-1],
        "json.dumps ascii": json.dumps(value, ensure_ascii=True)[1:-1],
        "json.dumps nested": json.dumps(json.dumps({"secret": value})),
    }


def test_known_values_are_gone_in_every_encoding() -> None:
    value = known_value()
    redactor = Redactor(known_values=[value])
    for name, encoded in encodings(value).items():
        line = f"2026-11-20T08:00:00Z ERROR auth failed header=Basic {encoded} rest=ok\n"
        out = redactor.redact(line)
        assert encoded not in out, name
        assert value not in out, name
        assert "****" in out and out.endswith(" rest=ok\n"), name
    # In a JSON payload as json.dumps writes it.
    payload = json.dumps({"error": f"signature rejected for secret={value}", "code": 40037})
    out = redactor.redact(payload)
    assert json.dumps(value)[1:-1] not in out and value not in out
    assert json.loads(out)["code"] == 40037


def test_redact_bytes_keeps_every_other_byte() -> None:
    token = github_token()
    data = b"\xff\xfe broken utf-8\r\nkey=" + token.encode() + b"\r\n\x00tail"
    out = Redactor().redact_bytes(data)
    assert out == b"\xff\xfe broken utf-8\r\nkey=****" + token[-4:].encode() + b"\r\n\x00tail"


def test_long_inputs_take_the_parallel_path_with_the_same_output() -> None:
    value = known_value()
    token = github_token()
    redactor = Redactor(known_values=[value])
    line = f"2026-11-20T08:00:00Z INFO fill qty=1 key={token} pw={quote(value, safe='')}\n"
    filler = "2026-11-20T08:00:01Z DEBUG heartbeat ok\n" * 50
    one = (line + filler).encode()
    big = one * (3 * (1 << 20) // len(one) + 1)  # > 3 MiB: cut into pieces
    assert len(big) > 3 << 20
    assert redactor.redact_bytes(big) == redactor.redact_bytes(one) * (len(big) // len(one))
    assert token.encode() not in redactor.redact_bytes(big)


def test_env_globs_env_mapping_and_env_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bot_secret, api_secret, other = random_alnum(24), random_alnum(24), random_alnum(24)
    env = {"BOT1_BITGET_SECRET": bot_secret, "JWT_SECRET_KEY": api_secret, "HOME": other}
    redactor = Redactor(env_globs=["BOT*_BITGET_*", "*_SECRET*"], env=env)
    out = redactor.redact(f"{bot_secret} {api_secret} {other}")
    assert bot_secret not in out and api_secret not in out
    assert other in out  # not matched by any glob
    assert redactor.known_values == 2

    # env=None reads os.environ
    monkeypatch.setenv("BOT7_BITGET_API_KEY", bot_secret)
    assert bot_secret not in Redactor(env_globs=["BOT*_BITGET_*"]).redact(bot_secret)

    env_file = tmp_path / "service.env"
    from_file = random_alnum(20)
    env_file.write_text(f"# comment\nexport DB_PASSWORD=\"{from_file}\"\n")
    assert from_file not in Redactor(env_files=[env_file]).redact(f"dsn pw={from_file}")
    assert from_file not in Redactor(env_files=(str(env_file),)).redact(f"dsn pw={from_file}")


def test_arguments_take_any_iterable_but_never_a_single_string() -> None:
    value = random_alnum(16)
    assert value not in Redactor(known_values=iter([value])).redact(value)
    assert value not in Redactor(known_values={value}).redact(value)
    with pytest.raises(TypeError) as err:
        Redactor(known_values=value)  # a str would be taken letter by letter
    assert value not in str(err.value)
    with pytest.raises(TypeError) as err:
        Redactor(known_values=[value, 42])  # type: ignore[list-item]
    assert value not in str(err.value)


def test_repr_shows_counts_never_values() -> None:
    value, short = random_alnum(20), "abc"
    redactor = Redactor(known_values=[value, value, short])
    text = repr(redactor)
    assert value not in text and short not in text
    assert "known_values=1" in text and "known_values_too_short=1" in text
    assert redactor.rules > 100
    assert redactor.known_values_too_short == 1


def test_cannot_be_pickled_or_copied() -> None:
    value = random_alnum(20)
    redactor = Redactor(known_values=[value])
    for attempt in (pickle.dumps, copy.copy, copy.deepcopy):
        with pytest.raises(TypeError) as err:
            attempt(redactor)
        assert value not in str(err.value)


def test_is_immutable() -> None:
    redactor = Redactor()
    with pytest.raises(AttributeError):
        redactor.known_values = 5  # type: ignore[misc]
    with pytest.raises((AttributeError, TypeError)):
        redactor.extra = 1  # type: ignore[attr-defined]


def test_bad_glob_is_a_value_error_without_values() -> None:
    value = random_alnum(20)
    with pytest.raises(ValueError) as err:
        Redactor(known_values=[value], env_globs=["BOT[*"], env={"BOT1": value})
    assert "BOT[*" in str(err.value)
    assert value not in str(err.value)


def test_bad_rule_pack_is_a_value_error_without_values(tmp_path: Path) -> None:
    token = github_token()
    known = random_alnum(20)
    # A pack whose invalid field holds a token: the parser quotes it in its message.
    (tmp_path / "bad.toml").write_text(
        '[pack]\nname = "acme"\n\n[[rules]]\nid = "acme.key"\ndescription = "x"\n'
        f"regex = '''(?P<secret>acme_[a-z]{{8}})'''\nkeywords = [\"acme_\"]\nseverity = \"{token}\"\n"
        f'examples = ["{known}"]\n'
    )
    with pytest.raises(ValueError) as err:
        Redactor(known_values=[known], rules_dirs=[tmp_path])
    message = str(err.value)
    assert "bad.toml" in message
    assert token not in message and known not in message
    assert "****" in message  # the quoted value was there, masked


def test_missing_env_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as err:
        Redactor(env_files=[tmp_path / "missing.env"])
    assert "missing.env" in str(err.value)


def test_threads_share_one_redactor() -> None:
    redactor = Redactor()
    tokens = [github_token() for _ in range(64)]
    barrier = threading.Barrier(8)

    def work(i: int) -> bool:
        if i < 8:
            barrier.wait()
        token = tokens[i]
        text = f"worker {i} key={token}\n" * 2000
        out = redactor.redact(text)
        return token not in out and out == f"worker {i} key=****{token[-4:]}\n" * 2000

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(work, range(len(tokens))))


def test_package_exports() -> None:
    for name in ("Redactor", "RedactingFilter", "mask", "scan_text", "scan", "Finding", "Redaction"):
        assert hasattr(secrets_hygiene, name), name
