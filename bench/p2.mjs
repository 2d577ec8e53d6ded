// P2 in WebAssembly: runs the wasm-bindgen build of aurora-bench under Node and times each call
// with performance.now(). Prints each run, then one `result p2wasm ...` line for xtask.
//
//   node bench/p2.mjs DIR [RUNS]     DIR holds aurora_bench.js from `wasm-bindgen --target nodejs`
//
// One untimed run comes first, so V8 has compiled the module's hot functions with its optimising
// tier before the timed runs; the result is their median.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const [dir, runsArg = '5'] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node bench/p2.mjs DIR [RUNS]');
  process.exit(2);
}
const runs = Number.parseInt(runsArg, 10);
const COMMITS = 1_000_000;

const require = createRequire(import.meta.url);
const { p2 } = require(resolve(dir, 'aurora_bench.js'));

const fields = (line) => Object.fromEntries(line.split(' ').map((pair) => pair.split('=')));

const first = p2(COMMITS);
if (Number(fields(first).commits) < COMMITS) {
  console.error(`only ${fields(first).commits} commits before the events ran out`);
  process.exit(1);
}
const times = [];
for (let run = 1; run <= runs; run++) {
  const started = performance.now();
  const outcome = p2(COMMITS);
  const ms = performance.now() - started;
  if (outcome !== first) {
    console.error(`run ${run} differs from the first: ${outcome} vs ${first}`);
    process.exit(1);
  }
  console.log(`p2 wasm run ${run}/${runs}: ${ms.toFixed(1)} ms`);
  times.push(ms);
}
times.sort((a, b) => a - b);
const mid = Math.floor(times.length / 2);
const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
console.log(`result p2wasm ms=${median.toFixed(1)} runs=${runs} node=${process.version} ${first}`);
