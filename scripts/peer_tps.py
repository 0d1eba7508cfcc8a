#!/usr/bin/env python3
"""How many of gitleaks' and betterleaks' own rule test cases each scanner finds: a recall proxy
for "other projects' credential examples", text this project did not write; and how many of
their counter-examples it reports: a precision proxy on the same kind of text.

Usage:
    scripts/peer_tps.py [--source betterleaks,gitleaks] [--out DIR] [--hygiene PATH]
                        [--peers a,b,...|none] [--misses FILE] [--false-alarms FILE]
                        [--seed N] [--max-per-rule N]

    --source   which projects' rules to read (default both): betterleaks, gitleaks
    --out      where the example files and the tools' raw output go (default target/peer-tps;
               each source's DIR/<source> is replaced on every run)
    --hygiene  the binary (default target/release/hygiene)
    --peers    peers run through ../shared/peers/peer.sh (default gitleaks,betterleaks,kingfisher)
    --misses   write a TSV of the examples hygiene missed (source, rule id, example file, the
               first 200 characters with newlines escaped, whether it looks like a placeholder),
               sorted by rule id
    --false-alarms  write a TSV of the negatives hygiene reports (source, rule id, negative file,
               the first 200 characters with newlines escaped, the hygiene rule ids that fired,
               and why the text holds a secret by the source's own standard, if it does:
               `positive`, `<source>-flags`), sorted by rule id
    --seed     seed of every random choice (default 1): the same seed gives the same files
    --max-per-rule  keep a seeded sample of at most N examples of one rule (default 40; 0: all):
               jwt-base64's loop alone writes ~300 (every JOSE header in 4 base64 flavours);
               the same cap, drawn apart, applies to each rule's negatives

Both projects are read from the bare clones the session's `fetch` tool puts in /work/.mirror
(betterleaks+betterleaks, gitleaks+gitleaks), at HEAD, whose commit is printed. Every rule of
theirs is a Go function in cmd/generate/config/rules/ that builds a `config.Rule`, a `tps` list
of strings the rule must match, an `fps` list it must not match, and calls
`utils.Validate(r, tps, fps)`. There is no Go toolchain here, so this script reads the Go
itself: a small interpreter for the subset those files use (string literals and `+`, slice and
map literals, `append`, `:=`, `for ... range`, `if`, calls of the package's own functions and
of the `utils` package, read from the same commit, so `utils.AlphaNumeric("32")` is whatever
that commit says it is) with the library calls written out in Python: `fmt.Sprintf`,
`strings.*`, `base64`, and `secrets.NewSecret(REGEX)`, a random string matching the regex,
drawn the way their generator (lucasjones/reggen, `Generate(1)`) draws it: `x{20,40}` gives 20,
`+` one, `*` and `?` zero or one, `(?i)` literals upper case.
`utils.GenerateSampleSecrets(id, secret)` puts the secret in each of the ~28 contexts of the
`samples` map of generate.go; this keeps a seeded sample of 4 of them per call (the manifest
records which). `newPlausibleSecret` (a retry loop on a stop-word list) is the one package
function written out here. Whatever the interpreter cannot evaluate is skipped and counted, by
reason.

Each example becomes one file, examples/<rule id>.<n>.txt (a `ValidateWithPaths` example,
whose rule looks at the file name, becomes examples/<rule id>.<n>/<its path>). A tool "finds"
an example when it reports anything in its file. Each peer of course finds most of its own
examples: the figures to read are hygiene's next to the other projects', and hygiene's misses.
Many examples are placeholders (`abcdef...`, `1234...`) that hygiene's decoy filters reject on
purpose, so the figure is printed twice: over every example, and over the examples that do not
look like placeholders (PLACEHOLDER, as in peer_examples.py). Nothing here is committed.

The negatives: each rule's `fps` is evaluated the same way (an `fps` written inside the Validate
call draws from a random stream of its own, so the positives are the same with or without it)
and each becomes one file under negatives/ (named like the positives; the manifest is
negatives-manifest.tsv, the tools' raw output negatives-scan/). A tool "flags" a negative when
it reports anything in its file. But one rule's fps are often another rule's true positive (each
of the three Cloudflare rules lists the other two's keys as fps), so the flagged negatives are
counted twice: "any", every one; and "no secret", leaving out those that hold a secret by the
source project's own standard: the negative is one of the project's positive examples or part of
one, verbatim (at least MIN_VERBATIM characters, whole tokens only: a token cut short is the
very thing many fps test), or the project's own tool (run as a peer) reports it, which, since
Validate proved the negative's own rule silent there, means another of its rules fired (a line
says so if the installed tool differs from the commit read and its own rule fires). The source
tool's "no secret" count is therefore 0 by construction. Placeholders are not set apart among
negatives. Per tool: precision = found / (found + flagged) and F1 with the recall above, over
all positives and over the non-placeholders, for both counts of flagged negatives.
"""
import argparse
import base64
import collections
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import warnings

try:
    import re._parser as sre_parse
    import re._constants as sre_c
except ImportError:  # Python < 3.11
    import sre_parse
    import sre_constants as sre_c

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = {
    "betterleaks": "/work/.mirror/betterleaks+betterleaks/repo",
    "gitleaks": "/work/.mirror/gitleaks+gitleaks/repo",
}
RULES_DIR = "cmd/generate/config/rules/"
UTILS_DIR = "cmd/generate/config/utils/"
SAMPLES_PER_CALL = 4
# What a placeholder looks like, and git: the same as for kingfisher's examples.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_examples import PLACEHOLDER, git, run_peers  # noqa: E402


# ---------------------------------------------------------------------------------------------
# Go source: tokens (with Go's automatic semicolons), then a syntax tree of tuples.

class Unsupported(Exception):
    """Something the interpreter does not evaluate; the message is the reason shown in the counts."""


GO_OPS = sorted("""... <<= >>= &^= && || <- ++ -- == != <= >= := += -= *= /= %= &= |= ^= << >> &^
+ - * / % & | ^ < > = ! ( ) [ ] { } , ; . : ~""".split(), key=len, reverse=True)
TOKEN_RE = re.compile(r"""
    (?P<nl>\n) | (?P<ws>[ \t\r\f]+) | (?P<lc>//[^\n]*) | (?P<bc>/\*.*?\*/)
  | (?P<raw>`[^`]*`) | (?P<str>"(?:[^"\\\n]|\\.)*") | (?P<rune>'(?:[^'\\\n]|\\[^\n]+?)')
  | (?P<num>(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<ident>[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*)
  | (?P<op>""" + "|".join(re.escape(o) for o in GO_OPS) + r""")
""", re.S | re.X)
SEMI_AFTER = {"break", "continue", "fallthrough", "return", "++", "--", ")", "]", "}"}


def go_unquote(lit):
    """The value of a Go string or rune literal (interpreted strings are bytes: decode as UTF-8)."""
    if lit[0] == "`":
        return lit[1:-1].replace("\r", "")
    body, out, i = lit[1:-1], bytearray(), 0
    simple = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, "'": 39, '"': 34}
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        e = body[i + 1]
        if e in simple:
            out.append(simple[e])
            i += 2
        elif e == "x":
            out.append(int(body[i + 2:i + 4], 16))
            i += 4
        elif e in "uU":
            n = 4 if e == "u" else 8
            out += chr(int(body[i + 2:i + 2 + n], 16)).encode()
            i += 2 + n
        elif e in "01234567":
            out.append(int(body[i + 1:i + 4], 8) & 0xFF)
            i += 4
        else:
            raise Unsupported(f"string escape \\{e}")
    text = out.decode("utf-8", "surrogateescape")
    return ord(text) if lit[0] == "'" else text


def tokenize(src):
    toks, last, pos = [], None, 0
    while pos < len(src):
        m = TOKEN_RE.match(src, pos)
        if not m:
            raise Unsupported(f"cannot tokenize at {src[pos:pos + 20]!r}")
        pos, kind, text = m.end(), m.lastgroup, m.group()
        newline = kind == "nl" or (kind == "bc" and "\n" in text)
        if kind in ("ws", "lc", "bc", "nl"):
            if newline and last is not None and (last[0] in ("ident", "str", "num") or last[1] in SEMI_AFTER):
                toks.append(("op", ";"))
                last = None
            continue
        if kind in ("raw", "str", "rune"):
            tok = ("str", go_unquote(text)) if kind != "rune" else ("num", go_unquote(text))
        elif kind == "num":
            t = text.replace("_", "")
            if t.lower().startswith("0x"):
                tok = ("num", int(t, 16))
            elif re.search(r"[.eE]", t):
                tok = ("num", float(t))
            else:
                tok = ("num", int(t, 8) if len(t) > 1 and t[0] == "0" else int(t))
        else:
            tok = (kind, text)
        toks.append(tok)
        last = tok
    toks.append(("op", ";"))
    toks.append(("eof", None))
    return toks


class Parser:
    """Recursive descent over the tokens of one Go file; expressions and statements become tuples."""

    def __init__(self, toks):
        self.t, self.i, self.no_comp = toks, 0, 0

    def peek(self, k=0):
        return self.t[self.i + k]

    def is_(self, val, k=0):
        tok = self.t[self.i + k]
        return tok[0] in ("op", "ident") and tok[1] == val

    def next(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def expect(self, val):
        tok = self.next()
        if tok[1] != val or tok[0] not in ("op", "ident"):
            raise Unsupported(f"parse: expected {val!r}, got {tok[1]!r}")
        return tok

    def accept(self, val):
        if self.is_(val):
            self.i += 1
            return True
        return False

    def skip_balanced(self):
        """Skip a (...), [...] or {...} group starting at the current token."""
        pairs = {"(": ")", "[": "]", "{": "}"}
        stack = [pairs[self.next()[1]]]
        while stack:
            tok = self.next()
            if tok[0] == "eof":
                raise Unsupported("parse: unbalanced brackets")
            if tok[0] == "op" and tok[1] in pairs:
                stack.append(pairs[tok[1]])
            elif tok[0] == "op" and tok[1] == stack[-1]:
                stack.pop()

    # --- file level
    def file(self):
        decls = {"funcs": {}, "vars": {}, "types": {}, "imports": {}}
        while self.peek()[0] != "eof":
            if self.accept(";"):
                continue
            kw = self.next()[1]
            if kw == "package":
                self.next()
            elif kw == "import":
                specs = []
                if self.accept("("):
                    while not self.accept(")"):
                        if self.accept(";"):
                            continue
                        specs.append(self.import_spec())
                else:
                    specs.append(self.import_spec())
                for alias, path in specs:
                    decls["imports"][alias or path.rsplit("/", 1)[-1]] = path
            elif kw == "func":
                if self.is_("("):  # a method: not needed
                    self.skip_balanced()
                    self.func_decl()
                    continue
                name, fn = self.func_decl()
                decls["funcs"][name] = fn
            elif kw in ("var", "const"):
                for name, typ, expr in self.var_specs(kw):
                    decls["vars"][name] = (typ, expr)
            elif kw == "type":
                if self.is_("("):
                    self.skip_balanced()
                else:
                    name = self.next()[1]
                    if self.is_("["):
                        self.skip_balanced()
                    self.accept("=")
                    decls["types"][name] = self.type_()
            else:
                raise Unsupported(f"parse: top-level {kw!r}")
        return decls

    def import_spec(self):
        alias = None
        if self.peek()[0] == "ident" or self.is_("."):
            alias = self.next()[1]
        return alias, self.next()[1]

    def func_decl(self):
        name = self.next()[1]
        if self.is_("["):  # type parameters
            self.skip_balanced()
        params, variadic = self.params()
        self.result_type()
        body = self.block() if self.is_("{") else None
        return name, ("func", params, variadic, body)

    def params(self):
        self.expect("(")
        groups, cur, depth = [], [], 0
        while True:
            tok = self.next()
            if tok[1] in ("(", "[", "{") and tok[0] == "op":
                depth += 1
            elif tok[1] in (")", "]", "}") and tok[0] == "op":
                if depth == 0:
                    break
                depth -= 1
            if tok[1] == "," and depth == 0 and tok[0] == "op":
                groups.append(cur)
                cur = []
            else:
                cur.append(tok)
        if cur:
            groups.append(cur)
        names = [g[0][1] for g in groups if g and g[0][0] == "ident"]
        variadic = any(t[1] == "..." for g in groups[-1:] for t in g)
        if groups and all(len(g) == 1 for g in groups):  # only types, or names sharing a later type
            names = [g[0][1] for g in groups]
        return names, variadic

    def result_type(self):
        if self.is_("{") or self.is_(";"):
            return
        if self.is_("("):
            self.skip_balanced()
        else:
            self.type_()

    def var_specs(self, kw):
        specs = []
        if self.accept("("):
            while not self.accept(")"):
                if self.accept(";"):
                    continue
                specs += self.var_spec()
        else:
            specs += self.var_spec()
        return specs

    def var_spec(self):
        names = [self.next()[1]]
        while self.accept(","):
            names.append(self.next()[1])
        typ = None
        if not self.is_("=") and not self.is_(";") and not self.is_(")"):
            typ = self.type_()
        exprs = []
        if self.accept("="):
            exprs = self.expr_list()
        return [(n, typ, exprs[k] if k < len(exprs) else None) for k, n in enumerate(names)]

    # --- types
    def type_(self):
        tok = self.peek()
        if self.accept("["):
            if self.accept("]"):
                return ("slice", self.type_())
            if self.accept("..."):
                self.expect("]")
            else:
                self.expr()
                self.expect("]")
            return ("slice", self.type_())
        if self.accept("map"):
            self.expect("[")
            k = self.type_()
            self.expect("]")
            return ("map", k, self.type_())
        if self.accept("*"):
            return self.type_()
        if self.accept("("):
            t = self.type_()
            self.expect(")")
            return t
        if self.accept("struct"):
            start = self.i
            self.skip_balanced()
            fields = [self.t[k][1] for k in range(start + 1, self.i - 1)
                      if self.t[k][0] == "ident" and self.t[k - 1][1] in ("{", ";")]
            return ("struct", fields)
        if self.accept("interface"):
            self.skip_balanced()
            return ("named", "interface")
        if self.accept("func"):
            self.params()
            self.result_type()
            return ("named", "func")
        if self.accept("chan"):
            return ("named", "chan", self.type_())
        if tok[0] == "ident":
            self.i += 1
            name = tok[1]
            if self.is_(".") and self.peek(1)[0] == "ident":
                self.i += 1
                name += "." + self.next()[1]
            if self.is_("[") and not self.is_("]", 1):  # generic instantiation
                self.skip_balanced()
            return ("named", name)
        raise Unsupported(f"parse: type at {tok[1]!r}")

    # --- statements
    def block(self):
        self.expect("{")
        saved, self.no_comp = self.no_comp, 0
        stmts = []
        while not self.accept("}"):
            if self.accept(";"):
                continue
            stmts.append(self.stmt())
        self.no_comp = saved
        return stmts

    def stmt(self):
        tok = self.peek()
        if tok[0] == "ident":
            kw = tok[1]
            if kw in ("var", "const"):
                self.i += 1
                return ("var", self.var_specs(kw))
            if kw == "return":
                self.i += 1
                exprs = [] if self.is_(";") or self.is_("}") else self.expr_list()
                return ("return", exprs)
            if kw in ("break", "continue"):
                self.i += 1
                if self.peek()[0] == "ident":
                    self.i += 1
                return (kw,)
            if kw == "for":
                return self.for_stmt()
            if kw == "if":
                return self.if_stmt()
            if kw in ("switch", "select", "go", "defer", "goto", "type"):
                self.i += 1
                while not self.is_("{") and not self.is_(";"):
                    if self.peek()[1] in ("(", "["):
                        self.skip_balanced()
                    else:
                        self.i += 1
                if self.is_("{"):
                    start = self.i
                    self.skip_balanced()
                    return ("unsupported", kw, self.t[start:self.i])
                return ("unsupported", kw, [])
            if self.is_(":", 1) and not self.is_("=", 2):  # label
                self.i += 2
                return ("nop",)
        if self.is_("{"):
            return ("block", self.block())
        return self.simple_stmt()

    def simple_stmt(self):
        if self.accept("range"):
            return ("range", [], None, self.expr())
        lhs = self.expr_list()
        tok = self.peek()
        if tok[0] == "op" and tok[1] in (":=", "=", "+=", "-=", "*=", "/=", "|=", "&=", "^=", "%=", "<<=", ">>="):
            self.i += 1
            if self.accept("range"):
                return ("range", lhs, tok[1], self.expr())
            return ("assign", lhs, tok[1], self.expr_list())
        if tok[0] == "op" and tok[1] in ("++", "--"):
            self.i += 1
            return ("assign", lhs, tok[1][0] + "=", [("lit", 1)])
        return ("expr", lhs[0])

    def for_stmt(self):
        self.expect("for")
        self.no_comp += 1
        init = cond = post = None
        if not self.is_("{"):
            first = None if self.is_(";") else self.simple_stmt()
            if self.accept(";"):
                init = first
                cond = None if self.is_(";") else self.expr()
                self.expect(";")
                post = None if self.is_("{") else self.simple_stmt()
            elif first and first[0] == "range":
                self.no_comp -= 1
                return ("for_range", first[1], first[3], self.block())
            else:
                cond = first[1] if first else None
        self.no_comp -= 1
        return ("for", init, cond, post, self.block())

    def if_stmt(self):
        self.expect("if")
        self.no_comp += 1
        init, s = None, self.simple_stmt()
        if self.accept(";"):
            init, s = s, self.simple_stmt()
        self.no_comp -= 1
        if s[0] != "expr":
            raise Unsupported("parse: if condition")
        then = self.block()
        other = None
        if self.accept("else"):
            other = [self.if_stmt()] if self.is_("if") else self.block()
        return ("if", init, s[1], then, other)

    # --- expressions
    def expr_list(self):
        out = [self.expr()]
        while self.accept(","):
            out.append(self.expr())
        return out

    BINARY = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
              "+": 4, "-": 4, "|": 4, "^": 4, "*": 5, "/": 5, "%": 5, "<<": 5, ">>": 5, "&": 5, "&^": 5}

    def expr(self, prec=1):
        left = self.unary()
        while True:
            tok = self.peek()
            p = self.BINARY.get(tok[1]) if tok[0] == "op" else None
            if p is None or p < prec:
                return left
            self.i += 1
            left = ("binop", tok[1], left, self.expr(p + 1))

    def unary(self):
        tok = self.peek()
        if tok[0] == "op" and tok[1] in ("-", "+", "!", "^", "&", "*", "<-"):
            self.i += 1
            return ("unop", tok[1], self.unary())
        return self.primary()

    def primary(self):
        tok = self.peek()
        if tok[0] in ("str", "num"):
            self.i += 1
            x = ("lit", tok[1])
        elif self.is_("("):
            self.i += 1
            self.no_comp, saved = 0, self.no_comp
            x = self.expr()
            self.no_comp = saved
            self.expect(")")
        elif self.is_("func"):
            self.i += 1
            self.params()
            self.result_type()
            self.skip_balanced()
            x = ("funclit",)
        elif self.is_("[") or self.is_("map") or self.is_("struct") or self.is_("interface"):
            typ = self.type_()
            if self.is_("{"):
                x = ("comp", typ, self.comp_body())
            elif self.accept("("):
                arg = self.expr()
                self.accept(",")
                self.expect(")")
                x = ("conv", typ, arg)
            else:
                x = ("type", typ)
        elif tok[0] == "ident":
            self.i += 1
            x = ("ident", tok[1])
        else:
            raise Unsupported(f"parse: unexpected {tok[1]!r}")
        while True:
            if self.accept("."):
                if self.accept("("):
                    self.type_()
                    self.expect(")")
                    x = ("assert", x)
                else:
                    x = ("sel", x, self.next()[1])
            elif self.is_("(") :
                self.i += 1
                saved, self.no_comp = self.no_comp, 0
                args, spread = [], False
                while not self.accept(")"):
                    args.append(self.expr())
                    if self.accept("..."):
                        spread = True
                    if not self.accept(","):
                        self.expect(")")
                        break
                self.no_comp = saved
                x = ("call", x, args, spread)
            elif self.is_("["):
                self.i += 1
                saved, self.no_comp = self.no_comp, 0
                lo = None if self.is_(":") else self.expr()
                if self.accept(":"):
                    hi = None if self.is_("]") else self.expr()
                    x = ("slice", x, lo, hi)
                else:
                    while self.accept(","):  # generic instantiation f[A, B]
                        self.expr()
                    x = ("index", x, lo)
                self.no_comp = saved
                self.expect("]")
            elif self.is_("{") and not self.no_comp and x[0] in ("ident", "sel", "index"):
                x = ("comp", ("named", self.type_name(x)), self.comp_body())
            else:
                return x

    @staticmethod
    def type_name(x):
        if x[0] == "ident":
            return x[1]
        if x[0] == "sel":
            return Parser.type_name(x[1]) + "." + x[2]
        return Parser.type_name(x[1])

    def comp_body(self):
        self.expect("{")
        saved, self.no_comp = self.no_comp, 0
        elems = []
        while not self.accept("}"):
            if self.accept(";"):
                continue
            a = ("elided", self.comp_body()) if self.is_("{") else self.expr()
            if self.accept(":"):
                b = ("elided", self.comp_body()) if self.is_("{") else self.expr()
                elems.append((a, b))
            else:
                elems.append((None, a))
            if not self.accept(","):
                self.accept(";")
                self.expect("}")
                break
        self.no_comp = saved
        return elems


# ---------------------------------------------------------------------------------------------
# Random strings from a Go regex, drawn like lucasjones/reggen's Generate(1).

PRINTABLE = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \t\n\r"
PRINTABLE_NO_NL = PRINTABLE[:-2]
POSIX = {"alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ",
         "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~",
         "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_",
         "xdigit": "0-9A-Fa-f"}
UNICODE_CLASSES = {"L": "A-Za-z", "Lu": "A-Z", "Ll": "a-z", "N": "0-9", "Nd": "0-9"}
GO_CATEGORIES = {  # Go's Perl classes are ASCII-only
    sre_c.CATEGORY_DIGIT: "0123456789",
    sre_c.CATEGORY_WORD: "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_",
    sre_c.CATEGORY_SPACE: "\t\n\f\r ",
}
NOT_CATEGORIES = {sre_c.CATEGORY_NOT_DIGIT: sre_c.CATEGORY_DIGIT, sre_c.CATEGORY_NOT_WORD: sre_c.CATEGORY_WORD,
                  sre_c.CATEGORY_NOT_SPACE: sre_c.CATEGORY_SPACE}


def go_regex_to_python(pat):
    """Rewrite Go (RE2) syntax that Python's parser reads differently or not at all."""
    out, i, in_class, stack = [], 0, False, [0]  # stack: how many scoped-flag groups to close
    while i < len(pat):
        c = pat[i]
        if c == "\\":
            e = pat[i + 1] if i + 1 < len(pat) else ""
            if e == "z":
                out.append("\\Z")
            elif e == "Q":
                end = pat.find("\\E", i + 2)
                end = len(pat) if end < 0 else end
                out.append(re.escape(pat[i + 2:end]))
                i = end + 2
                continue
            elif e == "x" and pat[i + 2:i + 3] == "{":
                end = pat.index("}", i)
                out.append(f"\\U{int(pat[i + 3:end], 16):08x}")
                i = end + 1
                continue
            elif e in "pP":
                m = re.match(r"\\[pP](\{\^?(\w+)\}|(\w))", pat[i:])
                name = m.group(2) or m.group(3)
                if e == "P" or m.group(1).startswith("{^") or name not in UNICODE_CLASSES:
                    raise Unsupported(f"regex class {m.group()}")
                out.append(UNICODE_CLASSES[name] if in_class else f"[{UNICODE_CLASSES[name]}]")
                i += len(m.group())
                continue
            else:
                out.append(pat[i:i + 2])
            i += 2
            continue
        if in_class:
            if c == "[" and pat[i + 1:i + 2] == ":":
                end = pat.index(":]", i)
                name = pat[i + 2:end]
                if name.startswith("^") or name not in POSIX:
                    raise Unsupported(f"regex class [:{name}:]")
                out.append(POSIX[name])
                i = end + 2
                continue
            if c == "[":
                out.append("\\[")
                i += 1
                continue
            if c == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            if pat[i + 1:i + 2] == "^":
                out.append("[^")
                i += 2
            else:
                out.append("[")
                i += 1
            if pat[i:i + 1] == "]":  # a literal ] first in a class
                out.append("\\]")
                i += 1
            continue
        if c == "(":
            m = re.match(r"\(\?([imsU-]*)\)", pat[i:])
            if m:  # (?flags) applies to the rest of the group: make it a scoped group
                flags = m.group(1).replace("U", "")
                out.append(f"(?{flags}:" if flags.strip("-") else "(?:")
                stack[-1] += 1
                i += len(m.group())
                continue
            m = re.match(r"\(\?([imsU-]*):", pat[i:])
            if m:
                flags = m.group(1).replace("U", "")
                out.append(f"(?{flags}:" if flags.strip("-") else "(?:")
                i += len(m.group())
            elif pat.startswith("(?<", i) and not pat.startswith("(?<=", i) and not pat.startswith("(?<!", i):
                out.append("(?P<")
                i += 3
            else:
                out.append(c)
                i += 1
            stack.append(0)
            continue
        if c == ")":
            out.append(")" * stack.pop() + ")")
            i += 1
            continue
        if c == "|" and stack[-1]:  # an alternative ends the flag group: reopen nothing (rare)
            raise Unsupported("regex flags before |")
        if c == "{" and not re.match(r"\{\d+(,\d*)?\}", pat[i:]):
            out.append("\\{")
            i += 1
            continue
        out.append(c)
        i += 1
    out.append(")" * stack[0])
    return "".join(out)


class RegexGen:
    """Strings matching one Go regex: repeats capped as reggen's Generate(1) caps them."""

    LIMIT = 1

    def __init__(self, pattern):
        self.pattern = pattern
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                self.tree = sre_parse.parse(go_regex_to_python(pattern))
            except (re.error, ValueError, IndexError, OverflowError) as e:
                raise Unsupported(f"regex: {e.__class__.__name__}") from None
        self.flags = self.tree.state.flags

    def generate(self, rng):
        self.rng, self.groups = rng, {}
        out = []
        self.emit(self.tree, self.flags, out)
        return "".join(out)

    def class_chars(self, items, flags):
        chars, negate, unbounded = set(), False, False
        for op, av in items:
            if op is sre_c.NEGATE:
                negate = True
            elif op is sre_c.LITERAL:
                chars.add(chr(av))
            elif op is sre_c.RANGE:
                lo, hi = av
                if hi - lo > 0x10000:
                    unbounded = True
                    hi = min(hi, 0x10000)
                chars.update(chr(c) for c in range(lo, hi + 1))
            elif op is sre_c.CATEGORY:
                if av in GO_CATEGORIES:
                    chars.update(GO_CATEGORIES[av])
                elif av in NOT_CATEGORIES:
                    unbounded = True
                    chars.update(c for c in PRINTABLE if c not in GO_CATEGORIES[NOT_CATEGORIES[av]])
                else:
                    raise Unsupported("regex category")
        if flags & sre_c.SRE_FLAG_IGNORECASE:
            chars |= {c.swapcase() for c in chars if c.isascii() and c.isalpha()}
        if negate:  # Go: a class reaching U+10FFFF draws from the printable characters only
            return [c for c in PRINTABLE if c not in chars]
        if unbounded:
            return [c for c in PRINTABLE if c in chars]
        return sorted(chars)

    def count(self, lo, hi):
        hi = min(hi, self.LIMIT)
        return lo + (self.rng.randrange(hi - lo + 1) if hi > lo else 0)

    def emit(self, items, flags, out):
        for op, av in items:
            if op is sre_c.LITERAL:
                c = chr(av)
                # Go's parser stores a case-folded literal as the smallest rune of its fold orbit
                out.append(c.upper() if flags & sre_c.SRE_FLAG_IGNORECASE and c.isascii() and c.isalpha() else c)
            elif op is sre_c.NOT_LITERAL:
                choices = [c for c in PRINTABLE if c != chr(av)]
                out.append(self.rng.choice(choices))
            elif op is sre_c.ANY:
                out.append(self.rng.choice(PRINTABLE if flags & sre_c.SRE_FLAG_DOTALL else PRINTABLE_NO_NL))
            elif op is sre_c.IN:
                choices = self.class_chars(av, flags)
                if choices:
                    out.append(self.rng.choice(choices))
            elif op is sre_c.BRANCH:
                self.emit(self.rng.choice(av[1]), flags, out)
            elif op is sre_c.SUBPATTERN:
                group, add, rem, sub = av
                start = len(out)
                self.emit(sub, (flags | add) & ~rem, out)
                if group is not None:
                    self.groups[group] = "".join(out[start:])
            elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
                lo, hi, sub = av
                for _ in range(self.count(lo, hi)):
                    self.emit(sub, flags, out)
            elif op is getattr(sre_c, "ATOMIC_GROUP", None):
                self.emit(av, flags, out)
            elif op is sre_c.GROUPREF:
                out.append(self.groups.get(av, ""))
            elif op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
                pass
            else:
                raise Unsupported(f"regex op {op}")


REGEX_CACHE = {}


def new_secret(pattern, rng):
    gen = REGEX_CACHE.get(pattern)
    if gen is None:
        gen = REGEX_CACHE[pattern] = RegexGen(pattern)
    return gen.generate(rng)


def shannon(s):
    if not s:
        return 0.0
    n = len(s)
    return -sum(k / n * math.log2(k / n) for k in collections.Counter(s).values())


# ---------------------------------------------------------------------------------------------
# Values and the interpreter.

class Unknown:
    """A variable whose value could not be computed; reading it raises Unsupported(reason)."""

    def __init__(self, reason):
        self.reason = reason


class Skip:
    """One element of a tps list that could not be evaluated (weight: the examples it stood for)."""

    def __init__(self, reason, weight=1):
        self.reason, self.weight = reason, weight


class Sample(str):
    """An example string with a note on where it came from (the GenerateSampleSecrets context)."""
    note = ""


class Struct:
    """A composite literal of a struct type; fields are evaluated when read."""

    def __init__(self, typ, fields, interp, env):
        self.typ, self.lazy, self.values, self.interp, self.env = typ, fields, {}, interp, env

    def get(self, name):
        if name not in self.values:
            if name not in self.lazy:
                return 0  # an unset field: Go's zero value (the fields read here are numbers)
            node = self.lazy[name]
            try:
                self.values[name] = self.interp.eval(node, self.env)
            except Unsupported as e:
                self.values[name] = Unknown(str(e))
        v = self.values[name]
        if isinstance(v, Unknown):
            raise Unsupported(v.reason)
        return v


class Replacer:
    def __init__(self, pairs):
        self.pairs = pairs

    def replace(self, s):
        """strings.Replacer: one pass; at each position the first pair (argument order) that matches."""
        out, i = [], 0
        while i < len(s):
            for old, new in self.pairs:
                if old and s.startswith(old, i):
                    out.append(new)
                    i += len(old)
                    break
            else:
                out.append(s[i])
                i += 1
        return "".join(out)


class Encoding:
    def __init__(self, name):
        self.name = name

    def encode(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        url = "URL" in self.name
        out = (base64.urlsafe_b64encode if url else base64.b64encode)(data).decode()
        return out.rstrip("=") if self.name.startswith("Raw") else out


class GoRegexp:
    def __init__(self, pattern):
        self.pattern = pattern


class Env:
    def __init__(self, parent, pkg, file):
        self.vars, self.parent, self.pkg, self.file = {}, parent, pkg, file

    def lookup(self, name):
        env = self
        while env is not None:
            if name in env.vars:
                return env
            env = env.parent
        return None


class Signal(Exception):
    pass


class Return(Signal):
    def __init__(self, values):
        self.values = values


class Break(Signal):
    pass


class Continue(Signal):
    pass


class Package:
    def __init__(self, name, repo, directory, commit):
        self.name, self.funcs, self.vars, self.types, self.files = name, {}, {}, {}, []
        self.cache = {}
        paths = [p for p in git(repo, "ls-tree", "-r", "--name-only", commit, directory).split()
                 if p.endswith(".go") and not p.endswith("_test.go") and p.count("/") == directory.count("/")]
        self.parse_errors = []
        for path in paths:
            try:
                decls = Parser(tokenize(git(repo, "show", f"{commit}:{path}"))).file()
            except (Unsupported, IndexError, ValueError) as e:
                self.parse_errors.append(f"{path}: {e}")
                continue
            fidx = len(self.files)
            self.files.append((path, decls["imports"]))
            for name, fn in decls["funcs"].items():
                self.funcs[name] = (fn, fidx)
            for name, var in decls["vars"].items():
                self.vars[name] = (var, fidx)
            self.types.update(decls["types"])


class Interpreter:
    MAX_STEPS = 200000

    def __init__(self, repo, commit, seed):
        self.rules = Package("rules", repo, RULES_DIR, commit)
        self.utils = Package("utils", repo, UTILS_DIR, commit)
        self.seed = seed
        self.rng = random.Random(seed)
        self.recorded = collections.OrderedDict()  # rule id -> (function, tps value, fps value)
        self.current = None
        self.steps = 0

    # --- running rules
    def rule_functions(self):
        return [name for name, ((_, params, _, body), _) in self.rules.funcs.items()
                if name[:1].isupper() and not params and body is not None]

    def run_rule_function(self, name, source):
        self.rng = random.Random(f"{self.seed}|{source}|{name}")
        self.current, self.steps = name, 0
        fn, fidx = self.rules.funcs[name]
        try:
            self.call_func(self.rules, fn, fidx, [])
        except Unsupported as e:
            return str(e)
        return None

    # --- packages and names
    def resolve_import(self, env, alias):
        path = env.file and self.pkg_imports(env).get(alias)
        if path is None:
            return None
        if path.endswith("cmd/generate/config/utils"):
            return "utils"
        if path.endswith("cmd/generate/secrets"):
            return "secrets"
        if path.endswith("/config"):
            return "config"
        if path == "regexp" or path.endswith("/regexp"):
            return "regexp"
        return path  # fmt, strings, strconv, encoding/base64, ...

    def pkg_imports(self, env):
        return env.pkg.files[env.file[1]][1]

    def global_var(self, pkg, name):
        key = (pkg.name, name)
        if key not in pkg.cache:
            (typ, expr), fidx = pkg.vars[name]
            env = Env(None, pkg, (pkg.files[fidx][0], fidx))
            try:
                pkg.cache[key] = self.zero(typ) if expr is None else self.eval(expr, env, typ)
            except Unsupported as e:
                pkg.cache[key] = Unknown(str(e))
        v = pkg.cache[key]
        if isinstance(v, Unknown):
            raise Unsupported(v.reason)
        return v

    def zero(self, typ):
        if typ is None:
            return None
        if typ[0] == "slice":
            return []
        if typ[0] == "map":
            return {}
        if typ[0] == "named" and typ[1] == "string":
            return ""
        if typ[0] == "named" and typ[1] in ("int", "int64", "float64", "uint", "byte", "rune"):
            return 0
        if typ[0] == "named" and typ[1] == "bool":
            return False
        return None

    # --- calls
    def call_func(self, pkg, fn, fidx, args, spread=False):
        _, params, variadic, body = fn
        if body is None:
            raise Unsupported("function without body")
        env = Env(None, pkg, (pkg.files[fidx][0], fidx))
        if variadic and not spread:
            args = list(args[:len(params) - 1]) + [list(args[len(params) - 1:])]
        for k, p in enumerate(params):
            env.vars[p] = args[k] if k < len(args) else None
        try:
            self.exec_block(body, env)
        except Return as r:
            return r.values[0] if len(r.values) == 1 else tuple(r.values)
        return None

    def call(self, node, env):
        _, fnode, argnodes, spread = node
        # special forms: the element-wise tolerant ones, and the ones that need the raw nodes
        if fnode[0] == "ident" and fnode[1] == "append" and not env.lookup("append"):
            return self.builtin_append(argnodes, spread, env)
        if fnode[0] == "sel" and fnode[1][0] == "ident" and not env.lookup(fnode[1][1]):
            pkg = self.resolve_import(env, fnode[1][1])
            if pkg == "utils" and fnode[2] in ("Validate", "ValidateWithPaths"):
                return self.validate(argnodes, env)
        if fnode[0] == "ident" and fnode[1] in ("make", "new") and argnodes and argnodes[0][0] == "type":
            return self.zero(argnodes[0][1])
        if fnode[0] == "ident" and fnode[1] in OVERRIDES and not env.lookup(fnode[1]):
            return OVERRIDES[fnode[1]](self, [self.eval(a, env) for a in argnodes])
        args = [self.eval(a, env) for a in argnodes]
        if fnode[0] == "ident":
            name = fnode[1]
            if not env.lookup(name):
                if name in env.pkg.funcs:
                    fn, fidx = env.pkg.funcs[name]
                    return self.call_func(env.pkg, fn, fidx, args, spread)
                if name in UNIVERSE:
                    return UNIVERSE[name](*args)
            raise Unsupported(f"call of {name}")
        if fnode[0] == "sel":
            if fnode[1][0] == "ident" and not env.lookup(fnode[1][1]):
                pkg = self.resolve_import(env, fnode[1][1])
                if pkg is not None:
                    return self.call_pkg(pkg, fnode[2], args, spread)
            recv = self.eval(fnode[1], env)
            return self.call_method(recv, fnode[2], args)
        if fnode[0] == "type":
            return self.convert(fnode[1], args[0])
        raise Unsupported("call of an expression")

    def call_pkg(self, pkg, name, args, spread):
        if pkg == "utils":
            if name == "GenerateSampleSecrets":
                return self.generate_sample_secrets(*args)
            if name in self.utils.funcs:
                fn, fidx = self.utils.funcs[name]
                return self.call_func(self.utils, fn, fidx, args, spread)
            raise Unsupported(f"utils.{name}")
        if pkg == "secrets":
            if name == "NewSecret":
                return new_secret(args[0], self.rng)
            if name == "NewSecretWithEntropy":
                best = ""
                for _ in range(100):
                    s = new_secret(args[0], self.rng)
                    if shannon(s) >= args[1]:
                        return s
                    best = max(best, s, key=shannon)
                return best
            raise Unsupported(f"secrets.{name}")
        if pkg == "regexp" and name in ("MustCompile", "Compile"):
            return GoRegexp(args[0])
        fn = STDLIB.get((pkg.rsplit("/", 1)[-1], name))
        if fn is None:
            raise Unsupported(f"{pkg.rsplit('/', 1)[-1]}.{name}")
        return fn(*args)

    def call_method(self, recv, name, args):
        if isinstance(recv, Replacer) and name == "Replace":
            return recv.replace(args[0])
        if isinstance(recv, Encoding) and name == "EncodeToString":
            return recv.encode(args[0])
        if isinstance(recv, GoRegexp) and name == "String":
            return recv.pattern
        raise Unsupported(f"method .{name}")

    def convert(self, typ, v):
        if typ == ("slice", ("named", "byte")):
            return v.encode("utf-8", "surrogateescape") if isinstance(v, str) else bytes(v)
        if typ[0] == "named" and typ[1] == "string":
            if isinstance(v, bytes):
                return v.decode("utf-8", "surrogateescape")
            return chr(v) if isinstance(v, int) else v
        if typ[0] == "named" and typ[1] in ("int", "float64", "int64", "rune", "byte"):
            return int(v) if typ[1] != "float64" else float(v)
        raise Unsupported("conversion")

    def builtin_append(self, argnodes, spread, env):
        base = self.eval(argnodes[0], env)
        out = list(base or [])
        for k, a in enumerate(argnodes[1:], 1):
            try:
                v = self.eval(a, env)
            except Unsupported as e:
                out.append(Skip(str(e), weight_of(a)))
                continue
            if spread and k == len(argnodes) - 1:
                out.extend(v.encode() if isinstance(v, str) else v)
            else:
                out.append(v)
        return out

    def generate_sample_secrets(self, identifier, secret):
        """utils.GenerateSampleSecrets: its `samples` map and `replacer`, read from generate.go, on a
        seeded sample of SAMPLES_PER_CALL contexts."""
        fn, fidx = self.utils.funcs["GenerateSampleSecrets"]
        env = Env(None, self.utils, (self.utils.files[fidx][0], fidx))
        env.vars.update(zip(fn[1], (identifier, secret)))
        for stmt in fn[3]:
            if "samples" in env.vars and "replacer" in env.vars:
                break
            self.exec_stmt(stmt, env)
        samples, replacer = env.vars.get("samples"), env.vars.get("replacer")
        if not isinstance(samples, dict) or not isinstance(replacer, Replacer):
            raise Unsupported("GenerateSampleSecrets shape")
        keys = list(samples)
        picked = sorted(self.rng.sample(range(len(keys)), min(SAMPLES_PER_CALL, len(keys))))
        out = []
        for k in picked:
            s = Sample(replacer.replace(samples[keys[k]]))
            s.note = f"GenerateSampleSecrets[{keys[k]}]"
            out.append(s)
        return out

    def validate(self, argnodes, env):
        try:
            rule = self.eval(argnodes[0], env)
            rule_id = rule.get("RuleID") if isinstance(rule, Struct) else None
        except Unsupported:
            rule, rule_id = None, None
        rule_id = rule_id or f"?{self.current}"
        try:
            tps = self.eval(argnodes[1], env)
        except Unsupported as e:
            tps = [Skip(str(e), weight_of(argnodes[1]))]
        fps = None  # nil: the rule has no negatives
        if len(argnodes) > 2:
            # An fps written inline in the call draws its random strings from a stream of its own,
            # so adding the negatives changes none of the positives drawn after it.
            saved, self.rng = self.rng, random.Random(f"{self.seed}|fps|{rule_id}")
            try:
                fps = self.eval(argnodes[2], env)
            except Unsupported as e:
                fps = [Skip(str(e), weight_of(argnodes[2]))]
            finally:
                self.rng = saved
        if rule_id not in self.recorded:
            self.recorded[rule_id] = (self.current, tps, fps)
        return rule

    # --- statements
    def exec_block(self, stmts, env):
        for stmt in stmts:
            self.exec_stmt(stmt, env)

    def exec_stmt(self, stmt, env):
        self.steps += 1
        if self.steps > self.MAX_STEPS:
            raise Unsupported("too many steps")
        kind = stmt[0]
        try:
            if kind == "assign":
                self.assign(stmt, env)
            elif kind == "var":
                for name, typ, expr in stmt[1]:
                    try:
                        env.vars[name] = self.zero(typ) if expr is None else self.eval(expr, env, typ)
                    except Unsupported as e:
                        env.vars[name] = Unknown(str(e))
            elif kind == "return":
                raise Return([self.eval(e, env) for e in stmt[1]])
            elif kind == "expr":
                self.eval(stmt[1], env)
            elif kind == "block":
                self.exec_block(stmt[1], Env(env, env.pkg, env.file))
            elif kind == "break":
                raise Break()
            elif kind == "continue":
                raise Continue()
            elif kind == "if":
                self.exec_if(stmt, env)
            elif kind == "for_range":
                self.exec_range(stmt, env)
            elif kind == "for":
                self.exec_for(stmt, env)
            elif kind == "nop":
                pass
            else:
                raise Unsupported(f"statement {stmt[1] if kind == 'unsupported' else kind}")
        except Unsupported as e:
            if kind == "return":
                raise
            # whatever this statement would have assigned is now unknown (or, for a list, has one
            # element we could not compute)
            for name in assigned_names(stmt):
                holder = env.lookup(name)
                if holder is None:
                    env.vars[name] = Unknown(str(e))
                elif isinstance(holder.vars[name], list):
                    holder.vars[name] = holder.vars[name] + [Skip(str(e))]
                else:
                    holder.vars[name] = Unknown(str(e))

    def assign(self, stmt, env):
        _, lhs, op, rhs = stmt
        if len(rhs) == 1 and len(lhs) > 1:
            vals = self.eval(rhs[0], env)
            if not isinstance(vals, tuple) or len(vals) != len(lhs):
                raise Unsupported("multi-value assignment")
        else:
            vals = [self.eval(e, env) for e in rhs]
        for target, val in zip(lhs, vals):
            if op not in (":=", "="):
                val = binop(op[:-1], self.eval(target, env), val)
            if target[0] == "ident":
                if target[1] == "_":
                    continue
                holder = env.lookup(target[1]) if op != ":=" else None
                (holder or env).vars[target[1]] = val
            elif target[0] == "sel":
                obj = self.eval(target[1], env)
                if not isinstance(obj, Struct):
                    raise Unsupported("field assignment")
                obj.values[target[2]] = val
            elif target[0] == "index":
                obj = self.eval(target[1], env)
                obj[self.eval(target[2], env)] = val
            else:
                raise Unsupported("assignment target")

    def exec_if(self, stmt, env):
        _, init, cond, then, other = stmt
        scope = Env(env, env.pkg, env.file)
        if init:
            self.exec_stmt(init, scope)
        if truthy(self.eval(cond, scope)):
            self.exec_block(then, Env(scope, env.pkg, env.file))
        elif other:
            self.exec_block(other, Env(scope, env.pkg, env.file))

    def exec_range(self, stmt, env):
        _, targets, xnode, body = stmt
        x = self.eval(xnode, env)
        if isinstance(x, dict):
            pairs = list(x.items())  # Go's order is random; source order here
        elif isinstance(x, (list, str, bytes)):
            pairs = list(enumerate(x))
        elif isinstance(x, int):
            pairs = [(k, k) for k in range(x)]
        else:
            raise Unsupported("range over this value")
        for k, v in pairs:
            scope = Env(env, env.pkg, env.file)
            for t, val in zip(targets, (k, v)):
                if t[0] == "ident" and t[1] != "_":
                    scope.vars[t[1]] = val
            try:
                self.exec_block(body, scope)
            except Break:
                break
            except Continue:
                continue

    def exec_for(self, stmt, env):
        _, init, cond, post, body = stmt
        scope = Env(env, env.pkg, env.file)
        if init:
            self.exec_stmt(init, scope)
        while cond is None or truthy(self.eval(cond, scope)):
            try:
                self.exec_block(body, Env(scope, env.pkg, env.file))
            except Break:
                break
            except Continue:
                pass
            if post:
                self.exec_stmt(post, scope)
            self.steps += 1
            if self.steps > self.MAX_STEPS:
                raise Unsupported("too many steps")

    # --- expressions
    def eval(self, node, env, typ=None):
        try:
            return self.eval_node(node, env, typ)
        except (TypeError, AttributeError, ValueError, KeyError, IndexError, ZeroDivisionError) as e:
            raise Unsupported(f"{e.__class__.__name__} in {node[0]}") from None

    def eval_node(self, node, env, typ):
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "ident":
            name = node[1]
            holder = env.lookup(name)
            if holder is not None:
                v = holder.vars[name]
                if isinstance(v, Unknown):
                    raise Unsupported(v.reason)
                return v
            if name in env.pkg.vars:
                return self.global_var(env.pkg, name)
            if name in CONSTANTS:
                return CONSTANTS[name]
            raise Unsupported(f"name {name}")
        if kind == "binop":
            op = node[1]
            if op in ("&&", "||"):
                a = truthy(self.eval(node[2], env))
                if (op == "&&") != a:
                    return a
                return truthy(self.eval(node[3], env))
            return binop(op, self.eval(node[2], env), self.eval(node[3], env))
        if kind == "unop":
            v = self.eval(node[2], env)
            if node[1] in ("&", "*", "+"):
                return v
            if node[1] == "-":
                return -v
            if node[1] == "!":
                return not truthy(v)
            raise Unsupported(f"operator {node[1]}")
        if kind == "call":
            return self.call(node, env)
        if kind == "sel":
            if node[1][0] == "ident" and not env.lookup(node[1][1]):
                pkg = self.resolve_import(env, node[1][1])
                if pkg is not None:
                    if pkg.endswith("base64") and node[2].endswith("Encoding"):
                        return Encoding(node[2])
                    if pkg == "utils" and node[2] in self.utils.vars:
                        return self.global_var(self.utils, node[2])
                    raise Unsupported(f"{pkg.rsplit('/', 1)[-1]}.{node[2]}")
            obj = self.eval(node[1], env)
            if isinstance(obj, Struct):
                return obj.get(node[2])
            raise Unsupported(f"field .{node[2]}")
        if kind == "comp":
            return self.composite(node[1], node[2], env)
        if kind == "index":
            x, k = self.eval(node[1], env), self.eval(node[2], env)
            try:
                v = x[k]
            except (KeyError, IndexError, TypeError):
                raise Unsupported("index") from None
            if isinstance(x, bytes):
                return v
            if isinstance(v, Skip):
                raise Unsupported(v.reason)
            return v
        if kind == "slice":
            x = self.eval(node[1], env)
            lo = 0 if node[2] is None else self.eval(node[2], env)
            hi = len(x) if node[3] is None else self.eval(node[3], env)
            if isinstance(x, str):  # Go slices strings by byte
                return x.encode("utf-8", "surrogateescape")[lo:hi].decode("utf-8", "surrogateescape")
            return x[lo:hi]
        if kind == "conv":
            return self.convert(node[1], self.eval(node[2], env))
        if kind == "type":
            raise Unsupported("type as a value")
        if kind == "elided":
            return self.composite(typ or ("named", "?"), node[1], env)
        raise Unsupported(kind)

    def composite(self, typ, elems, env):
        if typ[0] == "named" and typ[1] in env.pkg.types:
            typ = env.pkg.types[typ[1]]
        if typ[0] == "slice":
            out = []
            for key, val in elems:
                try:
                    out.append(self.eval(val, env, typ[1]))
                except Unsupported as e:
                    out.append(Skip(str(e), weight_of(val)))
            return out
        if typ[0] == "map":
            out = {}
            for key, val in elems:
                try:
                    k = self.eval(key, env, typ[1])
                except Unsupported:
                    continue
                try:
                    out[k] = self.eval(val, env, typ[2])
                except Unsupported as e:
                    out[k] = Skip(str(e), weight_of(val))
            return out
        # a struct (config.Rule, a local type, an anonymous struct): fields read lazily
        fields = {}
        names = typ[1] if typ[0] == "struct" else None
        for n, (key, val) in enumerate(elems):
            if key is not None and key[0] == "ident":
                fields[key[1]] = val
            elif names and n < len(names):
                fields[names[n]] = val
            else:
                fields[str(n)] = val
        return Struct(typ, fields, self, env)


def weight_of(node):
    """How many examples a tps element stood for: a GenerateSampleSecrets call gives several."""
    if node[0] == "call" and node[1][0] == "sel" and node[1][2] == "GenerateSampleSecrets":
        return SAMPLES_PER_CALL
    return 1


def assigned_names(stmt):
    names = set()

    def walk(s):
        if not isinstance(s, tuple) or not s:
            return
        if s[0] in ("assign", "range") and s[1]:
            names.update(t[1] for t in s[1] if isinstance(t, tuple) and t[0] == "ident" and t[1] != "_")
        if s[0] == "var":
            names.update(n for n, _, _ in s[1])
        if s[0] == "unsupported":
            toks = s[2]
            for k in range(len(toks) - 1):
                if toks[k][0] == "ident" and toks[k + 1] in (("op", "="), ("op", ":=")):
                    names.add(toks[k][1])
            return
        for part in s[1:]:
            if isinstance(part, list):
                for x in part:
                    walk(x)
            elif isinstance(part, tuple):
                walk(part)

    walk(stmt)
    return names


def truthy(v):
    if isinstance(v, bool):
        return v
    raise Unsupported("condition on a non-bool")


def binop(op, a, b):
    if isinstance(a, Skip) or isinstance(b, Skip):
        raise Unsupported((a if isinstance(a, Skip) else b).reason)
    try:
        if op == "+":
            if isinstance(a, str) != isinstance(b, str):
                raise Unsupported("string + non-string")
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a // b if isinstance(a, int) and isinstance(b, int) else a / b
        if op == "%":
            return a % b
        if op in ("==", "!="):
            return (a == b) == (op == "==")
        if op in ("<", "<=", ">", ">="):
            return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    except TypeError:
        raise Unsupported(f"operator {op} on these values") from None
    raise Unsupported(f"operator {op}")


def go_sprintf(fmt, *args):
    args, out = list(args), []

    def verb(m):
        spec = m.group()
        if spec == "%%":
            return "%"
        if not args:
            return "%!" + spec[-1] + "(MISSING)"
        v = args.pop(0)
        if isinstance(v, Skip):
            raise Unsupported(v.reason)
        c = spec[-1]
        if c == "q":
            return json.dumps(v, ensure_ascii=False)
        if c in "xX" and isinstance(v, (str, bytes)):
            v = (v.encode() if isinstance(v, str) else v).hex()
            return v.upper() if c == "X" else v
        if c in "sv" and isinstance(v, bool):
            v = "true" if v else "false"
        if c in "sv" and isinstance(v, list):
            return "[" + " ".join(map(str, v)) + "]"
        pyspec = spec[:-1] + {"v": "s", "s": "s", "d": "d", "f": "f", "x": "x", "X": "X", "c": "c", "g": "g"}.get(c, "s")
        try:
            return pyspec % (v,)
        except TypeError:
            raise Unsupported(f"Sprintf {spec}") from None

    return re.sub(r"%[-+# 0]*\d*(?:\.\d+)?[a-zA-Z%]", verb, fmt)


def format_int(n, base):
    digits, out, neg = "0123456789abcdefghijklmnopqrstuvwxyz", "", n < 0
    n = abs(n)
    while True:
        n, d = divmod(n, base)
        out = digits[d] + out
        if not n:
            return "-" * neg + out


def go_join(items, sep):
    for x in items:
        if isinstance(x, Skip):
            raise Unsupported(x.reason)
    return sep.join(items)


STDLIB = {
    ("fmt", "Sprintf"): go_sprintf,
    ("fmt", "Sprint"): lambda *a: "".join(str(x) for x in a),
    ("strings", "Repeat"): lambda s, n: s * n,
    ("strings", "ToUpper"): lambda s: s.upper(),
    ("strings", "ToLower"): lambda s: s.lower(),
    ("strings", "Join"): go_join,
    ("strings", "ReplaceAll"): lambda s, a, b: s.replace(a, b),
    ("strings", "Replace"): lambda s, a, b, n: s.replace(a, b, n if n >= 0 else -1),
    ("strings", "TrimSpace"): lambda s: s.strip(" \t\n\r\v\f"),
    ("strings", "TrimPrefix"): lambda s, p: s[len(p):] if p and s.startswith(p) else s,
    ("strings", "TrimSuffix"): lambda s, p: s[:-len(p)] if p and s.endswith(p) else s,
    ("strings", "NewReplacer"): lambda *a: Replacer(list(zip(a[0::2], a[1::2]))),
    ("strconv", "Itoa"): lambda n: str(n),
    ("strconv", "FormatInt"): lambda n, base: format_int(n, base),
    ("strconv", "Quote"): lambda s: json.dumps(s, ensure_ascii=False),
    ("hex", "EncodeToString"): lambda b: bytes(b).hex(),
}
UNIVERSE = {
    "len": lambda x: len(x.encode("utf-8", "surrogateescape")) if isinstance(x, str) else len(x),
    "string": lambda x: chr(x) if isinstance(x, int) else x.decode("utf-8", "surrogateescape") if isinstance(x, bytes) else x,
    "min": min,
    "max": max,
    **{t: int for t in ("int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "byte", "rune")},
    "float64": float,
}
CONSTANTS = {"true": True, "false": False, "nil": None}


def plausible_secret(interp, args):
    """newPlausibleSecret(regex): NewSecret until the string has a digit 1-9 and no stop word of the
    package's DefaultStopWords (what the Go function's retry loop asks; bounded here)."""
    try:
        stop = [w.lower() for w in interp.global_var(interp.rules, "DefaultStopWords") if isinstance(w, str)]
    except (Unsupported, KeyError):
        stop = []
    s = ""
    for _ in range(5000):
        s = new_secret(args[0], interp.rng)
        low = s.lower()
        if re.search("[1-9]", s) and not any(w in low for w in stop):
            return s
    return s


OVERRIDES = {"newPlausibleSecret": plausible_secret}


# ---------------------------------------------------------------------------------------------
# Examples, scans, figures.

RuleExamples = collections.namedtuple("RuleExamples", [
    "rule_id", "func",
    "examples", "skips", "dropped",                     # tps: what is written, skipped, capped
    "negatives", "negative_skips", "negatives_dropped",  # fps: the same
    "positive_texts",                                   # every evaluated tps text, before the cap
])


def evaluated_examples(value, what):
    """The (text, note, path or None) examples of one evaluated tps or fps value, and its Skips."""
    examples, skips = [], []
    if isinstance(value, dict):  # ValidateWithPaths: path -> content
        items = [(v, f"path {k}", k) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(v, getattr(v, "note", ""), None) for v in value]
    else:
        items = [(Skip(f"{what} is not a list"), "", None)]
    for v, note, path in items:
        if isinstance(v, Skip):
            skips.append(v)
        elif isinstance(v, str):
            examples.append((str(v), note, path))
        elif isinstance(v, bytes):
            examples.append((v.decode("utf-8", "surrogateescape"), note, path))
        else:
            skips.append(Skip(f"element of type {type(v).__name__}"))
    return examples, skips


def seeded_cap(examples, max_per_rule, rng_key):
    """At most max_per_rule of the examples, a seeded sample kept in source order; and how many
    were dropped."""
    if not max_per_rule or len(examples) <= max_per_rule:
        return examples, 0
    keep = sorted(random.Random(rng_key).sample(range(len(examples)), max_per_rule))
    return [examples[k] for k in keep], len(examples) - max_per_rule


def rule_examples(repo, source, seed, max_per_rule=0):
    """A RuleExamples per rule; the rule functions that failed, by reason; files that did not
    parse."""
    commit = git(repo, "rev-parse", "HEAD").strip()
    interp = Interpreter(repo, commit, seed)
    failed = collections.Counter()
    for name in interp.rule_functions():
        err = interp.run_rule_function(name, source)
        if err:
            failed[err] += 1
    rules = []
    for rule_id, (func, tps, fps) in interp.recorded.items():
        examples, skips = evaluated_examples(tps, "tps")
        positive_texts = [text for text, _, _ in examples]
        examples, dropped = seeded_cap(examples, max_per_rule, f"{seed}|cap|{rule_id}")
        negatives, negative_skips = ([], []) if fps is None else evaluated_examples(fps, "fps")
        negatives, negatives_dropped = seeded_cap(negatives, max_per_rule, f"{seed}|cap-fps|{rule_id}")
        rules.append(RuleExamples(rule_id, func, examples, skips, dropped,
                                  negatives, negative_skips, negatives_dropped, positive_texts))
    problems = interp.rules.parse_errors + interp.utils.parse_errors
    return commit, rules, failed, problems


def safe_name(s):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", s)


def write_examples(example_dir, rule_id, func, examples, manifest):
    """One file per example: <rule id>.<n>.txt, or for a ValidateWithPaths example (whose rule
    looks at the file name) <rule id>.<n>/<its path>. Returns {file key: (rule id, text)}."""
    written = {}
    for n, (text, note, path) in enumerate(examples):
        key = safe_name(f"{rule_id}.{n}") + ("" if path else ".txt")
        if path:
            target = os.path.join(example_dir, key, *[safe_name(p) for p in path.split("/") if p not in ("", ".", "..")])
            os.makedirs(os.path.dirname(target), exist_ok=True)
        else:
            target = os.path.join(example_dir, key)
        with open(target, "w", encoding="utf-8", errors="surrogateescape") as fh:
            fh.write(text if text.endswith("\n") or not text else text + "\n")
        written[key] = (rule_id, text)
        manifest.write(f"{os.path.relpath(target, example_dir)}\t{rule_id}\t{func}\t{note}\n")
    return written


def example_key(path, example_dir):
    """The example a tool's reported file belongs to: the first component under example_dir."""
    if os.path.isabs(path):
        path = os.path.relpath(path, example_dir)
    elif path.startswith(example_dir.rstrip("/") + "/"):
        path = path[len(example_dir.rstrip("/")) + 1:]
    return path.split(os.sep, 1)[0]


def rules_by_key(kind, out_path, example_dir):
    """{example file key: the rule ids the tool reported in it} from a tool's raw output."""
    if kind == "hygiene":
        with open(out_path) as fh:
            findings = [(f["file"], f.get("rule_id")) for f in json.load(fh)["findings"]]
    else:
        with open(out_path) as fh:
            findings = [(d["file"], d.get("rule")) for d in (json.loads(line) for line in fh if line.strip())]
    names, by_key = set(os.listdir(example_dir)), collections.defaultdict(set)
    for file, rule in findings:
        key = example_key(file, example_dir)
        if key in names:
            by_key[key].add(rule or "?")
    return dict(by_key)


def scan(a, example_dir, out_dir):
    """{tool: rules_by_key} for hygiene and each peer over example_dir; raw output in out_dir."""
    results = {}
    env = dict(os.environ, HYGIENE_FINGERPRINT_KEY="x")
    out = os.path.join(out_dir, "hygiene.json")
    with open(out, "w") as fh:
        subprocess.run([a.hygiene, "scan", example_dir, "--no-report", "--scope", "**", "--format", "json"],
                       stdout=fh, stderr=subprocess.DEVNULL, env=env)
    try:
        results["hygiene"] = rules_by_key("hygiene", out, example_dir)
    except (ValueError, KeyError) as e:
        print(f"hygiene: unreadable output {out} ({e})", file=sys.stderr)
    run_peers(a.peers, example_dir, out_dir, rules_by_key, results)
    return results


# A negative counts as part of a positive example only when it is at least this long (shorter
# pieces, `api_key = "` or a bare `password`, are in many positives without holding any secret),
# and only where it neither starts nor stops in the middle of one of the positive's tokens: many
# fps are a positive cut short (`vcp_<46>` of a `vcp_<56>` example), the very case the rule must
# not match. The other direction, a negative holding a whole positive, is not counted: those are
# a token run on (`apify_api_<36>_extra`) or one line of a multi-line positive next to a broken
# secret (Salesforce's instance URL above `..._ACCESS_TOKEN=00DE0X0A0M0PeLE!short`).
MIN_VERBATIM = 16
TOKEN_CHAR = re.compile(r"[A-Za-z0-9_+/=.-]")


def part_of_positive(text, positive_texts):
    """Whether a negative is one of the project's positive examples or a part of one, verbatim
    (surrounding blanks aside, whole tokens only): then its text is a secret by that project's
    own tests."""
    text = text.strip()
    if len(text) < MIN_VERBATIM:
        return False
    for positive in positive_texts:
        at = positive.find(text)
        while at >= 0:
            before, after = positive[at - 1:at], positive[at + len(text):at + len(text) + 1]
            if not TOKEN_CHAR.match(before) and not TOKEN_CHAR.match(after):
                return True
            at = positive.find(text, at + 1)
    return False


def precision_f1(found, flagged, recall):
    precision = found / (found + flagged) if found + flagged else 0.0
    return precision, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


def print_skips(what, total, skipped, failed, capped, max_per_rule):
    n_skipped = sum(skipped.values())
    print(f"  skipped: {n_skipped} {what} not evaluated ({100 * total / max(total + n_skipped, 1):.1f}% evaluated)"
          + (f"; {sum(failed.values())} rule functions failed before Validate" if failed else ""))
    if capped:
        print(f"  capped at --max-per-rule {max_per_rule}: "
              + ", ".join(f"{rule_id} (-{n})" for rule_id, n in capped))
    for reason, n in (skipped + failed).most_common(8):
        print(f"    {n:4}  {reason}")


def run_source(source, a, misses, false_alarms):
    repo = SOURCES[source]
    commit, rules, failed, problems = rule_examples(repo, source, a.seed, a.max_per_rule)
    base = os.path.join(a.out, source)
    shutil.rmtree(base, ignore_errors=True)
    example_dir = os.path.join(base, "examples")
    negative_dir = os.path.join(base, "negatives")
    negative_out = os.path.join(base, "negatives-scan")
    for d in (example_dir, negative_dir, negative_out):
        os.makedirs(d)
    texts, negative_texts = {}, {}
    skipped, negatives_skipped = collections.Counter(), collections.Counter()
    with open(os.path.join(base, "manifest.tsv"), "w") as man, \
            open(os.path.join(base, "negatives-manifest.tsv"), "w") as negative_man:
        man.write("file\trule\tfunction\tnote\n")
        negative_man.write("file\trule\tfunction\tnote\n")
        for r in sorted(rules, key=lambda r: r.rule_id):
            for s in r.skips:
                skipped[s.reason] += s.weight
            for s in r.negative_skips:
                negatives_skipped[s.reason] += s.weight
            texts.update(write_examples(example_dir, r.rule_id, r.func, r.examples, man))
            negative_texts.update(write_examples(negative_dir, r.rule_id, r.func, r.negatives, negative_man))
    placeholder = {key for key, (_, text) in texts.items() if PLACEHOLDER.search(text)}
    keys = set(texts)
    real = keys - placeholder

    results = {tool: set(by_key) for tool, by_key in scan(a, example_dir, base).items()}
    flagged = scan(a, negative_dir, negative_out)

    total = len(keys)
    print(f"\n{source} rule tps at {commit}: {len(rules)} rules, {total} examples, "
          f"{len(real)} that do not look like placeholders")
    print_skips("examples", total, skipped, failed, [(r.rule_id, r.dropped) for r in rules if r.dropped],
                a.max_per_rule)
    for p in problems:
        print(f"    parse: {p}")
    print(f"{'tool':12} {'found (all)':>16} {'found (not placeholders)':>26}")
    for tool, found in results.items():
        print(f"{tool:12} {len(found):6} {100 * len(found) / max(total, 1):6.1f}%"
              f" {len(found & real):14} {100 * len(found & real) / max(len(real), 1):6.1f}%")
    if "hygiene" in results:
        for key in keys - results["hygiene"]:
            rule_id, text = texts[key]
            misses.append((source, rule_id, key, text, key in placeholder))

    # The negatives. One rule's fps are often another rule's true positive, so a negative that
    # holds a secret by the source project's own standard is set apart: it is one of the project's
    # positive examples or part of one, or the project's own tool reports it (its Validate showed
    # that the negative's own rule stays silent there, so another of its rules fired).
    n_negatives = len(negative_texts)
    positive_texts = [t.strip() for r in rules for t in r.positive_texts]
    part_of_positives = {key for key, (_, text) in negative_texts.items() if part_of_positive(text, positive_texts)}
    source_flags = set(flagged.get(source, {}))
    secret = part_of_positives | source_flags
    print(f"\n{source} rule fps: {sum(1 for r in rules if r.negatives)} rules, {n_negatives} negatives")
    print_skips("negatives", n_negatives, negatives_skipped, collections.Counter(),
                [(r.rule_id, r.negatives_dropped) for r in rules if r.negatives_dropped], a.max_per_rule)
    print(f"  {len(secret)} hold a secret by {source}' own standard: {len(part_of_positives)} are one of its"
          f" positive examples or part of one, {len(source_flags)} are reported by {source}"
          + ("" if source in flagged else " (not run: add it to --peers)"))
    own_rule = [key for key in source_flags if negative_texts[key][0] in flagged[source][key]]
    if own_rule:
        print(f"    ({len(own_rule)} of those by the negative's own rule: the installed {source} is not"
              f" the commit read)")
    print(f"{'tool':12} {'counting':>10} {'flagged':>14} {'precision   F1 (all)':>23}"
          f" {'precision   F1 (not placeholders)':>36}")
    for tool, by_key in flagged.items():
        if tool not in results:
            continue
        found = results[tool]
        recall_all, recall_real = len(found) / max(total, 1), len(found & real) / max(len(real), 1)
        for counted, n_flagged in (("any", len(by_key)), ("no secret", len(set(by_key) - secret))):
            p_all, f1_all = precision_f1(len(found), n_flagged, recall_all)
            p_real, f1_real = precision_f1(len(found & real), n_flagged, recall_real)
            print(f"{tool:12} {counted:>10} {n_flagged:6} {100 * n_flagged / max(n_negatives, 1):6.1f}%"
                  f" {p_all:14.3f} {f1_all:8.3f} {p_real:18.3f} {f1_real:8.3f}")
    for key, hygiene_rules in flagged.get("hygiene", {}).items():
        rule_id, text = negative_texts[key]
        why = "+".join(w for w, keys in (("positive", part_of_positives), (f"{source}-flags", source_flags))
                       if key in keys)
        false_alarms.append((source, rule_id, key, text, sorted(hygiene_rules), why))


def tsv_snippet(text):
    return text[:200].replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", default="betterleaks,gitleaks")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "peer-tps"))
    ap.add_argument("--hygiene", default=os.path.join(ROOT, "target", "release", "hygiene"))
    ap.add_argument("--peers", default="gitleaks,betterleaks,kingfisher")
    ap.add_argument("--misses")
    ap.add_argument("--false-alarms")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-per-rule", type=int, default=40)
    a = ap.parse_args()
    misses, false_alarms = [], []
    for source in [s for s in a.source.split(",") if s]:
        if source not in SOURCES:
            sys.exit(f"unknown source {source!r} (one of {', '.join(SOURCES)})")
        run_source(source, a, misses, false_alarms)
    if a.misses:
        with open(a.misses, "w") as fh:
            fh.write("source\trule\tfile\texample\tplaceholder\n")
            for source, rule_id, key, text, ph in sorted(misses, key=lambda m: (m[1], m[0], m[2])):
                fh.write(f"{source}\t{rule_id}\t{key}\t{tsv_snippet(text)}\t{'yes' if ph else 'no'}\n")
    if a.false_alarms:
        with open(a.false_alarms, "w") as fh:
            fh.write("source\trule\tfile\tnegative\thygiene rules\tsecret by source's standard\n")
            for source, rule_id, key, text, hygiene_rules, why in sorted(false_alarms, key=lambda f: (f[1], f[0], f[2])):
                fh.write(f"{source}\t{rule_id}\t{key}\t{tsv_snippet(text)}\t{','.join(hygiene_rules)}\t{why}\n")

if __name__ == "__main__":
    main()
