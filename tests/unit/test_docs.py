"""README stays true: every setting the portal reads is in .env.example and documented."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_read_is_in_env_example_and_readme():
    settings_py = (ROOT / "portal" / "settings.py").read_text()
    read = set(re.findall(r'env(?:_bool|_float|_int|_list|_rates)?\("([A-Z_]+)"', settings_py))
    example = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    readme = (ROOT / "README.md").read_text()
    assert read - {"ENV_FILE"} <= example, read - example
    assert [name for name in sorted(example) if f"`{name}`" not in readme] == []


def _tracked_text_files() -> list[Path]:
    import subprocess

    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    suffixes = {".py", ".md", ".html", ".js", ".css", ".toml", ".txt", ".example", ""}
    return [ROOT / name for name in listed if Path(name).suffix in suffixes]


def test_nothing_in_the_repository_points_outside_it():
    outside = [
        str(path.relative_to(ROOT))
        for path in _tracked_text_files()
        if path.is_file() and re.search(r"\.\./shared|DESIGN\.md", path.read_text(errors="ignore"))
    ]
    assert outside == []
    readme = (ROOT / "README.md").read_text()
    assert "(docs/architecture.md)" in readme and (ROOT / "docs" / "architecture.md").is_file()


def test_every_package_says_what_it_holds_and_may_import():
    import ast

    packages = sorted((ROOT / "tickets").glob("*/__init__.py"))
    assert len(packages) >= 7
    silent = []
    for init in packages:
        if init.parent.name in ("migrations", "management"):
            continue
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        if "Imports" not in doc:
            silent.append(str(init.relative_to(ROOT)))
    assert silent == []
