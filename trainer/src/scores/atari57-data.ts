/**
 * asyncrl's copy of the Atari-57 reference scores (57 games), generated from
 * atari57-reference-scores.csv; atari57-data.test.ts checks that this copy equals that file whenever it
 * is present beside the project (../shared/reference/).
 *
 * Columns and sources:
 * - `random`, `human`: no-op starts (up to 30 no-op actions at reset). Source: google-deepmind/dqn_zoo,
 *   `dqn_zoo/atari_data.py`; the human column equals the no-op human scores of the Dueling DQN paper
 *   (Wang et al. 2016).
 * - `random_hs`, `human_hs`: human starts (episodes start from states sampled from human play), the
 *   protocol of Gorila, Double DQN and Table 1 of Mnih et al. 2016. Source: seungjaeryanlee/rldb, Double
 *   DQN paper entries (`algo__human`, `algo__random`); human values from Nair et al. 2015.
 *
 * Nature DQN (Mnih et al. 2015, 49 games) used other human scores in 34 games (Alien 6875.4 against
 * 7127.7 here), so a normalised score is only comparable with others normalised by the same table.
 */

/** The CSV header, in order. */
export const ATARI57_COLUMNS = ['game', 'random', 'human', 'random_hs', 'human_hs'] as const;

/** One row per game, in the CSV's order: [game, random, human, random_hs, human_hs]. */
export const ATARI57_ROWS: readonly (readonly [game: string, random: number, human: number, randomHs: number, humanHs: number])[] = [
  ['alien', 227.8, 7127.7, 128.3, 6371.3],
  ['amidar', 5.8, 1719.5, 11.8, 1540.4],
  ['assault', 222.4, 742, 166.9, 628.9],
  ['asterix', 210, 8503.3, 164.5, 7536],
  ['asteroids', 719.1, 47388.7, 871.3, 36517.3],
  ['atlantis', 12850, 29028.1, 13463, 26575],
  ['bank_heist', 14.2, 753.1, 21.7, 644.5],
  ['battle_zone', 2360, 37187.5, 3560, 33030],
  ['beam_rider', 363.9, 16926.5, 254.6, 14961],
  ['berzerk', 123.7, 2630.4, 196.1, 2237.5],
  ['bowling', 23.1, 160.7, 35.2, 146.5],
  ['boxing', 0.1, 12.1, -1.5, 9.6],
  ['breakout', 1.7, 30.5, 1.6, 27.9],
  ['centipede', 2090.9, 12017, 1925.5, 10321.9],
  ['chopper_command', 811, 7387.8, 644, 8930],
  ['crazy_climber', 10780.5, 35829.4, 9337, 32667],
  ['defender', 2874.5, 18688.9, 1965.5, 14296],
  ['demon_attack', 152.1, 1971, 208.3, 3442.8],
  ['double_dunk', -18.6, -16.4, -16, -14.4],
  ['enduro', 0, 860.5, -81.8, 740.2],
  ['fishing_derby', -91.7, -38.7, -77.1, 5.1],
  ['freeway', 0, 29.6, 0.1, 25.6],
  ['frostbite', 65.2, 4334.7, 66.4, 4202.8],
  ['gopher', 257.6, 2412.5, 250, 2311],
  ['gravitar', 173, 3351.4, 245.5, 3116],
  ['hero', 1027, 30826.4, 1580.3, 25839.4],
  ['ice_hockey', -11.2, 0.9, -9.7, 0.5],
  ['jamesbond', 29, 302.8, 33.5, 368.5],
  ['kangaroo', 52, 3035, 100, 2739],
  ['krull', 1598, 2665.5, 1151.9, 2109.1],
  ['kung_fu_master', 258.5, 22736.3, 304, 20786.8],
  ['montezuma_revenge', 0, 4753.3, 25, 4182],
  ['ms_pacman', 307.3, 6951.6, 197.8, 15375],
  ['name_this_game', 2292.3, 8049, 1747.8, 6796],
  ['phoenix', 761.4, 7242.6, 1134.4, 6686.2],
  ['pitfall', -229.4, 6463.7, -348.8, 5998.9],
  ['pong', -20.7, 14.6, -18, 15.5],
  ['private_eye', 24.9, 69571.3, 662.8, 64169.1],
  ['qbert', 163.9, 13455, 183, 12085],
  ['riverraid', 1338.5, 17118, 588.3, 14382.2],
  ['road_runner', 11.5, 7845, 200, 6878],
  ['robotank', 2.2, 11.9, 2.4, 8.9],
  ['seaquest', 68.4, 42054.7, 215.5, 40425.8],
  ['skiing', -17098.1, -4336.9, -15287.4, -3686.6],
  ['solaris', 1236.3, 12326.7, 2047.2, 11032.6],
  ['space_invaders', 148, 1668.7, 182.6, 1464.9],
  ['star_gunner', 664, 10250, 697, 9528],
  ['surround', -10, 6.5, -9.7, 5.4],
  ['tennis', -23.8, -8.3, -21.4, -6.7],
  ['time_pilot', 3568, 5229.2, 3273, 5650],
  ['tutankham', 11.4, 167.6, 12.7, 138.3],
  ['up_n_down', 533.4, 11693.2, 707.2, 9896.1],
  ['venture', 0, 1187.5, 18, 1039],
  ['video_pinball', 16256.9, 17667.9, 20452, 15641.1],
  ['wizard_of_wor', 563.5, 4756.5, 804, 4556],
  ['yars_revenge', 3092.9, 54576.9, 1476.9, 47135.2],
  ['zaxxon', 32.5, 9173.3, 475, 8443],
];
