# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Authentication: authinfo on every call, or a session renewed once when it expires."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import requests

from ansible_collections.ispsystem.billmanager.plugins.module_utils import _auth
from ansible_collections.ispsystem.billmanager.plugins.module_utils._client import BillmanagerClient
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import BillmanagerError

from ansible_collections.ispsystem.billmanager.tests.unit.plugins.module_utils.fakes import API_URL, Sleeps, doc, error_doc, session_with

PASSWORD = 'p@ss w:rd/Sëcret'


def client(*answers, **kwargs):
    session, adapter = session_with(*answers)
    sleeps = Sleeps()
    kwargs.setdefault('retries', 3)
    return BillmanagerClient(API_URL, 'reseller', PASSWORD, http=session, sleep=sleeps, **kwargs), adapter, sleeps


@pytest.mark.parametrize('method, cls', [('authinfo', _auth.Authinfo), ('session', _auth.SessionLogin),
                                         (None, _auth.Authinfo)])
def test_the_authenticator_of_each_method(method, cls):
    assert isinstance(_auth.authenticator(method, 'u', 'p'), cls)


def test_authinfo_goes_in_the_body_of_every_call():
    c, adapter, dummy = client(doc(), doc())
    c.call('soft')
    c.call('soft.edit', {'elid': '1'})
    assert [f['authinfo'] for f in adapter.forms] == ['reseller:' + PASSWORD] * 2


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
    assert info.value.never_sent


def test_a_failed_login_before_a_write_is_not_ambiguous():
    c, adapter, dummy = client(requests.exceptions.ReadTimeout('slow'), auth_method='session')
    with pytest.raises(BillmanagerError) as info:
        c.call('soft.delete', {'elid': '1', 'sok': 'ok'})
    assert info.value.kind == 'timeout' and info.value.ambiguous is False
    assert [f['func'] for f in adapter.forms] == ['auth']


def test_a_failed_login_before_a_read_is_retried_with_a_new_login():
    c, adapter, sleeps = client(requests.exceptions.ConnectionError('reset'), doc(auth={'$': 'S1'}), doc(elem=[]),
                                auth_method='session')
    assert c.call('soft') == {'elem': []}
    assert [f['func'] for f in adapter.forms] == ['auth', 'auth', 'soft'] and len(sleeps) == 1


def test_session_id_only_in_the_attribute():
    # <auth id="S"/>: an empty element whose id is an attribute only.
    c, adapter, dummy = client(doc(auth={'$id': 'attr-only'}), doc(), auth_method='session')
    c.call('soft')
    assert adapter.forms[-1]['auth'] == 'attr-only'
