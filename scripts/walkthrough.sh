#!/usr/bin/env bash
# The README's API walkthrough as a script, line for line (test/walkthrough.test.ts checks they are the same and runs
# it against `npm start` on a fresh DATA_DIR). After `npm start` on a fresh DATA_DIR: `bash scripts/walkthrough.sh`;
# B (API base URL) and DATA_DIR default to what npm start uses. It writes only its own ids, never the demo data's.
set -euo pipefail
# ---- the README block ----
B=${B:-http://127.0.0.1:3000}
ADMIN="Authorization: Bearer $(cat "${DATA_DIR:-data}/admin-token")"
J='content-type: application/json'
curl() { command curl -w '\n' "$@"; }   # one answer per line
tok() { node -p 'JSON.parse(require("fs").readFileSync(0)).token'; }
# reviews run in the background: wait until the order's JSON contains a text
until_order() {
  for _ in $(seq 1 150); do [[ $(curl -s "$B/v1/orders/$1" -H "$ADMIN") == *"$2"* ]] && return 0; sleep 0.2; done
  echo "timed out waiting for $1 to show $2" >&2; return 1
}

# principals (each token is shown once; only its hash is stored; DELETE /v1/principals/{id} revokes, and a
# revoked id is never issued again: 409, so audit entries and orders stay its own)
SHOP=$(curl -s -X POST $B/v1/principals -H "$ADMIN" -H "$J" -d '{"id":"acme-shop","name":"Acme web shop","roles":["integrator"]}' | tok)
ERP=$(curl -s -X POST $B/v1/principals -H "$ADMIN" -H "$J" -d '{"id":"acme-erp","name":"Acme ERP","roles":["erp"]}' | tok)
FIN=$(curl -s -X POST $B/v1/principals -H "$ADMIN" -H "$J" -d '{"id":"fiona","name":"Fiona","roles":["approver:finance"]}' | tok)
MGMT=$(curl -s -X POST $B/v1/principals -H "$ADMIN" -H "$J" -d '{"id":"mia","name":"Mia","roles":["approver:management"]}' | tok)

# master data is written by the ERP (erp role) or an admin; integrators and approvers read it
C9001='{"name":"Corner Shop","tier":"standard","creditLimit":"1000.00","openBalance":"0.00","allowedPaymentTerms":["NET30"],"onHold":false,"defaults":{"paymentTerms":"NET30","currency":"CNY"}}'
curl -s -X PUT $B/v1/customers/C-9001 -H "Authorization: Bearer $ERP" -H "$J" -d "$C9001"   # version 1
curl -s -X PUT $B/v1/materials/M-X-KRAFT -H "Authorization: Bearer $ERP" -H "$J" -d '{"name":"Kraft liner board","onHand":10000}'   # a bill of materials names only materials that exist
curl -s -X PUT $B/v1/products/BOX-X-001 -H "Authorization: Bearer $ERP" -H "$J" -d '{"name":"E-flute mailer","unitPrice":"12.50","hoursPerUnit":0.05,"materials":[{"materialId":"M-X-KRAFT","quantityPerUnit":2}]}'
curl -s $B/v1/capacity -H "Authorization: Bearer $SHOP"                       # 16 production hours per day (demo data)
curl -s -o /dev/null -w '%{http_code}\n' -X PUT $B/v1/customers/C-9001 -H "Authorization: Bearer $SHOP" -H "$J" -d "$C9001"   # 403

# submit: 1250.00 exceeds C-9001's 1000.00 limit, so credit waits for finance (the same body again answers 200)
D=$(date -u -d '+30 days' +%F)
curl -s -X POST $B/v1/orders -H "Authorization: Bearer $SHOP" -H "$J" -d "{\"orderId\":\"PO-2026-0001\",\"customerId\":\"C-9001\",\"channel\":\"web\",\"currency\":\"CNY\",\"requestedDeliveryDate\":\"$D\",\"paymentTerms\":\"NET30\",\"lines\":[{\"sku\":\"BOX-X-001\",\"quantity\":100,\"unitPrice\":\"12.50\"}],\"declaredTotal\":\"1250.00\"}"
until_order PO-2026-0001 '"awaiting":["credit"]'
curl -s $B/v1/orders/PO-2026-0001 -H "Authorization: Bearer $SHOP"        # the credit step's evidence: limit, balance, open orders, exposure

# finance works its inbox and approves (an Idempotency-Key makes a retry safe)
curl -s $B/v1/me -H "Authorization: Bearer $FIN"      # who the token is: roles, departments
curl -s $B/v1/inbox -H "Authorization: Bearer $FIN"
curl -s -X POST $B/v1/orders/PO-2026-0001/steps/credit/decision -H "Authorization: Bearer $FIN" -H "$J" \
  -H 'Idempotency-Key: fiona-po1-credit' -d '{"decision":"approve","comment":"limit raise pending"}'

# management gives the final approval → approved; the stock is reserved
until_order PO-2026-0001 '"awaiting":["final_approval"]'
curl -s -X POST $B/v1/orders/PO-2026-0001/steps/final_approval/decision -H "Authorization: Bearer $MGMT" -H "$J" -d '{"decision":"approve"}'
until_order PO-2026-0001 '"status":"approved"'
curl -s "$B/v1/orders?status=approved&limit=10" -H "Authorization: Bearer $SHOP"
curl -s $B/v1/materials/M-X-KRAFT -H "Authorization: Bearer $SHOP"         # reserved 200, available 9800

# a returning customer repeats the order: its lines at today's prices, terms and currency from the customer's defaults
curl -s -X POST $B/v1/orders -H "Authorization: Bearer $SHOP" -H "$J" -d "{\"orderId\":\"PO-2026-0002\",\"customerId\":\"C-9001\",\"channel\":\"web\",\"repeatOf\":\"PO-2026-0001\",\"requestedDeliveryDate\":\"$(date -u -d '+45 days' +%F)\"}"
until_order PO-2026-0002 '"awaiting":["credit"]'   # exposure 2500.00: PO-2026-0001 is still open

# the ERP raises the limit (version 2: who, when, what changed); finance rechecks and credit passes on its own
curl -s -X PUT $B/v1/customers/C-9001 -H "Authorization: Bearer $ERP" -H "$J" -d '{"name":"Corner Shop","tier":"standard","creditLimit":"5000.00","openBalance":"0.00","allowedPaymentTerms":["NET30"],"onHold":false,"defaults":{"paymentTerms":"NET30","currency":"CNY"}}'
curl -s $B/v1/customers/C-9001/versions -H "Authorization: Bearer $FIN"
curl -s -X POST $B/v1/orders/PO-2026-0002/steps/credit/recheck -H "Authorization: Bearer $FIN"
until_order PO-2026-0002 '"status":"approved"'                              # every step automatic: approved
curl -s $B/v1/materials/M-X-KRAFT -H "Authorization: Bearer $SHOP"         # reserved 400, available 9600
curl -s $B/v1/orders/PO-2026-0002/audit -H "$ADMIN"                         # checks with their evidence, the recheck

# errors are application/problem+json
curl -si -X POST $B/v1/orders/PO-2026-0001/cancel -H "Authorization: Bearer $SHOP" -H "$J" -d '{"reason":"too late"}'   # 409 "order is approved"
