#!/usr/bin/env bash
# Rename the kernel package: pristine -> pristine-kernel (`pristine` on npm is an unrelated package).
# Purely mechanical and idempotent: re-run it after merging branches that still import 'pristine'.
#   scripts/rename-kernel-import.sh              rewrite tracked files, then `npm install` (relinks
#                                                node_modules/pristine-kernel, rewrites package-lock.json)
#   scripts/rename-kernel-import.sh --no-install rewrite tracked files only
#   scripts/rename-kernel-import.sh --check      list files that still use the old name; exit 1 if any
# What changes: module specifiers ('pristine' / "pristine" in code and docs: imports, import(),
# `declare module` augmentations, the OTel instrumentation scope, the Jest project name), `^pristine$`
# mappers, `@module pristine`, unquoted `pristine:` alias keys in loader hooks, `pristine` in backticks,
# benchmarks' '../dist/index.js' (the kernel is built into packages/kernel/dist), and in package.json /
# tsconfig*.json the "pristine" keys and names. Diagnostics channel names (`pristine:…`),
# prose ("Pristine") and paths stay as they are.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

mode=${1:-}
code_re="(['\"])pristine\\1|\\^pristine\\$|@module pristine\$|^\\s*pristine: |\`pristine\`"
json_re='"pristine"'

mapfile -t code < <(git ls-files -- '*.ts' '*.mts' '*.cts' '*.js' '*.mjs' '*.cjs' '*.md' ':!docs/api/**' |
  xargs -r grep -lE "$code_re" || true)
# Benchmarks import the built kernel by path; it is built into packages/kernel/dist now.
mapfile -t bench < <(git ls-files -- 'bench/*.mjs' | xargs -r grep -l "'\.\./dist/index\.js'" || true)
code+=("${bench[@]}")
mapfile -t json < <(git ls-files -- '*package.json' '*tsconfig*.json' 'typedoc.json' |
  xargs -r grep -lE "$json_re" || true)

if [[ $mode == --check ]]; then
  if ((${#code[@]} + ${#json[@]})); then
    printf 'still uses the old kernel name: %s\n' "${code[@]}" "${json[@]}"
    exit 1
  fi
  echo 'no file uses the old kernel name'
  exit 0
fi

for f in "${code[@]}"; do
  sed -E -i \
    -e "s/(['\"])pristine\\1/\\1pristine-kernel\\1/g" \
    -e 's/\^pristine\$/^pristine-kernel$/g' \
    -e 's/@module pristine$/@module pristine-kernel/' \
    -e "s/^(\\s*)pristine: /\\1'pristine-kernel': /" \
    -e 's/`pristine`/`pristine-kernel`/g' \
    -e "s|'\\.\\./dist/index\\.js'|'../packages/kernel/dist/index.js'|" \
    "$f"
done
for f in "${json[@]}"; do
  sed -E -i -e 's/"pristine"/"pristine-kernel"/g' "$f"
done
echo "rewrote ${#code[@]} code/doc files and ${#json[@]} manifests"
# Longer specifiers can push a line past the print width; keep the rewritten files Prettier-clean.
if ((${#code[@]} + ${#json[@]})) && [[ -x node_modules/.bin/prettier ]]; then
  node_modules/.bin/prettier --write --log-level warn "${code[@]}" "${json[@]}"
fi

if [[ $mode != --no-install ]]; then
  npm install --no-audit --no-fund
fi
