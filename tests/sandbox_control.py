# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Start, stop and steer the BILLmanager sandbox from tests (standard library only).

``SandboxControl`` runs ``sandbox/billmanager_sandbox.py`` as a subprocess on
127.0.0.1 and wraps its ``/sandbox/`` control API.  It uses urllib, not
requests, so any test environment (unit, integration, molecule) can import it.

    sandbox = SandboxControl(tmp_path / "state.json").start()
    sandbox.url            # http://127.0.0.1:PORT/billmgr
    sandbox.add_fault("close_after_commit", func="soft.order.param")
    sandbox.calls()        # ["soft.order.param", "soft.edit", ...]
    sandbox.stop()
"""

import json
import os
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.path.join(REPO_ROOT, "sandbox", "billmanager_sandbox.py")
DEFAULT_USERNAME = "reseller"
DEFAULT_PASSWORD = "sandbox-secret"  # the sandbox's built-in user when no config is given


class SandboxError(Exception):
    """The sandbox did not start, or a control call failed."""


class SandboxControl:
    """One sandbox process and its control API.

    ``processing_seconds`` defaults to 0.2 here (the server's own default is
    1.0) so tests that wait for a license key stay fast.  Settings changed
    with ``set_config`` are applied again after ``restart()``: the server
    keeps licenses and balances in its state file, but not its settings.
    """

    def __init__(self, state_path, config_path=None, log_file=None, processing_seconds=0.2,
                 session_ttl=None, tls_cert=None, tls_key=None, username=DEFAULT_USERNAME,
                 password=DEFAULT_PASSWORD, start_timeout=10.0):
        self.state_path = str(state_path)
        self.workdir = os.path.dirname(os.path.abspath(self.state_path))
        self.port_file = self.state_path + ".port"
        self.config_path = str(config_path) if config_path else None
        self.log_file = str(log_file) if log_file else None
        self.processing_seconds = processing_seconds
        self.session_ttl = session_ttl
        self.tls_cert, self.tls_key = tls_cert, tls_key
        self.username, self.password = username, password
        self.start_timeout = start_timeout
        self.port = 0
        self.process = None
        self._settings = {}
        self._output = None
        # More command-line options for the next start(), e.g. ["--page-size", "2", "--status-column"].
        self.extra_args = []

    # --- addresses ---------------------------------------------------------

    @property
    def scheme(self):
        return "https" if self.tls_cert else "http"

    @property
    def base(self):
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return "%s://127.0.0.1:%d" % (self.scheme, self.port)

    @property
    def url(self):
        """The API URL, the collection's ``api_url``."""
        return self.base + "/billmgr"

    @property
    def authinfo(self):
        return "%s:%s" % (self.username, self.password)

    # --- process -----------------------------------------------------------

    def command(self):
        cmd = [sys.executable, SERVER, "--host", "127.0.0.1", "--port", str(self.port),
               "--port-file", self.port_file, "--state", self.state_path]
        for flag, value in (("--config", self.config_path), ("--log-file", self.log_file),
                            ("--processing-seconds", self.processing_seconds),
                            ("--session-ttl", self.session_ttl),
                            ("--tls-cert", self.tls_cert), ("--tls-key", self.tls_key)):
            if value is not None:
                cmd += [flag, str(value)]
        return cmd + [str(arg) for arg in self.extra_args]

    def start(self):
        """Start the server and wait (bounded) for its port file; returns self."""
        if self.process is not None:
            raise SandboxError("the sandbox is already running")
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        self._output = open(os.path.join(self.workdir, "sandbox-output.txt"), "ab")
        self.process = subprocess.Popen(self.command(), stdout=self._output, stderr=subprocess.STDOUT,
                                        cwd=REPO_ROOT)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._reap()
                raise SandboxError("the sandbox exited at start:\n" + self.output())
            try:
                with open(self.port_file, encoding="utf-8") as handle:
                    text = handle.read().strip()
            except OSError:
                text = ""
            if text:
                self.port = int(text)
                if self._settings:
                    self._control("POST", "config", self._settings)
                return self
            time.sleep(0.05)
        self.stop()
        raise SandboxError("the sandbox did not start within %.0f s:\n%s" % (self.start_timeout, self.output()))

    def stop(self):
        """Stop the server (SIGTERM, then SIGKILL after 5 s); the port number is kept for restart()."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._reap()

    def _reap(self):
        self.process = None
        if self._output is not None:
            self._output.close()
            self._output = None

    def restart(self):
        """Stop and start again on the SAME port with the same state file (sessions are lost)."""
        self.stop()
        last = None
        for _attempt in range(20):  # the port may take a moment to be free again
            try:
                return self.start()
            except SandboxError as err:
                last = err
                time.sleep(0.25)
        raise last

    def output(self):
        """What the server printed (stdout and stderr), for failure messages."""
        try:
            with open(os.path.join(self.workdir, "sandbox-output.txt"), encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def __enter__(self):
        return self.start() if self.process is None else self

    def __exit__(self, *exc):
        self.stop()

    # --- control API ---------------------------------------------------------

    def _control(self, method, resource, data=None, timeout=30):
        body = None if data is None else json.dumps(data).encode("utf-8")
        request = urllib.request.Request("%s/sandbox/%s" % (self.base, resource), data=body, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=self._ssl_context()) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            raise SandboxError("%s /sandbox/%s: HTTP %d %s" % (method, resource, err.code,
                                                               err.read().decode("utf-8", "replace"))) from None

    def _ssl_context(self):
        if not self.tls_cert:
            return None
        return ssl.create_default_context(cafile=self.tls_cert)

    def health(self):
        return self._control("GET", "health")

    def log(self):
        """All logged API requests: dicts with seq, time, method, path, func, params (masked), fault, user."""
        return self._control("GET", "log")["requests"]

    def clear_log(self):
        self._control("DELETE", "log")

    def calls(self, func=None):
        """Without ``func``: the logged func names in order; with it: the log entries of that func."""
        entries = self.log()
        if func is None:
            return [entry["func"] for entry in entries]
        return [entry for entry in entries if entry["func"] == func]

    def add_fault(self, fault, func=None, times=1, seconds=None):
        """Queue a fault for the next ``times`` API calls of ``func`` (any call when None)."""
        spec = {"fault": fault, "func": func, "times": times}
        if seconds is not None:
            spec["seconds"] = seconds
        return self._control("POST", "faults", spec)["faults"]

    def faults(self):
        return self._control("GET", "faults")["faults"]

    def clear_faults(self):
        self._control("DELETE", "faults")

    def licenses(self):
        """All licenses, internal form: id, licname, ip, pricelist, addons, period, autoprolong,
        status (int), createdate, expiredate, lickey, owner, ordered_at, remoteid."""
        return self._control("GET", "licenses")["licenses"]

    def license(self, lic_id):
        for lic in self.licenses():
            if lic["id"] == int(lic_id):
                return lic
        return None

    def seed(self, count=1, **fields):
        """Create ``count`` licenses directly (fields: owner, pricelist, status, ip_prefix, expiredate,
        autoprolong, licname_prefix, addons, ...). Returns {"created", "first_id", "last_id"}."""
        return self._control("POST", "licenses", dict(fields, count=count), timeout=120)

    def add_license(self, **fields):
        """Create one license with exactly these fields (defaults fill the rest); returns it."""
        return self._control("POST", "licenses", fields)["license"]

    def patch_license(self, lic_id, **fields):
        return self._control("PATCH", "licenses/%d" % int(lic_id), fields)["license"]

    def wipe_licenses(self):
        return self._control("DELETE", "licenses")

    def config(self):
        return self._control("GET", "config")

    # Answer shapes the real API may take (README "Shapes"), kept across restart() like the others.
    SHAPE_SETTINGS = ("page_size", "status_column", "localized_dates")

    def set_config(self, **settings):
        """processing_seconds, session_ttl, users={name: {password, balance}}, balances={name: n},
        prices={id: monthly}, expire_sessions=True; page_size=N (None: off), status_column=bool,
        localized_dates=False|True|"english"|"dotted"."""
        for key in ("processing_seconds", "session_ttl", "prices") + self.SHAPE_SETTINGS:
            if key in settings:
                self._settings[key] = settings[key]
        return self._control("POST", "config", settings)

    # --- the API itself --------------------------------------------------------

    def call(self, func, timeout=30, **params):
        """One API call (POST, authinfo of this sandbox's user unless ``auth``/``authinfo`` given)."""
        fields = {"func": func, "out": "json"}
        if "auth" not in params and "authinfo" not in params and func != "auth":
            fields["authinfo"] = self.authinfo
        fields.update({key: str(value) for key, value in params.items() if value is not None})
        request = urllib.request.Request(self.url, data=urllib.parse.urlencode(fields).encode("ascii"),
                                         method="POST")
        with urllib.request.urlopen(request, timeout=timeout, context=self._ssl_context()) as response:
            return json.loads(response.read().decode("utf-8"))

    def set_shapes(self, page_size=None, status_column=False, localized_dates=False):
        """Switch the answer shapes at runtime (all off with no arguments)."""
        return self.set_config(page_size=page_size, status_column=status_column, localized_dates=localized_dates)

    def add_delay(self, func=None, seconds=1.0, times=1, after_commit=False):
        """Delay the next ``times`` calls of ``func`` by ``seconds`` (before running them, or after
        with ``after_commit``), so that concurrent clients overlap."""
        return self.add_fault("delay_after_commit" if after_commit else "delay", func=func, times=times,
                              seconds=seconds)

    def call_raw(self, func, timeout=30, **params):
        """One API call in any format (``out`` defaults to json): returns (content type, body text)."""
        fields = {"func": func, "out": "json"}
        if "auth" not in params and "authinfo" not in params and func != "auth":
            fields["authinfo"] = self.authinfo
        fields.update({key: str(value) for key, value in params.items() if value is not None})
        request = urllib.request.Request(self.url, data=urllib.parse.urlencode(fields).encode("ascii"),
                                         method="POST")
        with urllib.request.urlopen(request, timeout=timeout, context=self._ssl_context()) as response:
            return response.headers.get("Content-Type"), response.read().decode("utf-8")
