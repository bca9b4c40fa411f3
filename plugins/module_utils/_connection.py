# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection options of every module and plugin, their checks, and the client they build.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import os
from urllib.parse import unquote, urlsplit

from ansible.module_utils.common.parameters import env_fallback
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.ispsystem.billmanager.plugins.module_utils._client import BillmanagerClient, url_without_userinfo

DEFAULT_API_URL = 'https://api.ispsystem.com/manager/billmgr'
PASSWORD_FILE_VARIABLE = 'BILLMANAGER_PASSWORD_FILE'
# The options that have no default: given, or their environment variable set.
CREDENTIALS = (('api_username', 'BILLMANAGER_USERNAME'), ('api_password', 'BILLMANAGER_PASSWORD'))


def read_password_file(environ=None):
    """The password in the file that BILLMANAGER_PASSWORD_FILE names, or None.

    One trailing newline (an editor's, ``echo``'s) is not part of it.  None
    when the variable is unset or empty, or the file cannot be read
    (``password_file_problem`` says why).
    """
    path = (os.environ if environ is None else environ).get(PASSWORD_FILE_VARIABLE)
    if not path:
        return None
    try:
        with open(path, 'rb') as handle:
            password = handle.read().decode('utf-8')
    except (OSError, UnicodeError):
        return None
    if password.endswith('\r\n'):
        return password[:-2]
    return password[:-1] if password.endswith('\n') else password


def password_file_problem(environ=None):
    """Why BILLMANAGER_PASSWORD_FILE gives no password, or None when it is unset or does."""
    path = (os.environ if environ is None else environ).get(PASSWORD_FILE_VARIABLE)
    if not path:
        return None
    try:
        with open(path, 'rb') as handle:
            text = handle.read().decode('utf-8')
    except OSError as exc:
        return "%s names '%s', which cannot be read (%s)" % (PASSWORD_FILE_VARIABLE, path, exc.strerror or exc)
    except UnicodeError:
        return "%s names '%s', which is not UTF-8 text" % (PASSWORD_FILE_VARIABLE, path)
    if not text.rstrip('\r\n'):
        return "%s names '%s', which is empty" % (PASSWORD_FILE_VARIABLE, path)
    return None


def password_fallback(*names, **kwargs):
    """Fallback of api_password: the environment variables ``names``, else BILLMANAGER_PASSWORD_FILE.

    An AnsibleModule ``fallback``, so that modules and ArgumentSpecValidator
    (the controller path) read it the same way, and mark it no_log.
    ``environ`` (keyword): the environment to read instead of os.environ: the
    controller path passes the task's ``environment`` over the controller's.
    """
    environ = kwargs.get('environ')
    environ = os.environ if environ is None else environ
    for name in names:
        if environ.get(name):
            return environ[name]
    password = read_password_file(environ)
    if not password:
        raise AnsibleFallbackNotFound
    return password


def connection_argument_spec():
    """The connection options of every module, with their environment fallbacks.

    api_username and api_password are required, but checked in
    connection_problem(), whose message names the environment variables too.
    """
    return dict(
        api_url=dict(type='str', default=DEFAULT_API_URL,
                     fallback=(env_fallback, ['BILLMANAGER_URL'])),
        api_username=dict(type='str',
                          fallback=(env_fallback, ['BILLMANAGER_USERNAME'])),
        api_password=dict(type='str', no_log=True,
                          fallback=(password_fallback, ['BILLMANAGER_PASSWORD'])),
        auth_method=dict(type='str', default='authinfo', choices=['authinfo', 'session'],
                         fallback=(env_fallback, ['BILLMANAGER_AUTH_METHOD'])),
        validate_certs=dict(type='bool', default=True,
                            fallback=(env_fallback, ['BILLMANAGER_VALIDATE_CERTS'])),
        ca_path=dict(type='path', fallback=(env_fallback, ['BILLMANAGER_CA_PATH'])),
        api_timeout=dict(type='int', default=30,
                         fallback=(env_fallback, ['BILLMANAGER_TIMEOUT'])),
        api_retries=dict(type='int', default=3,
                         fallback=(env_fallback, ['BILLMANAGER_RETRIES'])),
    )


def _userinfo(url):
    """The ``user:password`` of ``url``, or None."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return None
    userinfo, at, dummy = netloc.rpartition('@')
    return userinfo if at else None


def url_secrets(params):
    """The password that api_url holds in a ``user:password@`` part (as written and decoded), to mask."""
    userinfo = _userinfo(params.get('api_url') or '')
    if not userinfo or ':' not in userinfo:
        return set()
    password = userinfo.split(':', 1)[1]
    return set(form for form in (password, unquote(password)) if form)


def connection_problem(params):
    """What is wrong with the connection options, naming the option, or None.

    Checked before any call: a malformed URL would otherwise be retried as a
    connection failure, and a bad timeout or CA path crash inside requests.
    """
    url = params.get('api_url') or ''
    if _userinfo(url) is not None:
        return ('api_url: contains credentials (user:password@); give them in api_username/api_password '
                '(or BILLMANAGER_USERNAME/BILLMANAGER_PASSWORD) and set api_url to %s' % url_without_userinfo(url))
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # a port that is no number raises ValueError
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme.lower() not in ('http', 'https') or not host:
        return "api_url: '%s' is not an http:// or https:// URL" % url
    missing = ['%s (or the environment variable %s)' % (name, env) for name, env in CREDENTIALS
               if not params.get(name)]
    if missing:
        message = '%s: required, not given' % ' and '.join(missing)
        if not params.get('api_password'):
            why = password_file_problem()
            message += (': %s' % why) if why else (', nor a file named by %s' % PASSWORD_FILE_VARIABLE)
        return message
    if params.get('api_timeout') is not None and params['api_timeout'] <= 0:
        return 'api_timeout: %s is not a positive number of seconds' % params['api_timeout']
    if params.get('api_retries') is not None and params['api_retries'] < 0:
        return 'api_retries: %s is negative' % params['api_retries']
    if params.get('ca_path') and not os.path.exists(params['ca_path']):
        return "ca_path: '%s' does not exist" % params['ca_path']
    return None


def is_loopback(host):
    """True for a name or address of this host itself: localhost, 127.0.0.0/8, ::1."""
    host = (host or '').rstrip('.').lower()
    if host == 'localhost' or host.endswith('.localhost'):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, 'ipv4_mapped', None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def connection_warnings(params):
    """The warnings the connection options deserve (a list of texts, maybe empty)."""
    warnings = []
    url = url_without_userinfo(params.get('api_url') or '')
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), parts.hostname
    except ValueError:
        scheme, host = '', None
    if scheme == 'http' and not is_loopback(host):
        warnings.append('api_url is http://: the password travels in clear text to %s, readable on every '
                        'network on the way; use https://' % url)
    if not params.get('validate_certs', True):
        warnings.append('validate_certs is false: the certificate of %s is not checked, so '
                        'the credentials may go to an impostor' % url)
    return warnings


def client_from_params(params, **kwargs):
    """Build the API client from validated connection options."""
    return BillmanagerClient(
        api_url=params['api_url'],
        username=params['api_username'],
        password=params['api_password'],
        auth_method=params['auth_method'],
        validate_certs=params['validate_certs'],
        ca_path=params['ca_path'],
        timeout=params['api_timeout'],
        retries=params['api_retries'],
        **kwargs
    )


def with_connection_options(spec, **settings):
    argument_spec = connection_argument_spec()
    argument_spec.update(spec)
    settings['argument_spec'] = argument_spec
    return settings
