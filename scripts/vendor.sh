#!/usr/bin/env bash
# Rebuilds the vendored front-end assets in sightline/ui/static/vendor/ from npm (`make vendor`).
# Needs Node and npm; the demo and the tests never do: the built files are committed.
# govuk-frontend stays on 6.3.x: govuk-frontend-jinja 4.1.0 ports that version's macros.
set -euo pipefail
GOVUK=6.3.0
MOJ=11.1.0
HTMX=2.0.11
AXE=4.14.1
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/sightline/ui/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm install --silent --no-audit --no-fund --no-save \
  "govuk-frontend@$GOVUK" "@ministryofjustice/frontend@$MOJ" "htmx.org@$HTMX" "axe-core@$AXE" >/dev/null
n=node_modules
rm -rf "$out/govuk" "$out/moj" "$out/htmx" "$out/axe"
mkdir -p "$out/govuk" "$out/moj" "$out/htmx" "$out/axe"
# The stylesheets refer to /assets/; Sightline serves them under /static/vendor/<package>/assets/.
sed 's#url(/assets/#url(/static/vendor/govuk/assets/#g' \
  "$n/govuk-frontend/dist/govuk/govuk-frontend.min.css" >"$out/govuk/govuk-frontend.min.css"
cp "$n/govuk-frontend/dist/govuk/govuk-frontend.min.js" "$out/govuk/"
cp -r "$n/govuk-frontend/dist/govuk/assets" "$out/govuk/"
sed 's#url(/assets/#url(/static/vendor/moj/assets/#g' \
  "$n/@ministryofjustice/frontend/moj/moj-frontend.min.css" >"$out/moj/moj-frontend.min.css"
cp "$n/@ministryofjustice/frontend/moj/moj-frontend.min.js" "$out/moj/"
cp -r "$n/@ministryofjustice/frontend/moj/assets" "$out/moj/"
cp "$n/htmx.org/dist/htmx.min.js" "$out/htmx/"
cp "$n/axe-core/axe.min.js" "$out/axe/"
cat >"$out/VERSIONS.txt" <<VERSIONS
govuk-frontend $GOVUK
@ministryofjustice/frontend $MOJ
htmx.org $HTMX
axe-core $AXE
govuk-frontend.min.css: asset URLs rewritten from /assets/ to /static/vendor/govuk/assets/ (make vendor)
VERSIONS
echo "Vendored govuk-frontend $GOVUK, MoJ Frontend $MOJ, htmx $HTMX, axe-core $AXE into $out"
