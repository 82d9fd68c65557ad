/**
 * The blocking of the brute-force search: query rows per block and training rows per tile.
 */

/** Query rows per block (a multiple of 4, the micro-kernels' height). */
export const QUERY_BLOCK = 32
/** Training rows per tile (a multiple of 4): a tile of 28-feature rows stays in L2. */
export const TRAIN_TILE = 256
