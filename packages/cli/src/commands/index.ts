import type { CliCommand } from '../cli-command.js';
import { evalCommand } from './eval-command.js';
import { infoCommand } from './info-command.js';
import { posttrainCommand } from './posttrain-command.js';
import { pretrainCommand } from './pretrain-command.js';
import { reportCommand } from './report-command.js';
import { sampleCommand } from './sample-command.js';
import { shapesGenerateCommand } from './shapes-generate-command.js';
import { shapesPromptsCommand } from './shapes-prompts-command.js';

/** Every `reca` command; each lives in one file of this folder. */
export const commands: readonly CliCommand[] = [
  shapesGenerateCommand,
  shapesPromptsCommand,
  pretrainCommand,
  posttrainCommand,
  sampleCommand,
  evalCommand,
  reportCommand,
  infoCommand,
];
