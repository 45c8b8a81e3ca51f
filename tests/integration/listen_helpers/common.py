"""Shared by the tests/integration/listen_*.py tests: a lab root, a
listener on a free random loopback port offset (retried when taken), its
announced ports, mail.log, and a stop that always happens."""
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MAILLAB = os.environ.get("MAILLAB", os.path.join(HERE, "../../../bin/maillab"))
ENV = dict(os.environ, LC_ALL="C", LANG="C", LANGUAGE="")

ANNOUNCE = re.compile(r"listening: (\S+) (?:\[([0-9a-f:]+)\]|([0-9.]+)):(\d+) \(real port (\d+)\) for (\S+)")


class Checker:
    def __init__(self):
        self.failures = 0

    def __call__(self, name, cond, detail=""):
        print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)[-1500:]),
              flush=True)
        if not cond:
            self.failures += 1
        return cond

    def exit(self):
        print("%d failed" % self.failures)
        return 1 if self.failures else 0


def make_root(world="centos"):
    tmp = tempfile.mkdtemp(prefix="maillab-listen-")
    root = os.path.join(tmp, "root")
    subprocess.run([MAILLAB, "--root", root, "init", "--world", world], check=True,
                   stdout=subprocess.DEVNULL, env=ENV)
    return tmp, root


def host_dir(root, host):
    return os.path.join(root, "hosts", host)


def mail_log(root, host):
    try:
        with open(os.path.join(host_dir(root, host), "var/log/mail.log"), errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def set_main_cf(root, host, **params):
    """Sets (or, with value None, removes) main.cf lines."""
    path = os.path.join(host_dir(root, host), "etc/postfix/main.cf")
    with open(path) as f:
        lines = f.read().splitlines()
    for name, value in params.items():
        pat = re.compile(r"^\s*%s\s*=" % re.escape(name))
        lines = [l for l in lines if not pat.match(l)]
        if value is not None:
            lines.append("%s = %s" % (name, value))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


class Listener:
    """A running `maillab listen`; ports[(service, addr)] = port."""

    def __init__(self, root, hosts=("centos.localdomain",), extra=(), offset=None,
                 timeout=20):
        self.root = root
        self.proc = None
        self.lines = []
        self.ports = {}
        self.stderr = ""
        for _ in range(20):
            off = offset if offset is not None else random.randrange(20000, 40000)
            args = [MAILLAB, "--root", root, "listen", "--port-offset", str(off)]
            for h in hosts:
                args += ["--host", h]
            args += list(extra)
            p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, env=ENV)
            lines, ready = [], False
            deadline = time.time() + timeout
            while time.time() < deadline:
                line = p.stdout.readline()
                if not line:
                    break
                lines.append(line.rstrip("\n"))
                if "ready (pid" in line:
                    ready = True
                    break
            if ready:
                self.proc, self.lines, self.offset = p, lines, off
                for l in lines:
                    self._add(l)
                # keep reading announcements (reload binds new services)
                self._reader = threading.Thread(target=self._read_rest, daemon=True)
                self._reader.start()
                return
            p.kill()
            p.wait()
            err = p.stderr.read()
            if "Address already in use" not in err or offset is not None:
                raise RuntimeError("listener did not start: %r %r" % (lines, err))
        raise RuntimeError("no free port offset found")

    def _add(self, line):
        m = ANNOUNCE.match(line)
        if m:
            addr = m.group(2) or m.group(3)
            self.ports[(m.group(1), addr)] = int(m.group(4))

    def _read_rest(self):
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            self.lines.append(line)
            self._add(line)

    def port(self, service="smtp", addr="127.0.0.1"):
        return self.ports[(service, addr)]

    @property
    def pid(self):
        return self.proc.pid

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for l in f:
                if l.startswith("VmRSS:"):
                    return int(l.split()[1])
        return 0

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=15):
        """SIGTERM; returns the exit status (None if it had to be killed)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None
        try:
            self.stderr = self.proc.stderr.read()
        except ValueError:
            pass
        return self.proc.returncode

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


def cleanup(tmp):
    shutil.rmtree(tmp, ignore_errors=True)


def run(main):
    """Runs main(check) and exits with its verdict."""
    check = Checker()
    try:
        main(check)
    except Exception as e:  # a crash is a failure, with its story
        import traceback
        traceback.print_exc()
        check("no exception", False, repr(e))
    sys.exit(check.exit())
