"""README's settings table must list every setting paperwire reads from the environment."""

import re
from pathlib import Path

from paperwire import settings as pw_settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_environment_setting_is_in_the_readme_table() -> None:
    documented = set(re.findall(r"^\| `([A-Z_]+)`", README.read_text(), flags=re.M))
    missing = set(pw_settings.ENV_SETTINGS) - documented
    assert not missing, f"settings missing from README's table: {sorted(missing)}"


def test_the_readme_table_lists_no_setting_that_does_not_exist() -> None:
    documented = set(re.findall(r"^\| `([A-Z_]+)`", README.read_text(), flags=re.M))
    extra = documented - set(pw_settings.ENV_SETTINGS) - {"PORT", "HOST"}
    assert not extra, f"README documents settings the code does not read: {sorted(extra)}"
