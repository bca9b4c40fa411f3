# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTP client of the BILLmanager API: one POST per call, failures in plain words.

Nothing here knows about licenses or about Ansible.  Every call is a POST of
form fields to one endpoint (``func=<name>`` plus parameters, ``out=json``,
``lang=en``), so credentials travel in the body and never in a URL, a proxy
log or the server's access log.  The request travels through ``_http``, the
body of an answer is read by ``_wire``, the credentials come from ``_auth``,
and ``_retry`` decides what is tried again.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import re
import socket
import ssl
import traceback
import warnings
from http.client import HTTPException

from urllib.parse import urlsplit, urlunsplit

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by ansible-test sanity
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.ispsystem.billmanager.plugins.module_utils._auth import authenticator
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import (
    CONNECTION,
    FORMAT,
    HTTP,
    MASK,
    TIMEOUT,
    TLS,
    BillmanagerError,
)
from ansible_collections.ispsystem.billmanager.plugins.module_utils._http import Transport
from ansible_collections.ispsystem.billmanager.plugins.module_utils._retry import with_retries
from ansible_collections.ispsystem.billmanager.plugins.module_utils._wire import (
    NOT_BILLMANAGER_HINT,
    decode_answer,
    is_write,
    looks_like_html,
    snippet,
)

# What to check, by what failed: the option and its environment variable.
CHECK_URL = 'Check api_url (or BILLMANAGER_URL)'
CHECK_CA = ('If the billing system has a certificate of a private CA, set ca_path (or BILLMANAGER_CA_PATH) '
            'to that CA\'s certificate')
HOSTNAME_MISMATCH = 62  # X509_V_ERR_HOSTNAME_MISMATCH
CERT_EXPIRED = 10  # X509_V_ERR_CERT_HAS_EXPIRED
# connect() failures: the request never left (a send that fails later is a broken connection).
NO_ROUTE = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL)
# Kinds whose message tells what was tried: the failures of the transport, not the billing's answers.
TRANSPORT_KINDS = (CONNECTION, TIMEOUT, TLS, HTTP, FORMAT)


class BillmanagerClient:
    """A connection to one BILLmanager, used by every module and plugin.

    ``call()`` returns the answer's ``doc`` as plain Python (``_wire.decode_doc``).
    Reads are tried again on transient failures (``_retry``); writes are sent
    exactly once.
    """

    def __init__(self, api_url, username, password, auth_method='authinfo',
                 validate_certs=True, ca_path=None, timeout=30, retries=3,
                 http=None, sleep=None):
        if not HAS_REQUESTS:
            raise RuntimeError('the python library requests is required')
        self.api_url = api_url
        self.shown_url = url_without_userinfo(api_url)
        self.username = username
        self._password = password
        self.auth_method = auth_method
        self._auth = authenticator(auth_method, username, password)
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.verify = (ca_path or True) if validate_certs else False
        self._http = http or Transport()
        self._sleep = sleep  # None: time.sleep, looked up at each pause
        self.calls = 0  # requests sent, for tests and benchmarks

    def __repr__(self):
        return 'BillmanagerClient(%r, user=%r)' % (self.shown_url, self.username)

    def call(self, func, params=None, write=None):
        """Call ``func`` with ``params``; return the plain ``doc``."""
        params = dict(params or {})
        write = is_write(func, params) if write is None else (write or is_write(func, params))
        try:
            return with_retries(lambda: self._auth.call(self._post, func, params), write,
                                self.retries, sleep=self._sleep)
        except BillmanagerError as exc:
            if exc.kind in TRANSPORT_KINDS:
                exc.message = self._scrub(' '.join(part for part in (
                    exc.message.rstrip('.') + '.', self._tried(exc, write), exc.hint) if part))
                exc.args = (exc.describe(),)
            raise

    def _tried(self, error, write):
        """What was tried, in words: the URL, how often, over how long."""
        if error.attempts > 1:
            times = '%d times over %s' % (error.attempts, _duration(error.elapsed))
        else:
            times = 'once'
        once = write and not error.never_sent and error.kind != TLS
        return 'Tried %s %s%s.' % (self.shown_url, times, ' (a change is never sent twice)' if once else '')

    def _post(self, func, params, credentials):
        data = {'func': func, 'out': 'json', 'lang': 'en'}
        data.update(credentials)
        data.update(params)
        self.calls += 1
        try:
            with warnings.catch_warnings():
                if self.verify is False:
                    # The task warns once, in its own words; urllib3 (a proxied request) would
                    # also print its InsecureRequestWarning to stderr on every call.
                    warnings.filterwarnings('ignore', message='Unverified HTTPS request')
                response = self._http.post(self.api_url, data=data, timeout=self.timeout,
                                           verify=self.verify, allow_redirects=False)
        except requests.exceptions.RequestException as exc:
            raise self._transport_error(func, exc)
        return self._decode(func, response)

    # -- failures in plain words ---------------------------------------------------

    def _transport_error(self, func, exc):
        """The BillmanagerError for a request that got no HTTP answer."""
        host, port = _host_port(self.api_url)
        if isinstance(exc, requests.exceptions.SSLError):
            what, hint = self._tls_words(exc, host)
            return _failure(func, TLS, self._scrub(what), hint)
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return _never_sent(_failure(func, TIMEOUT, (
                'No connection to %s port %s within %s s: the host does not answer' % (host, port, self.timeout)),
                '%s, and that a firewall or proxy lets this host reach it.' % CHECK_URL))
        if isinstance(exc, requests.exceptions.Timeout):
            return _failure(func, TIMEOUT, (
                'No answer from %s within %s s: the billing system or a proxy on the way is slow or stuck'
                % (host, self.timeout)), 'A larger api_timeout (or BILLMANAGER_TIMEOUT) may help.')
        if isinstance(exc, requests.exceptions.ProxyError):
            chain = list(_causes(exc))
            refused = _any_instance(chain, (ConnectionRefusedError,))
            error = _failure(func, CONNECTION, 'The proxy %s could not be reached for %s (%s)' % (
                self._proxy() or '(from the environment)', host,
                'connection refused' if refused else _os_reason(chain) or 'no connection'),
                'Check the proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) of the host that runs the task.')
            return _never_sent(error) if refused else error
        if isinstance(exc, requests.exceptions.ConnectionError):
            # _http wraps the socket's errors in requests' (and requests, for a proxied
            # request, wraps urllib3's, which wrap the socket's): the socket's own
            # exception types tell what happened (urllib3 2's NameResolutionError is
            # raised from a socket.gaierror, its NewConnectionError from the OSError).
            chain = list(_causes(exc))
            if _any_instance(chain, (socket.gaierror,)):
                return _never_sent(_failure(func, CONNECTION, (
                    'The host name %s could not be resolved (no such name in DNS, or no DNS server reachable)'
                    % host), '%s: its host name.' % CHECK_URL))
            if _any_instance(chain, (ConnectionRefusedError,)):
                return _never_sent(_failure(func, CONNECTION, (
                    'Connection refused by %s port %s: nothing listens there' % (host, port)),
                    '%s: its host and port.' % CHECK_URL))
            unreachable = [e for e in chain if isinstance(e, OSError) and e.errno in NO_ROUTE]
            if unreachable:
                return _never_sent(_failure(func, CONNECTION, (
                    'No connection to %s port %s could be made (%s)' % (host, port, unreachable[0].strerror)),
                    '%s, and the network of this host.' % CHECK_URL))
            reason = _os_reason(chain) or 'the connection was closed'
            return _failure(func, CONNECTION, self._scrub(
                'The connection to %s port %s broke before the answer came (%s)' % (host, port, reason)))
        return _failure(func, CONNECTION, self._scrub('The request to %s failed: %s (%s)' % (
            self.shown_url, type(exc).__name__, _os_reason(list(_causes(exc))) or exc)))

    def _proxy(self):
        """The proxy requests picks for api_url (the session's, else the environment's), without userinfo."""
        try:
            proxies = dict(requests.utils.get_environ_proxies(self.api_url))
            proxies.update(getattr(self._http, 'proxies', None) or {})
            proxy = requests.utils.select_proxy(self.api_url, proxies)
        except (ValueError, TypeError, AttributeError, OSError):  # only for a message
            return None
        return url_without_userinfo(proxy) if proxy else None

    def _tls_words(self, exc, host):
        """(what failed, what to check) for a TLS failure."""
        chain = list(_causes(exc))
        failure = _verify_failure(chain)
        if failure:
            code, detail = failure
            detail = 'certificate verify failed: %s' % detail if detail else 'certificate verify failed'
            if code == HOSTNAME_MISMATCH or 'match' in detail.lower():
                return ('TLS: the certificate of %s is not made for the name %s (%s)' % (self.shown_url, host, detail),
                        'Make api_url (or BILLMANAGER_URL) name the host the way its certificate does.')
            if code == CERT_EXPIRED:
                return ('TLS: the certificate of %s has expired (%s)' % (self.shown_url, detail),
                        'The billing system needs a new certificate.')
            return ('TLS: the certificate of %s is not trusted (%s)' % (self.shown_url, detail), CHECK_CA + '.')
        return ('TLS: the handshake with %s failed (%s)' % (self.shown_url, _ssl_reason(chain)),
                '%s: https:// to a port that speaks TLS. %s.' % (CHECK_URL, CHECK_CA))

    def _decode(self, func, response):
        if not 200 <= response.status_code < 300:
            raise BillmanagerError(func, HTTP, self._scrub(self._status_words(response)),
                                   status=response.status_code)
        try:
            return decode_answer(func, response.content, response.status_code)
        except BillmanagerError as exc:
            exc.message = self._scrub(exc.message)
            exc.args = (exc.describe(),)  # built before the scrub: repr() shows args
            raise

    def _status_words(self, response):
        status = response.status_code
        words = 'HTTP %s %s from %s: %s' % (status, response.reason or '', self.shown_url,
                                            snippet(response.text) or 'empty body')
        if 300 <= status < 400:
            return '%s. The API does not redirect: %s (it answered with a redirect to %s).' % (
                words, NOT_BILLMANAGER_HINT, url_without_userinfo(response.headers.get('Location') or 'nowhere'))
        if status in (404, 405, 410) or (status < 500 and looks_like_html(response.text)):
            return '%s. This is no BILLmanager API: %s' % (words, NOT_BILLMANAGER_HINT)
        return words

    def _scrub(self, message):
        """Remove the password from any text that may reach a user or a log."""
        message = str(message)
        if self._password:
            for form in set([self._password, requests.utils.quote(self._password, safe=''),
                             requests.compat.quote_plus(self._password, safe='')]):
                message = message.replace(form, MASK)
        return message


def url_without_userinfo(url):
    """``url`` without a ``user:password@`` part, to be shown anywhere."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition('@')[2]
    except (ValueError, AttributeError):
        return url
    if netloc == parts.netloc:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _host_port(url):
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return url, '?'
    return host, port or (443 if parts.scheme.lower() == 'https' else 80)


def _failure(func, kind, what, hint=None):
    error = BillmanagerError(func, kind, what)
    error.hint = hint
    return error


def _never_sent(error):
    error.never_sent = True
    return error


def _causes(exc):
    """``exc`` and what it wraps: requests' errors wrap the socket's (through urllib3's, when proxied)."""
    queue, seen = [exc], set()
    while queue:
        exc = queue.pop(0)
        if not isinstance(exc, BaseException) or id(exc) in seen:
            continue
        seen.add(id(exc))
        yield exc
        queue.append(getattr(exc, 'reason', None))
        queue.extend(arg for arg in getattr(exc, 'args', ()) if isinstance(arg, BaseException))
        queue.extend((exc.__cause__, exc.__context__))


def _verify_failure(chain):
    """``(verify code, reason)`` of the certificate check that failed in ``chain``, else None.

    urllib3 before 2.0 (the oldest requests allowed) checks the name of some
    certificates itself (one made for an IP address) and raises its own
    ``CertificateError``, a ``ValueError`` rather than ssl's error class: it
    counts as OpenSSL's name mismatch.
    """
    for exc in chain:
        if isinstance(exc, ssl.SSLCertVerificationError):
            return (getattr(exc, 'verify_code', None),
                    getattr(exc, 'verify_message', None) or getattr(exc, 'reason', None) or '')
        if type(exc).__name__ == 'CertificateError':
            return HOSTNAME_MISMATCH, str(exc)
    return None


def _any_instance(chain, classes):
    return any(isinstance(exc, classes) for exc in chain)


def _os_reason(chain):
    """The operating system's words for the first socket error in ``chain`` ('Connection reset by peer')."""
    for exc in chain:
        if isinstance(exc, OSError) and getattr(exc, 'strerror', None):
            return exc.strerror
    for exc in chain:
        if isinstance(exc, (ConnectionError, socket.timeout, HTTPException)):
            return str(exc) or type(exc).__name__
    return None


def _ssl_reason(chain):
    """The TLS library's words: 'wrong version number', not urllib3's wrapping."""
    for exc in chain:
        if isinstance(exc, ssl.SSLError):
            text = exc.strerror or str(exc)
            return re.sub(r'^\[SSL: [A-Z_]+\] | \(_ssl\.c:\d+\)$', '', text)
    return str(chain[-1]) if chain else None


def _duration(seconds):
    if seconds < 60:
        return '%.1f s' % seconds
    return '%d min %d s' % (seconds // 60, seconds % 60)
