"""The deployment files in deploy/ are valid: systemd accepts the units, nginx the config."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.nginx_fixtures import Nginx

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
PAPERWIRE = Path(sys.executable).with_name("paperwire")  # this checkout's, for /opt/paperwire's

# Outside CI a machine without them skips; under CI a missing tool fails the test.
needs_systemd = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None and not IN_CI, reason="systemd-analyze is not installed"
)


def unit_here(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text.replace("/opt/paperwire/.venv/bin/paperwire", str(PAPERWIRE)))
    return path


def verify(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60, check=False
    )


@needs_systemd
def test_systemd_accepts_the_web_node_unit(tmp_path: Path) -> None:
    text = (DEPLOY / "paperwire-web@.service").read_text()
    done = verify(unit_here(tmp_path, text, "paperwire-web@8001.service"))
    assert done.returncode == 0, done.stderr


@needs_systemd
def test_systemd_refuses_a_unit_whose_command_is_missing(tmp_path: Path) -> None:
    """Shows the check above can fail: the same unit pointing at a paperwire that is not there."""
    text = (DEPLOY / "paperwire-web@.service").read_text().replace("/opt/paperwire", "/nonexistent")
    done = verify(unit_here(tmp_path, text, "paperwire-web@8001.service"))
    assert done.returncode != 0
    assert "/nonexistent" in done.stderr


@pytest.mark.skipif(shutil.which("nginx") is None and not IN_CI, reason="Debian's nginx is not installed")
def test_nginx_accepts_the_config_in_front_of_two_nodes() -> None:
    proxy = Nginx([8001, 8002])  # the config with its own certificate and paths
    done = proxy.check()
    proxy.stop()
    assert done.returncode == 0, done.stderr
    config = (DEPLOY / "nginx.conf").read_text()
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in config
    assert config.count("server 127.0.0.1:80") == 2


@pytest.mark.skipif(shutil.which("nginx") is None and not IN_CI, reason="Debian's nginx is not installed")
def test_nginx_refuses_the_config_without_its_certificate() -> None:
    """Shows the check above can fail: the same config whose certificate is gone."""
    proxy = Nginx([8001, 8002])
    (proxy.folder / "fullchain.pem").unlink()
    done = proxy.check()
    proxy.stop()
    assert done.returncode != 0
    assert "fullchain.pem" in done.stderr
