# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fifty hosts order their licenses at once (forks 50): no duplicates, no lost or crossed answers.

Each host is a local host with its own license IP in 127.0.0.0/8 (data for
the sandbox, never contacted) and its own API path, so the request log
shows which host sent what.  A third of the hosts use session auth.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from reliability_helpers import (
    INFO,
    LICENSE,
    assert_one_license_per_ip,
    by_host,
    effective,
    is_write,
    license_ips,
    run_plays,
    write_inventory,
)

HOSTS = 50
LITE_PRICE = 12.0

CONNECTION = {'api_url': '{{ host_api_url }}', 'auth_method': '{{ auth }}'}


def test_fifty_hosts_order_at_once(sandbox, tmp_path):
    hosts = ['c%02d' % n for n in range(HOSTS)]
    ips = license_ips(HOSTS, prefix='127.20.')
    auths = dict((host, 'session' if n % 3 == 0 else 'authinfo') for n, host in enumerate(hosts))
    inventory = write_inventory(tmp_path, sandbox, dict(
        (host, dict(license_ip=ip, auth=auths[host], licname='conc-%s' % host)) for host, ip in zip(hosts, ips)))
    args = dict(CONNECTION, ip='{{ license_ip }}', licname='{{ licname }}', product='ispmanager6_lite')
    tasks = [
        {'name': 'order', LICENSE: args, 'register': 'ordered'},
        {'name': 'again', LICENSE: args},
        {'name': 'read back', INFO: dict(CONNECTION, ip='{{ license_ip }}', details=True)},
        {'name': 'suspend by id', LICENSE: dict(CONNECTION, id='{{ ordered.license.id }}', state='suspended')},
    ]
    plays = [{'name': 'fifty', 'hosts': 'all', 'gather_facts': False, 'tasks': tasks}]
    run = run_plays(plays, tmp_path, sandbox=sandbox, inventory=inventory, forks=HOSTS)
    assert run.rc == 0, run

    by_ip = assert_one_license_per_ip(sandbox, ips)
    log = by_host(sandbox.log())
    assert sorted(log) == sorted(hosts)
    seen_ids = set()
    for host, ip in zip(hosts, ips):
        lic = by_ip[ip]
        order = run.result('order', host)
        # each host got its own answer: its own license id, IP, name and key
        assert order['changed'] and order['actions'] == ['order'], (host, order)
        assert order['license']['id'] == lic['id'] and order['license']['ip'] == ip, (host, order['license'], lic)
        assert order['license']['licname'] == 'conc-' + host and lic['licname'] == 'conc-' + host
        assert order['license']['status'] == 'active' and order['license']['key'] == lic['lickey'], (host, order)
        assert lic['lickey'] and not order['warnings'], (host, order)
        seen_ids.add(order['license']['id'])
        assert run.result('again', host)['changed'] is False
        [read] = run.result('read back', host)['licenses']
        assert read['id'] == lic['id'] and read['key'] == lic['lickey'], (host, read)
        assert run.result('suspend by id', host)['license']['status'] == 'suspended'
        assert lic['status'] == 3
        writes = [(e['func'], e['params'].get('ip') or e['params'].get('elid')) for e in effective(log[host])
                  if is_write(e)]
        assert writes == [('soft.order.param', ip), ('soft.suspend', str(lic['id']))], (host, writes)
        if auths[host] == 'session':
            assert [e['func'] for e in log[host]].count('auth') == 4  # one login per task
    assert len(seen_ids) == HOSTS
    assert sandbox.config()['users'][sandbox.username]['balance'] == 100000 - LITE_PRICE * HOSTS
