# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTP client of the BILLmanager API: one POST per call, answers decoded, errors typed.

Nothing here knows about licenses or about Ansible.  Every call is a POST of
form fields to one endpoint (``func=<name>`` plus parameters, ``out=json``,
``lang=en``), so credentials travel in the body and never in a URL, a proxy
log or the server's access log.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import random
import re
import time
import traceback
import warnings

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by ansible-test sanity
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import (
    AUTH,
    CONNECTION,
    FORMAT,
    HTTP,
    MASK,
    TIMEOUT,
    TLS,
    BillmanagerError,
)
from ansible_collections.ispsystem.billmanager.plugins.module_utils._wire import is_write, parse_error, plain, snippet


# -- the client --------------------------------------------------------------

class BillmanagerClient:
    """A connection to one BILLmanager, used by every module and plugin.

    ``call()`` returns the answer's ``doc`` as plain Python (see ``plain``).
    Reads are retried on connection errors, timeouts and 5xx with exponential
    backoff and jitter; writes are sent exactly once.
    """

    def __init__(self, api_url, username, password, auth_method='authinfo',
                 validate_certs=True, ca_path=None, timeout=30, retries=3,
                 http=None, sleep=time.sleep):
        if not HAS_REQUESTS:
            raise RuntimeError('the python library requests is required')
        self.api_url = api_url
        self.username = username
        self._password = password
        self.auth_method = auth_method
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.verify = (ca_path or True) if validate_certs else False
        self._http = http or requests.Session()
        self._sleep = sleep
        self._session_id = None
        self.calls = 0  # requests sent, for tests and benchmarks

    def __repr__(self):
        return 'BillmanagerClient(%r, user=%r)' % (self.api_url, self.username)

    def call(self, func, params=None, write=None):
        """Call ``func`` with ``params``; return the plain ``doc``."""
        params = dict(params or {})
        write = is_write(func, params) if write is None else (write or is_write(func, params))
        attempts = 1 if write else 1 + self.retries
        for attempt in range(attempts):
            try:
                return self._call_authenticated(func, params)
            except BillmanagerError as exc:
                if write or not exc.retryable or attempt + 1 >= attempts:
                    if write and exc.kind in (TIMEOUT, CONNECTION, HTTP, FORMAT):
                        # The request may have been carried out: a proxy's 502,
                        # a lost or truncated answer all come after the fact.
                        # A 4xx is a refusal before the application saw it.
                        exc.ambiguous = not exc.never_sent and (
                            exc.kind != HTTP or (exc.status or 0) >= 500)
                    raise
                self._sleep(self.backoff(attempt))
        raise AssertionError('unreachable')  # pragma: no cover

    @staticmethod
    def backoff(attempt, base=0.5, cap=8.0):
        """Exponential backoff with jitter: about 0.5, 1, 2, 4 s, never above ``cap``."""
        delay = min(cap, base * (2 ** attempt))
        return delay / 2 + random.uniform(0, delay / 2)

    def _call_authenticated(self, func, params):
        if self.auth_method != 'session':
            return self._post(func, params, {'authinfo': '%s:%s' % (self.username, self._password)})
        fresh = self._session_id is None
        if fresh:
            self._login()
        try:
            return self._post(func, params, {'auth': self._session_id})
        except BillmanagerError as exc:
            # A session expires an hour after its last request and the server
            # may have restarted: log in again once and repeat the call.  This
            # is safe for writes too: an auth error means nothing was done.
            if exc.kind != AUTH or fresh:
                raise
            self._session_id = None
            self._login()
            return self._post(func, params, {'auth': self._session_id})

    def _login(self):
        # Whatever goes wrong here, the call the session is for was not sent yet.
        try:
            doc = self._post('auth', {'username': self.username, 'password': self._password}, {})
        except BillmanagerError as exc:
            raise self._never_sent(exc)
        session_id = doc.get('auth') if isinstance(doc, dict) else None
        if isinstance(session_id, dict):  # the id only in the attribute: <auth id="..."/>
            session_id = session_id.get('id')
        if not session_id or not isinstance(session_id, str):
            raise self._never_sent(BillmanagerError('auth', FORMAT, 'the answer holds no session id'))
        self._session_id = session_id

    def _post(self, func, params, credentials):
        data = {'func': func, 'out': 'json', 'lang': 'en'}
        data.update(credentials)
        data.update(params)
        self.calls += 1
        try:
            with warnings.catch_warnings():
                if self.verify is False:
                    # The task warns once, in its own words; urllib3 would also print its
                    # InsecureRequestWarning to stderr on every call.
                    warnings.filterwarnings('ignore', message='Unverified HTTPS request')
                response = self._http.post(self.api_url, data=data, timeout=self.timeout,
                                           verify=self.verify, allow_redirects=False)
        except requests.exceptions.SSLError as exc:
            raise BillmanagerError(func, TLS, self._scrub(
                'TLS failure talking to %s: %s (set ca_path to the CA that signed its '
                'certificate)' % (self.api_url, exc)))
        except requests.exceptions.ConnectTimeout as exc:
            raise self._never_sent(BillmanagerError(func, TIMEOUT, self._scrub(
                'could not connect to %s within %s s' % (self.api_url, self.timeout))))
        except requests.exceptions.Timeout:
            raise BillmanagerError(func, TIMEOUT, 'no answer from %s within %s s' % (
                self.api_url, self.timeout))
        except requests.exceptions.ConnectionError as exc:
            error = BillmanagerError(func, CONNECTION, self._scrub(
                'connection to %s failed: %s' % (self.api_url, _without_reprs(exc))))
            raise self._never_sent(error) if _refused(exc) else error
        except requests.exceptions.RequestException as exc:
            raise BillmanagerError(func, CONNECTION, self._scrub(
                'request to %s failed: %s' % (self.api_url, exc)))
        return self._decode(func, response)

    def _decode(self, func, response):
        if not 200 <= response.status_code < 300:
            raise BillmanagerError(func, HTTP, self._scrub('HTTP %s %s from %s: %s' % (
                response.status_code, response.reason or '', self.api_url,
                snippet(response.text))), status=response.status_code)
        try:
            answer = response.json()
        except ValueError:
            if response.text.lstrip().startswith('{'):
                # JSON that does not parse came from the billing system but broke off on
                # its way (a proxy, the network): as transient as a reset connection.
                error = BillmanagerError(func, FORMAT, self._scrub(
                    'the answer is incomplete JSON (cut short on its way?): %s'
                    % snippet(response.text)), status=response.status_code)
                error.cut_short = True
                raise error
            raise BillmanagerError(func, FORMAT, self._scrub(
                'the answer is not BILLmanager JSON (is api_url right?): %s'
                % (snippet(response.text) or 'empty body')), status=response.status_code)
        doc = answer.get('doc') if isinstance(answer, dict) else None
        if not isinstance(doc, dict):
            raise BillmanagerError(func, FORMAT, self._scrub(
                'the answer has no "doc" element: %s' % snippet(response.text)),
                status=response.status_code)
        if 'error' in doc:
            error = parse_error(func, doc['error'])
            error.message = self._scrub(error.message)
            error.args = (error.describe(),)  # built before the scrub: repr() shows args
            raise error
        result = plain(doc)
        # An answer without children (no licenses: not even an ``elem``) is
        # a leaf to plain(); the caller wants an empty doc.
        return result if isinstance(result, dict) else {}

    @staticmethod
    def _never_sent(error):
        error.never_sent = True
        return error

    def _scrub(self, message):
        """Remove the password from any text that may reach a user or a log."""
        message = str(message)
        if self._password:
            for form in set([self._password, requests.utils.quote(self._password, safe=''),
                             requests.compat.quote_plus(self._password, safe='')]):
                message = message.replace(form, MASK)
        return message


def _without_reprs(exc):
    """urllib3's text without the ``<... object at 0x...>: `` reprs it embeds."""
    return re.sub(r'<[^<>]* object at 0x[0-9a-fA-F]+>: ?', '', str(exc))


def _refused(exc):
    """True when the connection was never made, so the request never left."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if type(exc).__name__ in ('NewConnectionError', 'ConnectionRefusedError', 'NameResolutionError'):
            return True
        reason = getattr(exc, 'reason', None)
        args = getattr(exc, 'args', ())
        exc = reason if isinstance(reason, BaseException) else (
            args[0] if args and isinstance(args[0], BaseException) else exc.__cause__ or exc.__context__)
    return False
