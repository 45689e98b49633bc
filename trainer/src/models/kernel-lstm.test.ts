/**
 * The LSTM network on the WebAssembly kernels against the plain-loop LstmNetwork it replaces (one lane:
 * the same steps, peeks and BPTT gradients), its K lanes against K one-lane networks stepped side by side,
 * and its gradient against finite differences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelLstmNetwork } from './kernel-lstm.js';
import { LstmNetwork, initLstm, lstmLayout, type LstmSpec } from './lstm-network.js';
import { actorCriticHeads } from './heads.js';
import { MINATAR_CONV } from './networks.js';
import { Rng } from '../util/rng.js';
import { assertMatchesFiniteDifferences } from '../testing/helpers.js';

const FLAT: LstmSpec = { inputSize: 3, hidden: [6], cells: 5, heads: actorCriticHeads({ kind: 'discrete', n: 3 }) };
const GRID: LstmSpec = {
  inputSize: 5 * 5 * 3,
  conv: { inputShape: [5, 5, 3], ...MINATAR_CONV, filters: 4 },
  hidden: [7],
  cells: 4,
  heads: actorCriticHeads({ kind: 'discrete', n: 3 }),
};
const NO_TRUNK: LstmSpec = {
  inputSize: 4,
  hidden: [],
  cells: 6,
  heads: actorCriticHeads({ kind: 'box', shape: [2], low: new Float32Array(2), high: new Float32Array(2) }),
};

function params(spec: LstmSpec, seed: number): Float32Array {
  const rng = Rng.fromSeed(seed);
  const p = new Float32Array(lstmLayout(spec).totalSize);
  initLstm(spec, rng, p);
  for (let i = 0; i < p.length; i++) p[i] = (p[i] as number) + rng.uniform(-0.3, 0.3);
  return p;
}

function obs(n: number, spec: LstmSpec, rng: Rng): Float32Array {
  return Float32Array.from({ length: n * spec.inputSize }, () => (rng.next() < 0.3 ? 0 : rng.uniform(-1, 1)));
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tolerance = 2e-4): void {
  assert.equal(actual.length, expected.length, what);
  let scale = 1e-3;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i] as number));
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs((actual[i] as number) - (expected[i] as number)) <= tolerance * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

for (const [name, spec] of [
  ['MLP trunk', FLAT],
  ['convolution and trunk', GRID],
  ['no trunk, Gaussian heads', NO_TRUNK],
] as const) {
  test(`${name}: one lane steps, peeks and back-propagates as the plain-loop LSTM does`, () => {
    const p = params(spec, 1);
    const reference = new LstmNetwork(spec);
    const kernels = new KernelLstmNetwork(spec, 1);
    reference.load(p);
    kernels.load(p);
    const rng = Rng.fromSeed(2);
    // Two segments: state carried over the first, an episode start inside the second.
    for (const [steps, resetAt] of [
      [4, -1],
      [6, 2],
    ] as const) {
      const h0 = Float32Array.from(reference.h);
      const c0 = Float32Array.from(reference.c);
      kernels.segmentStart();
      const o = obs(steps, spec, rng);
      for (let t = 0; t < steps; t++) {
        if (t === resetAt) {
          reference.resetState();
          kernels.episodeStart(0);
        }
        const x = o.subarray(t * spec.inputSize, (t + 1) * spec.inputSize);
        close(kernels.peek(x, 0), reference.peek(x), `peek ${t}`);
        close(kernels.act(x, 1), reference.step(x), `step ${t}`);
      }
      if (resetAt >= 0) continue; // BPTT through a reset needs the segment to end there, as the loop does
      const dOut = Float32Array.from({ length: steps * kernels.width }, () => rng.uniform(-1, 1));
      const gk = new Float32Array(p.length).fill(Number.NaN);
      const gr = new Float32Array(p.length);
      kernels.backward(o, steps, (_, d) => d.set(dOut), gk);
      reference.backward(o, steps, h0, c0, (_, d) => d.set(dOut), gr);
      close(gk, gr, 'gradient', 5e-4);
    }
  });
}

test('K lanes, stepped together, are K one-lane networks stepped side by side: outputs and the summed gradient', () => {
  const spec = GRID;
  const K = 3;
  const steps = 4;
  const p = params(spec, 7);
  const together = new KernelLstmNetwork(spec, K);
  const apart = Array.from({ length: K }, () => new KernelLstmNetwork(spec, 1));
  together.load(p);
  for (const net of apart) net.load(p);
  const rng = Rng.fromSeed(8);
  // A first segment to leave the lanes in different states, then the one differentiated.
  for (const segment of [0, 1]) {
    together.segmentStart();
    for (const net of apart) net.segmentStart();
    const o = obs(steps * K, spec, rng); // step-major: row t·K + k
    for (let t = 0; t < steps; t++) {
      const rows = o.subarray(t * K * spec.inputSize, (t + 1) * K * spec.inputSize);
      const lane = (k: number): Float32Array => rows.subarray(k * spec.inputSize, (k + 1) * spec.inputSize);
      // A peek reads each lane's state without advancing it: the same before the step as the lane's own network's.
      apart.forEach((net, k) => close(Float32Array.from(together.peek(lane(k), k)), net.peek(lane(k), 0), `peek lane ${k}`));
      const out = Float32Array.from(together.act(rows, K));
      apart.forEach((net, k) => close(out.subarray(k * net.width, (k + 1) * net.width), net.act(lane(k), 1), `step ${t} lane ${k}`));
    }
    if (segment === 0) continue;
    const dOut = Float32Array.from({ length: steps * K * together.width }, () => rng.uniform(-1, 1));
    const g = new Float32Array(p.length);
    together.backward(o, steps * K, (_, d) => d.set(dOut), g);
    const sum = new Float32Array(p.length);
    apart.forEach((net, k) => {
      const laneObs = new Float32Array(steps * spec.inputSize);
      const laneDOut = new Float32Array(steps * net.width);
      for (let t = 0; t < steps; t++) {
        laneObs.set(o.subarray((t * K + k) * spec.inputSize, (t * K + k + 1) * spec.inputSize), t * spec.inputSize);
        laneDOut.set(dOut.subarray((t * K + k) * net.width, (t * K + k + 1) * net.width), t * net.width);
      }
      const gk = new Float32Array(p.length);
      net.backward(laneObs, steps, (_, d) => d.set(laneDOut), gk);
      for (let i = 0; i < gk.length; i++) sum[i] = (sum[i] as number) + (gk[i] as number);
    });
    close(g, sum, 'summed gradient', 5e-4);
  }
});

test('the kernel LSTM gradient matches finite differences of Σ dOut ⊙ outputs over a segment', () => {
  const spec = FLAT;
  const p = params(spec, 3);
  const rng = Rng.fromSeed(4);
  const steps = 5;
  const o = obs(steps, spec, rng);
  const net = new KernelLstmNetwork(spec, 1);
  net.load(p);
  net.segmentStart();
  const dOut = Float32Array.from({ length: steps * net.width }, () => rng.uniform(-1, 1));
  const grad = new Float32Array(p.length);
  net.backward(o, steps, (_, d) => d.set(dOut), grad);
  const probe = new KernelLstmNetwork(spec, 1);
  const loss = (theta: Float64Array): number => {
    probe.load(Float32Array.from(theta));
    probe.episodeStart(0);
    let sum = 0;
    for (let t = 0; t < steps; t++) {
      const out = probe.act(o.subarray(t * spec.inputSize, (t + 1) * spec.inputSize), 1);
      for (let j = 0; j < out.length; j++) sum += (out[j] as number) * (dOut[t * net.width + j] as number);
    }
    return sum;
  };
  assertMatchesFiniteDifferences(Float64Array.from(p), loss, grad, 2e-2, 1e-2);
});
