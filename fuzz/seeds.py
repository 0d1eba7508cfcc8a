#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ from the repository's
fixtures, rule packs (their examples and counter-examples) and the README's examples.

Run from the repository root: python3 fuzz/seeds.py. Files are named by the SHA-1 of their
contents, as libFuzzer names the inputs it adds, so running it twice adds nothing. After
seeding, minimise with `cargo fuzz cmin TARGET` (see fuzz/README.md)."""
import gzip
import hashlib
import pathlib
import re
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def put(target: str, data: bytes) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def texts(pack: dict) -> list[str]:
    """Every example and counter-example text of a pack (rules and decoys)."""
    out = []
    for table in ("rules", "value", "line", "dummy"):
        for rule in pack.get(table, []):
            for key in ("examples", "counter_examples"):
                for example in rule.get(key, []):
                    out.append(example["text"] if isinstance(example, dict) else example)
    return out


README = (ROOT / "README.md").read_text()
FENCED = re.compile(r"```(\w*)\n(.*?)```", re.S)

# Rule packs: a few packs of each shape (plain, decoys, multi-line keys, near rules, generic).
for name in ["github", "aws", "decoys", "private-keys", "generic", "database", "jwt", "http",
             "alpaca", "wallet", "netrc", "azure"]:
    put("rule_pack", (ROOT / "rules" / f"{name}.toml").read_bytes())
for lang, block in FENCED.findall((ROOT / "rules" / "FORMAT.md").read_text()):
    if lang == "toml":
        put("rule_pack", block.encode())

# hygiene.toml: the demo's and every TOML example of the README.
put("config", (ROOT / "fixtures/demo/hygiene.toml").read_bytes())
for lang, block in FENCED.findall(README):
    if lang == "toml":
        put("config", block.encode())

# Policy tables: the fixtures and the README's markdown tables.
for path in ["fixtures/demo/docs/key-rotation-policy.md", "fixtures/rotation/malformed-policy.md",
             "fixtures/rotation/policy-variants.md"]:
    put("policy_table", (ROOT / path).read_bytes())
for lang, block in FENCED.findall(README):
    if lang in ("markdown", "md"):
        put("policy_table", block.encode())

# Rotation logs and the CSV export.
for path in ["fixtures/demo/ops/rotation-log.jsonl", "fixtures/rotation/malformed-log.jsonl"]:
    put("rotation_log", (ROOT / path).read_bytes())
put("rotation_csv", (ROOT / "fixtures/rotation/rotation-log-export.csv").read_bytes())

# Detector and redactor: each pack's examples and counter-examples as one text, the demo's
# files, and UTF-16 and gzip forms of a log.
demo = [p for p in (ROOT / "fixtures/demo").rglob("*") if p.is_file()]
for pack_path in sorted((ROOT / "rules").glob("*.toml"))[::8]:  # every 8th pack keeps the corpus small
    lines = texts(tomllib.loads(pack_path.read_text()))
    if lines:
        put("detect", ("\n".join(lines) + "\n").encode())
for path in demo:
    put("detect", path.read_bytes())
log = (ROOT / "fixtures/demo/data/bot1/logs/app.log").read_text()
put("detect", log.encode("utf-16-le"))
put("detect", b"\xff\xfe" + log.encode("utf-16-le"))
put("detect", gzip.compress(log.encode(), mtime=0))

# The redactor's input is one byte (number of cuts), the cuts (u16 LE each), then the text.
for path in demo + [ROOT / "rules/private-keys.toml"]:
    data = path.read_bytes()
    put("redact_stream", b"\x00" + data)
    cuts = [len(data) // 3, len(data) // 2, len(data) - 1]
    put("redact_stream", bytes([len(cuts)]) + b"".join(c.to_bytes(2, "little") for c in cuts) + data)
