#!/usr/bin/env bash
# npm run demo: a real Samba AD domain controller on loopback with sample users, and the
# portal on http://localhost:3000 talking to it. Needs root the first time (apt-get).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/directory/samba-ad.sh start
mkdir -p data
cat >data/demo.env <<'ENV'
NODE_ENV=development
PORT=3000
BASE_URL=http://localhost:3000
DIRECTORY_KIND=ad
LDAP_URL=ldaps://127.0.0.1:636
LDAP_CA_FILE=/tmp/sspr-samba/tls/ca.crt
LDAP_BIND_DN=CN=svc-sspr,OU=Service Accounts,DC=sspr,DC=test
LDAP_BIND_PASSWORD=Svc-Writeback-Pass1!
LDAP_BASE_DN=DC=sspr,DC=test
LDAP_MANAGED_OUS=OU=Staff,DC=sspr,DC=test
DATABASE_URL=sqlite:data/demo.sqlite
SECRET_KEY=demo-only-secret-key-not-for-production-0123456789
DEMO_MODE=true
HELPDESK_GROUPS=CN=SSPR-Helpdesk,OU=Staff,DC=sspr,DC=test
AUDITOR_GROUPS=CN=SSPR-Helpdesk,OU=Staff,DC=sspr,DC=test
MAIL_SENDER=outbox
MAIL_OUTBOX_FILE=data/mail-outbox.jsonl
MAIL_SECURITY_CONTACT=security@sspr.test
ENV
ENV_FILE=data/demo.env npx tsx scripts/demo-seed.ts
cat <<'TXT'

SSPR Portal demo
  portal       http://localhost:3000   (SMS outbox: /demo/outbox; health: /healthz, /readyz)
  directory    Samba AD, ldaps://127.0.0.1:636, realm SSPR.TEST
  users        alice / Start-Pass-A1!   bob / Start-Pass-B2!   carol / Start-Pass-C3!
               dave (disabled)   itadmin (Domain Admins: always refused)   outsider (not in OU=Staff)
  try          Forgot password as bob: "Send me a code", read it on /demo/outbox
               Forgot password as alice: code from  npx tsx scripts/demo-seed.ts code
               Unlock account: lock bob with 5 wrong passwords first, e.g. at "Change password"
               Set up verification as carol (Start-Pass-C3!): add an authenticator app and a phone
               Change password as any user who knows the password (15+ characters)
               Helpdesk: sign in as hdesk / Start-Pass-H5! at /helpdesk, code from
                 npx tsx scripts/demo-seed.ts code hdesk ; verify alice with her code, then act
               Mails to users (helpdesk actions, self-service changes): data/mail-outbox.jsonl
  doctor       ENV_FILE=data/demo.env npm run doctor      checks TLS, the service account and its rights
               ENV_FILE=data/demo.env LDAP_BIND_DN='CN=Administrator,CN=Users,DC=sspr,DC=test' \
                 LDAP_BIND_PASSWORD='Sspr-Admin-Pass1!' npm run doctor   fails loudly: over-privileged
  reset        bash scripts/directory/samba-ad.sh reset && rm -f data/demo.sqlite*   (seed passwords back)
  stop         Ctrl-C (the directory keeps running: bash scripts/directory/samba-ad.sh stop)

TXT
ENV_FILE=data/demo.env exec npx tsx src/main.ts
