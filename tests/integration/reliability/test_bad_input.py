# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Random option values for the three modules: a clear error or a correct result, never bad input on the wire.

Hypothesis draws the option sets: a valid set, and in about half of them one
change that makes it invalid (a value of the wrong type, out of its range,
not in the choices, a broken combination).  All of them go as tasks into ONE
playbook (ignore_errors, each registered), run once.  Each task has its own
api_url path, so the sandbox's request log tells which task sent what:

- an invalid set fails with a message naming the option (and its value) and
  sends no request at all;
- a valid set succeeds, and its result is right (the license it ordered has
  the options asked for);
- every request that reached the sandbox has valid parameters.

Valid isp_license sets really order (wait: false, so they are quick); the seed
is fixed so that CI sees the same sets (RELIABILITY_HYPOTHESIS_SEED picks another).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import json
import os
import random

import pytest
from ansible.release import __version__ as ANSIBLE_CORE_VERSION
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from reliability_helpers import (
    CHECK,
    INFO,
    LICENSE,
    MODULE_PATH_CONNECTION,
    by_host,
    request_problems,
    run_plays,
    write_inventory,
)

VALID_PER_MODULE = 12
PER_BREAKAGE = 1
SEED = int(os.environ.get('RELIABILITY_HYPOTHESIS_SEED', '20261127'))

PRODUCTS = {
    'ispmanager_lite': (3541, None), 'ispmanager_business': (4601, 4602), 'billmanager': (5577, None),
    'billmanager_corporate': (5579, None), 'vmmanager_kvm': (3045, 3049), 'vmmanager_cloud': (3887, 3889),
    'vmmanager_ovz': (3651, 3698), 'dcimanager': (3934, None), 'dcimanager_enterprise': (3936, None),
    'dnsmanager': (3136, None), 'ipmanager': (2891, None), 'ispmanager6_lite': (55227, None),
    'ispmanager6_pro': (55228, None), 'ispmanager6_host': (55229, None), 'ispmanager6_business': (55230, 55236),
}
WITH_NODES = sorted(name for name, (_p, addon) in PRODUCTS.items() if addon)
WITHOUT_NODES = sorted(name for name, (_p, addon) in PRODUCTS.items() if not addon)
STATUSES = ['ordered', 'active', 'suspended', 'deleted', 'processing', 'unknown']

# Text that Ansible will not template ({ } % #) and YAML keeps as a string.
SAFE = st.text(alphabet='abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/ ', min_size=1,
               max_size=12)
NAME = st.text(alphabet='abcdefghijklmnopqrstuvwxyz0123456789-_.', min_size=1, max_size=20)


def not_ip(text):
    try:
        ipaddress.ip_address(text.strip())
    except ValueError:
        return True
    return False


BAD_IPS = st.one_of(st.sampled_from(['127.0.0.256', '127.030.0.1', '127.0.0.1/24', '127.0.0', '127.0.0.1.1',
                                     '::g', 'localhost', '', ' ', '1.2.3.4:80', '127.0.0.1%']),
                    SAFE.filter(not_ip))
BAD_INTS = st.one_of(st.sampled_from(['monthly', 'one', '1.5', 'twelve', '0x']), st.floats(0.1, 99.9).filter(
    lambda f: not f.is_integer()).map(lambda f: round(f, 2)).filter(lambda f: not f.is_integer()))
BAD_BOOLS = st.sampled_from(['maybe', 'sure', 'nope', 2, '2', 'enabled'])


# -- valid option sets -----------------------------------------------------------------------

def ip_form(kind, ip):
    """The valid ways to write the task's IP: as is, padded, IPv4-mapped IPv6."""
    return {'plain': ip, 'padded': '  %s ' % ip, 'mapped': '::ffff:%s' % ip}[kind]


@st.composite
def tariff(draw, nodes=True):
    options = {}
    if draw(st.booleans()):
        options['product'] = draw(st.sampled_from(sorted(PRODUCTS)))
        if nodes and PRODUCTS[options['product']][1] and draw(st.booleans()):
            options['nodes'] = draw(st.integers(0, 5))
    else:
        options['pricelist'] = draw(st.sampled_from(sorted(p for p, _a in PRODUCTS.values())))
        addon = dict(PRODUCTS.values())[options['pricelist']]
        if nodes and addon and draw(st.booleans()):
            options['addons'] = {str(addon): draw(st.integers(0, 5))}
    return options


@st.composite
def license_case(draw):
    options = dict(draw(tariff()), ip_form=draw(st.sampled_from(['plain', 'plain', 'padded', 'mapped'])))
    state = draw(st.sampled_from(['present', 'present', 'present', 'absent', None]))
    if state:
        options['state'] = state
    for name, values in (('licname', NAME), ('period', st.sampled_from([1, 12, '12', '1'])),
                         ('autoprolong', st.sampled_from([0, 1, 12, '0'])),
                         ('skipbasket', st.sampled_from([True, False, 'yes', 'no'])),
                         ('renew_within_days', st.integers(0, 30)), ('wait_timeout', st.integers(0, 600))):
        if draw(st.booleans()):
            options[name] = draw(values)
    options['wait'] = False
    return 'license', options


@st.composite
def info_case(draw):
    options = {}
    if draw(st.booleans()):
        options.update(draw(tariff(nodes=False)))
    if draw(st.booleans()):
        options['ip_form'] = draw(st.sampled_from(['plain', 'padded', 'mapped']))
    for name, values in (('id', st.integers(1, 10 ** 6)), ('licname', NAME),
                         ('status', st.lists(st.sampled_from(STATUSES), min_size=1, max_size=3, unique=True)),
                         ('expiring_within_days', st.integers(0, 400)), ('details', st.booleans())):
        if draw(st.integers(0, 3)) == 0:
            options[name] = draw(values)
    return 'info', options


@st.composite
def check_case(draw):
    options = dict(draw(tariff(nodes=False)), ip_form=draw(st.sampled_from(['plain', 'padded', 'mapped'])))
    if draw(st.booleans()):
        options['period'] = draw(st.sampled_from([1, 12]))
    return 'check', options


# -- one thing made invalid: (module kinds it applies to, change, option named in the message) -----------

def set_to(name, value, drop=()):
    def change(options):
        options = dict((k, v) for k, v in options.items() if k not in drop)
        options[name] = value
        return options
    return change


def drop(*names):
    def change(options):
        return dict((k, v) for k, v in options.items() if k not in names)
    return change


def nodes_without_addon(product):
    def change(options):
        options = dict((k, v) for k, v in options.items() if k not in ('pricelist', 'addons'))
        options.update(product=product, nodes=2)
        return options
    return change


def both_tariffs(options):
    options = dict((k, v) for k, v in options.items() if k not in ('nodes', 'addons'))
    options.setdefault('product', 'ispmanager6_lite')
    options.setdefault('pricelist', 55227)
    return options


def breakages(kind):
    """label -> (make, values): ``make(value)`` is (change, option the message must name, value it must name)."""
    choices = [
        ('ip', lambda v: (set_to('ip', v, drop=('ip_form',)), 'ip', v), BAD_IPS),
        ('product', lambda v: (set_to('product', v, drop=('pricelist', 'nodes', 'addons')), 'product', v),
         SAFE.filter(lambda t: t not in PRODUCTS)),
        ('pricelist', lambda v: (set_to('pricelist', v, drop=('product', 'nodes', 'addons')), 'pricelist', v),
         st.one_of(st.integers(-10 ** 6, 0), BAD_INTS)),
        ('tariff twice', lambda v: (both_tariffs, 'mutually exclusive', None), st.just(None)),
        ('api_timeout', lambda v: (set_to('api_timeout', v), 'api_timeout', v),
         st.one_of(st.integers(-100, 0), BAD_INTS)),
        ('api_retries', lambda v: (set_to('api_retries', v), 'api_retries', v),
         st.one_of(st.integers(-9, -1), BAD_INTS)),
        ('api_url', lambda v: (set_to('api_url', v), 'api_url', v),
         st.sampled_from(['not a url', 'ftp://127.0.0.1/billmgr', '127.0.0.1/billmgr', 'http://', 'https:///billmgr',
                          'mailto:reseller@127.0.0.1'])),
        ('auth_method', lambda v: (set_to('auth_method', v), 'auth_method', v), SAFE.filter(
            lambda t: t not in ('authinfo', 'session'))),
        ('validate_certs', lambda v: (set_to('validate_certs', v), 'validate_certs', v), BAD_BOOLS),
        ('ca_path', lambda v: (set_to('ca_path', v), 'ca_path', v),
         st.sampled_from(['/nonexistent/ca.pem', '/tmp/no-such-ca-%d.pem' % SEED])),
    ]
    if kind == 'license':
        choices += [
            ('period', lambda v: (set_to('period', v), 'period', v), st.one_of(
                st.integers(-50, 50).filter(lambda n: n not in (1, 12)), BAD_INTS)),
            ('autoprolong', lambda v: (set_to('autoprolong', v), 'autoprolong', v),
             st.integers(-50, 50).filter(lambda n: n not in (0, 1, 12))),
            ('state', lambda v: (set_to('state', v), 'state', v), SAFE.filter(
                lambda t: t not in ('present', 'absent', 'suspended'))),
            ('id', lambda v: (set_to('id', v), 'id', v), st.one_of(st.integers(-10 ** 6, 0), BAD_INTS)),
            ('licname', lambda v: (set_to('licname', v), 'licname', v), st.just('')),
            ('nodes negative', lambda v: (set_to('nodes', v, drop=('pricelist', 'addons', 'product')),
                                          'nodes', v), st.integers(-99, -1)),
            ('nodes without addon', lambda v: (nodes_without_addon(v), 'nodes', v), st.sampled_from(WITHOUT_NODES)),
            ('addons key', lambda v: (set_to('addons', {v: 1}), 'addons', v), SAFE.filter(
                lambda t: not t.isdigit() and t.strip() == t)),
            ('addons amount', lambda v: (set_to('addons', {'4602': v}), 'addons', v),
             st.one_of(st.integers(-99, -1), st.sampled_from(['many', 1.5]))),
            ('skipbasket', lambda v: (set_to('skipbasket', v), 'skipbasket', v), BAD_BOOLS),
            ('regenerate_key', lambda v: (set_to('regenerate_key', v), 'regenerate_key', v), BAD_BOOLS),
            ('renew_within_days', lambda v: (set_to('renew_within_days', v), 'renew_within_days', v),
             st.one_of(st.integers(-400, -1), BAD_INTS)),
            ('wait_timeout', lambda v: (set_to('wait_timeout', v), 'wait_timeout', v), st.integers(-600, -1)),
            ('no identity', lambda v: (drop('ip', 'ip_form', 'licname', 'id'), 'one of the following', None),
             st.just(None)),
        ]
    if kind == 'info':
        choices += [
            ('id', lambda v: (set_to('id', v), 'id', v), st.one_of(st.integers(-10 ** 6, 0), BAD_INTS)),
            ('status', lambda v: (set_to('status', ['active', v]), 'status', v), SAFE.filter(
                lambda t: t not in STATUSES)),
            ('expiring_within_days', lambda v: (set_to('expiring_within_days', v), 'expiring_within_days', v),
             st.integers(-400, -1)),
            ('details', lambda v: (set_to('details', v), 'details', v), BAD_BOOLS),
        ]
    if kind == 'check':
        choices += [
            ('period', lambda v: (set_to('period', v), 'period', v), st.integers(-50, 50).filter(
                lambda n: n not in (1, 12))),
            ('no ip', lambda v: (drop('ip', 'ip_form'), 'ip', None), st.just(None)),
            ('no tariff', lambda v: (drop('product', 'pricelist'), 'one of the following', None), st.just(None)),
        ]
    return dict((label, (make, values)) for label, make, values in choices)


BASES = {'license': license_case, 'info': info_case, 'check': check_case}


@st.composite
def broken_case(draw, kind, label):
    _kind, options = draw(BASES[kind]())
    make, values = breakages(kind)[label]
    change, option, value = make(draw(values))
    return kind, change(options), (option, value)


def collect(strategy, count, seed_value):
    """Up to ``count`` distinct examples of ``strategy`` (Hypothesis only generates here)."""
    found = []

    @seed(seed_value)
    @settings(max_examples=count * 4, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def gather(case):
        if len(found) < count and repr(case) not in set(repr(c) for c in found):
            found.append(case)

    gather()
    return found


# Always in the playbook, as Hypothesis' @example would be: values that once got through.
EDGE_CASES = [
    ('info', {'ip': ''}, ('ip', '')),  # matched every license
    ('info', {'licname': ''}, ('licname', None)),
    ('check', {'ip': '', 'product': 'dnsmanager'}, ('ip', None)),
    ('license', {'ip_form': 'plain', 'pricelist': 0}, ('pricelist', 0)),  # was ordered
    ('license', {'id': 0, 'licname': 'zero'}, ('id', 0)),
    ('check', {'ip_form': 'plain', 'pricelist': -5}, ('pricelist', -5)),  # was sent to soft.checkip
    ('license', {'ip_form': 'plain', 'product': 'dnsmanager', 'api_timeout': 0}, ('api_timeout', 0)),  # crashed
    ('info', {'api_url': 'https://127.0.0.1:9/billmgr', 'ca_path': '/nonexistent/ca.pem'},
     ('ca_path', '/nonexistent/ca.pem')),  # crashed
    ('check', {'ip_form': 'plain', 'product': 'dnsmanager', 'api_url': 'not a url'}, ('api_url', 'not a url')),
    ('info', {'api_retries': -1}, ('api_retries', -1)),
]


def draw_cases(seed_value, valid_per_module=VALID_PER_MODULE, per_breakage=PER_BREAKAGE):
    """Every kind of breakage of every module, with values Hypothesis picks, plus valid sets.

    Drawn per kind, so that each run covers all of them; from each kind's
    examples a seeded choice, so that they are not always the simplest ones.
    """
    rnd = random.Random(seed_value)
    drawn = []
    for kind in sorted(BASES):
        valid = collect(BASES[kind]().map(lambda case: (case[0], case[1], None)), valid_per_module * 3, seed_value)
        drawn.extend(rnd.sample(valid, min(valid_per_module, len(valid))))
        for label in sorted(breakages(kind)):
            examples = collect(broken_case(kind, label), 4, seed_value)
            drawn.extend(rnd.sample(examples, min(per_breakage, len(examples))))
    rnd.shuffle(drawn)
    return drawn + list(EDGE_CASES)


# -- the test ----------------------------------------------------------------------------------

MODULES = {'license': LICENSE, 'info': INFO, 'check': CHECK}


def task_options(index, kind, options, sandbox):
    options = dict(options)
    ip = '127.40.%d.%d' % (1 + index // 200, 1 + index % 200)  # each task's own IP: no task sees another's
    if 'ip_form' in options:
        options['ip'] = ip_form(options.pop('ip_form'), ip)
    if options.get('licname') and kind == 'license':
        options['licname'] = '%s-t%03d' % (options['licname'], index)  # names find licenses: one per task
    options.setdefault('api_url', '%s/t%03d' % (sandbox.url, index))
    return options


def canonical(ip):
    """The address a license is bound to: an IPv4-mapped IPv6 address is the IPv4 one."""
    address = ipaddress.ip_address(ip.strip())
    return str(getattr(address, 'ipv4_mapped', None) or address)


def _core_type_error_without_value(msg, option):
    """ansible-core's own type check names the value from 2.19 on; before, only the option and its type
    ("argument 'id' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot
    be converted to an int"). The message is ansible-core's, the same on both paths."""
    core = tuple(int(part) for part in ANSIBLE_CORE_VERSION.split('.')[:2])
    return core < (2, 19) and ("argument '%s' is of type <class '" % option) in msg and \
        'cannot be converted to' in msg


def test_random_options(sandbox, tmp_path):
    drawn = draw_cases(SEED)
    assert len(drawn) >= 80, len(drawn)
    sandbox.set_config(balances={sandbox.username: 10 ** 7})
    tasks, cases_by_name = [], {}
    for index, (kind, options, invalid) in enumerate(drawn):
        options = task_options(index, kind, options, sandbox)
        name = 't%03d' % index
        tasks.append({'name': name, MODULES[kind]: options, 'ignore_errors': True})
        cases_by_name[name] = (kind, options, invalid)
    plays = [{'name': 'bad input', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]
    run = run_plays(plays, tmp_path, sandbox=sandbox)

    log = sandbox.log()
    problems = ['invalid input reached the API: %s %s %s' % (e['path'], e['func'], request_problems(e))
                for e in log if request_problems(e)]
    sent = by_host(log)
    licenses = sandbox.licenses()
    for name, (kind, options, invalid) in sorted(cases_by_name.items()):
        result = run.result(name)
        where = '%s %s %r' % (name, MODULES[kind], options)
        if invalid is not None:
            option, value = invalid
            msg = result.get('msg', '')
            if not result.get('failed'):
                problems.append('%s: accepted, should fail naming %s' % (where, option))
            elif option not in msg or (value not in (None, '') and str(value).strip() not in msg
                                       and not _core_type_error_without_value(msg, option)):
                problems.append('%s: message does not name %s=%r: %s' % (where, option, value, msg))
            elif 'Traceback' in str(result) or msg.startswith('Task failed'):
                problems.append('%s: crashed instead of a clear error: %s' % (where, msg))
            if sent.get(name):
                problems.append('%s: sent %s' % (where, [e['func'] for e in sent[name]]))
            continue
        if result.get('failed'):
            problems.append('%s: failed: %s' % (where, result.get('msg')))
            continue
        found = check_result(kind, options, result, sent.get(name, []), licenses)
        problems.extend('%s: %s' % (where, problem) for problem in found)
    assert not problems, 'seed %s:\n%s' % (SEED, '\n'.join(problems))


def check_result(kind, options, result, calls, licenses):
    """What is wrong with the result of a valid task (empty when nothing)."""
    problems = []
    if kind == 'check':
        if not isinstance(result.get('available'), bool) or calls[-1:] and calls[-1]['func'] != 'soft.checkip':
            problems.append('no answer: %r' % result)
        return problems
    if kind == 'info':
        wanted = canonical(options['ip']) if 'ip' in options else None
        for lic in result['licenses']:
            if wanted and canonical(lic['ip']) != wanted:
                problems.append('license %s is not on %s' % (lic['id'], wanted))
            if 'status' in options and lic['status'] not in options['status']:
                problems.append('license %s is %s' % (lic['id'], lic['status']))
        return problems
    ip = canonical(options['ip'])
    mine = [lic for lic in licenses if canonical(lic['ip']) == ip]
    if options.get('state') == 'absent':
        if result['changed'] or mine:
            problems.append('absent ordered or deleted something: %r' % result)
        return problems
    orders = [e for e in calls if e['func'] == 'soft.order.param']
    if not result['changed'] or result['actions'] != ['order'] or len(orders) != 1 or len(mine) != 1:
        return ['expected one order: %r, %d order calls, licenses %r' % (result, len(orders), mine)]
    lic, got = mine[0], result['license']
    pricelist = PRODUCTS[options['product']][0] if 'product' in options else options['pricelist']
    expected = dict(pricelist=pricelist, period=int(options.get('period', 1)),
                    autoprolong=int(options['autoprolong']) or None if 'autoprolong' in options else None,
                    licname=options.get('licname', ip),
                    status=2 if str(options.get('skipbasket', True)) in ('True', 'yes') else 1)
    addon = dict(PRODUCTS.values())[pricelist]
    amount = options.get('nodes', (options.get('addons') or {}).get(str(addon)))
    if amount is not None:
        expected['addons'] = {str(addon): amount}
    for key, value in expected.items():
        actual = lic[key] if key != 'status' else (2 if lic[key] in (2, 5) else lic[key])
        if actual != value:
            problems.append('%s is %r in the sandbox, asked for %r' % (key, lic[key], value))
    if got['id'] != lic['id'] or got['pricelist'] != pricelist or canonical(got['ip']) != ip:
        problems.append('result %r is not the license ordered %r' % (got, lic))
    return problems


# -- connection options that cannot be used, through ansible-playbook -------------------------------
#
# Fixed cases, not drawn: each names a connection problem that must be said before any call. Every
# network target is the sandbox on 127.0.0.1 (or localhost); a URL with credentials points at it too,
# so that the request log would show it had it been contacted.

URL_SECRET = 'url-pw-Z7q'
CLEAR_TEXT = 'clear text'


@pytest.fixture(scope='module')
def connection_run(sandbox_module, tmp_path_factory):
    sandbox = sandbox_module
    folder = tmp_path_factory.mktemp('connection')
    password_file = folder / 'password'
    password_file.write_text(sandbox.password + '\n')
    with_userinfo = sandbox.url.replace('://', '://%s:%s@' % (sandbox.username, URL_SECRET)) + '/userinfo'
    no_password = {'BILLMANAGER_PASSWORD': '', 'BILLMANAGER_PASSWORD_FILE': ''}
    tasks = [
        ('userinfo', INFO, dict(api_url=with_userinfo), None),
        ('loopback http', INFO, dict(api_url=sandbox.url + '/loopback'), None),
        ('localhost http', INFO, dict(api_url=sandbox.url.replace('127.0.0.1', 'localhost') + '/localhost'), None),
        ('no credentials', INFO, dict(api_url=sandbox.url + '/nocredentials'),
         dict(no_password, BILLMANAGER_USERNAME='')),
        ('password file', INFO, dict(api_url=sandbox.url + '/passwordfile'),
         dict(no_password, BILLMANAGER_PASSWORD_FILE=str(password_file))),
        ('missing password file', INFO, dict(api_url=sandbox.url + '/nofile'),
         dict(no_password, BILLMANAGER_PASSWORD_FILE=str(folder / 'missing'))),
    ]
    plays = [{'name': 'connection', 'hosts': 'all', 'gather_facts': False, 'tasks': [
        dict({'name': name, module: options, 'ignore_errors': True}, **({'environment': env} if env else {}))
        for name, module, options, env in tasks]}]
    inventory = write_inventory(folder, sandbox, {'fast': {}, 'module': {'ansible_connection': MODULE_PATH_CONNECTION}})
    sandbox.clear_log()
    run = run_plays(plays, folder, sandbox=sandbox, inventory=inventory, forks=2)
    return run, sandbox, with_userinfo, password_file


@pytest.mark.parametrize('host', ['fast', 'module'])
def test_connection_options_are_checked_before_any_call(connection_run, host):
    run, sandbox, with_userinfo, password_file = connection_run
    paths = set(entry['path'].rstrip('/').rsplit('/', 1)[-1] for entry in sandbox.log())
    url = sandbox.url + '/userinfo'

    result = run.result('userinfo', host)
    assert result['failed'] and result['changed'] is False
    assert result['msg'] == ('api_url: contains credentials (user:password@); give them in api_username/api_password '
                             '(or BILLMANAGER_USERNAME/BILLMANAGER_PASSWORD) and set api_url to %s' % url)
    assert 'userinfo' not in paths, 'the URL with credentials was contacted'
    shown = dict((key, value) for key, value in result.items() if key != 'invocation')
    assert URL_SECRET not in json.dumps(shown), shown

    result = run.result('no credentials', host)
    assert result['failed'] and 'nocredentials' not in paths
    assert result['msg'] == ('api_username (or the environment variable BILLMANAGER_USERNAME) and api_password (or '
                             'the environment variable BILLMANAGER_PASSWORD): required, not given, nor a file named '
                             'by BILLMANAGER_PASSWORD_FILE')

    result = run.result('password file', host)
    assert not result.get('failed') and isinstance(result['licenses'], list), result
    assert 'passwordfile' in paths
    assert sandbox.password not in json.dumps(result), result  # no_log holds for the file's password too

    result = run.result('missing password file', host)
    assert result['failed'] and 'nofile' not in paths
    assert result['msg'] == ("api_password (or the environment variable BILLMANAGER_PASSWORD): required, not given: "
                             "BILLMANAGER_PASSWORD_FILE names '%s', which cannot be read (No such file or directory)"
                             % (password_file.parent / 'missing'))


@pytest.mark.parametrize('task', ['loopback http', 'localhost http'])
@pytest.mark.parametrize('host', ['fast', 'module'])
def test_http_to_loopback_gives_no_clear_text_warning(connection_run, host, task):
    run = connection_run[0]
    result = run.result(task, host)
    assert not result.get('failed'), result
    assert not any(CLEAR_TEXT in warning for warning in result.get('warnings', [])), result
    assert CLEAR_TEXT not in run.output


def test_the_password_in_an_api_url_is_not_in_the_output_of_the_module_path(connection_run):
    run = connection_run[0]
    assert URL_SECRET not in json.dumps(run.result('userinfo', 'module'))  # the invocation too


def test_the_password_in_an_api_url_is_not_in_the_output_of_the_controller_path(connection_run):
    run = connection_run[0]
    assert URL_SECRET not in run.output
