// Verifies lib/numpyArgsort.ts against the reference machine's numpy (argsort kind="quicksort" on datetime64[ns], as
// pandas' sort_values("event_time") calls it, and on an object array of strings for ISO event_time):
//   node --import tsx scripts/acceptance/checkNumpyArgsort.ts        (exit 0 when every case is identical)
import { execFileSync } from 'node:child_process';
import { numpyArgsortQuick } from './lib/numpyArgsort.ts';
import { makeRng as rng } from '../../src/core/rng.ts';

const cases: { name: string; values: number[] }[] = [];
const r = rng(7);
for (const n of [0, 1, 2, 15, 16, 17, 100, 1000, 7528, 30000]) {
  for (const distinct of [1, 3, 50, 2000]) {
    cases.push({ name: `n=${n} distinct=${distinct}`, values: Array.from({ length: n }, () => 1_700_000_000_000 + 60_000 * Math.floor(r() * distinct)) });
  }
}
// sorted, reversed and organ-pipe inputs (the partitions where the depth limit may switch to heapsort)
cases.push({ name: 'sorted', values: Array.from({ length: 5000 }, (_, i) => i) });
cases.push({ name: 'reversed', values: Array.from({ length: 5000 }, (_, i) => 5000 - i) });
cases.push({ name: 'organ pipe', values: Array.from({ length: 5000 }, (_, i) => Math.min(i, 5000 - i)) });

const py = `
import json, sys
import numpy as np
cases = json.load(sys.stdin)
out = []
for c in cases:
    v = np.array(c["values"], dtype="int64").astype("datetime64[ms]").astype("datetime64[ns]")
    t = np.array(["%020d" % x for x in c["values"]], dtype=object)
    out.append([v.argsort(kind="quicksort").tolist(), t.argsort(kind="quicksort").tolist()])
json.dump({"numpy": np.__version__, "out": out}, sys.stdout)
`;
const result = JSON.parse(
  execFileSync('/usr/bin/python3', ['-c', py], { input: JSON.stringify(cases), maxBuffer: 1 << 28 }).toString(),
) as { numpy: string; out: [number[], number[]][] };
let failed = 0;
cases.forEach((c, k) => {
  const v = c.values;
  const mine = Array.from(numpyArgsortQuick(v.length, (a, b) => v[a] < v[b]));
  const [num, obj] = result.out[k];
  const okNum = mine.join(',') === num.join(',');
  const okObj = mine.join(',') === obj.join(',');
  if (!okNum || !okObj) failed++;
  console.log(`${okNum && okObj ? 'ok  ' : 'FAIL'} ${c.name} (datetime64 ${okNum ? 'same' : 'differs'}, object ${okObj ? 'same' : 'differs'})`);
});
console.log(`numpy ${result.numpy}: ${cases.length - failed} of ${cases.length} cases identical`);
process.exit(failed ? 1 : 0);
