# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Transport for the BILLmanager API: HTTP, wire format, errors, auth, retries.

Nothing here knows about licenses or about Ansible.  Every call is a POST of
form fields to one endpoint (``func=<name>`` plus parameters, ``out=json``,
``lang=en``), so credentials travel in the body and never in a URL, a proxy
log or the server's access log.
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

DEFAULT_API_URL = 'https://api.ispsystem.com/manager/billmgr'
MASK = '********'

# Functions that change something even without ``sok=ok``.  BILLmanager's
# suspend and resume commit without it (ISPsystem's own WHMCS module sends
# none), so "has sok=ok" alone does not tell a write from a read.
WRITE_FUNCTIONS = frozenset([
    'soft.order.param', 'soft.suspend', 'soft.resume', 'soft.delete',
    'service.prolong', 'service.changepricelist',
])

# What went wrong, from the caller's point of view.
AUTH = 'auth'              # the billing system rejected the credentials or session
BILLING = 'billing'        # the billing system answered with an error element
HTTP = 'http'              # a non-2xx HTTP status
FORMAT = 'format'          # the answer is not the JSON we expect (HTML page, truncated body)
TIMEOUT = 'timeout'        # no answer within api_timeout
TLS = 'tls'                # certificate or handshake failure
CONNECTION = 'connection'  # could not connect, or the connection broke


def is_write(func, params=None):
    """Return True when a call with these parameters changes something."""
    if func in WRITE_FUNCTIONS:
        return True
    return (params or {}).get('sok') == 'ok'


class BillmanagerError(Exception):
    """Any failure of an API call.

    ``kind`` is one of the constants above.  ``err_type`` and ``err_object``
    are the billing system's own classification (``exists``/``ip``, say) when
    it gave one.  ``ambiguous`` is True when a write may have been carried out
    although we saw no answer: the caller must find out what happened before
    it does anything else, and must never simply send it again.
    """

    def __init__(self, func, kind, message, err_type=None, err_object=None,
                 status=None, ambiguous=False):
        self.func = func
        self.kind = kind
        self.message = message
        self.err_type = err_type
        self.err_object = err_object
        self.status = status
        self.ambiguous = ambiguous
        self.never_sent = False  # the connection was refused: certainly not carried out
        self.cut_short = False  # JSON that ends early: the answer broke off on its way
        super(BillmanagerError, self).__init__(self.describe())

    def __str__(self):
        # From the current fields: the client scrubs ``message`` after construction.
        return self.describe()

    @property
    def retryable(self):
        """Transient for a read: worth another try after a pause."""
        if self.kind in (CONNECTION, TIMEOUT) or self.cut_short:
            return True
        return self.kind == HTTP and (self.status or 0) >= 500

    def describe(self):
        if self.kind in (AUTH, BILLING):
            where = []
            if self.err_type:
                where.append("type '%s'" % self.err_type)
            if self.err_object:
                where.append("object '%s'" % self.err_object)
            suffix = ' (%s)' % ', '.join(where) if where else ''
            return 'BILLmanager function %s failed: %s%s' % (self.func, self.message, suffix)
        return 'BILLmanager function %s failed: %s' % (self.func, self.message)

    def to_dict(self):
        """The error as returned to the user (``api_error`` in a failed task)."""
        return dict(function=self.func, kind=self.kind, type=self.err_type,
                    object=self.err_object, message=self.message,
                    status=self.status, ambiguous=self.ambiguous)


# -- the "$" convention of out=json -----------------------------------------

def as_list(node):
    """A list element that may come as an array, a single object, or not at all.

    BILLmanager turns XML into JSON element by element, so a list of one is an
    object and an empty list has no key.
    """
    if node is None or node == '':
        return []
    if isinstance(node, list):
        return node
    return [node]


def text(node):
    """The display text of an element (``$``), '' for an empty element."""
    if isinstance(node, dict):
        return node.get('$', '')
    return '' if node is None else node


def value(node):
    """The machine value of an element: ``$orig`` for a localized cell, else its text."""
    if isinstance(node, dict) and '$orig' in node:
        return node['$orig']
    return text(node)


def attributes(node):
    """The XML attributes of an element, without their ``$`` prefix."""
    if not isinstance(node, dict):
        return {}
    return dict((k[1:], v) for k, v in node.items()
                if k.startswith('$') and k not in ('$', '$orig'))


def plain(node):
    """Turn a ``$``-convention node into plain Python.

    A leaf becomes its machine value (``$orig`` before ``$``), an element with
    children a dict of its children plus its attributes, a list a list.
    One pass over each dict: a list of 10,000 licenses is 100,000 cells.
    """
    if isinstance(node, list):
        return [plain(item) for item in node]
    if not isinstance(node, dict):
        return node
    children = None
    for key, item in node.items():
        if key[:1] != '$':
            if children is None:
                children = {}
            children[key] = plain(item)
    if children is None:
        if '$orig' in node:
            return node['$orig']
        if '$' in node:
            return node['$']
        return attributes(node) or ''  # an empty element, or one with attributes only
    for key, item in node.items():
        if key[:1] == '$' and key not in ('$', '$orig'):
            children.setdefault(key[1:], item)
    return children


def parse_error(func, error):
    """Build the exception for a ``doc.error`` element."""
    attrs = attributes(error)
    err_type = attrs.get('type')
    message = text(error.get('msg')) if isinstance(error, dict) else ''
    detail = text(error.get('detail')) if isinstance(error, dict) else ''
    if not message:
        message = detail or 'error without a message'
    elif detail and detail != message:
        message = '%s (%s)' % (message, detail)
    kind = AUTH if err_type == 'auth' else BILLING
    return BillmanagerError(func, kind, message, err_type=err_type,
                            err_object=attrs.get('object'))


def _snippet(body, limit=200):
    body = ' '.join((body or '').split())
    return body[:limit] + ('...' if len(body) > limit else '')


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
                _snippet(response.text))), status=response.status_code)
        try:
            answer = response.json()
        except ValueError:
            if response.text.lstrip().startswith('{'):
                # JSON that does not parse came from the billing system but broke off on
                # its way (a proxy, the network): as transient as a reset connection.
                error = BillmanagerError(func, FORMAT, self._scrub(
                    'the answer is incomplete JSON (cut short on its way?): %s'
                    % _snippet(response.text)), status=response.status_code)
                error.cut_short = True
                raise error
            raise BillmanagerError(func, FORMAT, self._scrub(
                'the answer is not BILLmanager JSON (is api_url right?): %s'
                % (_snippet(response.text) or 'empty body')), status=response.status_code)
        doc = answer.get('doc') if isinstance(answer, dict) else None
        if not isinstance(doc, dict):
            raise BillmanagerError(func, FORMAT, self._scrub(
                'the answer has no "doc" element: %s' % _snippet(response.text)),
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
