/**
 * The shared-memory module: buffer sizes follow the layout table, and the global frame counter T is
 * exact — every frame of the budget is claimed exactly once, whatever the interleaving of workers.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { makeLayout } from '../models/layout.js';
import { COUNTER, allocateShared, claimFrame, readCounter, viewsOf } from './shared-memory.js';

const SHARED_MEMORY_URL = new URL('./shared-memory.js', import.meta.url).href;

/**
 * A claiming worker, as source text (run with `eval: true`, so no helper file is needed). It announces
 * itself, waits on gate[1] so that all workers start claiming together, then claims frames until the
 * budget is spent and sends back the T values it got.
 */
const CLAIMER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { claimFrame } = await import(workerData.moduleUrl);
  const counters = new BigInt64Array(workerData.counters);
  const gate = new Int32Array(workerData.gate);
  parentPort.postMessage({ type: 'ready' });
  Atomics.wait(gate, 1, 0);
  const limit = BigInt(workerData.limit);
  const claimed = [];
  for (;;) {
    const t = claimFrame(counters, limit);
    if (t < 0) break;
    claimed.push(t);
  }
  // A worker that saw -1 once keeps seeing it: the budget stays spent.
  const again = claimFrame(counters, limit);
  const values = Int32Array.from(claimed);
  parentPort.postMessage({ type: 'done', values, again }, [values.buffer]);
})().catch((error) => parentPort.postMessage({ type: 'error', message: String(error && error.stack || error) }));
`;

type ClaimerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly values: Int32Array; readonly again: number }
  | { readonly type: 'error'; readonly message: string };

type ClaimResult = { readonly values: Int32Array; readonly again: number };

/** Runs `count` claiming workers on one counters buffer; resolves with what each one claimed. */
async function claimInWorkers(counters: SharedArrayBuffer, limit: number, count: number): Promise<ClaimResult[]> {
  const gate = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  const workers: Worker[] = [];
  let ready = 0;
  try {
    const results = Array.from({ length: count }, () => {
      const worker = new Worker(CLAIMER, { eval: true, workerData: { moduleUrl: SHARED_MEMORY_URL, counters, gate: gate.buffer, limit } });
      workers.push(worker);
      return new Promise<ClaimResult>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('exit', (code) => reject(new Error(`claiming worker exited with code ${code} before reporting`)));
        worker.on('message', (m: ClaimerMessage) => {
          switch (m.type) {
            case 'ready':
              // Open the gate once every worker is waiting at it, so that they contend from the start.
              if (++ready === count) {
                Atomics.store(gate, 1, 1);
                Atomics.notify(gate, 1);
              }
              break;
            case 'done':
              resolve({ values: m.values, again: m.again });
              break;
            case 'error':
              reject(new Error(m.message));
              break;
            default: {
              const unexpected: never = m;
              reject(new Error(`unexpected message ${JSON.stringify(unexpected)}`));
            }
          }
        });
      });
    });
    return await Promise.all(results);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

describe('allocateShared', () => {
  const layout = makeLayout([
    { name: 'w1', shape: [4, 3] },
    { name: 'b1', shape: [3] },
    { name: 'w2', shape: [3, 2] },
  ]);

  test('θ, g, θ⁻ and a gradient slot per worker in one shared WebAssembly memory, 16-byte aligned; counters and control apart', () => {
    assert.equal(layout.totalSize, 21);
    const buffers = allocateShared(layout, true, 3);
    assert.ok(buffers.memory.buffer instanceof SharedArrayBuffer);
    assert.ok(buffers.counters instanceof SharedArrayBuffer && buffers.control instanceof SharedArrayBuffer);
    const { regions } = buffers;
    assert.equal(regions.stride, 96); // 84 bytes rounded up to 16
    const starts = [
      regions.params,
      regions.meanSquare,
      regions.target,
      regions.gradients,
      regions.gradients + regions.stride,
      regions.gradients + 2 * regions.stride,
    ];
    for (const start of starts) assert.equal(start % 16, 0);
    for (let i = 1; i < starts.length; i++) assert.equal((starts[i] as number) - (starts[i - 1] as number), regions.stride, 'regions never overlap');
    assert.ok(buffers.memory.buffer.byteLength >= (starts.at(-1) as number) + 21 * 4);
    assert.equal(buffers.counters.byteLength, 4 * 8);
    assert.equal(buffers.control.byteLength, 4 * 4);
    const noTarget = allocateShared(layout, false, 1).regions;
    assert.equal(noTarget.gradients, noTarget.meanSquare + noTarget.stride, 'no θ⁻ region without a target network');
  });

  test('gives zeroed views of the documented types and lengths, over separate memory', () => {
    const views = viewsOf(allocateShared(layout, true, 2));
    assert.equal(views.target.length, layout.totalSize);
    assert.equal(views.gradients.length, 2);
    for (const g of views.gradients) assert.equal(g.length, layout.totalSize);
    views.gradients[0]?.fill(3);
    assert.ok(views.gradients[1]?.every((v) => v === 0) && views.params.every((v) => v === 0) && views.target.every((v) => v === 0), 'slots do not alias');
    assert.ok(views.params instanceof Float32Array);
    assert.ok(views.meanSquare instanceof Float32Array);
    assert.ok(views.counters instanceof BigInt64Array);
    assert.ok(views.control instanceof Int32Array);
    assert.equal(views.params.length, layout.totalSize);
    assert.equal(views.meanSquare.length, layout.totalSize);
    assert.equal(views.counters.length, 4);
    assert.equal(views.control.length, 4);
    assert.ok(views.params.every((v) => v === 0));
    assert.ok(views.meanSquare.every((v) => v === 0));
    assert.ok(views.counters.every((v) => v === 0n));
    views.params.fill(1);
    assert.ok(
      views.meanSquare.every((v) => v === 0),
      'θ and g must not alias',
    );
  });

  test('views made twice see the same memory', () => {
    const buffers = allocateShared(layout, false, 1);
    const a = viewsOf(buffers);
    const b = viewsOf(buffers);
    a.params[5] = 2.5;
    a.counters[COUNTER.frames] = 42n;
    assert.equal(b.params[5], 2.5);
    assert.equal(readCounter(b.counters, COUNTER.frames), 42);
  });
});

describe('claimFrame on one thread', () => {
  const counters = (): BigInt64Array => viewsOf(allocateShared(makeLayout([{ name: 'b', shape: [1] }]), false, 1)).counters;

  test('returns T after the increment, 1, 2, 3, …', () => {
    const c = counters();
    assert.equal(claimFrame(c, 10n), 1);
    assert.equal(claimFrame(c, 10n), 2);
    assert.equal(claimFrame(c, 10n), 3);
    assert.equal(readCounter(c, COUNTER.frames), 3);
  });

  test('hands out the last frame, then -1, and leaves T at the limit', () => {
    const c = counters();
    c[COUNTER.frames] = 4n;
    assert.equal(claimFrame(c, 5n), 5);
    assert.equal(readCounter(c, COUNTER.frames), 5);
    for (let i = 0; i < 3; i++) {
      assert.equal(claimFrame(c, 5n), -1);
      assert.equal(readCounter(c, COUNTER.frames), 5);
    }
  });

  test('continues from a resumed T', () => {
    const c = counters();
    c[COUNTER.frames] = 1_000_000n;
    assert.equal(claimFrame(c, 1_000_002n), 1_000_001);
    assert.equal(claimFrame(c, 1_000_002n), 1_000_002);
    assert.equal(claimFrame(c, 1_000_002n), -1);
    assert.equal(readCounter(c, COUNTER.frames), 1_000_002);
  });

  test('a budget of 0 gives nothing and leaves T at 0', () => {
    const c = counters();
    assert.equal(claimFrame(c, 0n), -1);
    assert.equal(readCounter(c, COUNTER.frames), 0);
  });

  test('touches only the frame counter', () => {
    const c = counters();
    claimFrame(c, 3n);
    claimFrame(c, 0n);
    assert.equal(readCounter(c, COUNTER.episodes), 0);
    assert.equal(readCounter(c, COUNTER.updates), 0);
    assert.equal(c[3], 0n);
  });
});

describe('claimFrame across worker threads', () => {
  test('four workers claim every frame 1..limit exactly once, and T ends at the limit', async () => {
    const limit = 200_000;
    const buffers = allocateShared(makeLayout([{ name: 'b', shape: [1] }]), false, 1);
    const results = await claimInWorkers(buffers.counters, limit, 4);

    assert.equal(readCounter(viewsOf(buffers).counters, COUNTER.frames), limit);
    const total = results.reduce((sum, r) => sum + r.values.length, 0);
    assert.equal(total, limit, 'number of successful claims');
    const seen = new Uint8Array(limit + 1);
    for (const [worker, { values, again }] of results.entries()) {
      assert.equal(again, -1, `worker ${worker} claimed after the budget was spent`);
      let previous = 0;
      for (const t of values) {
        assert.ok(t >= 1 && t <= limit, `worker ${worker} got T = ${t}, outside 1..${limit}`);
        // One worker's own claims come from one counter that only grows: they must increase.
        assert.ok(t > previous, `worker ${worker} got T = ${t} after ${previous}`);
        previous = t;
        assert.equal(seen[t], 0, `T = ${t} was claimed twice`);
        seen[t] = 1;
      }
    }
    const missing = seen.indexOf(0, 1);
    assert.equal(missing, -1, `T = ${missing} was never claimed`);
  });
});
