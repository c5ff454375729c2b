#!/bin/sh
# Refreshes genai-prices.json, the source snapshot of Tollgate's bundled price table, from the npm package
# @pydantic/genai-prices (MIT, https://github.com/pydantic/genai-prices). Needs npm and node; run by hand, never by
# the build. Then regenerate the table and commit both files:
#   policies/prices-source/refresh.sh [VERSION]
#   mvn -B -pl policies test -Dtest=PriceTableTest -Dtollgate.prices.regenerate=true
# The snapshot keeps what pricing needs (providers with their API pattern and match rules, models with their match
# rules, context window and prices); descriptions, usage extractors and comments are dropped to keep it small.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
version=${1:-$(npm view @pydantic/genai-prices version)}
published=$(npm view "@pydantic/genai-prices@$version" time --json | node -e '
  let s = ""; process.stdin.on("data", d => s += d).on("end", () => console.log(JSON.parse(s)[process.argv[1]].slice(0, 10)));
' "$version")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@pydantic/genai-prices@$version" >/dev/null && tar xzf ./*.tgz)
cp "$tmp/package/LICENSE" "$here/LICENSE-genai-prices"
node -e '
const [pkgDir, version, published, out] = process.argv.slice(1);
require(pkgDir + "/dist/index.cjs").waitForUpdate().then(providers => {
  const keep = (o, keys) => Object.fromEntries(keys.filter(k => o[k] !== undefined).map(k => [k, o[k]]));
  const snapshot = {
    package: "@pydantic/genai-prices", version, published, license: "MIT",
    providers: providers.map(p => ({
      ...keep(p, ["id", "name", "api_pattern", "model_match", "provider_match", "fallback_model_providers"]),
      models: p.models.map(m => keep(m, ["id", "match", "context_window", "deprecated", "prices"])),
    })),
  };
  const text = JSON.stringify(snapshot, null, 0)
    .replace(/,"providers":\[/, ",\n\"providers\":[\n")
    .replace(/,"models":\[/g, ",\"models\":[\n")
    .replace(/\},\{"id"/g, "},\n{\"id\"");
  require("fs").writeFileSync(out, text + "\n");
});
' "$tmp/package" "$version" "$published" "$here/genai-prices.json"
echo "wrote $here/genai-prices.json (@pydantic/genai-prices $version, published $published)"
