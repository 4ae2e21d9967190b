#!/usr/bin/env python3
"""Writes events/inventory-seed.json into an inventory table (deployed or local).

Usage: scripts/seed_inventory.py TABLE_NAME [--endpoint-url URL] [--seed FILE]
  deployed: scripts/seed_inventory.py "$(sam list stack-outputs ... InventoryTableName)" (AWS credentials
            from the environment as usual);
  local:    scripts/seed_inventory.py inventory --endpoint-url http://127.0.0.1:5000
Existing SKUs are overwritten with the seed's counters. Needs boto3.
"""

import argparse
import json
import os

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description="Seed the inventory table.")
    parser.add_argument("table")
    parser.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"))
    parser.add_argument("--seed", default=os.path.join(ROOT, "events", "inventory-seed.json"))
    args = parser.parse_args()

    with open(args.seed, encoding="utf-8") as f:
        seed = json.load(f)
    table = boto3.resource("dynamodb", endpoint_url=args.endpoint_url).Table(args.table)
    with table.batch_writer() as batch:
        for item in seed:
            batch.put_item(
                Item={"sku": item["sku"], "available": int(item["available"]),
                      "reserved": int(item.get("reserved", 0))}
            )
    print(f"seeded {len(seed)} SKUs into {args.table}")


if __name__ == "__main__":
    main()
