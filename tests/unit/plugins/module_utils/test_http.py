# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The client's transport against a scripted HTTP server on 127.0.0.1: what goes out, what comes back.

The server reads each request and answers as a test's script says (or
breaks the connection), so every way an answer can fail is a real socket's.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import gzip
import os
import socket
import ssl
import threading

import base64

import pytest
import requests
from requests.adapters import HTTPAdapter

from ansible_collections.ispsystem.billmanager.plugins.module_utils import _http
from ansible_collections.ispsystem.billmanager.plugins.module_utils._client import BillmanagerClient

OK = b'{"doc": {"elem": []}}'
TIMEOUT = 5.0  # seconds: every socket of the server and of the tests gives up after this


def answer(body=OK, status='200 OK', headers=(), length=None):
    head = ['HTTP/1.1 %s' % status, 'Content-Type: application/json',
            'Content-Length: %d' % (len(body) if length is None else length)] + list(headers)
    return ('\r\n'.join(head) + '\r\n\r\n').encode('ascii') + body


class ScriptedServer:
    """Accepts connections on 127.0.0.1; the n-th request gets ``script[n](sock, request)``.

    A step returns bytes to send (then the connection stays open for the
    next request), or None when it has closed or ruined the connection itself.
    """

    def __init__(self, *script):
        self.script = list(script)
        self.requests = []  # (connection number, head and body as bytes)
        self.connections = 0
        self.closed = threading.Semaphore(0)  # released as each connection is closed
        self.listener = socket.create_server(('127.0.0.1', 0))
        self.listener.settimeout(TIMEOUT)
        self.url = 'http://127.0.0.1:%d/billmgr' % self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while len(self.requests) < len(self.script):
            try:
                sock, dummy = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            sock.settimeout(TIMEOUT)
            with sock:
                self._connection(sock, self.connections)
            self.closed.release()

    def _connection(self, sock, number):
        data = b''
        while len(self.requests) < len(self.script):
            while b'\r\n\r\n' not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, dummy, rest = data.partition(b'\r\n\r\n')
            length = int(dict(line.split(b': ', 1) for line in head.split(b'\r\n')[1:]).get(b'Content-Length', 0))
            while len(rest) < length:
                rest += sock.recv(65536)
            request, data = head + b'\r\n\r\n' + rest[:length], rest[length:]
            self.requests.append((number, request))
            reply = self.script[len(self.requests) - 1](sock, request)
            if reply is None:
                return
            sock.sendall(reply)

    def close(self):
        self.listener.close()
        self.thread.join(TIMEOUT)


@pytest.fixture
def serve():
    servers = []

    def start(*script):
        servers.append(ScriptedServer(*script))
        return servers[-1]
    yield start
    for server in servers:
        server.close()


def replies(*answers):
    return [lambda sock, request, reply=reply: reply for reply in answers]


def post(transport, url, data=None, timeout=TIMEOUT):
    return transport.post(url, data=data or {'func': 'soft', 'out': 'json'}, timeout=timeout, verify=True,
                          allow_redirects=False)


@pytest.fixture
def no_standard_adapter(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("requests' own adapter sent a direct request")
    monkeypatch.setattr(HTTPAdapter, 'send', refuse)


@pytest.fixture(autouse=True)
def no_proxy_or_netrc(monkeypatch, tmp_path):
    """The tests' own environment: no proxy, an empty netrc, requests' CA bundle."""
    for name in list(os.environ):
        if name.lower().endswith('_proxy') or name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
            monkeypatch.delenv(name)
    (tmp_path / 'netrc').write_text('')
    monkeypatch.setenv('NETRC', str(tmp_path / 'netrc'))


def closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


# -- what goes out and what comes back -----------------------------------------------------

def test_direct_requests_share_one_kept_alive_connection(serve, no_standard_adapter):
    server = serve(*replies(answer(), answer(b'{"doc": {}}')))
    transport = _http.Transport()
    assert post(transport, server.url).json() == {'doc': {'elem': []}}
    assert post(transport, server.url).content == b'{"doc": {}}'
    assert [number for number, dummy in server.requests] == [1, 1]
    head = server.requests[0][1].decode('ascii')
    assert head.startswith('POST /billmgr HTTP/1.1\r\n')
    assert 'Content-Type: application/x-www-form-urlencoded' in head
    assert 'Accept-Encoding: gzip, deflate\r\n' in head  # only what the transport can decode
    assert 'User-Agent: %s\r\n' % requests.utils.default_user_agent() in head
    assert 'Authorization' not in head
    assert head.endswith('\r\n\r\nfunc=soft&out=json')


def test_a_form_is_encoded_as_requests_encodes_it(serve):
    server = serve(*replies(answer()))
    post(_http.Transport(), server.url, data={'func': 'soft', 'name': 'Sëcret & co', 'none': None, 'ids': ['1', '2']})
    assert server.requests[0][1].endswith(b'\r\n\r\nfunc=soft&name=S%C3%ABcret+%26+co&ids=1&ids=2')
    prepared = requests.Request('POST', server.url, data={'func': 'soft', 'name': 'Sëcret & co', 'none': None,
                                                          'ids': ['1', '2']}).prepare()
    assert server.requests[0][1].endswith(b'\r\n\r\n' + prepared.body.encode('ascii'))


def test_http_authentication_from_the_url_else_from_netrc(serve, tmp_path, monkeypatch):
    server = serve(*replies(answer(), answer()))
    userinfo = server.url.replace('http://', 'http://web%20user:p%40ss@')
    post(_http.Transport(), userinfo)
    (tmp_path / 'netrc').write_text('machine 127.0.0.1 login proxyuser password netrc-pass\n')
    post(_http.Transport(), server.url)
    sent = [request.decode('ascii') for dummy, request in server.requests]
    assert 'Authorization: Basic %s\r\n' % base64.b64encode(b'web user:p@ss').decode('ascii') in sent[0]
    assert 'Authorization: Basic %s\r\n' % base64.b64encode(b'proxyuser:netrc-pass').decode('ascii') in sent[1]
    assert sent[0].startswith('POST /billmgr HTTP/1.1\r\n')  # userinfo never in the request line


def test_a_connection_the_server_closed_is_not_used_again(serve, no_standard_adapter):
    def then_close(sock, request):
        sock.sendall(answer())  # keep-alive as far as the headers go, then closed
        return None
    server = serve(then_close, *replies(answer()))
    transport = _http.Transport()
    post(transport, server.url)
    assert server.closed.acquire(timeout=TIMEOUT)  # closed before the next request, not racing it
    assert post(transport, server.url).status_code == 200
    assert [number for number, dummy in server.requests] == [1, 2]


def test_an_answer_that_says_connection_close_closes_it(serve, no_standard_adapter):
    server = serve(*replies(answer(headers=['Connection: close']), answer()))
    transport = _http.Transport()
    post(transport, server.url)
    post(transport, server.url)
    assert [number for number, dummy in server.requests] == [1, 2]


def test_a_gzip_answer_is_decoded(serve):
    server = serve(*replies(answer(gzip.compress(OK), headers=['Content-Encoding: gzip'])))
    assert post(_http.Transport(), server.url).content == OK


def test_the_answer_is_a_requests_response(serve):
    server = serve(*replies(answer(b'<html>no</html>', status='404 Not Found', headers=['Location: /elsewhere'])))
    response = post(_http.Transport(), server.url)
    assert isinstance(response, requests.Response)
    assert (response.status_code, response.reason, response.headers['location']) == (404, 'Not Found', '/elsewhere')
    assert response.text == '<html>no</html>' and response.url == server.url


def test_a_proxied_request_goes_through_a_requests_session(monkeypatch):
    sent = []

    def standard(self, request, **kwargs):
        sent.append((request.url, kwargs['proxies']))
        reply = requests.Response()
        reply.status_code, reply._content = 200, OK
        return reply
    monkeypatch.setattr(HTTPAdapter, 'send', standard)
    monkeypatch.setenv('HTTP_PROXY', 'http://127.0.0.1:9')
    url = 'http://127.0.0.1:8/billmgr'
    assert post(_http.Transport(), url).content == OK
    assert sent == [(url, {'http': 'http://127.0.0.1:9'})]
    monkeypatch.setenv('NO_PROXY', '127.0.0.0/8')  # requests' own no_proxy, CIDR and all
    with pytest.raises(requests.exceptions.ConnectionError):
        post(_http.Transport(), 'http://127.0.0.1:%d/billmgr' % closed_port())
    assert len(sent) == 1


def test_the_ca_bundle_variables_replace_the_default_bundle(monkeypatch):
    used = []

    def context(verify):
        used.append(verify)
        raise ssl.SSLError('stop here')
    monkeypatch.setattr(_http, 'tls_context', context)
    url = 'https://127.0.0.1:%d/billmgr' % closed_port()
    for variables in ({}, {'CURL_CA_BUNDLE': '/ca/curl.pem'}, {'REQUESTS_CA_BUNDLE': '/ca/requests.pem'}):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        with pytest.raises(ssl.SSLError):
            post(_http.Transport(), url)
    with pytest.raises(ssl.SSLError):
        _http.Transport().post(url, data={}, verify='/ca/option.pem')
    assert used == [True, '/ca/curl.pem', '/ca/requests.pem', '/ca/option.pem']


def test_redirects_are_never_followed():
    with pytest.raises(ValueError, match='does not follow redirects'):
        _http.Transport().post('http://127.0.0.1:8/billmgr', data={}, allow_redirects=True)


# -- failures, in requests' own exceptions --------------------------------------------------

def test_a_refused_connection_is_a_connection_error_that_never_left():
    url = 'http://127.0.0.1:%d/billmgr' % closed_port()
    with pytest.raises(requests.exceptions.ConnectionError) as info:
        post(_http.Transport(), url)
    assert isinstance(info.value.args[0], ConnectionRefusedError)
    with pytest.raises(Exception) as info:
        BillmanagerClient(url, 'reseller', 'secret', retries=0).call('soft.edit', {'elid': '1', 'sok': 'ok'})
    assert info.value.never_sent and not info.value.ambiguous and 'Connection refused' in str(info.value)


def test_no_answer_in_time_is_a_read_timeout_and_a_write_may_have_run(serve):
    def silent(sock, request):
        sock.recv(1)  # nothing comes: wait for the client to give up and close
        return None
    server = serve(silent, silent)
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(_http.Transport(), server.url, timeout=0.2)
    client = BillmanagerClient(server.url, 'reseller', 'secret', timeout=0.2)
    with pytest.raises(Exception) as info:
        client.call('soft.edit', {'elid': '1', 'sok': 'ok', 'period': '1'})
    assert info.value.kind == 'timeout' and info.value.ambiguous is True


def test_a_connection_broken_before_the_answer_may_have_run_the_write(serve):
    def reset(sock, request):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
        sock.close()  # SO_LINGER 0: a reset, after the whole request was read
        return None
    server = serve(reset)
    client = BillmanagerClient(server.url, 'reseller', 'secret')
    with pytest.raises(Exception) as info:
        client.call('soft.edit', {'elid': '1', 'sok': 'ok', 'period': '1'})
    assert info.value.kind == 'connection' and info.value.ambiguous is True and not info.value.never_sent
    assert 'broke before the answer came' in str(info.value)


def test_a_body_cut_short_is_a_broken_answer(serve):
    def half(sock, request):
        sock.sendall(answer(OK[:5], length=len(OK)))
        return None
    server = serve(half)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        post(_http.Transport(), server.url)


# -- the TLS context of verify ------------------------------------------------------------

def test_verify_true_trusts_requests_bundle_only():
    context = _http._new_tls_context(True)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()['x509_ca'] > 0


def test_a_context_is_made_once_per_verify():
    assert _http.tls_context(True) is _http.tls_context(True)
    assert _http.tls_context(False) is not _http.tls_context(True)


def test_verify_false_checks_nothing():
    context = _http._new_tls_context(False)
    assert context.verify_mode == ssl.CERT_NONE and not context.check_hostname


def test_verify_names_a_ca_file_or_folder(tmp_path):
    bundle = requests.utils.DEFAULT_CA_BUNDLE_PATH
    assert _http._new_tls_context(bundle).cert_store_stats()['x509_ca'] > 0
    folder = tmp_path / 'cas'
    folder.mkdir()
    assert _http._new_tls_context(str(folder)).verify_mode == ssl.CERT_REQUIRED  # capath: read when needed
    missing = os.path.join(str(tmp_path), 'missing.pem')
    with pytest.raises(OSError, match='invalid path: %s' % missing):
        _http._new_tls_context(missing)


@pytest.mark.parametrize('failure, raised, kind', [
    (socket.timeout('timed out'), requests.exceptions.ConnectTimeout, 'timeout'),
    (ssl.SSLCertVerificationError(1, 'certificate verify failed'), requests.exceptions.SSLError, 'tls'),
    (socket.gaierror(-2, 'Name or service not known'), requests.exceptions.ConnectionError, 'connection'),
    (OSError(113, 'No route to host'), requests.exceptions.ConnectionError, 'connection'),
])
def test_what_fails_while_connecting_never_left(monkeypatch, failure, raised, kind):
    def connect(self):
        raise failure
    monkeypatch.setattr(_http.HTTPConnection, 'connect', connect)
    with pytest.raises(raised) as info:
        post(_http.Transport(), 'http://127.0.0.1:8/billmgr')
    assert info.value.args[0] is failure  # the cause, for _client's words
    with pytest.raises(Exception) as info:
        BillmanagerClient('http://127.0.0.1:8/billmgr', 'reseller', 'secret').call(
            'soft.edit', {'elid': '1', 'sok': 'ok', 'period': '1'})
    assert info.value.kind == kind and not info.value.ambiguous
