# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Examples work as written: the playbooks of docs/*.md, and the EXAMPLES that
``ansible-doc`` shows for every module and the inventory plugin, run against
the sandbox.

The only liberty taken: the placeholder endpoint
``https://my.billing.example.com/billmgr`` of the examples becomes the
sandbox's URL, and the variables the examples leave to the reader
(``billmanager_password``, ``billmanager_api_*``) are the sandbox's.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import calendar
import datetime
import glob
import json
import os
import re

import pytest
import yaml

from ecosystem_helpers import REPO, run, tool
from playbook_runner import ansible_env, run_playbook

FQCN = 'ispsystem.billmanager'
PLACEHOLDER_URL = 'https://my.billing.example.com/billmgr'
DOCS = sorted(glob.glob(os.path.join(REPO, 'docs', '*.md')))
BLOCK = re.compile(r'^```(yaml|yml)\n(.*?)^```', re.MULTILINE | re.DOTALL)


def yaml_blocks(path):
    with open(path, encoding='utf-8') as handle:
        return [match.group(2) for match in BLOCK.finditer(handle.read())]


def reader_vars(sandbox):
    return {'billmanager_password': sandbox.password, 'billmanager_api_url': sandbox.url,
            'billmanager_api_username': sandbox.username, 'billmanager_api_password': sandbox.password}


def _task_actions(tasks):
    for task in tasks or []:
        for key in ('block', 'rescue', 'always'):
            yield from _task_actions(task.get(key))
        for key in task:
            if '.' in key:
                yield key


def runnable_here(doc):
    """A list of plays on localhost that use only this collection and ansible.builtin."""
    if not isinstance(doc, list) or not doc or not all(isinstance(play, dict) and 'hosts' in play for play in doc):
        return False
    if any(play['hosts'] != 'localhost' for play in doc):
        return False
    actions = [action for play in doc for action in _task_actions(play.get('tasks'))]
    return all(action.startswith((FQCN + '.', 'ansible.builtin.')) for action in actions)


def _sandbox_text(text, sandbox):
    return text.replace(PLACEHOLDER_URL, sandbox.url)


def _changed(outcome):
    return dict((host, stats['changed']) for host, stats in outcome.doc['stats'].items())


def _last_day_of_month(today):
    return today.replace(day=calendar.monthrange(today.year, today.month)[1])


# --- the guide ------------------------------------------------------------------------


def test_the_docs_have_yaml_that_parses():
    assert DOCS, 'no docs/*.md'
    for path in DOCS:
        for block in yaml_blocks(path):
            for doc in yaml.safe_load_all(block):
                assert doc is not None, '%s: an empty YAML block' % path


def test_the_guide_workflows_run_as_written_and_twice(sandbox, tmp_path):
    """docs/guide.md in order: each playbook on localhost runs, and runs again without a change."""
    today = datetime.date.today()
    this_month = sandbox.add_license(licname='ends-this-month', ip='203.0.113.60',
                                     expiredate=_last_day_of_month(today).isoformat())
    next_month = _last_day_of_month(today) + datetime.timedelta(days=2)
    later = sandbox.add_license(licname='ends-next-month', ip='203.0.113.61', expiredate=next_month.isoformat())
    blocks = [block for block in yaml_blocks(os.path.join(REPO, 'docs', 'guide.md'))
              if runnable_here(yaml.safe_load(block))]
    titles = [yaml.safe_load(block)[0]['name'] for block in blocks]
    assert len(blocks) >= 5, titles
    for number, block in enumerate(blocks):
        folder = tmp_path / ('block%d' % number)
        folder.mkdir()
        playbook = folder / 'playbook.yml'
        playbook.write_text(_sandbox_text(block, sandbox))
        for attempt in ('first', 'second'):
            outcome = run_playbook(str(playbook), folder, sandbox=sandbox, extra_vars=reader_vars(sandbox))
            assert outcome.rc == 0, '%s (%s run):\n%r' % (titles[number], attempt, outcome)
            if attempt == 'second':
                assert _changed(outcome) == {'localhost': 0}, '%s changes something on a second run' % titles[number]

    # What the workflows did: web1 ordered, moved, deleted; this month's license renewed, next month's not.
    by_name = dict((lic['licname'], lic) for lic in sandbox.licenses())
    web1 = by_name['web1.example.com']
    assert (web1['ip'], web1['status'], web1['pricelist']) == ('203.0.113.20', 4, 55227)
    renewed = sandbox.license(this_month['id'])
    assert renewed['expiredate'] > _last_day_of_month(today).isoformat(), renewed
    assert sandbox.license(later['id'])['expiredate'] == later['expiredate']
    assert len(sandbox.calls('service.prolong')) == 1


def test_the_guide_inventory_source_works(sandbox, tmp_path, monkeypatch):
    sandbox.add_license(licname='web1', ip='203.0.113.10', pricelist=55227)
    sources = [doc for path in DOCS for block in yaml_blocks(path) for doc in yaml.safe_load_all(block)
               if isinstance(doc, dict) and doc.get('plugin') == FQCN + '.licenses']
    assert sources
    for number, source in enumerate(sources):
        path = tmp_path / ('source%d.billmanager.yml' % number)
        path.write_text(yaml.safe_dump(source))
        env = ansible_env(sandbox)
        out = run([tool('ansible-inventory'), '-i', str(path), '--list'], env=env, cwd=str(tmp_path))
        inventory = json.loads(out)
        assert '203.0.113.10' in inventory['_meta']['hostvars'], out
        assert '203.0.113.10' in inventory.get('product_ispmanager6_lite', {}).get('hosts', []), out


# --- ansible-doc's EXAMPLES -------------------------------------------------------------


def _examples(kind, name, tmp_path):
    out = run([tool('ansible-doc'), '-t', kind, '%s.%s' % (FQCN, name), '--json'], env=ansible_env(),
              cwd=str(tmp_path))
    return json.loads(out)['%s.%s' % (FQCN, name)]['examples']


def _module_names():
    return sorted(os.path.splitext(name)[0] for name in os.listdir(os.path.join(REPO, 'plugins', 'modules'))
                  if name.endswith('.py') and not name.startswith('__'))


def _make_license_1234(sandbox):
    """The isp_license examples move license 1234: the sandbox gives ids in order, so skip to it."""
    sandbox.seed(count=1233, ip_prefix='127.100.')
    sandbox.wipe_licenses()
    lic = sandbox.add_license(licname='example-1234', ip='203.0.113.30', pricelist=55227)
    assert lic['id'] == 1234, lic
    return lic


def _unknown_to_the_sandbox(sandbox, pricelist):
    """A raw tariff id that the sandbox's own catalog lacks (a real account may well have it)."""
    answer = sandbox.call('soft.checkip', pricelist=pricelist, ip='198.51.100.1', period=1)
    return 'Tariff plan %s not found' % pricelist in json.dumps(answer)


@pytest.mark.parametrize('module', _module_names())
def test_module_examples_run_against_the_sandbox(module, sandbox, tmp_path):
    text = _examples('module', module, tmp_path)
    tasks = yaml.safe_load(_sandbox_text(text, sandbox))
    assert isinstance(tasks, list) and tasks, '%s: EXAMPLES is not a list of tasks' % module
    if '1234' in text:
        _make_license_1234(sandbox)
    # A task on a tariff the sandbox does not sell may fail, and only with the billing
    # system's own answer about that tariff: the module sent the raw id as it should.
    raw = {}
    for task in tasks:
        args = task.get('%s.%s' % (FQCN, module)) or {}
        if 'pricelist' in args and _unknown_to_the_sandbox(sandbox, args['pricelist']):
            task['ignore_errors'] = True
            raw[task['name']] = args['pricelist']
    play = [{'name': '%s EXAMPLES' % module, 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]
    outcome = run_playbook(play, tmp_path, sandbox=sandbox, extra_vars=reader_vars(sandbox))
    assert outcome.rc == 0, '%s EXAMPLES fail against the sandbox:\n%r' % (module, outcome)
    for name, result in outcome.results():
        if result.get('failed'):
            assert name in raw, '%s: the example task %r failed: %s' % (module, name, result.get('msg'))
            assert 'Tariff plan %s not found' % raw[name] in result['msg'], result


def test_inventory_examples_run_against_the_sandbox(sandbox, tmp_path):
    sandbox.add_license(licname='web1', ip='203.0.113.10', pricelist=55227)
    text = _sandbox_text(_examples('inventory', 'licenses', tmp_path), sandbox)
    sources = [doc for doc in yaml.safe_load_all(text) if doc]
    assert sources
    home = tmp_path / 'home'
    home.mkdir()
    for number, source in enumerate(sources):
        path = tmp_path / ('example%d.billmanager.yml' % number)
        path.write_text(yaml.safe_dump(source))
        env = ansible_env(sandbox, {'HOME': str(home), 'RESELLER_PASSWORD': sandbox.password})
        out = run([tool('ansible-inventory'), '-i', str(path), '--list'], env=env, cwd=str(tmp_path))
        inventory = json.loads(out)
        assert '203.0.113.10' in inventory['_meta']['hostvars'], out
