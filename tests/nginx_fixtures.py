"""Debian's nginx with deploy/nginx.conf, changed only for ports and paths, in front of local
`paperwire serve` nodes; used by tests/test_nginx_nodes.py and bench/nodes.py."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # Debian puts it in /usr/sbin


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, seconds: float = 30) -> None:
    """Wait until something listens on 127.0.0.1:port."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {seconds:.0f} s")


def self_signed(folder: Path) -> tuple[Path, Path]:
    """Write a self-signed certificate for 127.0.0.1 and its key into folder."""
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def site_config(nodes: list[int], http_port: int, https_port: int, cert: Path, key: Path) -> str:
    """Return deploy/nginx.conf with its node ports, listen ports and certificate paths replaced."""
    text = (DEPLOY / "nginx.conf").read_text()
    upstream = re.compile(r"^( *)server 127\.0\.0\.1:8001 (.*)\n *server 127\.0\.0\.1:8002 .*\n", re.M)
    # Fails loudly when deploy/nginx.conf changes shape, rather than running something else.
    assert len(upstream.findall(text)) == 1, "deploy/nginx.conf no longer lists nodes 8001 and 8002"
    text = upstream.sub(lambda m: "".join(f"{m[1]}server 127.0.0.1:{p} {m[2]}\n" for p in nodes), text)
    swaps = [
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("/etc/ssl/paperwire/fullchain.pem", str(cert)),
        ("/etc/ssl/paperwire/privkey.pem", str(key)),
        ("root /var/www/html;", f"root {cert.parent};"),
    ]
    for old, new in swaps:
        assert text.count(old) == 1, f"deploy/nginx.conf no longer holds {old!r} once"
        text = text.replace(old, new)
    return text


class Nginx:
    """Debian's nginx on deploy/nginx.conf in a folder of its own, not as root, in the foreground."""

    def __init__(self, nodes: list[int], *, workers: int = 1) -> None:
        # A folder of its own right under /tmp: when we are root nginx runs as nobody, who may
        # not pass through pytest's or the bench's private folders.
        self.folder = folder = Path(tempfile.mkdtemp(prefix="paperwire-nginx-"))
        self.http_port, self.https_port = free_port(), free_port()
        cert, key = self_signed(folder)
        (folder / "site.conf").write_text(site_config(nodes, self.http_port, self.https_port, cert, key))
        kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        temp = "\n".join(f" {name}_temp_path {folder}/{name}_temp;" for name in kinds)
        (folder / "nginx.conf").write_text(
            f"worker_processes {workers};\npid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n access_log off;\n{temp}\n include {folder}/site.conf;\n}}\n"
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def check(self) -> subprocess.CompletedProcess[str]:
        """Return `nginx -t` on this configuration."""
        return subprocess.run(
            [NGINX, "-t", "-c", str(self.folder / "nginx.conf"), "-p", str(self.folder)],
            capture_output=True, text=True, timeout=60, check=False, **self._as_nobody(),
        )  # fmt: skip

    def _as_nobody(self) -> dict[str, Any]:
        """Drop root (nginx would otherwise run its workers as `nobody` and keep a root master)."""
        if os.geteuid() != 0:
            return {}
        nobody = pwd.getpwnam("nobody")
        for path in [self.folder, *self.folder.rglob("*")]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
        return {"user": nobody.pw_uid, "group": nobody.pw_gid}

    def start(self) -> None:
        """Start nginx in the foreground and wait for both its ports."""
        self.proc = subprocess.Popen(
            [NGINX, "-c", str(self.folder / "nginx.conf"), "-p", str(self.folder), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, **self._as_nobody(),
        )  # fmt: skip
        try:
            wait_port(self.http_port)
            wait_port(self.https_port)
        except TimeoutError:
            self.stop()
            raise AssertionError(self.errors()) from None

    @property
    def pid(self) -> int:
        assert self.proc is not None, "nginx was not started"
        return self.proc.pid

    def errors(self) -> str:
        log = self.folder / "error.log"
        return log.read_text() if log.exists() else ""

    def stop(self) -> None:
        """Stop nginx (SIGTERM: a fast shutdown), wait for it and remove its folder."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def https(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"
