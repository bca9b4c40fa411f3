# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What ``ansible-doc`` really renders for the modules' attributes.

The attributes come from several doc fragments (the collection's
``attributes`` fragment and ansible-core's ``action_common_attributes``),
which ansible-doc merges in the order the module lists them. A merge done by
hand in a test can disagree with ansible-core's (it once hid that every module
showed ``action_group: membership: []``), so this asks ansible-doc itself, on
whatever ansible-core runs the tests (``make test-matrix`` repeats it on every
supported one).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re

import pytest
import yaml

from ecosystem_helpers import REPO, run, tool
from playbook_runner import ansible_env

FQCN = 'ispsystem.billmanager'

# check_mode and diff_mode support, per module: what each one promises.
# A new module belongs here too (its support is a decision, not a default).
CHECK_DIFF = {
    'isp_license': ('full', 'full'),
    'isp_license_info': ('full', 'N/A'),
    'isp_license_check': ('full', 'N/A'),
}

# The same for every module: the shared fragment plugins/doc_fragments/attributes.py.
SHARED = {
    'action': 'full',
    'async': 'full',
    'bypass_host_loop': 'none',
    'platform': 'full',
}


def _module_names():
    return sorted(os.path.splitext(name)[0] for name in os.listdir(os.path.join(REPO, 'plugins', 'modules'))
                  if name.endswith('.py') and not name.startswith('__'))


def _groups_of(module):
    """The FQCNs of the action groups meta/runtime.yml puts the module in."""
    with open(os.path.join(REPO, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        groups = yaml.safe_load(handle).get('action_groups') or {}
    names = (module, '%s.%s' % (FQCN, module))
    return sorted('%s.%s' % (FQCN, group) for group, members in groups.items()
                  if any(isinstance(member, str) and member in names for member in members or []))


@pytest.fixture(scope='module')
def rendered(tmp_path_factory):
    """``ansible-doc --json`` of every module, in one call."""
    names = ['%s.%s' % (FQCN, module) for module in _module_names()]
    out = run([tool('ansible-doc'), '-t', 'module', '--json'] + names, env=ansible_env(),
              cwd=str(tmp_path_factory.mktemp('ansible-doc')))
    docs = json.loads(out)
    assert sorted(docs) == sorted(names), 'ansible-doc rendered %s, asked for %s' % (sorted(docs), names)
    return dict((name.split('.')[-1], docs[name]['doc']) for name in names)


def test_every_module_has_its_check_and_diff_support_listed_here():
    assert sorted(CHECK_DIFF) == _module_names(), \
        'CHECK_DIFF in this file names other modules than plugins/modules: add the new one'


@pytest.mark.parametrize('module', _module_names())
def test_ansible_doc_shows_the_action_group_membership(rendered, module):
    expected = _groups_of(module)
    assert expected == ['%s.billmanager' % FQCN], 'meta/runtime.yml: %s is in %s' % (module, expected)
    group = rendered[module]['attributes']['action_group']
    assert group.get('support') == 'full', group
    assert sorted(group.get('membership') or []) == expected, group
    # The description comes from ansible-core's fragment: it was merged, not replaced.
    assert 'module_defaults' in group.get('description', ''), group


@pytest.mark.parametrize('module', _module_names())
def test_ansible_doc_shows_check_mode_and_diff_mode_support(rendered, module):
    attributes = rendered[module]['attributes']
    check, diff = CHECK_DIFF[module]
    assert attributes['check_mode'].get('support') == check, attributes['check_mode']
    assert attributes['diff_mode'].get('support') == diff, attributes['diff_mode']
    for name in ('check_mode', 'diff_mode'):
        assert attributes[name].get('details'), '%s: %s has no details' % (module, name)
        assert attributes[name].get('description'), '%s: %s lost its description' % (module, name)


@pytest.mark.parametrize('module', _module_names())
def test_ansible_doc_shows_the_shared_attributes(rendered, module):
    attributes = rendered[module]['attributes']
    assert sorted(attributes) == sorted(set(SHARED) | {'action_group', 'check_mode', 'diff_mode'}), \
        sorted(attributes)
    for name, support in SHARED.items():
        assert attributes[name].get('support') == support, '%s: %s is %r' % (module, name, attributes[name])
        assert attributes[name].get('description'), '%s: %s lost its description' % (module, name)
    assert attributes['platform'].get('platforms') == 'all', attributes['platform']


def test_the_text_rendering_names_the_group(tmp_path):
    """What a user reads: the plain-text ansible-doc of a module lists its group under action_group."""
    module = _module_names()[0]
    env = ansible_env(extra={'ANSIBLE_NOCOLOR': '1'})
    text = run([tool('ansible-doc'), '-t', 'module', '%s.%s' % (FQCN, module)], env=env, cwd=str(tmp_path))
    # Without colour the attribute names are quoted (`action_group:`); with it, escape codes.
    text = re.sub(r'\x1b\[[0-9;]*m', '', text).replace('`', '')
    match = re.search(r'^\s*action_group:\s*$(.*?)^\s*support:\s*(\S+)', text, re.MULTILINE | re.DOTALL)
    assert match, 'no action_group attribute in the ansible-doc text of %s:\n%s' % (module, text[-3000:])
    assert '%s.billmanager' % FQCN in match.group(1), match.group(0)
    assert match.group(2) == 'full', match.group(0)
