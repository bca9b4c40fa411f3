# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The transport: request shape, authentication, decoding, errors, retries."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import socket
import threading

import pytest
import requests
from urllib3.exceptions import ProtocolError

from ansible_collections.ispsystem.billmanager.plugins.module_utils import _client
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import MASK, BillmanagerError
from ansible_collections.ispsystem.billmanager.plugins.module_utils._client import BillmanagerClient
from ansible_collections.ispsystem.billmanager.plugins.module_utils._connection import client_from_params

from ansible_collections.ispsystem.billmanager.tests.unit.plugins.module_utils.fakes import API_URL, Sleeps, doc, error_doc, response, session_with

PASSWORD = 'p@ss w:rd/Sëcret'


def client(*answers, **kwargs):
    """A client over a scripted transport; returns (client, adapter, sleeps)."""
    session, adapter = session_with(*answers)
    sleeps = Sleeps()
    kwargs.setdefault('retries', 3)
    return BillmanagerClient(API_URL, 'reseller', PASSWORD, http=session, sleep=sleeps, **kwargs), adapter, sleeps


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


@pytest.mark.parametrize('validate_certs, ca_path, verify', [
    (True, None, True), (True, '/etc/ca.pem', '/etc/ca.pem'), (False, '/etc/ca.pem', False), (False, None, False)])
def test_certificate_options_become_the_verify_argument(validate_certs, ca_path, verify):
    session, adapter = session_with(doc())
    params = dict(api_url=API_URL, api_username='u', api_password='p', auth_method='authinfo',
                  validate_certs=validate_certs, ca_path=ca_path, api_timeout=7, api_retries=0)
    client_from_params(params, http=session).call('soft')
    assert adapter.kwargs[0]['verify'] == verify
    assert adapter.kwargs[0]['timeout'] == 7


def test_session_auth_logs_in_once_and_sends_the_session_id():
    c, adapter, dummy = client(lambda form: doc(auth={'$id': 'S1', '$': 'S1'}) if form['func'] == 'auth' else doc(),
                               auth_method='session')
    c.call('soft')
    c.call('soft.edit', {'elid': '1'})
    login, first, second = adapter.forms
    assert login == {'func': 'auth', 'out': 'json', 'lang': 'en', 'username': 'reseller', 'password': PASSWORD}
    assert first['auth'] == second['auth'] == 'S1'
    assert 'authinfo' not in first and 'password' not in first


def test_expired_session_logs_in_again_once_and_repeats_the_call():
    c, adapter, dummy = client(doc(auth={'$': 'S1'}), doc(), error_doc('auth', 'Session expired'),
                               doc(auth={'$': 'S2'}), doc(elem={'id': {'$': '5'}}), auth_method='session')
    c.call('soft')
    assert c.call('soft', write=True) == {'elem': {'id': '5'}}
    assert [f['func'] for f in adapter.forms] == ['auth', 'soft', 'soft', 'auth', 'soft']
    assert adapter.forms[-1]['auth'] == 'S2'


def test_expired_session_is_renewed_only_once():
    c, adapter, dummy = client(doc(auth={'$': 'S1'}), doc(), error_doc('auth', 'Session expired'),
                               doc(auth={'$': 'S2'}), error_doc('auth', 'Access denied'), auth_method='session')
    c.call('soft')
    with pytest.raises(BillmanagerError) as info:
        c.call('soft')
    assert info.value.kind == 'auth'
    assert len(adapter.requests) == 5


def test_auth_error_right_after_login_is_not_retried():
    c, adapter, dummy = client(doc(auth={'$': 'S1'}), error_doc('auth', 'Access denied'), auth_method='session')
    with pytest.raises(BillmanagerError) as info:
        c.call('soft')
    assert info.value.kind == 'auth' and len(adapter.requests) == 2


@pytest.mark.parametrize('auth_method', ['authinfo', 'session'])
def test_bad_credentials_fail_with_kind_auth_at_once(auth_method):
    c, adapter, sleeps = client(error_doc('auth', 'Invalid username or password', 'badpassword'),
                                auth_method=auth_method)
    with pytest.raises(BillmanagerError) as info:
        c.call('soft')
    assert (info.value.kind, info.value.err_type, info.value.err_object) == ('auth', 'auth', 'badpassword')
    assert len(adapter.requests) == 1 and sleeps == []
    assert 'Invalid username or password' in str(info.value)


def test_login_answer_without_a_session_id_is_a_format_error():
    c, dummy, dummy = client(doc(ok={}), auth_method='session')
    with pytest.raises(BillmanagerError) as info:
        c.call('soft')
    assert info.value.kind == 'format' and 'session id' in str(info.value)


def test_a_failed_login_before_a_write_is_not_ambiguous():
    c, adapter, dummy = client(requests.exceptions.ReadTimeout('slow'), auth_method='session')
    with pytest.raises(BillmanagerError) as info:
        c.call('soft.delete', {'elid': '1', 'sok': 'ok'})
    assert info.value.kind == 'timeout' and info.value.ambiguous is False
    assert [f['func'] for f in adapter.forms] == ['auth']


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

def test_reads_are_retried_with_growing_backoff(monkeypatch):
    monkeypatch.setattr(_client.random, 'uniform', lambda low, high: high)  # the longest pause
    c, adapter, sleeps = client(requests.exceptions.ConnectionError('reset'), requests.exceptions.ReadTimeout('slow'),
                                response(raw='busy', status=503), doc(elem=[]), retries=3)
    assert c.call('soft') == {'elem': []}
    assert len(adapter.requests) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_retries_stop_at_api_retries():
    c, adapter, sleeps = client(response(raw='busy', status=503, reason='Unavailable'), retries=2)
    with pytest.raises(BillmanagerError) as info:
        c.call('soft')
    assert info.value.kind == 'http' and info.value.status == 503
    assert len(adapter.requests) == 3 and len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5 <= sleeps[1] <= 1.0


@pytest.mark.parametrize('answer', [error_doc('value', 'bad ip', 'ip'), error_doc('auth', 'denied'),
                                    response(raw='no', status=403, reason='Forbidden'),
                                    response(raw='<html>'), requests.exceptions.SSLError('bad cert')])
def test_reads_are_not_retried_on_answers(answer):
    c, adapter, sleeps = client(answer, retries=3)
    with pytest.raises(BillmanagerError):
        c.call('soft')
    assert len(adapter.requests) == 1 and sleeps == []


@pytest.mark.parametrize('attempt', range(8))
def test_backoff_is_jittered_within_bounds(attempt):
    delay = min(8.0, 0.5 * 2 ** attempt)
    pauses = [BillmanagerClient.backoff(attempt) for dummy in range(200)]
    assert all(delay / 2 <= pause <= delay for pause in pauses)
    assert len(set(pauses)) > 1  # jitter: parallel tasks do not retry in lockstep


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


def test_session_id_only_in_the_attribute():
    # <auth id="S"/>: an empty element whose id is an attribute only.
    c, adapter, dummy = client(doc(auth={'$id': 'attr-only'}), doc(), auth_method='session')
    c.call('soft')
    assert adapter.forms[-1]['auth'] == 'attr-only'
