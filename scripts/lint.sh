#!/usr/bin/env bash
# Lints the SAM template and the state machine definition:
#   - cfn-lint template.yaml, and sam validate --lint
#   - cfn-lint's definition rules on the ASL (scripts/lint_definition.py inlines it, since
#     cfn-lint does not read DefinitionUri files) and the DefinitionSubstitutions wiring
#   - asl-validator (npm package, fetched by npx into its cache the first time)
#   - the unit tests of these scripts (scripts/tests, stdlib unittest)
# Needs cfn-lint and sam on PATH (scripts/dev-env.sh provides them) and Node.js with npx.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export SAM_CLI_TELEMETRY=0
asl_validator_version=4.0.0

echo "==> cfn-lint template.yaml"
cfn-lint template.yaml

echo "==> sam validate --lint"
sam validate --lint --template-file template.yaml

echo "==> cfn-lint definition rules on the inlined ASL"
python3 scripts/lint_definition.py template.yaml

echo "==> asl-validator"
for definition in statemachine/*.asl.json; do
  npx --yes "asl-validator@$asl_validator_version" --json-path "$definition"
done

echo "==> unit tests of the lint and replay scripts"
python3 -m unittest discover -s scripts/tests
