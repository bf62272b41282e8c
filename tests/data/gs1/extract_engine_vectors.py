#!/usr/bin/env python3
"""Extract the GS1 Barcode Syntax Engine's unit-test tables into engine-vectors.json.

Source: https://github.com/gs1/gs1-syntax-engine (Apache-2.0), files src/c-lib/ai.c and
src/c-lib/dl.c, the calls of their test macros inside ``#ifdef UNIT_TESTS``. Each vector is
data the engine's authors wrote with the answer the engine gives; labelsvc's tests replay them.

Also the linter tests: the table of ``test_ai_linters`` in ai.c (AI data and the linter
result) and, with ``--dictionary GIT-DIR TAG``, every literal ``UNIT_TEST_PASS``/``FAIL`` of
the reference linters in github.com/gs1/gs1-syntax-dictionary ``src/lint_*.c``
(``linter-vectors.json``).

Usage: extract_engine_vectors.py ENGINE-GIT-DIR [REF] [--dictionary DICT-GIT-DIR TAG]
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

MACROS = {
    "ai.c": ("test_parseAIdata", "test_processAIdata", "test_validateAIs"),
    "dl.c": ("test_parseDLuri",),
}
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
#: Settings the tests change between vectors; each vector records those in effect.
_SETTINGS = {
    r"permitConvenienceAlphas = (true|false)": "convenience_alphas",
    r"setPermitZeroSuppressedGTINinDLuris\(ctx, (true|false)\)": "zero_suppressed_gtin",
    r"setPermitUnknownAIs\(ctx, (true|false)\)": "unknown_ais",
    r"vUNKNOWN_AI_NOT_DL_ATTR, (true|false)\)": "unknown_ai_not_dl_attr",
}
_DEFAULTS = {"convenience_alphas": False, "zero_suppressed_gtin": False, "unknown_ais": False,
             "unknown_ai_not_dl_attr": True}  # fmt: skip


def _arguments(text: str, start: int) -> tuple[list[str], int]:
    """Split a macro call's arguments at top-level commas (strings may hold commas)."""
    depth, pos, current, args = 1, start, "", []
    while depth:
        char = text[pos]
        if char == '"':
            match = _STRING.match(text, pos)
            assert match
            current += match[0]
            pos = match.end()
            continue
        if char == "/" and text[pos + 1] == "/":
            pos = text.index("\n", pos)
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 1:
            args.append(current.strip())
            current = ""
        elif depth:
            current += char
        pos += 1
    args.append(current.strip())
    return args, pos


def _c_string(arg: str) -> str | None:
    """Adjacent C literals joined and unescaped; None when the argument is not a literal."""
    parts = _STRING.findall(arg)
    if not parts or _STRING.sub("", arg).strip():
        return None
    return "".join(ast.literal_eval('"' + p + '"') for p in parts)


def extract(source: str, macro: str) -> list[dict[str, object]]:
    body = source.split("#ifdef UNIT_TESTS", 1)[1]
    out: list[dict[str, object]] = []
    changes = sorted(
        (m.start(), name, m[1] == "true")
        for pattern, name in _SETTINGS.items()
        for m in re.finditer(pattern, body)
    )
    for match in re.finditer(rf"\b{macro}\(", body):
        if body[match.start() - 8 : match.start()].strip().startswith("define"):
            continue
        args, _ = _arguments(body, match.end())
        if args[0] not in ("true", "false"):
            continue  # the macro's own definition
        strings = [_c_string(a) for a in args[1:]]
        preamble = source.split("#ifdef UNIT_TESTS")[0].count("\n")
        line = body[: match.start()].count("\n") + preamble + 1
        case: dict[str, object] = {"line": line, "ok": args[0] == "true"}
        test_start = body.rfind("\nvoid test_", 0, match.start())
        settings = dict(_DEFAULTS)
        for pos, name, value in changes:
            if test_start < pos < match.start():
                settings[name] = value
        case["settings"] = {k: v for k, v in settings.items() if v != _DEFAULTS[k]}
        if macro == "test_validateAIs":
            case["check"], case["data"] = args[1], strings[1]
        else:
            case["data"] = strings[0]
            if len(strings) > 1:
                case["expect"] = strings[1]
        if any(isinstance(v, type(None)) for k, v in case.items() if k in ("data",)):
            continue  # built in C at run time, not a literal
        out.append(case)
    return out


_LINTER_ROW = re.compile(r'\{\s*"((?:[^"\\]|\\.)*)",\s*(GS1_LINTER_\w+)\s*\}')
_UNIT_TEST = re.compile(r'UNIT_TEST_(PASS|FAIL)\(gs1_lint_(\w+),\s*((?:"(?:[^"\\]|\\.)*"\s*)+)')


def ai_linter_table(source: str) -> list[dict[str, object]]:
    """``{ "(00)...", GS1_LINTER_OK }`` rows of test_ai_linters."""
    body = source.split("void test_ai_linters(void)", 1)[1].split("\n}\n", 1)[0]
    return [
        {"data": ast.literal_eval('"' + m[1] + '"'), "ok": m[2] == "GS1_LINTER_OK", "error": m[2]}
        for m in _LINTER_ROW.finditer(body)
    ]


def dictionary_linter_tests(repo: Path, tag: str) -> dict[str, object]:
    """Literal unit tests of each reference linter of the dictionary."""

    def git(*args: str) -> str:
        return subprocess.run(["git", "--git-dir", str(repo), *args], check=True,
                              capture_output=True, text=True).stdout  # fmt: skip

    cases = []
    for name in git("ls-tree", "--name-only", f"{tag}:src").split():
        if name.startswith("lint_") and name.endswith(".c"):
            for m in _UNIT_TEST.finditer(git("show", f"{tag}:src/{name}")):
                data = _c_string(m[3])  # adjacent literals joined, as C does
                assert data is not None
                cases.append({"linter": m[2], "data": data, "ok": m[1] == "PASS"})
    return {
        "source": "https://github.com/gs1/gs1-syntax-dictionary",
        "release": tag,
        "commit": git("rev-parse", f"{tag}^{{commit}}").strip(),
        "license": "Apache-2.0",
        "note": "Extracted by tests/data/gs1/extract_engine_vectors.py: every UNIT_TEST_PASS "
        "and UNIT_TEST_FAIL with literal data in src/lint_*.c.",
        "cases": cases,
    }


def main(argv: list[str]) -> int:
    if "--dictionary" in argv:
        at = argv.index("--dictionary")
        dict_repo, tag = Path(argv[at + 1]), argv[at + 2]
        argv = argv[:at] + argv[at + 3 :]
        vectors = dictionary_linter_tests(dict_repo, tag)
        Path(__file__).with_name("linter-vectors.json").write_text(
            json.dumps(vectors, indent=1) + "\n"
        )
        print({"linter unit tests": len(vectors["cases"])})  # type: ignore[arg-type]
    repo, ref = Path(argv[0]), argv[1] if len(argv) > 1 else "HEAD"
    commit = subprocess.run(["git", "--git-dir", str(repo), "rev-parse", ref], check=True,
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    result: dict[str, object] = {
        "source": "https://github.com/gs1/gs1-syntax-engine",
        "commit": commit,
        "license": "Apache-2.0",
        "note": "Extracted by tests/data/gs1/extract_engine_vectors.py from the unit tests "
        "of src/c-lib/ai.c and src/c-lib/dl.c; 'line' is the line in that file.",
    }
    for name, macros in MACROS.items():
        source = subprocess.run(["git", "--git-dir", str(repo), "show", f"{ref}:src/c-lib/{name}"],
                                check=True, capture_output=True, text=True).stdout  # fmt: skip
        for macro in macros:
            result[macro.removeprefix("test_")] = extract(source, macro)
        if name == "ai.c":
            result["aiLinters"] = ai_linter_table(source)
    out = Path(__file__).with_name("engine-vectors.json")
    out.write_text(json.dumps(result, indent=1) + "\n")
    print({k: len(v) for k, v in result.items() if isinstance(v, list)})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
