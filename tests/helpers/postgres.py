"""A throwaway PostgreSQL cluster for the efficiency database's tests.

:func:`start_cluster` runs Debian's PostgreSQL binaries (``initdb``, ``pg_ctl``; installed by
``.ci/run``) on a fresh data directory under ``/tmp`` with a free local port, trust
authentication and ``fsync`` off (a test cluster: nothing to keep). As root it runs them as
the ``postgres`` user (``initdb`` refuses root). ``EVALKIT_TEST_PG_URL`` names an existing
server instead. The cluster is stopped and removed by :meth:`Cluster.stop`.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Cluster:
    url: str                 # admin URL (database "postgres")
    data_dir: Path | None    # None: an external server (EVALKIT_TEST_PG_URL)
    bindir: Path | None
    user_prefix: list[str]

    def database_url(self, name: str) -> str:
        base, _, _db = self.url.rpartition("/")
        return f"{base}/{name}"

    def create_database(self) -> str:
        """A new, empty database; its URL."""
        import psycopg

        name = "evalkit_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def stop(self) -> None:
        if self.data_dir is None:
            return
        subprocess.run(self.user_prefix + [str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m",
                                           "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def _bindir() -> Path | None:
    for candidate in [shutil.which("pg_config")]:
        if candidate:
            out = subprocess.run([candidate, "--bindir"], capture_output=True, text=True)
            path = Path(out.stdout.strip())
            if (path / "initdb").is_file():
                return path
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cluster() -> Cluster:
    """A running cluster, or RuntimeError saying why none could be started."""
    external = os.environ.get("EVALKIT_TEST_PG_URL")
    if external:
        return Cluster(external, None, None, [])
    bindir = _bindir()
    if bindir is None:
        raise RuntimeError("no PostgreSQL server binaries (initdb) on this machine; install Debian's "
                           "postgresql package (as .ci/run does) or set EVALKIT_TEST_PG_URL")
    root = Path(tempfile.mkdtemp(prefix="evalkit-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            raise RuntimeError("running as root without runuser: initdb cannot run as root")
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
        root.chmod(0o755)
        prefix = [runuser, "-u", "postgres", "--"]
    init = subprocess.run(prefix + [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "evalkit",
                                    "-E", "UTF8", "--no-sync"], capture_output=True, text=True, timeout=120)
    if init.returncode:
        raise RuntimeError(f"initdb failed: {init.stderr.strip()[-500:]}")
    port = _free_port()
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
    start = subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                     str(root / "server.log"), "-w", "-t", "60", "start"],
                           capture_output=True, text=True, timeout=120)
    if start.returncode:
        log = (root / "server.log").read_text(errors="replace")[-800:] if (root / "server.log").exists() else ""
        raise RuntimeError(f"pg_ctl start failed: {start.stderr.strip()[-300:]} {log}")
    return Cluster(f"postgresql://evalkit@127.0.0.1:{port}/postgres", data, bindir, prefix)
