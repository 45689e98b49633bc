import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HUMAN_BELOW_RANDOM_NOTE, normalisedScore, referenceFor, type Reference } from './normalise.js';
import { REFERENCE_TABLES } from './reference-tables.js';

const NOOP = REFERENCE_TABLES['atari57-noop'];
const HUMAN_STARTS = REFERENCE_TABLES['atari57-human-starts'];

/** The paper's formula, written out: (agent − random) / (human − random). */
function naive(agent: number, random: number, human: number): number {
  return (agent - random) / (human - random);
}

function valueOf(agent: number, ref: Reference): number {
  const score = normalisedScore(agent, ref);
  assert.ok(score.value !== undefined, `expected a value, got ${JSON.stringify(score)}`);
  return score.value;
}

test('random scores 0 and human 1; Breakout (no-op: random 1.7, human 30.5) at 59.3 scores (59.3 − 1.7) / 28.8 = 2', () => {
  const ref = referenceFor(NOOP, 'breakout');
  assert.equal(valueOf(1.7, ref), 0);
  assert.equal(valueOf(30.5, ref), 1);
  assert.ok(Math.abs(valueOf(59.3, ref) - 2) < 1e-12);
  for (const agent of [-5, 0, 12.25, 400]) assert.equal(valueOf(agent, ref), naive(agent, 1.7, 30.5));
});

test('a recorded score names its table and protocol, and the figures it used', () => {
  const score = normalisedScore(1000, referenceFor(NOOP, 'alien'));
  assert.equal(score.table, 'atari57-noop');
  assert.equal(score.protocol, NOOP.protocol);
  assert.equal(score.random, 227.8);
  // 7127.7 from this table, not Nature DQN's 6875.4 for Alien: the table id says which was used.
  assert.equal(score.human, 7127.7);
  assert.equal(score.value, naive(1000, 227.8, 7127.7));
  const hs = normalisedScore(1000, referenceFor(HUMAN_STARTS, 'alien'));
  assert.equal(hs.table, 'atari57-human-starts');
  assert.notEqual(hs.value, score.value);
});

test('human below random (Video Pinball, human starts): the formula as written, negative denominator, with a note', () => {
  // random 20452.0, human 15641.1: human − random = −4810.9.
  const ref = referenceFor(HUMAN_STARTS, 'video_pinball');
  const atRandom = normalisedScore(20452.0, ref);
  assert.equal(atRandom.value, 0);
  assert.equal(atRandom.value !== undefined && atRandom.note, HUMAN_BELOW_RANDOM_NOTE);
  assert.equal(valueOf(15641.1, ref), 1);
  // 4810.9 above random: (25262.9 − 20452) / (15641.1 − 20452) = 4810.9 / −4810.9 = −1.
  assert.ok(Math.abs(valueOf(25262.9, ref) - -1) < 1e-12);
  // A3C-like scores far above random come out large and negative, not clipped or dropped.
  assert.equal(valueOf(229402, ref), naive(229402, 20452.0, 15641.1));
  assert.ok(valueOf(229402, ref) < -40);
  // The no-op table has human above random for the same game, and no note.
  const noop = normalisedScore(17667.9, referenceFor(NOOP, 'video_pinball'));
  assert.equal(noop.value, 1);
  assert.equal(noop.value !== undefined ? noop.note : 'no value', undefined);
});

test('human equal to random: no value, with the reason', () => {
  const ref: Reference = { table: 't', protocol: 'p', entry: { random: 5, human: 5 } };
  assert.deepEqual(normalisedScore(7, ref), { value: undefined, table: 't', protocol: 'p', reason: 'human equals random', random: 5, human: 5 });
});

test('no reference: an environment missing from the table, or one without a human/expert figure', () => {
  assert.deepEqual(normalisedScore(100, referenceFor(NOOP, 'CartPole-v1')), {
    value: undefined,
    table: 'atari57-noop',
    protocol: NOOP.protocol,
    reason: 'no reference',
  });
  const pendulum = normalisedScore(-150, referenceFor(REFERENCE_TABLES.registry, 'Pendulum-v1'));
  assert.equal(pendulum.value, undefined);
  assert.equal(pendulum.value === undefined && pendulum.reason, 'no reference');
  assert.equal(pendulum.random, -1232.5);
  assert.equal(pendulum.table, 'registry');
});

test('a score that is not finite has no value', () => {
  const score = normalisedScore(Number.NaN, referenceFor(NOOP, 'pong'));
  assert.equal(score.value === undefined && score.reason, 'score not finite');
});

test('registry references: CartPole-v1 (random 22.3, solved 500) and Acrobot-v1 (random −498.8, solved −100)', () => {
  const cartPole = normalisedScore(500, referenceFor(REFERENCE_TABLES.registry, 'CartPole-v1'));
  assert.equal(cartPole.value, 1);
  assert.equal(cartPole.value !== undefined && cartPole.kind, 'solved');
  // (−299.4 + 498.8) / (−100 + 498.8) = 199.4 / 398.8 = 0.5
  assert.ok(Math.abs(valueOf(-299.4, referenceFor(REFERENCE_TABLES.registry, 'Acrobot-v1')) - 0.5) < 1e-12);
});
