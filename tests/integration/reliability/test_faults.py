# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Transport faults repeated over many hosts, timings and orders of arrival.

The single-fault cases of isp_license are in tests/integration/plugins/modules;
here every playbook runs several hosts at once, the sandbox's fault queue is
consumed by whichever host comes first, and the assertions are the invariants
that must hold whoever got which fault:

- the licenses in the sandbox are exactly the intended ones;
- no write was carried out twice (committed soft.order.param per IP, balance);
- a host whose answer was lost after the commit adopted what it did and says so;
- a host whose request never ran failed saying so, and the next run converged.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import random
import socket

import pytest

from reliability_helpers import (
    FAULTS_AFTER,
    FAULTS_BEFORE,
    INFO,
    LICENSE,
    MODULE_PATH_CONNECTION,
    Background,
    assert_one_license_per_ip,
    by_host,
    committed,
    effective,
    hook_step,
    hook_tasks,
    is_write,
    license_ips,
    orders,
    run_plays,
    write_inventory,
)

from ansible_collections.ispsystem.billmanager.plugins.module_utils._record import add_months

LITE = 55227  # ispmanager6_lite, 12 a month in the sandbox
LITE_PRICE = 12.0

# Connection options of every task: the host's own API path (see reliability_helpers).
CONNECTION = {
    'api_url': '{{ host_api_url }}',
    'auth_method': "{{ auth | default('authinfo') }}",
    'api_timeout': '{{ timeout | default(30) }}',
    'api_retries': '{{ retries | default(3) }}',
}


def license_task(name, register=None, when=None, **args):
    task = {'name': name, LICENSE: dict(CONNECTION, **args), 'ignore_errors': True}
    if register:
        task['register'] = register
    if when:
        task['when'] = when
    return task


def order_tasks():
    """Order, converge (only where the order failed), and the same again.

    wait_timeout bounds how long a task looks for the license of an order whose
    answer was lost (and waits for a key): seconds here, not the default 300.
    """
    args = dict(ip='{{ license_ip }}', product='ispmanager6_lite', wait_timeout=5)
    return [
        license_task('order', register='first', **args),
        license_task('converge', when='first is failed', **args),
        license_task('again', **args),
    ]


def play(tasks, hosts='all', **keys):
    return dict({'name': 'reliability', 'hosts': hosts, 'gather_facts': False, 'tasks': tasks}, **keys)


# -- lost order answers ----------------------------------------------------------------------

# Each case: the faults queued for soft.order.param (shuffled by the seed: who gets which
# depends on arrival), faults on reads, how long an order stays in processing, forks, auth.
ORDER_CASES = {
    'after-commit-mix-parallel': dict(
        orders=['close_after_commit', 'hang_after_commit', 'http_502_after_commit', 'truncated',
                'truncated_read', 'close'],
        reads=[('http_502', 'soft', 2)], processing=0.0, forks=8, auth='authinfo', seed=1),
    'processing-session-hangs': dict(
        orders=['hang_after_commit', 'hang_after_commit', 'truncated', 'http_502', 'hang', 'html'],
        reads=[('hang', 'soft.edit', 2), ('http_502', 'soft', 1)], processing=1.0, forks=8, auth='session',
        seed=2),
    'serial-every-order-faulted': dict(
        orders=['close_after_commit', 'close', 'http_502_after_commit', 'http_502', 'truncated_read',
                'hang_after_commit'],
        reads=[('http_502', 'soft.edit', 2)], processing=0.3, forks=1, auth='mixed', seed=3, hosts=6),
}


@pytest.mark.parametrize('case', sorted(ORDER_CASES))
def test_lost_order_answers(sandbox, tmp_path, case):
    spec = ORDER_CASES[case]
    rnd = random.Random(spec['seed'])
    hosts = ['h%02d' % n for n in range(spec.get('hosts', 8))]
    ips = license_ips(len(hosts), prefix='127.11.')
    sandbox.set_config(processing_seconds=spec['processing'])
    queue = list(spec['orders'])
    rnd.shuffle(queue)
    for fault in queue:
        sandbox.add_fault(fault, func='soft.order.param', seconds=3)
    for fault, func, times in spec['reads']:
        sandbox.add_fault(fault, func=func, times=times, seconds=3)
    host_vars = {}
    for index, host in enumerate(hosts):
        auth = spec['auth'] if spec['auth'] != 'mixed' else ('session', 'authinfo')[index % 2]
        host_vars[host] = dict(license_ip=ips[index], auth=auth, timeout=2)
    inventory = write_inventory(tmp_path, sandbox, host_vars)
    run = run_plays([play(order_tasks())], tmp_path, sandbox=sandbox, inventory=inventory, forks=spec['forks'])

    assert sandbox.faults() == [], 'every queued fault fired'
    log = by_host(sandbox.log())
    # an order whose answer broke before the billing ran it never lands: no license on that IP
    unknown = [ip for host, ip in zip(hosts, ips) if orders(log[host])[0]['fault'] in FAULTS_BEFORE]
    by_ip = assert_one_license_per_ip(sandbox, [ip for ip in ips if ip not in unknown])
    faulted = 0
    for host, ip in zip(hosts, ips):
        lic = by_ip.get(ip)
        sent = orders(log[host])
        assert len([e for e in sent if committed(e)]) == (0 if ip in unknown else 1), (host, [e['fault'] for e in sent])
        fault = sent[0]['fault']
        first, again = run.result('order', host), run.result('again', host)
        if fault in FAULTS_AFTER:
            faulted += 1
            assert not first.get('failed') and first['changed'] and first['actions'] == ['order'], (host, fault, first)
            assert any('adopted license %d' % lic['id'] in w for w in first['warnings']), (host, fault, first)
            assert len(sent) == 1
        elif fault in FAULTS_BEFORE:
            # The collection cannot tell this from an order still being processed: it looks for
            # the license until wait_timeout, then says the outcome is unknown, never "not ordered",
            # and this controller orders that license again only once it is sure (the pending order
            # expires, or the license appears).
            faulted += 1
            assert first.get('failed') and first['changed'] is False, (host, fault, first)
            assert 'outcome of the order is unknown' in first['msg'] and 'Nothing was sent again' in first['msg']
            assert 'no license was ordered' not in first['msg'] and first['outcome'] == 'unknown', first['msg']
            assert first['api_error']['function'] == 'soft.order.param' and first['api_error']['ambiguous'] is True
            converge = run.result('converge', host)
            assert converge.get('failed') and 'may still be landing' in converge['msg'], (host, converge)
            assert len(sent) == 1 and ip not in by_ip
            continue
        else:
            assert not first.get('failed') and first['actions'] == ['order'], (host, first)
            assert not any('lost' in w for w in first['warnings']), (host, first['warnings'])
            assert len(sent) == 1
        # each host's result is its own license, active, with the key the billing system issued
        assert first['license']['id'] == lic['id'] and first['license']['ip'] == ip, (host, first, lic)
        assert first['license']['status'] == 'active' and first['license']['key'] == lic['lickey'], (host, first)
        assert not again.get('failed') and again['changed'] is False, (host, again)
    assert faulted == len(queue)
    assert sandbox.config()['users'][sandbox.username]['balance'] == 100000 - LITE_PRICE * len(by_ip)


# -- lost answers of the other writes --------------------------------------------------------

WRITE_FAULTS = {
    'after-commit': dict(single=['close_after_commit', 'http_502_after_commit', 'truncated', 'hang_after_commit',
                                 'truncated_read'],
                         edit=['close_after_commit', 'truncated', 'http_502_after_commit'], seed=11),
    # not html on soft.edit: a read answered by an HTML page fails at once (is api_url right?)
    'before-commit': dict(single=['close', 'http_502', 'html', 'hang'], edit=['close', 'http_502', 'hang'], seed=12),
}
WRITE_FUNCS = ['soft.order.param', 'soft.suspend', 'soft.resume', 'soft.delete', 'service.prolong']


def write_hosts(sandbox, seeded_key):
    """One host per action, each with its own license (seeded) and its task's options."""
    end = (datetime.date.today() + datetime.timedelta(days=5)).isoformat()
    plan = {}
    for host, fields, options in (
            ('edit_ip', dict(ip='127.12.0.1'), dict(ip='127.12.1.1')),
            ('edit_name', dict(ip='127.12.0.2', licname='old-name'), dict(licname='new-name')),
            ('suspend', dict(ip='127.12.0.3', licname='to-suspend'), dict(licname='to-suspend', state='suspended')),
            ('resume', dict(ip='127.12.0.4', licname='to-resume', status=3), dict(licname='to-resume')),
            ('renew', dict(ip='127.12.0.5', licname='to-renew', expiredate=end),
             dict(licname='to-renew', renew_within_days=10)),
            ('newkey', dict(ip='127.12.0.6', licname='to-rekey', lickey=seeded_key),
             dict(licname='to-rekey', regenerate_key=True)),
            ('delete', dict(ip='127.12.0.7', licname='to-delete'), dict(licname='to-delete', state='absent')),
            ('order', None, dict(ip='127.12.0.8', product='ispmanager6_lite', wait_timeout=5))):
        lic = sandbox.add_license(pricelist=LITE, **fields) if fields is not None else None
        if lic is not None and host in ('edit_ip', 'edit_name'):
            options = dict(options, id=lic['id'])
        plan[host] = dict(lic=lic, options=options)
    return plan


WRITE_OPTIONS = ('id', 'ip', 'licname', 'product', 'state', 'renew_within_days', 'regenerate_key', 'wait_timeout')


def write_tasks():
    args = dict(('%s' % name, '{{ want.%s | default(omit) }}' % name) for name in WRITE_OPTIONS)
    again = dict(args, regenerate_key=False)  # a new key is a change every time: not in the re-run
    return [
        license_task('write', register='first', **args),
        license_task('converge', when='first is failed', **args),
        license_task('again', **again),
    ]


@pytest.mark.parametrize('case', sorted(WRITE_FAULTS))
def test_lost_answers_of_every_write(sandbox, tmp_path, case):
    """Edit, suspend, resume, renew, new key, delete and order at once, their answers lost."""
    spec = WRITE_FAULTS[case]
    rnd = random.Random(spec['seed'])
    seeded_key = 'ab' * 16
    plan = write_hosts(sandbox, seeded_key)
    balance = sandbox.config()['users'][sandbox.username]['balance']
    for func in WRITE_FUNCS:
        sandbox.add_fault(rnd.choice(spec['single']), func=func, seconds=3)
    for fault in spec['edit']:  # soft.edit also reads: whoever comes first gets these
        sandbox.add_fault(fault, func='soft.edit', seconds=3)
    inventory = write_inventory(tmp_path, sandbox, dict(
        (host, dict(want=entry['options'], timeout=2, retries=6)) for host, entry in plan.items()))
    run = run_plays([play(write_tasks())], tmp_path, sandbox=sandbox, inventory=inventory, forks=len(plan))
    assert sandbox.faults() == []
    log = by_host(sandbox.log())

    unknown_order = False
    for host, entry in sorted(plan.items()):
        first, again = run.result('write', host), run.result('again', host)
        writes = [e for e in log[host] if is_write(e)]
        done = [e for e in writes if committed(e)]
        assert len(done) == (0 if host == 'order' and writes[0]['fault'] in FAULTS_BEFORE else 1), \
            (host, [(e['func'], e['fault']) for e in writes])
        fault = writes[0]['fault']
        if fault in FAULTS_AFTER:
            assert not first.get('failed') and first['changed'], (host, fault, first)
            assert any(('took effect' in w or 'adopted license' in w) for w in first['warnings']), (host, first)
        elif fault in FAULTS_BEFORE and host == 'order':
            # an order is not readable by id: its outcome stays unknown, and no second order follows
            assert first.get('failed') and first['outcome'] == 'unknown', (host, fault, first)
            assert 'Nothing was sent again' in first['msg'] and first['api_error']['ambiguous'] is True
            converge = run.result('converge', host)
            assert converge.get('failed') and 'may still be landing' in converge['msg'], (host, converge)
            unknown_order = True
            continue
        elif fault in FAULTS_BEFORE:
            assert first.get('failed') and first['changed'] is False, (host, fault, first)
            assert 'did not take effect' in first['msg'], first['msg']
            assert 'Nothing was sent again' in first['msg'] and first['api_error']['ambiguous'] is True
            converge = run.result('converge', host)
            assert not converge.get('failed') and converge['changed'], (host, converge)
        else:
            assert not first.get('failed') and first['changed'], (host, first)
        assert not again.get('failed') and again['changed'] is False, (host, again)

    lics = dict((lic['id'], lic) for lic in sandbox.licenses())
    now = dict((host, lics[entry['lic']['id']]) for host, entry in plan.items() if entry['lic'])
    assert now['edit_ip']['ip'] == '127.12.1.1'
    assert now['edit_name']['licname'] == 'new-name'
    assert now['suspend']['status'] == 3
    assert now['resume']['status'] == 2
    end = datetime.date.fromisoformat(plan['renew']['lic']['expiredate'])
    assert now['renew']['expiredate'] == add_months(end, 1).isoformat(), 'renewed exactly once'
    assert now['newkey']['lickey'] not in ('', seeded_key)
    assert now['delete']['status'] == 4
    assert_one_license_per_ip(sandbox, ['127.12.1.1', '127.12.0.2', '127.12.0.3', '127.12.0.4', '127.12.0.5',
                                        '127.12.0.6'] + ([] if unknown_order else ['127.12.0.8']))
    # one order (unless its outcome stayed unknown) and one renewal charged, nothing twice
    charged = 1 if unknown_order else 2
    assert sandbox.config()['users'][sandbox.username]['balance'] == balance - charged * LITE_PRICE


# -- restarts ------------------------------------------------------------------------------

def test_sandbox_restarts_during_and_between_tasks(sandbox, tmp_path):
    """The billing system restarts while tasks wait for their keys, and again between two tasks.

    Sessions live in the server's memory: with session auth (half the hosts)
    every waiting task must log in again.  Nothing may be ordered twice.
    """
    hosts = ['r%d' % n for n in range(4)]
    auths = dict((host, ('session', 'authinfo')[n % 2]) for n, host in enumerate(hosts))
    ips = license_ips(len(hosts), prefix='127.13.')
    sandbox.set_config(processing_seconds=2.5)  # the orders wait while the server restarts
    inventory = write_inventory(tmp_path, sandbox, dict(
        (host, dict(license_ip=ip, auth=auths[host], newname='renamed-%s' % host, retries=5))
        for host, ip in zip(hosts, ips)))
    hooks, request, done = hook_tasks(tmp_path, 'restart')
    tasks = [license_task('order', register='ordered', ip='{{ license_ip }}', product='ispmanager6_lite')] + hooks + [
        license_task('rename', id='{{ ordered.license.id }}', licname='{{ newname }}'),
        license_task('suspend', licname='{{ newname }}', state='suspended'),
        license_task('again', ip='{{ license_ip }}', product='ispmanager6_lite', licname='{{ newname }}',
                     state='suspended'),
    ]
    logs = []

    def restart():
        logs.extend(sandbox.log())  # the request log lives in the server's memory
        sandbox.restart()

    def all_ordered():
        return len(sandbox.calls('soft.order.param')) >= len(hosts) and len(sandbox.licenses()) == len(hosts)

    background = Background([play(tasks)], tmp_path, sandbox=sandbox, inventory=inventory, forks=len(hosts))
    steps = background.watch([('all ordered', all_ordered, restart), hook_step(request, done, restart)])
    run = background.join()
    assert len(steps) == 2

    by_ip = assert_one_license_per_ip(sandbox, ips)
    log = by_host(logs + sandbox.log())
    assert sorted(log) == sorted(hosts)
    for host, ip in zip(hosts, ips):
        for task in ('order', 'rename', 'suspend', 'again'):
            result = run.result(task, host)
            assert not result.get('failed'), (host, task, result)
        order = run.result('order', host)
        assert order['license']['id'] == by_ip[ip]['id'] and order['license']['key'] == by_ip[ip]['lickey']
        assert run.result('again', host)['changed'] is False
        assert by_ip[ip]['status'] == 3 and by_ip[ip]['licname'] == 'renamed-' + host
        writes = [e['func'] for e in effective(log[host]) if is_write(e)]
        assert writes == ['soft.order.param', 'soft.edit', 'soft.suspend'], (host, writes)
        names = [e['func'] for e in log[host]]
        if auths[host] == 'session':
            # one login per task, and one more after the restart that lost the waiting task's session
            assert len(log[host]) - len(effective(log[host])) == 1, (host, names)
            assert names.count('auth') == 5, (host, names)
        else:
            assert 'auth' not in names


def test_restart_while_an_order_hangs(sandbox, tmp_path):
    """The server dies holding two committed orders' answers; the tasks adopt them after it is back."""
    hosts = ['s%d' % n for n in range(4)]
    ips = license_ips(len(hosts), prefix='127.14.')
    sandbox.add_fault('hang_after_commit', func='soft.order.param', times=2, seconds=60)
    inventory = write_inventory(tmp_path, sandbox, dict(
        (host, dict(license_ip=ip, timeout=30, retries=6, auth=('session', 'authinfo')[n % 2]))
        for n, (host, ip) in enumerate(zip(hosts, ips))))
    tasks = [license_task('order', ip='{{ license_ip }}', product='ispmanager6_lite'),
             license_task('again', ip='{{ license_ip }}', product='ispmanager6_lite')]
    background = Background([play(tasks)], tmp_path, sandbox=sandbox, inventory=inventory, forks=len(hosts))
    hung = []

    def two_hanging():
        hung[:] = [e for e in sandbox.calls('soft.order.param') if e['fault'] == 'hang_after_commit']
        return len(sandbox.calls('soft.order.param')) == len(hosts) and len(hung) == 2

    background.watch([('two orders hang', two_hanging, sandbox.restart)], deadline=60)
    run = background.join()
    by_ip = assert_one_license_per_ip(sandbox, ips)
    hung_hosts = set(e['path'].rsplit('/', 1)[-1] for e in hung)
    for host, ip in zip(hosts, ips):
        result = run.result('order', host)
        assert not result.get('failed') and result['changed'], (host, result)
        assert result['license']['id'] == by_ip[ip]['id']
        adopted = any('adopted license %d' % by_ip[ip]['id'] in w for w in result['warnings'])
        assert adopted == (host in hung_hosts), (host, hung_hosts, result['warnings'])
        assert run.result('again', host)['changed'] is False
    assert sandbox.calls('soft.order.param') == []  # after the restart nobody ordered again


# -- sessions ----------------------------------------------------------------------------------

@pytest.mark.parametrize('ttl', [0.6, 1.5])
def test_sessions_expire_mid_play(sandbox, tmp_path, ttl):
    """Short session lifetimes, a pause longer than them between tasks, all sessions dropped at once."""
    hosts = ['e%d' % n for n in range(4)]
    ips = license_ips(len(hosts), prefix='127.15.')
    sandbox.set_config(session_ttl=ttl, processing_seconds=ttl * 2.5)
    inventory = write_inventory(tmp_path, sandbox, dict(
        (host, dict(license_ip=ip, auth='session')) for host, ip in zip(hosts, ips)))
    tasks = [
        license_task('order', ip='{{ license_ip }}', product='ispmanager6_lite'),
        {'name': 'longer than a session lives', 'ansible.builtin.pause': {'seconds': int(ttl + 1)}, 'run_once': True},
        license_task('suspend', ip='{{ license_ip }}', product='ispmanager6_lite', state='suspended'),
        license_task('resume and renew', ip='{{ license_ip }}', product='ispmanager6_lite', renew_within_days=400),
    ]
    background = Background([play(tasks)], tmp_path, sandbox=sandbox, inventory=inventory, forks=len(hosts))
    background.watch([('orders sent', lambda: len(sandbox.calls('soft.order.param')) >= len(hosts),
                       lambda: sandbox.set_config(expire_sessions=True))])
    run = background.join()

    by_ip = assert_one_license_per_ip(sandbox, ips)
    log = by_host(sandbox.log())
    for host, ip in zip(hosts, ips):
        for task in ('order', 'suspend', 'resume and renew'):
            result = run.result(task, host)
            assert not result.get('failed') and result['changed'], (host, task, result)
        assert run.result('resume and renew', host)['actions'] == ['resume', 'renew']
        assert by_ip[ip]['status'] == 2
        names = [e['func'] for e in log[host]]
        assert names.count('auth') > 3, names  # three tasks, and sessions that expired within them
        kept = effective(log[host])
        assert [e['func'] for e in kept if is_write(e)] == [
            'soft.order.param', 'soft.suspend', 'soft.resume', 'service.prolong'], names
        # every login but a task's first repeats a call refused for its expired session
        refused = len(log[host]) - len(kept)
        assert refused >= 1 and names.count('auth') == 3 + refused, names


# -- a connection that cannot be made ------------------------------------------------------------

def free_port():
    """A port on 127.0.0.1 where nothing listens (bound, then closed)."""
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


URLLIB3_INTERNALS = ('HTTPConnectionPool', 'Max retries', 'NewConnectionError', 'object at 0x', 'Errno')


def test_a_refused_connection_is_said_in_plain_words(sandbox, tmp_path):
    """Both paths (controller and module): what failed, what was tried, what to check; nothing sent, nothing ordered."""
    port = free_port()
    refused = 'http://127.0.0.1:%d/billmgr' % port
    inventory = write_inventory(tmp_path, sandbox, {
        'fast': dict(license_ip='127.13.0.1'),
        'module': dict(license_ip='127.13.0.2', ansible_connection=MODULE_PATH_CONNECTION)})
    tasks = [
        {'name': 'read', INFO: dict(api_url=refused, api_retries=2), 'ignore_errors': True},
        {'name': 'order', LICENSE: dict(api_url=refused, api_retries=0, ip='{{ license_ip }}',
                                        product='ispmanager6_lite'), 'ignore_errors': True},
    ]
    run = run_plays([play(tasks)], tmp_path, sandbox=sandbox, inventory=inventory, forks=2)
    for host in ('fast', 'module'):
        read, order = run.result('read', host), run.result('order', host)
        assert read['failed'] and read['msg'].startswith(
            'BILLmanager function soft failed: Connection refused by 127.0.0.1 port %d: nothing listens there. '
            'Tried %s 3 times over ' % (port, refused)), (host, read['msg'])
        assert read['msg'].endswith(' s. Check api_url (or BILLMANAGER_URL): its host and port.'), read['msg']
        assert read['api_error']['kind'] == 'connection' and read['api_error']['ambiguous'] is False
        assert order['failed'] and order['changed'] is False, (host, order)
        assert 'Connection refused by 127.0.0.1 port %d' % port in order['msg'] and 'Tried %s once.' % refused \
            in order['msg'], (host, order['msg'])
        assert order['api_error']['ambiguous'] is False, order
        for text in (read['msg'], order['msg']):
            assert not any(internal in text for internal in URLLIB3_INTERNALS), text
    assert sandbox.log() == [] and sandbox.licenses() == []
