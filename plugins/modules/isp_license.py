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
  - Brings one software license (ISPmanager, BILLmanager, VMmanager, DCImanager, DNSmanager,
    IPmanager, and CloudLinux, Softaculous, KernelCare) bought through a BILLmanager billing
    system to the desired state, in each of the three families of license functions, V(soft)
    (ISPmanager and the ISPsystem v5 products), V(platform) (VMmanager 6, DCImanager 6, not bound
    to an IP, named by their comment, which is O(licname) here) and V(softexternal) (third-party
    licenses, monthly only).
  - The license is found by O(id) (one read, no listing), else by O(licname), else by O(ip)
    (and the tariff, when one is given), in the family of the tariff when one is given.
    Deleted licenses never match, parked ones only by O(id); when several licenses match, the
    task fails and lists their ids.
  - B(An order, a renewal and a tariff change charge the reseller's account.) The module sends
    every change exactly once, decided on fresh data (a fresh listing before an order, a fresh
    read before any other write), under a lock per license on the controller, so concurrent
    tasks and runs on one controller never send the same write twice.
  - When the answer to an order is lost (timeout, broken connection, HTTP 5xx), the module
    looks for the license that order created (same IP or name and tariff, not there before)
    for as long as O(wait_timeout), and adopts it. When none has appeared by then the outcome
    is unknown and the task says so; the controller remembers that order for two hours and
    refuses to order the same license again meanwhile, unless it appears.
  - The tasks of one C(ansible-playbook) run on the controller share the account listing for
    at most O(listing_max_age) seconds; only which license is meant comes from it, the state
    always from a fresh read.
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
      - V(present) orders the license when it is missing (needs O(product) or O(pricelist), and
        O(ip) unless the family is V(platform)), or takes one from the pool with
        O(reuse_parked); changes its O(ip), O(licname) and O(autoprolong) when they differ;
        changes its tariff with O(allow_tariff_change); resumes it when suspended (unless
        O(resume_suspended=false)); renews it when it ends within O(renew_within_days); and makes
        a new key with O(regenerate_key).
      - V(suspended) suspends the license; a missing license fails the task.
      - V(parked) puts the license in the reuse pool, as ISPsystem's own WHMCS module does
        instead of deleting it, suspended and moved to IP C(0.0.0.0) with licname C(free.lic).
        Its paid time is kept for the next server (O(reuse_parked)). Only IP-bound families
        (V(soft), V(softexternal)). A missing license is no change.
      - V(absent) deletes the license when it exists; the paid time left is lost.
    type: str
    choices: [present, suspended, parked, absent]
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
      - The tariff by its catalog name. Mutually exclusive with O(pricelist). It also names the
        license's family (the API functions it is handled with).
      - 'The catalog (name, pricelist, family, named addons, periods): V(ispmanager6_lite) 55227 soft (1/12), V(ispmanager6_pro) 55228 soft (1/12),
          V(ispmanager6_host) 55229 soft (1/12),
          V(ispmanager6_business) 55230 soft, nodes 55236 (1/12),
          V(ispmanager6_trial) 55239 soft (trial),
          V(ispmanager6_business_trial) 55240 soft (trial),
          V(vmmanager6) 55163 platform, nodes 55165 vms 55164 (1/12/trial),
          V(dcimanager6) 55161 platform (1/12/trial), V(cloudlinux) 9203 softexternal (1),
          V(softaculous) 9204 softexternal (1), V(kernelcare) 11738 softexternal (1),
          V(ispmanager_lite) 3541 soft (1/12),
          V(ispmanager_business) 4601 soft, nodes 4602 (1/12),
          V(billmanager) 5577 soft (1/12), V(billmanager_corporate) 5579 soft (1/12),
          V(vmmanager_kvm) 3045 soft, nodes 3049 (1/12),
          V(vmmanager_cloud) 3887 soft, nodes 3889 (1/12),
          V(vmmanager_ovz) 3651 soft, nodes 3698 (1/12), V(dcimanager) 3934 soft (1/12),
          V(dcimanager_enterprise) 3936 soft (1/12), V(dnsmanager) 3136 soft (1/12),
          V(ipmanager) 2891 soft (1/12).'
      - An existing license of another tariff of the same family is changed to this tariff
        (C(service.changepricelist), which charges the difference) only with
        O(allow_tariff_change=true); otherwise the task fails. Across families no tariff changes.
    type: str
    choices: [billmanager, billmanager_corporate, cloudlinux, dcimanager, dcimanager6,
                dcimanager_enterprise, dnsmanager, ipmanager, ispmanager6_business,
                ispmanager6_business_trial, ispmanager6_host, ispmanager6_lite, ispmanager6_pro,
                ispmanager6_trial, ispmanager_business, ispmanager_lite, kernelcare, softaculous,
                vmmanager6, vmmanager_cloud, vmmanager_kvm, vmmanager_ovz]
  pricelist:
    description:
      - The tariff by its raw id, for a tariff not in the catalog of O(product).
        Mutually exclusive with O(product).
    type: int
  family:
    description:
      - The family of a raw O(pricelist) (a O(product) names its own). Default V(soft).
    type: str
    choices: [soft, platform, softexternal]
  nodes:
    description:
      - The amount of the product's node addon to order (C(addon_<id>)), for the products
        that have one (V(ispmanager6_business), V(vmmanager6), the v5 VMmanagers,
        V(ispmanager_business)). Applies when ordering.
    type: int
  vms:
    description:
      - The amount of the product's virtual machine addon to order, for V(vmmanager6).
        Applies when ordering.
    type: int
  addons:
    description:
      - Addon amounts to order, addon id to amount, for tariffs not in the catalog. Applies
        when ordering.
    type: dict
  period:
    description:
      - Months to order, renew or change the tariff for. V(softexternal) licenses are sold
        monthly only.
    type: int
    choices: [1, 12]
    default: 1
  trial:
    description:
      - Order the trial period (the API's period C(-100)) of a product that has one
        (V(vmmanager6), V(dcimanager6)); implied by a trial-only product
        (V(ispmanager6_trial), V(ispmanager6_business_trial)). A trial is not renewed.
    type: bool
    default: false
  autoprolong:
    description:
      - Automatic renewal in months; V(0) turns it off. Sent with an order, and changed on an
        existing license (its family's C(.edit)) when it differs.
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
        Only with O(state=present).
    type: bool
    default: false
  allow_tariff_change:
    description:
      - Change the tariff of an existing license to O(product) or O(pricelist)
        (C(service.changepricelist), by O(period); the billing charges the difference). Within
        the license's family only; needs O(product) or O(pricelist).
    type: bool
    default: false
  remoteid:
    description:
      - Your own reference for the license (a server id of your system, say), sent with an
        order.
    type: str
  resume_suspended:
    description:
      - Resume a suspended license under O(state=present). With V(false) a suspended license
        stays suspended (somebody suspended it on purpose) and the task reports no change for
        that.
    type: bool
    default: true
  reuse_parked:
    description:
      - With O(state=present), when no license matches and one would be ordered, take the
        parked license of the same tariff with the most paid time left instead (action
        C(reuse)), resume it, and renew it by O(period) when its end date has passed. Orders
        only when the pool has none. Two tasks on one controller never take the same parked
        license. Not with O(id).
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
      - Seconds to wait with O(wait); also how long to look for the license an order created
        when the order's answer was lost.
    type: int
    default: 300
  listing_max_age:
    description:
      - Seconds that the account listing of one C(ansible-playbook) run may be shared between
        its tasks on the controller. V(0) lists afresh for every task. Never shared across runs.
    type: int
    default: 60
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

    - name: Upgrade it from Lite to Pro (charges the difference)
      ispsystem.billmanager.isp_license:
        licname: web1.example.com
        product: ispmanager6_pro
        allow_tariff_change: true

    - name: Park the license of a decommissioned server, keeping its paid time
      ispsystem.billmanager.isp_license:
        licname: web1.example.com
        state: parked

    - name: License a new server from the pool when it has one, else order
      ispsystem.billmanager.isp_license:
        licname: web2.example.com
        ip: 203.0.113.30
        product: ispmanager6_pro
        reuse_parked: true

    - name: A VMmanager 6 license with 3 cluster nodes (not bound to an IP)
      ispsystem.billmanager.isp_license:
        licname: cluster-a
        product: vmmanager6
        nodes: 3
        period: 12

    - name: CloudLinux for the same server
      ispsystem.billmanager.isp_license:
        licname: web2.example.com-cloudlinux
        ip: 203.0.113.30
        product: cloudlinux

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
    family:
      description: The family of API functions the license is handled with, V(soft), V(platform) or V(softexternal).
      type: str
      sample: soft
    addons:
      description: Addon id to amount, as far as the billing shows them; empty when none or not read.
      type: dict
      sample: {'55236': 2}
    parked:
      description: True when the license waits in the reuse pool (IP C(0.0.0.0)).
      type: bool
      sample: false
actions:
  description:
    - What was done (or, in check mode, would be done), in order, from V(order), V(reuse), V(edit),
      V(tariff), V(resume), V(suspend), V(park), V(renew), V(newkey), V(delete).
  returned: always
  type: list
  elements: str
  sample: [order]
catalog:
  description:
    - What the catalog knows of the license's tariff, null for a tariff it does not list.
    - C(panel) is the panel the license is for (C(licctl)'s C(<mgr>), such as C(ispmgr)), null where
      the collection knows no activation (V(platform), V(softexternal)).
  returned: success
  type: dict
  sample: {product: ispmanager6_lite, pricelist: 55227, family: soft, panel: ispmgr, addons: {},
           periods: [1, 12], trial: false, trial_only: false}
outcome:
  description: V(unknown) when an order's answer was lost and its license has not appeared.
  returned: failure after an order of unknown outcome
  type: str
  sample: unknown
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

from ansible_collections.ispsystem.billmanager.plugins.module_utils import _isp_license
from ansible_collections.ispsystem.billmanager.plugins.module_utils._operation import run_module


def main():
    run_module(AnsibleModule, _isp_license)


if __name__ == '__main__':
    main()
