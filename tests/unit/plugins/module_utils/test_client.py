# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTP client: the request, answers, failures in plain words, writes sent once."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import re
import socket
import ssl
import threading

import pytest
import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError, ProtocolError, SSLError

from ansible_collections.ispsystem.billmanager.plugins.module_utils import _client, _retry
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import MASK, BillmanagerError
from ansible_collections.ispsystem.billmanager.plugins.module_utils._client import BillmanagerClient

from ansible_collections.ispsystem.billmanager.tests.unit.plugins.module_utils.fakes import API_URL, PASSWORD, Sleeps, doc, error_doc, response, session_with
from ansible_collections.ispsystem.billmanager.tests.unit.plugins.module_utils.fakes import scripted_client as client


def assert_no_password(exc):
    for text in (str(exc), repr(exc), exc.message, repr(exc.to_dict())):
        assert 'Sëcret' not in text and 'S%C3%ABcret' not in text, text


# -- the request ---------------------------------------------------------------

def test_a_call_is_a_form_post_with_credentials_in_the_body():
    c, adapter, dummy = client(doc(elem=[]))
    c.call('soft', {'elid': '7'})
    request = adapter.requests[0]
    assert request.method == 'POST'
    assert request.url == API_URL  # nothing in the query string
    assert request.headers['Content-Type'] == 'application/x-www-form-urlencoded'
    assert adapter.forms[0] == {'func': 'soft', 'out': 'json', 'lang': 'en', 'elid': '7',
                                'authinfo': 'reseller:' + PASSWORD}
    assert adapter.kwargs[0]['timeout'] == 30 and adapter.kwargs[0]['verify'] is True


# -- answers ---------------------------------------------------------------------------

def test_a_call_returns_the_plain_doc():
    c, dummy, dummy = client(response({'doc': {'elem': {'id': {'$': '9'}, 'pricelist': {'$orig': '3541', '$': 'Lite'}}}}))
    assert c.call('soft') == {'elem': {'id': '9', 'pricelist': '3541'}}


@pytest.mark.parametrize('body, expected', [({'doc': {}}, {}), ({'doc': {'$lang': 'en'}}, {'lang': 'en'})])
def test_a_doc_without_children_is_a_dict(body, expected):
    # No licenses: not even an ``elem``; the doc's attributes are all it has.
    c, dummy, dummy = client(response(body))
    assert c.call('soft') == expected


# -- errors ------------------------------------------------------------------------

def test_error_element_becomes_a_billing_error():
    c, dummy, sleeps = client(error_doc('exists', 'The IP already has a license', 'ip', detail='10.0.0.1'))
    with pytest.raises(BillmanagerError) as info:
        c.call('soft.checkip', {'ip': '10.0.0.1'})
    exc = info.value
    assert (exc.kind, exc.err_type, exc.err_object, exc.func) == ('billing', 'exists', 'ip', 'soft.checkip')
    assert exc.message == 'The IP already has a license (10.0.0.1)'
    assert str(exc) == ("BILLmanager function soft.checkip failed: The IP already has a license "
                        "(10.0.0.1) (type 'exists', object 'ip')")
    assert exc.to_dict()['type'] == 'exists' and exc.ambiguous is False
    assert sleeps == []  # a billing error is an answer, not a transient failure


@pytest.mark.parametrize('echo', [PASSWORD, requests.compat.quote(PASSWORD, safe=''),
                                  requests.compat.quote_plus(PASSWORD, safe='')])
def test_an_echoed_password_never_reaches_the_message(echo):
    c, dummy, dummy = client(error_doc('value', 'Bad value %s' % echo, 'password', detail='got %s' % echo))
    with pytest.raises(BillmanagerError) as info:
        c.call('soft')
    assert_no_password(info.value)
    assert MASK in str(info.value)


@pytest.mark.parametrize('answer, kind', [
    (response(raw='<html>proxy %s</html>' % PASSWORD, status=502, reason='Bad Gateway'), 'http'),
    (response(raw='<html><body>Login %s</body></html>' % PASSWORD), 'format'),
    (requests.exceptions.SSLError('certificate verify failed for %s' % PASSWORD), 'tls'),
    (requests.exceptions.ConnectionError('reset after authinfo=reseller:%s' % PASSWORD), 'connection'),
])
def test_no_failure_message_holds_the_password(answer, kind):
    c, dummy, dummy = client(answer, retries=0)
    with pytest.raises(BillmanagerError) as info:
        c.call('soft')
    assert info.value.kind == kind
    assert_no_password(info.value)


@pytest.mark.parametrize('answer, kind, status', [
    (response(raw='Not Found', status=404, reason='Not Found'), 'http', 404),
    (response(raw='<!DOCTYPE html><html>login</html>'), 'format', 200),
    (response(raw='{"doc": {"elem": [{"id": '), 'format', 200),
    (response(raw=''), 'format', 200),
    (response([1, 2]), 'format', 200),
    (response({'elem': []}), 'format', 200),
    (response({'doc': 'text'}), 'format', 200),
    (requests.exceptions.ReadTimeout('read timed out'), 'timeout', None),
    (requests.exceptions.SSLError('certificate verify failed'), 'tls', None),
    (requests.exceptions.ConnectionError('connection reset'), 'connection', None),
    (requests.exceptions.TooManyRedirects('loop'), 'connection', None),
])
def test_failure_kinds(answer, kind, status):
    c, dummy, dummy = client(answer, retries=0)
    with pytest.raises(BillmanagerError) as info:
        c.call('soft')
    assert info.value.kind == kind and info.value.status == status
    assert info.value.func == 'soft'


def test_the_tls_message_points_at_ca_path():
    c, dummy, dummy = client(requests.exceptions.SSLError('self-signed certificate'))
    with pytest.raises(BillmanagerError) as info:
        c.call('soft')
    assert 'ca_path' in str(info.value) and 'self-signed certificate' in str(info.value)


# -- retries and writes --------------------------------------------------------------

def test_reads_are_retried_after_pauses():
    c, adapter, sleeps = client(requests.exceptions.ConnectionError('reset'), requests.exceptions.ReadTimeout('slow'),
                                response(raw='busy', status=503), doc(elem=[]), retries=3)
    assert c.call('soft') == {'elem': []}
    assert len(adapter.requests) == 4 and len(sleeps) == 3


def test_retries_stop_at_api_retries():
    c, adapter, sleeps = client(response(raw='busy', status=503, reason='Unavailable'), retries=2)
    with pytest.raises(BillmanagerError) as info:
        c.call('soft')
    assert info.value.kind == 'http' and info.value.status == 503
    assert len(adapter.requests) == 3 and len(sleeps) == 2
    assert 'Tried %s 3 times over ' % API_URL in str(info.value)


def test_without_an_injected_sleep_time_sleep_pauses(monkeypatch):
    slept = []
    monkeypatch.setattr(_retry.time, 'sleep', slept.append)
    session, adapter = session_with(requests.exceptions.ConnectionError('reset'), doc())
    BillmanagerClient(API_URL, 'reseller', PASSWORD, http=session, retries=1).call('soft')
    assert len(slept) == 1 and slept[0] >= 0.5


@pytest.mark.parametrize('answer', [error_doc('value', 'bad ip', 'ip'), error_doc('auth', 'denied'),
                                    response(raw='no', status=403, reason='Forbidden'),
                                    response(raw='<html>'), requests.exceptions.SSLError('bad cert')])
def test_reads_are_not_retried_on_answers(answer):
    c, adapter, sleeps = client(answer, retries=3)
    with pytest.raises(BillmanagerError):
        c.call('soft')
    assert len(adapter.requests) == 1 and sleeps == []


@pytest.mark.parametrize('func, params', [
    ('soft.order.param', {'pricelist': 3541}), ('soft.suspend', {'elid': 1}), ('soft.resume', {'elid': 1}),
    ('soft.delete', {'elid': 1}), ('service.prolong', {'elid': 1}), ('service.changepricelist', {'elid': 1}),
    ('soft.edit', {'elid': 1, 'sok': 'ok'}), ('soft.edit', {'elid': 1, 'clicked_button': 'newkey', 'sok': 'ok'}),
])
def test_writes_are_sent_exactly_once(func, params):
    c, adapter, sleeps = client(response(raw='busy', status=503, reason='Unavailable'), retries=3)
    with pytest.raises(BillmanagerError) as info:
        c.call(func, params)
    assert len(adapter.requests) == 1 and sleeps == []
    assert info.value.ambiguous is True


def test_a_read_can_be_declared_a_write():
    c, adapter, dummy = client(requests.exceptions.ReadTimeout('slow'), retries=3)
    with pytest.raises(BillmanagerError) as info:
        c.call('soft.edit', {'elid': 1}, write=True)
    assert len(adapter.requests) == 1 and info.value.ambiguous is True


@pytest.mark.parametrize('answer, ambiguous', [
    (requests.exceptions.ReadTimeout('slow'), True),
    (response(raw='gateway', status=502, reason='Bad Gateway'), True),
    (response(raw='<html>oops</html>'), True),
    (response(raw='{"doc": {"id"'), True),
    (requests.exceptions.ConnectionError(ProtocolError('Connection aborted.', ConnectionResetError(104))), True),
    (requests.exceptions.ConnectTimeout('connect timed out'), False),
    (error_doc('exists', 'taken', 'ip'), False),
    (response(raw='nope', status=400, reason='Bad Request'), False),
    (response(raw='nope', status=404, reason='Not Found'), False),
    (requests.exceptions.SSLError('bad cert'), False),
])
def test_which_failed_writes_are_ambiguous(answer, ambiguous):
    c, dummy, dummy = client(answer)
    with pytest.raises(BillmanagerError) as info:
        c.call('soft.order.param', {'pricelist': 3541, 'sok': 'ok'})
    assert info.value.ambiguous is ambiguous
    assert info.value.to_dict()['ambiguous'] is ambiguous


# -- real sockets: refused, silent, and broken connections ---------------------------

def _server(behaviour):
    """A one-connection TCP server on localhost; returns its URL."""
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(1)

    def serve():
        conn, dummy = listener.accept()
        conn.recv(65536)
        behaviour(conn)
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return 'http://127.0.0.1:%d/billmgr' % listener.getsockname()[1]


def _real_client(url, timeout=5):
    return BillmanagerClient(url, 'reseller', PASSWORD, timeout=timeout, retries=2, sleep=Sleeps())


def test_refused_connection_is_a_certain_failure():
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    c = _real_client('http://127.0.0.1:%d/billmgr' % port)
    with pytest.raises(BillmanagerError) as info:
        c.call('soft.order.param', {'pricelist': 3541})
    assert info.value.kind == 'connection' and info.value.never_sent and not info.value.ambiguous


def test_silent_server_times_out_and_the_write_is_ambiguous():
    stop = threading.Event()
    c = _real_client(_server(lambda conn: stop.wait(5)), timeout=0.3)
    try:
        with pytest.raises(BillmanagerError) as info:
            c.call('soft.delete', {'elid': 1, 'sok': 'ok'})
    finally:
        stop.set()
    assert info.value.kind == 'timeout' and info.value.ambiguous
    assert c.calls == 1


def test_connection_closed_after_the_request_is_ambiguous():
    c = _real_client(_server(lambda conn: conn.close()))
    with pytest.raises(BillmanagerError) as info:
        c.call('service.prolong', {'elid': 1, 'period': 1, 'sok': 'ok'})
    assert info.value.kind == 'connection' and info.value.ambiguous and not info.value.never_sent
    assert_no_password(info.value)
    assert 'HTTPConnectionPool' not in str(info.value) and 'object at 0x' not in str(info.value)


def test_a_refused_connection_says_so_in_plain_words():
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    c = _real_client('http://127.0.0.1:%d/billmgr' % port)
    with pytest.raises(BillmanagerError) as info:
        c.call('soft')
    assert str(info.value).startswith(
        'BILLmanager function soft failed: Connection refused by 127.0.0.1 port %d: nothing listens there. '
        'Tried http://127.0.0.1:%d/billmgr 3 times over ' % (port, port))
    assert str(info.value).endswith(' s. Check api_url (or BILLMANAGER_URL): its host and port.')
    for internal in ('HTTPConnectionPool', 'Max retries', 'NewConnectionError', 'object at 0x', 'Errno'):
        assert internal not in str(info.value)


# -- failures in plain words ---------------------------------------------------------------

def connect_failure(inner):
    """A requests ConnectionError as requests raises it when connect() fails with ``inner``."""
    try:
        try:
            raise inner
        except OSError as exc:
            raise NewConnectionError(None, 'Failed to establish a new connection: %s' % exc) from exc
    except NewConnectionError as exc:
        return requests.exceptions.ConnectionError(MaxRetryError(None, '/billmgr', reason=exc))


def verify_failure(code, message):
    error = ssl.SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: %s '
                                            '(_ssl.c:1006)' % message)
    error.verify_code, error.verify_message = code, message
    return requests.exceptions.SSLError(MaxRetryError(None, '/billmgr', reason=SSLError(error)))


class CertificateError(ValueError):
    """urllib3 1.x's own name-check error (urllib3.util.ssl_match_hostname), which urllib3 2 no longer has."""


def urllib3_name_failure(message):
    return requests.exceptions.SSLError(MaxRetryError(None, '/billmgr', reason=SSLError(CertificateError(message))))


URL_WITH_PORT = 'https://billing.example.com:1500/billmgr'


@pytest.mark.parametrize('failure, kind, never_sent, words', [
    (connect_failure(ConnectionRefusedError(111, 'Connection refused')), 'connection', True,
     'Connection refused by billing.example.com port 1500: nothing listens there. Tried %s 4 times over 0.0 s. '
     'Check api_url (or BILLMANAGER_URL): its host and port.'),
    (connect_failure(socket.gaierror(-2, 'Name or service not known')), 'connection', True,
     'The host name billing.example.com could not be resolved (no such name in DNS, or no DNS server reachable). '
     'Tried %s 4 times over 0.0 s. Check api_url (or BILLMANAGER_URL): its host name.'),
    (connect_failure(OSError(errno.EHOSTUNREACH, 'No route to host')), 'connection', True,
     'No connection to billing.example.com port 1500 could be made (No route to host). Tried %s 4 times over 0.0 s. '
     'Check api_url (or BILLMANAGER_URL), and the network of this host.'),
    (requests.exceptions.ConnectTimeout(MaxRetryError(None, '/billmgr', reason=ConnectTimeoutError('timed out'))),
     'timeout', True,
     'No connection to billing.example.com port 1500 within 30 s: the host does not answer. Tried %s 4 times over '
     '0.0 s. Check api_url (or BILLMANAGER_URL), and that a firewall or proxy lets this host reach it.'),
    (requests.exceptions.ReadTimeout('HTTPSConnectionPool(host=...): Read timed out. (read timeout=30)'), 'timeout',
     False, 'No answer from billing.example.com within 30 s: the billing system or a proxy on the way is slow or '
     'stuck. Tried %s 4 times over 0.0 s. A larger api_timeout (or BILLMANAGER_TIMEOUT) may help.'),
    (requests.exceptions.ConnectionError(ProtocolError('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))),
     'connection', False, 'The connection to billing.example.com port 1500 broke before the answer came (Connection '
     'reset by peer). Tried %s 4 times over 0.0 s.'),
    (verify_failure(19, 'self-signed certificate in certificate chain'), 'tls', False,
     'TLS: the certificate of %s is not trusted (certificate verify failed: self-signed certificate in certificate '
     'chain). Tried %s once. If the billing system has a certificate of a private CA, set ca_path (or '
     'BILLMANAGER_CA_PATH) to that CA\'s certificate.'),
    (verify_failure(62, "Hostname mismatch, certificate is not valid for 'billing.example.com'."), 'tls', False,
     'TLS: the certificate of %s is not made for the name billing.example.com (certificate verify failed: Hostname '
     "mismatch, certificate is not valid for 'billing.example.com'.). Tried %s once. Make api_url (or "
     'BILLMANAGER_URL) name the host the way its certificate does.'),
    # urllib3 1.26 (the oldest requests on Python 3.8) checks an IP-address certificate's name itself
    (urllib3_name_failure("hostname 'billing.example.com' doesn't match '192.0.2.1'"), 'tls', False,
     'TLS: the certificate of %s is not made for the name billing.example.com (certificate verify failed: hostname '
     "'billing.example.com' doesn't match '192.0.2.1'). Tried %s once. Make api_url (or BILLMANAGER_URL) name the "
     'host the way its certificate does.'),
    (verify_failure(10, 'certificate has expired'), 'tls', False,
     'TLS: the certificate of %s has expired (certificate verify failed: certificate has expired). Tried %s once. '
     'The billing system needs a new certificate.'),
    (requests.exceptions.SSLError(MaxRetryError(None, '/', reason=SSLError(ssl.SSLError(
        1, '[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)')))), 'tls', False,
     'TLS: the handshake with %s failed (wrong version number). Tried %s once. Check api_url (or BILLMANAGER_URL): '
     'https:// to a port that speaks TLS. If the billing system has a certificate of a private CA, set ca_path (or '
     "BILLMANAGER_CA_PATH) to that CA's certificate."),
])
def test_failures_in_plain_words(failure, kind, never_sent, words):
    session, adapter = session_with(failure)
    c = BillmanagerClient(URL_WITH_PORT, 'reseller', PASSWORD, http=session, sleep=Sleeps(), retries=3)
    with pytest.raises(BillmanagerError) as info:
        c.call('soft')
    assert info.value.kind == kind and info.value.never_sent is never_sent
    # how long the tries took is the machine's business (0.1 s on a busy one): not part of the words
    assert re.sub(r'over [0-9.]+ s', 'over 0.0 s', info.value.message) == words.replace('%s', URL_WITH_PORT)
    assert str(info.value) == 'BILLmanager function soft failed: ' + info.value.message


@pytest.mark.parametrize('inner, never_sent, why', [
    (ConnectionRefusedError(111, 'Connection refused'), True, 'connection refused'),
    (ConnectionResetError(104, 'Connection reset by peer'), False, 'Connection reset by peer')])
def test_a_proxy_that_cannot_be_reached_is_named(monkeypatch, inner, never_sent, why):
    monkeypatch.setenv('HTTPS_PROXY', 'http://proxyuser:proxypw@127.0.0.1:3128')
    monkeypatch.delenv('NO_PROXY', raising=False)
    monkeypatch.delenv('no_proxy', raising=False)
    failure = connect_failure(inner)
    session, dummy = session_with(requests.exceptions.ProxyError(failure.args[0]))
    c = BillmanagerClient(API_URL, 'reseller', PASSWORD, http=session, sleep=Sleeps(), retries=0)
    with pytest.raises(BillmanagerError) as info:
        c.call('soft')
    assert info.value.message == (
        'The proxy http://127.0.0.1:3128 could not be reached for billing.example.com (%s). Tried %s once. Check the '
        'proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) of the host that runs the task.' % (why, API_URL))
    assert info.value.never_sent is never_sent and info.value.kind == 'connection'


def test_a_lost_write_says_it_was_not_sent_again():
    c, dummy, dummy = client(requests.exceptions.ReadTimeout('slow'))
    with pytest.raises(BillmanagerError) as info:
        c.call('soft.order.param', {'pricelist': 3541})
    assert 'Tried %s once (a change is never sent twice).' % API_URL in info.value.message


@pytest.mark.parametrize('answer, words', [
    (response(raw='<html><body><h1>404 Not Found</h1></body></html>', status=404, reason='Not Found'),
     'HTTP 404 Not Found from %s: <html><body><h1>404 Not Found</h1></body></html>. This is no BILLmanager API: '
     'is api_url right? It is the option api_url, or BILLMANAGER_URL. Tried %s once.'),
    (response(raw='', status=405, reason='Method Not Allowed'),
     'HTTP 405 Method Not Allowed from %s: empty body. This is no BILLmanager API: is api_url right? It is the '
     'option api_url, or BILLMANAGER_URL. Tried %s once.'),
    (response(raw='<!DOCTYPE html><html>Sign in</html>'),
     'the answer is not BILLmanager JSON (is api_url right? It is the option api_url, or BILLMANAGER_URL): '
     '<!DOCTYPE html><html>Sign in</html>. Tried %s once.'),
    (response(raw='<html>bad gateway</html>', status=502, reason='Bad Gateway'),
     'HTTP 502 Bad Gateway from %s: <html>bad gateway</html>. Tried %s 4 times over 0.0 s.'),
])
def test_an_http_answer_that_is_no_api_gets_the_api_url_hint(answer, words):
    c, dummy, dummy = client(answer)
    with pytest.raises(BillmanagerError) as info:
        c.call('soft')
    assert info.value.message == words.replace('%s', API_URL)


def test_a_redirect_names_where_it_points():
    answer = response(raw='', status=301, reason='Moved Permanently')
    answer.headers['Location'] = 'https://user:pw@login.example.com/'
    c, dummy, dummy = client(answer)
    with pytest.raises(BillmanagerError) as info:
        c.call('soft')
    assert 'The API does not redirect: is api_url right?' in info.value.message
    assert 'https://login.example.com/' in info.value.message and 'pw@' not in info.value.message


def test_messages_show_the_url_without_userinfo():
    url = 'https://reseller:%s@billing.example.com/billmgr' % requests.compat.quote(PASSWORD, safe='')
    session, dummy = session_with(requests.exceptions.ReadTimeout('slow'))
    c = BillmanagerClient(url, 'reseller', PASSWORD, http=session, sleep=Sleeps(), retries=0)
    with pytest.raises(BillmanagerError) as info:
        c.call('soft')
    assert 'Tried https://billing.example.com/billmgr once.' in str(info.value)
    assert 'reseller:' not in repr(c) and 'reseller:' not in str(info.value)
    assert_no_password(info.value)


@pytest.mark.parametrize('url, shown', [
    ('https://u:p@h.example.com:1500/b?x=1#f', 'https://h.example.com:1500/b?x=1#f'),
    ('https://u@h/b', 'https://h/b'), ('https://h/b', 'https://h/b'), ('not a url', 'not a url'),
    ('http://a:b@c@d/e', 'http://d/e')])
def test_url_without_userinfo(url, shown):
    assert _client.url_without_userinfo(url) == shown
