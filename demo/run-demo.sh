#!/usr/bin/env bash
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make demo`: the collection's main job, end to end, on this machine alone.
#
#   1. starts the sandbox (billing, download mirror, license server) on a free
#      port, its state in a temporary directory;
#   2. provisions three example servers with the playbook
#      ispsystem.billmanager.provision (demo/inventory: local hosts, panel
#      roots in the temporary directory, license IPs 127.0.0.101-103);
#   3. prints their licenses as a table, and what each panel holds;
#   4. runs the playbook again: it changes nothing;
#   5. the pool: decommissions web3 by parking its license, provisions a new
#      server web4 (127.0.0.104) that takes it, and prints the money saved
#      (orders not sent, counted in the sandbox's request log);
#   6. stops the sandbox and removes the temporary directory (DEMO_KEEP=1 keeps it).
#
# VENV_BIN: the bin directory with ansible-playbook and python (make passes
# .venv/bin); without it, .venv/bin of the repository, else PATH.

set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv_bin=${VENV_BIN:-$repo/.venv/bin}
if [ -x "$venv_bin/ansible-playbook" ]; then
    export PATH="$venv_bin:$PATH"
fi
python=$(command -v python 2>/dev/null || command -v python3)
command -v ansible-playbook >/dev/null || { echo "demo: ansible-playbook not found: run make demo" >&2; exit 1; }

DEMO_DIR=$(mktemp -d "${TMPDIR:-/tmp}/billmanager-demo.XXXXXX")
export DEMO_DIR
sandbox_pid=

cleanup() {
    status=$?
    if [ -n "$sandbox_pid" ] && kill -0 "$sandbox_pid" 2>/dev/null; then
        kill "$sandbox_pid" 2>/dev/null || true
        wait "$sandbox_pid" 2>/dev/null || true
        echo "demo: sandbox stopped"
    fi
    if [ "${DEMO_KEEP:-0}" = 1 ]; then
        echo "demo: kept $DEMO_DIR"
    else
        rm -rf "$DEMO_DIR"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n==> %s\n' "$*"; }

# --- 1. the sandbox ------------------------------------------------------------------
step "Starting the BILLmanager sandbox (state in $DEMO_DIR)"
"$python" "$repo/sandbox/billmanager_sandbox.py" --port 0 --port-file "$DEMO_DIR/sandbox.port" \
    --state "$DEMO_DIR/sandbox-state.json" --log-file "$DEMO_DIR/sandbox-requests.jsonl" \
    > "$DEMO_DIR/sandbox.out" 2>&1 &
sandbox_pid=$!
for _ in $(seq 100); do
    [ -s "$DEMO_DIR/sandbox.port" ] && break
    kill -0 "$sandbox_pid" 2>/dev/null || { cat "$DEMO_DIR/sandbox.out" >&2; exit 1; }
    sleep 0.1
done
[ -s "$DEMO_DIR/sandbox.port" ] || { echo "demo: the sandbox did not start" >&2; exit 1; }
port=$(cat "$DEMO_DIR/sandbox.port")
cat "$DEMO_DIR/sandbox.out"

# What an AWX job template's credential would inject: nothing else is needed.
export BILLMANAGER_SANDBOX="http://127.0.0.1:$port"
export BILLMANAGER_URL="$BILLMANAGER_SANDBOX/billmgr"
export BILLMANAGER_USERNAME=reseller
export BILLMANAGER_PASSWORD=sandbox-secret

# The collection, installed the quick way: a link in a collections path.
mkdir -p "$DEMO_DIR/collections/ansible_collections/ispsystem"
ln -s "$repo" "$DEMO_DIR/collections/ansible_collections/ispsystem/billmanager"
export ANSIBLE_COLLECTIONS_PATH="$DEMO_DIR/collections"
# The controller's shared state (locks, the run's listing) with the rest of the demo, removed with it.
export BILLMANAGER_STATE_DIR="$DEMO_DIR/controller-state"
export ANSIBLE_DISPLAY_SKIPPED_HOSTS=false
export ANSIBLE_RETRY_FILES_ENABLED=false
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
for host in web1 web2 web3 web4; do
    mkdir -p "$DEMO_DIR/servers/$host/usr/local"   # each server's filesystem
done

orders() { grep -c '"func": "soft.order.param"' "$DEMO_DIR/sandbox-requests.jsonl" || true; }
balance() {  # the reseller's balance in the sandbox's billing
    "$python" -c 'import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/sandbox/config", timeout=10) as answer:
    print("%.2f" % float(json.load(answer)["users"]["reseller"]["balance"]))' "$BILLMANAGER_SANDBOX"
}
balance_before=$(balance)
cd "$DEMO_DIR"

# --- 2. provision ---------------------------------------------------------------------
# web4 arrives later (step 5).
step "Provisioning web1, web2, web3: ansible-playbook -i demo/inventory ispsystem.billmanager.provision -l web1,web2,web3"
ansible-playbook -i "$repo/demo/inventory" ispsystem.billmanager.provision -l web1,web2,web3
first_orders=$(orders)
first_cost=$("$python" -c 'import sys; print("%.2f" % (float(sys.argv[1]) - float(sys.argv[2])))' "$balance_before" "$(balance)")

# --- 3. the licenses ------------------------------------------------------------------
step "The licenses in billing: ansible-playbook ispsystem.billmanager.license_report"
if [ -f "$repo/playbooks/license_report.yml" ]; then
    ansible-playbook ispsystem.billmanager.license_report -e license_report_days=36500
else
    ansible localhost -m ispsystem.billmanager.isp_license_info
fi

step "What each panel holds: licctl info ispmgr"
for host in web1 web2 web3; do
    printf '%s (%s):\n' "$host" "$DEMO_DIR/servers/$host/usr/local/mgr5"
    "$DEMO_DIR/servers/$host/usr/local/mgr5/sbin/licctl" info ispmgr | sed 's/^/    /'
done

# --- 4. again -------------------------------------------------------------------------
step "Provisioning again: nothing to change"
ansible-playbook -i "$repo/demo/inventory" ispsystem.billmanager.provision -l web1,web2,web3 | tee "$DEMO_DIR/second-run.txt"
if grep -E '^(web1|web2|web3) +:' "$DEMO_DIR/second-run.txt" | grep -vq 'changed=0 '; then
    echo "demo: FAILED: the second run changed something" >&2
    exit 1
fi
echo "demo: OK: the second run changed nothing (changed=0 on every host); ${first_orders} licenses were ordered for ${first_cost}"

# --- 5. the pool ---------------------------------------------------------------------
step "Decommissioning web3, its license parked: -l web3 -e licensed_server_state=absent -e licensed_server_decommission=park"
ansible-playbook -i "$repo/demo/inventory" ispsystem.billmanager.provision -l web3 \
    -e licensed_server_state=absent -e licensed_server_decommission=park
ansible-playbook ispsystem.billmanager.license_report -e license_report_days=0 | grep -o 'pool: [^"]*' || true

step "Provisioning the new server web4 from the pool: -l web4 -e licensed_server_reuse_parked=true"
orders_before=$(orders)
balance_web4=$(balance)
ansible-playbook -i "$repo/demo/inventory" ispsystem.billmanager.provision -l web4 -e licensed_server_reuse_parked=true
sent=$(( $(orders) - orders_before ))
printf 'web4 (%s): ' "$DEMO_DIR/servers/web4/usr/local/mgr5"
"$DEMO_DIR/servers/web4/usr/local/mgr5/sbin/licctl" info ispmgr | sed -n 1p
"$python" - "$sent" "$first_orders" "$first_cost" "$balance_web4" "$(balance)" <<'PY'
import sys
sent, first_orders, first_cost, before, after = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
price = first_cost / first_orders if first_orders else 0.0
not_sent = 1 - sent
print("demo: pool: web4 needed 1 license: %d order(s) sent, %d not sent (web3's parked license reused)" % (sent, not_sent))
print("demo: pool: web4 cost %.2f; an order costs %.2f (web1-web3: %d orders for %.2f): the pool saved %.2f"
      % (before - after, price, first_orders, first_cost, not_sent * price - (before - after)))
sys.exit(0 if sent == 0 else 1)
PY
