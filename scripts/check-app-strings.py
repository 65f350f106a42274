#!/usr/bin/env python3
"""The three apps keep their words in their platforms' resource catalogs.

Checks, with nothing but the Python standard library:

1. No string literal of an app's UI sources holds Chinese text:
   - Android: android/app/src/main/kotlin and the library's screen models
     (android/ecard/src/main/kotlin): every word comes from strings.xml or the
     core, so no Kotlin literal there holds Chinese;
   - iOS: ios/App/Sources. The string catalog's keys are the zh-Hans source
     text, so a Chinese literal is allowed only where SwiftUI or Foundation
     look it up: `String(localized: "…")`, `LocalizedStringKey("…")`, or the
     first argument of a view that takes a LocalizedStringKey (`Text("…")`,
     `Section("…")`, `.navigationTitle("…")`, …) — and the key must be in
     the catalog;
   - HarmonyOS: harmony/app/**/*.ets: every word comes from string.json
     (`$r('app.string.…')`) or the core.
   Comments are not UI; tests and generated bindings are not scanned.
2. Every key the sources use exists in every locale of its catalog:
   - Android: R.string.x in values/ (zh-CN) and values-en/, and both files
     hold the same names;
   - iOS: each key in Localizable.xcstrings has zh-Hans (the source) and en;
   - HarmonyOS: $r('app.string.x') and "$string:x" in base, zh_CN and en_US
     (or in AppScope's base), and those three hold the same names.

Prints one line per problem and `app strings: ok (…)` or exits 1.
"""
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Never scanned: tests, and code generated from the core's interface.
SKIPPED = re.compile(r"/(test|tests|androidTest|ohosTest|Generated|build|node_modules)/")

problems = []


def skipped(path):
    return SKIPPED.search("/" + path.relative_to(ROOT).as_posix()) is not None


def problem(path, line, text):
    where = path.relative_to(ROOT)
    problems.append(f"{where}:{line}: {text}" if line else f"{where}: {text}")


# --- A small lexer: string literals (with the code before each) -------------

class Literal:
    def __init__(self, line, parts, before):
        self.line = line
        self.parts = parts  # the literal's text pieces, around interpolations
        self.before = before  # the code on the literal's line before it

    @property
    def text(self):
        return "\0".join(self.parts)

    @property
    def shown(self):
        """The literal as the message shows it, an interpolation as `…`."""
        return repr("…".join(self.parts))


def lex(source, quotes):
    """String literals of C-like source. `quotes` maps each quote character to
    the interpolation opener inside its literals (`\\(`, `${`, or None); an
    interpolation's expression may hold literals of its own (lexed too)."""
    literals = []
    n = len(source)

    def read_literal(i, quote, line):
        """From the opening quote at i: (index after, the literal, line after)."""
        hole_open = quotes[quote]
        delimiter = quote * 3 if quote == '"' and source.startswith('"""', i) else quote
        start_line = line
        before = source[source.rfind("\n", 0, i) + 1:i]
        i += len(delimiter)
        parts, piece = [], []
        while i < n:
            if source.startswith(delimiter, i):
                parts.append("".join(piece))
                return i + len(delimiter), Literal(start_line, parts, before), line
            c = source[i]
            if hole_open and source.startswith(hole_open, i):
                parts.append("".join(piece))
                piece = []
                i, line = read_code(i + len(hole_open), line, closing=True)
                continue
            if c == "\\":
                piece.append(source[i:i + 2])
                i += 2
                continue
            if c == "\n":
                line += 1
                if len(delimiter) == 1 and quote != "`":
                    break  # an unterminated literal: stop at the line's end
            piece.append(c)
            i += 1
        parts.append("".join(piece))
        return i, Literal(start_line, parts, before), line

    def read_code(i, line, closing=False):
        """Code up to the bracket closing an interpolation (or the end): (index after, line)."""
        depth = 0
        while i < n:
            c = source[i]
            if source.startswith("//", i):
                j = source.find("\n", i)
                i = n if j < 0 else j
                continue
            if source.startswith("/*", i):
                j = source.find("*/", i + 2)
                end = n if j < 0 else j + 2
                line += source.count("\n", i, end)
                i = end
                continue
            if c in quotes:
                i, literal, line = read_literal(i, c, line)
                literals.append(literal)
                continue
            if c == "\n":
                line += 1
            elif c in "({[":
                depth += 1
            elif c in ")}]":
                if depth == 0 and closing:
                    return i + 1, line
                depth -= 1
            i += 1
        return i, line

    read_code(0, 1)
    return literals


def kotlin_literals(source):
    # Kotlin char literals ('"', '⌫') would read as strings: blank them first.
    source = re.sub(r"'(\\.|[^'\\\n])'", "' '", source)
    return lex(source, {'"': "${"})


def swift_literals(source):
    return lex(source, {'"': "\\("})


def ets_literals(source):
    return lex(source, {"'": None, '"': None, "`": "${"})


# --- Android -----------------------------------------------------------------

def android_names(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as error:
        problem(path, None, f"not well-formed XML: {error}")
        return set()
    return {node.get("name") for node in root if node.tag in ("string", "plurals", "string-array")}


def check_android():
    res = ROOT / "android/app/src/main/res"
    locales = {"zh-CN (values)": res / "values/strings.xml", "en (values-en)": res / "values-en/strings.xml"}
    names = {locale: android_names(path) for locale, path in locales.items()}
    everywhere = set.intersection(*names.values())
    for locale, path in locales.items():
        for name in sorted(names[locale] - everywhere):
            problem(path, None, f"string {name} is in {locale} only")
    used = 0
    sources = sorted((ROOT / "android/app/src/main/kotlin").rglob("*.kt"))
    sources += sorted((ROOT / "android/ecard/src/main/kotlin").rglob("*.kt"))
    for path in sources:
        if skipped(path):
            continue
        source = path.read_text(encoding="utf-8")
        for literal in kotlin_literals(source):
            if CJK.search(literal.text):
                problem(path, literal.line, f"Chinese literal {literal.shown}: use a string resource")
        for match in re.finditer(r"\bR\.string\.(\w+)", source):
            used += 1
            if match.group(1) not in everywhere:
                line = source.count("\n", 0, match.start()) + 1
                problem(path, line, f"R.string.{match.group(1)} is not in every locale's strings.xml")
    return f"android {len(everywhere)} strings, {used} uses"


# --- iOS ---------------------------------------------------------------------

# Where SwiftUI or Foundation look a literal up in the string catalog.
LOCALIZING = re.compile(
    r"(?:\b(?:Text|Section|Label|Toggle|Picker|TextField|SecureField|NavigationLink|PhotosPicker|Button|Link|"
    r"LocalizedStringKey|navigationTitle|accessibilityLabel|accessibilityHint|help)\(|"
    r"\bString\(localized:|\bprompt:)\s*$"
)
FORMAT = re.compile(r"%(?:\d+\$)?(?:lld|llu|ld|lu|lf|d|u|f|@)")


def catalog_key(text):
    """The catalog form of a literal: interpolations become one placeholder."""
    return FORMAT.sub("\0", text) if "%" in text else text


def check_ios():
    path = ROOT / "ios/App/Sources/Localizable.xcstrings"
    try:
        catalog = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        problem(path, None, f"not JSON: {error}")
        return "ios: no catalog"
    source_language = catalog.get("sourceLanguage")
    keys = {}
    for key, entry in catalog.get("strings", {}).items():
        localizations = entry.get("localizations", {})
        for language in ("zh-Hans", "en"):
            unit = localizations.get(language, {}).get("stringUnit", {})
            if not unit.get("value") and not (language == source_language and key):
                problem(path, None, f"key {key!r} has no {language} value")
        keys[FORMAT.sub("\0", key)] = key
    used = 0
    for swift in sorted((ROOT / "ios/App/Sources").rglob("*.swift")):
        if skipped(swift):
            continue
        for literal in swift_literals(swift.read_text(encoding="utf-8")):
            if not CJK.search(literal.text):
                continue
            used += 1
            if not LOCALIZING.search(literal.before):
                problem(swift, literal.line, f"Chinese literal {literal.shown} is not looked up: "
                        "use String(localized:) or LocalizedStringKey")
            elif literal.text not in keys:
                problem(swift, literal.line, f"{literal.shown} is not a key of Localizable.xcstrings")
    return f"ios {len(keys)} keys, {used} uses"


# --- HarmonyOS ---------------------------------------------------------------

def harmony_names(path):
    try:
        return {entry["name"] for entry in json.loads(path.read_text(encoding="utf-8"))["string"]}
    except (OSError, ValueError, KeyError, TypeError) as error:
        problem(path, None, f"not a string.json: {error}")
        return set()


def check_harmony():
    app = ROOT / "harmony/app"
    resources = app / "entry/src/main/resources"
    locales = {locale: resources / locale / "element/string.json" for locale in ("base", "zh_CN", "en_US")}
    names = {locale: harmony_names(path) for locale, path in locales.items()}
    everywhere = set.intersection(*names.values())
    for locale, path in locales.items():
        for name in sorted(names[locale] - everywhere):
            problem(path, None, f"string {name} is in {locale} only")
    app_scope = harmony_names(app / "AppScope/resources/base/element/string.json")
    used = 0
    for path in sorted(app.rglob("*")):
        if path.suffix not in (".ets", ".json5") or skipped(path):
            continue
        source = path.read_text(encoding="utf-8")
        if path.suffix == ".ets":
            for literal in ets_literals(source):
                if CJK.search(literal.text):
                    problem(path, literal.line, f"Chinese literal {literal.shown}: use $r('app.string.…')")
        for match in re.finditer(r"\$r\(\s*['\"]app\.string\.(\w+)['\"]|\$string:(\w+)", source):
            used += 1
            name = match.group(1) or match.group(2)
            if name not in everywhere and name not in app_scope:
                line = source.count("\n", 0, match.start()) + 1
                problem(path, line, f"string {name} is not in base, zh_CN and en_US")
    return f"harmony {len(everywhere)} strings, {used} uses"


def main():
    summary = [check_android(), check_ios(), check_harmony()]
    for line in problems:
        print(line)
    if problems:
        print(f"app strings: {len(problems)} problems")
        return 1
    print(f"app strings: ok ({'; '.join(summary)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
