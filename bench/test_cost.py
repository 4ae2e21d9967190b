"""Unit tests of bench/cost.py: counting from histories, the cost arithmetic, the doc check.

Run: python3 -m unittest discover -s bench -p 'test_cost.py'
"""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cost  # noqa: E402


def task_scheduled(function):
    return {
        "type": "TaskScheduled",
        "taskScheduledEventDetails": {
            "resourceType": "lambda",
            "resource": "invoke",
            "parameters": json.dumps({"FunctionName": function, "Payload": {}}),
        },
    }


def history(*events, start="2026-11-24T10:00:00Z", end="2026-11-24T11:00:05Z"):
    events = list(events)
    events.insert(0, {"type": "ExecutionStarted", "timestamp": start})
    events.append({"type": "ExecutionSucceeded", "timestamp": end})
    return events


# ValidateOrder (one retry), a Map with two ReserveItem iterations, a Pass and a Succeed.
SAMPLE = history(
    {"type": "TaskStateEntered"},
    task_scheduled("arn:aws:lambda:us-east-1:123456789012:function:validate-order"),
    {"type": "TaskFailed"},
    task_scheduled("validate-order"),
    {"type": "TaskStateExited"},
    {"type": "MapStateEntered"},
    {"type": "TaskStateEntered"},
    task_scheduled("reserve-item"),
    {"type": "TaskStateEntered"},
    task_scheduled("reserve-item"),
    {"type": "PassStateEntered"},
    {"type": "SucceedStateEntered"},
)


class Counting(unittest.TestCase):
    def test_transitions_are_states_entered_plus_retries(self):
        self.assertEqual(cost.retries(SAMPLE), 1)
        self.assertEqual(cost.transitions(SAMPLE), 6 + 1)

    def test_invocations_per_function_from_names_or_arns(self):
        self.assertEqual(cost.lambda_invocations(SAMPLE), {"validate-order": 2, "reserve-item": 2})

    def test_non_lambda_tasks_are_not_lambda_invocations(self):
        other = {"type": "TaskScheduled", "taskScheduledEventDetails": {"resourceType": "sqs", "parameters": "{}"}}
        self.assertEqual(cost.lambda_invocations(history(other)), {})

    def test_virtual_duration_and_status(self):
        self.assertEqual(cost.virtual_seconds(SAMPLE), 3605.0)
        self.assertEqual(cost.status_of(SAMPLE), "SUCCEEDED")
        self.assertEqual(cost.status_of(SAMPLE[:-1]), "RUNNING")


class Money(unittest.TestCase):
    DURATIONS = {"validate-order": 2.2, "reserve-item": 0.4, "submit-order": 3.0, "on-execution-status": 1.0}

    def test_lambda_is_billed_per_started_millisecond_at_the_memory_size(self):
        row = cost.scenario_cost(SAMPLE, self.DURATIONS, 256)
        # validate 2×3 ms, reserve 2×1 ms, submit 1×3 ms, status 2×1 ms
        self.assertEqual(row["lambdaBilledMs"], 6 + 2 + 3 + 2)
        self.assertEqual(row["lambdaInvocations"], 7)
        self.assertAlmostEqual(row["lambdaGbSeconds"], 0.25 * 13 / 1000)
        per_order = 7 * 0.20 / 1e6 + 0.25 * 0.013 * 0.0000133334
        self.assertAlmostEqual(row["perMillion"]["lambda"], per_order * 1e6)

    def test_standard_bills_transitions_and_express_requests_and_rounded_duration(self):
        row = cost.scenario_cost(SAMPLE, self.DURATIONS, 256)
        self.assertAlmostEqual(row["perMillion"]["standard"], 7 * 25.0)
        # 8 ms of workflow Lambda time → one 100 ms unit of 64 MB
        express = 1.0 + 1e6 * (64 / 1024) * 0.1 * 0.00001667
        self.assertAlmostEqual(row["perMillion"]["express"], express)
        self.assertFalse(row["expressPossible"], "an hour's run exceeds EXPRESS's 5 minutes")

    def test_a_function_without_a_measurement_is_an_error(self):
        with self.assertRaises(ValueError):
            cost.scenario_cost(SAMPLE, {"validate-order": 1.0}, 256)


class Durations(unittest.TestCase):
    def test_unmeasured_functions_get_the_slowest_measured_median(self):
        results = {"memoryMb": 256, "functions": [
            {"function": "validate-order", "warmMedianUs": 2500.0, "firstInvocationMs": 7.0},
            {"function": "submit-order", "warmMedianUs": 9000.0, "firstInvocationMs": 12.0},
            {"function": "record-failure", "warmMedianUs": 200000.0, "firstInvocationMs": 4.0},
        ]}
        durations, memory, stand_ins = cost.durations_from(results)
        self.assertEqual(memory, 256)
        self.assertEqual(durations["validate-order"], 2.5)
        self.assertEqual(durations["reserve-item"], 9.0)
        self.assertEqual(durations["record-failure"], 4.0, "a growing record's warm median is not its cost")
        self.assertEqual(len(stand_ins), 11)
        self.assertNotIn("submit-order", stand_ins)


class Scenarios(unittest.TestCase):
    def test_every_order_file_is_a_row_and_approval_runs_once_per_answer(self):
        rows = [name for name, _, _ in cost.scenario_runs()]
        self.assertIn("standard", rows)
        self.assertIn("needs-approval/approve", rows)
        self.assertIn("needs-approval/timeout", rows)
        self.assertNotIn("needs-approval", rows)
        self.assertFalse(any(name.endswith(".expect") for name in rows))

    def test_a_persons_answer_costs_a_decide_approval_invocation(self):
        self.assertEqual(cost.outside_workflow("needs-approval/approve").get("decide-approval"), 1)
        self.assertEqual(cost.outside_workflow("needs-approval/reject").get("decide-approval"), 1)
        self.assertNotIn("decide-approval", cost.outside_workflow("needs-approval/timeout"))
        self.assertNotIn("decide-approval", cost.outside_workflow("standard"))


class DocCheck(unittest.TestCase):
    def doc(self, rows):
        return f"# Cost\n\n{cost.TABLE_BEGIN}\n{cost.render_table(rows)}\n{cost.TABLE_END}\n\nmore text\n"

    def test_the_rendered_table_reads_back_and_matches(self):
        rows = {
            "standard": cost.scenario_cost(SAMPLE, Money.DURATIONS, 256),
            "needs-approval/timeout": cost.scenario_cost(SAMPLE, Money.DURATIONS, 256),
        }
        counts = cost.counts_in_doc(self.doc(rows))
        self.assertEqual(counts, {"standard": (7, 1, 7), "needs-approval/timeout": (7, 1, 7)})
        self.assertEqual(cost.compare(counts, rows), [])

    def test_a_changed_count_or_a_missing_scenario_is_reported(self):
        rows = {"standard": cost.scenario_cost(SAMPLE, Money.DURATIONS, 256)}
        self.assertEqual(len(cost.compare({"standard": (6, 1, 7)}, rows)), 1)
        self.assertEqual(len(cost.compare({}, rows)), 1)
        self.assertEqual(len(cost.compare({"standard": (7, 1, 7), "gone": (1, 0, 1)}, rows)), 1)

    def test_timing_dependent_states_allow_that_many_fewer_or_more(self):
        rows = {"standard": cost.scenario_cost(SAMPLE, Money.DURATIONS, 256)}
        two = lambda _name: 2  # noqa: E731 - two states a failing branch may cancel
        self.assertEqual(cost.compare({"standard": (5, 1, 5)}, rows, slack=two), [])
        self.assertEqual(len(cost.compare({"standard": (4, 1, 7)}, rows, slack=two)), 1)
        self.assertEqual(len(cost.compare({"standard": (7, 0, 7)}, rows, slack=two)), 1, "retries are exact")
        self.assertEqual(cost.timing_dependent("shipment-failure"), 3)
        self.assertEqual(cost.timing_dependent("standard"), 0)

    def test_replace_table_keeps_the_rest_of_the_document(self):
        text = self.doc({})
        replaced = cost.replace_table(text, "| new |")
        self.assertIn("| new |", replaced)
        self.assertTrue(replaced.startswith("# Cost\n"))
        self.assertTrue(replaced.endswith("more text\n"))

    def test_a_document_without_markers_is_refused(self):
        with self.assertRaises(ValueError):
            cost.counts_in_doc("no table here")


if __name__ == "__main__":
    unittest.main()
