"""Unit tests of the replay's answer checking (stdlib unittest; no processes started)."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import replay_events as replay  # noqa: E402


class Contains(unittest.TestCase):
    def test_subset_of_nested_objects(self):
        self.assertIsNone(replay.contains({"a": 1, "b": {"c": 2, "d": 3}}, {"b": {"c": 2}}))

    def test_missing_field_is_reported_with_its_path(self):
        self.assertIn("$.b.x: missing", replay.contains({"b": {"c": 2}}, {"b": {"x": 1}}))

    def test_types_matter(self):
        self.assertIsNotNone(replay.contains({"a": 1}, {"a": True}))
        self.assertIsNotNone(replay.contains({"a": "1"}, {"a": 1}))
        self.assertIsNotNone(replay.contains({"a": 1.0}, {"a": 1}))

    def test_lists_compare_whole(self):
        self.assertIsNone(replay.contains({"a": [1, 2]}, {"a": [1, 2]}))
        self.assertIsNotNone(replay.contains({"a": [1, 2, 3]}, {"a": [1, 2]}))

    def test_object_expected_but_scalar_found(self):
        self.assertIn("expected an object", replay.contains({"a": 3}, {"a": {"b": 1}}))


class Check(unittest.TestCase):
    def test_expected_error_matches(self):
        self.assertIsNone(replay.check({"error": "OutOfStock", "text": ""}, {"errorType": "OutOfStock"}))

    def test_other_error_fails(self):
        self.assertIn("expected error OutOfStock, got UnknownSku",
                      replay.check({"error": "UnknownSku", "text": ""}, {"errorType": "OutOfStock"}))

    def test_success_when_error_expected_fails(self):
        self.assertIn("expected error", replay.check({"ok": {"reserved": True}}, {"errorType": "OutOfStock"}))

    def test_error_when_success_expected_fails(self):
        self.assertIn("expected success", replay.check({"error": "StoreUnavailable", "text": ""}, {"output": {}}))

    def test_http_body_is_parsed(self):
        answer = {"ok": {"statusCode": 202, "body": json.dumps({"orderId": "ord-1", "executionArn": "arn"})}}
        self.assertIsNone(replay.check(answer, {"output": {"statusCode": 202}, "body": {"orderId": "ord-1"}}))
        self.assertIn("body.orderId", replay.check(answer, {"output": {"statusCode": 202}, "body": {"orderId": "x"}}))
        self.assertIn("$.statusCode", replay.check(answer, {"output": {"statusCode": 409}}))

    def test_body_that_is_not_json_fails(self):
        self.assertIn("not JSON", replay.check({"ok": {"statusCode": 200, "body": "{"}}, {"body": {}}))

    def test_broken_invocation_fails(self):
        self.assertEqual(replay.check({"broken": "timed out"}, {"output": {}}), "timed out")


class ErrorType(unittest.TestCase):
    def test_miette_rendering_of_a_lambda_error(self):
        text = "Error: OutOfStock\n\n  × SKU-OUT: 1 requested, 0 available\n\n  Was this behavior unexpected?\n"
        match = replay.ERROR_TYPE_PATTERNS[0].search(text)
        self.assertIsNotNone(match)
        self.assertEqual(match.group(1), "OutOfStock")

    def test_transport_error_has_no_error_type(self):
        text = "Error:   × error sending request to the runtime emulator\n  ├─▶ Connection refused\n"
        self.assertFalse(any(p.search(text) for p in replay.ERROR_TYPE_PATTERNS))


class Samples(unittest.TestCase):
    """Every sample has an expectation of a known shape, and every function has samples."""

    def test_every_sample_has_a_valid_expectation(self):
        functions = replay.functions_to_replay(None)
        self.assertEqual(sorted(functions), sorted(replay.FUNCTION_ORDER))
        for function in functions:
            samples = replay.sample_files(function)
            self.assertTrue(samples, function)
            for path in samples:
                with open(path, encoding="utf-8") as f:
                    json.load(f)
                with open(path[: -len(".json")] + ".expect.json", encoding="utf-8") as f:
                    expect = json.load(f)
                self.assertTrue(set(expect) <= {"output", "body", "errorType"}, path)
                self.assertTrue(("errorType" in expect) != ("output" in expect), path)


if __name__ == "__main__":
    unittest.main()
