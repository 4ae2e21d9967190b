"""Unit tests of the workflow rules lint_definition.py enforces on the ASL (stdlib unittest)."""

import copy
import json
import os
import sys
import unittest

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SCRIPTS)

import lint_definition as lint  # noqa: E402

DEFINITION = os.path.join(os.path.dirname(SCRIPTS), "statemachine", "order-fulfillment.asl.json")


def load():
    with open(DEFINITION, encoding="utf-8") as f:
        return json.load(f)


class WorkflowRules(unittest.TestCase):
    def test_the_definition_keeps_them(self):
        self.assertEqual(lint.workflow_rules("asl", load()), [])

    def test_nested_states_are_visited(self):
        names = {name for name, _, _ in lint.all_states(load()["States"])}
        self.assertTrue({"ReserveItem", "ReleaseItem", "CreateShipment", "NotificationSkipped"} <= names)

    def test_missing_lambda_retry_is_found_in_a_map(self):
        d = load()
        d["States"]["ReserveInventory"]["ItemProcessor"]["States"]["ReserveItem"]["Retry"] = []
        problems = lint.workflow_rules("asl", d)
        self.assertEqual(len(problems), 1)
        self.assertIn("ReserveInventory/ReserveItem: does not retry", problems[0])

    def test_catch_replacing_the_order_is_found(self):
        d = load()
        d["States"]["ChargePayment"]["Catch"][0]["ResultPath"] = "$"
        self.assertIn("keep the order", " ".join(lint.workflow_rules("asl", d)))

    def test_callback_without_timeout_is_found(self):
        d = load()
        del d["States"]["RequestApproval"]["TimeoutSeconds"]
        self.assertIn("needs TimeoutSeconds", " ".join(lint.workflow_rules("asl", d)))

    def test_unreachable_state_is_found(self):
        d = copy.deepcopy(load())
        d["States"]["Orphan"] = {"Type": "Succeed", "Comment": "never entered"}
        self.assertIn("unreachable states ['Orphan']", " ".join(lint.workflow_rules("asl", d)))

    def test_hard_coded_function_is_found(self):
        d = load()
        d["States"]["CompleteOrder"]["Parameters"]["FunctionName"] = "complete-order"
        self.assertIn("DefinitionSubstitutions", " ".join(lint.workflow_rules("asl", d)))

    def test_every_failure_path_ends_in_the_fail_state(self):
        d = load()
        states = d["States"]

        def caught(name):
            """Where the Catchers of `name` lead, each naming the failed state in a variable."""
            catchers = states[name]["Catch"]
            for c in catchers:
                self.assertEqual(c.get("Assign"), {"failedState": name}, name)
            return {c["Next"] for c in catchers}

        for name in ("ValidateOrder", "RequestApproval", "ReserveInventory", "ChargePayment",
                     "FulfilOrder", "CompleteOrder"):
            for target in caught(name):
                self.assertIn("OrderFailed", lint.reachable(states, target), name)
                self.assertNotIn("OrderCompleted", lint.reachable(states, target), name)
        for name in ("ReserveInventory", "ChargePayment", "FulfilOrder"):
            for target in caught(name):
                self.assertIn("ReleaseInventory", lint.reachable(states, target), name)
        for target in caught("FulfilOrder"):
            self.assertIn("RefundPayment", lint.reachable(states, target))
        # A decline or a gateway that stayed unavailable charged nothing; anything else (a
        # timeout, an answer lost after the charge) may have charged, so it refunds.
        for catcher in states["ChargePayment"]["Catch"]:
            refunds = "RefundPayment" in lint.reachable(states, catcher["Next"])
            self.assertEqual(refunds, "States.ALL" in catcher["ErrorEquals"], catcher)

if __name__ == "__main__":
    unittest.main()
