"""The benchmark's cases are well-formed and sfn-local produces their expected outputs.

Run: python3 -m unittest discover -s bench/peers
"""

import json
import subprocess
import tempfile
import unittest
from pathlib import Path

from definitions import CASES

SFN_LOCAL = Path(__file__).resolve().parents[2] / "target" / "release" / "sfn-local"


def targets(states):
    """Every state name a Next, Default or Choice rule points to, nested machines included."""
    for state in states.values():
        for key in ("Next", "Default"):
            if key in state:
                yield state[key], states
        for rule in state.get("Choices", []):
            yield rule["Next"], states
        inner = state.get("Iterator") or state.get("ItemProcessor")
        if inner:
            yield inner["StartAt"], inner["States"]
            yield from targets(inner["States"])


class DefinitionsTest(unittest.TestCase):
    def test_every_transition_names_an_existing_state(self):
        for name, build in CASES.items():
            definition, _, _ = build()
            with self.subTest(case=name):
                self.assertIn(definition["StartAt"], definition["States"])
                for target, states in targets(definition["States"]):
                    self.assertIn(target, states)

    def test_pass_chain_has_a_thousand_states_and_map_a_thousand_items(self):
        definition, _, _ = CASES["pass_chain_1000"]()
        self.assertEqual(len(definition["States"]), 1000)
        _, data, expected = CASES["map_1000_pass"]()
        self.assertEqual(len(data["items"]), 1000)
        self.assertEqual(len(expected), 1000)

    @unittest.skipUnless(SFN_LOCAL.exists(), "needs cargo build --release -p sfn-local")
    def test_sfn_local_produces_each_expected_output(self):
        for name, build in CASES.items():
            definition, data, expected = build()
            with self.subTest(case=name), tempfile.TemporaryDirectory() as folder:
                definition_path = Path(folder) / "definition.json"
                input_path = Path(folder) / "input.json"
                definition_path.write_text(json.dumps(definition))
                input_path.write_text(json.dumps(data))
                done = subprocess.run(
                    [str(SFN_LOCAL), "execute", str(definition_path), "--input", str(input_path)],
                    capture_output=True, text=True, check=True,
                )
                result = json.loads(done.stdout.strip().splitlines()[-1])
                self.assertEqual(result["status"], "SUCCEEDED")
                self.assertEqual(result["output"], expected)


if __name__ == "__main__":
    unittest.main()
