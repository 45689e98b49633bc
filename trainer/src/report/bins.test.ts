import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { binCentre, binCountFor, binCurveCsv, binGrid, combineSeeds, CurveBinner, evaluationsOfEvalCsv, lastFramesOfCurveCsv, MAX_BINS } from './bins.js';

const CURVE_HEADER = 'frames,wall_s,worker,return,length';

describe('curve bins', () => {
  test('each episode goes to the bin of its end frame; frames past the horizon go to the last bin', () => {
    const grid = binGrid(100, 4);
    const csv = [CURVE_HEADER, '10,0.1,0,1,10', '20,0.2,1,3,10', '30,0.3,0,5,10', '80,0.8,0,7,50', '104,1.0,1,9,24', ''].join('\n');
    const curve = binCurveCsv(csv, grid);
    assert.deepEqual(curve.means, [2, 5, null, 8]);
    assert.equal(curve.episodes, 5);
    assert.equal(curve.skipped, 0);
    assert.equal(binCentre(grid, 0), 12.5);
    assert.equal(binCentre(grid, 3), 87.5);
  });

  test('rows whose frames or return are not numbers are skipped and counted, not binned', () => {
    const curve = binCurveCsv([CURVE_HEADER, '10,0,0,NaN,1', 'x,0,0,4,1', '10,0,0,4,1'].join('\n'), binGrid(10, 2));
    assert.deepEqual(curve.means, [null, 4]);
    assert.equal(curve.skipped, 2);
  });

  test('a curve with only its header, or an empty file, has no episodes', () => {
    assert.equal(binCurveCsv(`${CURVE_HEADER}\n`, binGrid(10, 2)).episodes, 0);
    assert.equal(binCurveCsv('', binGrid(10, 2)).episodes, 0);
    assert.equal(lastFramesOfCurveCsv(`${CURVE_HEADER}\n5,0,0,1,1\n9,0,0,1,1\n7,0,0,1,1\n`), 9);
  });

  test('the grid rejects bad horizons and bin counts, naming the value', () => {
    assert.throws(() => binGrid(0), /horizon .* got 0/);
    assert.throws(() => binGrid(100, MAX_BINS + 1), new RegExp(`got ${MAX_BINS + 1}`));
    assert.throws(() => binGrid(100, 0), /got 0/);
  });

  test('runs of few episodes get fewer bins, never fewer than 10', () => {
    assert.equal(binCountFor(undefined), 100);
    assert.equal(binCountFor(10_000), 100);
    assert.equal(binCountFor(150), 50);
    assert.equal(binCountFor(3), 10);
    assert.equal(binCountFor(10_000, 200), 200);
  });

  test('a binner keeps a fixed number of bins however many episodes it takes', () => {
    const binner = new CurveBinner(binGrid(1_000_000, 50));
    for (let i = 0; i < 200_000; i++) binner.add(i * 5, i % 7);
    const curve = binner.result();
    assert.equal(curve.means.length, 50);
    assert.equal(curve.episodes, 200_000);
  });

  test('evaluations are grouped by frames, in order of frames', () => {
    const csv = ['frames,wall_s,episode,worker,return,length', '2000,1,0,0,10,10', '2000,1,1,0,20,20', '1000,0.5,0,0,4,4', ''].join('\n');
    assert.deepEqual(evaluationsOfEvalCsv(csv), [
      { frames: 1000, meanReturn: 4, episodes: 1 },
      { frames: 2000, meanReturn: 15, episodes: 2 },
    ]);
  });
});

describe('combining seeds', () => {
  const grid = binGrid(30, 3);
  const curve = (means: (number | null)[]) => ({ grid, means, episodes: means.length, skipped: 0 });

  test('the mean over the seeds with a value in each bin; bins no seed reached are left out', () => {
    const bins = combineSeeds([curve([1, null, null]), curve([3, 6, null])]);
    assert.equal(bins.length, 2);
    assert.deepEqual(
      bins.map((b) => [b.frames, b.mean, b.seeds]),
      [
        [5, 2, 2],
        [15, 6, 1],
      ],
    );
  });

  test('with 2 seeds the percentile-bootstrap band spans the two; with 1 seed there is no band', () => {
    const [two, one] = combineSeeds([curve([1, null, null]), curve([3, 6, null])]);
    assert.deepEqual([two?.low, two?.high], [1, 3]);
    assert.deepEqual([one?.low, one?.mean, one?.high], [6, 6, 6]);
  });

  test('the band of 5 seeds lies within their range and holds the mean; the same input gives the same band', () => {
    const seeds = [10, 12, 15, 20, 40].map((v) => curve([v, v, v]));
    const [bin] = combineSeeds(seeds);
    assert.ok(bin);
    assert.equal(bin.mean, 19.4);
    assert.ok(bin.low >= 10 && bin.low < bin.mean && bin.mean < bin.high && bin.high <= 40, `${bin.low} ${bin.high}`);
    assert.deepEqual(combineSeeds(seeds), combineSeeds(seeds));
  });

  test('curves on different grids are refused', () => {
    assert.throws(() => combineSeeds([curve([1, 2, 3]), { grid: binGrid(60, 3), means: [1, 2, 3], episodes: 3, skipped: 0 }]), /different grids/);
    assert.deepEqual(combineSeeds([]), []);
  });
});
