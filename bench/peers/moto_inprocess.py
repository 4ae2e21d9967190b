"""Times moto's Step Functions interpreter in-process (run with the project's .venv python).

moto only interprets a definition when its config says so: mock_aws(config={"stepfunctions":
{"execute_state_machine": True}}). StartExecution then runs the machine on a thread; each run is timed
from StartExecution until DescribeExecution reports a terminal status (polled every 0.5 ms), each
run in a fresh mock_aws.

Usage: python moto_inprocess.py DEFINITION.json INPUT.json REPS WARMUP
Prints one JSON line: {"times_ms": [...], "output": <last run's output>}.
"""

import json
import os
import sys
import time

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/bench"
POLL_SECONDS = 0.0005


def run_once(client, machine_arn, payload, name):
    start = time.perf_counter()
    execution = client.start_execution(stateMachineArn=machine_arn, name=name, input=payload)["executionArn"]
    while True:
        described = client.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            break
        time.sleep(POLL_SECONDS)
    elapsed_ms = (time.perf_counter() - start) * 1000
    if described["status"] != "SUCCEEDED":
        raise SystemExit(f"moto execution ended {described['status']}: {described.get('cause', '')}")
    return elapsed_ms, json.loads(described.get("output", "null"))


def main():
    definition_path, input_path, reps, warmup = sys.argv[1:5]
    with open(definition_path, encoding="utf-8") as f:
        definition = f.read()
    with open(input_path, encoding="utf-8") as f:
        payload = f.read()
    times, output = [], None
    for i in range(int(warmup) + int(reps)):
        # A fresh mock per run (untimed): StartExecution deep-copies the state machine, which holds
        # the backend with its past executions, and a finished execution's lock cannot be copied.
        with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
            client = boto3.client("stepfunctions")
            machine_arn = client.create_state_machine(
                name="bench", definition=definition, roleArn=ROLE
            )["stateMachineArn"]
            elapsed_ms, output = run_once(client, machine_arn, payload, f"run-{i}")
        if i >= int(warmup):
            times.append(elapsed_ms)
    print(json.dumps({"times_ms": times, "output": output}))


if __name__ == "__main__":
    main()
