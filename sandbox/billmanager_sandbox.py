# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A local stand-in for the BILLmanager license-reselling API (Python standard library only).

Run:  python3 sandbox/billmanager_sandbox.py --port 0 --port-file PORT --state state.json

It answers the API at ``/billmgr`` (any path not under ``/sandbox/``) the way
the real billing system does with ``out=json``: always HTTP 200 and
``application/json``, errors included.  Under ``/sandbox/`` a small JSON
control API (loopback clients only) lets tests read the request log, inject
transport faults, seed and patch licenses and change settings.  See
``sandbox/README.md``.

Modules: ``sandbox_wire`` (catalog, parameters, dates), ``sandbox_state``
(users, sessions, licenses, persistence), ``sandbox_api`` (dispatch,
authentication, ``service.*``), ``sandbox_families`` (the family table),
``sandbox_licenses`` (the per-family functions), ``sandbox_render`` (the output
formats), this file (HTTP, faults, request log, control API, command line).
"""

import argparse
import datetime
import ipaddress
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import panel_servers as panel  # noqa: E402  (needs the path above)
import sandbox_api as api  # noqa: E402
import sandbox_families as families  # noqa: E402
import sandbox_render as render  # noqa: E402
import sandbox_wire as wire  # noqa: E402
from sandbox_state import LICENSE_FIELDS, Store, new_key  # noqa: E402

DEFAULT_USERS = {"reseller": {"password": "sandbox-secret", "balance": 100000.0}}
MASK = "********"
# Parameters never written to the request log in clear (``authinfo`` keeps its user part).
SECRET_PARAMS = ("password", "lickey", "key")

FAULTS_BEFORE = ("http_502", "hang", "close", "html", "delay")
FAULTS_AFTER = ("http_502_after_commit", "hang_after_commit", "close_after_commit", "truncated", "truncated_read",
                "delay_after_commit")
FAULTS = FAULTS_BEFORE + FAULTS_AFTER
DEFAULT_HANG_SECONDS = 10.0
DEFAULT_DELAY_SECONDS = 1.0
MAX_FAULT_SECONDS = 600.0  # every sleep is bounded

HTML_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
HTML_ERROR = (b"<html><head><title>BILLmanager</title></head><body>"
              b"<h1>Internal error</h1><p>The request could not be processed. Try again later.</p></body></html>")


def answered_error(answer):
    """``type/object`` of the error element an answer holds, None when it holds none."""
    doc = answer.get("doc") if isinstance(answer, dict) else None
    error = doc.get("error") if hasattr(doc, "get") else None
    if not hasattr(error, "get"):
        return None
    return "%s/%s" % (error.get("$type"), error.get("$object"))


class ControlError(Exception):
    """A control API error: answered with this HTTP status and ``{"error": msg}``."""

    def __init__(self, status, msg):
        super().__init__(msg)
        self.status = status


class FaultQueue:
    """Faults switched on by ``POST /sandbox/faults``, consumed in order by matching API requests."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    @staticmethod
    def make(fault, func=None, times=1, seconds=None):
        if fault not in FAULTS:
            raise ControlError(400, "unknown fault %r, known: %s" % (fault, ", ".join(FAULTS)))
        if seconds is not None and not 0 <= float(seconds) <= MAX_FAULT_SECONDS:
            raise ControlError(400, "seconds must be between 0 and %d" % MAX_FAULT_SECONDS)
        return {"fault": fault, "func": func or None, "times": int(times),
                "seconds": float(seconds) if seconds is not None else None}

    def add(self, **spec):
        item = self.make(**spec)
        with self.lock:
            if item["times"] > 0:
                self.items.append(item)
            return list(self.items)

    def clear(self):
        with self.lock:
            self.items = []

    def snapshot(self):
        with self.lock:
            return [dict(item) for item in self.items]

    def take(self, func):
        """The first queued fault for ``func`` (or for any call), one use consumed."""
        with self.lock:
            for item in self.items:
                if item["func"] in (None, func):
                    item["times"] -= 1
                    if item["times"] <= 0:
                        self.items.remove(item)
                    return dict(item)
        return None


class RequestLog:
    """Every API request in arrival order, secrets masked; optionally also a JSON-lines file."""

    def __init__(self, path=None):
        self.lock = threading.Lock()
        self.path = path
        self.entries = []
        self.seq = 0

    @staticmethod
    def mask(params):
        masked = dict(params)
        if "authinfo" in masked:
            masked["authinfo"] = masked["authinfo"].partition(":")[0] + ":" + MASK
        for name in SECRET_PARAMS:
            if name in masked:
                masked[name] = MASK
        return masked

    def add(self, method, path, params, fault, user, query=()):
        """``query``: the names of the parameters that came in the URL (as an access log would show them)."""
        now = time.time()
        with self.lock:
            self.seq += 1
            entry = {"seq": self.seq, "time": now, "method": method, "path": path,
                     "func": params.get("func"), "params": self.mask(params), "fault": fault, "user": user,
                     "query": sorted(set(query)),
                     # Additions: the family the function belongs to (soft, platform, softexternal,
                     # service; None for auth and unknown ones), the format asked for, and the
                     # arrival time as UTC ISO 8601 (``time`` stays the epoch seconds).
                     "family": families.family_of_func(params.get("func")),
                     "out": params.get("out") or None,
                     "timestamp": datetime.datetime.fromtimestamp(now, datetime.timezone.utc).isoformat(
                         timespec="milliseconds"),
                     # Addition: the bytes of the answer's body once it is sent (None until then, and
                     # for a connection dropped without an answer).
                     "bytes_out": None,
                     # Addition: the billing error answered, as "type/object" (None: no error).
                     "error": None}
            self.entries.append(entry)
            return entry

    def finish(self, entry):
        """The request is answered (or dropped): its line goes to the log file, ``bytes_out`` known.

        Like an access log, the file gets a request's line when it is done; /sandbox/log has the
        entry from its arrival on.
        """
        if self.path:
            with self.lock:
                with open(self.path, "a", encoding="utf-8") as handle:
                    handle.write(json.dumps(entry) + "\n")

    def snapshot(self):
        with self.lock:
            return list(self.entries)

    def clear(self):
        with self.lock:
            self.entries = []


class SandboxServer(ThreadingHTTPServer):
    """Threaded so that 50 parallel Ansible forks and hanging faults never block each other."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, store, log, ssl_context=None):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.store = store
        self.request_log = log
        self.faults = FaultQueue()
        self.ssl_context = ssl_context
        ThreadingHTTPServer.__init__(self, address, Handler)

    def finish_request(self, request, client_address):
        """TLS handshake in the connection's own thread, so a slow client cannot stall accept()."""
        if self.ssl_context is None:
            return ThreadingHTTPServer.finish_request(self, request, client_address)
        request.settimeout(30)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return None
        try:
            Handler(tls, client_address, self)
        finally:
            try:
                tls.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            tls.close()
        return None

    def handle_error(self, request, client_address):
        """Clients that go away (timeouts in fault tests) are normal here, not tracebacks."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, ssl.SSLError)):
            return
        ThreadingHTTPServer.handle_error(self, request, client_address)


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive (the collection's client uses one requests.Session)."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two sends: without TCP_NODELAY the second
    # waits for the client's delayed ACK, about 40 ms on every kept-alive call.
    disable_nagle_algorithm = True
    server_version = "BILLmanagerSandbox/1.0"
    timeout = 120  # idle keep-alive connections are closed after this
    log_entry = None  # the request log's entry of the API request being answered

    def log_message(self, format, *args):  # noqa: A002  pylint: disable=redefined-builtin
        """Quiet: the request log under /sandbox/log is the record."""

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_HEAD(self):  # the mirror's files only (get_url in check mode asks HEAD)
        if panel.handles(self.path.partition("?")[0]):
            self.dispatch("HEAD")
        else:
            self.send(405, b"")

    # --- plumbing ------------------------------------------------------------

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send(self, status, body, content_type="application/json", length=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)
        if self.log_entry is not None:  # an API answer: its size goes to the request log
            self.log_entry["bytes_out"] = len(body)

    def send_json(self, status, obj):
        self.send(status, wire.dumps(obj).encode("utf-8"))

    def drop(self):
        """Close the connection without (the rest of) an answer."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def dispatch(self, method):
        self.log_entry = None  # set by api(); a kept-alive connection serves several requests
        path, dummy, query = self.path.partition("?")
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.send_json(400, {"error": "unreadable request body"})
            return
        if panel.handles(path):  # the vendor's download mirror and license server
            panel.serve(self, method, path, query, body)
        elif path == "/sandbox" or path.startswith("/sandbox/"):
            self.control(method, path, query, body)
        elif method in ("GET", "POST"):
            try:
                self.api(method, path, query, body)
            finally:
                if self.log_entry is not None:
                    self.server.request_log.finish(self.log_entry)
        else:
            self.send_json(405, {"error": "method not allowed"})

    # --- the API ---------------------------------------------------------------

    def params(self, query, body):
        """Query string and form body merged (the body wins), as BILLmanager reads them."""
        params = dict(parse_qsl(query, keep_blank_values=True))
        ctype = self.headers.get("Content-Type", "application/x-www-form-urlencoded")
        if body and ctype.startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return params

    def pick_fault(self, func):
        name = self.headers.get("X-Sandbox-Fault")
        if name:
            seconds = self.headers.get("X-Sandbox-Fault-Seconds")
            return FaultQueue.make(name.strip(), func, 1, float(seconds) if seconds else None)
        return self.server.faults.take(func)

    def api(self, method, path, query, body):
        params = self.params(query, body)
        func = params.get("func", "")
        store = self.server.store
        try:
            fault = self.pick_fault(func)
        except (ControlError, ValueError) as err:
            self.send_json(400, {"error": str(err)})
            return
        name = fault["fault"] if fault else None
        default_seconds = DEFAULT_DELAY_SECONDS if name in ("delay", "delay_after_commit") else DEFAULT_HANG_SECONDS
        seconds = default_seconds if not fault or fault["seconds"] is None else fault["seconds"]
        self.log_entry = self.server.request_log.add(
            method, path, params, name, api.claimed_user(store, params),
            query=[key for key, _value in parse_qsl(query, keep_blank_values=True)])

        # Faults of a proxy in front of the billing system: nothing executed.
        if name == "http_502":
            return self.send(502, HTML_502, "text/html")
        if name == "html":
            return self.send(200, HTML_ERROR, "text/html; charset=utf-8")
        if name == "close":
            return self.drop()
        if name == "hang":
            time.sleep(seconds)
            return self.drop()
        if name == "delay":  # a slow billing: the call waits (outside the lock), then runs as usual
            time.sleep(seconds)

        out = params.get("out") or render.DEFAULT_FORMAT
        try:
            if out not in render.FORMATS:
                # Answered in the default format: the one the client asked for does not exist.
                answer = wire.ApiError("value", "out", "Unknown output format '%s'" % out, out).doc()
                out = render.DEFAULT_FORMAT
            else:
                answer = api.execute(store, params)
            if self.log_entry is not None:
                self.log_entry["error"] = answered_error(answer)
            payload, content_type = render.render(answer, out)
        except Exception:  # a sandbox bug: say so loudly instead of dropping the connection
            traceback.print_exc()
            return self.send_json(500, {"error": "sandbox internal error, see its stderr"})

        # Faults after the billing system committed (and persisted) the change.
        if name == "http_502_after_commit":
            return self.send(502, HTML_502, "text/html")
        if name == "hang_after_commit":
            time.sleep(seconds)
            return self.drop()
        if name == "close_after_commit":
            return self.drop()
        if name == "delay_after_commit":
            time.sleep(seconds)
        if name == "truncated":  # well-formed HTTP, cut body: the client's parser must fail
            return self.send(200, payload[:max(1, len(payload) // 2)], content_type)
        if name == "truncated_read":  # announces the full length, sends half, closes
            self.send(200, payload[:max(1, len(payload) // 2)], content_type, length=len(payload))
            return self.drop()
        return self.send(200, payload, content_type)

    # --- the control API -------------------------------------------------------

    def control(self, method, path, query, body):
        if not is_loopback(self.client_address[0]):
            self.send_json(403, {"error": "the control API answers loopback clients only"})
            return
        try:
            data = json.loads(body.decode("utf-8")) if body.strip() else {}
            result = Control(self.server).route(method, path.rstrip("/"), data)
        except ControlError as err:
            self.send_json(err.status, {"error": str(err)})
        except (ValueError, TypeError, KeyError) as err:
            self.send_json(400, {"error": "bad request: %s" % err})
        else:
            self.send_json(200, result)


class Control:
    """``/sandbox/...``: log, faults, licenses, config, health. JSON in, JSON out, no auth."""

    def __init__(self, server):
        self.server = server
        self.store = server.store

    def route(self, method, path, data):
        parts = path.split("/")[2:]  # "", "sandbox", ...
        resource = parts[0] if parts else ""
        routes = {
            ("GET", "health"): lambda: {"ok": True},
            ("GET", "log"): lambda: {"requests": self.server.request_log.snapshot()},
            ("DELETE", "log"): lambda: self.done(self.server.request_log.clear()),
            ("GET", "faults"): lambda: {"faults": self.server.faults.snapshot()},
            ("POST", "faults"): lambda: {"ok": True, "faults": self.server.faults.add(**self.fault_spec(data))},
            ("DELETE", "faults"): lambda: self.done(self.server.faults.clear()),
            ("GET", "licenses"): self.licenses,
            ("POST", "licenses"): lambda: self.seed(data),
            ("DELETE", "licenses"): self.wipe,
            ("GET", "config"): self.config,
            ("POST", "config"): lambda: self.set_config(data),
            ("GET", "panel"): lambda: {"requests": panel.panel_log(self.server).snapshot()},
            ("DELETE", "panel"): lambda: self.done(panel.panel_log(self.server).clear()),
        }
        if resource == "licenses" and len(parts) == 2 and method == "PATCH":
            return self.patch(parts[1], data)
        if len(parts) != 1 or (method, resource) not in routes:
            raise ControlError(404, "no control route %s %s" % (method, path))
        return routes[(method, resource)]()

    @staticmethod
    def done(_ignored=None):
        return {"ok": True}

    @staticmethod
    def fault_spec(data):
        unknown = set(data) - {"fault", "func", "times", "seconds"}
        if unknown or "fault" not in data:
            raise ControlError(400, "a fault is {fault, func?, times?, seconds?}")
        return data

    def licenses(self):
        with self.store.lock:
            changed = False
            for lic in self.store.licenses.values():
                changed = self.store.advance(lic) or changed
            if changed:
                self.store.save()
            return {"licenses": [dict(lic, addons=dict(lic.get("addons") or {}))
                                 for lic in self.store.licenses.values()]}

    def wipe(self):
        with self.store.lock:
            count = len(self.store.licenses)
            self.store.licenses.clear()
            self.store.save()
        return {"ok": True, "deleted": count}

    # Seeding conveniences beside the license fields: ``comment`` (a platform license's name,
    # stored as ``licname``), ``trial`` (true: period -100, ends in TRIAL_DAYS, unless given),
    # ``expired`` (true: ended yesterday, suspended unless a status is given).
    SEED_EXTRAS = {"comment", "trial", "expired"}

    @classmethod
    def coerce(cls, fields):
        """Control-API license fields to their internal types."""
        unknown = set(fields) - set(LICENSE_FIELDS) - {"id"} - cls.SEED_EXTRAS
        if unknown:
            raise ControlError(400, "unknown license fields: %s" % ", ".join(sorted(unknown)))
        out = dict(fields)
        out.pop("id", None)
        if "comment" in out:
            out["licname"] = out.pop("comment")
        if out.pop("trial", False):
            out["period"] = wire.TRIAL
            out.setdefault("expiredate", wire.period_end(wire.today(), wire.TRIAL))
        if out.pop("expired", False):
            out.setdefault("expiredate", (wire.today() - datetime.timedelta(days=1)).isoformat())
            out.setdefault("status", wire.STATUS_SUSPENDED)
        for name in ("status", "pricelist", "period"):
            if name in out:
                out[name] = int(out[name])
        if "autoprolong" in out:
            out["autoprolong"] = int(out["autoprolong"]) if out["autoprolong"] not in (None, "", "null", 0) else None
        if "addons" in out:
            out["addons"] = {str(k): int(v) for k, v in (out["addons"] or {}).items()}
        if "lickey" in out:
            out["lickey"] = out["lickey"] or ""
        if "family" in out and out["family"] not in families.FAMILIES:
            raise ControlError(400, "unknown family %r, known: %s" % (out["family"], ", ".join(families.FAMILIES)))
        if "pricelist" in out and "family" not in out:
            out["family"] = wire.family_of(out["pricelist"])
        return out

    @staticmethod
    def default_ip(fields, prefix, number):
        """A seeded license's IP: none for ``platform`` (not IP-bound), else a unique one."""
        if fields.get("family", wire.family_of(fields.get("pricelist", 3541))) == "platform":
            return ""
        return Control.seed_ip(prefix, number)

    @staticmethod
    def seed_ip(prefix, number):
        """A unique IP string for license ``number``: ``prefix`` plus the number in the free octets."""
        if ":" in prefix:
            return "%s%x" % (prefix, number)
        free = 4 - len([octet for octet in prefix.split(".") if octet])
        if free < 1 or number >= 256 ** free:
            raise ControlError(400, "ip_prefix %r has no room for %d addresses" % (prefix, number))
        octets = [(number >> (8 * shift)) & 255 for shift in range(free - 1, -1, -1)]
        return prefix + ".".join(str(octet) for octet in octets)

    def seed(self, data):
        """Create licenses directly (no charge, no processing): one dict, or ``count`` of them."""
        with self.store.lock:
            if "count" not in data:
                fields = self.coerce(data)
                fields.setdefault("ip", self.default_ip(fields, "127.100.", self.store.next_id))
                fields.setdefault("licname", fields["ip"])
                if fields.get("status", 2) in (wire.STATUS_ACTIVE, wire.STATUS_SUSPENDED):
                    fields.setdefault("lickey", new_key())
                lic = self.store.create(**fields)
                self.store.save()
                return {"license": dict(lic)}
            spec = dict(data)
            count = int(spec.pop("count"))
            prefix = spec.pop("ip_prefix", "127.100.")
            name_prefix = spec.pop("licname_prefix", "seed-")
            template = self.coerce(spec)
            status = template.get("status", wire.STATUS_ACTIVE)
            first = self.store.next_id
            if "ip" not in template:
                self.default_ip(template, prefix, first + count - 1)  # fails early when the prefix is too small
            for dummy in range(count):
                number = self.store.next_id
                # A given ``ip`` (0.0.0.0: a pool of parked licenses) is used for every one.
                ip = template["ip"] if "ip" in template else self.default_ip(template, prefix, number)
                fields = dict(template, ip=ip, licname="%s%d" % (name_prefix, number))
                if status in (wire.STATUS_ACTIVE, wire.STATUS_SUSPENDED) and "lickey" not in template:
                    fields["lickey"] = new_key()
                if "addons" in fields:
                    fields["addons"] = dict(fields["addons"])
                self.store.create(**fields)
            self.store.save()
            return {"created": count, "first_id": first, "last_id": self.store.next_id - 1}

    def patch(self, lic_id, data):
        with self.store.lock:
            try:
                lic = self.store.licenses[int(lic_id)]
            except (KeyError, ValueError):
                raise ControlError(404, "no license %s" % lic_id) from None
            lic.update(self.coerce(data))
            self.store.list_cache.clear()
            self.store.save()
            return {"license": dict(lic)}

    def config(self):
        with self.store.lock:
            return {
                "processing_seconds": self.store.processing_seconds,
                "session_ttl": self.store.session_ttl,
                "users": {name: {"balance": user["balance"]} for name, user in self.store.users.items()},
                "prices": {str(k): v for k, v in self.store.prices.items()},
                "sessions": len(self.store.sessions),
                "page_size": self.store.page_size,
                "status_column": self.store.status_column,
                "localized_dates": self.store.localized_dates,
            }

    def set_config(self, data):
        """Settings now: processing_seconds, session_ttl, users {name: {password?, balance?}},
        balances {name: amount}, prices {id: monthly}, expire_sessions (bool)."""
        known = {"processing_seconds", "session_ttl", "users", "balances", "prices", "expire_sessions"} | set(SHAPES)
        if set(data) - known:
            raise ControlError(400, "unknown config keys: %s" % ", ".join(sorted(set(data) - known)))
        with self.store.lock:
            if "processing_seconds" in data:
                self.store.processing_seconds = float(data["processing_seconds"])
            if "session_ttl" in data:
                self.store.session_ttl = float(data["session_ttl"])
            for name, spec in (data.get("users") or {}).items():
                user = self.store.users.setdefault(name, {"password": "", "balance": 0.0})
                if "password" in spec:
                    user["password"] = str(spec["password"])
                if "balance" in spec:
                    user["balance"] = float(spec["balance"])
            for name, amount in (data.get("balances") or {}).items():
                if name not in self.store.users:
                    raise ControlError(400, "no user %s" % name)
                self.store.users[name]["balance"] = float(amount)
            for price_id, price in (data.get("prices") or {}).items():
                self.store.prices[int(price_id)] = float(price)
            if data.get("expire_sessions"):
                self.store.sessions.clear()
            for key in SHAPES:
                if key in data:
                    try:
                        setattr(self.store, key, SHAPES[key](data[key]))
                    except ValueError as err:
                        raise ControlError(400, "%s: %s" % (key, err)) from None
            self.store.save()
        return self.config()


# --- answer shapes: settings, the config file and the command line ----------------

def shape_page_size(value):
    """Rows per list page, or None (0, null, false) for unpaged lists."""
    if value in (None, False, "", 0, "0", "null", "off"):
        return None
    size = int(value)
    if size < 1:
        raise ValueError("page_size must be a positive number of rows, or 0/null for off")
    return size


def shape_flag(value):
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def shape_dates(value):
    """``localized_dates``: false/null (ISO, the default), true (``english``), or a style name."""
    if value in (None, False, "", "false", "off", "null", "iso"):
        return None
    if value is True or value in ("true", "on"):
        return "english"
    if value not in wire.DATE_STYLES:
        raise ValueError("localized_dates is true, false or one of %s" % ", ".join(wire.DATE_STYLES))
    return value


# Setting -> its parser; each is also a config-file key and a command-line option.
SHAPES = {"page_size": shape_page_size, "status_column": shape_flag, "localized_dates": shape_dates}


# --- command line ----------------------------------------------------------------

def parse_args(argv):
    parser = argparse.ArgumentParser(description="Local BILLmanager license-reselling API sandbox.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--port-file", help="write the port number here once listening")
    parser.add_argument("--state", required=True, help="JSON state file (created when missing)")
    parser.add_argument("--config", help="JSON config: users, processing_seconds, session_ttl, prices")
    parser.add_argument("--log-file", help="append every API request as a JSON line (secrets masked)")
    parser.add_argument("--processing-seconds", type=float, help="order -> active delay (default 1.0)")
    parser.add_argument("--session-ttl", type=float, help="session idle lifetime in seconds (default 3600)")
    parser.add_argument("--page-size", type=int, help="page every list function: at most N rows per page "
                        "(p_num/p_cnt/p_elems); default off")
    parser.add_argument("--status-column", action="store_true", default=None,
                        help="list rows carry status (1..5) and status_msg as plain columns instead of a $orig cell")
    parser.add_argument("--localized-dates", nargs="?", const="english", choices=wire.DATE_STYLES,
                        help="list dates localized: english ('Dec 1, 2026', the default style) or dotted "
                        "('01.12.2026'); .edit reads stay YYYY-MM-DD")
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key", help="private key of --tls-cert (PEM)")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if args.page_size is not None and args.page_size < 0:
        parser.error("--page-size is a number of rows (0: off)")
    return args


def load_config(path):
    config = {}
    if path:
        with open(path, encoding="utf-8") as handle:
            config = json.load(handle)
    return config


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def write_atomic(path, text):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    config = load_config(args.config)
    processing = args.processing_seconds if args.processing_seconds is not None \
        else config.get("processing_seconds", 1.0)
    ttl = args.session_ttl if args.session_ttl is not None else config.get("session_ttl", 3600)
    store = Store(args.state, config.get("users") or DEFAULT_USERS, processing, ttl, config.get("prices"))
    for key, parse in SHAPES.items():  # the command line wins over the config file
        value = getattr(args, key)
        if value is None:
            value = config.get(key)
        if value is not None:
            setattr(store, key, parse(value))
    context = None
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    server = SandboxServer((args.host, args.port), store, RequestLog(args.log_file), context)
    port = server.server_address[1]
    host = "[%s]" % args.host if ":" in args.host else args.host
    if not is_loopback(args.host):
        sys.stderr.write("warning: listening on non-loopback %s; the control API still answers loopback only\n"
                         % args.host)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    if args.port_file:  # first, so that whoever read the line below finds the file too
        write_atomic(args.port_file, "%d\n" % port)
    print("BILLmanager sandbox listening on %s://%s:%d/billmgr" % ("https" if context else "http", host, port),
          flush=True)
    while not stop.wait(1.0):
        pass
    server.shutdown()
    server.server_close()
    print("BILLmanager sandbox stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
