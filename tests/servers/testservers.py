# SPDX-License-Identifier: GPL-3.0-or-later
"""Private mail servers for one test run.

Starts, on 127.0.0.1 and free high ports, with a certificate made for this
run:

- Dovecot (IMAP and POP3), each with a plain port that offers STARTTLS and
  an implicit-TLS port, Maildir storage and the special-use folders;
- an SMTP submission server (aiosmtpd) with STARTTLS, implicit TLS and a
  plain port, AUTH against the same users, storing what it receives;
- a private D-Bus session bus with an unlocked gnome-keyring-daemon, and a
  second bus with no keyring at all;
- an X server (Xvfb) for the UI tests, and a notification daemon (dunst) on
  the first bus and that X server.

Everything lives under one temporary directory and stops with the run,
also when a test fails or the run is interrupted: every daemon is told to
die with the process that started it. Two runs never share a port or a
directory.
"""

import ctypes
import json
import os
import pwd
import grp
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HOST = "127.0.0.1"
KEYRING_PASSWORD = "satchel-test-keyring"
MAIL_USER = "vmail"

PR_SET_PDEATHSIG = 1


def die_with_parent_same_group():
    """preexec_fn: the child gets SIGTERM when the starting process dies."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _die_with_parent():
    """preexec_fn for daemons: as above, in a process group of their own so
    that stop_process() can end the daemon with its children."""
    die_with_parent_same_group()
    os.setsid()


def _remove_stale_run_dirs():
    """Run directories left by runs that were killed (SIGKILL leaves no
    chance to clean up): their owner process is gone."""
    base = "/tmp"
    for name in os.listdir(base):
        path = os.path.join(base, name)
        if not name.startswith("satchel-t-"):
            continue
        try:
            with open(os.path.join(path, "owner.pid")) as f:
                pid = int(f.read())
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except (OSError, ValueError):
            pass


def free_ports(n):
    """n distinct ports that were free a moment ago."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((HOST, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def wait_for_port(port, proc=None, timeout=15.0, what="server"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection((HOST, port), timeout=1.0):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} is not listening on port {port} after {timeout} s")


def run_quiet(argv, **kwargs):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)


class Certificates:
    """A CA and a leaf for localhost/127.0.0.1 signed by it; a self-signed
    leaf and a second leaf from another CA, for certificate tests."""

    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        self.ca = os.path.join(directory, "ca.pem")
        self.ca_key = os.path.join(directory, "ca-key.pem")
        self.cert = os.path.join(directory, "server.pem")
        self.key = os.path.join(directory, "server-key.pem")
        self.selfsigned = os.path.join(directory, "selfsigned.pem")
        self.selfsigned_key = os.path.join(directory, "selfsigned-key.pem")

    def make(self):
        ext = os.path.join(self.dir, "leaf.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:127.0.0.1\n"
                    "basicConstraints=critical,CA:FALSE\n"
                    "keyUsage=critical,digitalSignature,keyEncipherment\n"
                    "extendedKeyUsage=serverAuth\n")
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        run_quiet(["openssl", "req", "-x509", *ec, "-keyout", self.ca_key, "-out", self.ca,
                   "-days", "30", "-subj", "/O=Satchel tests/CN=Satchel Test CA",
                   "-addext", "basicConstraints=critical,CA:TRUE",
                   "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        csr = os.path.join(self.dir, "server.csr")
        run_quiet(["openssl", "req", "-new", *ec, "-keyout", self.key, "-out", csr,
                   "-subj", "/O=Satchel tests/CN=localhost"])
        run_quiet(["openssl", "x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key,
                   "-CAcreateserial", "-out", self.cert, "-days", "30", "-extfile", ext])
        run_quiet(["openssl", "req", "-x509", *ec, "-keyout", self.selfsigned_key,
                   "-out", self.selfsigned, "-days", "30",
                   "-subj", "/O=Satchel tests/CN=localhost (self-signed)",
                   "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:127.0.0.1"])
        for path in (self.key, self.selfsigned_key, self.ca_key):
            os.chmod(path, 0o640)
        return self


class Dovecot:
    def __init__(self, run_dir, certs):
        self.run_dir = run_dir
        self.certs = certs
        self.base = os.path.join(run_dir, "dv")          # short: socket paths <= 108 bytes
        self.conf = os.path.join(run_dir, "dovecot.conf")
        self.passwd = os.path.join(run_dir, "passwd")
        self.mail = os.path.join(run_dir, "mail")
        self.log = os.path.join(run_dir, "dovecot.log")
        self.proc = None
        (self.imap_port, self.imaps_port, self.pop3_port,
         self.pop3s_port) = free_ports(4)

    def _users(self):
        """The system users Dovecot runs as, and owns the mail as."""
        if os.geteuid() != 0:
            me = pwd.getpwuid(os.geteuid()).pw_name
            return me, me, me, os.geteuid(), os.getegid()
        try:
            entry = pwd.getpwnam(MAIL_USER)
        except KeyError:
            run_quiet(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                       "--shell", "/usr/sbin/nologin", MAIL_USER])
            entry = pwd.getpwnam(MAIL_USER)
        return "dovecot", "dovenull", MAIL_USER, entry.pw_uid, entry.pw_gid

    def write_config(self):
        internal, login, mail_user, self.uid, self.gid = self._users()
        os.makedirs(self.base, exist_ok=True)
        os.makedirs(self.mail, exist_ok=True)
        os.chown(self.mail, self.uid, self.gid)
        open(self.passwd, "a").close()
        os.chmod(self.passwd, 0o644)
        special = "\n".join(
            f"  mailbox {name} {{\n    special_use = \\{use}\n    auto = subscribe\n  }}"
            for name, use in (("Drafts", "Drafts"), ("Sent", "Sent"), ("Trash", "Trash"),
                              ("Junk", "Junk"), ("Archive", "Archive")))
        config = f"""# Generated for one Satchel test run.
base_dir = {self.base}
state_dir = {self.base}/state
instance_name = satchel-test-{os.getpid()}-{self.imap_port}
protocols = imap pop3
listen = {HOST}
log_path = {self.log}
info_log_path = {self.log}
ssl = yes
ssl_cert = <{self.certs.cert}
ssl_key = <{self.certs.key}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
auth_cache_size = 0
default_internal_user = {internal}
default_login_user = {login}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name}
mail_uid = {self.uid}
mail_gid = {self.gid}
first_valid_uid = {self.uid}
first_valid_gid = {self.gid}
mail_location = maildir:{self.mail}/%u:LAYOUT=fs
mail_max_userip_connections = 1000
mail_plugins = $mail_plugins
pop3_uidl_format = %08Xu%08Xv
imap_capability = +IDLE
# Users added with a password of their own (mailctl.adduser), then every
# other user name with the password "pw-" + name (mailctl.new_user), which
# needs no file change and so no wait for Dovecot to read the file again.
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.passwd}
}}
passdb {{
  driver = static
  args = password=pw-%u
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={self.mail}/%u allow_all_users=yes
}}
namespace inbox {{
  inbox = yes
  separator = /
{special}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {HOST}
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {self.imaps_port}
    ssl = yes
  }}
}}
service pop3-login {{
  chroot =
  inet_listener pop3 {{
    address = {HOST}
    port = {self.pop3_port}
  }}
  inet_listener pop3s {{
    address = {HOST}
    port = {self.pop3s_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  # No "auth penalty" (a growing delay after each failed login from an
  # address): the tests try many wrong passwords from loopback on purpose.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
protocol imap {{
  mail_plugins = $mail_plugins imap_zlib
}}
"""
        with open(self.conf, "w") as f:
            f.write(config)
        return self

    def start(self, env):
        logf = open(os.path.join(self.run_dir, "dovecot.out"), "wb")
        self.proc = subprocess.Popen(["dovecot", "-F", "-c", self.conf],
                                     stdin=subprocess.DEVNULL, stdout=logf, stderr=logf,
                                     preexec_fn=_die_with_parent, env=env)
        for port in (self.imap_port, self.imaps_port, self.pop3_port, self.pop3s_port):
            wait_for_port(port, self.proc, what="Dovecot")
        return self

    def stop(self):
        stop_process(self.proc)
        # A test may have restarted Dovecot itself (mailctl.start_dovecot):
        # that one is not our child, so stop it through its own config.
        subprocess.run(["doveadm", "-c", self.conf, "stop"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)


class SmtpServer:
    def __init__(self, run_dir, certs, passwd):
        self.run_dir = run_dir
        self.certs = certs
        self.passwd = passwd
        self.spool = os.path.join(run_dir, "smtp")
        self.submission_port, self.smtps_port, self.plain_port = free_ports(3)
        self.proc = None

    def start(self, env):
        os.makedirs(self.spool, exist_ok=True)
        logf = open(os.path.join(self.run_dir, "smtp.log"), "wb")
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(HERE, "smtp-server.py"),
             "--spool", self.spool, "--passwd", self.passwd,
             "--cert", self.certs.cert, "--key", self.certs.key,
             "--submission-port", str(self.submission_port),
             "--smtps-port", str(self.smtps_port),
             "--plain-port", str(self.plain_port)],
            stdin=subprocess.DEVNULL, stdout=logf, stderr=logf,
            preexec_fn=_die_with_parent, env=env)
        for port in (self.submission_port, self.smtps_port, self.plain_port):
            wait_for_port(port, self.proc, what="the SMTP server")
        return self

    def stop(self):
        stop_process(self.proc)


class SessionBus:
    """A private D-Bus session bus. It activates nothing, so that no stray
    keyring daemon can start and wait on a prompt."""

    def __init__(self, run_dir, name):
        self.run_dir = run_dir
        self.name = name
        self.socket = os.path.join(run_dir, f"{name}.sock")
        self.address = f"unix:path={self.socket}"
        self.proc = None

    def start(self, env):
        conf = os.path.join(self.run_dir, f"{self.name}.conf")
        with open(conf, "w") as f:
            f.write(f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>{self.address}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
""")
        self.proc = subprocess.Popen(["dbus-daemon", "--nofork", f"--config-file={conf}"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent,
                                     env=env)
        deadline = time.monotonic() + 10
        while not os.path.exists(self.socket):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dbus-daemon for {self.name} did not start")
            time.sleep(0.02)
        return self

    def stop(self):
        stop_process(self.proc)


class Keyring:
    def __init__(self, run_dir, bus):
        self.run_dir = run_dir
        self.bus = bus
        self.proc = None

    def start(self, env):
        env = dict(env, DBUS_SESSION_BUS_ADDRESS=self.bus.address)
        self.proc = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.run_dir, "keyring.log"), "wb"),
            preexec_fn=_die_with_parent, env=env)
        self.proc.stdin.write(KEYRING_PASSWORD.encode())
        self.proc.stdin.close()
        wait_for_bus_name(env, "org.freedesktop.secrets", self.proc, "gnome-keyring-daemon")
        return self

    def stop(self):
        stop_process(self.proc)


def wait_for_bus_name(env, name, proc, what, timeout=15.0):
    """Waits until @name has an owner on the session bus of @env."""
    deadline = time.monotonic() + timeout
    while True:
        out = subprocess.run(
            ["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
             "--object-path", "/org/freedesktop/DBus",
             "--method", "org.freedesktop.DBus.NameHasOwner", name],
            env=env, capture_output=True, text=True)
        if "true" in out.stdout:
            return
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not take {name}")
        time.sleep(0.05)


class Notifications:
    """dunst, a real notification daemon, on the session bus and the X
    server: what the desktop shows of Satchel's notifications
    (`dunstctl history` lists them)."""

    def __init__(self, run_dir, bus, display):
        self.run_dir = run_dir
        self.bus = bus
        self.display = display
        self.proc = None

    def start(self, env):
        env = dict(env, DBUS_SESSION_BUS_ADDRESS=self.bus.address, DISPLAY=self.display)
        conf = os.path.join(self.run_dir, "dunstrc")
        with open(conf, "w") as f:
            # Kept, not timed out, so that the tests can read them back.
            f.write("[global]\n    sticky_history = yes\n    history_length = 100\n"
                    "[urgency_normal]\n    timeout = 0\n")
        self.proc = subprocess.Popen(
            ["dunst", "-config", conf], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.run_dir, "dunst.log"), "wb"),
            preexec_fn=_die_with_parent, env=env)
        wait_for_bus_name(env, "org.freedesktop.Notifications", self.proc, "dunst")
        return self

    def stop(self):
        stop_process(self.proc)


class XServer:
    def __init__(self, run_dir):
        self.run_dir = run_dir
        self.display = None
        self.proc = None

    def start(self, env):
        read_fd, write_fd = os.pipe()
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24",
             "-nolisten", "tcp", "-noreset"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.run_dir, "xvfb.log"), "wb"),
            pass_fds=(write_fd,), preexec_fn=_die_with_parent, env=env)
        os.close(write_fd)
        number = b""
        deadline = time.monotonic() + 15
        while not number.endswith(b"\n"):
            if time.monotonic() > deadline:
                raise RuntimeError("Xvfb did not start")
            chunk = os.read(read_fd, 16)
            if not chunk:
                raise RuntimeError("Xvfb exited before it chose a display")
            number += chunk
        os.close(read_fd)
        self.display = ":" + number.decode().strip()
        return self

    def stop(self):
        stop_process(self.proc)


def stop_process(proc, timeout=10):
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class TestServers:
    def __init__(self, with_x=True):
        self.with_x = with_x
        _remove_stale_run_dirs()
        self.run_dir = tempfile.mkdtemp(prefix="satchel-t-", dir="/tmp")
        with open(os.path.join(self.run_dir, "owner.pid"), "w") as f:
            f.write(str(os.getpid()))
        # Dovecot's mail processes run as another user and must reach the
        # mail directory below this one.
        os.chmod(self.run_dir, 0o755)
        self.parts = []
        self.env = {}

    def start(self):
        base_env = dict(os.environ)
        home = os.path.join(self.run_dir, "home")
        runtime = os.path.join(self.run_dir, "runtime")
        for d in (home, runtime):
            os.makedirs(d, mode=0o700, exist_ok=True)
        base_env.update(HOME=home, XDG_RUNTIME_DIR=runtime,
                        XDG_DATA_HOME=os.path.join(home, ".local", "share"),
                        XDG_CONFIG_HOME=os.path.join(home, ".config"),
                        XDG_CACHE_HOME=os.path.join(home, ".cache"))

        certs = Certificates(os.path.join(self.run_dir, "certs")).make()
        dovecot = Dovecot(self.run_dir, certs).write_config()
        self.parts.append(dovecot.start(base_env))
        smtp = SmtpServer(self.run_dir, certs, dovecot.passwd)
        self.parts.append(smtp.start(base_env))
        bus = SessionBus(self.run_dir, "bus")
        self.parts.append(bus.start(base_env))
        bare = SessionBus(self.run_dir, "bare-bus")
        self.parts.append(bare.start(base_env))
        self.parts.append(Keyring(self.run_dir, bus).start(base_env))

        env = {
            "SATCHEL_TEST_SERVERS": "1",
            "SATCHEL_TEST_DIR": self.run_dir,
            "SATCHEL_TEST_HOST": HOST,
            "SATCHEL_TEST_CA": certs.ca,
            "SATCHEL_TEST_CERT": certs.cert,
            "SATCHEL_TEST_SELFSIGNED_CERT": certs.selfsigned,
            "SATCHEL_TEST_SELFSIGNED_KEY": certs.selfsigned_key,
            "SATCHEL_TEST_IMAP_PORT": str(dovecot.imap_port),
            "SATCHEL_TEST_IMAPS_PORT": str(dovecot.imaps_port),
            "SATCHEL_TEST_POP3_PORT": str(dovecot.pop3_port),
            "SATCHEL_TEST_POP3S_PORT": str(dovecot.pop3s_port),
            "SATCHEL_TEST_SMTP_PORT": str(smtp.submission_port),
            "SATCHEL_TEST_SMTPS_PORT": str(smtp.smtps_port),
            "SATCHEL_TEST_SMTP_PLAIN_PORT": str(smtp.plain_port),
            "SATCHEL_TEST_SMTP_SPOOL": smtp.spool,
            "SATCHEL_TEST_DOVECOT_CONF": dovecot.conf,
            "SATCHEL_TEST_PASSWD": dovecot.passwd,
            "SATCHEL_TEST_MAIL_DIR": dovecot.mail,
            "SATCHEL_TEST_MAIL_UID": str(dovecot.uid),
            "SATCHEL_TEST_MAIL_GID": str(dovecot.gid),
            "SATCHEL_TEST_MAILCTL": os.path.join(HERE, "mailctl"),
            "SATCHEL_TEST_BARE_BUS_ADDRESS": bare.address,
            "DBUS_SESSION_BUS_ADDRESS": bus.address,
            "HOME": home,
            "XDG_RUNTIME_DIR": runtime,
            "XDG_DATA_HOME": base_env["XDG_DATA_HOME"],
            "XDG_CONFIG_HOME": base_env["XDG_CONFIG_HOME"],
            "XDG_CACHE_HOME": base_env["XDG_CACHE_HOME"],
        }
        if self.with_x:
            x = XServer(self.run_dir).start(base_env)
            self.parts.append(x)
            env["DISPLAY"] = x.display
            self.parts.append(Notifications(self.run_dir, bus, x.display).start(base_env))
            env["GSK_RENDERER"] = "cairo"
            env["GDK_BACKEND"] = "x11"
        self.env = env
        with open(os.path.join(self.run_dir, "env"), "w") as f:
            for key, value in env.items():
                f.write(f"export {key}='{value}'\n")
        with open(os.path.join(self.run_dir, "env.json"), "w") as f:
            json.dump(env, f, indent=1)
        return self

    def stop(self, keep=False):
        for part in reversed(self.parts):
            try:
                part.stop()
            except Exception as e:  # keep stopping the others
                print(f"satchel-test-servers: stopping {type(part).__name__}: {e}",
                      file=sys.stderr)
        self.parts = []
        if keep:
            print(f"satchel-test-servers: kept {self.run_dir}", file=sys.stderr)
        else:
            shutil.rmtree(self.run_dir, ignore_errors=True)
