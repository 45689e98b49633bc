import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MINATAR_GAMES, MINATAR_MAX_EPISODE_STEPS, type MinAtarEnv } from './index.js';
import { DOWN, FIRE, LEFT, NOOP, RIGHT, UP } from './game.js';
import { SeaquestEnv } from './seaquest.js';
import { EXACT } from './minatar.test-support.js';
import { RUN_ID_PATTERN } from '../../config/schema.js';
import { Rng } from '../../util/rng.js';
import * as contract from '../contract.test-support.js';
import { findEnv } from '../catalog.js';

/** What MinAtar's sources give for each game: channels (the `channels` dicts) and `minimal_action_set()`. */
const EXPECTED: Record<string, { channels: number; minimal: number[] }> = {
  Breakout: { channels: 4, minimal: [NOOP, LEFT, RIGHT] },
  Asterix: { channels: 4, minimal: [NOOP, LEFT, UP, RIGHT, DOWN] },
  Freeway: { channels: 7, minimal: [NOOP, UP, DOWN] },
  Seaquest: { channels: 10, minimal: [NOOP, LEFT, UP, RIGHT, DOWN, FIRE] },
  SpaceInvaders: { channels: 6, minimal: [NOOP, LEFT, RIGHT, FIRE] },
};

function randomPolicy(seed: number): (obs: Float32Array) => number {
  const rng = Rng.fromSeed(seed);
  return () => rng.int(6);
}

/**
 * Plays uniform random actions (seed `seed`) for `steps` steps, resetting at the end of each episode;
 * `each` sees every step's observation and action, and whether the step ended the episode.
 */
function play(env: MinAtarEnv, steps: number, seed: number, each: (obs: Float32Array, action: number, ended: boolean) => void): void {
  const policy = Rng.fromSeed(seed);
  env.reset();
  for (let t = 0; t < steps; t++) {
    const action = policy.int(env.actionSpace.n);
    const r = env.step(action);
    const ended = r.terminated || r.truncated;
    each(r.observation, action, ended);
    if (ended) env.reset();
  }
}

test('the five games are listed with ids that run ids accept, MinAtar channels and minimal action sets', () => {
  assert.deepEqual(
    MINATAR_GAMES.map((g) => g.id),
    ['MinAtar-Breakout-v1', 'MinAtar-Asterix-v1', 'MinAtar-Freeway-v1', 'MinAtar-Seaquest-v1', 'MinAtar-SpaceInvaders-v1'],
  );
  for (const g of MINATAR_GAMES) {
    const expected = EXPECTED[g.name];
    assert.equal(g.channels.length, expected.channels, g.name);
    assert.deepEqual(g.minimalActions, expected.minimal, g.name);
    assert.equal(findEnv(g.id)?.maxEpisodeSteps, MINATAR_MAX_EPISODE_STEPS);
    assert.equal(MINATAR_MAX_EPISODE_STEPS, 10_000);
    // config/resolve.ts builds run ids as `<env>__<algo>__s<seed>__<stamp>`.
    assert.match(g.id, RUN_ID_PATTERN);
    assert.match(`${g.id}__a3c__s1__20240102-030405`, RUN_ID_PATTERN);
    assert.ok((findEnv(g.id)?.description.length ?? 0) > 0);
    assert.equal(new g.Env(Rng.fromSeed(0), MINATAR_MAX_EPISODE_STEPS).id, g.id);
  }
});

test('observation space is a [10, 10, C] box of 0..1; the action space is the minimal set by default or all six', () => {
  for (const g of MINATAR_GAMES) {
    const c = g.channels.length;
    const minimal = new g.Env(Rng.fromSeed(0), 100);
    assert.deepEqual(minimal.observationSpace.shape, [10, 10, c]);
    assert.deepEqual([...minimal.observationSpace.low], new Array(100 * c).fill(0));
    assert.deepEqual([...minimal.observationSpace.high], new Array(100 * c).fill(1));
    assert.deepEqual(minimal.actionSpace, { kind: 'discrete', n: g.minimalActions.length });
    assert.deepEqual(minimal.actions, g.minimalActions);
    assert.deepEqual(minimal.channels, g.channels);
    assert.equal(minimal.actionSet, 'minimal');
    assert.equal(minimal.stickyProbability, 0.1);
    const full = new g.Env(Rng.fromSeed(0), 100, { actionSet: 'full' });
    assert.equal(full.id, g.id.replace(/-v1$/, '-v0'));
    assert.deepEqual(full.actionSpace, { kind: 'discrete', n: 6 });
    assert.deepEqual(full.actions, [0, 1, 2, 3, 4, 5]);
  }
});

test('observations have the space shape and hold only 0s and 1s', () => {
  for (const g of MINATAR_GAMES) {
    const env = new g.Env(Rng.fromSeed(3), MINATAR_MAX_EPISODE_STEPS, { actionSet: 'full' });
    const size = 100 * g.channels.length;
    const ones = new Array<number>(g.channels.length).fill(0);
    play(env, 3000, 4, (obs) => {
      assert.equal(obs.length, size);
      for (let i = 0; i < size; i++) {
        assert.ok(obs[i] === 0 || obs[i] === 1, `${g.name}: value ${obs[i]} at ${i}`);
        ones[i % g.channels.length] += obs[i];
      }
    });
    // Every channel is used at some point of random play.
    ones.forEach((n, c) => assert.ok(n > 0, `${g.name}: channel ${g.channels[c]} never set`));
  }
});

test('same seed and actions give identical trajectories, with either action set', () => {
  for (const g of MINATAR_GAMES) {
    const episodes = contract.assertSameSeedSameTrajectory(g.Env, MINATAR_MAX_EPISODE_STEPS, 3000);
    assert.ok(episodes >= 1, `${g.name}: ${episodes} episodes`);
    const [a, b] = [7, 7].map((seed) => new g.Env(Rng.fromSeed(seed), MINATAR_MAX_EPISODE_STEPS, { actionSet: 'full' }));
    const seen: Float32Array[] = [];
    play(a, 1000, 99, (obs) => seen.push(obs.slice()));
    let t = 0;
    play(b, 1000, 99, (obs) => assert.deepEqual(obs, seen[t++], `${g.name} full set, step ${t}`));
  }
});

test('different seeds give different games', () => {
  for (const g of MINATAR_GAMES) {
    const a = new g.Env(Rng.fromSeed(7), MINATAR_MAX_EPISODE_STEPS);
    const b = new g.Env(Rng.fromSeed(8), MINATAR_MAX_EPISODE_STEPS);
    const seen: Float32Array[] = [];
    play(a, 2000, 9, (obs) => seen.push(obs.slice()));
    let differs = false;
    let t = 0;
    play(b, 2000, 9, (obs) => {
      differs ||= obs.some((v, i) => v !== seen[t][i]);
      t += 1;
    });
    assert.ok(differs, g.name);
  }
});

test('the step limit comes from the constructor', () => {
  for (const g of MINATAR_GAMES) contract.assertStepLimitFromConstructor(g.Env, () => NOOP);
});

test('an episode that outlives the 10,000-step limit is truncated, not terminated', () => {
  // Waiting at the surface is safe in Seaquest: enemies and their bullets stay in rows 1-8.
  const rewards = contract.assertTruncatedAtLimit(new SeaquestEnv(Rng.fromSeed(1), MINATAR_MAX_EPISODE_STEPS), MINATAR_MAX_EPISODE_STEPS, () => NOOP);
  assert.equal(contract.sum(rewards), 0);
});

test('invalid actions are rejected with a RangeError naming the value', () => {
  for (const g of MINATAR_GAMES) {
    contract.assertRejectsInvalidDiscreteActions(new g.Env(Rng.fromSeed(1), 100));
    contract.assertRejectsInvalidDiscreteActions(new g.Env(Rng.fromSeed(1), 100, { actionSet: 'full' }));
  }
});

test('step before reset or after the end of an episode throws until reset', () => {
  for (const g of MINATAR_GAMES) {
    contract.assertStepOutsideEpisodeThrows(new g.Env(Rng.fromSeed(1), MINATAR_MAX_EPISODE_STEPS, { actionSet: 'full' }), randomPolicy(2));
  }
});

test('the observation buffer is reused: copy it to keep it past the next step', () => {
  // Minimal-set actions that change the picture from the start state.
  const moves: Record<string, number[]> = {
    Breakout: [0], // the ball moves
    Asterix: [1], // left
    Freeway: [1, 1, 1, 1], // up; the chicken moves on the 4th step
    Seaquest: [4], // down
    SpaceInvaders: [1], // left
  };
  for (const g of MINATAR_GAMES) contract.assertObservationBufferReused(new g.Env(Rng.fromSeed(1), 100, EXACT), moves[g.name]);
});

test('sticky actions repeat the previous action at the configured rate', () => {
  for (const p of [0.1, 0.5]) {
    let eligible = 0;
    let repeated = 0;
    for (const g of MINATAR_GAMES) {
      const env = new g.Env(Rng.fromSeed(5), MINATAR_MAX_EPISODE_STEPS, { actionSet: 'full', ...(p === 0.1 ? {} : { stickyProbability: p }) });
      let previous = NOOP;
      play(env, 4000, 6, (_, action, ended) => {
        // A repeat shows only where the chosen action differs from the previous one.
        if (action !== previous) {
          eligible += 1;
          if (env.lastAction === previous) repeated += 1;
          else assert.equal(env.lastAction, action);
        }
        previous = ended ? NOOP : env.lastAction;
      });
    }
    const rate = repeated / eligible;
    const sd = Math.sqrt((p * (1 - p)) / eligible);
    assert.ok(Math.abs(rate - p) < 4 * sd, `p = ${p}: repeated ${repeated} of ${eligible} (${rate.toFixed(4)})`);
  }
});

test('stickyProbability 0 never repeats, 1 always does, and the memory starts at no-op in every episode', () => {
  for (const g of MINATAR_GAMES) {
    const never = new g.Env(Rng.fromSeed(5), MINATAR_MAX_EPISODE_STEPS, { actionSet: 'full', stickyProbability: 0 });
    play(never, 2000, 6, (_, action) => assert.equal(never.lastAction, action));
    const always = new g.Env(Rng.fromSeed(5), MINATAR_MAX_EPISODE_STEPS, { actionSet: 'full', stickyProbability: 1 });
    play(always, 500, 6, () => assert.equal(always.lastAction, NOOP));
    const env = new g.Env(Rng.fromSeed(5), MINATAR_MAX_EPISODE_STEPS, { actionSet: 'full', stickyProbability: 0 });
    env.reset();
    env.step(FIRE);
    assert.equal(env.lastAction, FIRE);
    env.reset();
    assert.equal(env.lastAction, NOOP);
  }
});

test('options are checked', () => {
  for (const g of MINATAR_GAMES) {
    for (const bad of [-0.1, 1.5, Number.NaN]) {
      assert.throws(() => new g.Env(Rng.fromSeed(1), 100, { stickyProbability: bad }), RangeError);
    }
    assert.throws(() => new g.Env(Rng.fromSeed(1), 100, { actionSet: 'all' as 'full' }), RangeError);
  }
});

test('a state copied with getState/setState continues exactly as the original', () => {
  for (const g of MINATAR_GAMES) {
    type Stateful = MinAtarEnv & { getState(): unknown; setState(state: unknown): Float32Array };
    const rng = Rng.fromSeed(11);
    const a = new g.Env(rng, MINATAR_MAX_EPISODE_STEPS, { ...EXACT, actionSet: 'full' }) as Stateful;
    // Play until some episode has lasted 30 steps, so that the state is not the start state.
    const policy = Rng.fromSeed(12);
    let length = 0;
    let obsA = a.reset();
    while (length < 30) {
      const r = a.step(policy.int(6));
      obsA = r.observation;
      length += 1;
      if (r.terminated) {
        obsA = a.reset();
        length = 0;
      }
    }
    const b = new g.Env(Rng.fromState(rng.state()), MINATAR_MAX_EPISODE_STEPS, { ...EXACT, actionSet: 'full' }) as Stateful;
    assert.deepEqual(b.setState(a.getState()), obsA, g.name);
    assert.deepEqual(b.getState(), a.getState(), g.name);
    for (let t = 0; t < 300; t++) {
      const action = policy.int(6);
      const ra = a.step(action);
      assert.deepEqual(b.step(action), ra, `${g.name} step ${t}`);
      if (ra.terminated) break;
    }
  }
});

test('setState keeps the step count of a running episode and starts one otherwise', () => {
  for (const g of MINATAR_GAMES) {
    type Stateful = MinAtarEnv & { getState(): unknown; setState(state: unknown): Float32Array };
    const env = new g.Env(Rng.fromSeed(1), 5, EXACT) as Stateful;
    env.reset();
    env.step(NOOP);
    env.step(NOOP);
    env.setState(env.getState());
    assert.equal(env.step(NOOP).truncated, false);
    assert.equal(env.step(NOOP).truncated, false);
    assert.equal(env.step(NOOP).truncated, true, `${g.name}: truncated on the 5th step`);
    const fresh = new g.Env(Rng.fromSeed(1), 5, EXACT) as Stateful;
    fresh.setState(env.getState());
    assert.doesNotThrow(() => fresh.step(NOOP));
  }
});
