#!/usr/bin/env python3
"""Lints the state machine definition the way the template deploys it.

cfn-lint does not open a SAM state machine's DefinitionUri file, so its definition rules (E3601
and friends) never see the ASL. This script:
  1. reads template.yaml (with cfn-lint's YAML loader, which understands !GetAtt and friends),
  2. checks the project's workflow rules (every state has a Comment; every Lambda task has a
     Payload, a ResultSelector, a ${...} FunctionName and retries Lambda's service errors; a
     callback task has a timeout; every Catch keeps the order; every Map has MaxConcurrency;
     every state is reachable),
  3. checks that the ${Names} used in the definition and the DefinitionSubstitutions keys match
     exactly (a missing key deploys a literal "${...}"; an extra one is dead wiring),
  4. writes a plain CloudFormation template with the definition inlined as `Definition` and
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


LAMBDA_SERVICE_ERRORS = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
}
LAMBDA_RESOURCES = {
    "arn:aws:states:::lambda:invoke",
    "arn:aws:states:::lambda:invoke.waitForTaskToken",
}


def all_states(states, scope=""):
    """Yields (name, state, scope) for every state, nested Map and Parallel states included."""
    for name, state in states.items():
        yield name, state, scope
        for i, branch in enumerate(state.get("Branches", [])):
            yield from all_states(branch["States"], f"{scope}{name}[{i}]/")
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:
            yield from all_states(processor["States"], f"{scope}{name}/")


def reachable(states, start):
    """Names reachable from `start` in one States object (Next, Default, Choices, Catch)."""
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in states:
            continue
        seen.add(name)
        state = states[name]
        targets = [state.get("Next"), state.get("Default")]
        targets += [c.get("Next") for c in state.get("Choices", [])]
        targets += [c.get("Next") for c in state.get("Catch", [])]
        todo += [t for t in targets if t]
    return seen


def workflow_rules(name, definition):
    """The project's rules for its definitions (README "Step Functions patterns"); returns problems."""
    problems = []
    for state_name, state, scope in all_states(definition["States"]):
        where = f"{name}: {scope}{state_name}"
        if "Comment" not in state:
            problems.append(f"{where}: no Comment")
        if state.get("Type") == "Task" and state.get("Resource") in LAMBDA_RESOURCES:
            params = state.get("Parameters", {})
            if not str(params.get("FunctionName", "")).startswith("${"):
                problems.append(f"{where}: FunctionName must be a DefinitionSubstitutions ${{...}}")
            if "Payload" not in params and "Payload.$" not in params:
                problems.append(f"{where}: no Payload")
            retried = set()
            for retrier in state.get("Retry", []):
                retried.update(retrier.get("ErrorEquals", []))
            if not LAMBDA_SERVICE_ERRORS <= retried:
                problems.append(f"{where}: does not retry {sorted(LAMBDA_SERVICE_ERRORS - retried)}")
            waits = state["Resource"].endswith(".waitForTaskToken")
            if not waits and "ResultSelector" not in state:
                problems.append(f"{where}: no ResultSelector on $.Payload")
            if waits and "TimeoutSeconds" not in state and "TimeoutSecondsPath" not in state:
                problems.append(f"{where}: a callback task needs TimeoutSeconds")
        for catcher in state.get("Catch", []):
            if catcher.get("ResultPath") in (None, "$"):
                problems.append(f"{where}: a Catch must keep the order (ResultPath next to it, not $)")
        if state.get("Type") == "Map" and "MaxConcurrency" not in state:
            problems.append(f"{where}: a Map needs MaxConcurrency")
    top = definition["States"]
    unreachable = set(top) - reachable(top, definition["StartAt"])
    if unreachable:
        problems.append(f"{name}: unreachable states {sorted(unreachable)}")
    return problems


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
        problems = workflow_rules(uri, definition)
        for problem in problems:
            print(f"lint_definition: {problem}", file=sys.stderr)
        if problems:
            fail(f"{uri} breaks {len(problems)} workflow rules")
        count = sum(1 for _ in all_states(definition["States"]))
        print(f"lint_definition: {name}: {uri}: {count} states keep the workflow rules")

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
