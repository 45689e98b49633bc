/**
 * ALE's own C++ interface, without asyncrl: a small driver compiled against the library and headers that
 * the @asyncrl/ale build left in ale/build, for the tests (frame-for-frame traces) and the benchmark (raw
 * emulator speed). Needs g++ and a built binding.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
/** The extracted ALE source and the CMake build of @asyncrl/ale (ale/scripts/build.mjs). */
export const ALE_SOURCE = join(REPO, 'ale', 'build', 'ale-0.12.1');
const ALE_CMAKE = join(REPO, 'ale', 'build', 'cmake');
/** ALE's own homebrew Tetris ROM, in its source: the one ROM tests may use. */
export const TETRIS_ROM = join(ALE_SOURCE, 'tests', 'resources', 'tetris.bin');

const PRELUDE = `#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include "ale/ale_interface.hpp"
#include "ale/common/Log.hpp"
`;

/**
 * Compiles `body` (a C++ main function after the prelude's includes) into an executable and returns its
 * path. The driver links libale.a, the same objects the binding links.
 */
export function compileAleDriver(body: string): string {
  const library = join(ALE_CMAKE, 'ale', 'src', 'ale', 'libale.a');
  if (!existsSync(library)) throw new Error(`no ${library}: build @asyncrl/ale first (npm run build -w @asyncrl/ale)`);
  const dir = mkdtempSync(join(tmpdir(), 'asyncrl-ale-driver-'));
  const source = join(dir, 'driver.cpp');
  writeFileSync(source, PRELUDE + body);
  const exe = join(dir, 'driver');
  execFileSync('g++', [
    '-std=c++17',
    '-O2',
    '-flto=auto',
    source,
    '-o',
    exe,
    '-I',
    join(ALE_SOURCE, 'src'),
    '-I',
    join(ALE_CMAKE, 'ale', 'src', 'ale'),
    library,
    '-lz',
    '-lpthread',
  ]);
  return exe;
}

/**
 * A driver that plays `rom` with ALE's settings frame_skip = `frameSkip` and no sticky actions, one
 * act() and one getScreenGrayscale() a step through the minimal action set, for `steps` steps, and prints
 * its steps per second: what raw ALE does for one agent step.
 */
export const RAW_SPEED_DRIVER = `
int main(int argc, char** argv) {
  ale::Logger::setMode(ale::Logger::Error);
  ale::ALEInterface env;
  env.setInt("random_seed", 7);
  env.setFloat("repeat_action_probability", 0.0f);
  env.setInt("frame_skip", std::atoi(argv[2]));
  env.loadROM(argv[1]);
  const long steps = std::atol(argv[3]);
  ale::ActionVect actions = env.getMinimalActionSet();
  std::vector<unsigned char> screen;
  env.reset_game();
  auto start = std::chrono::steady_clock::now();
  for (long t = 0; t < steps; t++) {
    if (env.game_over()) env.reset_game();
    env.act(actions[(t * 7 + t / 13) % actions.size()]);
    env.getScreenGrayscale(screen);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%.1f\\n", steps / seconds);
}
`;
