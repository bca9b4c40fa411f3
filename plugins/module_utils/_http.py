# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How the client sends: a form POST over http.client, with requests' reading of the environment.

requests resolves what a call takes from its environment (proxies and
``no_proxy``, the CA bundle variables, netrc) and sends through urllib3; its
session, request preparation, pool and response objects are most of a
call's cost.  In the controller's fast path a task runs in a worker forked
for it, where every object a library creates or touches copies a page of
ansible-playbook's memory: requests and urllib3 cost about 4 ms of a
task's ~37 ms (benchmarks/README.md).  ``Transport.post()`` takes what
``requests.Session.post()`` takes from the client, reads the environment
with requests' own functions, sends a direct request on one kept-alive
http.client connection, and fails with requests' exceptions, so ``_client``
tells failures apart as before.  A request that goes through a proxy is
sent by a ``requests.Session``, as it always was.

Where it parts from requests on purpose:
- a TLS error after the request went out is a broken connection (the
  billing may have run it), not a TLS failure (certain);
- only ``gzip, deflate`` is asked for, the encodings it decodes;
- redirects are never followed (the client never asks) and cookies are not
  kept: the API authenticates each call by its parameters.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import select
import socket
import ssl
import zlib
from http.client import HTTPConnection, HTTPException, HTTPSConnection, IncompleteRead

from urllib.parse import urlencode, urlsplit

try:
    import requests
    from requests.auth import HTTPBasicAuth
    from requests.structures import CaseInsensitiveDict
    from requests.utils import (DEFAULT_CA_BUNDLE_PATH, default_user_agent, get_auth_from_url,
                                get_encoding_from_headers, get_environ_proxies, get_netrc_auth, select_proxy)
except ImportError:  # pragma: no cover - _client reports the missing library (HAS_REQUESTS)
    pass

ACCEPT_ENCODING = 'gzip, deflate'  # what _decoded() can undo; requests may offer br and zstd too
_CONTEXTS = {}  # verify (True, False, a CA path): its ssl.SSLContext, see tls_context()


class Transport:
    """The client's ``http``: ``post()`` as ``requests.Session.post`` is called by it."""

    def __init__(self):
        self._connections = {}  # (scheme, host, port, verify): the kept-alive connection
        self._session = None  # a requests.Session, made for the first proxied request

    def post(self, url, data=None, timeout=None, verify=True, allow_redirects=False):
        """``requests.Session().post(url, data=..., ...)``: the same environment, the same exceptions."""
        if allow_redirects:
            raise ValueError('Transport.post() does not follow redirects')
        if verify is True:
            verify = _default_verify()
        if select_proxy(url, get_environ_proxies(url)):
            if self._session is None:
                self._session = requests.Session()
            return self._session.post(url, data=data, timeout=timeout, verify=verify, allow_redirects=False)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ('http', 'https'):
            # (not the URL: its userinfo may hold a password the client does not know to mask)
            raise requests.exceptions.InvalidSchema('No connection adapters were found for %r' % scheme)
        request = _form_request(url, data)
        connect_timeout, read_timeout = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        key = (scheme, parts.hostname, parts.port, verify)
        connection = self._connections.pop(key, None)
        if connection is not None and _dropped(connection):
            connection.close()
            connection = None
        if connection is None:
            connection = self._connect(request, scheme, parts, connect_timeout, verify)
        connection.sock.settimeout(read_timeout)
        response, will_close = self._exchange(connection, request)
        if will_close:
            connection.close()
        else:
            self._connections[key] = connection
        return response

    # -- the two steps, each with requests' exception for how it fails --------------

    def _connect(self, request, scheme, parts, timeout, verify):
        """A connected HTTPConnection; what fails here, the request never left."""
        port = parts.port or (443 if scheme == 'https' else 80)
        if scheme == 'https':
            connection = HTTPSConnection(parts.hostname, port, timeout=timeout, context=tls_context(verify))
        else:
            connection = HTTPConnection(parts.hostname, port, timeout=timeout)
        try:
            connection.connect()
        except (OSError, ssl.CertificateError) as exc:
            connection.close()
            if isinstance(exc, socket.timeout):
                raise requests.exceptions.ConnectTimeout(exc, request=request)
            if isinstance(exc, (ssl.SSLError, ssl.CertificateError)):  # Python 3.6 checks the name apart
                raise requests.exceptions.SSLError(exc, request=request)
            raise requests.exceptions.ConnectionError(exc, request=request)  # the name, a refusal, no route
        return connection

    def _exchange(self, connection, request):
        """Send ``request`` on ``connection``; the whole answer, and whether the server closes the connection."""
        try:
            connection.request(request.method, request.path_url, request.body, request.headers)
            original = connection.getresponse()
        except socket.timeout as exc:
            connection.close()
            raise requests.exceptions.ReadTimeout(exc, request=request)
        except (OSError, HTTPException) as exc:  # sent, perhaps run: never "certainly not"
            connection.close()
            raise requests.exceptions.ConnectionError(exc, request=request)
        try:
            body = _decoded(original.read(), original.getheader('Content-Encoding'))
        except (OSError, IncompleteRead, HTTPException, zlib.error) as exc:  # the body cut short
            connection.close()
            raise requests.exceptions.ChunkedEncodingError(exc, request=request)
        return _response(request, original, body), original.will_close


def _form_request(url, data):
    """The PreparedRequest requests would make of a form POST, without the session's machinery.

    The headers are requests' own defaults; credentials for HTTP's own
    authentication come from the URL's userinfo, else from netrc, as
    requests takes them.
    """
    request = requests.PreparedRequest()
    request.method = 'POST'
    request.url = url
    body = _form_body(data)
    request.headers = CaseInsensitiveDict({
        'User-Agent': default_user_agent(), 'Accept-Encoding': ACCEPT_ENCODING, 'Accept': '*/*',
        'Connection': 'keep-alive', 'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': str(len(body))})
    request.body = body
    auth = get_auth_from_url(url)
    if not any(auth):
        auth = get_netrc_auth(url)
    if auth:
        HTTPBasicAuth(*auth)(request)
    return request


def _form_body(data):
    """``data`` encoded as requests encodes a form: None left out, a list as repeated fields, UTF-8."""
    fields = []
    for name, values in (data or {}).items():
        for value in values if isinstance(values, (list, tuple)) else [values]:
            if value is not None:
                fields.append((name, value))
    return urlencode(fields)


def _response(request, original, body):
    """The ``requests.Response`` of an http.client answer read in full."""
    response = requests.Response()
    response.status_code = original.status
    response.reason = original.reason
    response.headers = CaseInsensitiveDict(original.getheaders())
    response.encoding = get_encoding_from_headers(response.headers)
    response._content = body
    response._content_consumed = True
    response.url = request.url
    response.request = request
    return response


def _decoded(body, encoding):
    encoding = (encoding or '').strip().lower()
    if encoding == 'gzip':
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if encoding == 'deflate':
        try:
            return zlib.decompress(body)
        except zlib.error:  # some servers send a raw deflate stream, as urllib3 also accepts
            return zlib.decompress(body, -zlib.MAX_WBITS)
    return body


def tls_context(verify):
    """The SSLContext of ``verify``, made once per process.

    Reading a CA bundle costs about 20 ms of CPU (certifi's 150 certificates),
    more than the rest of a task; urllib3 reads it again for every
    connection.  ``controller_action`` makes the default one in
    ansible-playbook before it forks, so that every worker inherits it.  A
    CA file changed while a process runs is read by the next one.
    """
    if verify not in _CONTEXTS:
        _CONTEXTS[verify] = _new_tls_context(verify)
    return _CONTEXTS[verify]


def _default_verify():
    """What ``verify=True`` means, as requests reads it with trust_env: the bundle the variables name, else its own."""
    return os.environ.get('REQUESTS_CA_BUNDLE') or os.environ.get('CURL_CA_BUNDLE') or True


def preload_default_context():
    """Make the context of a call without ca_path: requests' bundle, or REQUESTS_CA_BUNDLE's."""
    try:
        tls_context(_default_verify())
    except (OSError, ssl.SSLError):  # not kept: the task that needs it meets the error and reports it
        pass


def _new_tls_context(verify):
    """The SSLContext of ``verify`` as requests takes it: True (its CA bundle), a file or folder, False."""
    # PROTOCOL_TLS_CLIENT checks the certificate and its name, and trusts nothing
    # until told: like urllib3, only the bundle requests names, not the system's.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if hasattr(ssl, 'TLSVersion'):  # Python 3.7+: no TLS older than 1.2, as urllib3 2
        context.minimum_version = ssl.TLSVersion.TLSv1_2
    if verify is False:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    location = DEFAULT_CA_BUNDLE_PATH if verify is True else verify
    if not os.path.exists(location):
        raise OSError('Could not find a suitable TLS CA certificate bundle, invalid path: %s' % location)
    if os.path.isdir(location):
        context.load_verify_locations(capath=location)
    else:
        context.load_verify_locations(cafile=location)
    return context


def _dropped(connection):
    """True when a kept-alive connection can no longer carry a request (the server closed it)."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        if hasattr(select, 'poll'):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True
