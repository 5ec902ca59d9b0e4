"""A throwaway Dovecot IMAP server for the tests: loopback only, temp dir, own config.

The IMAP draft tests run against a real server, not a mock, because what
matters (the ``\\Draft`` flag, APPEND literals, folder creation, STARTTLS,
modified UTF-7 folder names) is exactly what mocks get wrong.

:func:`start_dovecot` writes a config into a fresh temporary folder —
passwd-file user database with one test user, maildir under the folder,
``listen = 127.0.0.1`` on free ports, and, when ``openssl`` is available, a
self-signed certificate made on the spot for the ``ssl`` and ``starttls``
paths — then runs ``dovecot -F -c CONFIG`` as a child process.

Folders: ``drafts`` names the folder created for every user and marked
``\\Drafts`` (RFC 6154 SPECIAL-USE), e.g. ``"Entwürfe"`` as a German Gmail
shows it; ``special_use=False`` creates it unmarked (an old server).  With
``oauth2`` (an RFC 7662 introspection URL, :mod:`services.introspect`),
XOAUTH2 and OAUTHBEARER logins are checked by Dovecot's own ``oauth2``
password database asking that URL about each token (``scope`` lists the
scopes a token must carry one of); passwords still work.  Nothing of
the system's Dovecot (its config, ``/run/dovecot``, its service) is used or
touched.  :meth:`DovecotServer.stop` ends that one process and removes the
folder.

Dovecot is the Debian package ``dovecot-imapd`` (``tests/services/setup.sh``
installs it when run as root); without it, :func:`dovecot_or_skip` skips the
test with the command to install it.
"""

from __future__ import annotations

import contextlib
import getpass
import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

INSTALL_HINT = "sudo apt-get install dovecot-imapd"

TEST_USER = "rep@northwind.test"
TEST_PASSWORD = "correct horse battery staple"


def dovecot_binary() -> str | None:
    """The dovecot executable, or None when it is not installed."""
    found = shutil.which("dovecot")
    if found:
        return found
    for candidate in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def _imap_module_present() -> bool:
    """dovecot-core alone has no imap binary; dovecot-imapd adds it."""
    for libexec in ("/usr/lib/dovecot", "/usr/libexec/dovecot", "/usr/local/libexec/dovecot"):
        if os.access(os.path.join(libexec, "imap"), os.X_OK):
            return True
    return False


def dovecot_or_skip() -> str:
    """The dovecot executable; skip the calling test (with the install command) without it."""
    import pytest

    binary = dovecot_binary()
    if binary is None or not _imap_module_present():
        pytest.skip(f"Dovecot IMAP server not installed; install it with: {INSTALL_HINT}")
    return binary


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(slots=True)
class DovecotServer:
    """A running test server: where it listens, who can log in, how to trust it."""

    base: Path
    host: str
    port: int
    ssl_port: int | None
    user: str
    password: str
    cert_file: Path | None
    process: subprocess.Popen[bytes] | None = None
    log_file: Path = field(default_factory=Path)

    @property
    def tls(self) -> bool:
        return self.cert_file is not None

    def ssl_context(self) -> ssl.SSLContext:
        assert self.cert_file is not None
        return ssl.create_default_context(cafile=str(self.cert_file))

    def client(self, user: str | None = None) -> imaplib.IMAP4:
        """A logged-in plain connection (loopback), for reading back what was appended."""
        conn = imaplib.IMAP4(self.host, self.port, timeout=10)
        conn.login(user or self.user, self.password)
        return conn

    def log(self) -> str:
        try:
            return self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the server (this process only) and delete its folder."""
        proc = self.process
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.process = None
        shutil.rmtree(self.base, ignore_errors=True)


def _make_cert(folder: Path) -> tuple[Path, Path] | None:
    """A self-signed certificate for 127.0.0.1/localhost, or None without openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = folder / "cert.pem", folder / "key.pem"
    done = subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        capture_output=True,
        timeout=60,
    )
    if done.returncode != 0:
        return None
    key.chmod(0o600)
    return cert, key


@dataclass(frozen=True, slots=True)
class Mailboxes:
    """The folders every user gets, and how the OAuth2 logins are checked."""

    drafts: str | None = "Drafts"
    special_use: bool = True
    oauth2: str | None = None
    scope: str = ""


def _config(
    base: Path,
    port: int,
    ssl_port: int | None,
    cert: tuple[Path, Path] | None,
    mail_uid: int,
    mail_gid: int,
    boxes: Mailboxes = Mailboxes(),
) -> str:
    """The whole dovecot.conf: nothing is read from /etc/dovecot."""
    root = os.geteuid() == 0
    me = getpass.getuser() if not root else None
    passdbs = [
        "passdb {",
        "  driver = passwd-file",
        "  mechanisms = plain login",
        f"  args = scheme=PLAIN username_format=%u {base / 'users'}",
        "}",
    ]
    mechanisms = "plain login"
    if boxes.oauth2:
        mechanisms += " xoauth2 oauthbearer"
        oauth = [
            "introspection_mode = post",
            f"introspection_url = {boxes.oauth2}",
            "force_introspection = yes",
            "username_attribute = username",
            "active_attribute = active",
            "active_value = true",
        ]
        if boxes.scope:
            oauth.append(f"scope = {boxes.scope}")
        (base / "oauth2.conf.ext").write_text("\n".join(oauth) + "\n", encoding="utf-8")
        passdbs = [
            "passdb {",
            "  driver = oauth2",
            "  mechanisms = xoauth2 oauthbearer",
            f"  args = {base / 'oauth2.conf.ext'}",
            "}",
            *passdbs,
        ]
    namespace = ["namespace inbox {", "  inbox = yes"]
    if boxes.drafts:
        namespace += [f'  mailbox "{boxes.drafts}" {{', "    auto = subscribe"]
        if boxes.special_use:
            namespace.append("    special_use = \\Drafts")
        namespace.append("  }")
    namespace.append("}")
    lines = [
        "protocols = imap",
        "listen = 127.0.0.1",
        f"base_dir = {base / 'run'}",
        f"state_dir = {base / 'state'}",
        f"instance_name = sheetsync-test-{port}",
        f"log_path = {base / 'dovecot.log'}",
        f"auth_mechanisms = {mechanisms}",
        "disable_plaintext_auth = no",
        "auth_failure_delay = 0",
        f"first_valid_uid = {min(mail_uid, 1) if mail_uid else 1}",
        f"mail_location = maildir:{base / 'mail'}/%n",
        *passdbs,
        *namespace,
        "userdb {",
        "  driver = passwd-file",
        f"  args = username_format=%u {base / 'users'}",
        "}",
    ]
    if cert is not None:
        lines += ["ssl = yes", f"ssl_cert = <{cert[0]}", f"ssl_key = <{cert[1]}"]
        if os.path.exists("/usr/share/dovecot/dh.pem"):
            lines.append("ssl_dh = </usr/share/dovecot/dh.pem")
    else:
        lines.append("ssl = no")
    if not root:
        # Unprivileged: every process runs as us, and nothing can chroot.
        lines += [
            f"default_login_user = {me}",
            f"default_internal_user = {me}",
            f"default_internal_group = {grp.getgrgid(os.getgid()).gr_name}",
        ]
    # No auth penalty: after the wrong-password test, logins must not wait.
    anvil = ["service anvil {", "  unix_listener anvil-auth-penalty {", "    mode = 0", "  }"]
    if not root:
        anvil.append("  chroot =")
    lines += [*anvil, "}"]
    listeners = [
        "service imap-login {",
        "  inet_listener imap {",
        "    address = 127.0.0.1",
        f"    port = {port}",
        "  }",
        "  inet_listener imaps {",
        "    address = 127.0.0.1",
        f"    port = {ssl_port or 0}",
    ]
    if ssl_port:
        listeners.append("    ssl = yes")
    listeners.append("  }")
    if not root:
        listeners.append("  chroot =")
    listeners.append("}")
    lines += listeners
    return "\n".join(lines) + "\n"


def _mail_ids() -> tuple[int, int]:
    """Mail processes may not run as root: as root, use ``nobody``; else ourselves."""
    if os.geteuid() != 0:
        return os.getuid(), os.getgid()
    try:
        pw = pwd.getpwnam("nobody")
        return pw.pw_uid, pw.pw_gid
    except KeyError:
        return 65534, 65534


def start_dovecot(
    *,
    tls: bool = True,
    binary: str | None = None,
    users: tuple[str, ...] = (TEST_USER,),
    boxes: Mailboxes = Mailboxes(),
) -> DovecotServer:
    """Start a Dovecot on 127.0.0.1 with the test users; raise if it does not come up.

    Every user's password is :data:`TEST_PASSWORD`; :attr:`DovecotServer.user`
    is the first.
    """
    binary = binary or dovecot_binary()
    if binary is None:
        raise RuntimeError(f"dovecot is not installed ({INSTALL_HINT})")
    base = Path(tempfile.mkdtemp(prefix="sheetsync-dovecot-"))
    base.chmod(0o755)  # the mail processes (another uid when we are root) must reach mail/
    uid, gid = _mail_ids()
    mail = base / "mail"
    mail.mkdir()
    if os.geteuid() == 0:
        os.chown(mail, uid, gid)
    (base / "state").mkdir()
    cert = _make_cert(base) if tls else None
    users_file = base / "users"
    users_file.write_text(
        "".join(
            f"{u}:{{PLAIN}}{TEST_PASSWORD}:{uid}:{gid}::{mail / u.split('@')[0]}::\n" for u in users
        ),
        encoding="utf-8",
    )
    users_file.chmod(0o644)
    last_error = ""
    for _attempt in range(3):
        port = free_port()
        ssl_port = free_port() if cert is not None else None
        conf = base / "dovecot.conf"
        conf.write_text(_config(base, port, ssl_port, cert, uid, gid, boxes), encoding="utf-8")
        server = DovecotServer(
            base=base,
            host="127.0.0.1",
            port=port,
            ssl_port=ssl_port,
            user=users[0],
            password=TEST_PASSWORD,
            cert_file=cert[0] if cert else None,
            log_file=base / "dovecot.log",
        )
        out = open(base / "stdout.log", "wb")  # noqa: SIM115 - closed below
        try:
            server.process = subprocess.Popen(
                [binary, "-F", "-c", str(conf)],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            out.close()
        if _wait_ready(server, timeout=15):
            return server
        last_error = (base / "stdout.log").read_text(errors="replace") + server.log()
        proc = server.process
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)
        server.process = None
    shutil.rmtree(base, ignore_errors=True)
    raise RuntimeError(f"dovecot did not start:\n{last_error[-3000:]}")


def _wait_ready(server: DovecotServer, timeout: float) -> bool:
    """Wait until the server greets on its IMAP port (or the process died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process is None or server.process.poll() is not None:
            return False
        with (
            contextlib.suppress(OSError),
            socket.create_connection((server.host, server.port), timeout=1) as s,
        ):
            s.settimeout(2)
            if s.recv(64).startswith(b"* OK"):
                return True
        time.sleep(0.05)
    return False


@contextlib.contextmanager
def running_dovecot(*, tls: bool = True) -> Iterator[DovecotServer]:
    server = start_dovecot(tls=tls)
    try:
        yield server
    finally:
        server.stop()


def messages(
    server: DovecotServer, folder: str, user: str | None = None
) -> list[tuple[bytes, bytes]]:
    """(FLAGS line, full message bytes) of every message in ``folder``, oldest first."""
    from sheetsync.drafts.imap import quote_mailbox

    conn = server.client(user)
    try:
        typ, count = conn.select(quote_mailbox(folder), readonly=True)
        if typ != "OK" or not int(count[0] or 0):
            return []
        typ, data = conn.fetch("1:*", "(FLAGS BODY.PEEK[])")
        if typ != "OK" or data == [None]:
            return []
        out = []
        for item in data:
            if isinstance(item, tuple):
                out.append((item[0], item[1]))
        return out
    finally:
        with contextlib.suppress(Exception):
            conn.logout()
