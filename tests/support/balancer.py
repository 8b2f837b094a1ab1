"""HAProxy with the shipped ``deploy/haproxy.cfg`` for tests: TLS with a certificate made at
test time, loopback addresses given through the environment variables the file reads."""

from __future__ import annotations

import asyncio
import csv
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

__all__ = ["HAPROXY", "LoadBalancer", "self_signed_certificate"]

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "haproxy.cfg"
HAPROXY = shutil.which("haproxy") or (
    "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None
)


def self_signed_certificate(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A certificate for 127.0.0.1 (HAProxy's PEM: chain + key) and a client context trusting it."""
    key, cert = folder / "key.pem", folder / "cert.pem"
    request = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    subjects = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(
        [*request, "-keyout", str(key), "-out", str(cert), *subjects],
        check=True,
        capture_output=True,
    )
    pem = folder / "haproxy.pem"
    pem.write_bytes(cert.read_bytes() + key.read_bytes())
    return pem, ssl.create_default_context(cafile=str(cert))


class LoadBalancer:
    """``haproxy -db -f deploy/haproxy.cfg`` in front of hub processes, with its runtime API."""

    def __init__(self, bind: str, cert: Path, hubs: list[str], folder: Path) -> None:
        assert HAPROXY is not None
        self.socket_path = folder / "haproxy.sock"
        env = {
            "PATH": "/usr/bin:/bin",
            "OCPIHUB_LB_BIND": bind,
            "OCPIHUB_LB_CERT": str(cert),
            "OCPIHUB_LB_STATS_SOCKET": str(self.socket_path),
        }
        env.update({f"OCPIHUB_HUB{i}": hub for i, hub in enumerate(hubs, start=1)})
        self.log = (folder / "haproxy.log").open("wb")
        self.proc = subprocess.Popen(
            [HAPROXY, "-db", "-f", str(CONFIG)], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def command(self, line: str) -> str:
        """One runtime-API command (``show stat``, ``set server ocpihub/hub1 state drain``)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(str(self.socket_path))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def states(self) -> dict[str, str]:
        """Each hub server's status as HAProxy sees it (UP, DOWN, DRAIN, MAINT, ...)."""
        if not self.socket_path.exists():
            return {}
        rows = csv.DictReader(self.command("show stat").lstrip("# ").splitlines())
        return {
            r["svname"]: r["status"]
            for r in rows
            if r["pxname"] == "ocpihub" and r["svname"].startswith("hub")
        }

    async def wait_for(self, server: str, status: str, timeout: float = 120) -> None:
        """Wait until HAProxy reports ``server`` in ``status`` (its health checks decide)."""
        deadline = time.monotonic() + timeout
        while (got := self.states().get(server)) != status:
            assert self.proc.poll() is None, self.tail()
            assert time.monotonic() < deadline, f"{server} is {got}, not {status}:\n{self.tail()}"
            await asyncio.sleep(0.1)

    def tail(self) -> str:
        """The end of HAProxy's log."""
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-3000:]

    def close(self) -> None:
        """Stop HAProxy."""
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.log.close()
