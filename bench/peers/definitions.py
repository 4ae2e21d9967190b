"""The three state machines every engine runs, with their inputs and the output each must produce.

Only ASL that all three engines support: JSONPath, Pass/Choice/Map/Succeed and the common intrinsics.
"""

PASS_CHAIN_LENGTH = 1000
MAP_ITEMS = 1000
LOOP_ROUNDS = 100


def startup_only():
    """One Succeed state: what each engine costs before any real work (start-up, setup, polling)."""
    data = {"order": {"id": 1}}
    return {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}, data, data


def pass_chain():
    """1,000 Pass states in a row, each handing its input on unchanged."""
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(PASS_CHAIN_LENGTH - 1)}
    states[f"S{PASS_CHAIN_LENGTH - 1}"] = {"Type": "Pass", "End": True}
    definition = {"StartAt": "S0", "States": states}
    data = {"order": {"id": 1}}
    return definition, data, data


def map_pass():
    """A Map over 1,000 items; each iteration is one Pass that reshapes its item."""
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "Iterator": {
                    "StartAt": "P",
                    "States": {
                        "P": {"Type": "Pass", "Parameters": {"sku.$": "$.sku", "packed": True}, "End": True}
                    },
                },
                "End": True,
            }
        },
    }
    items = [{"sku": f"sku-{i}", "qty": i} for i in range(MAP_ITEMS)]
    return definition, {"items": items}, [{"sku": item["sku"], "packed": True} for item in items]


def choice_intrinsics():
    """A 100-round loop: Choice (And, NumericLessThan, StringMatches) and a Pass of intrinsics."""
    definition = {
        "StartAt": "Route",
        "States": {
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {
                        "And": [
                            {"Variable": "$.n", "NumericLessThan": LOOP_ROUNDS},
                            {"Variable": "$.label", "StringMatches": "round *"},
                        ],
                        "Next": "Step",
                    }
                ],
                "Default": "Done",
            },
            "Step": {
                "Type": "Pass",
                "Parameters": {
                    "n.$": "States.MathAdd($.n, 1)",
                    "label.$": "States.Format('round {}', $.n)",
                    "parts.$": "States.StringSplit($.csv, ',')",
                    "csv.$": "$.csv",
                    "count.$": "States.ArrayLength(States.StringSplit($.csv, ','))",
                },
                "Next": "Route",
            },
            "Done": {
                "Type": "Pass",
                "Parameters": {"rounds.$": "$.n", "last.$": "$.label", "count.$": "$.count"},
                "End": True,
            },
        },
    }
    data = {"n": 0, "label": "round start", "csv": "a,b,c", "count": 0}
    expected = {"rounds": LOOP_ROUNDS, "last": f"round {LOOP_ROUNDS - 1}", "count": 3}
    return definition, data, expected


# name -> (definition, input, expected output)
CASES = {
    "startup_only": startup_only,
    "pass_chain_1000": pass_chain,
    "map_1000_pass": map_pass,
    "choice_intrinsics_loop_100": choice_intrinsics,
}
