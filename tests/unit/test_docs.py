"""README stays true: every setting the portal reads is in .env.example and documented."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_read_is_in_env_example_and_readme():
    settings_py = (ROOT / "portal" / "settings.py").read_text()
    read = set(re.findall(r'env(?:_bool|_float|_list)?\("([A-Z_]+)"', settings_py))
    example = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    readme = (ROOT / "README.md").read_text()
    assert read - {"ENV_FILE"} <= example, read - example
    assert [name for name in sorted(example) if f"`{name}`" not in readme] == []
