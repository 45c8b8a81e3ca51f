#!/usr/bin/env python3
"""Mailbox access benchmark (issue 4, "Performance"); run by mailbox_bench.sh.

    python3 bench/mailbox_bench.py --maillab bin/maillab [--count 50000]
            [--runs 3] [--large-body 4096] [--dovecot auto|yes|no]
            [--port-base N] [--keep DIR]

One mbox of COUNT messages shaped like Postfix local(8) deliveries is
written once and copied, byte for byte, into

  * a fresh lab root (`maillab init --world centos`), as alice's mbox
    (hosts/centos.localdomain/var/mail/alice), served by
    `maillab serve --stdio imap|pop3` behind socat on a loopback port;
  * when Dovecot is installed (dovecot-imapd and dovecot-pop3d), a private
    Dovecot instance of our own (its own config, base_dir and log, listening
    on 127.0.0.1 only, non-standard ports, passwd-file users, Debian's
    mail_location shape mbox:~/mail:INBOX=<dir>/var/mail/%u), stopped by
    its PID at the end.

Each measurement is one new connection driven by Python's imaplib/poplib,
timed from connect to the end of the last reply (LOGOUT / QUIT):

  imap-flags   LOGIN, SELECT INBOX, FETCH 1:* (FLAGS), LOGOUT
  imap-size    LOGIN, SELECT INBOX, UID FETCH 1:* (RFC822.SIZE), LOGOUT
  pop3-list    USER, PASS, STAT, LIST, QUIT

Per run (the plan of the reference's perf/imap_bench.py): cold, imap-flags
(cold), imap-flags (warm), imap-size (warm1: the first time sizes are asked
after a FLAGS-only session), imap-size (warm), cold, imap-size (cold), cold,
pop3-list (cold), pop3-list (warm). "Cold" = the mbox replaced by the
pristine copy (no X-UID headers: never seen by a server), the server's index
removed, `sync` and the page cache dropped (when /proc/sys/vm/drop_caches is
writable; the output says when it is not). Medians over RUNS runs.

Memory: the peak RSS (VmHWM in /proc/PID/status) of the server process is
read just before LOGOUT/QUIT. A second mailbox with the same COUNT of
messages but bodies of LARGE_BODY bytes shows whether it grows with bodies.

Nothing here is a pass/fail test: it prints figures (and ratios
ours/Dovecot when Dovecot ran). Without Dovecot it prints the reference's
published Dovecot figures for 20,000 messages as context.
"""
import argparse
import imaplib
import os
import platform
import poplib
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HOST = "centos.localdomain"
USER = "alice"
PASSWORD = "alicepw"

# The reference's published Dovecot 2.3.19 figures (reference/README.md,
# "Performance baseline" (b); perf/results/imap-pop3.txt): 20,000 messages,
# 14,251,266 bytes, 2 cores, medians of 3, seconds.
REFERENCE_DOVECOT_20K = [
    ("imap-flags", "cold", 1.873), ("imap-flags", "warm", 0.231),
    ("imap-size", "warm1", 1.026), ("imap-size", "warm", 0.235),
    ("imap-size", "cold", 2.850), ("pop3-list", "cold", 2.869),
    ("pop3-list", "warm", 0.261),
]

# ---------------------------------------------------------------- the mbox

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec")


def write_mbox(path, count, body_bytes):
    """Writes COUNT deliveries in Postfix local(8)'s mbox layout (From_
    line, Return-Path, X-Original-To, Delivered-To, Received, then the
    message) to PATH. Nothing random: the same arguments give the same
    bytes. body_bytes = 0: a three-line body (about 600 bytes a message);
    otherwise the body is padded with 72-character lines to about that
    size. Returns the file's size."""
    rcpt = "%s@%s" % (USER, HOST)
    t0 = 1672653600  # 2023-01-02 10:00:00 UTC, a Monday
    pad_line = ("The quick brown fox jumps over the lazy dog; "
                "padding for the benchmark.\n")
    pad_line = pad_line[:71] + "\n"
    out = []
    size = 0
    with open(path, "wb") as f:
        for i in range(1, count + 1):
            t = time.gmtime(t0 + 37 * i)
            day, mon = DAYS[t.tm_wday], MONTHS[t.tm_mon - 1]
            clock = "%02d:%02d:%02d" % (t.tm_hour, t.tm_min, t.tm_sec)
            sender = "sender%02d@%s" % (i % 50, HOST)
            rfc = "%s, %d %s %d %s +0000" % (day, t.tm_mday, mon, t.tm_year,
                                             clock)
            body = ("This is message number %d of the mailbox benchmark.\n"
                    "It gives IMAP and POP3 something to list.\n"
                    "A third line, for a realistic small size.\n" % i)
            if body_bytes > len(body):
                n = (body_bytes - len(body)) // len(pad_line)
                body += pad_line * n
            out.append(
                "From %s  %s %s %2d %s %d\n"
                "Return-Path: <%s>\n"
                "X-Original-To: %s\n"
                "Delivered-To: %s\n"
                "Received: from localhost (localhost [127.0.0.1])\n"
                "\tby %s (Postfix) with ESMTP id %011X\n"
                "\tfor <%s>; %s (UTC)\n"
                "From: Sender %02d <%s>\n"
                "To: <%s>\n"
                "Subject: benchmark message %d\n"
                "Date: %s\n"
                "Message-ID: <bench%d@%s>\n"
                "\n%s\n" % (
                    sender, day, mon, t.tm_mday, clock, t.tm_year,
                    sender, rcpt, rcpt, HOST, 0x10000000000 + i, rcpt, rfc,
                    i % 50, sender, rcpt, i, rfc, i, HOST, body))
            if len(out) >= 2000:
                data = "".join(out).encode()
                f.write(data)
                size += len(data)
                out = []
        data = "".join(out).encode()
        f.write(data)
        size += len(data)
    return size

# ---------------------------------------------------------------- helpers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def children(pid):
    """Every descendant PID of pid (through /proc/PID/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir("/proc/%d/task" % p)
        except OSError:
            continue
        for t in tasks:
            try:
                with open("/proc/%d/task/%s/children" % (p, t)) as f:
                    kids = [int(x) for x in f.read().split()]
            except OSError:
                continue
            out.extend(kids)
            todo.extend(kids)
    return out


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def vm_hwm_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def drop_caches():
    """sync, then drop the page cache if we may. True when dropped."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False

# ---------------------------------------------------------------- servers


class Server:
    """A server under test: ports, how to make it cold, which process
    serves the session (for its peak RSS)."""
    name = "?"
    imap_port = pop3_port = 0

    def cold(self):
        raise NotImplementedError

    def session_pid(self, proto):
        raise NotImplementedError

    def stop(self):
        pass


def stdio_available(maillab, root, proto):
    """Whether `serve --stdio PROTO` is in this build: with no input a
    server greets and ends; an older build says it is not available."""
    r = subprocess.run([maillab, "--root", root, "serve", "--stdio", proto,
                        "--host", HOST], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=30)
    return r.returncode == 0 and r.stdout[:1] in (b"*", b"+")


def ports_free(ports):
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


class Maillab(Server):
    """Our server: `serve --stdio` behind socat (one process per
    connection, as inetd would run it), else the listener (one process for
    every connection: its peak RSS is over the whole run)."""
    name = "maillab"

    def __init__(self, maillab, work, mbox_src, port_base):
        self.maillab = maillab
        self.root = os.path.join(work, "lab")
        self.mbox_src = mbox_src
        subprocess.run([maillab, "--root", self.root, "init", "--world",
                        "centos"], check=True, stdout=subprocess.DEVNULL)
        hostdir = os.path.join(self.root, "hosts", HOST)
        self.mbox = os.path.join(hostdir, "var", "mail", USER)
        # mail_location mbox:~/mail:INBOX=/var/mail/%u (docs/store.md):
        # the index is ~/mail/.imap/INBOX/maillab.index
        self.index_dir = os.path.join(hostdir, "home", USER, "mail", ".imap")
        self.socats = {}
        self.listener = None
        self.how = {}
        for proto in ("imap", "pop3"):
            if not stdio_available(maillab, self.root, proto):
                continue
            port = port_base + (0 if proto == "imap" else 1) if port_base \
                else free_port()
            cmd = "%s --root %s serve --stdio %s --host %s" % (
                maillab, self.root, proto, HOST)
            # nodelay and 64 KB blocks: socat relays as Dovecot writes
            # its sockets (TCP_NODELAY/cork), not 8 KB at a time with
            # Nagle holding back the last segment of a reply
            p = subprocess.Popen(
                ["socat", "-b", "65536",
                 "TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork,nodelay"
                 % port, "EXEC:%s" % cmd], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.socats[proto] = p
            if not wait_port(port):
                raise RuntimeError("socat on port %d did not start" % port)
            setattr(self, proto + "_port", port)
            self.how[proto] = "serve --stdio %s behind socat" % proto
        if len(self.socats) < 2:
            self.start_listener()

    def start_listener(self):
        """The listener serves what serve --stdio does not (yet)."""
        wanted = (25, 110, 143, 465, 587, 993, 995)
        for offset in range(21000, 60000, 997):
            if ports_free([p + offset for p in wanted]):
                break
        else:
            return
        self.listener = subprocess.Popen(
            [self.maillab, "--root", self.root, "listen", "--host", HOST,
             "--port-offset", str(offset)], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for proto, port in (("imap", 143), ("pop3", 110)):
            if proto in self.socats:
                continue
            if wait_port(port + offset, 5):
                setattr(self, proto + "_port", port + offset)
                self.how[proto] = "the listener (listen --port-offset)"

    def cold(self):
        shutil.copyfile(self.mbox_src, self.mbox)
        shutil.rmtree(self.index_dir, ignore_errors=True)
        return drop_caches()

    def session_pid(self, proto):
        if proto not in self.socats:
            return self.listener.pid if self.listener else None
        for pid in children(self.socats[proto].pid):
            if comm(pid) == "maillab":
                return pid
        return None

    def stop(self):
        procs = list(self.socats.values())
        if self.listener is not None:
            procs.append(self.listener)
        for p in procs:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


DOVECOT_CONF = """\
# maillab bench: a private Dovecot on loopback only
base_dir = {work}/run
state_dir = {work}/state
instance_name = maillab-bench
log_path = {work}/dovecot.log
info_log_path = {work}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = mbox:~/mail:INBOX={work}/var/mail/%u
mail_privileged_group =
first_valid_uid = 1
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = scheme=SHA512-CRYPT {work}/users
}}
userdb {{
  driver = passwd-file
  args = {work}/users
}}
service imap-login {{
  inet_listener imap {{
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3_port}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
"""


class Dovecot(Server):
    name = "dovecot"

    def __init__(self, work, mbox_src, port_base):
        self.work = os.path.join(work, "dovecot")
        self.mbox_src = mbox_src
        self.imap_port = port_base + 2 if port_base else free_port()
        self.pop3_port = port_base + 3 if port_base else free_port()
        w = self.work
        for d in ("run", "state", "var/mail", "home/" + USER):
            os.makedirs(os.path.join(w, d), exist_ok=True)
        # the mail user is nobody: Dovecot will not run mail as root
        uid, gid = 65534, 65534
        for d in (work, w):
            os.chmod(d, 0o755)
        for d in ("var", "var/mail", "home", "home/" + USER):
            os.chown(os.path.join(w, d), uid, gid)
        self.mbox = os.path.join(w, "var", "mail", USER)
        self.index_dir = os.path.join(w, "home", USER, "mail", ".imap")
        pw = subprocess.run(["doveadm", "pw", "-s", "SHA512-CRYPT", "-p",
                             PASSWORD], check=True, capture_output=True,
                            text=True).stdout.strip()
        with open(os.path.join(w, "users"), "w") as f:
            f.write("%s:%s:%d:%d::%s/home/%s::\n" % (USER, pw, uid, gid, w,
                                                     USER))
        conf = os.path.join(w, "dovecot.conf")
        with open(conf, "w") as f:
            f.write(DOVECOT_CONF.format(work=w, imap_port=self.imap_port,
                                        pop3_port=self.pop3_port))
        self.conf = conf
        self.cold()
        subprocess.run(["dovecot", "-c", conf], check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        self.pid = None
        pidfile = os.path.join(w, "run", "master.pid")
        end = time.monotonic() + 10
        while self.pid is None and time.monotonic() < end:
            try:
                with open(pidfile) as f:
                    self.pid = int(f.read())
            except (OSError, ValueError):
                time.sleep(0.05)
        if self.pid is None:
            raise RuntimeError("Dovecot did not start (see %s/dovecot.log)"
                               % w)
        if not (wait_port(self.imap_port) and wait_port(self.pop3_port)):
            self.stop()
            raise RuntimeError("Dovecot did not start (see %s/dovecot.log)"
                               % w)

    def cold(self):
        shutil.copyfile(self.mbox_src, self.mbox)
        os.chown(self.mbox, 65534, 65534)
        os.chmod(self.mbox, 0o600)
        shutil.rmtree(self.index_dir, ignore_errors=True)
        return drop_caches()

    def session_pid(self, proto):
        # the post-login process ("imap", "pop3") serving the user
        for pid in children(self.pid):
            if comm(pid) == proto:
                return pid
        return None

    def stop(self):
        try:
            os.kill(self.pid, signal.SIGTERM)
        except OSError:
            return
        end = time.monotonic() + 10
        while time.monotonic() < end and os.path.exists("/proc/%d" % self.pid):
            time.sleep(0.05)

# ---------------------------------------------------------------- sessions


class Lean:
    """A lean client: bytes in, one readline() per response line, so
    that the figures are the server's and not the client's (imaplib spends
    about 10 us of Python per FETCH line, as much as a server). What the
    reference's perf/imap_bench.py measured Dovecot with."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=600)
        self.f = self.s.makefile("rb", buffering=1 << 20)
        self.lines = 0

    def line(self):
        line = self.f.readline()
        if not line:
            raise EOFError("the server closed the connection")
        self.lines += 1
        return line

    def send(self, data):
        self.s.sendall(data)

    def imap(self, tag, cmd):
        """Sends a command; returns the untagged lines (literals skipped)."""
        self.send(tag + b" " + cmd + b"\r\n")
        out = []
        while True:
            line = self.line()
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise RuntimeError(line)
                return out
            out.append(line)
            s = line.rstrip()
            if s.endswith(b"}") and b"{" in s:
                n = int(s[s.rindex(b"{") + 1:-1].rstrip(b"+"))
                self.f.read(n)

    def pop3(self, cmd, multi=False):
        self.send(cmd + b"\r\n")
        first = self.line()
        if not first.startswith(b"+OK"):
            raise RuntimeError(first)
        out = []
        while multi:
            line = self.line()
            if line == b".\r\n":
                break
            out.append(line)
        return first, out

    def close(self):
        self.f.close()
        self.s.close()


def imap_lean(srv, fetch):
    t0 = time.perf_counter()
    c = Lean(srv.imap_port)
    c.line()
    c.imap(b"a1", b"LOGIN " + USER.encode() + b" " + PASSWORD.encode())
    t_login = time.perf_counter()
    exists = None
    for line in c.imap(b"a2", b"SELECT INBOX"):
        if line.endswith(b" EXISTS\r\n"):
            exists = int(line.split()[1])
    t_select = time.perf_counter()
    cmd = b"FETCH 1:* (FLAGS)" if fetch == "flags" else \
        b"UID FETCH 1:* (RFC822.SIZE)"
    items = sum(1 for line in c.imap(b"a3", cmd)
                if line.startswith(b"* ") and b" FETCH " in line)
    t_fetch = time.perf_counter()
    pid = srv.session_pid("imap")
    hwm = vm_hwm_kib(pid) if pid else None
    c.imap(b"a4", b"LOGOUT")
    t1 = time.perf_counter()
    c.close()
    if items != exists:
        raise RuntimeError("FETCH gave %d items, EXISTS %r" % (items, exists))
    return {"total": t1 - t0, "login": t_login - t0,
            "select": t_select - t_login, "list": t_fetch - t_select,
            "items": items, "hwm": hwm}


def pop3_lean(srv):
    t0 = time.perf_counter()
    c = Lean(srv.pop3_port)
    c.line()
    c.pop3(b"USER " + USER.encode())
    c.pop3(b"PASS " + PASSWORD.encode())
    t_login = time.perf_counter()
    stat, _ = c.pop3(b"STAT")
    n = int(stat.split()[1])
    _, lines = c.pop3(b"LIST", multi=True)
    t_list = time.perf_counter()
    pid = srv.session_pid("pop3")
    hwm = vm_hwm_kib(pid) if pid else None
    c.pop3(b"QUIT")
    t1 = time.perf_counter()
    c.close()
    if len(lines) != n:
        raise RuntimeError("LIST gave %d lines, STAT %d" % (len(lines), n))
    return {"total": t1 - t0, "login": t_login - t0, "select": 0.0,
            "list": t_list - t_login, "items": n, "hwm": hwm}


def imap_lib(srv, fetch):
    """The same session through Python's imaplib (a real client)."""
    t0 = time.perf_counter()
    c = imaplib.IMAP4("127.0.0.1", srv.imap_port, timeout=600)
    c.login(USER, PASSWORD)
    t_login = time.perf_counter()
    typ, data = c.select("INBOX")
    if typ != "OK":
        raise RuntimeError("SELECT: %r" % data)
    exists = int(data[0])
    t_select = time.perf_counter()
    if fetch == "flags":
        typ, data = c.fetch("1:*", "(FLAGS)")
    else:
        typ, data = c.uid("FETCH", "1:*", "(RFC822.SIZE)")
    if typ != "OK":
        raise RuntimeError("FETCH: %r" % data[:1])
    items = len(data)
    t_fetch = time.perf_counter()
    pid = srv.session_pid("imap")
    hwm = vm_hwm_kib(pid) if pid else None
    c.logout()
    t1 = time.perf_counter()
    if items != exists:
        raise RuntimeError("FETCH gave %d items, EXISTS %d" % (items, exists))
    return {"total": t1 - t0, "login": t_login - t0,
            "select": t_select - t_login, "list": t_fetch - t_select,
            "items": items, "hwm": hwm}


def pop3_lib(srv):
    """The same session through Python's poplib."""
    t0 = time.perf_counter()
    c = poplib.POP3("127.0.0.1", srv.pop3_port, timeout=600)
    c.user(USER)
    c.pass_(PASSWORD)
    t_login = time.perf_counter()
    n, _ = c.stat()
    resp, lines, _ = c.list()
    t_list = time.perf_counter()
    pid = srv.session_pid("pop3")
    hwm = vm_hwm_kib(pid) if pid else None
    c.quit()
    t1 = time.perf_counter()
    if len(lines) != n:
        raise RuntimeError("LIST gave %d lines, STAT %d" % (len(lines), n))
    return {"total": t1 - t0, "login": t_login - t0, "select": 0.0,
            "list": t_list - t_login, "items": n, "hwm": hwm}


PLAN = [
    ("imap-flags", "cold", True, lambda s: imap_lean(s, "flags")),
    ("imap-flags", "warm", False, lambda s: imap_lean(s, "flags")),
    ("imap-size", "warm1", False, lambda s: imap_lean(s, "size")),
    ("imap-size", "warm", False, lambda s: imap_lean(s, "size")),
    ("imap-size", "cold", True, lambda s: imap_lean(s, "size")),
    ("pop3-list", "cold", True, pop3_lean),
    ("pop3-list", "warm", False, pop3_lean),
]

# The same warm sessions through imaplib and poplib, once per run.
PLAN_LIB = [
    ("imaplib-flags", "warm", False, lambda s: imap_lib(s, "flags")),
    ("imaplib-size", "warm", False, lambda s: imap_lib(s, "size")),
    ("poplib-list", "warm", False, pop3_lib),
]


def fmt_kib(k):
    return "%d" % k if k is not None else "-"


def run_plan(servers, runs, plan, verbose):
    """Every step of the plan on each server in turn (so that both see
    the machine in the same state: other load comes and goes), runs
    times. Returns {server name: {(test, state): medians}} and whether
    every cold step could drop the page cache."""
    res = {srv.name: {} for srv in servers}
    dropped = True
    if verbose:
        print("%-8s %-3s %-13s %-5s %8s %8s %8s %8s %7s %9s" % (
            "server", "run", "test", "state", "total_s", "login_s",
            "select_s", "list_s", "items", "hwm_KiB"))
    for r in range(1, runs + 1):
        for name, state, need_cold, fn in plan:
            proto = "pop3" if name.startswith("pop") else "imap"
            for srv in servers:
                if not getattr(srv, proto + "_port"):
                    continue
                if need_cold:
                    dropped = srv.cold() and dropped
                m = fn(srv)
                res[srv.name].setdefault((name, state), []).append(m)
                if verbose:
                    print("%-8s %-3d %-13s %-5s %8.3f %8.3f %8.3f %8.3f "
                          "%7d %9s" % (srv.name, r, name, state, m["total"],
                                       m["login"], m["select"], m["list"],
                                       m["items"], fmt_kib(m["hwm"])))
    out = {}
    for label, rs in res.items():
        med = out.setdefault(label, {})
        for key, ms in rs.items():
            med[key] = {k: statistics.median(m[k] for m in ms)
                        for k in ("total", "login", "select", "list")}
            hwms = [m["hwm"] for m in ms if m["hwm"] is not None]
            med[key]["hwm"] = max(hwms) if hwms else None
    return out, dropped


class Canned(Server):
    """No server at all: a thread that answers every command at once with
    the bytes a server would send (the replies of FETCH 1:* (FLAGS) for
    count messages). What the lean client takes then is its own share of
    every figure above, the floor no server can go under."""
    name = "canned"

    def __init__(self, count):
        fetch = b"".join(b"* %d FETCH (FLAGS (\\Seen))\r\n" % i
                         for i in range(1, count + 1))
        self.replies = {
            b"a1": b"a1 OK Logged in\r\n",
            b"a2": b"* %d EXISTS\r\n* 0 RECENT\r\na2 OK Select\r\n" % count,
            b"a3": fetch + b"a3 OK Fetch completed.\r\n",
            b"a4": b"* BYE Logging out\r\na4 OK Logout completed.\r\n",
        }
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(4)
        self.imap_port = self.ls.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                c, _ = self.ls.accept()
            except OSError:
                return
            with c, c.makefile("rb") as f:
                c.sendall(b"* OK ready\r\n")
                for line in f:
                    tag = line.split()[0]
                    c.sendall(self.replies[tag])
                    if tag == b"a4":
                        break

    def session_pid(self, proto):
        return None

    def stop(self):
        self.ls.close()


def client_floor(count, runs):
    srv = Canned(count)
    try:
        ms = [imap_lean(srv, "flags") for _ in range(max(runs, 5))]
    finally:
        srv.stop()
    return statistics.median(m["total"] for m in ms)


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %d cores, %s %s" % (cpu or platform.processor(),
                                    os.cpu_count() or 0, platform.system(),
                                    platform.release())


def dovecot_installed():
    for pkg in ("dovecot-imapd", "dovecot-pop3d"):
        r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg],
                           capture_output=True, text=True)
        if r.returncode != 0 or "install ok installed" not in r.stdout:
            return False
    return shutil.which("dovecot") is not None or \
        os.path.exists("/usr/sbin/dovecot")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--maillab", required=True)
    p.add_argument("--count", type=int, default=50000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--large-body", type=int, default=4096,
                   help="body size of the large-message mailbox (0: skip)")
    p.add_argument("--dovecot", choices=("auto", "yes", "no"),
                   default="auto")
    p.add_argument("--port-base", type=int, default=0,
                   help="ports N..N+3 instead of free ones")
    p.add_argument("--keep", default=None,
                   help="work in this directory and keep it")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print every measurement")
    a = p.parse_args()
    if shutil.which("socat") is None:
        print("mailbox bench: socat is not installed; skipped")
        return 0
    use_dovecot = a.dovecot == "yes" or (a.dovecot == "auto" and
                                        dovecot_installed())
    if use_dovecot and os.geteuid() != 0:
        print("# Dovecot installed but we are not root: not measured")
        use_dovecot = False
    if a.keep:
        work = os.path.abspath(a.keep)
        for sub in ("lab", "dovecot"):
            shutil.rmtree(os.path.join(work, sub), ignore_errors=True)
        os.makedirs(work, exist_ok=True)
    else:
        work = tempfile.mkdtemp(prefix="maillab-mailbox-bench.")
    servers = []
    try:
        t_start = time.monotonic()
        small = os.path.join(work, "small.mbox")
        size = write_mbox(small, a.count, 0)
        print("# mailbox: %d messages, %d bytes (mbox); %s; %s" % (
            a.count, size, machine(),
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
        print("# each figure: one new connection, connect to the last "
              "reply (LOGOUT/QUIT included), median of %d runs, seconds; "
              "imap-*/pop3-*: a lean raw-socket client (the reference's "
              "method), imaplib-*/poplib-*: Python's imaplib/poplib" % a.runs)
        ours = Maillab(a.maillab, work, small, a.port_base)
        servers.append(ours)
        for proto in ("imap", "pop3"):
            print("# maillab %s: %s" % (
                proto, ours.how.get(proto, "not available in this build: "
                                    "not measured")))
        dov = None
        if use_dovecot:
            dov = Dovecot(work, small, a.port_base)
            servers.append(dov)
            ver = subprocess.run(["dovecot", "--version"],
                                 capture_output=True, text=True).stdout
            print("# Dovecot %s measured in the same run (mbox, index "
                  "removed when cold)" % ver.strip())
        meds, dropped = run_plan(servers, a.runs, PLAN + PLAN_LIB,
                                 a.verbose)
        med_ours = meds["maillab"]
        med_dov = meds.get("dovecot")
        if not dropped:
            print("# NOTE: /proc/sys/vm/drop_caches not writable: cold = "
                  "fresh mbox and no index, but the page cache was NOT "
                  "dropped")
        print()
        hdr = "%-13s %-5s %8s %8s %8s %8s %9s" % (
            "test", "state", "total_s", "login_s", "select_s", "list_s",
            "hwm_KiB")
        if med_dov:
            hdr += " %10s %9s %8s" % ("dovecot_s", "dov_hwm", "ours/dov")
        print(hdr)
        for name, state, _, _ in PLAN + PLAN_LIB:
            if (name, state) not in med_ours:
                print("%-13s %-5s %8s" % (name, state, "n/a"))
                continue
            m = med_ours[(name, state)]
            line = "%-13s %-5s %8.3f %8.3f %8.3f %8.3f %9s" % (
                name, state, m["total"], m["login"], m["select"],
                m["list"], fmt_kib(m["hwm"]))
            if med_dov and (name, state) in med_dov:
                d = med_dov[(name, state)]
                line += " %10.3f %9s %8.2f" % (d["total"], fmt_kib(d["hwm"]),
                                               m["total"] / d["total"])
            print(line)
        if med_dov is None:
            print("\n# Dovecot not measured here: for context, the reference's "
                  "Dovecot 2.3.19 with 20,000 messages (14 MB mbox, 2 cores, "
                  "raw-socket client; perf/results/imap-pop3.txt):")
            for name, state, t in REFERENCE_DOVECOT_20K:
                print("%-10s %-5s %8.3f" % (name, state, t))
        floor = client_floor(a.count, a.runs)
        print("\n# the lean client alone (a canned server that answers at "
              "once): imap-flags %.3f s; no server can be timed under "
              "that" % floor)
        if a.large_body > 0:
            large = os.path.join(work, "large.mbox")
            lsize = write_mbox(large, a.count, a.large_body)
            print("\n# memory: the same %d messages with %d-byte bodies "
                  "(%d bytes); peak RSS of the server process (VmHWM)" % (
                      a.count, a.large_body, lsize))
            plan = [PLAN[0], PLAN[1], PLAN[3], PLAN[5]]
            ours.mbox_src = large
            med_large = run_plan([ours], 1, plan, a.verbose)[0]["maillab"]
            print("%-10s %-5s %12s %12s %10s %10s" % (
                "test", "state", "small_KiB", "large_KiB", "small_s",
                "large_s"))
            for name, state, _, _ in plan:
                if (name, state) not in med_large:
                    continue
                s, l = med_ours[(name, state)], med_large[(name, state)]
                print("%-10s %-5s %12s %12s %10.3f %10.3f" % (
                    name, state, fmt_kib(s["hwm"]), fmt_kib(l["hwm"]),
                    s["total"], l["total"]))
        print("\n# mailbox bench took %.0f s" % (time.monotonic() - t_start))
    finally:
        for s in servers:
            s.stop()
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
