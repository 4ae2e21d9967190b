// Times aws-local-stepfunctions in-process: one StateMachine, `reps` runs after `warmup` runs.
// Usage: node als_inprocess.mjs MODULE_DIR DEFINITION.json INPUT.json REPS WARMUP
// Prints one JSON line: {"times_ms": [...], "output": <last run's output>}.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [moduleDir, definitionPath, inputPath, repsArg, warmupArg] = process.argv.slice(2);
const entry = join(moduleDir, "aws-local-stepfunctions", "build", "main.node.esm.js");
const { StateMachine } = await import(pathToFileURL(entry).href);

const definition = JSON.parse(readFileSync(definitionPath, "utf8"));
const input = JSON.parse(readFileSync(inputPath, "utf8"));
const machine = new StateMachine(definition);

let output;
const times = [];
const total = Number(warmupArg) + Number(repsArg);
for (let i = 0; i < total; i++) {
  const start = process.hrtime.bigint();
  output = await machine.run(input).result;
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (i >= Number(warmupArg)) times.push(elapsed);
}
process.stdout.write(JSON.stringify({ times_ms: times, output }) + "\n");
