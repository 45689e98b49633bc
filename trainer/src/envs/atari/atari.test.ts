/**
 * The Atari environments through the real ALE binding (@asyncrl/ale, built from ../shared/vendor in CI),
 * on the one ROM that may be shipped in tests: ALE's own homebrew Tetris (tests/resources/tetris.bin of
 * the ALE source the build extracted). Where the vendored source is present the binding must be built;
 * elsewhere these tests are skipped with a message.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AleBinding } from '@asyncrl/ale';
import { Rng } from '../../util/rng.js';
import { tempDir } from '../../testing/helpers.js';
import { AsyncrlProcess, BIN, assertFinishedRun, childEnv, describeExit, latestFrames, readJson, trainArgs } from '../../faults/harness.js';
import { LocalRunStore } from '../../storage/local-store.js';
import { findEnv } from '../catalog.js';
import { ALE_GAMES } from './games.js';
import { AtariEnv } from './atari-env.js';
import { ATARI_GAMES, SCREEN, atariGame, atariName } from './ids.js';
import { findRom, loadAleBinding } from './roms.js';
import { TETRIS_ROM, compileAleDriver } from './native-driver.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const VENDORED = resolve(REPO, '..', 'shared', 'vendor', 'ale-0.12.1.tar.gz');
const TETRIS = TETRIS_ROM;

let ale: AleBinding | undefined;
let unavailable = '';
try {
  ale = await loadAleBinding();
  if (!existsSync(TETRIS)) throw new Error(`no ${TETRIS}`);
} catch (error) {
  ale = undefined;
  unavailable = error instanceof Error ? error.message : String(error);
}
const skip = ale === undefined ? `the ALE binding is not built here: ${unavailable}` : false;

test('where the vendored ALE source is present (CI), the binding is built and loads', () => {
  if (!existsSync(VENDORED)) return;
  assert.ok(ale !== undefined, unavailable);
});

test('Atari ids are named as Gymnasium names ALE games', () => {
  assert.equal(atariName('space_invaders'), 'SpaceInvaders');
  assert.equal(atariName('tic_tac_toe_3d'), 'TicTacToe3D');
  assert.equal(atariName('pitfall2'), 'Pitfall2');
  assert.equal(atariName('mr_do'), 'MrDo');
  assert.equal(atariGame('ALE/Pong-v5')?.rom, 'pong');
  assert.equal(atariGame('ALE/MontezumaRevenge-v5')?.rom, 'montezuma_revenge');
  assert.equal(ATARI_GAMES.length, 103);
  const pong = findEnv('ALE/Pong-v5');
  assert.deepEqual(pong?.observationShape, [84, 84, 4]);
  assert.equal(pong?.maxEpisodeSteps, 27_000);
  assert.deepEqual(pong?.scores && [pong.scores.random, pong.scores.reference], [-20.7, 14.6]);
  assert.equal(findEnv('ALE/Tetris-v5')?.scores, undefined, 'Tetris is not one of the Atari-57');
});

describe('the ALE binding on Tetris', { skip }, () => {
  const binding = (): AleBinding => ale as AleBinding;

  test("every game's minimal action set in games.ts is the binding's", () => {
    for (const [rom, actions] of ALE_GAMES) assert.equal(binding().gameInfo(rom)?.minimalActions.length, actions, rom);
    assert.equal(binding().gameInfo('no_such_game'), null);
    assert.equal(binding().identifyRom(TETRIS), 'tetris');
  });

  test('raw mode: screens and rewards equal those of ALE’s own C++ interface built from the same source, frame for frame', () => {
    // The reference: ALE's C++ interface alone, printing each frame's reward and an FNV-1a hash of the
    // grayscale screen.
    const exe = compileAleDriver(`
int main(int argc, char** argv) {
  ale::Logger::setMode(ale::Logger::Error);
  ale::ALEInterface env;
  env.setInt("random_seed", 1234);
  env.setFloat("repeat_action_probability", 0.0f);
  env.setInt("frame_skip", 1);
  env.setInt("max_num_frames_per_episode", 0);
  env.loadROM(argv[1]);
  ale::ActionVect actions = env.getMinimalActionSet();
  std::vector<unsigned char> screen;
  env.reset_game();
  for (int t = 0; t < 3000; t++) {
    if (env.game_over(false)) env.reset_game();
    int reward = env.act(actions[(t * 7 + t / 13) % actions.size()]);
    env.getScreenGrayscale(screen);
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char v : screen) { h ^= v; h *= 1099511628211ULL; }
    std::printf("%d %016llx\\n", reward, (unsigned long long)h);
  }
}
`);
    const expected = execFileSync(exe, [TETRIS], { encoding: 'utf8' }).trim().split('\n');

    const env = new AtariEnv('ALE/Tetris-v5', binding(), TETRIS, Rng.fromSeed(0), 1_000_000, { protocol: 'raw', lifeLoss: 'continue' }, 1234);
    const actions = binding().gameInfo('tetris')?.minimalActions as Int32Array;
    assert.equal(env.actionSpace.n, actions.length);
    env.reset();
    const got: string[] = [];
    for (let t = 0; t < 3000; t++) {
      const step = env.step((t * 7 + Math.floor(t / 13)) % actions.length);
      let h = 1469598103934665603n;
      for (const v of step.observation) {
        h ^= BigInt(Math.round(v * 255));
        h = (h * 1099511628211n) & 0xffffffffffffffffn;
      }
      got.push(`${step.reward} ${h.toString(16).padStart(16, '0')}`);
      if (step.terminated) env.reset();
    }
    assert.equal(got.length, expected.length);
    const first = got.findIndex((line, t) => line !== expected[t]);
    assert.equal(first, -1, `frame ${first}: binding ${got[first]}, C++ ${expected[first]}`);
    assert.ok(new Set(got.map((line) => line.split(' ')[1])).size > 100, 'the screen changes over 3000 frames');
  });

  test('under one seed two environments play the same episode; v5 sticky actions make another seed differ', () => {
    const play = (seed: number, protocol: 'v5' | 'paper'): string[] => {
      const env = new AtariEnv('ALE/Tetris-v5', binding(), TETRIS, Rng.fromSeed(seed), 27_000, { protocol, lifeLoss: 'continue' });
      env.reset();
      const trace: string[] = [];
      for (let t = 0; t < 400; t++) {
        const step = env.step(t % env.actionSpace.n);
        let sum = 0;
        for (let i = 0; i < step.observation.length; i += 7) sum += step.observation[i] as number;
        trace.push(`${step.reward}:${sum.toFixed(4)}`);
        if (step.terminated || step.truncated) env.reset();
      }
      return trace;
    };
    for (const protocol of ['v5', 'paper'] as const) assert.deepEqual(play(11, protocol), play(11, protocol), protocol);
    assert.notDeepEqual(play(11, 'v5'), play(12, 'v5'));
  });

  test('paper protocol: every reset starts after 1 to 30 no-op frames, and both ends of that range occur', () => {
    const env = new AtariEnv('ALE/Tetris-v5', binding(), TETRIS, Rng.fromSeed(2), 27_000, { protocol: 'paper', lifeLoss: 'continue' });
    const game = (env as unknown as { game: { episodeFrameNumber(): number } }).game;
    const seen = new Set<number>();
    for (let i = 0; i < 400; i++) {
      env.reset();
      seen.add(game.episodeFrameNumber());
    }
    assert.equal(Math.min(...seen), 1);
    assert.equal(Math.max(...seen), 30);
    assert.equal(seen.size, 30);
  });

  test('the binding in two worker threads at once plays what it plays in the main thread', async () => {
    const script = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.pkg).then(({ loadAle }) => {
        const ale = loadAle();
        const game = new ale.AleGame(workerData.rom, { seed: 99, repeatActionProbability: 0.25 });
        const actions = game.minimalActions();
        const screen = new Uint8Array(game.height * game.width);
        let total = 0, sum = 0;
        for (let t = 0; t < 5000; t++) {
          if (game.gameOver()) game.resetGame();
          total += game.act(actions[t % actions.length]);
          game.screenGrayscale(screen);
          sum = (sum * 31 + screen.reduce((a, b) => a + b, 0)) % 1000000007;
        }
        parentPort.postMessage(total + ':' + sum);
      });`;
    const pkg = join(REPO, 'ale', 'index.js');
    const run = (): Promise<string> =>
      new Promise((resolveRun, reject) => {
        const worker = new Worker(script, { eval: true, workerData: { pkg, rom: TETRIS } });
        worker.once('message', (m: string) => resolveRun(m));
        worker.once('error', reject);
      });
    const [a, b] = await Promise.all([run(), run()]);
    const game = new (binding().AleGame)(TETRIS, { seed: 99, repeatActionProbability: 0.25 });
    const actions = game.minimalActions();
    const screen = new Uint8Array(SCREEN.height * SCREEN.width);
    let total = 0;
    let sum = 0;
    for (let t = 0; t < 5000; t++) {
      if (game.gameOver()) game.resetGame();
      total += game.act(actions[t % actions.length] as number);
      game.screenGrayscale(screen);
      sum = (sum * 31 + screen.reduce((x, y) => x + y, 0)) % 1000000007;
    }
    assert.equal(a, `${total}:${sum}`);
    assert.equal(b, a);
  });

  test('ROMs: a missing directory, no directory given, a wrong ROM and a game whose ROM is absent are named', () => {
    const dir = tempDir('asyncrl-roms-');
    assert.throws(() => findRom(binding(), 'ALE/Tetris-v5', 'tetris', undefined), /ALE\/Tetris-v5 needs its ROM: .*--rom-dir DIR or ASYNCRL_ROM_DIR/);
    assert.throws(() => findRom(binding(), 'ALE/Tetris-v5', 'tetris', join(dir, 'nowhere')), /--rom-dir: ".*nowhere" is not a readable directory/);
    assert.throws(() => findRom(binding(), 'ALE/Pong-v5', 'pong', dir), /ALE\/Pong-v5: no ROM for pong in .* \(looked for pong\.bin/);
    copyFileSync(TETRIS, join(dir, 'pong.bin'));
    assert.throws(() => findRom(binding(), 'ALE/Pong-v5', 'pong', dir), /pong\.bin is not the pong ROM that ALE knows \(ALE identifies it as tetris\)/);
    // Any file name: ALE's md5 identifies the game.
    const other = tempDir('asyncrl-roms-');
    copyFileSync(TETRIS, join(other, 'Tetris 2600 (Colin Hughes).bin'));
    assert.equal(findRom(binding(), 'ALE/Tetris-v5', 'tetris', other), join(other, 'Tetris 2600 (Colin Hughes).bin'));
  });

  test(
    'end to end on ALE/Tetris-v5, 2 workers, paper protocol: SIGTERM mid-run, resume to the budget, every curve row once, model exported, report written',
    { timeout: 300_000 },
    async () => {
      const cwd = tempDir('asyncrl-atari-run-');
      const roms = join(cwd, 'roms');
      mkdirSync(roms);
      copyFileSync(TETRIS, join(roms, 'tetris.bin'));
      const frames = 12_000;
      const runDir = join(cwd, 'asyncrl-runs', 'runs', 'tetris');
      const store = new LocalRunStore(runDir);
      const args = trainArgs({
        env: 'ALE/Tetris-v5',
        'atari-protocol': 'paper',
        workers: 2,
        frames,
        'run-id': 'tetris',
        'checkpoint-frames': 2_000,
        'eval-episodes': 1,
      });
      const first = new AsyncrlProcess(args, { cwd, env: childEnv({ ASYNCRL_ROM_DIR: roms }) });
      await first.waitFor('a checkpoint past T = 2,000', async () => ((await latestFrames(store)) ?? 0) >= 2_000);
      first.kill('SIGTERM');
      const stopped = await first.exit();
      assert.equal(stopped.code, 143, describeExit(stopped));
      const resumed = spawnSync(process.execPath, [BIN, 'train', '--resume', runDir], { cwd, encoding: 'utf8', env: childEnv() });
      assert.equal(resumed.status, 0, resumed.stderr);
      const result = await assertFinishedRun(store, { workers: 2, evalInterval: 0, evalEpisodes: 1, frames }, 'Tetris');
      assert.equal(result['env'], 'ALE/Tetris-v5');
      const config = await readJson(store, 'config.json');
      assert.equal((config['config'] as Record<string, unknown>)['atariProtocol'], 'paper');
      assert.equal((config['config'] as Record<string, unknown>)['romDir'], roms);
      const report = spawnSync(process.execPath, [BIN, 'report', runDir], { cwd, encoding: 'utf8', env: childEnv() });
      assert.equal(report.status, 0, report.stderr);
      assert.ok(existsSync(join(runDir, 'report.html')));
    },
  );

  test('asyncrl train on an Atari id without its ROM exits 2 naming the game and the directory', () => {
    const dir = tempDir('asyncrl-roms-');
    mkdirSync(join(dir, 'roms'));
    const cases = [
      { args: ['--env', 'ALE/Pong-v5', '--rom-dir', join(dir, 'roms')], message: /ALE\/Pong-v5: no ROM for pong in .*roms/ },
      { args: ['--env', 'ALE/Pong-v5'], message: /ALE\/Pong-v5 needs its ROM/ },
      { args: ['--env', 'ALE/NoSuchGame-v5'], message: /env.*"ALE\/NoSuchGame-v5"/ },
    ];
    for (const c of cases) {
      const exit = spawnSync(process.execPath, [BIN, 'train', ...c.args, '--frames', '1000', '--out', join(dir, 'runs')], {
        encoding: 'utf8',
        env: childEnv({ ASYNCRL_ROM_DIR: '' }),
      });
      assert.equal(exit.status, 2, exit.stderr);
      assert.match(exit.stderr, c.message);
    }
  });
});
