import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EPISODE_ROW, EpisodeOutbox, episodeRows, sharedNow } from './episode-outbox.js';
import type { FromWorker } from './messages.js';

function outbox(maxDelayMs: number): { box: EpisodeOutbox; sent: FromWorker[] } {
  const sent: FromWorker[] = [];
  return { box: new EpisodeOutbox(3, (m) => sent.push(m), maxDelayMs), sent };
}

test('episodes held by the outbox go out before any later message of the worker, in the order they ended', () => {
  const { box, sent } = outbox(60_000);
  box.add(120, 21, 120);
  box.add(250, 130, 130);
  assert.equal(sent.length, 0, 'held within the delay');
  box.post({ type: 'evaluated', worker: 3 });
  assert.deepEqual(
    sent.map((m) => m.type),
    ['episodes', 'evaluated'],
  );
  const batch = sent[0] as Extract<FromWorker, { type: 'episodes' }>;
  assert.equal(batch.worker, 3);
  assert.equal(batch.rows.length, 2 * EPISODE_ROW);
  const rows = episodeRows(batch.rows);
  assert.deepEqual(
    rows.map((r) => [r.frames, r.return, r.length]),
    [
      [120, 21, 120],
      [250, 130, 130],
    ],
  );
  assert.ok(rows[0]!.endedAt <= rows[1]!.endedAt && rows[1]!.endedAt <= sharedNow());
  box.post({ type: 'evaluated', worker: 3 });
  assert.equal(sent.length, 3, 'no empty batch is sent');
});

test('the outbox sends its episodes once the oldest has waited the delay, at the next episode or tick', async () => {
  const { box, sent } = outbox(5);
  box.add(10, 1, 10);
  box.tick();
  assert.equal(sent.length, 0);
  await new Promise((resolve) => setTimeout(resolve, 10));
  box.tick();
  assert.equal(sent.length, 1);
  box.add(20, 2, 10);
  await new Promise((resolve) => setTimeout(resolve, 10));
  box.add(30, 3, 10);
  assert.equal(sent.length, 2);
  assert.deepEqual(
    episodeRows((sent[1] as Extract<FromWorker, { type: 'episodes' }>).rows).map((r) => r.frames),
    [20, 30],
  );
});

test('every worker thread reads the same shared clock as the main thread', async () => {
  const { Worker } = await import('node:worker_threads');
  const before = sharedNow();
  const code = `const { parentPort } = require('node:worker_threads'); parentPort.postMessage(performance.timeOrigin + performance.now());`;
  const worker = new Worker(code, { eval: true });
  const reading = await new Promise<number>((resolve) => worker.once('message', resolve));
  const after = sharedNow();
  await worker.terminate();
  // Clocks of separate threads agree to well under a millisecond; allow 5 ms for a loaded machine.
  assert.ok(reading >= before - 5 && reading <= after + 5, `worker ${reading}, main ${before}–${after}`);
});
