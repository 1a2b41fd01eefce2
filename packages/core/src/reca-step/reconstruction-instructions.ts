import pool from './reconstruction-instructions.json' with { type: 'json' };

/**
 * The default instruction pool for RecA conditions (data: `reconstruction-instructions.json`). RecA draws one
 * instruction per sample; the paper finds a diverse pool helps Show-o and does not hurt Harmon.
 */
export const reconstructionInstructions: readonly string[] = Object.freeze([...pool.instructions]);
