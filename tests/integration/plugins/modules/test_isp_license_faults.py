# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""isp_license under transport faults, session auth, and the password in verbose output.

Money rule under test: a write whose answer was lost is never sent again; the
module re-reads and reports what the billing system shows.  The sandbox's
fault injection breaks exactly the calls named here.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

import pytest

from license_playbook import Play, funcs, install_plugins
from playbook_runner import run_playbook

from ansible_collections.ispsystem.billmanager.plugins.module_utils._record import add_months

LITE = 55227


@pytest.mark.parametrize('module_path', [False, True], ids=['controller', 'module'])
def test_lost_order_answer_adopts_the_license_it_created(sandbox, tmp_path, module_path):
    """The order committed, then the connection closed: one license, a warning, changed."""
    sandbox.add_fault('close_after_commit', func='soft.order.param')
    play = Play(sandbox, tmp_path, module_path=module_path)
    play.task('order', ip='192.0.2.10', licname='lost', product='ispmanager6_lite')
    play.task('again', ip='192.0.2.10', licname='lost', product='ispmanager6_lite')
    play.run()
    result = play['order']
    assert not result.get('failed') and result['changed'] is True and result['actions'] == ['order'], result
    assert any('soft.order.param was lost' in w for w in result['warnings']), result['warnings']
    [lic] = sandbox.licenses()
    assert result['license']['id'] == lic['id'] and result['license']['key'] == lic['lickey']
    assert result['license']['status'] == 'active'
    orders = [entry for entry in play.calls('order') if entry['func'] == 'soft.order.param']
    assert len(orders) == 1 and orders[0]['fault'] == 'close_after_commit'
    # after the lost answer: the list again to find the license, then reads
    assert play.funcs('order')[:4] == ['soft', 'soft.checkip', 'soft.order.param', 'soft']
    assert play['again']['changed'] is False and play.writes('again') == []


def test_truncated_order_answer_adopts_the_license_it_created(sandbox, tmp_path):
    sandbox.add_fault('truncated', func='soft.order.param')
    play = Play(sandbox, tmp_path).task('order', ip='192.0.2.11', product='dnsmanager')
    play.run()
    result = play['order']
    assert not result.get('failed') and result['changed'] is True, result
    assert len(sandbox.licenses()) == 1
    assert play.writes('order') == ['soft.order.param']


def test_lost_order_that_did_not_commit_is_an_unknown_outcome_and_blocks_a_second_order(sandbox, tmp_path):
    """The connection closed before the order committed.  The module cannot know that: it looks
    for the new license until wait_timeout, then says the outcome is unknown, sends nothing
    again, and the next run on this controller does not order the same license either."""
    sandbox.add_fault('close', func='soft.order.param')
    play = Play(sandbox, tmp_path).task('order', ip='192.0.2.12', product='ispmanager6_lite', wait_timeout=3)
    play.run()
    result = play['order']
    assert result.get('failed') and result['changed'] is False and result['actions'] == [], result
    assert 'the outcome of the order is unknown' in result['msg'] and 'Nothing was sent again' in result['msg']
    assert 'no license was ordered' not in result['msg']
    assert result['outcome'] == 'unknown'
    assert result['api_error']['function'] == 'soft.order.param' and result['api_error']['ambiguous'] is True
    assert sandbox.licenses() == []
    # one order, sent once; after it only the list, again and again, looking for the new license
    names = play.funcs('order')
    assert names[:3] == ['soft', 'soft.checkip', 'soft.order.param'], names
    assert len(names) > 3 and set(names[3:]) == {'soft'}, names
    assert play.writes('order') == ['soft.order.param']
    # The next run on this controller: the earlier order may still be landing, so no order.
    second = Play(sandbox, tmp_path).task('order again', ip='192.0.2.12', product='ispmanager6_lite')
    second.run()
    again = second['order again']
    assert again.get('failed') and again['changed'] is False, again
    assert 'may still be landing' in again['msg'], again['msg']
    assert second.writes('order again') == []
    assert 'soft.order.param' not in second.funcs('order again')
    assert sandbox.licenses() == []


def test_a_502_on_a_read_is_retried(sandbox, tmp_path):
    lic = sandbox.add_license(licname='retry', ip='192.0.2.20', pricelist=LITE)
    sandbox.add_fault('http_502', func='soft')
    sandbox.add_fault('close', func='soft.edit')
    play = Play(sandbox, tmp_path).task('read', licname='retry')
    play.run()
    result = play['read']
    assert not result.get('failed') and result['changed'] is False, result
    assert result['license']['key'] == lic['lickey']
    calls = play.calls('read')
    # no product: every family's list (the soft one retried), then the read (retried)
    assert [(c['func'], c['fault']) for c in calls] == [
        ('soft', 'http_502'), ('soft', None), ('platform', None), ('softexternal', None),
        ('soft.edit', 'close'), ('soft.edit', None)]


def test_an_html_page_instead_of_json_fails_naming_api_url(sandbox, tmp_path):
    sandbox.add_fault('html', func='soft')
    play = Play(sandbox, tmp_path).task('read', licname='retry')
    play.run()
    result = play['read']
    assert result.get('failed') and 'is api_url right?' in result['msg'], result
    assert result['api_error']['kind'] == 'format' and result['api_error']['function'] == 'soft'
    assert play.funcs('read') == ['soft']


def test_a_read_that_keeps_failing_gives_up_after_api_retries(sandbox, tmp_path):
    sandbox.add_fault('http_502', func='soft', times=5)
    play = Play(sandbox, tmp_path).task('read', licname='retry', api_retries=1)
    play.run()
    result = play['read']
    assert result.get('failed') and 'HTTP 502' in result['msg'], result
    assert result['api_error']['status'] == 502
    assert play.funcs('read') == ['soft', 'soft']


def test_timeout_on_suspend_is_not_sent_again(sandbox, tmp_path):
    """The suspend committed, its answer never came: one soft.suspend, success from a re-read."""
    lic = sandbox.add_license(licname='slow', ip='192.0.2.30', pricelist=LITE)
    sandbox.add_fault('hang_after_commit', func='soft.suspend', seconds=3)
    play = Play(sandbox, tmp_path).task('suspend', licname='slow', state='suspended', api_timeout=1)
    play.run()
    result = play['suspend']
    assert not result.get('failed') and result['changed'] is True and result['actions'] == ['suspend'], result
    assert any('soft.suspend' in w and 'took effect' in w for w in result['warnings']), result['warnings']
    assert result['license']['status'] == 'suspended'
    assert sandbox.license(lic['id'])['status'] == 3
    assert play.funcs('suspend').count('soft.suspend') == 1
    assert play.funcs('suspend') == ['soft', 'platform', 'softexternal', 'soft.edit', 'soft.suspend', 'soft.edit',
                                     'soft.edit']


def test_timeout_on_renew_is_not_sent_again(sandbox, tmp_path):
    """A second prolong would charge twice: the end date moves by exactly one month."""
    end = datetime.date.today() + datetime.timedelta(days=5)
    lic = sandbox.add_license(licname='slowrenew', ip='192.0.2.31', pricelist=LITE, expiredate=end.isoformat())
    balance = sandbox.config()['users'][sandbox.username]['balance']
    sandbox.add_fault('hang_after_commit', func='service.prolong', seconds=3)
    play = Play(sandbox, tmp_path)
    play.task('renew', licname='slowrenew', renew_within_days=10, api_timeout=1)
    play.task('renew again', licname='slowrenew', renew_within_days=10)
    play.run()
    result = play['renew']
    assert not result.get('failed') and result['changed'] is True and result['actions'] == ['renew'], result
    assert result['warnings']
    moved = add_months(end, 1).isoformat()
    assert result['license']['expiredate'] == moved == sandbox.license(lic['id'])['expiredate']
    assert play.funcs('renew').count('service.prolong') == 1
    assert play['renew again']['changed'] is False and play.writes('renew again') == []
    assert sandbox.config()['users'][sandbox.username]['balance'] == balance - 12  # one month of 6 Lite


def test_lost_write_that_did_not_take_effect_fails_without_resending(sandbox, tmp_path):
    """hang before the suspend, 502 before the resume: nothing happened, nothing is sent again."""
    active = sandbox.add_license(licname='stays-active', ip='192.0.2.32', pricelist=LITE)
    suspended = sandbox.add_license(licname='stays-suspended', ip='192.0.2.33', pricelist=LITE, status=3)
    sandbox.add_fault('hang', func='soft.suspend', seconds=3)
    sandbox.add_fault('http_502', func='soft.resume')
    play = Play(sandbox, tmp_path)
    play.task('suspend', licname='stays-active', state='suspended', api_timeout=1)
    play.task('resume', licname='stays-suspended')
    play.run()
    for name, func in (('suspend', 'soft.suspend'), ('resume', 'soft.resume')):
        result = play[name]
        assert result.get('failed'), result
        assert 'did not take effect' in result['msg'] and 'Nothing was sent again' in result['msg']
        assert result['api_error']['function'] == func and result['api_error']['ambiguous'] is True
        assert play.funcs(name).count(func) == 1
    assert sandbox.license(active['id'])['status'] == 2
    assert sandbox.license(suspended['id'])['status'] == 3


def test_502_after_a_committed_delete_reports_the_delete(sandbox, tmp_path):
    lic = sandbox.add_license(licname='del502', ip='192.0.2.34', pricelist=LITE)
    sandbox.add_fault('http_502_after_commit', func='soft.delete')
    play = Play(sandbox, tmp_path).task('delete', licname='del502', state='absent')
    play.run()
    result = play['delete']
    assert not result.get('failed') and result['changed'] is True, result
    assert result['license']['status'] == 'deleted' and result['warnings']
    assert play.funcs('delete') == ['soft', 'platform', 'softexternal', 'soft.edit', 'soft.delete', 'soft.edit']
    assert sandbox.license(lic['id'])['status'] == 4


def test_session_auth(sandbox, tmp_path):
    lic = sandbox.add_license(licname='sess', ip='192.0.2.40', pricelist=LITE)
    play = Play(sandbox, tmp_path)
    play.task('by option', licname='sess', auth_method='session', ip='192.0.2.41')
    play.run()
    env_play = Play(sandbox, tmp_path).task('by environment', licname='sess')
    env_play.run(env={'BILLMANAGER_AUTH_METHOD': 'session'})
    assert play['by option']['changed'] is True and sandbox.license(lic['id'])['ip'] == '192.0.2.41'
    assert play.funcs('by option') == ['auth', 'soft', 'platform', 'softexternal', 'soft.edit', 'soft.edit',
                                       'soft.edit']
    assert env_play['by environment']['changed'] is False
    assert env_play.funcs('by environment') == ['auth', 'soft', 'platform', 'softexternal', 'soft.edit']
    for entry in play.calls('by option')[1:] + env_play.calls('by environment')[1:]:
        assert 'authinfo' not in entry['params'] and entry['params']['auth']
        assert entry['user'] == sandbox.username
    login = play.calls('by option')[0]['params']
    assert login['username'] == sandbox.username and login['password'] == '********'


def test_expired_session_is_renewed_mid_task(sandbox, tmp_path):
    """The key takes 1.6 s; the session dies after 0.4 s idle, so the wait's reads log in again."""
    sandbox.set_config(session_ttl=0.4, processing_seconds=1.6)
    play = Play(sandbox, tmp_path)
    play.task('order', ip='192.0.2.42', product='ispmanager6_lite', auth_method='session')
    play.run()
    result = play['order']
    assert not result.get('failed') and result['changed'] is True, result
    assert result['license']['key'] == sandbox.licenses()[0]['lickey']
    names = play.funcs('order')
    assert names.count('auth') >= 2, names
    assert names.count('soft.order.param') == 1
    # every login after the first follows a call refused for its expired session, which is then repeated
    for index, name in enumerate(names):
        if name == 'auth' and index:
            assert names[index - 1] == names[index + 1] == 'soft.edit', names


def test_wrong_password_fails_as_auth(sandbox, tmp_path):
    play = Play(sandbox, tmp_path)
    play.task('authinfo', licname='x', api_password='not-the-password')
    play.task('session', licname='x', api_password='not-the-password', auth_method='session')
    play.run()
    for name, func in (('authinfo', 'soft'), ('session', 'auth')):
        result = play[name]
        assert result.get('failed') and 'Invalid username or password' in result['msg'], result
        assert result['api_error']['kind'] == 'auth' and result['api_error']['function'] == func
        assert play.funcs(name) == [func]


@pytest.mark.parametrize('module_path', [False, True], ids=['controller', 'module'])
def test_password_never_appears_in_verbose_output(sandbox, tmp_path, module_path):
    secret = 'Pa55-never-shown-7f3a'
    wrong = 'Wr0ng-never-shown-9c1d'
    sandbox.set_config(users={sandbox.username: {'password': secret}})
    sandbox.password = secret
    lic = sandbox.add_license(licname='verbose', ip='192.0.2.50', pricelist=LITE)
    module = 'ispsystem.billmanager.isp_license'
    tasks = [
        {'name': 'password from the environment', module: {'id': lic['id'], 'licname': 'verbose2'}},
        {'name': 'password as an option, session', module: {
            'licname': 'verbose2', 'api_password': '{{ billing_password }}', 'auth_method': 'session'}},
        {'name': 'failing: billing refusal', module: {'ip': '192.0.2.50', 'licname': 'x', 'pricelist': 999},
         'ignore_errors': True},
        {'name': 'failing: wrong password', module: {'licname': 'verbose2', 'api_password': '{{ wrong_password }}'},
         'ignore_errors': True},
        {'name': 'failing: connection refused', module: {
            'licname': 'verbose2', 'api_retries': 0, 'api_url': 'http://127.0.0.1:1/billmgr'},
         'ignore_errors': True},
    ]
    # Not with -e, nor in the playbook's text: at -vvvv ansible-playbook prints its command
    # line's extra vars, and with a failed task the task's source lines.
    (tmp_path / 'secrets.yml').write_text('billing_password: %s\nwrong_password: %s\n' % (secret, wrong))
    play = {'hosts': 'localhost', 'gather_facts': False, 'vars_files': ['secrets.yml'], 'tasks': tasks}
    if module_path:
        play['connection'] = 'billmanager_remote_test'
    run = run_playbook([play], tmp_path, sandbox=sandbox, verbosity=4, diff=True, callback='default',
                       env=install_plugins(tmp_path))
    assert ('AnsiballZ_isp_license.py' in run.stdout) is module_path
    assert run.rc == 0, run
    assert 'changed: [localhost]' in run.stdout
    assert run.stdout.count('fatal: [localhost]: FAILED!') == 3 and 'ignored=3' in run.stdout, run.stdout[-3000:]
    assert 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' in run.stdout  # -vvvv shows the module's arguments
    assert 'Tariff plan 999 not found' in run.stdout
    assert 'Invalid username or password' in run.stdout
    for word in (secret, wrong):
        assert word not in run.stdout and word not in run.stderr
    log = sandbox.log()
    assert log and all(secret not in str(entry) for entry in log)
    assert funcs(log).count('soft.edit') >= 2
