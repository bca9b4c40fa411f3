# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""execute(): from an operation of the license logic to a task result."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import socket

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.ispsystem.billmanager.plugins.module_utils import _isp_license, _isp_license_check, _isp_license_info, _operation
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import BillmanagerError

from ansible_collections.ispsystem.billmanager.tests.unit.plugins.module_utils.fakes import API_URL, FakeBillmanager

LICENSES = [dict(id=7, ip='10.0.0.1', licname='web', pricelist=3541, expiredate='2099-01-01'),
            dict(id=8, ip='10.0.0.2', licname='dup', pricelist=3541),
            dict(id=9, ip='10.0.0.3', licname='dup', pricelist=3541)]


@pytest.fixture(autouse=True)
def no_environment(monkeypatch):
    for name in ('URL', 'USERNAME', 'PASSWORD', 'AUTH_METHOD', 'VALIDATE_CERTS', 'CA_PATH', 'TIMEOUT', 'RETRIES'):
        monkeypatch.delenv('BILLMANAGER_' + name, raising=False)


OPERATIONS = dict((op.NAME, op) for op in (_isp_license, _isp_license_info, _isp_license_check))


def params(name, **options):
    """The options of module ``name`` as AnsibleModule would validate them."""
    spec = OPERATIONS[name].argument_spec()
    validator = ArgumentSpecValidator(spec['argument_spec'], mutually_exclusive=spec.get('mutually_exclusive'),
                                      required_one_of=spec.get('required_one_of'))
    result = validator.validate(dict(dict(api_url=API_URL, api_username='reseller', api_password='s3cret'),
                                     **options))
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


def execute(name, fake, check_mode=False, diff_mode=False, **options):
    seen = []

    def factory(p):
        seen.append(p)
        return fake
    result = _operation.execute(OPERATIONS[name], params(name, **options), check_mode, diff_mode, client_factory=factory)
    assert len(seen) == 1 and seen[0]['api_username'] == 'reseller'
    return result


def test_a_change_without_diff_mode_has_no_diff():
    fake = FakeBillmanager(LICENSES)
    result = execute('isp_license', fake, licname='web', state='suspended')
    catalog = result.pop('catalog')
    assert result == dict(changed=True, actions=['suspend'], license=dict(
        id=7, licname='web', ip='10.0.0.1', pricelist=3541, product='ispmanager_lite', status='suspended',
        expiredate='2099-01-01', autoprolong=None, key='KEY-0001', family='soft', addons={}, parked=False))
    assert catalog['product'] == 'ispmanager_lite' and catalog['panel'] == 'ispmgr'


def test_diff_mode_returns_before_and_after():
    result = execute('isp_license', FakeBillmanager(LICENSES), diff_mode=True, licname='web', state='suspended')
    assert result['diff']['before']['status'] == 'active'
    assert result['diff']['after']['status'] == 'suspended'


def test_check_mode_is_passed_to_the_engine():
    fake = FakeBillmanager(LICENSES)
    result = execute('isp_license', fake, check_mode=True, licname='web', state='absent')
    assert result['changed'] is True and result['actions'] == ['delete'] and fake.writes() == []


def test_a_license_error_becomes_failed_with_msg_and_its_result():
    result = execute('isp_license', FakeBillmanager(LICENSES), licname='dup')
    assert result == dict(failed=True, changed=False, ids=[8, 9],
                          msg="2 licenses match licname='dup' (ids 8, 9); give id to choose one")


def test_a_failure_after_a_change_keeps_changed_and_api_error():
    fake = FakeBillmanager(LICENSES)
    # soft.edit: the key read, the ip change, then the new key, which is refused
    fake.fail('soft.edit', BillmanagerError('soft.edit', 'billing', 'Not now', err_type='access'), skip=2)
    result = execute('isp_license', fake, id=7, ip='10.0.0.5', regenerate_key=True, state='present')
    assert result['failed'] is True and result['msg'].startswith('BILLmanager function soft.edit failed: Not now')
    assert result['changed'] is True and result['actions'] == ['edit']
    assert result['license']['ip'] == '10.0.0.5'
    assert result['api_error'] == dict(function='soft.edit', kind='billing', type='access', object=None,
                                       message='Not now', status=None, ambiguous=False)


def test_a_billmanager_error_becomes_failed_with_api_error():
    fake = FakeBillmanager(LICENSES)
    error = BillmanagerError('soft', 'auth', 'Invalid username or password', err_type='auth', err_object='badpassword')
    fake.fail('soft', error)
    result = execute('isp_license_info', fake)
    assert result == dict(failed=True, changed=False, msg=str(error), api_error=error.to_dict())
    assert result['api_error']['kind'] == 'auth' and 'Invalid username or password' in result['msg']


def test_validate_certs_false_warns_first():
    fake = FakeBillmanager()
    result = execute('isp_license', fake, validate_certs=False, ip='10.0.0.9', product='ispmanager_lite',
                     skipbasket=False)
    first, second = result['warnings']
    assert first.startswith('validate_certs is false') and API_URL in first
    assert 'awaiting payment' in second


def test_no_warnings_key_without_warnings():
    assert 'warnings' not in execute('isp_license_info', FakeBillmanager(LICENSES))


def test_info_and_check_operations():
    fake = FakeBillmanager(LICENSES)
    info = execute('isp_license_info', fake, licname='dup', details=True)
    assert info['changed'] is False and [r['id'] for r in info['licenses']] == [8, 9]
    assert all(r['key'] for r in info['licenses'])
    assert execute('isp_license_check', fake, ip='10.0.0.1', product='ispmanager_lite') == dict(
        changed=False, available=False, reason='IP 10.0.0.1 already has this license')
    assert execute('isp_license_check', fake, ip='10.0.0.1', product='billmanager') == dict(
        changed=False, available=True, reason=None)
    assert fake.writes() == []


class FakeModule:
    """Just enough of AnsibleModule for run_module()."""

    def __init__(self, argument_spec, **kwargs):
        self.params = FakeModule.given
        self.check_mode, self._diff = False, False
        self.warnings = []
        self.kwargs = kwargs

    def warn(self, msg):
        self.warnings.append(msg)

    def fail_json(self, **result):
        raise SystemExit(('fail', result, self.warnings))

    def exit_json(self, **result):
        raise SystemExit(('exit', result, self.warnings))


def test_run_module_fails_the_task_with_the_connection_error():
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    url = 'http://127.0.0.1:%d/billmgr' % probe.getsockname()[1]
    probe.close()  # nothing listens there: the connection is refused
    FakeModule.given = params('isp_license_info', api_url=url, api_retries=0, validate_certs=False)
    with pytest.raises(SystemExit) as info:
        _operation.run_module(FakeModule, _isp_license_info)
    how, result, warnings = info.value.args[0]
    assert how == 'fail' and result['api_error']['kind'] == 'connection'
    assert result['changed'] is False and 'failed' not in result and 's3cret' not in result['msg']
    assert warnings[0].startswith('validate_certs is false')


def test_run_module_exits_with_the_result(monkeypatch):
    FakeModule.given = params('isp_license_check', ip='10.0.0.1', pricelist=3541)
    answer = dict(changed=False, available=True, reason=None, warnings=['w'])
    monkeypatch.setattr(_operation, 'execute', lambda name, p, check, diff: dict(answer))
    with pytest.raises(SystemExit) as info:
        _operation.run_module(FakeModule, _isp_license_check)
    assert info.value.args[0] == ('exit', dict(changed=False, available=True, reason=None), ['w'])
