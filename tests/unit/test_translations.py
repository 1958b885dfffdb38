"""The Russian and Ukrainian catalogues match the code, are compiled, and count correctly.

locale/{ru,uk}/LC_MESSAGES/django.po are the source of truth. After changing a user-facing
string, from the project root:

    .venv/bin/python manage.py makemessages -l ru -l uk --no-location \\
        --ignore=.venv --ignore=tests --ignore=sandbox --ignore=demo
    (translate every new or fuzzy entry, every plural form; delete the #~ entries)
    .venv/bin/python manage.py compilemessages --ignore=.venv

and commit the .po and .mo files together.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import django
import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("ru", "uk")
# Top-level entries that are not the portal's user-facing source (dot entries are skipped too).
NOT_SOURCE = {
    "tests",
    "sandbox",
    "demo",
    "venv",
    "media",
    "staticfiles",
    "test-artifacts",
    "db.sqlite3",
}
IGNORED = (".venv", "tests", "sandbox", "demo")
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq")
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?([a-zA-Z])")


def po_path(lang: str, root: Path = ROOT) -> Path:
    return root / "locale" / lang / "LC_MESSAGES" / "django.po"


def key(entry: polib._BaseEntry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or None)


def describe(entry: polib._BaseEntry) -> str:
    text = f"msgid {entry.msgid!r}"
    if entry.msgid_plural:
        text += f" / msgid_plural {entry.msgid_plural!r}"
    if entry.msgctxt is not None:
        text = f"msgctxt {entry.msgctxt!r} {text}"
    return text


def nplurals(po: polib.POFile) -> int:
    found = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    assert found, f"{po.fpath}: no nplurals in its Plural-Forms header"
    return int(found.group(1))


def untranslated(entry: polib.POEntry, plurals: int) -> bool:
    if entry.msgid_plural:
        return any(not entry.msgstr_plural.get(i) for i in range(plurals))
    return not entry.msgstr


def require_gettext() -> None:
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if not missing:
        return
    reason = (
        f"GNU gettext is not installed (no {', '.join(missing)} on PATH), so makemessages cannot "
        "run: install the Debian package gettext to check the catalogues against the code"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (required under CI)")
    pytest.skip(reason)


def copy_source(dest: Path) -> None:
    for item in ROOT.iterdir():
        if item.name.startswith(".") or item.name in NOT_SOURCE:
            continue
        if item.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(item, dest / item.name, ignore=ignore)
        else:
            shutil.copy2(item, dest / item.name)


def regenerate(copy: Path) -> None:
    command = [sys.executable, "manage.py", "makemessages", "--no-location"]
    command += [f"--locale={lang}" for lang in LANGUAGES]
    command += [f"--ignore={pattern}" for pattern in IGNORED]
    # The copy comes first on sys.path (manage.py's folder); sandbox, an installed app whose
    # strings are not the portal's, is imported from the project itself.
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": pythonpath, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    result = subprocess.run(
        command, cwd=copy, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"makemessages failed:\n{result.stdout}\n{result.stderr}")


def test_catalogues_match_the_code(tmp_path):
    require_gettext()
    copy = tmp_path / "source"
    copy.mkdir()
    copy_source(copy)
    regenerate(copy)

    problems = []
    for lang in LANGUAGES:
        committed = polib.pofile(str(po_path(lang)))
        regenerated = polib.pofile(str(po_path(lang, copy)))
        plurals = nplurals(committed)
        kept = {key(entry) for entry in committed if not entry.obsolete}
        used = {key(entry) for entry in regenerated if not entry.obsolete}
        if committed.metadata_is_fuzzy or regenerated.metadata_is_fuzzy:
            problems.append(f"{lang}: the header is marked fuzzy")
        for entry in regenerated:
            if entry.obsolete:
                continue
            faults = []
            if key(entry) not in kept:
                faults.append("new")
            if untranslated(entry, plurals):
                faults.append("untranslated")
            if entry.fuzzy:
                faults.append("fuzzy")
            if faults:
                problems.append(f"{lang}: {', '.join(faults)}: {describe(entry)}")
        for entry in committed:
            if entry.obsolete:
                problems.append(f"{lang}: obsolete, kept as #~: {describe(entry)}")
            elif key(entry) not in used:
                problems.append(f"{lang}: obsolete, the code no longer uses it: {describe(entry)}")
    assert not problems, "The catalogues do not match the code:\n" + "\n".join(problems)


def catalogue(messages: polib._BaseFile) -> dict:
    return {
        key(entry): (
            tuple(sorted(entry.msgstr_plural.items())) if entry.msgid_plural else entry.msgstr
        )
        for entry in messages
        if not entry.obsolete
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogues_are_current(lang, tmp_path):
    fresh = tmp_path / "django.mo"
    polib.pofile(str(po_path(lang))).save_as_mofile(str(fresh))
    expected = polib.mofile(str(fresh))
    committed = polib.mofile(str(po_path(lang).with_suffix(".mo")))
    want, have = catalogue(expected), catalogue(committed)
    stale = [
        f"{describe(polib.POEntry(msgctxt=k[0], msgid=k[1], msgid_plural=k[2] or ''))}: "
        f"{have.get(k)!r} compiled, {want.get(k)!r} in the .po"
        for k in sorted(want.keys() | have.keys(), key=repr)
        if want.get(k) != have.get(k)
    ]
    # msgfmt leaves the POT-Creation-Date out of the .mo; the rest of the header must match.
    header = [
        {name: value for name, value in mo.metadata.items() if name != "POT-Creation-Date"}
        for mo in (expected, committed)
    ]
    if header[0] != header[1]:
        stale.insert(0, f"header: {header[1]!r} compiled, {header[0]!r} in the .po")
    assert not stale, f"locale/{lang}/LC_MESSAGES/django.mo is stale: run compilemessages\n" + (
        "\n".join(stale)
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_forms_are_djangos(lang):
    # Django merges its own catalogue with ours only when both count the same way.
    djangos = Path(django.__file__).parent / "conf" / "locale" / lang / "LC_MESSAGES" / "django.mo"
    ours = polib.pofile(str(po_path(lang))).metadata["Plural-Forms"]
    assert ours == polib.mofile(str(djangos)).metadata["Plural-Forms"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_their_placeholders(lang):
    wrong = []
    for entry in polib.pofile(str(po_path(lang))):
        if entry.obsolete:
            continue
        wanted = set(PLACEHOLDER.findall(entry.msgid + entry.msgid_plural))
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        wrong += [
            f"{describe(entry)}: {s!r}" for s in forms if set(PLACEHOLDER.findall(s)) != wanted
        ]
    assert not wrong, "Placeholders differ from the msgid's:\n" + "\n".join(wrong)


UP_TO = ("Up to %(count)d file, %(size)s at most.", "Up to %(count)d files, %(size)s each at most.")
AT_MOST = (
    "A ticket can carry at most %(count)d file.",
    "A ticket can carry at most %(count)d files.",
)
FOUND = ("%(count)d client found", "%(count)d clients found")
COUNTED = {
    ("ru", 1): (
        "До 1 файла, не больше 2 МБ на файл.",
        "К заявке можно приложить не больше 1 файла.",
        "Найден 1 клиент",
    ),
    ("ru", 2): (
        "До 2 файлов, не больше 2 МБ на файл.",
        "К заявке можно приложить не больше 2 файлов.",
        "Найдено 2 клиента",
    ),
    ("ru", 5): (
        "До 5 файлов, не больше 2 МБ на файл.",
        "К заявке можно приложить не больше 5 файлов.",
        "Найдено 5 клиентов",
    ),
    ("ru", 21): (
        "До 21 файла, не больше 2 МБ на файл.",
        "К заявке можно приложить не больше 21 файла.",
        "Найден 21 клиент",
    ),
    ("uk", 1): (
        "До 1 файлу, не більше 2 МБ на файл.",
        "До заявки можна додати не більше 1 файлу.",
        "Знайдено 1 клієнта",
    ),
    ("uk", 2): (
        "До 2 файлів, не більше 2 МБ на файл.",
        "До заявки можна додати не більше 2 файлів.",
        "Знайдено 2 клієнтів",
    ),
    ("uk", 5): (
        "До 5 файлів, не більше 2 МБ на файл.",
        "До заявки можна додати не більше 5 файлів.",
        "Знайдено 5 клієнтів",
    ),
    ("uk", 21): (
        "До 21 файлу, не більше 2 МБ на файл.",
        "До заявки можна додати не більше 21 файлу.",
        "Знайдено 21 клієнта",
    ),
}


@pytest.mark.parametrize(("lang", "count"), list(COUNTED))
def test_counts_read_correctly(lang, count):
    values = {"count": count, "size": "2 МБ"}
    with translation.override(lang):
        said = tuple(
            translation.ngettext(*message, count) % values for message in (UP_TO, AT_MOST, FOUND)
        )
    assert said == COUNTED[lang, count]
