#!/usr/bin/env bash
# Installs the packages as a stranger would: checks what npm pack ships
# (scripts/pack-check.mjs), publishes every package of the workspace (built)
# to a Verdaccio registry on 127.0.0.1 with lerna (a rehearsal of the release's
# publish: RELEASE_REHEARSAL_REGISTRY tells the root prepublishOnly check that
# the packages may name no repository yet), then, in a
# fresh folder outside the repository, installs @clusterfunk/cluster and
# @clusterfunk/ctl by name, type-checks an app (strict, NodeNext) and runs it
# (one node, Operational, stopped), checks that funkctl's tree holds no native
# module, and runs `npx funkctl --version`. Everything else the registry is
# asked for is proxied from npmjs. Leaves nothing behind.
# Usage: bash scripts/registry-check.sh   (after npm run build)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
WORK=$(mktemp -d /tmp/clusterfunk-registry.XXXXXX)
VERDACCIO_PID=
cleanup () {
  if [ -n "$VERDACCIO_PID" ]; then kill "$VERDACCIO_PID" 2>/dev/null || true; wait "$VERDACCIO_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
say () { echo "[registry] $*"; }
fail () { echo "[registry] FAIL $*" >&2; exit 1; }

PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
REGISTRY="http://127.0.0.1:$PORT/"

say "installing verdaccio into $WORK/verdaccio"
npm install --prefix "$WORK/verdaccio" --no-audit --no-fund --loglevel=error verdaccio@6 >/dev/null
mkdir -p "$WORK/storage"
cat > "$WORK/config.yaml" <<EOF
storage: $WORK/storage
auth:
  htpasswd:
    file: $WORK/htpasswd
    max_users: 10
uplinks:
  npmjs:
    url: https://registry.npmjs.org/
packages:
  '@clusterfunk/*':
    access: \$all
    publish: \$authenticated
  '**':
    access: \$all
    publish: \$authenticated
    proxy: npmjs
log: { type: stdout, format: pretty, level: warn }
EOF
"$WORK/verdaccio/node_modules/.bin/verdaccio" --config "$WORK/config.yaml" --listen "127.0.0.1:$PORT" > "$WORK/verdaccio.log" 2>&1 &
VERDACCIO_PID=$!
for _ in $(seq 1 100); do
  curl -fsS "${REGISTRY}-/ping" >/dev/null 2>&1 && break
  kill -0 "$VERDACCIO_PID" 2>/dev/null || { cat "$WORK/verdaccio.log" >&2; fail "verdaccio exited"; }
  sleep 0.2
done
curl -fsS "${REGISTRY}-/ping" >/dev/null || fail "verdaccio does not answer on $REGISTRY"
say "verdaccio listens on $REGISTRY"

# A user for publishing; the token goes into a private npmrc.
TOKEN=$(curl -fsS -X PUT -H 'content-type: application/json' \
  -d '{"name":"release","password":"release-check-password"}' \
  "${REGISTRY}-/user/org.couchdb.user:release" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).token))")
NPMRC="$WORK/npmrc"
printf 'registry=%s\n//127.0.0.1:%s/:_authToken=%s\n' "$REGISTRY" "$PORT" "$TOKEN" > "$NPMRC"
export NPM_CONFIG_USERCONFIG=$NPMRC

say "publishing every package with lerna (from-package)"
node scripts/package-hygiene.mjs || fail "package metadata (run node scripts/package-hygiene.mjs --fix)"
node scripts/pack-check.mjs >/dev/null || fail "what npm pack ships (node scripts/pack-check.mjs)"
# A rehearsal: the root prepublishOnly check lets a loopback registry have
# packages that name no repository yet (scripts/release-metadata.mjs).
RELEASE_REHEARSAL_REGISTRY="$REGISTRY" npx lerna publish from-package --yes --registry "$REGISTRY" --no-verify-access --loglevel warn > "$WORK/publish.log" 2>&1 \
  || { cat "$WORK/publish.log" >&2; fail "lerna publish"; }
say "published $(sed -n '/Successfully published/,$p' "$WORK/publish.log" | grep -c '@clusterfunk/') packages"

APP="$WORK/app"
mkdir -p "$APP"
cd "$APP"
printf '{ "name": "stranger-app", "version": "1.0.0", "private": true, "type": "module" }\n' > package.json
say "installing @clusterfunk/cluster @clusterfunk/ctl by name in $APP"
npm install --no-audit --no-fund --loglevel=error @clusterfunk/cluster @clusterfunk/ctl typescript@~6.0.3 @types/node@^20.19.0 >/dev/null \
  || fail "npm install from the registry"
cp "$REPO/scripts/registry-app/app.ts" app.ts
cat > tsconfig.json <<'EOF'
{ "compilerOptions": { "strict": true, "module": "NodeNext", "moduleResolution": "NodeNext", "target": "ES2022", "types": ["node"], "outDir": "dist" }, "files": ["app.ts"] }
EOF
npx tsc -p tsconfig.json || fail "the app does not type-check against the installed packages"
say "the app type-checks (strict, NodeNext)"
[ -f node_modules/@clusterfunk/cluster/CHANGELOG.md ] || fail "@clusterfunk/cluster ships no CHANGELOG.md"
OUT=$(timeout 60 node dist/app.js) || fail "the app failed: $OUT"
echo "$OUT" | grep -q '^state Operational' || fail "the app did not reach Operational: $OUT"
say "the app ran: $OUT"
node -e "
const { createRequire } = require('node:module')
const c = createRequire('$APP/package.json')('@clusterfunk/cluster')
if (typeof c.createCluster !== 'function') process.exit(1)
" || fail "require('@clusterfunk/cluster') from CommonJS"
say "CommonJS require('@clusterfunk/cluster') works"

# funkctl on its own: no node runtime, no native module.
CTL="$WORK/ctl-only"
mkdir -p "$CTL"
cd "$CTL"
printf '{ "name": "operator", "version": "1.0.0", "private": true }\n' > package.json
npm install --no-audit --no-fund --loglevel=error @clusterfunk/ctl >/dev/null || fail "npm install @clusterfunk/ctl"
HEAVY=$(npm ls --all --parseable classic-level bonjour-service prom-client @clusterfunk/cluster @clusterfunk/raft 2>/dev/null | grep -v "^$CTL\$" || true)
[ -z "$HEAVY" ] || fail "funkctl's install holds $HEAVY"
VERSION=$(npx funkctl --version) || fail "npx funkctl --version"
[ "$VERSION" = "$(node -p "require('$REPO/packages/ctl/package.json').version")" ] || fail "funkctl --version printed '$VERSION'"
say "funkctl alone installs no node runtime; npx funkctl --version: $VERSION"
say "PASS"
