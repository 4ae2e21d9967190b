#!/usr/bin/env python3
"""Lints the state machine definition the way the template deploys it.

cfn-lint does not open a SAM state machine's DefinitionUri file, so its definition rules (E3601
and friends) never see the ASL. This script:
  1. reads template.yaml (with cfn-lint's YAML loader, which understands !GetAtt and friends),
  2. checks that the ${Names} used in the definition and the DefinitionSubstitutions keys match
     exactly (a missing key deploys a literal "${...}"; an extra one is dead wiring),
  3. writes a plain CloudFormation template with the definition inlined as `Definition` and
     runs cfn-lint on it.
Usage: scripts/lint_definition.py [template.yaml]
"""

import json
import os
import re
import subprocess
import sys
import tempfile

from cfnlint.decode import decode

SUBSTITUTION = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def fail(message):
    print(f"lint_definition: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    template_path = sys.argv[1] if len(sys.argv) > 1 else "template.yaml"
    template, errors = decode(template_path)
    if errors:
        for error in errors:
            print(error, file=sys.stderr)
        fail(f"cannot parse {template_path}")

    machines = {
        name: res
        for name, res in template.get("Resources", {}).items()
        if res.get("Type") == "AWS::Serverless::StateMachine"
    }
    if not machines:
        fail("no AWS::Serverless::StateMachine in the template")

    base = os.path.dirname(os.path.abspath(template_path))
    resources = {}
    for name, res in machines.items():
        props = res.get("Properties", {})
        uri = props.get("DefinitionUri")
        if not isinstance(uri, str):
            fail(f"{name}: DefinitionUri must be a local file path")
        with open(os.path.join(base, uri), encoding="utf-8") as f:
            text = f.read()
        definition = json.loads(text)

        used = set(SUBSTITUTION.findall(text))
        given = set((props.get("DefinitionSubstitutions") or {}).keys())
        if used - given:
            fail(f"{name}: no DefinitionSubstitutions for {sorted(used - given)}")
        if given - used:
            fail(f"{name}: DefinitionSubstitutions not used by {uri}: {sorted(given - used)}")

        # Stand-in values keep the check offline; the real ones are !GetAtt Function.Arn.
        substitutions = {
            key: f"arn:aws:lambda:us-east-1:123456789012:function:{key}" for key in sorted(given)
        }
        resources[f"{name}Role"] = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "states.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            },
        }
        resources[name] = {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {
                "StateMachineType": props.get("Type", "STANDARD"),
                "RoleArn": {"Fn::GetAtt": [f"{name}Role", "Arn"]},
                "Definition": definition,
                "DefinitionSubstitutions": substitutions,
            },
        }
        print(f"lint_definition: {name}: {uri} uses {len(used)} substitutions, all provided")

    with tempfile.TemporaryDirectory() as tmp:
        inlined = os.path.join(tmp, "definition-inlined.json")
        with open(inlined, "w", encoding="utf-8") as f:
            json.dump({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}, f, indent=1)
        result = subprocess.run(["cfn-lint", inlined], check=False)
    if result.returncode != 0:
        fail("cfn-lint found problems in the inlined definition")
    print("lint_definition: cfn-lint definition rules pass")


if __name__ == "__main__":
    main()
