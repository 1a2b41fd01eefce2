import type { CliCommand } from '../cli-command.js';
import { evalCommand } from './eval-command.js';
import { shapesGenerateCommand } from './shapes-generate-command.js';
import { shapesPromptsCommand } from './shapes-prompts-command.js';

/**
 * Every `reca` command. Later commands (sample, pretrain, posttrain, report, info) each add one file in this folder
 * and one entry here.
 */
export const commands: readonly CliCommand[] = [shapesGenerateCommand, shapesPromptsCommand, evalCommand];
