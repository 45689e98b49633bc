import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { isMujocoLoaded, loadMujoco, mujocoModule } from './module.js';
import { liveMujocoData, mujocoHeapBytes } from './mujoco-env.js';
import { CartpoleSwingupEnv } from './cartpole-swingup.js';
import { HopperEnv } from './hopper.js';
import { ReacherEnv } from './reacher.js';
import { Rng } from '../../util/rng.js';

/**
 * In a fresh worker thread (its own module state), making an env before `loadMujoco()` throws the
 * error that says to await it; after awaiting, the same constructor works.
 */
test('a MuJoCo env made before loadMujoco() has finished throws, naming the fix', async () => {
  const moduleUrl = new URL('./module.js', import.meta.url).href;
  const envUrl = new URL('./cartpole-swingup.js', import.meta.url).href;
  const rngUrl = new URL('../../util/rng.js', import.meta.url).href;
  const code = `
    const { parentPort } = await import('node:worker_threads');
    const { isMujocoLoaded } = await import(${JSON.stringify(moduleUrl)});
    const { CartpoleSwingupEnv } = await import(${JSON.stringify(envUrl)});
    const { Rng } = await import(${JSON.stringify(rngUrl)});
    let message = 'no error';
    try { new CartpoleSwingupEnv(Rng.fromSeed(1), 10); } catch (e) { message = e.message; }
    parentPort.postMessage({ loaded: isMujocoLoaded(), message });
  `;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`));
  const reply = await new Promise<{ loaded: boolean; message: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.equal(reply.loaded, false);
  assert.match(reply.message, /^MuJoCo-CartpoleSwingup-v1 needs the MuJoCo WebAssembly module, which is not loaded in this thread: await loadMujoco\(\)/);
});

test('loadMujoco() loads one module per thread; later calls return the same one', async () => {
  const [a, b] = await Promise.all([loadMujoco(), loadMujoco()]);
  assert.equal(a, b);
  assert.equal(await loadMujoco(), a);
  assert.equal(mujocoModule(), a);
  assert.ok(isMujocoLoaded());
  assert.equal(typeof a.mj_step, 'function');
});

test('each env owns its simulation state: stepping one leaves another alone', async () => {
  await loadMujoco();
  const a = new ReacherEnv(Rng.fromSeed(1), 50);
  const b = new ReacherEnv(Rng.fromSeed(1), 50);
  assert.deepEqual(a.reset(), b.reset());
  const before = b.getState();
  for (let t = 0; t < 10; t++) a.step(Float32Array.of(1, -1));
  assert.notDeepEqual(a.getState(), before);
  assert.deepEqual(b.getState(), before);
  a.close();
  b.close();
});

test('close() frees the simulation state at once; the env refuses to be used afterwards', async () => {
  await loadMujoco();
  const live = liveMujocoData();
  const env = new CartpoleSwingupEnv(Rng.fromSeed(1), 10);
  assert.equal(liveMujocoData(), live + 1);
  env.reset();
  env.close();
  assert.equal(liveMujocoData(), live);
  assert.ok(env.closed);
  env.close(); // idempotent
  assert.equal(liveMujocoData(), live);
  assert.throws(() => env.reset(), /^Error: MuJoCo-CartpoleSwingup-v1: the environment was closed; make a new one$/);
  assert.throws(() => env.step(Float32Array.of(0)), /the environment was closed/);
  assert.throws(() => env.getState(), /the environment was closed/);
});

test('making and closing many envs leaks no wasm memory', async () => {
  await loadMujoco();
  // Warm up: the first envs compile the models and may grow the heap.
  for (const Cls of [CartpoleSwingupEnv, ReacherEnv, HopperEnv]) new Cls(Rng.fromSeed(0), 10).close();
  const heap = mujocoHeapBytes();
  const live = liveMujocoData();
  for (let i = 0; i < 100; i++) {
    for (const Cls of [CartpoleSwingupEnv, ReacherEnv, HopperEnv]) {
      const env = new Cls(Rng.fromSeed(i), 10);
      env.reset();
      env.step(new Float32Array(env.actionSpace.shape[0] as number));
      env.close();
    }
  }
  assert.equal(liveMujocoData(), live);
  assert.equal(mujocoHeapBytes(), heap, 'the wasm heap grew');
});

test('views into the wasm heap are fetched again after the heap grows', async () => {
  await loadMujoco();
  const action = Float32Array.of(0.3, -0.2, 0.1);
  // The reference: two steps with no heap growth in between.
  const reference = new HopperEnv(Rng.fromSeed(4), 1000);
  reference.reset();
  reference.step(action);
  const expected = reference.step(action);
  const expectedObservation = expected.observation.slice();
  reference.close();
  // The same two steps with the heap grown in between, which detaches every existing view.
  const env = new HopperEnv(Rng.fromSeed(4), 1000);
  env.reset();
  env.step(action);
  const heap = mujocoHeapBytes();
  const others: HopperEnv[] = [];
  while (mujocoHeapBytes() === heap) others.push(new HopperEnv(Rng.fromSeed(0), 10));
  for (const other of others) other.close();
  const got = env.step(action);
  assert.deepEqual(got.observation, expectedObservation);
  assert.equal(got.reward, expected.reward);
  assert.ok(got.observation.every(Number.isFinite));
  env.close();
});

test('an env dropped without close() has its simulation state freed after garbage collection', async () => {
  await loadMujoco();
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const live = liveMujocoData();
  (() => {
    for (let i = 0; i < 50; i++) new ReacherEnv(Rng.fromSeed(i), 50).reset();
  })();
  assert.equal(liveMujocoData(), live + 50);
  // FinalizationRegistry callbacks run some time after a collection; give them a few turns.
  for (let i = 0; i < 20 && liveMujocoData() > live; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(liveMujocoData(), live);
});

test("MuJoCo errors surface as JavaScript Errors carrying MuJoCo's message", async () => {
  const mj = await loadMujoco();
  assert.throws(() => mj.MjModel.from_xml_string('<mujoco><nonsense/></mujoco>'), /XML Error: Schema violation: unrecognized element/);
});
