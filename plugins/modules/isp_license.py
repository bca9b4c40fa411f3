#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: isp_license
short_description: Order, change, renew, suspend and delete an ISPsystem software license
version_added: 0.1.0
description:
  - Brings one ISPsystem software license (ISPmanager, BILLmanager, VMmanager, DCImanager,
    DNSmanager, IPmanager) bought through a BILLmanager billing system to the desired state.
  - The license is found by O(id), else by O(licname), else by O(ip) (and the tariff, when
    one is given). Deleted licenses never match; when several licenses match, the task fails
    and lists their ids.
  - B(An order charges the reseller's account.) The module sends every change exactly
    once. When the answer to an order is lost (timeout, broken connection, HTTP 5xx), it
    lists the licenses again and adopts the license that order created (same IP and tariff,
    not there before the task began); only when none appeared does it fail, saying that no
    license was ordered.
  - Use M(ispsystem.billmanager.isp_license_check) to find out beforehand whether an IP can
    take a license, and M(ispsystem.billmanager.isp_license_info) to read licenses.
author:
  - ispsystem.billmanager maintainers (@ispsystem)
extends_documentation_fragment:
  - ispsystem.billmanager.connection
  - ispsystem.billmanager.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details: Nothing is sent that changes anything; C(changed), C(actions) and the predicted
      license record are those of the real run.
  diff_mode:
    support: full
    details: Shows the license record before and after the change.
options:
  state:
    description:
      - V(present) orders the license when it is missing (needs O(ip) and O(product) or
        O(pricelist)), changes its O(ip) and O(licname) when they differ, resumes it when
        suspended, renews it when it ends within O(renew_within_days), and makes a new key
        with O(regenerate_key).
      - V(suspended) suspends the license; a missing license fails the task.
      - V(absent) deletes the license when it exists.
    type: str
    choices: [present, suspended, absent]
    default: present
  id:
    description:
      - The id (C(elid)) of the license. Takes precedence over O(licname) and O(ip) for
        finding it; then O(licname) and O(ip) are its desired name and IP.
    type: int
  licname:
    description:
      - The name of the license. Finds the license when O(id) is not given.
      - When a license is ordered without it, its name is its IP.
    type: str
  ip:
    description:
      - The IPv4 or IPv6 address the license is bound to. Finds the license when neither
        O(id) nor O(licname) is given; otherwise the license is moved to this IP.
    type: str
  product:
    description:
      - The tariff by its catalog name. Mutually exclusive with O(pricelist).
      - 'The catalog: V(ispmanager_lite) 3541, V(ispmanager_business) 4601 (node addon 4602),
        V(billmanager) 5577, V(billmanager_corporate) 5579, V(vmmanager_kvm) 3045 (3049),
        V(vmmanager_cloud) 3887 (3889), V(vmmanager_ovz) 3651 (3698), V(dcimanager) 3934,
        V(dcimanager_enterprise) 3936, V(dnsmanager) 3136, V(ipmanager) 2891,
        V(ispmanager6_lite) 55227, V(ispmanager6_pro) 55228, V(ispmanager6_host) 55229,
        V(ispmanager6_business) 55230 (55236).'
      - An existing license of another tariff fails the task; the module never changes a
        license's tariff.
    type: str
    choices: [billmanager, billmanager_corporate, dcimanager, dcimanager_enterprise, dnsmanager,
              ipmanager, ispmanager6_business, ispmanager6_host, ispmanager6_lite, ispmanager6_pro,
              ispmanager_business, ispmanager_lite, vmmanager_cloud, vmmanager_kvm, vmmanager_ovz]
  pricelist:
    description:
      - The tariff by its raw id, for a tariff not in the catalog of O(product).
        Mutually exclusive with O(product).
    type: int
  nodes:
    description:
      - The amount of the product's node addon to order (C(addon_<id>)), for the products
        that have one. Applies when ordering.
    type: int
  addons:
    description:
      - Addon amounts to order, addon id to amount, for tariffs not in the catalog. Applies
        when ordering.
    type: dict
  period:
    description:
      - Months to order or renew for.
    type: int
    choices: [1, 12]
    default: 1
  autoprolong:
    description:
      - Automatic renewal in months; V(0) turns it off. Applies when ordering; an existing
        license keeps its renewal setting.
    type: int
    choices: [0, 1, 12]
  skipbasket:
    description:
      - Pay the order at once from the account's balance. With V(false) the order goes to
        the cart, waits for payment, and the task does not wait for it.
    type: bool
    default: true
  renew_within_days:
    description:
      - Renew the license by O(period) when it ends within this many days, which makes
        renewal idempotent. Without it the module never renews.
    type: int
  regenerate_key:
    description:
      - Make a new license key. This is a deliberate action and always reports a change.
    type: bool
    default: false
  wait:
    description:
      - Wait until the license is active and its key is issued. Right after an order the
        billing system reports it as processing, with no key, for a while.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait with O(wait).
    type: int
    default: 300
notes:
  - Runs on the host that talks to the API; the collection's action plugin runs it inside the
    controller's own process. Use C(delegate_to) a host whose IP the billing system allows,
    if it allows only some.
'''

EXAMPLES = r'''
- name: License a new server with ISPmanager 6 Lite, and return its key
  ispsystem.billmanager.isp_license:
    api_username: reseller
    api_password: "{{ billmanager_password }}"
    ip: 203.0.113.10
    licname: web1.example.com
    product: ispmanager6_lite
    autoprolong: 1
  register: web1_license

- name: Show the key
  ansible.builtin.debug:
    msg: "{{ web1_license.license.key }}"

- name: Set the connection once for every module of the collection
  module_defaults:
    group/ispsystem.billmanager.billmanager:
      api_url: https://my.billing.example.com/billmgr
      api_username: reseller
      api_password: "{{ billmanager_password }}"
  block:
    - name: Move license 1234 to a new IP
      ispsystem.billmanager.isp_license:
        id: 1234
        ip: 203.0.113.20

    - name: Renew every run when it ends within two weeks
      ispsystem.billmanager.isp_license:
        licname: web1.example.com
        renew_within_days: 14
        period: 1

    - name: Suspend it
      ispsystem.billmanager.isp_license:
        licname: web1.example.com
        state: suspended

    - name: Delete the license of a decommissioned server
      ispsystem.billmanager.isp_license:
        ip: 203.0.113.10
        product: ispmanager6_lite
        state: absent
'''

RETURN = r'''
license:
  description:
    - The license after the change (the prediction in check mode); null when there is none.
    - Under O(state=absent) the deleted license, with status V(deleted).
  returned: success
  type: dict
  contains:
    id:
      description: The license id (C(elid)); null for a license check mode would order.
      type: int
      sample: 1234
    licname:
      description: The license name.
      type: str
      sample: web1.example.com
    ip:
      description: The IP the license is bound to.
      type: str
      sample: 203.0.113.10
    pricelist:
      description: The tariff id.
      type: int
      sample: 55227
    product:
      description: The catalog name of the tariff, null when it is not in the catalog.
      type: str
      sample: ispmanager6_lite
    status:
      description: One of V(ordered), V(active), V(suspended), V(deleted), V(processing), V(unknown).
      type: str
      sample: active
    expiredate:
      description: The day the license ends, C(YYYY-MM-DD).
      type: str
      sample: '2026-12-27'
    autoprolong:
      description: The automatic renewal period in months, null when off.
      type: int
      sample: 1
    key:
      description: The license key; null when not (yet) issued.
      type: str
      sample: 8f14e45fceea167a5a36dedd4bea2543
actions:
  description: What was done (or, in check mode, would be done), in order.
  returned: always
  type: list
  elements: str
  sample: [order]
api_error:
  description: The failed API call, in the billing system's own words.
  returned: failure of an API call
  type: dict
  contains:
    function:
      description: The API function that failed.
      type: str
      sample: soft.order.param
    kind:
      description: V(auth), V(billing), V(http), V(format), V(timeout), V(tls) or V(connection).
      type: str
      sample: billing
    type:
      description: The billing system's error type.
      type: str
      sample: exists
    object:
      description: The billing system's error object.
      type: str
      sample: ip
    message:
      description: The billing system's message.
      type: str
      sample: A license of this type for IP 203.0.113.10 already exists
    status:
      description: The HTTP status, when there was one.
      type: int
      sample: 200
    ambiguous:
      description: True when a change may have been carried out although its answer was lost.
      type: bool
      sample: false
ids:
  description: The ids of the licenses that matched when more than one did.
  returned: failure because the license is ambiguous
  type: list
  elements: int
  sample: [1234, 1240]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ispsystem.billmanager.plugins.module_utils.runner import run_module


def main():
    run_module(AnsibleModule, 'isp_license')


if __name__ == '__main__':
    main()
