"""Provider families of scripts/gen_corpus.py (the "providers" suite): 150+ vendors' credential
formats, encoded forms, and decoys for each family.

Every value is generated at run time from the vendor's DOCUMENTED FORMAT (literal prefix, length,
alphabet, checksum where the vendor defines one) with the caller's seeded RNG; nothing here is or
was a real credential, and nothing was derived from a scanner's rule file. The formats were
written from vendors' public documentation and token-format announcements; where a vendor does
not publish a shape (an opaque 32-hex key, a UUID) the value is planted only where its context
names the vendor (`DATADOG_API_KEY=...`, `Authorization: GenieKey ...`), as it appears in practice.

Families (the `family` field of labels.jsonl for this suite; the vendor is in `provider`):
    cloud, platform, cicd, observability, messaging, fintech, ai, generic, encoded

`variants(V, g)` returns the secret and decoy variants; V is gen_corpus.V, g the gen_corpus
module's globals (value helpers: rs, mixed, jwt, pem_private, ...).
"""
import base64
import hashlib
import json
import os
import string
import urllib.parse
import zlib

UP = string.ascii_uppercase
LO = string.ascii_lowercase
DIG = string.digits
ALNUM = UP + LO + DIG
LOALNUM = LO + DIG
UPALNUM = UP + DIG
HEX = "0123456789abcdef"
UHEX = "0123456789ABCDEF"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
B32 = UP + "234567"
LB32 = LO + "234567"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BASE62 = DIG + UP + LO

FAMILIES = ["cloud", "platform", "cicd", "observability", "messaging", "fintech", "ai", "generic", "encoded"]
SUITE = "providers"

# contexts a provider is planted in, rotated over the providers (three each unless given)
CYCLE = ["env", "yaml", "json", "traceback", "curl", "mdtable", "structlog", "http"]
NO_AUTH_SUB = {"curl": "docker", "http": "export"}

_BIP39 = None


def bip39_words():
    global _BIP39
    if _BIP39 is None:
        p = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "bip39-english.txt")
        _BIP39 = [w.strip() for w in open(p) if w.strip() and not w.startswith("#")]
        assert len(_BIP39) == 2048, p
    return _BIP39


def mnemonic(r, nwords):
    """A BIP-39 phrase with a valid checksum (entropy from the seeded RNG)."""
    ent = r.randbytes(nwords * 4 // 3)
    cs = len(ent) * 8 // 32
    bits = bin(int.from_bytes(ent, "big"))[2:].zfill(len(ent) * 8) + \
        bin(hashlib.sha256(ent).digest()[0])[2:].zfill(8)[:cs]
    w = bip39_words()
    return " ".join(w[int(bits[i:i + 11], 2)] for i in range(0, len(bits), 11))


def b62(n, width):
    out = ""
    while n:
        n, d = divmod(n, 62)
        out = BASE62[d] + out
    return out.rjust(width, "0")


def bech32_checksum(hrp, data):
    """The 6 BIP-173 Bech32 checksum values over `hrp` (lower case) and `data` (5-bit values)."""
    gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
    chk = 1
    for v in [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data + [0] * 6:
        top = chk >> 25
        chk = (chk & 0x1ffffff) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    chk ^= 1
    return [(chk >> 5 * (5 - i)) & 31 for i in range(6)]


def age_identity(drawn):
    """An age secret key with a valid Bech32 checksum, from 58 drawn Bech32 characters: the
    first 52 are the data (the last one's 4 padding bits cleared), the checksum is computed."""
    data = [BECH32.index(c) for c in drawn.lower()[:52]]
    data[-1] &= 0x10
    return ("AGE-SECRET-KEY-1" + "".join(BECH32[v] for v in data + bech32_checksum("age-secret-key-", data))).upper()


def b64u(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def variants(V, g):
    rs, mixed = g["rs"], g["mixed"]

    def T(pfx, alpha, n, suffix=""):
        need = [c for c in (UP, LO, DIG) if any(ch in alpha for ch in c)]
        return lambda r: pfx + mixed(r, alpha, n, need) + suffix

    def uuid(r):
        return g["uuid4"](r)

    def pw(r):
        return g["password"](r)

    def crc_tok(pfx, n=30):  # GitHub-style: random part + base62 CRC32 of it (6 chars)
        def f(r):
            body = mixed(r, ALNUM, n)
            return pfx + body + b62(zlib.crc32(body.encode()), 6)
        return f

    def jwt_hs(payload_fn):
        def f(r):
            hdr = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
            return hdr + "." + b64u(json.dumps(payload_fn(r), separators=(",", ":")).encode()) + "." + b64u(r.randbytes(32))
        return f

    def now(r):
        return 1714000000 + r.randint(0, 20000000)

    def pem_one_line(r, kind):
        lab, body = g["pem_private"](r, kind)
        return g["pem_text"](lab, body) + "\n"

    S, D = [], []
    idx = [0]

    def E(group, provider, what, gen, name, key, pfx="", auth=None, ctxs=None, decoy=True, **kw):
        """One secret variant; auth says how it travels (curl / http contexts)."""
        i = idx[0]
        idx[0] += 1
        if ctxs is None:
            ctxs = [CYCLE[i % 8], CYCLE[(i + 2) % 8], CYCLE[(i + 5) % 8]]
            if auth is None:
                ctxs = [NO_AUTH_SUB.get(c, c) for c in ctxs]
            elif auth[0] == "url":
                ctxs = [("docker" if c == "http" else c) for c in ctxs]
            elif auth[0] in ("basic", "query"):
                ctxs = [("curl" if c == "http" else c) for c in ctxs]
                if auth[0] == "query":
                    ctxs = [("urlq" if c == "curl" else c) for c in ctxs]
            seen = []
            for c in ctxs:
                if c not in seen:
                    seen.append(c)
            ctxs = seen
        extra = dict(provider=provider, suite=SUITE)
        host, path = "api.%s.com" % provider.split("-")[0], "/v1/me"
        if auth:
            a = auth[0]
            if a == "bearer":
                host, path = auth[1], auth[2]
                extra.update(header="Authorization", hfmt="Bearer {v}",
                             cli="curl -sS -H 'Authorization: Bearer {v}' https://%s%s" % (host, path))
            elif a == "hdr":
                host, path = auth[2], auth[3]
                fmt = auth[4] if len(auth) > 4 else "{v}"
                extra.update(header=auth[1], hfmt=fmt,
                             cli="curl -sS -H '%s: %s' https://%s%s" % (auth[1], fmt, host, path))
            elif a == "basic":
                host, path, user = auth[1], auth[2], auth[3]
                extra.update(cli="curl -sS -u %s https://%s%s" % ((user + ":{v}") if user else "{v}:", host, path))
            elif a == "query":
                host, path, param = auth[1], auth[2], auth[3]
                extra.update(urlq="GET https://%s%s?%s={v}" % (host, path, param),
                             cli="curl -sS 'https://%s%s?%s={v}'" % (host, path, param))
            elif a == "url":
                extra.update(cli=kw.pop("urlcli", "curl -sS -X POST -H 'Content-Type: application/json' -d '{{\"text\":\"deploy finished\"}}' {v}"))
        extra["host"], extra["path"] = host, path
        mod = provider.replace("-", "_")
        tbs = ["requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: https://%s%s (%s={v})" % (host, path, key),
               "RuntimeError: %s client init failed: %s='{v}' was rejected" % (provider, key),
               "%s.errors.AuthenticationError: invalid credentials: token {v} is not valid for %s" % (mod, host)]
        extra["tb"] = tbs[i % 3] if not (auth and auth[0] == "url") else \
            "requests.exceptions.ConnectionError: HTTPSConnectionPool: Max retries exceeded with url: {v} (Caused by NewConnectionError)"
        extra["event"] = "%s_client_ready" % mod if group not in ("generic", "encoded") else "config_loaded"
        extra.update(kw)
        v = V(group, "%s: %s" % (provider, what), gen, name, key, ctxs, **extra)
        v.pfx = pfx
        v.auto_decoy = decoy
        S.append(v)
        return v

    def Dc(group, provider, what, gen, name, key, ctxs, cls, **kw):
        extra = dict(provider=provider, suite=SUITE, host="api.%s.com" % provider, path="/v1/me")
        extra.update(kw)
        D.append(V(group, "%s: %s" % (provider, what), gen, name, key, ctxs, "decoy", cls, **extra))

    def raw(lang, lines, at):
        """A literal block (md only): lines with "{v}" on line `at`."""
        return dict(raw=(lang, lines, at))

    # ========================================================================= cloud
    C = "cloud"
    E(C, "aws-ses", "SES SMTP password (base64 of version byte 0x04 + HMAC)",
      lambda r: base64.b64encode(b"\x04" + r.randbytes(32)).decode(), "SES_SMTP_PASSWORD", "smtp_password",
      ctxs=["env", "yaml", "raw"], **raw("ini", ["[smtp]", "host = email-smtp.eu-west-1.amazonaws.com", "port = 587",
                                                  "username = ${SES_SMTP_USERNAME}", "password = {v}"], 4))
    E(C, "aws-bedrock", "Bedrock long-term API key (ABSK + base64)",
      lambda r: "ABSK" + base64.b64encode(("BedrockAPIKey-" + rs(r, LOALNUM, 4) + "-at-" + rs(r, DIG, 12) + ":" + base64.b64encode(r.randbytes(30)).decode()).encode()).decode(),
      "AWS_BEARER_TOKEN_BEDROCK", "bedrock_api_key", pfx="ABSK",
      auth=("bearer", "bedrock-runtime.us-east-1.amazonaws.com", "/model/anthropic.claude-3/invoke"))

    def gcp_sa(r):
        proj = "ops-%s-%d" % (r.choice(["reports", "billing", "infra"]), r.randint(100000, 999999))
        return json.dumps({"type": "service_" + "account", "project_id": proj, "private_key_id": rs(r, HEX, 40),
                           "private_key": pem_one_line(r, "PKCS8"),
                           "client_email": "deployer@%s.iam.gserviceaccount.com" % proj,
                           "client_id": str(r.randint(10**20, 10**21 - 1)), "token_uri": "https://oauth2.googleapis.com/token"},
                          separators=(",", ":"))
    E(C, "gcp", "service-account JSON (private_key + client_email) on one line", gcp_sa, "GOOGLE_CREDENTIALS_JSON",
      "service_account_json", ctxs=["env", "json", "structlog"], decoy=False, env_sq=True)
    E(C, "gcp", "OAuth client secret (GOCSPX-)", T("GOCSPX-", B64URL, 28), "GOOGLE_CLIENT_SECRET", "client_secret",
      pfx="GOCSPX-", auth=("query", "oauth2.googleapis.com", "/token", "client_secret"))
    E(C, "firebase", "FCM legacy server key (AAAA...:APA91b...)",
      lambda r: "AAAA" + rs(r, B64URL, 7) + ":APA91b" + mixed(r, B64URL, 134), "FCM_SERVER_KEY", "server_key", pfx="AAAA",
      auth=("hdr", "Authorization", "fcm.googleapis.com", "/fcm/send", "key={v}"))
    E(C, "azure-storage", "SAS token (sv=...&sig=)",
      lambda r: "sv=2022-11-02&ss=bfqt&srt=sco&sp=rwdlacupiytfx&se=2025-%02d-%02dT18:00:00Z&st=2024-%02d-01T10:00:00Z&spr=https&sig=%s" % (
          r.randint(1, 12), r.randint(1, 28), r.randint(1, 12), urllib.parse.quote(base64.b64encode(r.randbytes(32)).decode(), safe="")),
      "AZURE_STORAGE_SAS_TOKEN", "sas_token", ctxs=["env", "yaml", "urlq", "mdtable"], decoy=False,
      urlq="PUT https://opsreports.blob.core.windows.net/exports/fills.csv?{v}")
    E(C, "azure-storage", "storage account key (identifiable, +ASt, 88 characters)",
      lambda r: rs(r, B64, 76) + "+ASt" + rs(r, B64, 5) + r.choice("AQgw") + "==", "AZURE_STORAGE_KEY", "account_key")
    E(C, "azure-servicebus", "Service Bus connection string (SharedAccessKey)",
      lambda r: "Endpoint=sb://ops-bus-%d.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=%s" % (
          r.randint(1, 99), rs(r, B64, 33) + "+ASb" + rs(r, B64, 5) + "="), "SERVICEBUS_CONNECTION_STRING", "connection_string", decoy=False)
    E(C, "azure-eventhubs", "Event Hubs connection string (EntityPath)",
      lambda r: "Endpoint=sb://ops-events-%d.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=%s;EntityPath=fills" % (
          r.randint(1, 99), rs(r, B64, 33) + "+AEh" + rs(r, B64, 5) + "="), "EVENTHUB_CONNECTION_STRING", "connection_string", decoy=False)
    E(C, "azure-cosmos", "Cosmos DB connection string (AccountKey)",
      lambda r: "AccountEndpoint=https://ops-cosmos-%d.documents.azure.com:443/;AccountKey=%s;" % (
          r.randint(1, 99), rs(r, B64, 76) + "ACDb" + rs(r, B64, 5) + r.choice("AQgw") + "=="), "COSMOS_CONNECTION_STRING", "connection_string", decoy=False)
    E(C, "azure-sql", "Azure SQL ADO.NET connection string (Password=)",
      lambda r: "Server=tcp:ops-sql-%d.database.windows.net,1433;Initial Catalog=ledger;User ID=reporting;Password=%s;Encrypt=True;" % (
          r.randint(1, 99), pw(r)), "AZURE_SQL_CONNECTION_STRING", "connection_string", decoy=False)
    E(C, "azure-ad", "Entra ID client secret (xxx8Q~...)", lambda r: rs(r, B64URL, 3) + r.choice("78") + "Q~" + rs(r, ALNUM + "_~.-", 34),
      "AZURE_CLIENT_SECRET", "client_secret", auth=("query", "login.microsoftonline.com", "/common/oauth2/v2.0/token", "client_secret"))
    E(C, "azure-devops", "Azure DevOps PAT (52 base32)", T("", LB32, 52), "AZURE_DEVOPS_EXT_PAT", "azure_devops_pat",
      auth=("basic", "dev.azure.com", "/acme/_apis/projects", ""))
    E(C, "azure-acr", "Container Registry password (+ACR)", lambda r: rs(r, B64, 42) + "+ACR" + mixed(r, ALNUM, 6),
      "ACR_PASSWORD", "registry_password", ctxs=["env", "yaml", "raw"],
      **raw("console", ["$ docker login opsacr.azurecr.io --username opsacr --password {v}"], 0))
    E(C, "digitalocean", "personal access token (dop_v1_)", T("dop_v1_", HEX, 64), "DIGITALOCEAN_TOKEN", "do_token", pfx="dop_v1_",
      auth=("bearer", "api.digitalocean.com", "/v2/droplets"))
    E(C, "digitalocean", "OAuth token (doo_v1_)", T("doo_v1_", HEX, 64), "DO_OAUTH_TOKEN", "oauth_token", pfx="doo_v1_",
      auth=("bearer", "api.digitalocean.com", "/v2/account"))
    E(C, "digitalocean", "refresh token (dor_v1_)", T("dor_v1_", HEX, 64), "DO_REFRESH_TOKEN", "refresh_token", pfx="dor_v1_")
    E(C, "linode", "API token (64 hex)", T("", HEX, 64), "LINODE_TOKEN", "linode_token", auth=("bearer", "api.linode.com", "/v4/linode/instances"))
    E(C, "hetzner", "Cloud API token (64 alnum)", T("", ALNUM, 64), "HCLOUD_TOKEN", "hcloud_token", auth=("bearer", "api.hetzner.cloud", "/v1/servers"))
    E(C, "vultr", "API key (36 upper alnum)", T("", UPALNUM, 36), "VULTR_API_KEY", "vultr_api_key", auth=("bearer", "api.vultr.com", "/v2/instances"))
    E(C, "scaleway", "secret key (UUID) next to SCW access key", uuid, "SCW_SECRET_KEY", "scw_secret_key",
      auth=("hdr", "X-Auth-Token", "api.scaleway.com", "/instance/v1/zones/fr-par-1/servers"))
    E(C, "alibaba", "AccessKey secret (30 alnum)", T("", ALNUM, 30), "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "access_key_secret")
    E(C, "alibaba", "AccessKey id (LTAI)", T("LTAI", ALNUM, 20), "ALIBABA_CLOUD_ACCESS_KEY_ID", "access_key_id", pfx="LTAI")
    E(C, "tencent", "SecretId (AKID + 32)", T("AKID", ALNUM, 32), "TENCENTCLOUD_SECRET_ID", "secret_id", pfx="AKID")
    E(C, "oracle", "OCI auth token (20 chars with symbols)", lambda r: mixed(r, ALNUM + "()<>;:.#+-_", 20), "OCI_AUTH_TOKEN", "auth_token")
    E(C, "ibm", "IBM Cloud API key (44 b64url)", T("", B64URL, 44), "IBMCLOUD_API_KEY", "apikey",
      auth=("query", "iam.cloud.ibm.com", "/identity/token", "apikey"))
    E(C, "cloudflare", "API token (40 b64url)", T("", B64URL, 40), "CLOUDFLARE_API_TOKEN", "cf_api_token",
      auth=("bearer", "api.cloudflare.com", "/client/v4/user/tokens/verify"))
    E(C, "cloudflare", "global API key (37 hex)", T("", HEX, 37), "CLOUDFLARE_API_KEY", "cf_global_key",
      auth=("hdr", "X-Auth-Key", "api.cloudflare.com", "/client/v4/zones"))
    E(C, "cloudflare", "Origin CA key (v1.0-)", lambda r: "v1.0-" + rs(r, HEX, 24) + "-" + rs(r, HEX, 146), "CF_ORIGIN_CA_KEY", "origin_ca_key",
      pfx="v1.0-", auth=("hdr", "X-Auth-User-Service-Key", "api.cloudflare.com", "/client/v4/certificates"))
    E(C, "fastly", "API token (32 b64url)", T("", B64URL, 32), "FASTLY_API_TOKEN", "fastly_api_token",
      auth=("hdr", "Fastly-Key", "api.fastly.com", "/service"))
    E(C, "akamai", "EdgeGrid client_secret in .edgerc", lambda r: base64.b64encode(r.randbytes(32)).decode(), "AKAMAI_CLIENT_SECRET",
      "client_secret", ctxs=["raw", "env", "yaml"], decoy=False,
      **raw("ini", ["[default]", "host = akab-h3kq7x2v9-0pn4e.luna.akamaiapis.net", "client_secret = {v}",
                    "access_token = ${AKAMAI_ACCESS_TOKEN}", "client_token = ${AKAMAI_CLIENT_TOKEN}"], 2))
    E(C, "heroku", "API key (HRKU-AA)", T("HRKU-AA", B64URL, 58), "HEROKU_API_KEY", "heroku_api_key", pfx="HRKU-AA",
      auth=("bearer", "api.heroku.com", "/apps"))
    E(C, "heroku", "legacy API key (UUID) named HEROKU_API_KEY", uuid, "HEROKU_API_KEY", "heroku_api_key",
      auth=("bearer", "api.heroku.com", "/account"))
    E(C, "flyio", "deploy token (FlyV1 fm2_)", lambda r: "FlyV1 fm2_" + mixed(r, B64, 180) + "," + "fm2_" + mixed(r, B64, 120),
      "FLY_API_TOKEN", "fly_api_token", pfx="FlyV1 fm2_", ctxs=["env", "yaml", "curl"],
      auth=("hdr", "Authorization", "api.machines.dev", "/v1/apps/ops-bot/machines"))
    E(C, "render", "API key (rnd_)", T("rnd_", ALNUM, 32), "RENDER_API_KEY", "render_api_key", pfx="rnd_",
      auth=("bearer", "api.render.com", "/v1/services"))
    E(C, "railway", "API token (UUID) named RAILWAY_TOKEN", uuid, "RAILWAY_TOKEN", "railway_token",
      auth=("bearer", "backboard.railway.app", "/graphql/v2"))
    E(C, "netlify", "personal access token (nfp_)", T("nfp_", ALNUM, 40), "NETLIFY_AUTH_TOKEN", "netlify_token", pfx="nfp_",
      auth=("bearer", "api.netlify.com", "/api/v1/sites"))
    E(C, "vercel", "access token (24 alnum) named VERCEL_TOKEN", T("", ALNUM, 24), "VERCEL_TOKEN", "vercel_token",
      auth=("bearer", "api.vercel.com", "/v9/projects"))
    E(C, "supabase", "secret API key (sb_secret_)", T("sb_secret_", B64URL, 31), "SUPABASE_SECRET_KEY", "supabase_secret_key",
      pfx="sb_secret_", auth=("hdr", "apikey", "xyzcompany.supabase.co", "/rest/v1/fills"))
    E(C, "supabase", "service_role JWT", jwt_hs(lambda r: {"iss": "supabase", "ref": rs(r, LO, 20), "role": "service_role",
                                                          "iat": now(r), "exp": now(r) + 315360000}),
      "SUPABASE_SERVICE_ROLE_KEY", "service_role_key", decoy=False,
      auth=("bearer", "xyzcompany.supabase.co", "/rest/v1/fills"))
    E(C, "planetscale", "service token (pscale_tkn_)", T("pscale_tkn_", B64URL, 43), "PLANETSCALE_SERVICE_TOKEN", "service_token",
      pfx="pscale_tkn_", auth=("hdr", "Authorization", "api.planetscale.com", "/v1/organizations", "ops-sa:{v}"))
    E(C, "planetscale", "database password (pscale_pw_)", T("pscale_pw_", B64URL, 43), "PLANETSCALE_DB_PASSWORD", "password", pfx="pscale_pw_")
    E(C, "neon", "API key (napi_)", T("napi_", LOALNUM, 64), "NEON_API_KEY", "neon_api_key", pfx="napi_",
      auth=("bearer", "console.neon.tech", "/api/v2/projects"))
    E(C, "neon", "postgres URL with npg_ password",
      lambda r: "postgresql://ledger_owner:npg_%s@ep-%s-%s-%s.us-east-2.aws.neon.tech/ledger?sslmode=require" % (
          mixed(r, ALNUM, 12), r.choice(["cool", "misty", "quiet"]), r.choice(["river", "forest", "moon"]), rs(r, LOALNUM, 8)),
      "NEON_DATABASE_URL", "database_url", decoy=False, auth=("url",), urlcli="psql '{v}' -c 'select 1'")
    E(C, "snowflake", "connection URL with password",
      lambda r: "snowflake://reporting:%s@xy%d.eu-central-1/ANALYTICS/PUBLIC?warehouse=OPS_WH" % (mixed(r, ALNUM, 20), r.randint(10000, 99999)),
      "SNOWFLAKE_URL", "snowflake_url", decoy=False, auth=("url",), urlcli="snowsql --connection-url '{v}' -q 'select 1'")
    E(C, "databricks", "PAT (dapi + 32 hex)", lambda r: "dapi" + rs(r, HEX, 32) + r.choice(["", "-2", "-3"]), "DATABRICKS_TOKEN",
      "databricks_token", pfx="dapi", auth=("bearer", "adb-1234567890123456.7.azuredatabricks.net", "/api/2.0/clusters/list"))
    E(C, "confluent", "Cloud API secret (64) with key", T("", B64, 64), "CONFLUENT_CLOUD_API_SECRET", "api_secret")
    E(C, "aiven", "API token (372 b64)", T("", B64, 372), "AIVEN_TOKEN", "aiven_token",
      auth=("hdr", "Authorization", "api.aiven.io", "/v1/project", "aivenv1 {v}"))
    E(C, "mongodb-atlas", "Admin API private key (UUID)", uuid, "MONGODB_ATLAS_PRIVATE_KEY", "atlas_private_key")
    E(C, "mongodb-atlas", "mongodb+srv URI with password",
      lambda r: "mongodb+srv://fills:%s@cluster0.%s.mongodb.net/fills?retryWrites=true&w=majority" % (mixed(r, ALNUM, 16), rs(r, LOALNUM, 5)),
      "MONGODB_URI", "mongodb_uri", decoy=False, auth=("url",), urlcli="mongosh '{v}' --eval 'db.stats()'")
    E(C, "elastic-cloud", "API key (base64 of id:key)",
      lambda r: base64.b64encode((mixed(r, B64URL, 20) + ":" + mixed(r, B64URL, 22)).encode()).decode(), "ELASTIC_API_KEY", "api_key",
      auth=("hdr", "Authorization", "ops.es.us-east-1.aws.found.io", "/_cluster/health", "ApiKey {v}"))
    E(C, "algolia", "admin API key (32 hex)", T("", HEX, 32), "ALGOLIA_ADMIN_API_KEY", "admin_api_key",
      auth=("hdr", "X-Algolia-API-Key", "OPS4R2Y7QZ-dsn.algolia.net", "/1/indexes"))
    E(C, "pinecone", "API key (pcsk_)", lambda r: "pcsk_" + mixed(r, ALNUM, 6) + "_" + mixed(r, ALNUM, 63), "PINECONE_API_KEY",
      "pinecone_api_key", pfx="pcsk_", auth=("hdr", "Api-Key", "api.pinecone.io", "/indexes"))
    E(C, "upstash", "Redis REST token", lambda r: "A" + r.choice("XY") + mixed(r, B64URL, 60), "UPSTASH_REDIS_REST_TOKEN", "rest_token",
      auth=("bearer", "eu1-calm-moose-31337.upstash.io", "/get/fills"))
    E(C, "cloudinary", "CLOUDINARY_URL (key:secret@cloud)",
      lambda r: "cloudinary://%d:%s@ops-media" % (r.randint(10**14, 10**15 - 1), mixed(r, B64URL, 27)), "CLOUDINARY_URL",
      "cloudinary_url", decoy=False)
    E(C, "backblaze", "B2 application key (K + 30)", lambda r: "K" + rs(r, DIG, 3) + mixed(r, ALNUM, 27), "B2_APPLICATION_KEY",
      "application_key", pfx="K")

    # ========================================================================= platform
    P = "platform"
    E(P, "ceph", "cephx key (base64 of an AES CryptoKey: type 1, creation time, length 16, 16 bytes)",
      lambda r: base64.b64encode(b"\x01\x00" + r.randint(1500000000, 1800000000).to_bytes(4, "little")
                                 + r.randint(0, 999999999).to_bytes(4, "little") + b"\x10\x00" + r.randbytes(16)).decode(),
      "CEPH_ADMIN_KEY", "key", pfx="AQ",
      ctxs=["env", "yaml", "raw"], **raw("ini", ["[client.admin]", "key = {v}", "caps mon = \"allow *\""], 1))
    E(P, "tsig", "TSIG key given to nsupdate (-y hmac-sha256:name:secret)",
      lambda r: base64.b64encode(r.randbytes(32)).decode(), "TSIG_SECRET", "tsig_secret",
      ctxs=["raw"], **raw("sh", ["nsupdate -y hmac-sha256:ddns-key:{v} <<EOF", "update add bot1.ops.internal 300 A 10.0.0.7",
                                 "send", "EOF"], 0))
    E(P, "vault", "service token (hvs.)", T("hvs.", ALNUM, 24), "VAULT_TOKEN", "vault_token", pfx="hvs.",
      auth=("hdr", "X-Vault-Token", "vault.ops.lan:8200", "/v1/secret/data/bots/bot1"))
    E(P, "vault", "service token with namespace (hvs.CAES)", lambda r: "hvs.CAESI" + mixed(r, B64URL, 87), "VAULT_TOKEN", "token", pfx="hvs.")
    E(P, "vault", "batch token (hvb.)", lambda r: "hvb.AAAAAQ" + mixed(r, B64URL, 128), "VAULT_BATCH_TOKEN", "batch_token", pfx="hvb.")
    E(P, "vault", "recovery token (hvr.)", T("hvr.", ALNUM, 24), "VAULT_RECOVERY_TOKEN", "recovery_token", pfx="hvr.")
    E(P, "vault", "legacy service token (s.)", T("s.", ALNUM, 24), "VAULT_TOKEN", "vault_token", pfx="s.",
      auth=("hdr", "X-Vault-Token", "vault.ops.lan:8200", "/v1/auth/token/lookup-self"))
    E(P, "vault", "root token and unseal key as `vault operator init` prints them",
      lambda r: base64.b64encode(r.randbytes(32)).decode(), "VAULT_UNSEAL_KEY", "unseal_key", ctxs=["raw", "raw"], decoy=False,
      **raw("console", ["$ vault operator init -key-shares=1 -key-threshold=1", "Unseal Key 1: {v}", "",
                        "Vault initialized with 1 key shares and a key threshold of 1."], 1))
    E(P, "vault", "initial root token line", T("hvs.", ALNUM, 24), "VAULT_ROOT_TOKEN", "root_token", ctxs=["raw"], decoy=False,
      **raw("console", ["$ vault operator init -format=table | tail -3", "Initial Root Token: {v}", ""], 1))
    E(P, "vault", "AppRole secret_id (UUID) in `vault write` output", uuid, "VAULT_SECRET_ID", "secret_id", ctxs=["raw", "env"],
      decoy=False, **raw("console", ["$ vault write -f auth/approle/role/bot1/secret-id", "Key                   Value",
                                     "---                   -----", "secret_id             {v}",
                                     "secret_id_accessor    %s" % "0b7c3d52-7a1e-4f7b-9d0e-3c1a2b4d5e6f", "secret_id_ttl         0s"], 3))
    E(P, "vault", "password in `vault read` output", pw, "DB_PASSWORD", "password", ctxs=["raw"], decoy=False,
      **raw("console", ["$ vault read database/creds/reporting", "Key                Value", "---                -----",
                        "lease_duration     1h", "password           {v}", "username           v-approle-reporting-x7Qz"], 4))
    E(P, "terraform-cloud", "user/team token (.atlasv1.)", lambda r: mixed(r, ALNUM, 14) + ".atlasv1." + mixed(r, ALNUM + "-_", 67),
      "TF_TOKEN_app_terraform_io", "tfc_token", auth=("bearer", "app.terraform.io", "/api/v2/organizations"))
    E(P, "hcp", "HCP service principal client secret (64 alnum)", T("", ALNUM, 64), "HCP_CLIENT_SECRET", "client_secret")
    E(P, "doppler", "service token (dp.st.)", lambda r: "dp.st." + r.choice(["prd", "dev", "stg"]) + "." + mixed(r, ALNUM, 40),
      "DOPPLER_TOKEN", "doppler_token", pfx="dp.st.", auth=("bearer", "api.doppler.com", "/v3/configs/config/secrets"))
    E(P, "doppler", "personal token (dp.pt.)", T("dp.pt.", ALNUM, 43), "DOPPLER_TOKEN", "doppler_token", pfx="dp.pt.",
      auth=("bearer", "api.doppler.com", "/v3/me"))
    E(P, "doppler", "CLI token (dp.ct.)", T("dp.ct.", ALNUM, 43), "DOPPLER_CLI_TOKEN", "token", pfx="dp.ct.")
    E(P, "doppler", "service account token (dp.sa.)", T("dp.sa.", ALNUM, 43), "DOPPLER_SA_TOKEN", "token", pfx="dp.sa.")
    E(P, "doppler", "SCIM token (dp.scim.)", T("dp.scim.", ALNUM, 43), "DOPPLER_SCIM_TOKEN", "scim_token", pfx="dp.scim.")
    E(P, "doppler", "audit token (dp.audit.)", T("dp.audit.", ALNUM, 43), "DOPPLER_AUDIT_TOKEN", "audit_token", pfx="dp.audit.")

    def op_sa(r):
        body = {"signInAddress": "acme.1password.com", "userAuth": {"method": "SRPg-4096", "alg": "PBES2g-HS256",
                                                                   "iterations": 650000, "salt": b64u(r.randbytes(16))},
                "email": rs(r, LO, 26) + "@1passwordserviceaccounts.com", "srpX": rs(r, HEX, 64),
                "muk": {"alg": "A256GCM", "ext": True, "k": b64u(r.randbytes(32)), "key_ops": ["encrypt", "decrypt"], "kty": "oct",
                        "kid": "mp"}, "secretKey": "A3-" + rs(r, UPALNUM, 6) + "-" + rs(r, UPALNUM, 6) + "-" + rs(r, UPALNUM, 5),
                "throttleSecret": {"seed": rs(r, HEX, 64), "uuid": rs(r, UPALNUM, 26)}, "deviceUuid": rs(r, LOALNUM, 26)}
        return "ops_" + b64u(json.dumps(body, separators=(",", ":")).encode())
    E(P, "1password", "service account token (ops_eyJ)", op_sa, "OP_SERVICE_ACCOUNT_TOKEN", "op_service_account_token", pfx="ops_",
      ctxs=["env", "yaml", "structlog"])
    E(P, "1password", "Connect server token (JWT)", lambda r: g["jwt"](r, "ES256"), "OP_CONNECT_TOKEN", "connect_token", decoy=False,
      auth=("bearer", "op-connect.ops.lan:8080", "/v1/vaults"))
    E(P, "infisical", "service token (st.)", lambda r: "st.%s.%s.%s" % (rs(r, HEX, 24), rs(r, HEX, 32), rs(r, HEX, 32)),
      "INFISICAL_TOKEN", "infisical_token", pfx="st.", auth=("bearer", "app.infisical.com", "/api/v3/secrets/raw"))
    E(P, "infisical", "universal-auth client secret (64 hex)", T("", HEX, 64), "INFISICAL_CLIENT_SECRET", "client_secret")
    E(P, "pulumi", "access token (pul-)", T("pul-", HEX, 40), "PULUMI_ACCESS_TOKEN", "pulumi_token", pfx="pul-",
      auth=("hdr", "Authorization", "api.pulumi.com", "/api/user", "token {v}"))
    E(P, "age", "age secret key (AGE-SECRET-KEY-1)", lambda r: age_identity(rs(r, BECH32.upper(), 58)), "SOPS_AGE_KEY", "age_key",
      pfx="AGE-SECRET-KEY-1", ctxs=["env", "raw", "yaml"],
      **raw("text", ["# created: 2024-05-02T10:11:12Z", "# public key: age1" + "qy8hd2ldq3fmk5zq0e9ts6xk5dr8wq4z2r8j4c6pe3pd6wmj5ggsxa4y6p", "{v}"], 2))
    E(P, "wireguard", "PrivateKey in wg0.conf", lambda r: base64.b64encode(r.randbytes(32)).decode(), "WG_PRIVATE_KEY", "private_key",
      ctxs=["raw", "raw", "env"], decoy=False,
      **raw("ini", ["[Interface]", "Address = 10.8.0.2/24", "PrivateKey = {v}", "ListenPort = 51820", "", "[Peer]",
                    "AllowedIPs = 10.8.0.0/24", "Endpoint = vpn.ops.lan:51820"], 2))
    E(P, "kubernetes", "service-account token (JWT) in kubeconfig",
      lambda r: g["jwt"](r, "RS256"), "KUBE_TOKEN", "token", ctxs=["raw", "env"], decoy=False,
      **raw("yaml", ["apiVersion: v1", "kind: Config", "users:", "- name: ci-deployer", "  user:", "    token: {v}",
                     "contexts:", "- name: prod", "  context: {cluster: prod, user: ci-deployer}"], 5))
    E(P, "kubernetes", "client-key-data (base64 PEM) in kubeconfig",
      lambda r: base64.b64encode(g["pem_text"](*g["pem_private"](r, "EC")).encode()).decode(), "KUBE_CLIENT_KEY", "client-key-data",
      ctxs=["raw", "raw"], decoy=False,
      **raw("yaml", ["users:", "- name: admin@prod", "  user:", "    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=",
                     "    client-key-data: {v}"], 4))
    E(P, "kubernetes", "bootstrap token (6.16)", lambda r: rs(r, LOALNUM, 6) + "." + rs(r, LOALNUM, 16), "KUBEADM_TOKEN", "token",
      ctxs=["raw", "env"], decoy=False,
      **raw("console", ["$ kubeadm join 10.0.0.10:6443 --token {v} \\",
                        "    --discovery-token-ca-cert-hash sha256:" + "9f2c" * 16], 0))
    E(P, "docker", "~/.docker/config.json auths entry (base64 user:pass)",
      lambda r: base64.b64encode(("deploy:" + pw(r)).encode()).decode(), "DOCKER_AUTH", "auth", ctxs=["raw", "raw"], decoy=False,
      **raw("json", ["{", '  "auths": {', '    "registry.ops.lan:5000": {', '      "auth": "{v}"', "    }", "  }", "}"], 3))
    E(P, "dockerhub", "personal access token (dckr_pat_)", T("dckr_pat_", B64URL, 27), "DOCKERHUB_TOKEN", "dockerhub_token",
      pfx="dckr_pat_", ctxs=["env", "yaml", "raw"],
      **raw("console", ["$ echo {v} | docker login -u opsbot --password-stdin"], 0))
    E(P, "dockerhub", "organization access token (dckr_oat_)", T("dckr_oat_", B64URL, 32), "DOCKERHUB_ORG_TOKEN", "org_token", pfx="dckr_oat_")
    E(P, "grafana-url", "Grafana admin credentials in URL",
      lambda r: "https://admin:%s@grafana.ops.lan/api/dashboards/db" % mixed(r, ALNUM, 18), "GRAFANA_URL", "grafana_url",
      auth=("url",), urlcli="curl -sS -X POST -H 'Content-Type: application/json' -d @dash.json {v}", decoy=False)
    E(P, "prometheus-url", "remote_write URL with basic-auth password",
      lambda r: "https://metrics:%s@prom.ops.lan/api/v1/write" % mixed(r, ALNUM, 22), "PROM_REMOTE_WRITE_URL", "url", auth=("url",),
      urlcli="curl -sS {v}", decoy=False)
    E(P, "argocd", "ArgoCD auth token (JWT)", jwt_hs(lambda r: {"iss": "argocd", "sub": "ci:apiKey", "nbf": now(r), "iat": now(r),
                                                             "jti": g["uuid4"](r)}), "ARGOCD_AUTH_TOKEN", "argocd_token", decoy=False,
      auth=("bearer", "argocd.ops.lan", "/api/v1/applications"))
    E(P, "helm", "helm repo add --password", pw, "HELM_REPO_PASSWORD", "password", ctxs=["raw", "env"], decoy=False,
      **raw("console", ["$ helm repo add ops https://charts.ops.lan --username ci --password {v}"], 0))
    E(P, "netrc", ".netrc machine entry", pw, "NETRC_PASSWORD", "password", ctxs=["raw", "raw"], decoy=False,
      **raw("text", ["machine api.ops.lan", "  login ci-bot", "  password {v}", "machine nexus.ops.lan login deploy password ${NEXUS_PASSWORD}"], 2))
    E(P, "pgpass", ".pgpass line", lambda r: "db.internal:5432:ledger:reporting:" + pw(r), "PGPASS", "pgpass", ctxs=["raw"], decoy=False,
      **raw("text", ["# hostname:port:database:username:password", "{v}"], 1))
    E(P, "git-credentials", ".git-credentials URL with token",
      lambda r: "https://ci-bot:%s@git.ops.lan" % mixed(r, ALNUM, 40), "GIT_CREDENTIALS", "credentials", ctxs=["raw", "env"], decoy=False,
      **raw("text", ["{v}"], 0))
    E(P, "jdbc", "JDBC postgresql URL with password parameter",
      lambda r: "jdbc:postgresql://db.internal:5432/ledger?user=reporting&password=%s&ssl=true" % mixed(r, ALNUM, 20), "JDBC_URL",
      "jdbc_url", ctxs=["env", "yaml", "json", "traceback"], decoy=False,
      tb="org.postgresql.util.PSQLException: FATAL: password authentication failed (url={v})")
    E(P, "jdbc", "JDBC sqlserver URL (;password=)",
      lambda r: "jdbc:sqlserver://sql.ops.lan:1433;databaseName=ledger;user=reporting;password=%s;encrypt=true" % pw(r), "JDBC_URL",
      "jdbc_url", ctxs=["env", "yaml", "structlog"], decoy=False)
    E(P, "jdbc", "JDBC mysql URL with user:password@",
      lambda r: "jdbc:mysql://reporting:%s@mysql.ops.lan:3306/reports" % mixed(r, ALNUM, 18), "SPRING_DATASOURCE_URL", "url",
      ctxs=["env", "yaml"], decoy=False)
    E(P, "odbc", "ODBC connection string (Pwd=)",
      lambda r: "Driver={ODBC Driver 18 for SQL Server};Server=tcp:sql.ops.lan,1433;Database=ledger;Uid=reporting;Pwd=%s;Encrypt=yes;" % pw(r),
      "ODBC_CONNECTION_STRING", "odbc", ctxs=["env", "json", "yaml"], decoy=False, env_sq=True)
    E(P, "adonet", "ADO.NET connection string (Password=)",
      lambda r: "Server=sql.ops.lan;Database=ledger;User Id=reporting;Password=%s;TrustServerCertificate=True" % pw(r),
      "ConnectionStrings__Ledger", "DefaultConnection", ctxs=["env", "json", "yaml"], decoy=False, env_sq=True)
    for scheme, host, port, name in [("smtp", "smtp.ops.lan", 587, "SMTP_URL"), ("smtps", "mail.ops.lan", 465, "EMAIL_URL"),
                                     ("amqps", "rabbit.ops.lan", 5671, "AMQP_URL"), ("mqtt", "mqtt.ops.lan", 1883, "MQTT_URL"),
                                     ("ldap", "ldap.ops.lan", 389, "LDAP_URL"), ("ftp", "ftp.ops.lan", 21, "FTP_URL"),
                                     ("sftp", "sftp.ops.lan", 22, "SFTP_URL")]:
        E(P, scheme + "-url", "%s URL with password" % scheme,
          lambda r, s=scheme, h=host, p=port: "%s://%s:%s@%s:%d" % (s, r.choice(["svc", "ops", "reports"]), mixed(r, ALNUM, 18), h, p),
          name, "url", ctxs=["env", "yaml", "structlog"], decoy=False)
    E(P, "curl", "curl -u user:password", pw, "CURL_USER", "password", ctxs=["raw", "raw"], decoy=False,
      **raw("console", ["$ curl -sS -u admin:{v} https://nexus.ops.lan/service/rest/v1/repositories"], 0))
    E(P, "curl", "curl --user user:password (long option)", pw, "CURL_USER", "password", ctxs=["raw"], decoy=False,
      **raw("console", ["$ curl --user deploy:{v} -T build.tgz https://artifacts.ops.lan/upload/"], 0))
    E(P, "wget", "wget --password", pw, "WGET_PASSWORD", "password", ctxs=["raw"], decoy=False,
      **raw("console", ["$ wget --user=ci --password={v} https://artifacts.ops.lan/releases/bot-1.8.3.tgz"], 0))
    E(P, "mysql-cli", "mysql -p<password>", lambda r: mixed(r, ALNUM, 18), "MYSQL_PWD", "password", ctxs=["raw", "raw"], decoy=False,
      **raw("console", ["$ mysql -h mysql.ops.lan -u reporting -p{v} reports -e 'select 1'"], 0))
    E(P, "sshpass", "sshpass -p", pw, "SSHPASS", "password", ctxs=["raw"], decoy=False,
      **raw("console", ["$ sshpass -p '{v}' ssh ops@bastion.ops.lan uptime"], 0))
    E(P, "pgpassword", "PGPASSWORD= before psql", pw, "PGPASSWORD", "password", ctxs=["raw", "env"], decoy=False,
      **raw("console", ["$ PGPASSWORD='{v}' psql -h db.internal -U reporting ledger"], 0))
    E(P, "kerberos", "password piped into kinit", pw, "KRB_PASSWORD", "password", ctxs=["raw"], decoy=False,
      **raw("bash", ["#!/bin/sh", "echo '{v}' | kinit svc-reports@OPS.LAN", "klist"], 1))
    E(P, "htpasswd", "htpasswd -b password on the command line", pw, "HTPASSWD", "password", ctxs=["raw"], decoy=False,
      **raw("console", ["$ htpasswd -b -B /etc/nginx/.htpasswd grafana {v}"], 0))

    # ========================================================================= cicd
    CI = "cicd"
    E(CI, "github", "refresh token (ghr_)", crc_tok("ghr_", 70), "GITHUB_REFRESH_TOKEN", "refresh_token", pfx="ghr_")
    E(CI, "github", "fine-grained PAT (github_pat_)", lambda r: "github_pat_" + mixed(r, ALNUM, 22) + "_" + mixed(r, ALNUM, 59),
      "GH_TOKEN", "gh_token", pfx="github_pat_", auth=("bearer", "api.github.com", "/user"))
    E(CI, "github", "classic PAT (ghp_) in a git URL", crc_tok("ghp_"), "GITHUB_TOKEN", "token", pfx="ghp_",
      auth=("hdr", "Authorization", "api.github.com", "/repos/acme/ops/actions/runs", "token {v}"))
    E(CI, "github", "app installation token (ghs_)", crc_tok("ghs_"), "GITHUB_APP_INSTALLATION_TOKEN", "installation_token", pfx="ghs_")
    for pfx, what, name, n, alpha in [
            ("glpat-", "personal access token", "GITLAB_TOKEN", 20, B64URL),
            ("gldt-", "deploy token", "GITLAB_DEPLOY_TOKEN", 20, B64URL),
            ("glrt-", "runner authentication token", "CI_RUNNER_TOKEN", 20, B64URL),
            ("glft-", "feed token", "GITLAB_FEED_TOKEN", 20, B64URL),
            ("glimt-", "incoming mail token", "GITLAB_INCOMING_EMAIL_TOKEN", 25, B64URL),
            ("glsoat-", "SCIM/OAuth token", "GITLAB_SCIM_TOKEN", 20, B64URL),
            ("glptt-", "pipeline trigger token", "GITLAB_TRIGGER_TOKEN", 40, HEX),
            ("glagent-", "agent for Kubernetes token", "GITLAB_AGENT_TOKEN", 50, B64URL),
            ("glcbt-", "CI/CD job token", "CI_JOB_TOKEN", 20, B64URL),
            ("gloas-", "OAuth application secret", "GITLAB_OAUTH_SECRET", 64, B64URL),
            ("GR1348941", "runner registration token", "RUNNER_REGISTRATION_TOKEN", 20, B64URL)]:
        E(CI, "gitlab", "%s (%s)" % (what, pfx), T(pfx, alpha, n), name, name.lower(), pfx=pfx,
          auth=("hdr", "PRIVATE-TOKEN", "gitlab.com", "/api/v4/projects/4711/pipelines") if pfx == "glpat-" else None)
    E(CI, "gitlab", "routable personal access token (glpat-...01.)",
      lambda r: "glpat-" + mixed(r, B64URL, 27) + ".01." + rs(r, LOALNUM, 9), "GITLAB_TOKEN", "gitlab_token", pfx="glpat-",
      auth=("hdr", "PRIVATE-TOKEN", "gitlab.com", "/api/v4/user"))
    E(CI, "bitbucket", "app password (ATBB)", lambda r: "ATBB" + mixed(r, ALNUM, 32), "BITBUCKET_APP_PASSWORD", "app_password", pfx="ATBB",
      auth=("basic", "api.bitbucket.org", "/2.0/repositories/acme", "ci-bot"))
    E(CI, "atlassian", "Jira/Confluence API token (ATATT)", lambda r: "ATATT3xFfGF0" + mixed(r, B64URL, 170) + "=" + rs(r, UHEX, 8),
      "JIRA_API_TOKEN", "jira_api_token", pfx="ATATT", auth=("basic", "acme.atlassian.net", "/rest/api/3/myself", "ops@acme.dev"))
    E(CI, "jenkins", "API token (11 + 32 hex)", lambda r: "11" + rs(r, HEX, 32), "JENKINS_API_TOKEN", "jenkins_token",
      auth=("basic", "jenkins.ops.lan", "/job/deploy/buildWithParameters", "ci-bot"))
    E(CI, "jenkins", "user:token in a build-trigger URL",
      lambda r: "https://ci-bot:11%s@jenkins.ops.lan/job/deploy/build?token=deploy" % rs(r, HEX, 32), "JENKINS_TRIGGER_URL", "url",
      auth=("url",), urlcli="curl -X POST {v}", decoy=False)
    E(CI, "circleci", "personal API token (CCIPAT_)", lambda r: "CCIPAT_" + mixed(r, ALNUM, 22) + "_" + rs(r, HEX, 40), "CIRCLECI_TOKEN",
      "circleci_token", pfx="CCIPAT_", auth=("hdr", "Circle-Token", "circleci.com", "/api/v2/me"))
    E(CI, "circleci", "project API token (CCIPRJ_)", lambda r: "CCIPRJ_" + mixed(r, ALNUM, 22) + "_" + rs(r, HEX, 40), "CIRCLE_PROJECT_TOKEN",
      "project_token", pfx="CCIPRJ_")
    E(CI, "travis", "API token (22) named TRAVIS_API_TOKEN", T("", B64URL, 22), "TRAVIS_API_TOKEN", "travis_token",
      auth=("hdr", "Authorization", "api.travis-ci.com", "/user", "token {v}"))
    E(CI, "buildkite", "API access token (bkua_)", T("bkua_", HEX, 40), "BUILDKITE_API_TOKEN", "buildkite_token", pfx="bkua_",
      auth=("bearer", "api.buildkite.com", "/v2/organizations"))
    E(CI, "buildkite", "agent token (bkct_)", T("bkct_", LOALNUM, 40), "BUILDKITE_AGENT_TOKEN", "agent_token", pfx="bkct_")
    E(CI, "drone", "Drone token (32 alnum)", T("", ALNUM, 32), "DRONE_TOKEN", "drone_token", auth=("bearer", "drone.ops.lan", "/api/user"))
    E(CI, "teamcity", "access token (eyJ0eXAiOiAiVENWMiJ9)",
      lambda r: b64u(b'{"typ": "TCV2"}') + "." + mixed(r, B64URL, 36) + "." + mixed(r, B64URL, 48), "TEAMCITY_TOKEN", "teamcity_token",
      pfx="eyJ0eXAiOiAiVENWMiJ9", auth=("bearer", "teamcity.ops.lan", "/app/rest/builds"))
    for pfx, what, name in [("squ_", "user token", "SONAR_TOKEN"), ("sqp_", "project analysis token", "SONAR_PROJECT_TOKEN"),
                            ("sqa_", "global analysis token", "SONAR_GLOBAL_TOKEN")]:
        E(CI, "sonarqube", "%s (%s)" % (what, pfx), T(pfx, HEX, 40), name, name.lower(), pfx=pfx,
          auth=("basic", "sonar.ops.lan", "/api/authentication/validate", ""))
    E(CI, "sonarcloud", "SonarCloud token (40 hex) named SONAR_TOKEN", T("", HEX, 40), "SONAR_TOKEN", "sonar_token")
    E(CI, "codecov", "upload token (UUID) named CODECOV_TOKEN", uuid, "CODECOV_TOKEN", "codecov_token")
    E(CI, "snyk", "API token (UUID) named SNYK_TOKEN", uuid, "SNYK_TOKEN", "snyk_token",
      auth=("hdr", "Authorization", "api.snyk.io", "/rest/self?version=2024-06-10", "token {v}"))
    E(CI, "jfrog", "Artifactory API key (AKCp)", T("AKCp", ALNUM, 69), "ARTIFACTORY_API_KEY", "artifactory_api_key", pfx="AKCp",
      auth=("hdr", "X-JFrog-Art-Api", "acme.jfrog.io", "/artifactory/api/repositories"))
    E(CI, "jfrog", "identity/reference token (cmVmdGtuOjAxOj)",
      lambda r: base64.b64encode(("reftkn:01:%d:%s" % (r.randint(10**9, 2 * 10**9), mixed(r, ALNUM, 27))).encode()).decode().rstrip("="),
      "JFROG_ACCESS_TOKEN", "access_token", pfx="cmVmdGtuOjAxOj", auth=("bearer", "acme.jfrog.io", "/access/api/v1/tokens"))
    E(CI, "nexus", "Nexus password in settings.xml", pw, "NEXUS_PASSWORD", "password", ctxs=["raw", "env"], decoy=False,
      **raw("xml", ["<servers>", "  <server>", "    <id>ops-nexus</id>", "    <username>deploy</username>",
                    "    <password>{v}</password>", "  </server>", "</servers>"], 4))
    E(CI, "rubygems", "API key (rubygems_)", T("rubygems_", HEX, 48), "GEM_HOST_API_KEY", "rubygems_api_key", pfx="rubygems_",
      auth=("hdr", "Authorization", "rubygems.org", "/api/v1/gems"))
    E(CI, "nuget", "API key (oy2)", T("oy2", LOALNUM, 43), "NUGET_API_KEY", "nuget_api_key", pfx="oy2",
      auth=("hdr", "X-NuGet-ApiKey", "www.nuget.org", "/api/v2/package"))
    E(CI, "crates-io", "cargo registry token (cio)", T("cio", ALNUM, 32), "CARGO_REGISTRY_TOKEN", "token", pfx="cio",
      ctxs=["env", "raw", "yaml"], **raw("toml", ["[registry]", 'token = "{v}"'], 1))
    E(CI, "packagist", "API token named PACKAGIST_TOKEN", T("", HEX, 20), "PACKAGIST_API_TOKEN", "packagist_token")
    E(CI, "quay", "robot account token (64 upper alnum)", T("", UPALNUM, 64), "QUAY_ROBOT_TOKEN", "robot_token",
      ctxs=["env", "raw", "json"], **raw("console", ["$ docker login -u='acme+ci' -p='{v}' quay.io"], 0))
    E(CI, "postman", "API key (PMAK-)", lambda r: "PMAK-" + rs(r, HEX, 24) + "-" + rs(r, HEX, 34), "POSTMAN_API_KEY", "postman_api_key",
      pfx="PMAK-", auth=("hdr", "X-Api-Key", "api.getpostman.com", "/collections"))
    E(CI, "octopus", "API key (API-)", T("API-", UPALNUM, 27), "OCTOPUS_API_KEY", "octopus_api_key", pfx="API-",
      auth=("hdr", "X-Octopus-ApiKey", "octopus.ops.lan", "/api/projects"))
    E(CI, "npm", ".npmrc legacy _password (base64)", lambda r: base64.b64encode(pw(r).encode()).decode(), "NPM_PASSWORD", "_password",
      ctxs=["raw"], decoy=False, **raw("ini", ["registry=https://npm.ops.lan/", "//npm.ops.lan/:username=ci",
                                               "//npm.ops.lan/:_password={v}", "//npm.ops.lan/:email=ci@acme.dev"], 2))

    # ========================================================================= observability
    O = "observability"
    E(O, "datadog", "API key (32 hex) named DD_API_KEY", T("", HEX, 32), "DD_API_KEY", "dd_api_key",
      auth=("hdr", "DD-API-KEY", "api.datadoghq.com", "/api/v1/validate"))
    E(O, "datadog", "application key (40 hex) named DD_APP_KEY", T("", HEX, 40), "DD_APP_KEY", "dd_app_key",
      auth=("hdr", "DD-APPLICATION-KEY", "api.datadoghq.com", "/api/v1/monitor"))
    E(O, "newrelic", "user API key (NRAK-)", T("NRAK-", UPALNUM, 27), "NEW_RELIC_API_KEY", "newrelic_api_key", pfx="NRAK-",
      auth=("hdr", "API-Key", "api.newrelic.com", "/graphql"))
    E(O, "newrelic", "license key (36 hex + NRAL)", lambda r: rs(r, HEX, 36) + "NRAL", "NEW_RELIC_LICENSE_KEY", "license_key")
    E(O, "newrelic", "insights insert key (NRII-)", T("NRII-", B64URL, 32), "NEW_RELIC_INSERT_KEY", "insert_key", pfx="NRII-",
      auth=("hdr", "X-Insert-Key", "insights-collector.newrelic.com", "/v1/accounts/1234567/events"))
    E(O, "newrelic", "insights query key (NRIQ-)", T("NRIQ-", B64URL, 32), "NEW_RELIC_QUERY_KEY", "query_key", pfx="NRIQ-")
    E(O, "sentry", "legacy DSN with secret (key:secret@)",
      lambda r: "https://%s:%s@o%d.ingest.sentry.io/%d" % (rs(r, HEX, 32), rs(r, HEX, 32), r.randint(10**5, 10**6), r.randint(10**6, 10**7)),
      "SENTRY_DSN", "sentry_dsn", decoy=False)
    E(O, "sentry", "user auth token (sntryu_)", T("sntryu_", HEX, 64), "SENTRY_AUTH_TOKEN", "sentry_auth_token", pfx="sntryu_",
      auth=("bearer", "sentry.io", "/api/0/projects/"))
    E(O, "sentry", "org auth token (sntrys_)",
      lambda r: "sntrys_" + b64u(json.dumps({"iat": now(r) + 0.5, "url": "https://sentry.io", "region_url": "https://us.sentry.io",
                                            "org": "acme"}).encode()) + "_" + mixed(r, B64, 43), "SENTRY_AUTH_TOKEN", "auth_token",
      pfx="sntrys_", auth=("bearer", "sentry.io", "/api/0/organizations/acme/releases/"))
    E(O, "grafana", "Cloud access policy token (glc_)",
      lambda r: "glc_" + base64.b64encode(json.dumps({"o": str(r.randint(10**5, 10**6)), "n": "ops-metrics-write", "k": mixed(r, ALNUM, 24),
                                                      "m": {"r": "prod-us-east-0"}}, separators=(",", ":")).encode()).decode(),
      "GRAFANA_CLOUD_TOKEN", "grafana_cloud_token", pfx="glc_", auth=("bearer", "grafana.com", "/api/v1/tokens"))
    E(O, "grafana", "service account token (glsa_)", lambda r: "glsa_" + mixed(r, ALNUM, 32) + "_" + rs(r, HEX, 8), "GRAFANA_SA_TOKEN",
      "grafana_token", pfx="glsa_", auth=("bearer", "grafana.ops.lan", "/api/dashboards/uid/ops"))
    E(O, "grafana", "legacy API key (eyJrIjoi)",
      lambda r: base64.b64encode(json.dumps({"k": mixed(r, ALNUM, 32), "n": "ci", "id": r.randint(1, 9)}, separators=(",", ":")).encode()).decode(),
      "GRAFANA_API_KEY", "grafana_api_key", pfx="eyJrIjoi", auth=("bearer", "grafana.ops.lan", "/api/search"))
    E(O, "splunk", "HEC token (UUID) in Authorization: Splunk", uuid, "SPLUNK_HEC_TOKEN", "hec_token",
      auth=("hdr", "Authorization", "splunk.ops.lan:8088", "/services/collector/event", "Splunk {v}"))
    E(O, "honeycomb", "configuration API key (22 alnum)", T("", ALNUM, 22), "HONEYCOMB_API_KEY", "honeycomb_api_key",
      auth=("hdr", "X-Honeycomb-Team", "api.honeycomb.io", "/1/auth"))
    E(O, "honeycomb", "ingest key (hcaik_)", lambda r: "hcaik_01" + rs(r, "0123456789abcdefghjkmnpqrstvwxyz", 24) + rs(r, LOALNUM, 32),
      "HONEYCOMB_INGEST_KEY", "ingest_key", pfx="hcaik_")
    E(O, "dynatrace", "API token (dt0c01.)", lambda r: "dt0c01." + rs(r, UPALNUM, 24) + "." + rs(r, UPALNUM, 64), "DT_API_TOKEN",
      "dynatrace_token", pfx="dt0c01.", auth=("hdr", "Authorization", "abc12345.live.dynatrace.com", "/api/v2/metrics", "Api-Token {v}"))
    E(O, "lightstep", "access token (84 b64)", T("", B64, 84), "LIGHTSTEP_ACCESS_TOKEN", "access_token",
      auth=("hdr", "Lightstep-Access-Token", "ingest.lightstep.com", "/traces/otlp/v0.9"))
    E(O, "pagerduty", "REST API key (u+ 20)", lambda r: "u+" + mixed(r, B64URL, 18), "PAGERDUTY_TOKEN", "pagerduty_token",
      auth=("hdr", "Authorization", "api.pagerduty.com", "/incidents", "Token token={v}"))
    E(O, "pagerduty", "Events v2 routing key (32 hex)", T("", HEX, 32), "PAGERDUTY_ROUTING_KEY", "routing_key")
    E(O, "opsgenie", "API key (UUID) with GenieKey", uuid, "OPSGENIE_API_KEY", "opsgenie_api_key",
      auth=("hdr", "Authorization", "api.opsgenie.com", "/v2/alerts", "GenieKey {v}"))
    E(O, "bugsnag", "API key (32 hex) named BUGSNAG_API_KEY", T("", HEX, 32), "BUGSNAG_API_KEY", "bugsnag_api_key")
    E(O, "rollbar", "server access token (32 hex)", T("", HEX, 32), "ROLLBAR_ACCESS_TOKEN", "rollbar_token",
      auth=("hdr", "X-Rollbar-Access-Token", "api.rollbar.com", "/api/1/item/"))
    E(O, "mezmo", "LogDNA/Mezmo ingestion key (32 hex)", T("", HEX, 32), "LOGDNA_INGESTION_KEY", "ingestion_key",
      auth=("basic", "logs.mezmo.com", "/logs/ingest?hostname=bot1", ""))
    E(O, "loggly", "customer token (UUID) in the input URL", uuid, "LOGGLY_TOKEN", "loggly_token",
      auth=("query", "logs-01.loggly.com", "/bulk/tag/bot", "token"))
    E(O, "sumologic", "access key (64 alnum)", T("", ALNUM, 64), "SUMO_ACCESS_KEY", "sumo_access_key",
      auth=("basic", "api.sumologic.com", "/api/v1/collectors", "su" + "Q4z7XbN2kP9mWc"))
    E(O, "sumologic", "HTTP source URL (collection token)",
      lambda r: "https://endpoint4.collection.sumologic.com/receiver/v1/http/ZaVnC4dhaV" + mixed(r, B64URL, 90) + "==", "SUMO_HTTP_SOURCE",
      "source_url", auth=("url",), urlcli="curl -sS -X POST --data-binary @event.json {v}", decoy=False)
    E(O, "elastic-apm", "APM secret token", T("", ALNUM, 24), "ELASTIC_APM_SECRET_TOKEN", "secret_token",
      auth=("bearer", "apm.ops.lan:8200", "/intake/v2/events"))
    E(O, "posthog", "personal API key (phx_)", T("phx_", ALNUM, 43), "POSTHOG_PERSONAL_API_KEY", "personal_api_key", pfx="phx_",
      auth=("bearer", "us.posthog.com", "/api/projects/"))
    E(O, "segment", "public API token (sgp_)", T("sgp_", ALNUM, 64), "SEGMENT_PUBLIC_API_TOKEN", "segment_token", pfx="sgp_",
      auth=("bearer", "api.segmentapis.com", "/sources"))
    E(O, "mixpanel", "service account secret (32 alnum)", T("", ALNUM, 32), "MIXPANEL_SERVICE_ACCOUNT_SECRET", "sa_secret",
      auth=("basic", "mixpanel.com", "/api/app/me", "ops-sa.4f2c1d.mp-service-account"))
    E(O, "amplitude", "secret key (32 hex)", T("", HEX, 32), "AMPLITUDE_SECRET_KEY", "amplitude_secret_key")

    # ========================================================================= messaging
    M = "messaging"
    E(M, "slack", "app-level token (xapp-1-)",
      lambda r: "xapp-1-A%s-%d-%s" % (rs(r, UPALNUM, 10), r.randint(10**12, 10**13 - 1), rs(r, HEX, 64)), "SLACK_APP_TOKEN", "app_token",
      pfx="xapp-", auth=("bearer", "slack.com", "/api/apps.connections.open"))
    E(M, "slack", "config access token (xoxe.xoxp-1-)", lambda r: "xoxe.xoxp-1-" + mixed(r, ALNUM, 160), "SLACK_CONFIG_TOKEN", "config_token",
      pfx="xoxe.xoxp-1-")
    E(M, "slack", "config refresh token (xoxe-1-)", lambda r: "xoxe-1-" + mixed(r, ALNUM, 140), "SLACK_CONFIG_REFRESH_TOKEN",
      "refresh_token", pfx="xoxe-1-")
    E(M, "slack", "bot token (xoxb-) with curl", lambda r: "xoxb-%d-%d-%s" % (r.randint(10**10, 10**12), r.randint(10**11, 10**13), mixed(r, ALNUM, 24)),
      "SLACK_BOT_TOKEN", "bot_token", pfx="xoxb-", auth=("bearer", "slack.com", "/api/auth.test"))
    E(M, "slack", "workflow webhook URL",
      lambda r: "https://hooks.slack.com/workflows/T%s/A%s/%d/%s" % (rs(r, UPALNUM, 9), rs(r, UPALNUM, 10), r.randint(10**17, 10**18), mixed(r, ALNUM, 24)),
      "SLACK_WORKFLOW_WEBHOOK", "webhook_url", auth=("url",), decoy=False)
    E(M, "msteams", "incoming webhook URL (webhook.office.com)",
      lambda r: "https://acme.webhook.office.com/webhookb2/%s@%s/IncomingWebhook/%s/%s" % (g["uuid4"](r), g["uuid4"](r), rs(r, HEX, 32), g["uuid4"](r)),
      "TEAMS_WEBHOOK_URL", "webhook_url", auth=("url",), decoy=False)
    E(M, "discord", "bot token (base64 id . ts . hmac)",
      lambda r: b64u(str(r.randint(10**17, 10**18 * 2)).encode()) + "." + mixed(r, B64URL, 6) + "." + mixed(r, B64URL, 38), "DISCORD_BOT_TOKEN",
      "discord_token", auth=("hdr", "Authorization", "discord.com", "/api/v10/users/@me", "Bot {v}"))
    E(M, "twilio", "API key secret (32 alnum) with SK sid", T("", ALNUM, 32), "TWILIO_API_SECRET", "api_secret",
      auth=("basic", "api.twilio.com", "/2010-04-01/Accounts.json", "SK" + "0f3a9c1e5b7d2468ace13579bdf02468"))
    E(M, "vonage", "API secret (16 alnum)", T("", ALNUM, 16), "VONAGE_API_SECRET", "api_secret",
      auth=("query", "rest.nexmo.com", "/account/get-balance", "api_secret"))
    E(M, "messagebird", "access key (25 alnum)", T("", ALNUM, 25), "MESSAGEBIRD_ACCESS_KEY", "access_key",
      auth=("hdr", "Authorization", "rest.messagebird.com", "/balance", "AccessKey {v}"))
    E(M, "mailgun", "private API key (key- + 32 hex)", T("key-", HEX, 32), "MAILGUN_API_KEY", "mailgun_api_key", pfx="key-",
      auth=("basic", "api.mailgun.net", "/v3/mg.acme.dev/messages", "api"))
    E(M, "mailgun", "API key (32 hex-8-8)", lambda r: rs(r, HEX, 32) + "-" + rs(r, HEX, 8) + "-" + rs(r, HEX, 8), "MAILGUN_API_KEY",
      "api_key", auth=("basic", "api.eu.mailgun.net", "/v3/domains", "api"))
    E(M, "mailchimp", "API key (32 hex -usN)", lambda r: rs(r, HEX, 32) + "-us" + str(r.randint(1, 21)), "MAILCHIMP_API_KEY", "mailchimp_api_key",
      auth=("basic", "us6.api.mailchimp.com", "/3.0/ping", "anystring"))
    E(M, "mandrill", "API key (md-)", T("md-", B64URL, 22), "MANDRILL_API_KEY", "mandrill_api_key", pfx="md-")
    E(M, "postmark", "server token (UUID) with X-Postmark-Server-Token", uuid, "POSTMARK_SERVER_TOKEN", "server_token",
      auth=("hdr", "X-Postmark-Server-Token", "api.postmarkapp.com", "/email"))
    E(M, "sparkpost", "API key (40 hex)", T("", HEX, 40), "SPARKPOST_API_KEY", "sparkpost_api_key",
      auth=("hdr", "Authorization", "api.sparkpost.com", "/api/v1/transmissions"))
    E(M, "brevo", "API key (xkeysib-)", lambda r: "xkeysib-" + rs(r, HEX, 64) + "-" + mixed(r, ALNUM, 16), "BREVO_API_KEY", "brevo_api_key",
      pfx="xkeysib-", auth=("hdr", "api-key", "api.brevo.com", "/v3/account"))
    E(M, "brevo", "SMTP key (xsmtpsib-)", lambda r: "xsmtpsib-" + rs(r, HEX, 64) + "-" + mixed(r, ALNUM, 16), "BREVO_SMTP_KEY", "smtp_key",
      pfx="xsmtpsib-")
    E(M, "resend", "API key (re_)", lambda r: "re_" + mixed(r, ALNUM, 8) + "_" + mixed(r, ALNUM, 24), "RESEND_API_KEY", "resend_api_key",
      pfx="re_", auth=("bearer", "api.resend.com", "/emails"))
    E(M, "zoom", "Server-to-Server OAuth client secret (32 alnum)", T("", ALNUM, 32), "ZOOM_CLIENT_SECRET", "client_secret")
    E(M, "webex", "bot access token", lambda r: mixed(r, ALNUM, 64) + "_" + rs(r, UPALNUM, 4) + "_" + g["uuid4"](r), "WEBEX_BOT_TOKEN",
      "webex_token", auth=("bearer", "webexapis.com", "/v1/people/me"))
    E(M, "notion", "integration token (ntn_)", lambda r: "ntn_" + rs(r, DIG, 11) + mixed(r, ALNUM, 35), "NOTION_TOKEN", "notion_token",
      pfx="ntn_", auth=("bearer", "api.notion.com", "/v1/users/me"))
    E(M, "notion", "legacy integration secret (secret_)", T("secret_", ALNUM, 43), "NOTION_API_KEY", "notion_api_key", pfx="secret_")
    E(M, "asana", "personal access token (2/.../...:)", lambda r: "2/%d/%d:%s" % (r.randint(10**15, 10**16 - 1), r.randint(10**15, 10**16 - 1), rs(r, HEX, 32)),
      "ASANA_ACCESS_TOKEN", "asana_token", auth=("bearer", "app.asana.com", "/api/1.0/users/me"))
    E(M, "linear", "API key (lin_api_)", T("lin_api_", ALNUM, 40), "LINEAR_API_KEY", "linear_api_key", pfx="lin_api_",
      auth=("hdr", "Authorization", "api.linear.app", "/graphql"))
    E(M, "trello", "user token (ATTA)", lambda r: "ATTA" + rs(r, HEX, 64) + rs(r, UHEX, 8), "TRELLO_TOKEN", "trello_token", pfx="ATTA",
      auth=("query", "api.trello.com", "/1/members/me", "token"))
    E(M, "clickup", "personal token (pk_)", lambda r: "pk_%d_%s" % (r.randint(10**6, 10**8), rs(r, UPALNUM, 32)), "CLICKUP_API_TOKEN",
      "clickup_token", pfx="pk_", auth=("hdr", "Authorization", "api.clickup.com", "/api/v2/user"))
    E(M, "monday", "API token (JWT)", jwt_hs(lambda r: {"tid": r.randint(10**8, 10**9), "aai": 11, "uid": r.randint(10**7, 10**8),
                                                     "iad": "2024-05-02T10:11:12.000Z", "per": "me:write", "actid": r.randint(10**6, 10**7),
                                                     "rgn": "euc1"}), "MONDAY_API_TOKEN", "monday_token", decoy=False,
      auth=("hdr", "Authorization", "api.monday.com", "/v2"))
    E(M, "airtable", "personal access token (pat...)", lambda r: "pat" + mixed(r, ALNUM, 14) + "." + rs(r, HEX, 64), "AIRTABLE_TOKEN",
      "airtable_token", pfx="pat", auth=("bearer", "api.airtable.com", "/v0/meta/whoami"))
    E(M, "figma", "personal access token (figd_)", T("figd_", B64URL, 40), "FIGMA_TOKEN", "figma_token", pfx="figd_",
      auth=("hdr", "X-Figma-Token", "api.figma.com", "/v1/me"))
    E(M, "miro", "access token (eyJtaXJvLm9yaWdpbiI6)", lambda r: b64u(b'{"miro.origin":"eu01"}') + "_" + mixed(r, B64URL, 27),
      "MIRO_ACCESS_TOKEN", "miro_token", pfx="eyJtaXJvLm9yaWdpbiI6", auth=("bearer", "api.miro.com", "/v2/boards"))
    E(M, "dropbox", "short-lived access token (sl.)", T("sl.", B64URL, 138), "DROPBOX_ACCESS_TOKEN", "dropbox_token", pfx="sl.",
      auth=("bearer", "api.dropboxapi.com", "/2/users/get_current_account"))
    E(M, "dropbox", "long-lived token (11 + AAAAAAAAAA + 43)", lambda r: mixed(r, B64URL, 11) + "AAAAAAAAAA" + mixed(r, B64URL, 43),
      "DROPBOX_TOKEN", "dropbox_token")
    E(M, "box", "developer token (32 alnum) named BOX_DEVELOPER_TOKEN", T("", ALNUM, 32), "BOX_DEVELOPER_TOKEN", "box_token",
      auth=("bearer", "api.box.com", "/2.0/users/me"))
    E(M, "zendesk", "API token (40 alnum) with email/token", T("", ALNUM, 40), "ZENDESK_API_TOKEN", "zendesk_token",
      auth=("basic", "acme.zendesk.com", "/api/v2/tickets.json", "ops@acme.dev/token"))
    E(M, "intercom", "access token (dG9rOm)",
      lambda r: base64.b64encode(("tok:" + g["uuid4"](r).replace("-", "_") + ":1:0").encode()).decode(), "INTERCOM_ACCESS_TOKEN",
      "intercom_token", pfx="dG9rOm", auth=("bearer", "api.intercom.io", "/me"))
    E(M, "hubspot", "private app token (pat-na1-)", lambda r: "pat-%s-%s" % (r.choice(["na1", "eu1"]), g["uuid4"](r)), "HUBSPOT_ACCESS_TOKEN",
      "hubspot_token", pfx="pat-", auth=("bearer", "api.hubapi.com", "/crm/v3/objects/contacts"))
    E(M, "salesforce", "session/access token (00D...!)", lambda r: "00D" + mixed(r, ALNUM, 12) + "!" + mixed(r, ALNUM + "._", 96),
      "SALESFORCE_ACCESS_TOKEN", "sf_access_token", pfx="00D", auth=("bearer", "acme.my.salesforce.com", "/services/data/v60.0/limits"))
    E(M, "freshdesk", "API key (20 alnum) named FRESHDESK_API_KEY", T("", ALNUM, 20), "FRESHDESK_API_KEY", "freshdesk_api_key",
      auth=("basic", "acme.freshdesk.com", "/api/v2/tickets", ""))
    E(M, "okta", "API token (00 + 40) with SSWS", T("00", B64URL, 40), "OKTA_API_TOKEN", "okta_token", pfx="00",
      auth=("hdr", "Authorization", "acme.okta.com", "/api/v1/users/me", "SSWS {v}"))
    E(M, "auth0", "client secret (64 b64url)", T("", B64URL, 64), "AUTH0_CLIENT_SECRET", "client_secret")
    E(M, "auth0", "Management API token (JWT, iss tenant)", lambda r: g["jwt"](r, "RS256"), "AUTH0_MGMT_TOKEN", "mgmt_token", decoy=False,
      auth=("bearer", "acme.eu.auth0.com", "/api/v2/users"))
    E(M, "onelogin", "API client secret (64 hex)", T("", HEX, 64), "ONELOGIN_CLIENT_SECRET", "client_secret")
    E(M, "keycloak", "client secret (32 alnum)", T("", ALNUM, 32), "KEYCLOAK_CLIENT_SECRET", "client_secret",
      auth=("query", "sso.ops.lan", "/realms/ops/protocol/openid-connect/token", "client_secret"))
    E(M, "clerk", "secret key (sk_live_ + 40)", T("sk_live_", ALNUM, 40), "CLERK_SECRET_KEY", "clerk_secret_key", pfx="sk_live_",
      auth=("bearer", "api.clerk.com", "/v1/users"))
    E(M, "pushover", "application token (30 lower alnum)", T("", LOALNUM, 30), "PUSHOVER_APP_TOKEN", "pushover_token")
    E(M, "mattermost", "personal access token (26 lower alnum)", T("", LOALNUM, 26), "MATTERMOST_TOKEN", "mattermost_token",
      auth=("bearer", "chat.ops.lan", "/api/v4/users/me"))

    # ========================================================================= fintech
    F = "fintech"
    E(F, "stripe", "webhook signing secret (whsec_)", T("whsec_", ALNUM, 32), "STRIPE_WEBHOOK_SECRET", "webhook_secret", pfx="whsec_")
    E(F, "stripe", "test secret key (sk_test_)", lambda r: "sk_test_51" + mixed(r, ALNUM, 97), "STRIPE_TEST_SECRET_KEY", "secret_key",
      pfx="sk_test_", auth=("basic", "api.stripe.com", "/v1/customers", ""))
    E(F, "stripe", "restricted test key (rk_test_)", lambda r: "rk_test_51" + mixed(r, ALNUM, 97), "STRIPE_RESTRICTED_KEY", "restricted_key",
      pfx="rk_test_")
    E(F, "square", "access token (EAAA)", T("EAAA", B64URL, 60), "SQUARE_ACCESS_TOKEN", "square_token", pfx="EAAA",
      auth=("bearer", "connect.squareup.com", "/v2/locations"))
    E(F, "square", "application secret (sq0csp-)", T("sq0csp-", B64URL, 43), "SQUARE_APP_SECRET", "app_secret", pfx="sq0csp-")
    E(F, "braintree", "access token (access_token$production$)",
      lambda r: "access_token$production$%s$%s" % (rs(r, LOALNUM, 16), rs(r, HEX, 32)), "BRAINTREE_ACCESS_TOKEN", "access_token",
      pfx="access_token$production$")
    E(F, "paypal", "REST client secret (80 b64url)", T("E", B64URL, 79), "PAYPAL_CLIENT_SECRET", "client_secret",
      auth=("basic", "api-m.paypal.com", "/v1/oauth2/token", "AZ" + "kq7Yb0pE3ofRmT2sV8uW4xZ6cD9fH1jL3nP5rT7vX9zB2dF4hK6mN8qS0uW2yA4cE6gI8kM0oQ2sU4wY6"))
    E(F, "adyen", "API key (AQE)", lambda r: "AQE" + rs(r, ALNUM, 2) + "hmfx" + mixed(r, B64URL, 40) + "-" + mixed(r, B64, 44) + "-" + mixed(r, B64URL, 20),
      "ADYEN_API_KEY", "adyen_api_key", pfx="AQE", auth=("hdr", "X-API-Key", "checkout-test.adyen.com", "/v71/paymentMethods"))
    E(F, "checkout", "secret key (sk_sbox_)", T("sk_sbox_", LB32, 26), "CKO_SECRET_KEY", "secret_key", pfx="sk_sbox_",
      auth=("bearer", "api.sandbox.checkout.com", "/payments"))
    E(F, "razorpay", "key secret (24 alnum) with rzp key id", T("", ALNUM, 24), "RAZORPAY_KEY_SECRET", "key_secret",
      auth=("basic", "api.razorpay.com", "/v1/payments", "rzp_live_" + "Q4xZ7bN2kP9mWc"))
    E(F, "gocardless", "live access token (live_)", T("live_", B64URL, 40), "GOCARDLESS_ACCESS_TOKEN", "gc_access_token", pfx="live_",
      auth=("bearer", "api.gocardless.com", "/creditors"))
    for env in ["production", "sandbox", "development"]:
        E(F, "plaid", "access token (access-%s-)" % env, lambda r, e=env: "access-%s-%s" % (e, g["uuid4"](r)), "PLAID_ACCESS_TOKEN",
          "access_token", pfx="access-%s-" % env)
    E(F, "wise", "API token (UUID) named WISE_API_TOKEN", uuid, "WISE_API_TOKEN", "wise_token",
      auth=("bearer", "api.transferwise.com", "/v1/profiles"))
    E(F, "coinbase-cdp", "CDP API private key (EC PEM, JSON-escaped)", lambda r: pem_one_line(r, "EC"), "CDP_API_KEY_SECRET", "privateKey",
      ctxs=["json", "json"], decoy=False)
    E(F, "coinbase-cdp", "CDP API private key (EC PEM with literal \\n) in env / log", lambda r: pem_one_line(r, "EC").replace("\n", "\\n"),
      "CDP_API_KEY_SECRET", "cdp_api_key_secret", ctxs=["env", "structlog"], decoy=False, env_sq=True)
    E(F, "coinbase-cdp", "CDP Ed25519 secret (88 b64)", lambda r: base64.b64encode(r.randbytes(64)).decode(), "COINBASE_CDP_API_SECRET",
      "api_key_secret")
    E(F, "bybit", "API secret (36 alnum)", T("", ALNUM, 36), "BYBIT_API_SECRET", "bybit_api_secret")
    E(F, "bybit", "API key (18 alnum)", T("", ALNUM, 18), "BYBIT_API_KEY", "bybit_api_key",
      auth=("hdr", "X-BAPI-API-KEY", "api.bybit.com", "/v5/account/wallet-balance"))
    E(F, "okx", "secret key (32 upper hex)", T("", UHEX, 32), "OKX_SECRET_KEY", "okx_secret_key")
    E(F, "okx", "passphrase", pw, "OKX_PASSPHRASE", "okx_passphrase", auth=("hdr", "OK-ACCESS-PASSPHRASE", "www.okx.com", "/api/v5/account/balance"))
    E(F, "kucoin", "API secret (UUID)", uuid, "KUCOIN_API_SECRET", "kucoin_api_secret")
    E(F, "kucoin", "API passphrase", pw, "KUCOIN_API_PASSPHRASE", "kucoin_passphrase")
    E(F, "gemini", "API secret (28 base58)", T("", B58, 28), "GEMINI_API_SECRET", "gemini_api_secret")
    E(F, "gemini", "API key (account-)", T("account-", ALNUM, 20), "GEMINI_API_KEY", "gemini_api_key", pfx="account-",
      auth=("hdr", "X-GEMINI-APIKEY", "api.gemini.com", "/v1/balances"))
    E(F, "bitfinex", "API secret (43 alnum)", T("", ALNUM, 43), "BITFINEX_API_SECRET", "bitfinex_api_secret")
    E(F, "deribit", "client secret (43 b64url)", T("", B64URL, 43), "DERIBIT_CLIENT_SECRET", "client_secret",
      auth=("query", "www.deribit.com", "/api/v2/public/auth", "client_secret"))
    E(F, "bitstamp", "API secret (32 alnum)", T("", ALNUM, 32), "BITSTAMP_API_SECRET", "bitstamp_api_secret")
    E(F, "gateio", "API secret (64 hex)", T("", HEX, 64), "GATEIO_API_SECRET", "gate_api_secret")
    E(F, "cryptocom", "API secret (22 alnum)", T("", ALNUM, 22), "CRYPTOCOM_API_SECRET", "cdc_api_secret")
    E(F, "ibkr", "Flex Web Service token (24 digits)", T("", DIG, 24), "IBKR_FLEX_TOKEN", "flex_token",
      auth=("query", "ndcdyn.interactivebrokers.com", "/AccountManagement/FlexWebService/SendRequest", "t"))
    E(F, "polygon", "API key (32 alnum)", T("", ALNUM, 32), "POLYGON_API_KEY", "polygon_api_key",
      auth=("query", "api.polygon.io", "/v2/aggs/ticker/AAPL/prev", "apiKey"))
    E(F, "alphavantage", "API key (16 upper alnum)", T("", UPALNUM, 16), "ALPHAVANTAGE_API_KEY", "alphavantage_api_key",
      auth=("query", "www.alphavantage.co", "/query", "apikey"))
    E(F, "iexcloud", "secret token (sk_)", T("sk_", HEX, 32), "IEX_SECRET_TOKEN", "iex_secret_token", pfx="sk_",
      auth=("query", "cloud.iexapis.com", "/stable/stock/aapl/quote", "token"))
    E(F, "finnhub", "API key (20 lower alnum)", lambda r: "c" + rs(r, LOALNUM, 19), "FINNHUB_API_KEY", "finnhub_api_key",
      auth=("hdr", "X-Finnhub-Token", "finnhub.io", "/api/v1/quote?symbol=AAPL"))
    E(F, "tiingo", "API token (40 hex)", T("", HEX, 40), "TIINGO_API_KEY", "tiingo_api_key",
      auth=("hdr", "Authorization", "api.tiingo.com", "/api/test", "Token {v}"))
    E(F, "coingecko", "Pro API key (CG-)", T("CG-", ALNUM, 25), "COINGECKO_API_KEY", "coingecko_api_key", pfx="CG-",
      auth=("hdr", "x-cg-pro-api-key", "pro-api.coingecko.com", "/api/v3/ping"))
    E(F, "coinmarketcap", "API key (UUID) with X-CMC_PRO_API_KEY", uuid, "CMC_PRO_API_KEY", "cmc_api_key",
      auth=("hdr", "X-CMC_PRO_API_KEY", "pro-api.coinmarketcap.com", "/v1/key/info"))
    E(F, "infura", "API key secret (32 hex)", T("", HEX, 32), "INFURA_API_KEY_SECRET", "infura_secret")
    E(F, "alchemy", "API key in the RPC URL", lambda r: "https://eth-mainnet.g.alchemy.com/v2/" + mixed(r, B64URL, 32), "ALCHEMY_RPC_URL",
      "rpc_url", auth=("url",), urlcli="curl -sS -X POST -H 'Content-Type: application/json' -d '{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"}}' {v}",
      decoy=False)
    E(F, "etherscan", "API key (34 upper alnum)", T("", UPALNUM, 34), "ETHERSCAN_API_KEY", "etherscan_api_key",
      auth=("query", "api.etherscan.io", "/api", "apikey"))
    E(F, "wallet", "BIP-39 12-word mnemonic", lambda r: mnemonic(r, 12), "WALLET_MNEMONIC", "mnemonic", ctxs=["env", "yaml", "json"],
      decoy=False, env_sq=True)
    E(F, "wallet", "BIP-39 24-word seed phrase", lambda r: mnemonic(r, 24), "SEED_PHRASE", "seed_phrase", ctxs=["env", "json", "mdtable"],
      decoy=False, env_sq=True)
    E(F, "wallet", "raw private key (0x + 64 hex)", lambda r: "0x" + rs(r, HEX, 64), "PRIVATE_KEY", "private_key",
      ctxs=["env", "yaml", "json", "structlog"], decoy=False)

    # ========================================================================= ai
    A = "ai"
    E(A, "openai", "service-account key (sk-svcacct-)",
      lambda r: "sk-svcacct-" + mixed(r, B64URL, 74) + "T3BlbkFJ" + mixed(r, B64URL, 74), "OPENAI_API_KEY", "openai_api_key",
      pfx="sk-svcacct-", auth=("bearer", "api.openai.com", "/v1/models"))
    E(A, "openai", "admin key (sk-admin-)", lambda r: "sk-admin-" + mixed(r, B64URL, 74) + "T3BlbkFJ" + mixed(r, B64URL, 74),
      "OPENAI_ADMIN_KEY", "admin_key", pfx="sk-admin-", auth=("bearer", "api.openai.com", "/v1/organization/users"))
    E(A, "openai", "legacy user key (sk- 20 T3BlbkFJ 20)", lambda r: "sk-" + mixed(r, ALNUM, 20) + "T3BlbkFJ" + mixed(r, ALNUM, 20),
      "OPENAI_API_KEY", "api_key", pfx="sk-", auth=("bearer", "api.openai.com", "/v1/chat/completions"))
    E(A, "anthropic", "admin key (sk-ant-admin01-)", lambda r: "sk-ant-admin01-" + mixed(r, B64URL, 93) + "AA", "ANTHROPIC_ADMIN_KEY",
      "admin_key", pfx="sk-ant-admin01-", auth=("hdr", "x-api-key", "api.anthropic.com", "/v1/organizations/users"))
    E(A, "anthropic", "API key (sk-ant-api03-) in curl", lambda r: "sk-ant-api03-" + mixed(r, B64URL, 93) + "AA", "ANTHROPIC_API_KEY",
      "anthropic_api_key", pfx="sk-ant-api03-", auth=("hdr", "x-api-key", "api.anthropic.com", "/v1/messages"))
    E(A, "huggingface", "organization token (api_org_)", lambda r: "api_org_" + mixed(r, LO + UP, 34), "HF_ORG_TOKEN", "hf_org_token",
      pfx="api_org_")
    E(A, "cohere", "API key (40 alnum) named CO_API_KEY", T("", ALNUM, 40), "CO_API_KEY", "cohere_api_key",
      auth=("bearer", "api.cohere.com", "/v2/chat"))
    E(A, "mistral", "API key (32 alnum) named MISTRAL_API_KEY", T("", ALNUM, 32), "MISTRAL_API_KEY", "mistral_api_key",
      auth=("bearer", "api.mistral.ai", "/v1/models"))
    E(A, "groq", "API key (gsk_)", T("gsk_", ALNUM, 52), "GROQ_API_KEY", "groq_api_key", pfx="gsk_",
      auth=("bearer", "api.groq.com", "/openai/v1/models"))
    E(A, "together", "API key (tgp_v1_)", T("tgp_v1_", B64URL, 43), "TOGETHER_API_KEY", "together_api_key", pfx="tgp_v1_",
      auth=("bearer", "api.together.xyz", "/v1/models"))
    E(A, "replicate", "API token (r8_)", T("r8_", ALNUM, 37), "REPLICATE_API_TOKEN", "replicate_token", pfx="r8_",
      auth=("bearer", "api.replicate.com", "/v1/account"))
    E(A, "perplexity", "API key (pplx-)", T("pplx-", ALNUM, 48), "PERPLEXITY_API_KEY", "pplx_api_key", pfx="pplx-",
      auth=("bearer", "api.perplexity.ai", "/chat/completions"))
    E(A, "deepseek", "API key (sk- + 32 hex)", T("sk-", HEX, 32), "DEEPSEEK_API_KEY", "deepseek_api_key", pfx="sk-",
      auth=("bearer", "api.deepseek.com", "/user/balance"))
    E(A, "xai", "API key (xai-)", T("xai-", ALNUM, 80), "XAI_API_KEY", "xai_api_key", pfx="xai-", auth=("bearer", "api.x.ai", "/v1/models"))
    E(A, "google-ai", "Gemini API key (AIza) named GEMINI_API_KEY", T("AIza", B64URL, 35), "GEMINI_API_KEY", "gemini_api_key", pfx="AIza",
      auth=("hdr", "x-goog-api-key", "generativelanguage.googleapis.com", "/v1beta/models"))
    E(A, "azure-openai", "API key (32 hex) with api-key header", T("", HEX, 32), "AZURE_OPENAI_API_KEY", "azure_openai_api_key",
      auth=("hdr", "api-key", "ops-aoai.openai.azure.com", "/openai/deployments/gpt-4o/chat/completions?api-version=2024-06-01"))
    E(A, "elevenlabs", "API key (sk_ + 48 hex)", T("sk_", HEX, 48), "ELEVENLABS_API_KEY", "elevenlabs_api_key", pfx="sk_",
      auth=("hdr", "xi-api-key", "api.elevenlabs.io", "/v1/user"))
    E(A, "deepgram", "API key (40 hex) with Token auth", T("", HEX, 40), "DEEPGRAM_API_KEY", "deepgram_api_key",
      auth=("hdr", "Authorization", "api.deepgram.com", "/v1/projects", "Token {v}"))
    E(A, "assemblyai", "API key (32 hex)", T("", HEX, 32), "ASSEMBLYAI_API_KEY", "assemblyai_api_key",
      auth=("hdr", "Authorization", "api.assemblyai.com", "/v2/transcript"))
    E(A, "langsmith", "personal access token (lsv2_pt_)", lambda r: "lsv2_pt_" + rs(r, HEX, 32) + "_" + rs(r, HEX, 10), "LANGSMITH_API_KEY",
      "langsmith_api_key", pfx="lsv2_pt_", auth=("hdr", "x-api-key", "api.smith.langchain.com", "/api/v1/sessions"))
    E(A, "langsmith", "service key (lsv2_sk_)", lambda r: "lsv2_sk_" + rs(r, HEX, 32) + "_" + rs(r, HEX, 10), "LANGCHAIN_API_KEY",
      "langchain_api_key", pfx="lsv2_sk_")
    E(A, "wandb", "API key (40 hex) named WANDB_API_KEY", T("", HEX, 40), "WANDB_API_KEY", "wandb_api_key",
      ctxs=["env", "raw", "json"], **raw("text", ["machine api.wandb.ai", "  login user", "  password {v}"], 2))
    E(A, "tavily", "API key (tvly-)", lambda r: "tvly-" + r.choice(["", "dev-", "prod-"]) + mixed(r, ALNUM, 32), "TAVILY_API_KEY",
      "tavily_api_key", pfx="tvly-", auth=("bearer", "api.tavily.com", "/search"))
    E(A, "firecrawl", "API key (fc-)", T("fc-", HEX, 32), "FIRECRAWL_API_KEY", "firecrawl_api_key", pfx="fc-",
      auth=("bearer", "api.firecrawl.dev", "/v1/scrape"))
    E(A, "openrouter", "API key (sk-or-v1-)", T("sk-or-v1-", HEX, 64), "OPENROUTER_API_KEY", "openrouter_api_key", pfx="sk-or-v1-",
      auth=("bearer", "openrouter.ai", "/api/v1/auth/key"))
    E(A, "fireworks", "API key (fw_)", T("fw_", ALNUM, 24), "FIREWORKS_API_KEY", "fireworks_api_key", pfx="fw_",
      auth=("bearer", "api.fireworks.ai", "/inference/v1/models"))
    E(A, "voyage", "API key (pa-)", T("pa-", B64URL, 43), "VOYAGE_API_KEY", "voyage_api_key", pfx="pa-",
      auth=("bearer", "api.voyageai.com", "/v1/embeddings"))
    E(A, "cerebras", "API key (csk-)", T("csk-", LOALNUM, 48), "CEREBRAS_API_KEY", "cerebras_api_key", pfx="csk-",
      auth=("bearer", "api.cerebras.ai", "/v1/models"))

    # ========================================================================= generic
    G = "generic"
    E(G, "password", "password: in YAML / password = in INI / PASSWORD= in env", pw, "ADMIN_PASSWORD", "password",
      ctxs=["env", "yaml", "json", "mdtable", "structlog", "traceback"], decoy=False,
      tb="sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) FATAL: password authentication failed; password={v}")
    E(G, "passwd", "passwd/pwd key names", pw, "SMTP_PASSWD", "smtp_passwd", ctxs=["env", "yaml", "json"], decoy=False)
    E(G, "token", "opaque *_TOKEN (48 b64url)", T("", B64URL, 48), "OPS_API_TOKEN", "ops_api_token",
      ctxs=["env", "yaml", "json", "mdtable", "http", "curl"], decoy=False, auth=("bearer", "ops-api.internal", "/v1/bots"))
    E(G, "secret-key", "app SECRET_KEY (50 chars)", lambda r: mixed(r, ALNUM + "!@#%^&*(-_=+)", 50), "DJANGO_SECRET_KEY", "secret_key",
      ctxs=["env", "yaml", "json"], decoy=False, env_sq=True)
    E(G, "htpasswd", "bcrypt line in .htpasswd", lambda r: "grafana:$2y$10$" + rs(r, "./" + ALNUM, 53), "HTPASSWD_LINE", "htpasswd",
      ctxs=["raw", "raw"], decoy=False, **raw("text", ["{v}"], 0))
    E(G, "shadow", "sha512crypt line in /etc/shadow",
      lambda r: "ops:$6$%s$%s:19800:0:99999:7:::" % (rs(r, "./" + ALNUM, 16), rs(r, "./" + ALNUM, 86)), "SHADOW_LINE", "shadow",
      ctxs=["raw"], decoy=False, **raw("text", ["root:*:19800:0:99999:7:::", "{v}"], 1))
    E(G, "shadow", "yescrypt line in /etc/shadow",
      lambda r: "deploy:$y$j9T$%s$%s:19810:0:99999:7:::" % (rs(r, "./" + ALNUM, 22), rs(r, "./" + ALNUM, 43)), "SHADOW_LINE", "shadow",
      ctxs=["raw"], decoy=False, **raw("text", ["daemon:*:19800:0:99999:7:::", "{v}"], 1))
    E(G, "jwt-hmac", "HS256 JWT whose payload names an issuer",
      jwt_hs(lambda r: {"iss": r.choice(["https://auth.acme.dev", "https://login.ops.lan/realms/ops", "ops-api"]), "sub": "svc-" + rs(r, LO, 6),
                        "aud": "ops-api", "iat": now(r), "exp": now(r) + 3600}), "SESSION_JWT", "session_jwt",
      ctxs=["http", "json", "structlog", "curl"], decoy=False, auth=("bearer", "ops-api.internal", "/v1/reports"))
    E(G, "md-table", "high-entropy value in a markdown table", T("", B64URL, 40), "BACKUP_ENCRYPTION_KEY", "backup_key",
      ctxs=["mdtable", "mdtable"], decoy=False)
    E(G, "structlog", "high-entropy value in a structured-log field", T("", B64, 44), "SIGNING_SECRET", "signing_secret",
      ctxs=["structlog", "json"], decoy=False)

    # ========================================================================= encoded
    N = "encoded"

    def b64(s):
        return base64.b64encode(s.encode()).decode()

    def b64url(s):
        return base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")

    inner = [  # (what, generator of the plain secret)
        ("GitHub PAT", crc_tok("ghp_")),
        ("Stripe live key", lambda r: "sk_live_51" + mixed(r, ALNUM, 97)),
        ("postgres URL", lambda r: "postgresql://ledger:%s@db.internal:5432/ledger" % mixed(r, ALNUM, 20)),
        ("password", pw),
        ("AWS secret access key", lambda r: mixed(r, B64, 40)),
        ("Slack bot token", lambda r: "xoxb-%d-%d-%s" % (r.randint(10**10, 10**12), r.randint(10**11, 10**13), mixed(r, ALNUM, 24))),
        ("OpenAI key", lambda r: "sk-proj-" + mixed(r, B64URL, 74) + "T3BlbkFJ" + mixed(r, B64URL, 74)),
        ("Datadog API key", lambda r: rs(r, HEX, 32)),
    ]
    k8s_keys = ["github-token", "stripe-key", "database-url", "password", "aws-secret-access-key", "slack-token", "openai-api-key",
                "dd-api-key"]
    for (what, f), k in zip(inner, k8s_keys):
        E(N, "k8s-secret", "Secret data: base64(%s)" % what, lambda r, f=f: b64(f(r)), "K8S_SECRET", k, ctxs=["k8s"], decoy=False)
        E(N, "env-b64", "*_B64 env var: base64(%s)" % what, lambda r, f=f: b64(f(r)),
          k.upper().replace("-", "_") + "_B64", k.replace("-", "_") + "_b64", ctxs=["env", "yaml"], decoy=False)
    E(N, "k8s-secret", "Secret stringData-less manifest: base64(JSON creds)",
      lambda r: b64(json.dumps({"api_key": "sk_live_51" + mixed(r, ALNUM, 97), "env": "prod"})), "K8S_SECRET", "credentials.json",
      ctxs=["k8s"], decoy=False)
    E(N, "jsonl-b64", "base64 JSON blob in a JSON-lines log (api_key inside)",
      lambda r: b64(json.dumps({"user": "svc-reports", "api_key": rs(r, HEX, 32), "scope": "read"})), "AUTH_BLOB", "auth_blob",
      ctxs=["json", "json", "structlog"], decoy=False)
    E(N, "jsonl-b64", "urlsafe base64 JSON blob with a token (no padding)",
      lambda r: b64url(json.dumps({"token": "glpat-" + mixed(r, B64URL, 20), "project": 4711})), "STATE", "state",
      ctxs=["json", "structlog", "urlq"], decoy=False, urlq="GET https://ops-api.internal/v1/callback?state={v}")
    E(N, "env-b64", "base64 of a whole .env (env dump)",
      lambda r: b64("DATABASE_URL=postgres://bot:%s@db.internal/trading\nLOG_LEVEL=info\n" % mixed(r, ALNUM, 20)), "DOTENV_B64", "dotenv_b64",
      ctxs=["env", "json"], decoy=False)
    E(N, "npmrc-auth", ".npmrc _auth (base64 user:pass)", lambda r: b64("ci:" + pw(r)), "NPM_AUTH", "_auth", ctxs=["raw"], decoy=False,
      **raw("ini", ["registry=https://npm.ops.lan/", "_auth={v}", "always-auth=true"], 1))
    for scheme, host in [("mongodb", "mongo.ops.lan:27017/fills"), ("amqp", "rabbit.ops.lan:5672/bots"),
                         ("redis", "redis.ops.lan:6379/0"), ("mysql", "mysql.ops.lan:3306/reports"),
                         ("postgresql", "db.internal:5432/ledger")]:
        E(N, "pct-dsn", "%s DSN with a percent-encoded password" % scheme,
          lambda r, s=scheme, h=host: "%s://svc:%s@%s" % (s, urllib.parse.quote(mixed(r, ALNUM, 8) + r.choice("@:/#?") + mixed(r, ALNUM, 6) + r.choice("%&+= ") + mixed(r, ALNUM, 6), safe=""), h),
          "%s_URL" % scheme.upper(), "url", ctxs=["env", "yaml", "json"], decoy=False)
    for what, f, key in [("Stripe key", lambda r: "sk_live_51" + mixed(r, ALNUM, 97), "stripe_secret_key"),
                         ("OpenAI key", lambda r: "sk-proj-" + mixed(r, B64URL, 74) + "T3BlbkFJ" + mixed(r, B64URL, 74), "openai_api_key"),
                         ("password", pw, "db_password"),
                         ("Anthropic key", lambda r: "sk-ant-api03-" + mixed(r, B64URL, 93) + "AA", "anthropic_api_key")]:
        E(N, "json-escaped", "JSON-escaped nested document holding a %s" % what,
          lambda r, f=f, k=key: json.dumps({"service": "reports", k: f(r), "timeout_s": 30}), "SETTINGS_JSON", "settings",
          ctxs=["json", "structlog", "json"], decoy=False)
    E(N, "json-escaped", "doubly escaped JSON (a log of a JSON config)",
      lambda r: json.dumps(json.dumps({"github_token": crc_tok("ghp_")(r)})), "CONFIG_JSON", "config", ctxs=["json", "structlog"], decoy=False)
    E(N, "basic-b64", "Authorization: Basic for a vendor API",
      lambda r: b64("api:key-" + rs(r, HEX, 32)), "BASIC", "Authorization", ctxs=["http", "http"], decoy=False,
      header="Authorization", hfmt="Basic {v}", host="api.mailgun.net", path="/v3/domains")
    E(N, "hex-secret", "hex-encoded secret where the context says so",
      lambda r: pw(r).encode().hex(), "DB_PASSWORD_HEX", "db_password_hex", ctxs=["env", "yaml"], decoy=False)

    # ========================================================================= added 2026-12-01
    # The 48 providers the rule packs gained on 2026-12-01, each from the format its pack's header
    # states (prefix, length, alphabet); values with no prefix only under the vendor's names.
    ULID = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    MMID = "ybndrfg8ejkmcpqxot1uwisza345h769"
    P2, C2, CL, M2, F2, A2 = "platform", "cicd", "cloud", "messaging", "fintech", "ai"
    E(C2, "clojars", "deploy token (CLOJARS_ + 60 hex)", T("CLOJARS_", HEX, 60), "CLOJARS_DEPLOY_TOKEN", "clojars_token", pfx="CLOJARS_")
    E(C2, "gitea", "access token (40 hex) named GITEA_TOKEN", T("", HEX, 40), "GITEA_TOKEN", "gitea_token")
    E(C2, "devcycle", "server SDK key (dvc_server_)", T("dvc_server_", ALNUM, 40), "DEVCYCLE_SERVER_SDK_KEY", "devcycle_server_sdk_key",
      pfx="dvc_server_")
    E(C2, "infracost", "API key (ico- + 32)", T("ico-", ALNUM, 32), "INFRACOST_API_KEY", "infracost_api_key", pfx="ico-")
    E(C2, "scalingo", "API token (tk-us- + 48)", T("tk-us-", B64URL, 48), "SCALINGO_API_TOKEN", "scalingo_token", pfx="tk-us-")
    E(C2, "coveralls", "repo token (33 alnum) named COVERALLS_REPO_TOKEN", T("", ALNUM, 33), "COVERALLS_REPO_TOKEN", "coveralls_repo_token")
    E(P2, "openshift", "user OAuth token (sha256~ + 43)", T("sha256~", B64URL, 43), "OPENSHIFT_TOKEN", "openshift_token", pfx="sha256~",
      auth=("bearer", "api.ocp.corp.internal:6443", "/apis/user.openshift.io/v1/users/~"))
    E(CL, "upcloud", "API token (ucat_ + 26 ULID)", T("ucat_", ULID, 26), "UPCLOUD_TOKEN", "upcloud_token", pfx="ucat_",
      auth=("bearer", "api.upcloud.com", "/1.3/account"))
    E(CL, "exoscale", "API secret (43) named EXOSCALE_API_SECRET", T("", B64URL, 43), "EXOSCALE_API_SECRET", "exoscale_api_secret")
    E(CL, "ovh", "application secret (32) named OVH_APPLICATION_SECRET", T("", ALNUM, 32), "OVH_APPLICATION_SECRET", "ovh_application_secret")
    E(CL, "yandex", "IAM token (t1.)", lambda r: "t1." + mixed(r, B64URL, 60) + "." + mixed(r, B64URL, 86), "YC_IAM_TOKEN", "iam_token",
      pfx="t1.", auth=("bearer", "resource-manager.api.cloud.yandex.net", "/resource-manager/v1/clouds"))
    E(CL, "yandex", "OAuth token (y0_)", T("y0_", B64URL, 56), "YC_OAUTH_TOKEN", "yc_oauth_token", pfx="y0_")
    E(CL, "yandex", "static access key secret (YC + 38) under a secret-key name", T("YC", B64URL, 38), "YC_SECRET_ACCESS_KEY",
      "secret_access_key")
    E(M2, "mattermost", "access token (26, NewId alphabet) named MATTERMOST_TOKEN", T("", MMID, 26), "MATTERMOST_TOKEN", "mattermost_token")
    E(M2, "twitch", "chat OAuth password (oauth: + 30)", T("oauth:", LOALNUM, 30), "TWITCH_CHAT_OAUTH", "twitch_chat_oauth", pfx="oauth:")
    E(M2, "twitter", "API secret (50) named TWITTER_API_SECRET", T("", ALNUM, 50), "TWITTER_API_SECRET", "twitter_api_secret")
    E(M2, "facebook", "Graph API access token (EAA...)", T("EAA", ALNUM, 180), "FACEBOOK_ACCESS_TOKEN", "fb_access_token", pfx="EAA",
      auth=("bearer", "graph.facebook.com", "/v19.0/me"))
    E(M2, "linkedin", "client secret (WPL_AP1.)", lambda r: "WPL_AP1." + mixed(r, ALNUM, 16) + "." + mixed(r, ALNUM, 6) + "==",
      "LINKEDIN_CLIENT_SECRET", "linkedin_client_secret", pfx="WPL_AP1.")
    E(M2, "pinterest", "access token (pina_ + 96 base32)", T("pina_", B32, 96), "PINTEREST_ACCESS_TOKEN", "pinterest_token", pfx="pina_",
      auth=("bearer", "api.pinterest.com", "/v5/user_account"))
    E(M2, "lark", "app secret (32 alnum) named LARK_APP_SECRET", T("", ALNUM, 32), "LARK_APP_SECRET", "lark_app_secret")
    E(M2, "bitly", "access token (40 hex) named BITLY_ACCESS_TOKEN", T("", HEX, 40), "BITLY_ACCESS_TOKEN", "bitly_access_token")
    E(P2, "adobe", "OAuth client secret (p8e- + 32)", T("p8e-", B64URL, 32), "ADOBE_CLIENT_SECRET", "adobe_client_secret", pfx="p8e-")
    E(P2, "frameio", "developer token (fio-u- + 64)", T("fio-u-", B64URL, 64), "FRAMEIO_TOKEN", "frameio_token", pfx="fio-u-",
      auth=("bearer", "api.frame.io", "/v2/me"))
    E(P2, "canva", "client secret (cnvca...)", T("cnvca", B64URL, 44), "CANVA_CLIENT_SECRET", "canva_client_secret", pfx="cnvca")
    E(F2, "shippo", "live API token (shippo_live_ + 40 hex)", T("shippo_live_", HEX, 40), "SHIPPO_API_TOKEN", "shippo_token",
      pfx="shippo_live_", auth=("hdr", "Authorization", "api.goshippo.com", "/shipments", "ShippoToken {v}"))
    E(F2, "easypost", "production API key (EZAK)", lambda r: "EZAK" + rs(r, HEX, 32) + mixed(r, ALNUM, 22), "EASYPOST_API_KEY",
      "easypost_api_key", pfx="EZAK")
    E(F2, "duffel", "live access token (duffel_live_ + 43)", T("duffel_live_", B64URL, 43), "DUFFEL_ACCESS_TOKEN", "duffel_token",
      pfx="duffel_live_", auth=("bearer", "api.duffel.com", "/air/offer_requests"))
    E(F2, "databento", "API key (db- + 29)", T("db-", ALNUM, 29), "DATABENTO_API_KEY", "databento_api_key", pfx="db-")
    E(F2, "bittrex", "API secret (32 hex) named BITTREX_API_SECRET", T("", HEX, 32), "BITTREX_API_SECRET", "bittrex_api_secret")
    E(F2, "polymarket", "CLOB API secret (base64url 44) named POLYMARKET_API_SECRET", lambda r: b64u(r.randbytes(32)) + "=",
      "POLYMARKET_API_SECRET", "polymarket_api_secret")
    E(F2, "onfido", "live API token (api_live.)", lambda r: "api_live." + mixed(r, B64URL, 11) + "." + mixed(r, B64URL, 32),
      "ONFIDO_API_TOKEN", "onfido_api_token", pfx="api_live.",
      auth=("hdr", "Authorization", "api.eu.onfido.com", "/v3.6/applicants", "Token token={v}"))
    E(F2, "polar", "organization access token (polar_oat_ + 43)", T("polar_oat_", B64URL, 43), "POLAR_ACCESS_TOKEN", "polar_token",
      pfx="polar_oat_", auth=("bearer", "api.polar.sh", "/v1/orders"))
    E(F2, "ebay", "production cert id (PRD-)", lambda r: "PRD-" + rs(r, HEX, 12) + "".join("-" + rs(r, HEX, 4) for _ in range(4)),
      "EBAY_CERT_ID", "ebay_cert_id", pfx="PRD-")
    E(A2, "apify", "API token (apify_api_ + 36)", T("apify_api_", ALNUM, 36), "APIFY_TOKEN", "apify_token", pfx="apify_api_",
      auth=("bearer", "api.apify.com", "/v2/users/me"))
    E(A2, "datastax", "Astra DB application token (AstraCS:)", lambda r: "AstraCS:" + mixed(r, UP + LO, 24, (UP, LO)) + ":" + rs(r, HEX, 64),
      "ASTRA_DB_APPLICATION_TOKEN", "astra_token", pfx="AstraCS:")
    E(A2, "settlemint", "personal access token (sm_pat_)", T("sm_pat_", ALNUM, 40), "SETTLEMINT_ACCESS_TOKEN", "settlemint_token",
      pfx="sm_pat_")
    E(A2, "lichess", "personal token (lip_ + 20)", T("lip_", ALNUM, 20), "LICHESS_TOKEN", "lichess_token", pfx="lip_",
      auth=("bearer", "lichess.org", "/api/account"))
    E(A2, "maxmind", "license key (40, _mmk)", lambda r: mixed(r, ALNUM, 6) + "_" + mixed(r, ALNUM, 29) + "_mmk", "MAXMIND_LICENSE_KEY",
      "maxmind_license_key", pfx="")
    E(A2, "zuplo", "API key (zpka_)", lambda r: "zpka_" + rs(r, HEX, 32) + "_" + rs(r, HEX, 8), "ZUPLO_API_KEY", "zuplo_api_key",
      pfx="zpka_", auth=("bearer", "echo.zuplo.io", "/v1/echo"))
    E(A2, "openweather", "API key (32 hex) named OPENWEATHER_API_KEY", T("", HEX, 32), "OPENWEATHER_API_KEY", "openweather_api_key")
    E(A2, "adafruit", "IO key (aio_ + 28)", lambda r: "aio_" + mixed(r, UP + LO, 4, (UP, LO)) + rs(r, DIG, 2) + mixed(r, ALNUM, 22),
      "ADAFRUIT_IO_KEY", "adafruit_io_key", pfx="aio_", auth=("hdr", "X-AIO-Key", "io.adafruit.com", "/api/v2/user"))

    # ========================================================================= decoys
    # 1) one per auto-decoy provider, rotating placeholder / masked / doc-example
    PH = ["your_{key}_here", "<{dash}>", "${{{name}}}", "YOUR_{name}", "{pfx}<your-token>", "{{{{ secrets.{name} }}}}",
          "REPLACE_WITH_{name}", "change_me", "<insert {dash} here>", "{pfx}xxxxxxxxxxxxxxxx"]
    MK = ["{pfx}****{last4}", "****{last4}", "{head}...", "[REDACTED]", "{pfx}********", "<redacted>"]
    EX = ["{pfx}{xs}", "{pfx}{zeros}", "{pfx}{seq}", "{pfx}EXAMPLE{xs7}"]
    k = 0
    for v in S:
        if not getattr(v, "auto_decoy", False):
            continue
        cls = ["placeholder", "masked", "doc-example"][k % 3]
        style = k // 3
        k += 1
        dctx = [c for c in v.ctxs if c in ("env", "yaml", "json", "mdtable", "curl", "http", "structlog", "urlq", "export", "docker")]
        dctx = dctx[:1] or ["env"]

        def dgen(r, v=v, cls=cls, style=style):
            real = v.gen(r)
            pfx = v.pfx
            rest = real[len(pfx):] if real.startswith(pfx) else real
            n = max(8, len(rest))
            fields = dict(key=v.key.lower(), dash=v.key.lower().replace("_", "-"), name=v.name, pfx=pfx, last4=real[-4:],
                          head=real[:len(pfx) + 4], xs="x" * n, zeros="0" * n, seq=("0123456789abcdef" * 20)[:n], xs7="x" * max(1, n - 7))
            tpl = {"placeholder": PH, "masked": MK, "doc-example": EX}[cls]
            return tpl[style % len(tpl)].format(**fields)
        D.append(V(v.family, "%s: %s decoy" % (v.provider, cls), dgen, v.name, v.key, dctx, "decoy", cls,
                   provider=v.provider, suite=SUITE, header=v.header, hfmt=v.hfmt, host=v.host, path=v.path, cli=v.cli,
                   urlq=v.urlq, tb=v.tb, event=v.event))

    # 2) look-alike identifiers, publishable and public keys (not secrets by design)
    def c(x):
        return lambda r: x
    Dc(F, "stripe", "publishable test key (pk_test_)", lambda r: "pk_test_51" + mixed(r, ALNUM, 97), "STRIPE_PUBLISHABLE_KEY", "publishable_key",
       ["env", "json", "yaml"], "publishable")
    Dc(M, "clerk", "publishable key (pk_live_ + base64 frontend API)", lambda r: "pk_live_" + base64.b64encode(b"clerk.acme.dev$").decode(),
       "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", "publishable_key", ["env", "json"], "publishable")
    Dc(C, "supabase", "publishable key (sb_publishable_)", T("sb_publishable_", B64URL, 31), "SUPABASE_PUBLISHABLE_KEY", "publishable_key",
       ["env", "yaml"], "publishable")
    Dc(C, "supabase", "anon JWT (role anon)", jwt_hs(lambda r: {"iss": "supabase", "ref": rs(r, LO, 20), "role": "anon", "iat": now(r)}),
       "SUPABASE_ANON_KEY", "anon_key", ["env", "json"], "publishable")
    Dc(O, "posthog", "project API key (phc_, public)", T("phc_", ALNUM, 43), "POSTHOG_PROJECT_API_KEY", "project_api_key", ["env", "json"],
       "publishable")
    Dc(F, "iexcloud", "publishable token (pk_)", T("pk_", HEX, 32), "IEX_PUBLISHABLE_TOKEN", "publishable_token", ["env", "yaml"], "publishable")
    Dc(O, "sentry", "modern DSN (public key only)",
       lambda r: "https://%s@o%d.ingest.us.sentry.io/%d" % (rs(r, HEX, 32), r.randint(10**5, 10**6), r.randint(10**6, 10**7)), "SENTRY_DSN",
       "dsn", ["env", "yaml", "json"], "identifier")
    Dc(O, "datadog", "RUM client token (pub + 32 hex)", T("pub", HEX, 32), "DD_CLIENT_TOKEN", "client_token", ["env", "json"], "publishable")
    Dc(O, "mixpanel", "project token (public)", T("", HEX, 32), "MIXPANEL_PROJECT_TOKEN", "project_token", ["env", "json"], "publishable")
    Dc(O, "amplitude", "browser API key (public)", T("", HEX, 32), "AMPLITUDE_API_KEY", "amplitude_api_key", ["env"], "publishable")
    Dc(M, "twilio", "API key SID (SK + 32 hex)", T("SK", HEX, 32), "TWILIO_API_KEY_SID", "api_key_sid", ["env", "yaml"], "identifier")
    Dc(C, "algolia", "application id (10 upper alnum)", T("", UPALNUM, 10), "ALGOLIA_APP_ID", "app_id", ["env", "json"], "identifier")
    Dc(C, "mongodb-atlas", "Admin API public key (8 lower)", T("", LO, 8), "MONGODB_ATLAS_PUBLIC_KEY", "atlas_public_key", ["env"], "identifier")
    Dc(C, "oracle", "OCID of a user", lambda r: "ocid1.user.oc1.." + rs(r, LOALNUM, 60), "OCI_USER_OCID", "user", ["env", "raw"], "identifier",
       raw=("ini", ["[DEFAULT]", "user={v}", "fingerprint=" + ":".join(["a3"] * 16), "key_file=~/.oci/oci_api_key.pem", "region=eu-frankfurt-1"], 1))
    Dc(C, "azure-ad", "tenant / client id (UUID)", uuid, "AZURE_CLIENT_ID", "client_id", ["env", "yaml", "json"], "identifier")
    Dc(C, "gcp", "OAuth client id (.apps.googleusercontent.com)",
       lambda r: "%d-%s.apps.googleusercontent.com" % (r.randint(10**11, 10**12), rs(r, LOALNUM, 32)), "GOOGLE_CLIENT_ID", "client_id",
       ["env", "json"], "identifier")
    Dc(C, "scaleway", "access key id (SCW + 17)", T("SCW", UPALNUM, 17), "SCW_ACCESS_KEY", "access_key", ["env"], "identifier")
    Dc(P, "wireguard", "PublicKey in a [Peer] section", lambda r: base64.b64encode(r.randbytes(32)).decode(), "WG_PEER_PUBLIC_KEY", "PublicKey",
       ["raw", "raw"], "public-key", raw=("ini", ["[Peer]", "PublicKey = {v}", "AllowedIPs = 10.8.0.0/24"], 1))
    Dc(P, "age", "age public key (age1)", lambda r: "age1" + rs(r, BECH32, 58), "SOPS_AGE_RECIPIENTS", "age_recipient", ["env", "yaml"],
       "public-key")
    Dc(P, "vault", "token accessor in `vault token lookup` output", T("", ALNUM, 24), "VAULT_ACCESSOR", "accessor", ["raw"], "identifier",
       raw=("console", ["$ vault token lookup -format=table", "Key                 Value", "accessor            {v}",
                        "policies            [default ops]"], 2))
    Dc(F, "coinbase-cdp", "CDP API key name (organizations/.../apiKeys/...)",
       lambda r: "organizations/%s/apiKeys/%s" % (g["uuid4"](r), g["uuid4"](r)), "CDP_API_KEY_NAME", "name", ["env", "json"], "identifier")
    Dc(F, "wallet", "0x address (40 hex) named WALLET_ADDRESS", lambda r: "0x" + rs(r, HEX, 40), "WALLET_ADDRESS", "wallet_address",
       ["env", "json", "structlog"], "identifier")
    Dc(F, "wallet", "twelve ordinary words that are not a seed phrase", c("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu"),
       "GREEK_LETTERS", "letters", ["yaml"], "identifier")
    Dc(F, "razorpay", "key id (rzp_test_, public half)", T("rzp_test_", ALNUM, 14), "RAZORPAY_KEY_ID", "key_id", ["env", "json"], "identifier")
    Dc(CI, "github", "GitHub App client id (Iv1.)", T("Iv1.", HEX, 16), "GITHUB_APP_CLIENT_ID", "client_id", ["env", "yaml"], "identifier")
    Dc(CI, "gitlab", "GitLab project id and pipeline URL", lambda r: "https://gitlab.com/acme/infra/-/pipelines/%d" % r.randint(10**8, 10**9),
       "CI_PIPELINE_URL", "pipeline_url", ["env", "structlog"], "identifier")
    Dc(A, "openai", "organization id (org-)", T("org-", ALNUM, 24), "OPENAI_ORG_ID", "organization", ["env", "json"], "identifier")
    Dc(A, "openai", "chat completion id (chatcmpl-)", T("chatcmpl-", ALNUM, 29), "COMPLETION_ID", "id", ["json", "structlog"], "identifier")
    Dc(A, "anthropic", "message id (msg_)", T("msg_01", ALNUM, 22), "MESSAGE_ID", "id", ["json", "structlog"], "identifier")
    Dc(M, "slack", "channel and team ids", lambda r: "C%s" % rs(r, UPALNUM, 10), "SLACK_CHANNEL_ID", "channel", ["env", "yaml"], "identifier")

    # 3) quiet-on-real-text classes (issue 13): digests, encrypted references, test/CLI output, paths, code, dummies
    Dc(P, "vault", "audit-log hmac-sha256 value", lambda r: "hmac-sha256:" + rs(r, HEX, 64), "AUDIT_CLIENT_TOKEN", "client_token",
       ["json", "json", "structlog"], "digest")
    Dc(G, "sops", "SOPS ENC[AES256_GCM,...] value",
       lambda r: "ENC[AES256_GCM,data:%s,iv:%s,tag:%s,type:str]" % (base64.b64encode(r.randbytes(24)).decode(), base64.b64encode(r.randbytes(32)).decode(),
                                                                     base64.b64encode(r.randbytes(16)).decode()), "DB_PASSWORD", "password",
       ["yaml", "json"], "encrypted-ref")
    Dc(G, "ansible-vault", "ansible_password: !vault | reference", c("!vault |"), "ANSIBLE_PASSWORD", "ansible_password", ["raw"],
       "encrypted-ref", raw=("yaml", ["ansible_user: deploy", "ansible_password: {v}", "  $ANSIBLE_VAULT;1.1;AES256",
                                       "  " + "6338" * 16], 1))
    Dc(G, "secret-ref", "vault: / secretRef indirection", c("vault:secret/data/bots/bot1#api_key"), "BITGET_API_KEY", "api_key",
       ["env", "yaml"], "encrypted-ref")
    Dc(G, "secret-ref", "path as a value ($DIR/file.key)", c("$CONSUL_TLS_DIR/consul.key"), "CONSUL_CLIENT_KEY", "client_key",
       ["env", "yaml"], "path")
    Dc(G, "code", "code expression as a value", c("password.(string)"), "CONFIG_PASSWORD", "config.Password", ["raw"], "code",
       raw=("go", ["if password, ok := d.GetOk(\"password\"); ok {", "\tconfig.Password = {v}", "}"], 1))
    Dc(G, "code", "getenv call as a value", c("os.environ[\"OPENAI_API_KEY\"]"), "OPENAI_API_KEY", "api_key", ["raw"], "code",
       raw=("python", ["import os", "client = OpenAI(api_key={v})"], 1))
    Dc(G, "test-output", "go test output naming a password test", c("--- PASS: TestRemoteWrite/password_grafana (0.01s)"), "TEST", "test",
       ["raw"], "test-output", raw=("console", ["$ go test ./...", "{v}", "ok  \tgithub.com/acme/ops/remote\t0.412s"], 1))
    Dc(G, "cli-output", "kubectl output listing token resource names",
       lambda r: "Tokens:              prometheus-k8s-token-" + rs(r, LOALNUM, 5), "K8S", "tokens", ["raw"], "cli-output",
       raw=("console", ["$ kubectl describe sa prometheus-k8s -n monitoring", "Name:                prometheus-k8s", "{v}"], 2))
    for pwd in ["hunter2", "changeme", "P@ssw0rd", "password123", "admin", "letmein", "Testing!123", "SuperSecret1!", "example-password",
                "dummy", "secret", "somethingrandom"]:
        Dc(G, "password", "well-known dummy password %s" % pwd.replace("!", "").lower(), c(pwd), "DB_PASSWORD", "password",
           ["env", "yaml"], "dummy-password")
    for ph in ["your_exchange_secret", "YOUR_API_KEY", "<secret>", "${API_TOKEN}", "{{ .Values.apiKey }}", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
               "insert-your-token-here", "REPLACE_ME"]:
        Dc(G, "placeholder", "placeholder %s" % ph.strip("<>${}. ").lower(), c(ph), "API_SECRET", "api_secret", ["env", "json", "mdtable"],
           "placeholder")
    Dc(G, "masked", "masked value in a markdown table (****)", lambda r: "****" + rs(r, LOALNUM, 4), "API_KEY", "api_key",
       ["mdtable"], "masked")
    Dc(G, "token-amount", "*_token_amount variable in code", lambda r: str(r.randint(10, 10**6)), "MAX_TOKEN_AMOUNT", "max_token_amount",
       ["env", "yaml", "json"], "identifier")
    Dc(G, "hash", "sha1 digest in a report", T("", HEX, 40), "ARTIFACT_SHA1", "sha1", ["json", "structlog"], "digest")
    Dc(G, "hash", "md5 checksum", T("", HEX, 32), "ARCHIVE_MD5", "md5", ["json", "mdtable"], "digest")

    # 4) encoded decoys: encodings of nothing secret
    Dc(N, "k8s-secret", "Secret data: base64 of a hostname", lambda r: b64("db-%d.ops.lan" % r.randint(1, 9)), "K8S", "host", ["k8s"],
       "encoded-benign")
    Dc(N, "k8s-secret", "Secret data: base64 of a port", c(b64("5432")), "K8S", "port", ["k8s"], "encoded-benign")
    Dc(N, "env-b64", "*_B64 holding a public certificate",
       lambda r: b64(g["public_pem"](r, cert=True)), "CA_BUNDLE_B64", "ca_bundle_b64", ["env"], "encoded-benign")
    Dc(N, "jsonl-b64", "base64 JSON blob without a secret (pagination)",
       lambda r: b64(json.dumps({"page": r.randint(2, 40), "after": r.randint(10**9, 2 * 10**9), "sort": "ts"})), "CURSOR", "cursor",
       ["json", "structlog"], "encoded-benign")
    Dc(N, "pct-dsn", "percent-encoded URL without password",
       lambda r: "postgresql://reporting@db.internal:5432/ledger?application_name=ops%%20report%%20%d&sslmode=require" % r.randint(1, 9),
       "DATABASE_URL", "database_url", ["env", "yaml"], "encoded-benign")
    Dc(N, "json-escaped", "JSON-escaped document with placeholders",
       lambda r: json.dumps({"service": "reports", "api_key": "${REPORTS_API_KEY}", "password": "<set-in-vault>"}), "SETTINGS_JSON",
       "settings", ["json", "structlog"], "encoded-benign")
    Dc(N, "basic-b64", "Basic auth with a placeholder password", c(b64("user:password")), "BASIC", "Authorization", ["http"],
       "encoded-benign", header="Authorization", hfmt="Basic {v}", host="localhost:8080", path="/api/health")
    Dc(N, "k8s-secret", "Secret data: base64 of a username / database name",
       lambda r: b64(r.choice(["reporting", "ledger", "svc-reconciler", "grafana"])), "K8S", "username", ["k8s", "k8s"], "encoded-benign")
    Dc(N, "k8s-secret", "Secret data: base64 of a placeholder password", lambda r: b64(r.choice(["changeme", "your-password-here", "<password>"])),
       "K8S", "password", ["k8s", "k8s"], "encoded-benign")
    Dc(N, "k8s-secret", "Secret data: base64 of a boolean / mode", lambda r: b64(r.choice(["true", "require", "verify-full"])), "K8S",
       "sslmode", ["k8s"], "encoded-benign")
    Dc(N, "env-b64", "*_B64 holding an ssh public key", lambda r: b64(g["ssh_pub"](r, ed=True)), "DEPLOY_PUBKEY_B64", "deploy_pubkey_b64",
       ["env", "yaml"], "encoded-benign")
    Dc(N, "env-b64", "*_B64 holding a JSON config without secrets",
       lambda r: b64(json.dumps({"region": "eu-west-1", "replicas": r.randint(1, 5), "log_level": "info"})), "APP_CONFIG_B64",
       "app_config_b64", ["env", "yaml", "json"], "encoded-benign")
    Dc(N, "jsonl-b64", "base64 JSON trace context", lambda r: b64(json.dumps({"trace_id": rs(r, HEX, 32), "span_id": rs(r, HEX, 16),
                                                                               "sampled": True})), "TRACE_CTX", "trace_ctx",
       ["json", "json", "structlog"], "encoded-benign")
    Dc(N, "jsonl-b64", "urlsafe base64 JSON OAuth state without a token",
       lambda r: b64url(json.dumps({"return_to": "/dashboards/ops", "nonce": rs(r, HEX, 16)})), "STATE", "state",
       ["json", "urlq"], "encoded-benign", urlq="GET https://ops-api.internal/v1/callback?state={v}")
    Dc(N, "pct-dsn", "percent-encoded query string without credentials",
       lambda r: "https://grafana.ops.lan/d/ops?var-bot=bot%d&from=now-6h&to=now&var-query=rate%%28http_requests_total%%5B5m%%5D%%29" % r.randint(1, 4),
       "DASHBOARD_URL", "dashboard_url", ["env", "yaml", "structlog"], "encoded-benign")
    Dc(N, "pct-dsn", "DSN whose password is a percent-encoded placeholder", c("postgresql://svc:%3Cpassword%3E@db.internal:5432/ledger"),
       "DATABASE_URL", "database_url", ["env", "yaml"], "encoded-benign")
    Dc(N, "json-escaped", "JSON-escaped document with masked values",
       lambda r: json.dumps({"service": "billing", "stripe_secret_key": "sk_live_****" + rs(r, DIG, 4), "api_token": "[REDACTED]"}),
       "SETTINGS_JSON", "settings", ["json", "structlog", "json"], "encoded-benign")
    Dc(N, "hex-secret", "hex digest in a *_HEX variable that is not a secret", T("", HEX, 64), "BUILD_SHA256_HEX", "build_sha256_hex",
       ["env", "yaml"], "encoded-benign")
    return S, D
