#!/usr/bin/env python3
"""Generate a deterministic, LABELLED secrets-scanner evaluation corpus laid out like an ops repo.

Usage:
    scripts/gen_corpus.py OUT_DIR [--seed N] [--files N] [--bulk-mb M] [--force]
                          [--suite all|classic|providers] [--provider-files N]
                          [--bulk-style ops|vendor]

    OUT_DIR        created (must be empty or absent unless --force, which wipes it first)
    --seed N       RNG seed (default 1); same seed + same options => byte-identical corpus
    --files N      number of labelled files (default 60): docs/*.md runbooks, reports/*.json,
                   reports/*.md, data/bot1..botK/logs/*.log and one *.log.gz
    --bulk-mb M    additionally write about M MB of realistic, secret-free filler (a few big
                   50-200 MB logs plus many small logs / runbooks / JSON reports) with a
                   handful of planted secrets, for throughput benchmarking (default 0)
    --suite S      classic: the original trading-platform families only (byte-identical to
                   generator version 4 for the same seed/files, except the PyPI token values,
                   whole macaroons since version 6); providers: only the 240-provider
                   suite of scripts/providers.py (cloud, platform, cicd, observability, messaging,
                   fintech, ai, generic, encoded) in its own files (docs/providers/,
                   reports/providers/, data/botN/logs/platform-*); all (default): both
    --provider-files N  labelled files of the providers suite (default 80)
    --bulk-style S ops (default): the bulk filler is an ops repo's own logs (engine events,
                   fills, access logs of the bot's API); vendor: every log line is exchange and
                   broker traffic, the logs of a trading bot talking to its venues: REST calls
                   and websocket frames to vendor hosts (api.bitget.com, paper-api.alpaca.markets,
                   api.binance.com, ...), credential HEADER NAMES without values (ACCESS-KEY,
                   X-MBX-APIKEY, OK-ACCESS-KEY), request and client order ids, hex signatures
                   that are not secrets, broker SDK debug lines, order/fill lines, JSON-lines
                   service events, proxy access logs and Kubernetes event dumps. Planted secrets
                   are the same as for ops. The benchmark (scripts/bench.sh) times both.

Layout of OUT_DIR:
    docs/ reports/ data/botN/logs/   the tree to scan (the ops repo; `hygiene scan OUT_DIR`)
    labels.jsonl                     one JSON object per planted item (NOT part of the scanned
                                     scopes of hygiene; peers that scan everything may read it,
                                     scripts/eval.py ignores findings in it): it never contains
                                     secret values, only where and what.
    corpus.json                      generator parameters and counts (also metadata)

labels.jsonl objects:
    {"id": "S0001", "file": "docs/rotate-keys.md", "line": 12, "end_line": 12,
     "family": "alpaca", "kind": "secret"|"decoy", "what": "alpaca live key id",
     "ctx": "yaml", "class": "placeholder" (decoys only), "bulk": true (bulk part only),
     "suite": "providers", "provider": "doppler" (providers suite only)}
    - file is relative to OUT_DIR with "/"; line/end_line are 1-based, inclusive; for a .gz
      file they count lines of the decompressed text.
    - exactly one planted item per line; multi-line items (PEM blocks, YAML block scalars)
      span line..end_line and nothing else is planted inside that range.
    - "family" is the credential family a secret belongs to, or for decoys the family the
      decoy imitates (aws, jwt, slack, ...) or its own kind (uuid, git-sha, sha256, ...).
    - filler (unlabelled) lines are realistic but hold no secrets and no decoys.

Every secret is FAKE: random parts drawn from the seeded RNG at run time, shaped like the
real thing (prefixes, lengths, alphabets, GitHub/npm CRC32 checksums); nothing here is or
was a real credential. Vendor example values used as decoys (AWS docs key, jwt.io token,
Slack's documented webhook) and PEM armour lines are assembled from pieces so that this
script itself does not trip a secrets scanner.
"""
import argparse
import base64
import datetime as _dt
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import string
import sys
import time
import zlib

GEN_VERSION = 6

UP = string.ascii_uppercase
LO = string.ascii_lowercase
DIG = string.digits
ALNUM = UP + LO + DIG
UPDIG = UP + DIG
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
B32 = UP + "234567"
LETTERS = UP + LO
BASE62 = DIG + UP + LO
PW_SPECIAL = "-_.!@%^*+=~"

BOTS = ["bot1", "bot2", "bot3", "bot4"]
D5 = "-----"
BEGIN, END = D5 + "BEGIN ", D5 + "END "


# ----------------------------------------------------------------------------- value makers
def rs(r, alpha, n):
    return "".join(r.choices(alpha, k=n))


def mixed(r, alpha, n, need=(UP, LO, DIG)):
    """Random string that contains at least one char of each class in `need` present in alpha."""
    need = [c for c in need if any(ch in alpha for ch in c)]
    while True:
        s = rs(r, alpha, n)
        if all(any(ch in c for ch in s) for c in need):
            return s


def b62(n, width):
    out = ""
    while n:
        n, d = divmod(n, 62)
        out = BASE62[d] + out
    return out.rjust(width, "0")


def checksummed(r, prefix):
    """GitHub/npm style token: prefix + 30 random alnum + base62(crc32(random part))."""
    body = mixed(r, ALNUM, 30)
    return prefix + body + b62(zlib.crc32(body.encode()), 6)


def pypi_token(r):
    """A PyPI API token: `pypi-` + base64url of a whole version-2 macaroon located at pypi.org
    (location, identifier, one caveat, 32-byte signature). Draws what versions 4-5 drew (a length
    and that many characters) and derives the macaroon from them, so the RNG stream and every
    other value stay as they were."""
    drawn = mixed(r, B64URL, r.randint(150, 190))
    digest = hashlib.sha256(drawn.encode()).digest()
    ident = "%s-%s-4%s-a%s-%s" % (digest[:4].hex(), digest[4:6].hex(), digest[6:8].hex()[1:],
                                  digest[8:10].hex()[1:], digest[10:16].hex())
    caveat = '[1,{"version":1,"permissions":"user"}]'

    def field(kind, data):
        return bytes([kind, len(data)]) + data
    mac = (b"\x02" + field(1, b"pypi.org") + field(2, ident.encode()) + b"\x00"
           + field(2, caveat.encode()) + b"\x00" + b"\x00" + field(6, hashlib.sha256(digest).digest()))
    return "pypi-" + base64.urlsafe_b64encode(mac).decode().rstrip("=")


def password(r, n=None):
    n = n or r.randint(18, 30)
    while True:
        s = r.choice(ALNUM) + mixed(r, ALNUM + PW_SPECIAL, n - 1)
        if any(c in PW_SPECIAL for c in s):
            return s


def b64of(r, nbytes, alt=None):
    return base64.b64encode(r.randbytes(nbytes)).decode() if alt is None else \
        base64.b64encode(r.randbytes(nbytes), altchars=alt).decode()


def b64url_nopad(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt(r, alg=None):
    alg = alg or r.choice(["HS256", "HS256", "RS256", "ES256"])
    hdr = {"alg": alg, "typ": "JWT"}
    now = 1714000000 + r.randint(0, 20000000)
    pl = {"sub": r.choice(BOTS + ["svc-reconciler", "ops-dashboard"]), "iat": now, "exp": now + 3600,
          "scope": r.choice(["trade", "read", "admin", "reports:write"]), "jti": rs(r, HEX, 16)}
    siglen = {"HS256": 32, "RS256": 256, "ES256": 64}[alg]
    return ".".join([b64url_nopad(json.dumps(hdr, separators=(",", ":")).encode()),
                     b64url_nopad(json.dumps(pl, separators=(",", ":")).encode()),
                     b64url_nopad(r.randbytes(siglen))])


def fernet_key(r):
    return base64.urlsafe_b64encode(r.randbytes(32)).decode()


def wrap(s, width=64):
    return [s[i:i + width] for i in range(0, len(s), width)]


def pem_private(r, kind):
    """(label, body lines) of a fake private key: plausible DER prefix + random bytes."""
    if kind == "RSA":
        der = bytes.fromhex("308204a40201000282010100") + r.randbytes(1176)
        return "RSA PRIVATE KEY", wrap(base64.b64encode(der).decode())
    if kind == "EC":
        der = (bytes.fromhex("30770201010420") + r.randbytes(32) +
               bytes.fromhex("a00a0608" "2a8648ce" "3d030107" "a1440342" "00") + b"\x04" + r.randbytes(64))
        return "EC PRIVATE KEY", wrap(base64.b64encode(der).decode())
    if kind == "PKCS8":
        der = bytes.fromhex("308204bd" "02010030" "0d06092a" "864886f7" "0d010101" "05000482" "04a7") + r.randbytes(1189)
        return "PRIVATE KEY", wrap(base64.b64encode(der).decode())
    if kind == "OPENSSH":
        raw = b"openssh-key-v1\x00\x00\x00\x00\x04none\x00\x00\x00\x04none" + r.randbytes(360)
        return "OPENSSH PRIVATE KEY", wrap(base64.b64encode(raw).decode(), 70)
    raise ValueError(kind)


def pem_text(label, body):
    return "\n".join([BEGIN + label + D5] + body + [END + label + D5])


def make_pem(kind):
    return lambda r: pem_text(*pem_private(r, kind))


def public_pem(r, cert=False):
    if cert:
        der = bytes.fromhex("308203") + r.randbytes(780)
        return pem_text("CERTIFICATE", wrap(base64.b64encode(der).decode()))
    der = bytes.fromhex("30820122" "300d0609" "2a864886" "f70d0101" "01050003" "82010f00") + r.randbytes(270)
    return pem_text("PUBLIC KEY", wrap(base64.b64encode(der).decode()))


def ssh_pub(r, ed=False):
    if ed:
        blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + r.randbytes(32)
        return "ssh-ed25519 " + base64.b64encode(blob).decode() + " ops@bastion"
    blob = b"\x00\x00\x00\x07ssh-rsa\x00\x00\x00\x03\x01\x00\x01\x00\x00\x01\x81\x00" + r.randbytes(384)
    return "ssh-rsa " + base64.b64encode(blob).decode() + " deploy@" + r.choice(BOTS)


def uuid4(r):
    h = rs(r, HEX, 32)
    return "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], r.choice("89ab"), h[17:20], h[20:32])


def db_url(r, scheme, user=None, host=None, port=None, db=None, pct=False, nouser=False):
    user = user or r.choice(["bot", "trader", "svc_reconciler", "ops", "reporting"])
    pw = mixed(r, ALNUM, r.randint(16, 28))
    if pct:
        pw = pw[:6] + r.choice(["%40", "%21", "%23", "%2F", "%3A"]) + pw[6:12] + \
            r.choice(["%24", "%26", "%2B", "%3D"]) + pw[12:]
    host = host or r.choice(["db.internal", "pg-prod-1.ops.lan", "10.20.3.14", "cache.ops.lan"])
    cred = (":" + pw) if nouser else (user + ":" + pw)
    tail = ("" if port is None else ":%d" % port) + ("" if db is None else "/" + db)
    return "%s://%s@%s%s" % (scheme, cred, host, tail)


# ----------------------------------------------------------------------------- variant table
class V:
    """One kind of planted item. ctxs: the contexts it is planted in (one item per context)."""

    def __init__(self, family, what, gen, name, key, ctxs, kind="secret", cls=None, **kw):
        self.family, self.what, self.gen, self.name, self.key = family, what, gen, name, key
        self.ctxs, self.kind, self.cls = ctxs, kind, cls
        self.header = kw.get("header")          # HTTP header name for ctx http
        self.hfmt = kw.get("hfmt", "{v}")       # header value format
        self.host = kw.get("host", "api.example-broker.com")
        self.path = kw.get("path", "/v1/account")
        self.flag = kw.get("flag", key.replace("_", "-"))
        self.cli = kw.get("cli")                # "$ ..." template without the "$ "
        self.tb = kw.get("tb", "ValueError: bad secret '{v}'")
        self.urlq = kw.get("urlq")
        self.prose = kw.get("prose")
        self.event = kw.get("event", "config_loaded")
        self.suffix = kw.get("suffix", "")     # e.g. "  # fake test vector"
        self.quote = kw.get("quote", True)      # may the value be quoted
        # providers suite (scripts/providers.py): vendor, suite name, a literal block to plant
        # in ((lang, lines, index of the "{v}" line)), env value always in single quotes
        self.provider = kw.get("provider")
        self.suite = kw.get("suite")
        self.raw = kw.get("raw")
        self.env_sq = kw.get("env_sq", False)


def variants():
    """All planted variants (secrets then decoys). Generators take the RNG."""
    S = []
    add = S.append
    # --- Alpaca
    add(V("alpaca", "alpaca paper key id (PK...)", lambda r: "PK" + mixed(r, UPDIG, 18, (UP, DIG)),
          "ALPACA_API_KEY_ID", "api_key_id",
          ["env", "export", "yaml", "json", "pydict", "structlog", "docker", "http"],
          header="APCA-API-KEY-ID", host="paper-api.alpaca.markets", path="/v2/account"))
    add(V("alpaca", "alpaca live key id (AK...)", lambda r: "AK" + mixed(r, UPDIG, 18, (UP, DIG)).replace("IA", "I4", 1),
          "APCA_API_KEY_ID", "key_id", ["env", "toml", "json", "http", "traceback"],
          header="APCA-API-KEY-ID", host="api.alpaca.markets", path="/v2/orders",
          tb="alpaca.common.exceptions.APIError: {{\"code\":40110000,\"message\":\"request is not authorized\"}} key_id={v}"))
    add(V("alpaca", "alpaca secret key (40 alnum)", lambda r: mixed(r, ALNUM, 40),
          "ALPACA_API_SECRET_KEY", "secret_key",
          ["env", "export", "yaml", "json", "toml", "pydict", "structlog", "docker", "cli", "http", "traceback"],
          header="APCA-API-SECRET-KEY", host="paper-api.alpaca.markets", path="/v2/positions",
          cli="python -m bot1.tools.check_account --key-id PKTEST --secret-key {v}"))
    # --- Bitget
    add(V("bitget", "bitget api key (bg_ + 32 hex)", lambda r: "bg_" + rs(r, HEX, 32),
          "BOT2_BITGET_API_KEY", "api_key",
          ["env", "export", "yaml", "json", "pydict", "structlog", "http", "docker"],
          header="ACCESS-KEY", host="api.bitget.com", path="/api/v2/mix/account/accounts"))
    add(V("bitget", "bitget api secret (64 hex)", lambda r: rs(r, HEX, 64),
          "BITGET_API_SECRET", "api_secret",
          ["env", "yaml", "json", "toml", "pydict", "structlog", "cli", "traceback"],
          tb="bitget.exceptions.BitgetAPIException: sign error, secret={v}"))
    add(V("bitget", "bitget passphrase", lambda r: mixed(r, ALNUM, r.randint(14, 24)),
          "BOT2_BITGET_PASSPHRASE", "passphrase", ["env", "yaml", "json", "http", "pydict", "structlog"],
          header="ACCESS-PASSPHRASE", host="api.bitget.com", path="/api/v2/mix/order/place-order"))
    # --- Plaid
    add(V("plaid", "plaid secret (30 hex)", lambda r: rs(r, HEX, 30), "PLAID_SECRET", "plaid_secret",
          ["env", "export", "yaml", "json", "toml", "pydict", "docker"]))
    # --- Hugging Face
    add(V("huggingface", "hugging face token (hf_)", lambda r: "hf_" + mixed(r, LETTERS, 34, (UP, LO)),
          "HF_TOKEN", "hf_token", ["env", "export", "json", "cli", "docker", "structlog", "http"],
          header="Authorization", hfmt="Bearer {v}", host="huggingface.co", path="/api/whoami-v2",
          cli="huggingface-cli login --token {v}"))
    # --- JWT signing secret / Fernet / JWT tokens
    add(V("jwt-secret", "JWT signing secret", lambda r: r.choice([rs(r, HEX, 64), b64url_nopad(r.randbytes(48))]),
          "JWT_SECRET_KEY", "jwt_secret_key", ["env", "export", "yaml", "json", "toml", "docker", "pydict"]))
    add(V("fernet", "Fernet key (44 urlsafe b64)", fernet_key, "FERNET_KEY", "fernet_key",
          ["env", "yaml", "json", "toml", "pydict", "traceback", "docker"],
          tb="ValueError: Fernet key must be 32 url-safe base64-encoded bytes (got '{v}' from ENCRYPTION_KEY)"))
    add(V("jwt", "JWT token (eyJ...)", jwt, "ACCESS_TOKEN", "access_token",
          ["http", "structlog", "json", "urlq", "pydict", "cli", "env"],
          header="Authorization", hfmt="Bearer {v}", host="ops-api.internal", path="/v1/reports",
          urlq="GET https://ops-api.internal/v1/stream?access_token={v}",
          cli="curl -s -H 'Authorization: Bearer {v}' https://ops-api.internal/v1/positions"))
    # --- DB / cache URLs
    dbs = [
        ("postgres://", lambda r: db_url(r, "postgres", port=5432, db="trading"), "DATABASE_URL",
         ["env", "yaml", "structlog", "traceback", "cli"]),
        ("postgresql://", lambda r: db_url(r, "postgresql", port=5432, db="ledger"), "LEDGER_DB_URL",
         ["env", "json", "toml", "docker", "pydict"]),
        ("mysql://", lambda r: db_url(r, "mysql", port=3306, db="reports"), "REPORTS_DB_URL",
         ["env", "yaml", "json", "structlog"]),
        ("redis://:pass@", lambda r: db_url(r, "redis", nouser=True, host="redis.ops.lan", port=6379, db="0"),
         "REDIS_URL", ["env", "yaml", "pydict", "traceback"]),
        ("rediss://user:pass" "@", lambda r: db_url(r, "rediss", user="default", host="cache-prod.ops.lan", port=6380),
         "CACHE_URL", ["env", "json", "docker", "structlog"]),
        ("mongodb+srv://", lambda r: db_url(r, "mongodb+srv", host="cluster0.ab1cd.mongodb.net", db="fills"),
         "MONGO_URI", ["env", "yaml", "json", "toml"]),
        ("amqp://", lambda r: db_url(r, "amqp", host="rabbit.ops.lan", port=5672, db="bots"),
         "BROKER_URL", ["env", "yaml", "structlog", "pydict"]),
        ("percent-encoded postgresql://", lambda r: db_url(r, "postgresql", pct=True, port=5432, db="trading"),
         "DATABASE_URL", ["env", "yaml", "json", "cli"]),
    ]
    for what, g, name, ctxs in dbs:
        add(V("db-url", "db url with password (%s)" % what, g, name, "dsn", ctxs, event="db_connect",
              cli="psql '{v}' -c 'select count(*) from fills'",
              tb="RuntimeError: could not connect to {v}: connection refused"))
    # --- AWS
    add(V("aws", "aws access key id (AKIA)", lambda r: "AKIA" + rs(r, B32, 16), "AWS_ACCESS_KEY_ID",
          "aws_access_key_id", ["env", "export", "yaml", "json", "ini", "pydict", "structlog", "docker"]))
    add(V("aws", "aws temporary key id (ASIA)", lambda r: "ASIA" + rs(r, B32, 16), "AWS_ACCESS_KEY_ID",
          "aws_access_key_id", ["env", "json", "ini", "structlog"]))
    add(V("aws", "aws secret access key", lambda r: mixed(r, B64, 40), "AWS_SECRET_ACCESS_KEY",
          "aws_secret_access_key", ["env", "export", "yaml", "json", "ini", "pydict", "docker", "cli"],
          cli="aws configure set aws_secret_access_key {v} --profile reports"))
    add(V("aws", "aws session token", lambda r: "IQoJb3JpZ2luX2Vj" + mixed(r, B64, r.randint(300, 380)),
          "AWS_SESSION_TOKEN", "aws_session_token", ["env", "ini", "json", "export"]))
    # --- GitHub / GitLab
    for pfx, name in [("ghp_", "GITHUB_TOKEN"), ("gho_", "GH_OAUTH_TOKEN"), ("ghs_", "GITHUB_APP_TOKEN"),
                      ("ghu_", "GH_USER_TOKEN")]:
        add(V("github", "github token (%s)" % pfx, lambda r, p=pfx: checksummed(r, p), name, "github_token",
              ["env", "yaml", "json", "http", "cli", "structlog"],
              header="Authorization", hfmt="token {v}", host="api.github.com", path="/repos/acme/ops/releases",
              cli="git clone https://" + "x-access-token:{v}" + "@github.com/acme/ops-runbooks.git"))
    add(V("github", "github fine-grained pat", lambda r: "github_pat_" + mixed(r, ALNUM, 22) + "_" + mixed(r, ALNUM, 59),
          "GITHUB_PAT", "github_pat", ["env", "export", "yaml", "json", "docker"]))
    add(V("gitlab", "gitlab pat (glpat-)", lambda r: "glpat-" + mixed(r, ALNUM + "-_", 20), "GITLAB_TOKEN",
          "gitlab_token", ["env", "yaml", "http", "cli", "json"],
          header="PRIVATE-TOKEN", host="gitlab.com", path="/api/v4/projects/4711/pipelines",
          cli="git clone https://" + "oauth2:{v}" + "@gitlab.com/acme/infra.git"))
    # --- Slack / Discord
    add(V("slack", "slack bot token (xoxb-)", lambda r: "xoxb-%d-%d-%s" % (r.randint(10**10, 10**12), r.randint(10**11, 10**13), mixed(r, ALNUM, 24)),
          "SLACK_BOT_TOKEN", "slack_bot_token", ["env", "yaml", "json", "http", "structlog"],
          header="Authorization", hfmt="Bearer {v}", host="slack.com", path="/api/chat.postMessage"))
    add(V("slack", "slack user token (xoxp-)", lambda r: "xoxp-%d-%d-%d-%s" % (r.randint(10**10, 10**12), r.randint(10**10, 10**12), r.randint(10**12, 10**13), rs(r, HEX, 32)),
          "SLACK_USER_TOKEN", "slack_user_token", ["env", "toml", "pydict"]))
    add(V("slack", "slack webhook url", lambda r: "https://hooks.slack.com/services/T%s/B%s/%s" % (mixed(r, UPDIG, 9, (UP, DIG)), mixed(r, UPDIG, 10, (UP, DIG)), mixed(r, ALNUM, 24)),
          "SLACK_WEBHOOK_URL", "webhook_url", ["env", "yaml", "json", "structlog", "cli", "toml"], event="alert_sent",
          cli="curl -X POST -H 'Content-type: application/json' --data '{{\"text\":\"drill\"}}' {v}"))
    add(V("discord", "discord webhook url", lambda r: "https://discord.com/api/webhooks/%d/%s" % (r.randint(10**17, 10**19 - 1), mixed(r, B64URL, 68)),
          "DISCORD_WEBHOOK_URL", "discord_webhook", ["env", "yaml", "json", "structlog", "cli"], event="alert_sent",
          cli="curl -H 'Content-Type: application/json' -d '{{\"content\":\"bot3 halted\"}}' {v}"))
    # --- Stripe / OpenAI / Anthropic / Google / Azure / SendGrid / Twilio / npm / PyPI / Telegram
    add(V("stripe", "stripe secret key (sk_live_)", lambda r: "sk_live_" + r.choice(["51", ""]) + mixed(r, ALNUM, r.choice([24, 32, 97])),
          "STRIPE_SECRET_KEY", "stripe_secret_key", ["env", "export", "yaml", "json", "toml", "pydict", "http", "cli"],
          header="Authorization", hfmt="Bearer {v}", host="api.stripe.com", path="/v1/charges",
          cli="curl https://api.stripe.com/v1/balance -u {v}:"))
    add(V("stripe", "stripe restricted key (rk_live_)", lambda r: "rk_live_" + mixed(r, ALNUM, r.choice([24, 99])),
          "STRIPE_RESTRICTED_KEY", "stripe_key", ["env", "json", "structlog"]))
    add(V("openai", "openai project key (sk-proj-)", lambda r: "sk-proj-" + r.choice(ALNUM) + rs(r, B64URL, 73) + "T3BlbkFJ" + rs(r, B64URL, 73) + r.choice(ALNUM),
          "OPENAI_API_KEY", "openai_api_key", ["env", "export", "json", "pydict", "http", "structlog"],
          header="Authorization", hfmt="Bearer {v}", host="api.openai.com", path="/v1/chat/completions"))
    add(V("anthropic", "anthropic key (sk-ant-api03-)", lambda r: "sk-ant-api03-" + r.choice(ALNUM) + rs(r, B64URL, 92) + "AA",
          "ANTHROPIC_API_KEY", "anthropic_api_key", ["env", "export", "json", "http", "pydict"],
          header="x-api-key", host="api.anthropic.com", path="/v1/messages"))
    add(V("google", "google api key (AIza)", lambda r: "AIza" + mixed(r, ALNUM + "-_", 35), "GOOGLE_API_KEY",
          "google_api_key", ["env", "yaml", "json", "urlq", "structlog"],
          urlq="GET https://sheets.googleapis.com/v4/spreadsheets/1pnl-sheet/values/A1:D9?key={v}"))
    add(V("azure", "azure storage connection string (AccountKey)",
          lambda r: "DefaultEndpointsProtocol=https;AccountName=opsreports%d;AccountKey=%s;EndpointSuffix=core.windows.net" % (r.randint(1, 99), b64of(r, 64)),
          "AZURE_STORAGE_CONNECTION_STRING", "connection_string", ["env", "json", "yaml", "toml", "traceback"],
          tb="azure.core.exceptions.ClientAuthenticationError: Server failed to authenticate the request ({v})"))
    add(V("sendgrid", "sendgrid key (SG.)", lambda r: "SG." + mixed(r, B64URL, 22) + "." + mixed(r, B64URL, 43),
          "SENDGRID_API_KEY", "sendgrid_api_key", ["env", "yaml", "json", "pydict", "http"],
          header="Authorization", hfmt="Bearer {v}", host="api.sendgrid.com", path="/v3/mail/send"))
    sid = "AC" + rs(random.Random(4242), HEX, 32)  # an account SID: an identifier, not a secret
    add(V("twilio", "twilio auth token (32 hex)", lambda r: rs(r, HEX, 32), "TWILIO_AUTH_TOKEN", "twilio_auth_token",
          ["env", "yaml", "json", "pydict", "cli"],
          cli="curl -X POST https://api.twilio.com/2010-04-01/Accounts/" + sid + "/Messages.json -u " + sid + ":{v}"))
    add(V("npm", "npm token (npm_)", lambda r: checksummed(r, "npm_"), "NPM_TOKEN", "npm_token",
          ["env", "npmrc", "yaml", "docker", "export"]))
    add(V("pypi", "pypi upload token", pypi_token,
          "TWINE_PASSWORD", "password", ["env", "ini", "cli", "yaml", "export"],
          cli="twine upload --username __token__ --password {v} dist/*"))
    add(V("telegram", "telegram bot token", lambda r: "%d:AA%s" % (r.randint(10**8, 10**10 - 1), mixed(r, B64URL, 33)),
          "TELEGRAM_BOT_TOKEN", "telegram_token", ["env", "yaml", "json", "urlq", "structlog", "traceback"],
          urlq="POST https://api.telegram.org/bot{v}/sendMessage",
          tb="telegram.error.InvalidToken: token {v} was rejected by the server"))
    # --- exchanges with context
    add(V("binance", "binance api key (64 alnum)", lambda r: mixed(r, ALNUM, 64), "BINANCE_API_KEY", "binance_api_key",
          ["env", "yaml", "json", "http", "pydict"], header="X-MBX-APIKEY", host="api.binance.com", path="/api/v3/account"))
    add(V("binance", "binance api secret (64 alnum)", lambda r: mixed(r, ALNUM, 64), "BINANCE_API_SECRET", "binance_api_secret",
          ["env", "yaml", "toml", "structlog"]))
    add(V("coinbase", "coinbase api key (32 hex)", lambda r: rs(r, HEX, 32), "COINBASE_API_KEY", "coinbase_api_key",
          ["env", "json", "http"], header="CB-ACCESS-KEY", host="api.exchange.coinbase.com", path="/accounts"))
    add(V("coinbase", "coinbase api secret (88 b64)", lambda r: b64of(r, 64), "COINBASE_API_SECRET", "coinbase_api_secret",
          ["env", "yaml", "json", "pydict"]))
    add(V("kraken", "kraken api key (56 b64)", lambda r: mixed(r, B64, 56), "KRAKEN_API_KEY", "kraken_api_key",
          ["env", "json", "http"], header="API-Key", host="api.kraken.com", path="/0/private/Balance"))
    add(V("kraken", "kraken private key (88 b64)", lambda r: b64of(r, 64), "KRAKEN_PRIVATE_KEY", "kraken_private_key",
          ["env", "yaml", "toml", "structlog"]))
    # --- PEM private keys
    add(V("private-key", "RSA private key block", make_pem("RSA"), "TLS_KEY", "tls_key", ["pem", "pem-yaml"]))
    add(V("private-key", "EC private key block", make_pem("EC"), "EC_KEY", "signing_key", ["pem", "pem-yaml", "pem-json"]))
    add(V("private-key", "PKCS#8 private key block", make_pem("PKCS8"), "GCP_SA_KEY", "private_key", ["pem", "pem-json", "pem-json"]))
    add(V("private-key", "OpenSSH private key block", make_pem("OPENSSH"), "DEPLOY_KEY", "deploy_key", ["pem", "pem-yaml"]))
    # --- HTTP auth headers
    add(V("http-auth", "bearer token (opaque)", lambda r: mixed(r, B64URL, r.choice([32, 40, 48, 64])), "API_TOKEN", "Authorization",
          ["http", "cli", "pydict", "json", "http"], header="Authorization", hfmt="Bearer {v}", host="ops-api.internal",
          path="/v1/bots/bot2/halt", cli="curl -sS -X POST -H 'Authorization: Bearer {v}' https://ops-api.internal/v1/bots/bot2/halt"))
    add(V("http-auth", "basic auth (base64 user:pass)", lambda r: base64.b64encode(("svc-%s:%s" % (r.choice(["reconciler", "grafana", "exporter"]), mixed(r, ALNUM, 20))).encode()).decode(),
          "BASIC_AUTH", "Authorization", ["http", "cli", "pydict", "http"], header="Authorization", hfmt="Basic {v}",
          host="metrics.ops.lan", path="/api/v1/query",
          cli="curl -H 'Authorization: Basic {v}' https://metrics.ops.lan/api/v1/query?query=up"))
    # --- generic secret-named assignments
    add(V("generic", "webhook signing secret (*_SECRET)", lambda r: mixed(r, B64URL, 32), "WEBHOOK_SECRET", "webhook_secret",
          ["env", "yaml", "json", "toml", "structlog", "docker"]))
    add(V("generic", "service token (*_TOKEN)", lambda r: mixed(r, ALNUM, 40), "INTERNAL_API_TOKEN", "internal_api_token",
          ["env", "export", "json", "pydict", "structlog"]))
    add(V("generic", "database password", password, "POSTGRES_PASSWORD", "password",
          ["env", "yaml", "toml", "json", "pydict", "cli", "docker", "prose", "traceback"],
          cli="pg_dump --host db.internal --username bot --password {v} trading", tb="psycopg2.OperationalError: authentication failed for user bot (password '{v}')",
          prose="The break-glass password for the staging ledger database is `{v}`; rotate it after the drill."))
    add(V("generic", "gpg passphrase", password, "GPG_PASSPHRASE", "passphrase", ["env", "yaml", "cli", "structlog"],
          cli="gpg --batch --pinentry-mode loopback --passphrase {v} --decrypt backup.tar.gpg"))
    add(V("generic", "oauth client_secret", lambda r: mixed(r, B64URL, 36), "OAUTH_CLIENT_SECRET", "client_secret",
          ["env", "json", "yaml", "pydict", "urlq", "cli"],
          urlq="POST https://auth.ops.lan/oauth/token?grant_type=client_credentials&client_id=grafana&client_secret={v}",
          cli="curl -d grant_type=client_credentials -d client_id=grafana -d client_secret={v} https://auth.ops.lan/oauth/token"))
    # --- base64-encoded secrets
    add(V("base64-secret", "k8s Secret manifest data value", lambda r: base64.b64encode(password(r).encode()).decode(),
          "DB_PASSWORD", "password", ["k8s", "k8s", "k8s"]))
    add(V("base64-secret", "*_B64 variable", lambda r: b64of(r, r.choice([48, 64, 96])), "SIGNING_KEY_B64", "signing_key_b64",
          ["env", "export", "docker", "yaml"]))

    # ================================================================= decoys
    D = []
    dd = D.append
    AWS_DOC_ID = "AKIA" + "IOSFODNN7" + "EXAMPLE"
    AWS_DOC_SAK = "wJalrXUt" + "nFEMI/K7" + "MDENG/" + "bPxRfiCY" + "EXAMPLEKEY"
    JWT_IO = ("eyJhbGci" "OiJIUzI1" "NiIsInR5" "cCI6IkpX" "VCJ9" + "." +
              "eyJzdWIi" "OiIxMjM0" "NTY3ODkw" "IiwibmFt" "ZSI6Ikpv" "aG4gRG9l" "IiwiaWF0" "IjoxNTE2" "MjM5MDIy" "fQ" + "." +
              "SflKxwRJ" "SMeKKF2Q" "T4fwpMeJ" "f36POk6y" "JV_adQss" "w5c")
    SLACK_DOC = "https://hooks." + "slack.com/services/" + "T00000000/B00000000/" + "X" * 24

    def c(v):
        return lambda r: v
    dd(V("aws", "AWS documentation example key id", c(AWS_DOC_ID), "AWS_ACCESS_KEY_ID", "aws_access_key_id",
         ["env", "yaml", "json", "ini"], "decoy", "doc-example"))
    dd(V("aws", "AWS documentation example secret key", c(AWS_DOC_SAK), "AWS_SECRET_ACCESS_KEY", "aws_secret_access_key",
         ["env", "ini", "json"], "decoy", "doc-example"))
    dd(V("jwt", "jwt.io sample token", c(JWT_IO), "ACCESS_TOKEN", "token", ["http", "json", "prose"], "decoy", "doc-example",
         header="Authorization", hfmt="Bearer {v}", host="localhost:8000", path="/docs",
         prose="Paste the jwt.io sample token `{v}` into the debugger to see the claim layout."))
    dd(V("slack", "Slack documented example webhook", c(SLACK_DOC), "SLACK_WEBHOOK_URL", "webhook_url",
         ["env", "yaml", "json"], "decoy", "doc-example"))
    # placeholders
    ph = [
        ("alpaca", "ALPACA_API_SECRET_KEY", "secret_key", "<NEW_KEY>", ["env", "yaml", "export"]),
        ("bitget", "BITGET_API_KEY", "api_key", "${BITGET_API_KEY}", ["env", "docker", "yaml"]),
        ("github", "GITHUB_TOKEN", "token", "{{ secrets.GITHUB_TOKEN }}", ["yaml", "env"]),
        ("generic", "DB_PASSWORD", "password", "%(password)s", ["ini", "pydict"]),
        ("generic", "POSTGRES_PASSWORD", "password", "changeme", ["env", "yaml", "docker"]),
        ("openai", "OPENAI_API_KEY", "openai_api_key", "your-api-key-here", ["env", "export", "json"]),
        ("huggingface", "HF_TOKEN", "hf_token", "xxxxxxxxxxxxxxxx", ["env", "cli"]),
        ("db-url", "DATABASE_URL", "dsn", "postgres://bot:" + "${DB_PASSWORD}" + "@db.internal:5432/trading", ["env", "yaml"]),
        ("db-url", "DATABASE_URL", "dsn", "postgresql://user:" + "password" + "@localhost:5432/app", ["env", "prose"]),
        ("http-auth", "API_TOKEN", "Authorization", "<token>", ["http", "cli"]),
        ("stripe", "STRIPE_SECRET_KEY", "stripe_secret_key", "sk_live_<your-key>", ["env", "toml"]),
        ("jwt-secret", "JWT_SECRET_KEY", "jwt_secret_key", "${JWT_SECRET_KEY:?set in vault}", ["env", "docker"]),
    ]
    for fam, name, key, val, ctxs in ph:
        dd(V(fam, "placeholder value for %s" % name.lower().replace("_", " "), c(val), name, key, ctxs, "decoy", "placeholder",
             header="Authorization", hfmt="Bearer {v}", host="ops-api.internal", path="/v1/bots",
             cli={"HF_TOKEN": "huggingface-cli login --token {v}",
                  "API_TOKEN": "curl -H 'Authorization: Bearer {v}' https://ops-api.internal/v1/bots"}.get(name),
             prose="Connection strings follow the usual shape, e.g. `{v}` for a local checkout."))
    # masked values
    dd(V("generic", "masked value (****ABCD)", lambda r: "****" + rs(r, UPDIG, 4), "API_KEY", "api_key",
         ["structlog", "json", "prose"], "decoy", "masked",
         prose="hygiene reported `aws.access-key-id` in docs/runbook.md, masked as `{v}`; the key was revoked."))
    dd(V("alpaca", "redacted value", c("[REDACTED]"), "ALPACA_API_SECRET_KEY", "secret_key", ["env", "pydict", "structlog"],
         "decoy", "masked"))
    dd(V("stripe", "masked stripe key (sk_live_****)", lambda r: "sk_live_****" + rs(r, DIG, 4), "STRIPE_SECRET_KEY",
         "stripe_secret_key", ["env", "json", "prose"], "decoy", "masked",
         prose="Stripe dashboard shows the rotated key as `{v}`."))
    dd(V("generic", "asterisks password", c("********"), "DB_PASSWORD", "password", ["yaml", "pydict"], "decoy", "masked"))
    dd(V("bitget", "masked passphrase header", c("***"), "BITGET_PASSPHRASE", "passphrase", ["http"], "decoy", "masked",
         header="ACCESS-PASSPHRASE", host="api.bitget.com", path="/api/v2/spot/account/assets"))
    # values labelled as fake on the same line
    fakes = [
        ("github", "GITHUB_TOKEN", "github_token", lambda r: checksummed(r, "ghp_")),
        ("stripe", "STRIPE_SECRET_KEY", "stripe_secret_key", lambda r: "sk_live_" + mixed(r, ALNUM, 24)),
        ("aws", "AWS_ACCESS_KEY_ID", "aws_access_key_id", lambda r: "AKIA" + rs(r, B32, 16)),
        ("slack", "SLACK_BOT_TOKEN", "slack_bot_token", lambda r: "xoxb-%d-%d-%s" % (r.randint(10**10, 10**12), r.randint(10**11, 10**13), mixed(r, ALNUM, 24))),
        ("alpaca", "ALPACA_API_SECRET_KEY", "secret_key", lambda r: mixed(r, ALNUM, 40)),
    ]
    for fam, name, key, g in fakes:
        dd(V(fam, "value marked '# fake test vector' on the line", g, name, key, ["env", "yaml", "toml"], "decoy", "fake-vector",
             suffix="  # fake test vector"))
    # public keys and certificates
    dd(V("public-key", "ssh-rsa public key", lambda r: ssh_pub(r), "SSH_AUTHORIZED_KEY", "ssh_authorized_key",
         ["authorized_keys", "yaml"], "decoy", "public-key"))
    dd(V("public-key", "ssh-ed25519 public key", lambda r: ssh_pub(r, ed=True), "SSH_PUBKEY", "ssh_pubkey",
         ["authorized_keys", "json"], "decoy", "public-key"))
    dd(V("public-key", "PUBLIC KEY block", lambda r: public_pem(r), "JWT_PUBLIC_KEY", "jwt_public_key",
         ["pem", "pem-yaml"], "decoy", "public-key"))
    dd(V("public-key", "CERTIFICATE block", lambda r: public_pem(r, cert=True), "TLS_CERT", "tls_cert",
         ["pem", "pem-json"], "decoy", "public-key"))
    # placeholder PEM blocks
    dd(V("private-key", "placeholder RSA PEM block (...)", c(pem_text("RSA PRIVATE KEY", ["..."])), "TLS_KEY", "tls_key",
         ["pem", "pem-yaml"], "decoy", "pem-placeholder"))
    dd(V("private-key", "placeholder PKCS#8 PEM in JSON", c(pem_text("PRIVATE KEY", ["<paste the service account key here>"]) + "\n"),
         "GCP_SA_KEY", "private_key", ["pem-json"], "decoy", "pem-placeholder"))
    # identifiers and digests
    dd(V("uuid", "UUID (order / account id)", uuid4, "ALPACA_ACCOUNT_ID", "client_order_id",
         ["structlog", "json", "pydict", "env"], "decoy", "uuid", event="order_submitted"))
    dd(V("git-sha", "git commit sha", lambda r: rs(r, HEX, 40), "GIT_SHA", "deployed_sha",
         ["commit", "structlog", "json"], "decoy", "git-sha", event="deploy_done"))
    dd(V("sha256", "sha256 digest", lambda r: rs(r, HEX, 64), "IMAGE_DIGEST", "fingerprint",
         ["image-digest", "json", "sha256sum"], "decoy", "sha256"))
    dd(V("order-id", "order id (16 hex)", lambda r: rs(r, HEX, 16), "ORDER_ID", "order_id", ["structlog", "json"],
         "decoy", "order-id", event="order_filled"))
    dd(V("order-id", "request id (req_...)", lambda r: "req_" + mixed(r, ALNUM, 24), "REQUEST_ID", "request_id",
         ["structlog", "json", "pydict"], "decoy", "order-id", event="http_response"))
    dd(V("order-id", "bitget numeric order id", lambda r: str(r.randint(10**18, 10**19 - 1)), "ORDER_ID", "orderId",
         ["json", "structlog"], "decoy", "order-id", event="order_ack"))
    dd(V("order-id", "X-Request-Id header (32 hex)", lambda r: rs(r, HEX, 32), "REQUEST_ID", "request_id", ["http"],
         "decoy", "order-id", header="X-Request-Id", host="api.bitget.com", path="/api/v2/mix/order/detail"))
    dd(V("eth", "0x address (40 hex)", lambda r: "0x" + rs(r, HEX, 40), "WITHDRAW_ADDRESS", "withdraw_address",
         ["structlog", "json", "yaml"], "decoy", "eth", event="withdraw_requested"))
    dd(V("eth", "0x tx hash (64 hex)", lambda r: "0x" + rs(r, HEX, 64), "TX_HASH", "tx_hash", ["structlog", "json"],
         "decoy", "eth", event="withdraw_confirmed"))
    dd(V("data-uri", "data:image/png;base64 URI", lambda r: "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA" + b64of(r, r.randint(120, 300)),
         "CHART", "chart", ["md-image", "json"], "decoy", "data-uri"))
    dd(V("cursor", "pagination cursor (base64 JSON)", lambda r: base64.b64encode(json.dumps({"page": r.randint(2, 40), "after": r.randint(10**9, 2 * 10**9)}).encode()).decode(),
         "NEXT_CURSOR", "next_cursor", ["structlog", "json", "urlq"], "decoy", "cursor", event="page_fetched",
         urlq="GET https://paper-api.alpaca.markets/v2/orders?status=all&limit=500&page_token={v}"))
    dd(V("arn", "IAM role ARN", lambda r: "arn:aws:iam::%d:role/%s-exec" % (r.randint(10**11, 10**12 - 1), r.choice(BOTS)),
         "ROLE_ARN", "role_arn", ["yaml", "env", "json"], "decoy", "arn"))
    dd(V("arn", "Secrets Manager secret ARN", lambda r: "arn:aws:secretsmanager:us-east-1:%d:secret:prod/%s/bitget-%s" % (r.randint(10**11, 10**12 - 1), r.choice(BOTS), rs(r, ALNUM, 6)),
         "BITGET_SECRET_ARN", "secret_arn", ["env", "structlog", "json"], "decoy", "arn", event="secret_fetched"))
    # a name without a value / a reference to where the secret lives / code that makes one
    dd(V("jwt-secret", "variable name without value", c(""), "JWT_SECRET_KEY", "jwt_secret_key", ["env", "export", "yaml"],
         "decoy", "name-only", quote=False))
    dd(V("jwt-secret", "prose naming the variable", c("JWT_SECRET_KEY"), "JWT_SECRET_KEY", "jwt_secret_key", ["prose"],
         "decoy", "name-only", prose="Set `{v}` in the vault (path `kv/bots/prod`) before deploying; never in the .env file."))
    dd(V("bitget", "prose naming the variable", c("BOT2_BITGET_API_SECRET"), "BOT2_BITGET_API_SECRET", "api_secret", ["prose"],
         "decoy", "name-only", prose="If `{v}` is missing the bot refuses to start and logs `missing_credentials`."))
    dd(V("secret-ref", "*_FILE path to a mounted secret", c("/run/secrets/db_password"), "DB_PASSWORD_FILE", "password_file",
         ["env", "docker", "yaml"], "decoy", "secret-file"))
    dd(V("secret-ref", "credentials file path", c("/etc/gcp/reports-sa.json"), "GOOGLE_APPLICATION_CREDENTIALS", "credentials_file",
         ["env", "yaml"], "decoy", "secret-file"))
    dd(V("secret-ref", "shell that generates a key", c("$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"),
         "JWT_SECRET_KEY", "jwt_secret_key", ["env", "export"], "decoy", "keygen", quote=False))
    dd(V("secret-ref", "Fernet.generate_key() call", c("Fernet.generate_key()"), "FERNET_KEY", "key", ["python"],
         "decoy", "keygen"))
    dd(V("secret-ref", "openssl rand command", c("openssl rand -base64 32"), "WEBHOOK_SECRET", "webhook_secret", ["cli-gen"],
         "decoy", "keygen"))
    dd(V("stripe", "stripe publishable key (pk_live_)", lambda r: "pk_live_" + mixed(r, ALNUM, r.choice([24, 99])),
         "STRIPE_PUBLISHABLE_KEY", "publishable_key", ["env", "json", "yaml"], "decoy", "publishable"))
    dd(V("bitget", "ACCESS-SIGN signature (base64 HMAC)", lambda r: b64of(r, 32), "ACCESS_SIGN", "sign", ["http", "http"],
         "decoy", "signature", header="ACCESS-SIGN", host="api.bitget.com", path="/api/v2/mix/order/place-order"))
    dd(V("bitget", "ACCESS-TIMESTAMP header", lambda r: str(1714000000000 + r.randint(0, 10**10)), "ACCESS_TIMESTAMP", "ts",
         ["http"], "decoy", "signature", header="ACCESS-TIMESTAMP", host="api.bitget.com", path="/api/v2/mix/market/ticker"))
    dd(V("plaid", "plaid client_id (24 hex, public)", lambda r: rs(r, HEX, 24), "PLAID_CLIENT_ID", "client_id", ["env", "json"],
         "decoy", "identifier"))
    dd(V("twilio", "twilio account SID (AC...)", lambda r: "AC" + rs(r, HEX, 32), "TWILIO_ACCOUNT_SID", "account_sid", ["env", "yaml"],
         "decoy", "identifier"))
    return S + D


# ----------------------------------------------------------------------------- filler text
SYMS = ["AAPL", "MSFT", "SPY", "QQQ", "NVDA", "TSLA", "BTCUSDT", "ETHUSDT", "SOLUSDT", "AMZN", "META", "IWM"]
LOGGERS = ["engine", "exchange.client", "risk", "reconcile", "ws", "scheduler", "orders", "positions", "notify"]
LEVELS = ["info", "info", "info", "info", "debug", "debug", "warning", "error"]
EVENTS = ["heartbeat", "order_submitted", "order_filled", "order_canceled", "position_snapshot", "bar_received",
          "ws_reconnect", "risk_check_ok", "reconcile_ok", "drift_detected", "rate_limited", "schedule_tick",
          "pnl_update", "quote_stale", "halt_check", "fill_reconciled", "balance_snapshot", "job_finished"]
STD_MSGS = [
    "Submitting order {n} for {sym} qty={q} @ {p}",
    "Websocket connected to wss://stream.data.alpaca.markets/v2/iex",
    "Fetched {n} bars for {sym} in {ms} ms",
    "Position drift within tolerance ({pct}%)",
    "Reconciliation finished: {n} positions, 0 mismatches",
    "Rate limit hit, sleeping {s}s (remaining=0)",
    "Order {n} for {sym} filled: {q} @ {p}",
    "Heartbeat ok, uptime {n}s",
    "Scheduler tick: next run in {s}s",
    "Reloaded risk limits: max_notional={n} max_orders_per_min={s}",
    "Cancelled {s} stale orders for {sym}",
    "Snapshot written to reports/snapshots/{sym}-{n}.json",
    "Market closed, skipping rebalance for {sym}",
    "Retrying GET /api/v2/mix/market/ticker after timeout (attempt {s}/5)",
]
TB_ERRS = ["ZeroDivisionError: division by zero", "TimeoutError: read timed out after 10s", "KeyError: '{sym}'",
           "ConnectionResetError: [Errno 104] Connection reset by peer",
           "ValueError: qty must be positive, got -{q}", "asyncio.exceptions.CancelledError"]
TB_FRAMES = [('/app/{bot}/engine.py', 'step', 'qty = self.sizer.size(signal)'),
             ('/app/{bot}/exchange/client.py', '_request', 'resp = await self.session.request(method, url, json=body)'),
             ('/usr/local/lib/python3.11/asyncio/tasks.py', '__step', 'result = coro.send(None)'),
             ('/app/{bot}/risk.py', 'check', 'ratio = exposure / equity'),
             ('/app/{bot}/reconcile.py', 'run', 'broker = positions[symbol]')]
ACCESS_PATHS = ["/healthz", "/metrics", "/api/v1/positions", "/api/v1/orders?status=open", "/api/v1/pnl?day=today",
                "/api/v1/bots/bot2/status", "/static/app.js", "/api/v1/reports/latest"]
AGENTS = ["kube-probe/1.29", "Prometheus/2.51.0", "python-requests/2.31.0", "Mozilla/5.0 (X11; Linux x86_64)",
          "Grafana/10.4.2", "curl/8.5.0"]
PROSE = [
    "Check the reconciliation report before restarting any bot; a restart clears the in-memory order book.",
    "If the drift exceeds 0.5% of equity, halt the bot and page the on-call engineer.",
    "The scheduler runs every minute during market hours and every ten minutes otherwise.",
    "Logs are rotated daily and compressed after seven days; older files move to cold storage.",
    "Credentials live in the vault and are injected at start-up; the repository only documents their names.",
    "Use the paper environment to rehearse every change to position sizing.",
    "Each bot writes a JSON snapshot of its positions to reports/ after every reconciliation.",
    "A rejected order with code 40762 means the margin mode does not match the account setting.",
    "When the websocket reconnects more than five times in ten minutes, fall back to REST polling.",
    "Record the incident timeline in reports/incidents/ using the template below.",
    "Rotate exchange keys every ninety days and after anyone with access leaves the team.",
    "The dashboard shows realized and unrealized PnL separately; both are in account currency.",
    "Do not paste raw request dumps into tickets: they may contain headers that must stay private.",
    "Confirm the new key works with a read-only call before enabling trading permissions.",
    "After the deploy, watch the error rate for fifteen minutes before closing the change.",
    "The risk module rejects orders above the per-symbol notional limit without contacting the exchange.",
    "Snapshots older than thirty days are pruned by the nightly maintenance job.",
    "Alerts go to the ops channel; critical alerts also page the primary on-call.",
]
HEADINGS = ["Overview", "Prerequisites", "Steps", "Verification", "Rollback", "Troubleshooting", "Timeline",
            "Root cause", "Evidence", "Follow-ups", "Configuration", "Notes"]
DOC_TOPICS = ["rotate-exchange-keys", "deploy-bot", "restart-after-halt", "reconciliation", "incident-response",
              "onboarding", "database-maintenance", "alerting", "backup-restore", "release-checklist",
              "paper-to-live", "log-retention", "broker-outage", "secrets-handling", "monitoring"]

ENV_FILL = ["LOG_LEVEL=info", "TZ=UTC", "BOT_NAME={bot}", "ALPACA_BASE_URL=https://paper-api.alpaca.markets",
            "MAX_POSITION_USD=2500", "RISK_MAX_DRAWDOWN_PCT=4", "SCHEDULE_CRON=*/1 13-20 * * 1-5",
            "BITGET_PRODUCT_TYPE=USDT-FUTURES", "REPORTS_DIR=/srv/reports", "METRICS_PORT=9102"]
YAML_FILL = ["replicas: 1", "log_level: info", "timeout_s: 30", "paper: true", "max_orders_per_min: 20",
             "symbols: [AAPL, MSFT, SPY]", "region: us-east-1", "retry_backoff_s: 4"]


class Clock:
    """Monotonic fake wall clock for one file."""

    def __init__(self, r):
        self.r = r
        self.t = _dt.datetime(2024, 1, 2, 13, 30) + _dt.timedelta(days=r.randint(0, 300), seconds=r.randint(0, 20000))

    def tick(self, lo=0.001, hi=4.0):
        self.t += _dt.timedelta(seconds=self.r.uniform(lo, hi))
        return self.t

    def iso(self):
        return self.tick().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def std(self):
        t = self.tick()
        return t.strftime("%Y-%m-%d %H:%M:%S,") + "%03d" % (t.microsecond // 1000)

    def clf(self):
        return self.tick().strftime("%d/%b/%Y:%H:%M:%S +0000")


def fmt_fill(r, s, bot="bot1"):
    return s.format(n=r.randint(100, 99999), sym=r.choice(SYMS), q=r.randint(1, 400), p="%.2f" % r.uniform(5, 900),
                    ms=r.randint(3, 900), pct="%.2f" % r.uniform(0, 0.4), s=r.randint(1, 60), bot=bot)


def kv_tail(r):
    return r.choice([
        "symbol=%s qty=%d price=%.2f" % (r.choice(SYMS), r.randint(1, 300), r.uniform(5, 900)),
        "positions=%d drift_usd=%.2f" % (r.randint(0, 30), r.uniform(0, 40)),
        "latency_ms=%d attempt=%d" % (r.randint(2, 900), r.randint(1, 5)),
        "uptime_s=%d rss_mb=%d" % (r.randint(60, 900000), r.randint(60, 900)),
        "equity=%.2f cash=%.2f" % (r.uniform(1e4, 2e5), r.uniform(0, 5e4)),
        "status=%s side=%s" % (r.choice(["new", "filled", "partially_filled", "canceled"]), r.choice(["buy", "sell"])),
    ])


def filler_body(r, fmt, bot):
    """One filler log event body (no timestamp) for log format fmt; may be multi-line."""
    if fmt == "console":
        ev = r.choice(EVENTS)
        return "[%-9s] %-24s %s bot=%s" % (r.choice(LEVELS), ev, kv_tail(r), bot)
    if fmt == "logfmt":
        return "level=%s event=%s %s bot=%s" % (r.choice(LEVELS), r.choice(EVENTS), kv_tail(r), bot)
    if fmt == "stdlib":
        if r.random() < 0.03:
            return filler_traceback(r, bot)
        lvl = r.choice(["INFO", "INFO", "INFO", "DEBUG", "WARNING"])
        return "%s %s.%s: %s" % (lvl, bot, r.choice(LOGGERS), fmt_fill(r, r.choice(STD_MSGS), bot))
    if fmt == "jsonl":
        d = {"level": r.choice(LEVELS), "logger": "%s.%s" % (bot, r.choice(LOGGERS)), "event": r.choice(EVENTS)}
        for kv in kv_tail(r).split():
            k, v = kv.split("=")
            d[k] = v
        return json.dumps(d)[1:]  # without the leading "{": caller prefixes {"ts": ...,
    if fmt == "access":
        return '"GET %s HTTP/1.1" %d %d "-" "%s" %.3f' % (r.choice(ACCESS_PATHS), r.choice([200, 200, 200, 204, 304, 404, 502]),
                                                        r.randint(10, 90000), r.choice(AGENTS), r.uniform(0.001, 0.9))
    raise ValueError(fmt)


VENDOR_REST = [
    ("bitget", "GET", "https://api.bitget.com/api/v2/mix/order/detail?symbol={sym}&productType=USDT-FUTURES&orderId={oid}", "ACCESS-KEY"),
    ("bitget", "POST", "https://api.bitget.com/api/v2/mix/order/place-order", "ACCESS-KEY"),
    ("bitget", "GET", "https://api.bitget.com/api/v2/mix/position/all-position?productType=USDT-FUTURES", "ACCESS-PASSPHRASE"),
    ("alpaca", "POST", "https://paper-api.alpaca.markets/v2/orders", "APCA-API-KEY-ID"),
    ("alpaca", "GET", "https://paper-api.alpaca.markets/v2/positions", "APCA-API-KEY-ID"),
    ("alpaca", "GET", "https://data.alpaca.markets/v2/stocks/{sym}/bars?timeframe=1Min&limit=100", "APCA-API-SECRET-KEY"),
    ("binance", "GET", "https://api.binance.com/api/v3/openOrders?symbol={sym}&timestamp={ts}&signature={sig}", "X-MBX-APIKEY"),
    ("binance", "POST", "https://fapi.binance.com/fapi/v1/order?symbol={sym}&side=BUY&type=LIMIT&timestamp={ts}&signature={sig}", "X-MBX-APIKEY"),
    ("okx", "GET", "https://www.okx.com/api/v5/trade/order?instId={sym}&ordId={oid}", "OK-ACCESS-KEY"),
    ("bybit", "POST", "https://api.bybit.com/v5/order/create", "X-BAPI-API-KEY"),
    ("kraken", "POST", "https://api.kraken.com/0/private/AddOrder", "API-Key"),
    ("coinbase", "GET", "https://api.coinbase.com/api/v3/brokerage/orders/historical/{oid}", "CB-ACCESS-KEY"),
    ("kucoin", "GET", "https://api.kucoin.com/api/v1/orders?status=active", "KC-API-KEY"),
]
VENDOR_WS = ["wss://ws.bitget.com/v2/ws/public", "wss://ws.bitget.com/v2/ws/private", "wss://stream.binance.com:9443/ws",
             "wss://stream.data.alpaca.markets/v2/iex", "wss://ws.okx.com:8443/ws/v5/public", "wss://stream.bybit.com/v5/public/linear"]
K8S_REASONS = [("Normal", "Pulled", 'Successfully pulled image "registry.internal/bots/{bot}@sha256:{sha}" in 1.2s'),
               ("Normal", "Scheduled", "Successfully assigned trading/{bot}-{pod} to node-{n}"),
               ("Normal", "Started", "Started container {bot}"),
               ("Warning", "BackOff", "Back-off restarting failed container {bot} in pod {bot}-{pod}"),
               ("Warning", "Unhealthy", "Readiness probe failed: Get \"http://10.0.3.{n}:9102/healthz\": context deadline exceeded")]


def vendor_body(r, fmt, bot):
    """One vendor-dense filler event body (no timestamp) for log format fmt: venue traffic."""
    hexs = lambda k: "%0*x" % (k, r.getrandbits(4 * k))
    sym = r.choice(SYMS)
    kind = r.random()
    name, method, url, header = r.choice(VENDOR_REST)
    url = url.format(sym=sym, oid=r.randint(10 ** 17, 10 ** 18), ts=r.randint(10 ** 12, 10 ** 13), sig=hexs(64))
    rid = hexs(32)
    coid = "%s-%s-%d" % (bot, sym.lower(), r.randint(10 ** 6, 10 ** 7))
    if fmt == "jsonl":
        if kind < 0.5:
            d = {"level": "debug", "logger": "%s.exchange.%s" % (bot, name), "event": "http_request", "method": method,
                 "url": url, "status": r.choice([200, 200, 200, 201, 429]), "request_id": rid,
                 "auth_headers": [header, "timestamp", "sign"] if r.random() < 0.5 else [header],
                 "latency_ms": r.randint(3, 400)}
        elif kind < 0.8:
            d = {"level": "info", "logger": "%s.ws" % bot, "event": "ws_message", "url": r.choice(VENDOR_WS),
                 "channel": r.choice(["books5", "trade", "ticker", "orders", "positions"]), "instId": sym,
                 "checksum": r.randint(-2 ** 31, 2 ** 31), "ts": r.randint(10 ** 12, 10 ** 13)}
        else:
            d = {"level": "info", "logger": "%s.orders" % bot, "event": "order_filled", "venue": name,
                 "client_order_id": coid, "order_id": str(r.randint(10 ** 17, 10 ** 18)), "symbol": sym,
                 "px": round(r.uniform(5, 900), 2), "qty": r.randint(1, 400), "signature": hexs(64)}
        return json.dumps(d)[1:]
    if kind < 0.35:
        body = "http %s %s status=%d req_id=%s %s header set latency_ms=%d" % (
            method, url, r.choice([200, 200, 201, 400, 429]), rid, header, r.randint(3, 400))
    elif kind < 0.5:
        body = "%s %s %s {\"symbol\":\"%s\",\"qty\":%d,\"side\":\"%s\",\"type\":\"limit\",\"client_order_id\":\"%s\"} -> %d" % (
            name, method, url, sym, r.randint(1, 50), r.choice(["buy", "sell"]), coid, r.choice([200, 201]))
    elif kind < 0.65:
        body = "ws %s recv {\"action\":\"update\",\"arg\":{\"instType\":\"USDT-FUTURES\",\"channel\":\"books5\",\"instId\":\"%s\"},\"ts\":%d,\"checksum\":%d}" % (
            r.choice(VENDOR_WS), sym, r.randint(10 ** 12, 10 ** 13), r.randint(-2 ** 31, 2 ** 31))
    elif kind < 0.75:
        host = url.split("/")[2]
        body = "urllib3.connectionpool: https://%s:443 \"%s /%s HTTP/1.1\" %d %d" % (
            host, method, url.split("/", 3)[3], r.choice([200, 200, 201, 429]), r.randint(40, 9000))
    elif kind < 0.9:
        body = "fill venue=%s order_id=%d client_order_id=%s symbol=%s px=%.2f qty=%.4f fee=%.4f signature=%s" % (
            name, r.randint(10 ** 9, 10 ** 10), coid, sym, r.uniform(5, 900), r.uniform(0, 3), r.uniform(0, 1), hexs(64))
    else:
        typ, reason, msg = r.choice(K8S_REASONS)
        body = "k8s event type=%s reason=%s object=pod/%s-%s message=%s" % (
            typ, reason, bot, hexs(5), msg.format(bot=bot, pod=hexs(5), sha=hexs(64), n=r.randint(2, 250)))
    if fmt == "console":
        return "[%-9s] %s bot=%s" % (r.choice(LEVELS), body, bot)
    if fmt == "logfmt":
        return "level=%s %s bot=%s" % (r.choice(LEVELS), body, bot)
    if fmt == "stdlib":
        return "%s %s.exchange.%s: %s" % (r.choice(["INFO", "INFO", "DEBUG", "WARNING"]), bot, name, body)
    if fmt == "access":
        return '"%s /proxy/%s HTTP/1.1" %d %d "-" "python-requests/2.31.0 %s" %.3f' % (
            method, url.split("//", 1)[1], r.choice([200, 200, 201, 429]), r.randint(40, 9000), header, r.uniform(0.001, 0.9))
    raise ValueError(fmt)


def filler_traceback(r, bot, err=None):
    lines = ["ERROR %s.%s: step failed" % (bot, r.choice(LOGGERS)), "Traceback (most recent call last):"]
    for f, fn, code in r.sample(TB_FRAMES, 2):
        lines.append('  File "%s", line %d, in %s' % (f.format(bot=bot), r.randint(20, 400), fn))
        lines.append("    " + code)
    lines.append(err or fmt_fill(r, r.choice(TB_ERRS)))
    return "\n".join(lines)


def ts_prefix(clock, fmt):
    if fmt in ("console",):
        return clock.iso() + " "
    if fmt == "logfmt":
        return "ts=" + clock.iso() + " "
    if fmt == "stdlib":
        return clock.std() + " "
    if fmt == "jsonl":
        return '{"ts": "%s", ' % clock.iso()
    if fmt == "access":
        return '10.0.%d.%d - - [%s] ' % (clock.r.randint(0, 9), clock.r.randint(2, 250), clock.clf())
    raise ValueError(fmt)


def filler_log_line(r, clock, fmt, bot):
    return ts_prefix(clock, fmt) + filler_body(r, fmt, bot)


# ----------------------------------------------------------------------------- planted items
class Item:
    """A concrete planted item: variant + value + context."""

    def __init__(self, var, value, ctx, idx):
        self.v, self.value, self.ctx, self.idx = var, value, ctx, idx
        self.id = ("S%04d" if var.kind == "secret" else "D%04d") % idx

    def label(self, file, line, end_line, **extra):
        d = {"id": self.id, "file": file, "line": line, "end_line": end_line, "family": self.v.family,
             "kind": self.v.kind, "what": self.v.what, "ctx": self.ctx}
        if self.v.cls:
            d["class"] = self.v.cls
        if self.v.provider:
            d["provider"] = self.v.provider
        if self.v.suite:
            d["suite"] = self.v.suite
        d.update(extra)
        return d


class GroupItem:
    """Related credentials planted together on consecutive lines of one block (key id + secret
    (+ passphrase / session token)), as credential files usually hold them. Each member is its
    own label (one per line); pair-aware scanners (e.g. ones that report an AWS key id only
    next to a secret key) get a fair chance."""

    def __init__(self, ctx, members):
        self.ctx, self.members = ctx, members
        for m in members:
            m.ctx = ctx
        self.v = members[0].v


# (context, [variant "what" of each member]) planted as groups, in markdown code blocks
GROUPS = [
    ("pair-ini", ["aws access key id (AKIA)", "aws secret access key"]),
    ("pair-ini", ["aws temporary key id (ASIA)", "aws secret access key", "aws session token"]),
    ("pair-env", ["aws access key id (AKIA)", "aws secret access key"]),
    ("pair-env", ["alpaca paper key id (PK...)", "alpaca secret key (40 alnum)"]),
    ("pair-yaml", ["alpaca live key id (AK...)", "alpaca secret key (40 alnum)"]),
    ("pair-env", ["bitget api key (bg_ + 32 hex)", "bitget api secret (64 hex)", "bitget passphrase"]),
    ("pair-yaml", ["bitget api key (bg_ + 32 hex)", "bitget api secret (64 hex)", "bitget passphrase"]),
    ("pair-yaml", ["binance api key (64 alnum)", "binance api secret (64 alnum)"]),
    ("pair-env", ["coinbase api key (32 hex)", "coinbase api secret (88 b64)"]),
    ("pair-env", ["kraken api key (56 b64)", "kraken private key (88 b64)"]),
]


def md_render_group(r, g, bot):
    """Lines + [(item, start, end)] for a group of related credentials."""
    ms = g.members
    if g.ctx == "pair-ini":
        lines = ["```ini", "[%s]" % r.choice(["default", "reports", "prod"])]
        spans = []
        for m in ms:
            spans.append((m, len(lines), len(lines)))
            lines.append("%s = %s" % (m.v.key, m.value))
        return lines + ["region = us-east-1", "```"], spans
    if g.ctx == "pair-env":
        lines = ["```env", "BOT_NAME=%s" % bot]
        spans = []
        for m in ms:
            spans.append((m, len(lines), len(lines)))
            lines.append("%s=%s" % (m.v.name, q(r, m.value, m.v)))
        return lines + ["LOG_LEVEL=info", "```"], spans
    if g.ctx == "pair-yaml":
        par, ind = yaml_parents(r, g.v, bot)
        lines = ["```yaml"] + par
        spans = []
        for m in ms:
            spans.append((m, len(lines), len(lines)))
            lines.append("%s%s: %s" % (ind, m.v.key, q(r, m.value, m.v)))
        return lines + [ind + "enabled: true", "```"], spans
    raise ValueError(g.ctx)


# Which hosts may carry which context.
MD_ONLY = {"pair-ini", "pair-env", "pair-yaml", "env", "export", "yaml", "toml", "ini", "npmrc", "prose", "pem", "pem-yaml", "k8s", "authorized_keys",
           "python", "cli-gen", "commit", "image-digest", "sha256sum", "md-image", "mdtable", "raw"}
LOG_OK = {"pydict", "structlog", "http", "traceback", "urlq", "cli", "docker", "json", "pem-json", "curl"}
JSONREP_OK = {"json", "pem-json", "env", "export", "pydict", "structlog", "cli", "docker", "traceback", "urlq", "http", "curl"}


def q(r, v, var, ch='"'):
    """Maybe quote a value (never when the variant forbids it or it is empty)."""
    if not var.quote or v == "" or r.random() < 0.5:
        return v
    return ch + v + ch


def keyed(var, v):
    """The value as stored under var.key (an Authorization header value keeps its scheme)."""
    return var.hfmt.format(v=v) if var.key == "Authorization" else v


def one_line(r, it, bot):
    """Single-line rendering of an item (for log bodies and JSON evidence strings)."""
    v, var, ctx = it.value, it.v, it.ctx
    if ctx in ("pydict", "json"):
        v = keyed(var, v)
    if ctx == "env":
        return "%s=%s%s" % (var.name, v, var.suffix)
    if ctx == "export":
        return "export %s=%s%s" % (var.name, q(r, v, var, "'"), var.suffix)
    if ctx == "pydict":
        other = r.choice(["'paper': True", "'bot': '%s'" % bot, "'timeout': 30", "'base_url': 'https://%s'" % var.host])
        if r.random() < 0.5:
            return "loaded settings {'%s': '%s', %s}" % (var.key, v, other)
        return "loaded settings {%s, '%s': '%s'}" % (other, var.key, v)
    if ctx == "structlog":
        return "event=%s %s=%s bot=%s" % (var.event, var.key, v, bot)
    if ctx in ("cli", "curl"):
        tpl = var.cli or ("./bin/botctl rotate --bot " + bot + " --" + var.flag + " {v}")
        return "exec: " + tpl.format(v=v)
    if ctx == "docker":
        return "deploy: docker run -d --name %s -e %s=%s -e LOG_LEVEL=info ghcr.io/acme/%s:1.%d.%d" % (
            bot, var.name, v, bot, r.randint(0, 9), r.randint(0, 20))
    if ctx == "http":
        return "send: b'GET %s HTTP/1.1\\r\\nHost: %s\\r\\n%s: %s\\r\\nAccept: application/json\\r\\n\\r\\n'" % (
            var.path, var.host, var.header, var.hfmt.format(v=v))
    if ctx == "traceback":
        return var.tb.format(v=v)
    if ctx == "urlq":
        return 'HTTP Request: %s "HTTP/1.1 200 OK"' % var.urlq.format(v=v)
    if ctx == "json":
        return json.dumps({var.key: v})
    raise ValueError("no one-line form for ctx %s" % ctx)


def log_render(r, it, fmt, clock, bot):
    """Lines + (start, end) index span for an item inside a log file of format fmt."""
    ctx = it.ctx
    if fmt == "jsonl":
        d = {"level": "debug", "logger": "%s.%s" % (bot, r.choice(LOGGERS))}
        if ctx in ("json", "pem-json"):
            d["event"] = it.v.event
            d[it.v.key] = keyed(it.v, it.value)
        elif ctx == "traceback":
            d["level"] = "error"
            d["event"] = "request_failed"
            d["exception"] = filler_traceback(r, bot, it.v.tb.format(v=it.value)).split("\n", 1)[1]
        else:
            d["event"] = one_line(r, it, bot)
        return [ts_prefix(clock, fmt) + json.dumps(d)[1:]], (0, 0)
    if ctx == "traceback":
        lines = (ts_prefix(clock, fmt) + filler_traceback(r, bot, it.v.tb.format(v=it.value))).split("\n")
        if fmt in ("console", "logfmt"):
            lines[0] = ts_prefix(clock, fmt) + ("[error    ] request_failed           bot=%s" % bot if fmt == "console"
                                                else "level=error event=request_failed bot=%s" % bot)
        return lines, (len(lines) - 1, len(lines) - 1)
    if fmt == "access":  # only urlq items land here: the request line of a proxy's access log
        m = re.match(r"(\w+) https?://[^/]+(\S*)", it.v.urlq.format(v=it.value))
        return [ts_prefix(clock, fmt) + '"%s %s HTTP/1.1" 200 %d "-" "python-httpx/0.27.0" %.3f' % (
            m.group(1), m.group(2), r.randint(40, 4000), r.uniform(0.01, 0.9))], (0, 0)
    body = one_line(r, it, bot)
    if fmt == "console":
        body = "[debug    ] " + body
    elif fmt == "logfmt":
        body = "level=debug " + body
    elif fmt == "stdlib":
        body = "DEBUG %s.%s: %s" % (bot, r.choice(LOGGERS), body)
    return [ts_prefix(clock, fmt) + body], (0, 0)


def yaml_parents(r, var, bot):
    sect = {"alpaca": "alpaca", "bitget": "bitget", "binance": "binance", "kraken": "kraken", "coinbase": "coinbase",
            "db-url": "database", "aws": "aws", "slack": "notify", "discord": "notify"}.get(var.family, "secrets")
    return [bot + ":", "  " + sect + ":"], "    "


def md_render(r, it, bot):
    """Lines + span for an item inside a markdown file (its own fenced block or prose line)."""
    v, var, ctx = it.value, it.v, it.ctx
    fill = lambda pool, k: [x.format(bot=bot) for x in r.sample(pool, k)]
    if ctx == "prose":
        return [var.prose.format(v=v)], (0, 0)
    if ctx == "md-image":
        return ["![PnL by hour](%s)" % v], (0, 0)
    if ctx == "commit":
        return ["```console", "$ git log -1 --format='commit %H %s'",
                "commit %s fix(%s): widen stale-quote window" % (v, bot), "```"], (2, 2)
    if ctx in ("env", "export"):
        pre, post = fill(ENV_FILL, r.randint(0, 2)), fill(ENV_FILL, r.randint(0, 2))
        if ctx == "env":
            line = "%s=%s%s" % (var.name, ("'" + v + "'") if var.env_sq else q(r, v, var), var.suffix)
            head = "```env" if r.random() < 0.5 else "```bash"
        else:
            line = "export %s=%s%s" % (var.name, ("'" + v + "'") if var.env_sq else q(r, v, var, "'"), var.suffix)
            pre, post = ["export " + x for x in pre], ["export " + x for x in post]
            head = "```bash"
        return [head] + pre + [line] + post + ["```"], (1 + len(pre), 1 + len(pre))
    if ctx == "yaml":
        par, ind = yaml_parents(r, var, bot)
        pre = [ind + x for x in fill(YAML_FILL, r.randint(0, 2))]
        val = v if not var.quote or v == "" else q(r, v, var)
        if v and var.quote and val[:1] in "*&!%@{[<$`|>'" and not val.startswith('"'):
            val = '"' + v + '"'
        line = ind + var.key + ":" + (" " + val if val else "") + var.suffix
        lines = ["```yaml"] + par + pre + [line, ind + "enabled: true", "```"]
        return lines, (1 + len(par) + len(pre),) * 2
    if ctx == "toml":
        sect = "[%s.%s]" % (bot, var.family.replace("-", "_"))
        line = '%s = "%s"%s' % (var.key, v, var.suffix)
        return ["```toml", sect, "timeout_s = 30", line, "```"], (3, 3)
    if ctx == "ini":
        sect = "[%s]" % r.choice(["default", "reports", "prod"])
        if var.name == "TWINE_PASSWORD":
            return ["```ini", "[pypi]", "username = __token__", "password = %s" % v, "```"], (3, 3)
        return ["```ini", sect, "region = us-east-1", "%s = %s" % (var.key, v), "```"], (3, 3)
    if ctx == "npmrc":
        return ["```ini", "registry=https://registry.npmjs.org/", "//registry.npmjs.org/:_authToken=%s" % v, "```"], (2, 2)
    if ctx == "json":
        return ["```json", "{", '  "bot": "%s",' % bot, '  "%s": %s,' % (var.key, json.dumps(keyed(var, v))), '  "timeout_s": 30', "}", "```"], (3, 3)
    if ctx == "pem-json":
        return ["```json", "{", '  "type": "service_' + 'account",', '  "%s": %s,' % (var.key, json.dumps(v)),
                '  "client_email": "reports@ops-project.iam.gserviceaccount.com"', "}", "```"], (3, 3)
    if ctx == "pem":
        body = v.split("\n")
        return ["```text"] + body + ["```"], (1, len(body))
    if ctx == "pem-yaml":
        body = v.split("\n")
        head = ["```yaml", "tls:", "  %s: |" % var.key]
        return head + ["    " + x for x in body] + ["```"], (len(head), len(head) + len(body) - 1)
    if ctx == "k8s":
        head = ["```yaml", "apiVersion: v1", "kind: Secret", "metadata:", "  name: %s-db" % bot, "type: Opaque", "data:",
                "  username: " + base64.b64encode(bot.encode()).decode()]
        return head + ["  %s: %s" % (var.key, v), "```"], (len(head), len(head))
    if ctx == "authorized_keys":
        return ["```text", v, "```"], (1, 1)
    if ctx == "python":
        return ["```python", "from cryptography.fernet import Fernet", "", "%s = %s" % (var.key, v), "print(key.decode())", "```"], (3, 3)
    if ctx == "cli-gen":
        return ["```console", "$ %s > /run/secrets/%s" % (v, var.key), "```"], (1, 1)
    if ctx == "image-digest":
        return ["```yaml", "containers:", "  - name: %s" % bot, "    image: ghcr.io/acme/%s@sha256:%s" % (bot, v), "```"], (3, 3)
    if ctx == "sha256sum":
        return ["```console", "$ sha256sum dist/%s-1.8.3.tar.gz" % bot, "%s  dist/%s-1.8.3.tar.gz" % (v, bot), "```"], (2, 2)
    if ctx in ("cli", "curl"):
        tpl = var.cli or ("./bin/botctl rotate --bot " + bot + " --" + var.flag + " {v}")
        return ["```console", "$ " + tpl.format(v=v), "```"], (1, 1)
    if ctx == "mdtable":  # a runbook's credential inventory table
        return ["| Variable | Value | Owner | Rotated |", "| --- | --- | --- | --- |",
                "| `LOG_LEVEL` | `info` | ops | - |",
                "| `%s` | `%s` | %s | 2024-%02d-%02d |" % (var.name, v, r.choice(["ops", "platform", "trading"]), r.randint(1, 12), r.randint(1, 28)),
                ], (3, 3)
    if ctx == "raw":  # a literal config / console block of the variant, value on one line
        lang, body, at = var.raw
        return ["```" + lang] + [x.replace("{v}", v) for x in body] + ["```"], (1 + at, 1 + at)
    if ctx == "docker":
        return ["```bash", "docker run -d --name %s \\" % bot, "  -e %s=%s \\" % (var.name, v),
                "  ghcr.io/acme/%s:1.%d.0" % (bot, r.randint(0, 9)), "```"], (2, 2)
    if ctx == "http":
        hdr = "> %s: %s" % (var.header, var.hfmt.format(v=v))
        return ["```text", "> GET %s HTTP/1.1" % var.path, "> Host: %s" % var.host, hdr,
                "> User-Agent: python-requests/2.31.0", "> Accept: application/json", "```"], (3, 3)
    if ctx in LOG_OK:  # pydict, structlog, traceback, urlq: a log excerpt block
        clock = Clock(r)
        fmt = "console" if ctx == "structlog" else "stdlib"
        lines, (a, b) = log_render(r, it, fmt, clock, bot)
        pre = [filler_log_line(r, clock, "stdlib" if fmt == "stdlib" else fmt, bot).split("\n")[0]]
        return ["```text"] + pre + lines + ["```"], (2 + a, 2 + b)
    raise ValueError("md: no rendering for ctx %s" % ctx)


# ----------------------------------------------------------------------------- files
class FileSpec:
    def __init__(self, path, host, fmt=None, bot=None, gz=False):
        self.path, self.host, self.fmt, self.bot, self.gz = path, host, fmt, bot, gz
        self.items = []


def plan_files(r, nfiles):
    """Paths and hosts of the labelled files."""
    files = []
    n_docs = max(3, nfiles * 30 // 100)
    n_rjson = max(2, nfiles * 12 // 100)
    n_rmd = max(2, nfiles * 12 // 100)
    n_logs = max(4, nfiles - n_docs - n_rjson - n_rmd)
    topics = DOC_TOPICS[:]
    for i in range(n_docs):
        t = topics[i % len(topics)] + ("" if i < len(topics) else "-%d" % (i // len(topics) + 1))
        files.append(FileSpec("docs/%s.md" % t, "md", bot=BOTS[i % len(BOTS)]))
    day = _dt.date(2024, 3, 1)
    for i in range(n_rjson):
        d = day + _dt.timedelta(days=3 * i)
        kind = ["reconciliation", "snapshot", "positions", "config-audit"][i % 4]
        files.append(FileSpec("reports/%s-%s-%s.json" % (kind, BOTS[i % 4], d.isoformat()), "jsonrep", bot=BOTS[i % 4]))
    for i in range(n_rmd):
        d = day + _dt.timedelta(days=5 * i + 1)
        kind = ["incident", "reconciliation", "postmortem"][i % 3]
        files.append(FileSpec("reports/%s-%s.md" % (kind, d.isoformat()), "md", bot=BOTS[i % 4]))
    fmts = ["stdlib", "console", "jsonl", "logfmt", "access"]
    names = {"stdlib": "engine", "console": "trader", "jsonl": "events", "logfmt": "worker", "access": "access"}
    for i in range(n_logs):
        bot = BOTS[i % 4]
        fmt = fmts[(i // 4) % len(fmts)] if i < 20 else r.choice(fmts)
        d = day + _dt.timedelta(days=i)
        gz = i == 1  # exactly one gzip log (stdlib format -> picked below)
        if gz:
            fmt = "stdlib"
        path = "data/%s/logs/%s-%s.log%s" % (bot, names[fmt], d.isoformat(), ".gz" if gz else "")
        files.append(FileSpec(path, "log", fmt=fmt, bot=bot, gz=gz))
    return files


def compatible(f, ctx):
    if f.host == "md":
        return True
    if f.host == "jsonrep":
        return ctx in JSONREP_OK
    if f.fmt == "access":
        return ctx == "urlq"
    if ctx in ("json", "pem-json"):
        return f.fmt == "jsonl"
    return ctx in LOG_OK


def assign(r, items, files):
    """Put every item into a compatible file, preferring logs for log-ish contexts."""
    by_host = {"md": [f for f in files if f.host == "md"], "jsonrep": [f for f in files if f.host == "jsonrep"],
               "log": [f for f in files if f.host == "log"]}
    for it in items:
        ctx = it.ctx
        if ctx in MD_ONLY:
            hosts = ["md"]
        elif ctx in ("json", "pem-json"):
            hosts = ["jsonrep", "jsonrep", "md", "log"]
        elif ctx in ("env", "export"):
            hosts = ["md"]
        else:
            hosts = ["log", "log", "log", "md", "md", "jsonrep"]
        for _ in range(20):
            cand = [f for f in by_host[r.choice(hosts)] if compatible(f, ctx)]
            if cand:
                break
        else:
            cand = [f for f in files if compatible(f, ctx)]
        min(r.sample(cand, min(3, len(cand))), key=lambda f: len(f.items)).items.append(it)


def render_md(r, f):
    """Lines + labels (with 1-based lines) of a markdown runbook / report."""
    lines, labels = [], []
    title = os.path.basename(f.path)[:-3].replace("-", " ")
    lines += ["# " + title.capitalize(), "", r.choice(PROSE), r.choice(PROSE), ""]
    items = f.items[:]
    r.shuffle(items)
    heads = HEADINGS[:]
    for i, it in enumerate(items):
        if i % 2 == 0:
            lines += ["## " + heads[(i // 2) % len(heads)], ""]
        for _ in range(r.randint(1, 3)):
            lines.append(r.choice(PROSE))
        if r.random() < 0.3:
            lines += ["", "| time (UTC) | bot | note |", "| --- | --- | --- |"]
            for _ in range(r.randint(1, 3)):
                lines.append("| %02d:%02d | %s | %s |" % (r.randint(0, 23), r.randint(0, 59), f.bot,
                                                         fmt_fill(r, r.choice(STD_MSGS), f.bot)))
        lines.append("")
        base = len(lines)
        if isinstance(it, GroupItem):
            blk, spans = md_render_group(r, it, f.bot)
            labels += [m.label(f.path, base + a + 1, base + b + 1) for m, a, b in spans]
        else:
            blk, (a, b) = md_render(r, it, f.bot)
            labels.append(it.label(f.path, base + a + 1, base + b + 1))
        lines += blk
        lines.append("")
    lines += ["## Follow-ups", "", "- " + r.choice(PROSE), "- " + r.choice(PROSE), ""]
    return lines, labels


def render_log(r, f, n_lines):
    clock = Clock(r)
    lines, labels = [], []
    items = f.items[:]
    r.shuffle(items)
    total = max(n_lines, 10 * len(items))
    slots = sorted(r.sample(range(total), len(items)))
    si = 0
    for k in range(total):
        while si < len(slots) and slots[si] == k:
            it = items[si]
            blk, (a, b) = log_render(r, it, f.fmt, clock, f.bot)
            base = len(lines)
            lines += blk
            labels.append(it.label(f.path, base + a + 1, base + b + 1, **({"compressed": True} if f.gz else {})))
            si += 1
        if f.fmt == "jsonl":
            lines.append(ts_prefix(clock, f.fmt) + filler_body(r, f.fmt, f.bot))
        else:
            lines += (ts_prefix(clock, f.fmt) + filler_body(r, f.fmt, f.bot)).split("\n")
    return lines, labels


def render_jsonrep(r, f):
    """A pretty-printed JSON report; planted values are located through unique markers."""
    clock = Clock(r)
    items = f.items[:]
    r.shuffle(items)
    marks = {}
    config, evidence = {}, []
    for it in items:
        m = "@@PLANT%d@@" % len(marks)
        if it.ctx in ("json", "pem-json"):
            sect = it.v.family.replace("-", "_")
            n = 2
            while it.v.key in config.setdefault(sect, {}):
                sect = "%s_%d" % (it.v.family.replace("-", "_"), n)
                n += 1
            config.setdefault(sect, {})[it.v.key] = m
            marks[m] = (it, keyed(it.v, it.value))
        else:
            evidence.append(m)
            marks[m] = (it, ts_prefix(clock, "logfmt") + one_line(r, it, f.bot))
    for _ in range(r.randint(2, 6)):
        evidence.insert(r.randint(0, len(evidence)), ts_prefix(clock, "logfmt") + filler_body(r, "logfmt", f.bot))
    doc = {
        "schema": "ops-report/2",
        "kind": os.path.basename(f.path).split("-")[0],
        "bot": f.bot,
        "generated_at": clock.iso(),
        "status": r.choice(["ok", "drift", "ok", "degraded"]),
        "summary": {"positions": r.randint(1, 30), "equity": round(r.uniform(1e4, 2e5), 2),
                    "drift_usd": round(r.uniform(0, 50), 2), "orders_today": r.randint(0, 400)},
        "positions": [{"symbol": s, "qty": r.randint(-200, 400), "avg_price": round(r.uniform(5, 900), 2),
                       "broker_qty": r.randint(-200, 400)} for s in r.sample(SYMS, r.randint(2, 6))],
        "config_snapshot": config,
        "evidence": evidence,
        "checks": [{"name": n, "ok": r.random() < 0.9} for n in ["positions_match", "cash_match", "open_orders", "pnl_bounds"]],
    }
    lines = json.dumps(doc, indent=2).split("\n")
    labels = []
    for i, ln in enumerate(lines):
        mm = re.search(r"@@PLANT\d+@@", ln)
        if mm:
            it, val = marks[mm.group(0)]
            lines[i] = ln.replace(mm.group(0), json.dumps(val)[1:-1])
            labels.append(it.label(f.path, i + 1, i + 1))
    assert len(labels) == len(items), f.path
    return lines, labels


def write_file(root, rel, lines, gz=False):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = ("\n".join(lines) + "\n").encode()
    if gz:
        with open(path, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as z:
            z.write(data)
    else:
        with open(path, "wb") as fh:
            fh.write(data)
    return len(data)


def gen_labelled(root, r, nfiles):
    items = []
    counter = {"secret": 0, "decoy": 0}
    allv = variants()
    for var in allv:
        for ctx in var.ctxs:
            counter[var.kind] += 1
            items.append(Item(var, var.gen(r), ctx, counter[var.kind]))
    by_what = {v.what: v for v in allv if v.kind == "secret"}
    for ctx, whats in GROUPS:
        members = []
        for w in whats:
            counter["secret"] += 1
            members.append(Item(by_what[w], by_what[w].gen(r), ctx, counter["secret"]))
        items.append(GroupItem(ctx, members))
    files = plan_files(r, nfiles)
    assign(r, items, files)
    labels, nbytes = [], 0
    for f in files:
        if f.host == "md":
            lines, lab = render_md(r, f)
        elif f.host == "jsonrep":
            lines, lab = render_jsonrep(r, f)
        else:
            lines, lab = render_log(r, f, r.randint(200, 1500) if f.fmt != "access" else r.randint(300, 3000))
        nbytes += write_file(root, f.path, lines, gz=f.gz)
        labels += lab
    return labels, len(files), nbytes


# ----------------------------------------------------------------------------- providers suite
PROV_TOPICS = ["cloud-accounts", "vault-operations", "ci-tokens", "observability-stack", "chatops", "payments-integration",
               "ai-services", "k8s-secrets", "credential-inventory", "platform-onboarding", "registry-access",
               "market-data-feeds", "wallet-custody", "email-delivery", "identity-providers", "database-access"]


def plan_provider_files(r, nfiles):
    """New files only (docs/providers/, reports/providers/, data/botN/logs/platform-*): the classic
    suite's files and bytes stay exactly as they were."""
    files = []
    n_docs = max(4, nfiles * 35 // 100)
    n_rjson = max(2, nfiles * 15 // 100)
    n_rmd = max(2, nfiles * 10 // 100)
    n_logs = max(5, nfiles - n_docs - n_rjson - n_rmd)
    for i in range(n_docs):
        t = PROV_TOPICS[i % len(PROV_TOPICS)] + ("" if i < len(PROV_TOPICS) else "-%d" % (i // len(PROV_TOPICS) + 1))
        files.append(FileSpec("docs/providers/%s.md" % t, "md", bot=BOTS[i % len(BOTS)]))
    day = _dt.date(2024, 6, 1)
    for i in range(n_rjson):
        d = day + _dt.timedelta(days=2 * i)
        kind = ["config-audit", "deploy", "secrets-inventory", "integration-check"][i % 4]
        files.append(FileSpec("reports/providers/%s-%s-%s.json" % (kind, BOTS[i % 4], d.isoformat()), "jsonrep", bot=BOTS[i % 4]))
    for i in range(n_rmd):
        d = day + _dt.timedelta(days=4 * i + 1)
        kind = ["incident", "postmortem", "access-review"][i % 3]
        files.append(FileSpec("reports/providers/%s-%s.md" % (kind, d.isoformat()), "md", bot=BOTS[i % 4]))
    fmts = ["stdlib", "console", "jsonl", "logfmt"]
    for i in range(n_logs):
        bot = BOTS[i % 4]
        fmt = fmts[(i // 4) % len(fmts)] if i < 16 else r.choice(fmts + ["jsonl"])
        d = day + _dt.timedelta(days=i)
        files.append(FileSpec("data/%s/logs/platform-%s-%s.log" % (bot, fmt, d.isoformat()), "log", fmt=fmt, bot=bot))
    # one access log for the query-string contexts
    files.append(FileSpec("data/bot1/logs/platform-access-%s.log" % day.isoformat(), "log", fmt="access", bot="bot1"))
    return files


def gen_providers(root, r, nfiles):
    """The providers suite (scripts/providers.py): its own RNG stream and its own files."""
    import providers
    sv, dv = providers.variants(V, globals())
    items = []
    counter = {"secret": 50000, "decoy": 50000}   # ids P-range: S5xxxx / D5xxxx, never clash with classic ones
    for var in sv + dv:
        for ctx in var.ctxs:
            counter[var.kind] += 1
            items.append(Item(var, var.gen(r), ctx, counter[var.kind]))
            # one planted item per line: a raw newline survives only where JSON escapes it
            assert "\n" not in items[-1].value or ctx == "json", (var.what, ctx)
    files = plan_provider_files(r, nfiles)
    assign(r, items, files)
    labels, nbytes = [], 0
    for f in files:
        if f.host == "md":
            lines, lab = render_md(r, f)
        elif f.host == "jsonrep":
            lines, lab = render_jsonrep(r, f)
        else:
            lines, lab = render_log(r, f, r.randint(150, 900) if f.fmt != "access" else r.randint(200, 1200))
        nbytes += write_file(root, f.path, lines, gz=f.gz)
        labels += lab
    providers_seen = sorted({v.provider for v in sv})
    return labels, len(files), nbytes, providers_seen


# ----------------------------------------------------------------------------- bulk filler
class Pools:
    """Pre-rendered filler bodies per format; bulk text is assembled from them at C speed."""

    def __init__(self, r, n=6000, style="ops"):
        self.body = {}
        make = vendor_body if style == "vendor" else filler_body
        for fmt in ("console", "logfmt", "stdlib", "jsonl", "access"):
            self.body[fmt] = [make(r, fmt, r.choice(BOTS)) + "\n" for _ in range(n)]
        self.prose = [r.choice(PROSE) for _ in range(n)]
        self.records = []
        for _ in range(n):
            rec = {"ts": "2024-0%d-%02dT%02d:%02d:%02d.%03dZ" % (r.randint(1, 9), r.randint(1, 28), r.randint(0, 23),
                                                             r.randint(0, 59), r.randint(0, 59), r.randint(0, 999)),
                   "symbol": r.choice(SYMS), "side": r.choice(["buy", "sell"]), "qty": r.randint(1, 500),
                   "price": round(r.uniform(5, 900), 2), "fee": round(r.uniform(0, 3), 4),
                   "status": r.choice(["filled", "canceled", "partially_filled"])}
            self.records.append("    " + json.dumps(rec, indent=2).replace("\n", "\n    "))
        self.ms = ["%03d" % i for i in range(1000)]


def _timestamps(r, clock, fmt, n):
    """n increasing timestamp prefixes, cheaply (second-resolution string + ms suffix)."""
    out = []
    t = clock.t
    ms = 0
    step = _dt.timedelta(seconds=1)
    while len(out) < n:
        t += step
        per = r.randint(1, 60)
        msv = sorted(r.choices(range(1000), k=per))
        if fmt == "access":
            base = t.strftime("%d/%b/%Y:%H:%M:%S +0000")
            ip = "10.0.%d.%d - - [" % (r.randint(0, 9), r.randint(2, 250))
            out += [ip + base + "] "] * per
            continue
        if fmt == "stdlib":
            base = t.strftime("%Y-%m-%d %H:%M:%S,")
            out += [base + "%03d " % m for m in msv]
        else:
            base = t.strftime("%Y-%m-%dT%H:%M:%S.")
            pre = {"console": "", "logfmt": "ts=", "jsonl": '{"ts": "'}[fmt]
            post = {"console": "Z ", "logfmt": "Z ", "jsonl": 'Z", '}[fmt]
            out += [pre + base + "%03d" % m + post for m in msv]
    clock.t = t
    return out[:n]


def bulk_log(path, r, pools, fmt, size, plant_items, bot):
    """Write ~size bytes of filler log in format fmt to path, with plant_items at random places."""
    clock = Clock(r)
    body = pools.body[fmt]
    labels = []
    written, nlines = 0, 0
    avg = sum(len(x) for x in body[:500]) / 500 + 25
    block_lines = max(200, int(1_000_000 / avg))
    nblocks = max(1, int(size / (block_lines * avg)) + 1)
    plant_at = sorted(r.sample(range(nblocks), min(len(plant_items), nblocks)))
    pi = 0
    with open(path, "w", buffering=4 << 20) as fh:
        b = 0
        while written < size:
            ts = _timestamps(r, clock, fmt, block_lines)
            text = "".join(map(str.__add__, ts, r.choices(body, k=block_lines)))
            if written + len(text) > size:  # trim the last block at a line boundary
                cut = text.rfind("\n", 0, max(1, size - written)) + 1
                text = text[:cut] if cut > 0 else text[: text.find("\n") + 1]
            fh.write(text)
            written += len(text)
            nlines += text.count("\n")
            while pi < len(plant_at) and plant_at[pi] <= b:
                it = plant_items[pi]
                lines, (a, e) = log_render(r, it, fmt, clock, bot)
                fh.write("\n".join(lines) + "\n")
                written += sum(len(x) + 1 for x in lines)
                labels.append((it, nlines + a + 1, nlines + e + 1))
                nlines += len(lines)
                pi += 1
            b += 1
        while pi < len(plant_items):  # fewer blocks than estimated: plant the rest at the end
            it = plant_items[pi]
            lines, (a, e) = log_render(r, it, fmt, clock, bot)
            fh.write("\n".join(lines) + "\n")
            written += sum(len(x) + 1 for x in lines)
            labels.append((it, nlines + a + 1, nlines + e + 1))
            nlines += len(lines)
            pi += 1
    return written, labels


def bulk_md(path, r, pools, size):
    out, written, n = [], 0, 0
    while written < size:
        para = " ".join(r.choices(pools.prose, k=r.randint(2, 6)))
        chunk = ("## %s\n\n%s\n\n" % (r.choice(HEADINGS), para)) if n % 5 == 0 else para + "\n\n"
        out.append(chunk)
        written += len(chunk)
        n += 1
    with open(path, "w") as fh:
        fh.write("# Archive of %s\n\n" % os.path.basename(path)[:-3] + "".join(out))
    return written


def bulk_json(path, r, pools, size):
    parts, written = [], 0
    while written < size:
        chunk = r.choices(pools.records, k=200)
        parts += chunk
        written += sum(len(x) + 2 for x in chunk)
    with open(path, "w") as fh:
        fh.write('{\n  "schema": "ops-report/2",\n  "kind": "fills-export",\n  "fills": [\n')
        fh.write(",\n".join(parts))
        fh.write("\n  ]\n}\n")
    return written


def gen_bulk(root, r, total_mb, style="ops"):
    """About total_mb MB of filler over a few big logs and many small files; returns labels."""
    pools = Pools(r, style=style)
    total = int(total_mb * 1_000_000)
    big_budget = int(total * 0.75) if total_mb >= 100 else int(total * 0.5)
    big_sizes = []
    while big_budget > 0:
        s = r.randint(50, 200) * 1_000_000 if total_mb >= 100 else big_budget
        s = min(s, big_budget)
        if big_budget - s < 30_000_000 and total_mb >= 100:
            s = big_budget
        big_sizes.append(s)
        big_budget -= s
    small_budget = total - sum(big_sizes)
    # plantable variants for logs: single contexts that logs carry
    secret_vars = [v for v in variants() if v.kind == "secret"]
    pool_items = []
    idx = 100000

    def mk_items(k, fmt):
        nonlocal idx
        out = []
        for _ in range(k):
            for _ in range(50):
                v = r.choice(secret_vars)
                ok = [c for c in v.ctxs if c in LOG_OK and (c not in ("json", "pem-json") or fmt == "jsonl")
                      and (fmt != "access" or c == "urlq")]
                if ok:
                    break
            else:
                continue
            idx += 1
            out.append(Item(v, v.gen(r), r.choice(ok), idx))
        return out

    labels = []
    fmts = ["stdlib", "console", "jsonl", "logfmt", "access"]
    for i, s in enumerate(big_sizes):
        bot = BOTS[i % 4]
        fmt = fmts[i % 4]  # big files: the four app-log formats
        rel = "data/%s/logs/%s-bulk-%02d.log" % (bot, {"stdlib": "engine", "console": "trader", "jsonl": "events", "logfmt": "worker"}[fmt], i)
        os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
        its = mk_items(max(1, s // 50_000_000), fmt)
        _, lab = bulk_log(os.path.join(root, rel), r, pools, fmt, s, its, bot)
        labels += [it.label(rel, a, e, bulk=True) for it, a, e in lab]
    i = 0
    while small_budget > 0:
        kind = r.choices(["log", "md", "json"], weights=[70, 15, 15])[0]
        s = min(small_budget, int(r.uniform(0.02, 3.0) * 1_000_000))
        if small_budget - s < 20_000:
            s = small_budget
        bot = BOTS[i % 4]
        if kind == "log":
            fmt = r.choice(fmts)
            rel = "data/%s/logs/archive/%s-%04d.log" % (bot, fmt, i)
            os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
            its = mk_items(1, fmt) if i % 15 == 0 else []
            _, lab = bulk_log(os.path.join(root, rel), r, pools, fmt, s, its, bot)
            labels += [it.label(rel, a, e, bulk=True) for it, a, e in lab]
        elif kind == "md":
            rel = "docs/archive/notes-%04d.md" % i
            os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
            bulk_md(os.path.join(root, rel), r, pools, s)
        else:
            rel = "reports/archive/fills-%s-%04d.json" % (bot, i)
            os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
            bulk_json(os.path.join(root, rel), r, pools, s)
        small_budget -= s
        i += 1
    return labels, len(big_sizes) + i


# ----------------------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--files", type=int, default=60, help="labelled files (default 60)")
    ap.add_argument("--bulk-mb", type=float, default=0, help="extra MB of filler for throughput runs")
    ap.add_argument("--force", action="store_true", help="wipe OUT first if it is not empty")
    ap.add_argument("--suite", choices=["all", "classic", "providers"], default="all",
                    help="classic: the original ops-repo families only (byte-identical to version 4 but for the PyPI token values); providers: the "
                         "150+ provider families and encoded forms only (scripts/providers.py); all (default): both")
    ap.add_argument("--provider-files", type=int, default=80, help="labelled files of the providers suite (default 80)")
    ap.add_argument("--bulk-style", choices=["ops", "vendor"], default="ops",
                    help="ops (default): the bot's own logs; vendor: every line venue traffic (exchange/broker hosts, "
                         "header names without values, ids, hex signatures)")
    a = ap.parse_args(argv)
    if os.path.exists(a.out) and os.listdir(a.out):
        if not a.force:
            sys.exit("gen_corpus: %s is not empty (use --force to wipe it)" % a.out)
        shutil.rmtree(a.out)
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()
    r = random.Random(a.seed)
    labels, nfiles, nbytes = [], 0, 0
    if a.suite in ("all", "classic"):
        labels, nfiles, nbytes = gen_labelled(a.out, r, max(8, a.files))
    prov = []
    if a.suite in ("all", "providers"):
        pl, pn, _, prov = gen_providers(a.out, random.Random(a.seed * 1000003 + 29), max(10, a.provider_files))
        labels += pl
        nfiles += pn
    nbulk = 0
    if a.bulk_mb > 0:
        bl, nbulk = gen_bulk(a.out, random.Random(a.seed * 7919 + 17), a.bulk_mb, a.bulk_style)
        labels += bl
    labels.sort(key=lambda d: (d["file"], d["line"]))
    # sanity: one planted item per line, ranges never overlap
    seen = {}
    for d in labels:
        for ln in range(d["line"], d["end_line"] + 1):
            k = (d["file"], ln)
            assert k not in seen, "two planted items on %s:%d (%s, %s)" % (d["file"], ln, seen[k], d["id"])
            seen[k] = d["id"]
    with open(os.path.join(a.out, "labels.jsonl"), "w") as fh:
        for d in labels:
            fh.write(json.dumps(d) + "\n")
    fam = {}
    for d in labels:
        fam.setdefault(d["kind"], {}).setdefault(d["family"], 0)
        fam[d["kind"]][d["family"]] += 1
    total_bytes = 0
    for dp, _, fns in os.walk(a.out):
        for fn in fns:
            total_bytes += os.path.getsize(os.path.join(dp, fn))
    meta = {"generator": "scripts/gen_corpus.py", "version": GEN_VERSION, "seed": a.seed, "files": a.files,
            "bulk_mb": a.bulk_mb, "bulk_style": a.bulk_style, "labelled_files": nfiles, "bulk_files": nbulk, "bytes": total_bytes,
            "suite": a.suite, "provider_files": a.provider_files, "providers": prov,
            "secrets": sum(fam.get("secret", {}).values()), "decoys": sum(fam.get("decoy", {}).values()),
            "families": fam}
    with open(os.path.join(a.out, "corpus.json"), "w") as fh:
        json.dump(meta, fh, indent=1, sort_keys=True)
    print("gen_corpus: %s: %d files, %.1f MB, %d secrets, %d decoys in %.1fs" % (
        a.out, nfiles + nbulk, total_bytes / 1e6, meta["secrets"], meta["decoys"], time.time() - t0), file=sys.stderr)


if __name__ == "__main__":
    main()
