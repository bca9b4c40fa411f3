# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Money and secrets, as an adversarial review tried them: through ansible-playbook against the sandbox.

An order, a renewal and a tariff change charge the reseller: each is sent once;
after an ambiguous failure the collection finds out what happened, and never
says "nothing happened" when it does not know.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

import pytest

from license_playbook import MODULE, Play
from playbook_runner import run_playbook

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import PRODUCTS

PRO = PRODUCTS['ispmanager6_pro'].pricelist


def in_days(days):
    return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


def sent(sandbox, func):
    return [entry for entry in sandbox.log() if entry['func'] == func]


def test_an_order_whose_answer_times_out_while_it_is_processed_is_found_not_reordered(sandbox, tmp_path):
    # the billing holds the order 5 s, the client gives up after 2: the order commits after the timeout
    sandbox.add_delay('soft.order.param', seconds=5)
    play = Play(sandbox, tmp_path)
    play.task('order', licname='slow', ip='198.51.100.110', product='ispmanager6_pro', api_timeout=2, api_retries=0)
    play.task('again', licname='slow', ip='198.51.100.110', product='ispmanager6_pro')
    play.run()
    result = play['order']
    assert not result.get('failed'), result
    assert result['actions'] == ['order'] and result['license']['licname'] == 'slow'
    assert any('adopted license' in w for w in result['warnings'])
    assert len(sent(sandbox, 'soft.order.param')) == 1
    assert play['again']['changed'] is False


def test_an_order_of_unknown_outcome_says_so_and_the_next_run_does_not_order_again(sandbox, tmp_path):
    sandbox.add_delay('soft.order.param', seconds=8)
    first = Play(sandbox, tmp_path / 'first')
    (tmp_path / 'first').mkdir()
    first.task('order', licname='slower', ip='198.51.100.111', product='ispmanager6_pro',
               api_timeout=2, api_retries=0, wait_timeout=3)
    first.run()
    result = first['order']
    assert result['failed'] and result['outcome'] == 'unknown', result
    assert 'outcome of the order is unknown' in result['msg'] and 'Nothing was sent again' in result['msg']
    assert 'no license was ordered' not in result['msg'] and 'run the task again' not in result['msg']
    # a second run while that order may still be landing: no second order
    (tmp_path / 'second').mkdir()
    second = Play(sandbox, tmp_path / 'second')
    second.task('order', licname='slower', ip='198.51.100.111', product='ispmanager6_pro')
    second.run()
    landed = [lic for lic in sandbox.licenses() if lic['licname'] == 'slower']
    if landed:  # the delayed order committed by now: the run found it in the listing
        assert second['order']['changed'] is False and not second['order'].get('failed')
    else:
        assert second['order']['failed'] and 'may still be landing' in second['order']['msg']
    assert len(sent(sandbox, 'soft.order.param')) == 1


def test_a_renewal_whose_answer_was_lost_is_never_sent_again(sandbox, tmp_path):
    sandbox.add_license(licname='renew-me', ip='198.51.100.112', pricelist=PRO, status=2, expiredate=in_days(5))
    sandbox.add_fault('close_after_commit', func='service.prolong')
    play = Play(sandbox, tmp_path)
    play.task('renew', licname='renew-me', product='ispmanager6_pro', renew_within_days=10)
    play.task('again', licname='renew-me', product='ispmanager6_pro', renew_within_days=10)
    play.run()
    assert play['renew']['actions'] == ['renew'] and not play['renew'].get('failed')
    assert any('took effect' in w for w in play['renew']['warnings'])
    assert play['again']['changed'] is False
    assert len(sent(sandbox, 'service.prolong')) == 1


def test_check_mode_fails_where_the_order_would_be_refused(sandbox, tmp_path):
    sandbox.add_license(licname='taken', ip='198.51.100.113', pricelist=PRO, status=2)
    play = Play(sandbox, tmp_path)
    play.task('check', check=True, licname='newname', ip='198.51.100.113', product='ispmanager6_pro')
    play.task('real', licname='newname', ip='198.51.100.113', product='ispmanager6_pro')
    play.run()
    assert play['check']['failed'] and play['real']['failed']
    assert play['check']['msg'] == play['real']['msg'] and 'Nothing was ordered' in play['check']['msg']
    assert play.writes('check') == play.writes('real') == []


def test_a_long_expired_license_renewed_every_run_is_said_to_be(sandbox, tmp_path):
    sandbox.add_license(licname='ancient', ip='198.51.100.114', pricelist=PRO, status=2, expiredate='2000-01-01')
    play = Play(sandbox, tmp_path)
    play.task('renew', licname='ancient', product='ispmanager6_pro', renew_within_days=10)
    play.run()
    assert play['renew']['actions'] == ['renew']
    assert any('still ends within renew_within_days' in w for w in play['renew']['warnings']), play['renew']


def _plain_run(sandbox, tmp_path, tasks, **kwargs):
    """A playbook run with Ansible's default output, as a person sees it."""
    play = {'name': 'plain', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}
    run = run_playbook([play], tmp_path, sandbox=sandbox, callback='ansible.builtin.default', **kwargs)
    return run.stdout + run.stderr


def test_diff_output_never_shows_the_key(sandbox, tmp_path):
    lic = sandbox.add_license(licname='secret', ip='198.51.100.115', pricelist=PRO, status=2)
    output = _plain_run(sandbox, tmp_path, [
        {'name': 'newkey', MODULE: dict(licname='secret', product='ispmanager6_pro', regenerate_key=True)},
        {'name': 'move', MODULE: dict(licname='secret', ip='198.51.100.116', product='ispmanager6_pro')},
    ], diff=True)
    keys = [lic['lickey']] + [now['lickey'] for now in sandbox.licenses()]
    assert '198.51.100.116' in output and '********' in output, output  # the diff was shown, the key masked
    for key in keys:
        assert key and key not in output


@pytest.mark.parametrize('args, option', [
    (dict(ip='fe80::1%eth0'), 'ip'),
    (dict(licname='two\nlines'), 'licname'),
    (dict(licname='tab\there'), 'licname'),
    (dict(licname='x' * 256), 'licname'),
    (dict(licname='web', regenerate_key=True, state='suspended'), 'regenerate_key'),
    (dict(licname='web', regenerate_key=True, state='absent'), 'regenerate_key'),
    (dict(licname='web', product='vmmanager6', ip='198.51.100.1'), 'ip'),
    (dict(licname='web', product='ispmanager6_lite', trial=True), 'trial'),
    (dict(licname='web', product='ispmanager6_trial', period=12), 'period'),
    (dict(licname='web', product='cloudlinux', period=12, ip='198.51.100.1'), 'period'),
    (dict(licname='web', product='ispmanager6_lite', nodes=2), 'nodes'),
    (dict(licname='web', product='vmmanager6', vms=-1), 'vms'),
    (dict(licname='web', allow_tariff_change=True), 'allow_tariff_change'),
    (dict(licname='web', product='cloudlinux', family='soft'), 'family'),
])
def test_bad_input_is_refused_before_any_call_naming_the_option(sandbox, tmp_path, args, option):
    play = Play(sandbox, tmp_path)
    play.task('bad', **args)
    play.run()
    result = play['bad']
    assert result['failed'] and result['msg'].startswith(option + ':'), result['msg']
    assert play.funcs('bad') == []


def test_an_ipv4_mapped_address_is_the_ipv4_address(sandbox, tmp_path):
    sandbox.add_license(licname='mapped', ip='198.51.100.117', pricelist=PRO, status=2)
    play = Play(sandbox, tmp_path)
    play.task('same', licname='mapped', ip='::ffff:198.51.100.117', product='ispmanager6_pro')
    play.run()
    assert play['same']['changed'] is False and play.writes('same') == []


def test_a_long_wait_shows_progress_at_v(sandbox, tmp_path):
    sandbox.set_config(processing_seconds=2.5)
    output = _plain_run(sandbox, tmp_path, [
        {'name': 'order', MODULE: dict(licname='waited', ip='198.51.100.118', product='ispmanager6_pro')}],
        verbosity=1)
    assert 'is processing without its key' in output, output[-3000:]
