# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection options: spec, checks before any call, warnings, the password file."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.ispsystem.billmanager.plugins.module_utils import _connection
from ansible_collections.ispsystem.billmanager.plugins.module_utils._connection import (
    client_from_params,
    connection_argument_spec,
    connection_problem,
    connection_warnings,
)

from ansible_collections.ispsystem.billmanager.tests.unit.plugins.module_utils.fakes import API_URL, doc, session_with

SECRET = 'Sëcret:p@ss/w0rd'
QUOTED = 'S%C3%ABcret%3Ap%40ss%2Fw0rd'


@pytest.fixture(autouse=True)
def no_environment(monkeypatch):
    for name in ('URL', 'USERNAME', 'PASSWORD', 'PASSWORD_FILE', 'AUTH_METHOD', 'VALIDATE_CERTS', 'CA_PATH',
                 'TIMEOUT', 'RETRIES'):
        monkeypatch.delenv('BILLMANAGER_' + name, raising=False)


def validated(**given):
    result = ArgumentSpecValidator(connection_argument_spec()).validate(given)
    assert result.error_messages == [], result.error_messages
    return result


def options(**given):
    return dict(validated(**dict(dict(api_username='reseller', api_password='pw'), **given)).validated_parameters)


def test_certificate_options_become_the_verify_argument():
    for validate_certs, ca_path, verify in [(True, None, True), (True, '/etc/ca.pem', '/etc/ca.pem'),
                                            (False, '/etc/ca.pem', False), (False, None, False)]:
        session, adapter = session_with(doc())
        params = dict(api_url=API_URL, api_username='u', api_password='p', auth_method='authinfo',
                      validate_certs=validate_certs, ca_path=ca_path, api_timeout=7, api_retries=0)
        client_from_params(params, http=session).call('soft')
        assert adapter.kwargs[0]['verify'] == verify
        assert adapter.kwargs[0]['timeout'] == 7


def test_valid_options_have_no_problem_and_no_warning():
    params = options()
    assert connection_problem(params) is None
    assert connection_warnings(params) == []


# -- missing credentials ---------------------------------------------------------------------

@pytest.mark.parametrize('given, named', [
    ({}, ['api_username (or the environment variable BILLMANAGER_USERNAME)',
          'api_password (or the environment variable BILLMANAGER_PASSWORD)']),
    ({'api_password': 'pw'}, ['api_username (or the environment variable BILLMANAGER_USERNAME)']),
    ({'api_username': 'u'}, ['api_password (or the environment variable BILLMANAGER_PASSWORD)']),
])
def test_missing_credentials_name_the_option_and_the_variable(given, named):
    # Argument validation lets them through: the check below says more than "missing required arguments".
    params = validated(**given).validated_parameters
    problem = connection_problem(params)
    assert problem == '%s: required, not given%s' % (
        ' and '.join(named), ', nor a file named by BILLMANAGER_PASSWORD_FILE' if 'api_password' not in given else '')


def test_credentials_from_the_environment(monkeypatch):
    monkeypatch.setenv('BILLMANAGER_USERNAME', 'envuser')
    monkeypatch.setenv('BILLMANAGER_PASSWORD', 'envpw')
    result = validated()
    assert (result.validated_parameters['api_username'], result.validated_parameters['api_password']) == \
        ('envuser', 'envpw')
    assert 'envpw' in result._no_log_values
    assert connection_problem(result.validated_parameters) is None


# -- the password file ----------------------------------------------------------------------------

@pytest.mark.parametrize('content, password', [
    ('file-secret\n', 'file-secret'), ('file-secret', 'file-secret'), ('file-secret\r\n', 'file-secret'),
    ('two newlines\n\n', 'two newlines\n'), (' spaced \n', ' spaced '), ('Sëcret\n', 'Sëcret')])
def test_the_password_file_gives_the_password(monkeypatch, tmp_path, content, password):
    path = tmp_path / 'password'
    path.write_bytes(content.encode('utf-8'))
    monkeypatch.setenv('BILLMANAGER_PASSWORD_FILE', str(path))
    result = validated(api_username='u')
    assert result.validated_parameters['api_password'] == password
    assert password in result._no_log_values  # masked like any other value of api_password
    assert connection_problem(result.validated_parameters) is None


def test_the_password_option_and_the_variable_come_before_the_file(monkeypatch, tmp_path):
    path = tmp_path / 'password'
    path.write_text('from-file\n')
    monkeypatch.setenv('BILLMANAGER_PASSWORD_FILE', str(path))
    assert validated(api_password='given').validated_parameters['api_password'] == 'given'
    monkeypatch.setenv('BILLMANAGER_PASSWORD', 'from-env')
    assert validated().validated_parameters['api_password'] == 'from-env'
    monkeypatch.setenv('BILLMANAGER_PASSWORD', '')  # an empty variable (AWX's unset field) is no password
    assert validated().validated_parameters['api_password'] == 'from-file'


@pytest.mark.parametrize('make, words', [
    (lambda p: None, "which cannot be read (No such file or directory)"),
    (lambda p: p.write_text(''), 'which is empty'),
    (lambda p: p.write_text('\n'), 'which is empty'),
    (lambda p: p.write_bytes(b'\xff\xfe'), 'which is not UTF-8 text'),
    (lambda p: p.mkdir(), 'which cannot be read (Is a directory)'),
])
def test_a_password_file_that_gives_nothing_is_named_in_the_problem(monkeypatch, tmp_path, make, words):
    path = tmp_path / 'password'
    make(path)
    monkeypatch.setenv('BILLMANAGER_PASSWORD_FILE', str(path))
    params = validated(api_username='u').validated_parameters
    assert params['api_password'] is None
    assert connection_problem(params) == (
        "api_password (or the environment variable BILLMANAGER_PASSWORD): required, not given: "
        "BILLMANAGER_PASSWORD_FILE names '%s', %s" % (path, words))


def test_the_fallback_names_stay_one_variable_per_option():
    # AWX's credential type and the inventory plugin's env entries are checked against these.
    spec = connection_argument_spec()
    assert spec['api_password']['fallback'] == (_connection.password_fallback, ['BILLMANAGER_PASSWORD'])
    assert not any(option.get('required') for option in spec.values())


# -- credentials in the URL ----------------------------------------------------------------------------

@pytest.mark.parametrize('url, shown', [
    ('https://reseller:%s@billing.example.com/billmgr' % SECRET.replace('/', '%2F'), 'https://billing.example.com/billmgr'),
    ('https://reseller:%s@billing.example.com:1500/billmgr?x=1' % QUOTED, 'https://billing.example.com:1500/billmgr?x=1'),
    ('http://reseller@127.0.0.1:8080/billmgr', 'http://127.0.0.1:8080/billmgr'),
    ('ftp://u:%s@billing.example.com/' % QUOTED, 'ftp://billing.example.com/'),
])
def test_an_api_url_with_credentials_is_refused_without_the_password(url, shown):
    params = options(api_url=url)
    problem = connection_problem(params)
    assert problem == ('api_url: contains credentials (user:password@); give them in api_username/api_password '
                       '(or BILLMANAGER_USERNAME/BILLMANAGER_PASSWORD) and set api_url to %s' % shown)
    for text in [problem] + connection_warnings(params):
        assert SECRET not in text and QUOTED not in text and 'p%40ss' not in text and 'reseller@' not in text


def test_the_secrets_of_an_api_url_are_there_to_be_masked():
    assert _connection.url_secrets({'api_url': 'https://u:%s@h/b' % QUOTED}) == {QUOTED, SECRET}
    assert _connection.url_secrets({'api_url': 'https://u@h/b'}) == set()
    assert _connection.url_secrets({'api_url': API_URL}) == set()
    assert _connection.url_secrets({}) == set()


@pytest.mark.parametrize('url', ['not a url', 'ftp://127.0.0.1/billmgr', 'http://', 'https:///billmgr',
                                 'https://billing.example.com:port/billmgr', 'mailto:reseller@127.0.0.1'])
def test_an_api_url_that_is_no_http_url(url):
    assert connection_problem(options(api_url=url)) == "api_url: '%s' is not an http:// or https:// URL" % url


# -- warnings ------------------------------------------------------------------------------------------

CLEAR_TEXT = ('api_url is http://: the password travels in clear text to %s, readable on every network on the way; '
              'use https://')


@pytest.mark.parametrize('url', ['http://billing.example.com/billmgr', 'HTTP://billing.example.com/billmgr',
                                 'http://10.0.0.5:1500/billmgr', 'http://[2001:db8::1]/billmgr',
                                 'http://localhost.example.com/billmgr', 'http://128.0.0.1/billmgr'])
def test_an_http_api_url_warns_that_the_password_travels_in_clear_text(url):
    assert connection_warnings(options(api_url=url)) == [CLEAR_TEXT % url]


@pytest.mark.parametrize('url', ['http://127.0.0.1:8080/billmgr', 'http://127.3.4.5/billmgr', 'http://[::1]:81/billmgr',
                                 'http://localhost/billmgr', 'http://LOCALHOST./billmgr', 'http://api.localhost/b',
                                 'http://[::ffff:127.0.0.1]/billmgr', 'https://billing.example.com/billmgr'])
def test_no_clear_text_warning_for_loopback_or_https(url):
    assert connection_warnings(options(api_url=url)) == []


def test_validate_certs_false_warns_as_before():
    assert connection_warnings(options(validate_certs=False)) == [
        'validate_certs is false: the certificate of %s is not checked, so the credentials may go to an impostor'
        % _connection.DEFAULT_API_URL]


def test_both_warnings_together():
    warnings = connection_warnings(options(api_url='http://billing.example.com/b', validate_certs=False))
    assert len(warnings) == 2 and warnings[0].startswith('api_url is http://') and \
        warnings[1].startswith('validate_certs is false')
