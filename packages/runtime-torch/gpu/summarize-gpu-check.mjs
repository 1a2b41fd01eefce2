// Prints the GPU check's short table from $OUT (gpu-check.json, pytorch-<preset>.log, status.txt). Plain Node.
/* global process, console */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2] ?? '.';
const read = (name) => (existsSync(join(out, name)) ? readFileSync(join(out, name), 'utf8') : '');
const json = (text) => {
  try {
    return JSON.parse(text.trim().split('\n').pop() ?? '');
  } catch {
    return undefined;
  }
};

console.log('\n==== @reca/runtime-torch GPU check ====');
console.log(read('nvidia-smi.txt').trim());
console.log(`torch: ${read('torch-info.log').trim()}`);
console.log(read('status.txt').trim());
const buildLine = read('build.log').trim().split('\n').pop();
console.log(`build: ${buildLine}`);
const check = json(read('gpu-check.json')) ?? (existsSync(join(out, 'gpu-check.json')) ? JSON.parse(read('gpu-check.json')) : undefined);
if (check === undefined) {
  console.log('gpu-check: no results (see gpu-check.log)');
} else {
  console.log(`device: ${check.device}`);
  if (check.differential) {
    const { cases, failures, fallbackCases } = check.differential;
    console.log(`differential (torch vs cpu): ${cases - failures.length}/${cases} agree; cpu fallbacks in ${fallbackCases.length} case(s)`);
    for (const failure of failures.slice(0, 15)) console.log(`  FAIL ${failure.name}: ${failure.problems.join('; ')}`);
  }
  if (check.differentialAsynchronous) {
    const { cases, failures } = check.differentialAsynchronous;
    console.log(`differential, asynchronous execution (second pass: shapes known): ${cases - failures.length}/${cases} agree`);
    for (const failure of failures.slice(0, 15)) console.log(`  FAIL ${failure.name}: ${failure.problems.join('; ')}`);
  }
  if (check.memory) {
    const memory = check.memory;
    console.log(
      `memory (100 tiny steps): flat=${memory.flat} tensors ${memory.before.tensors}→${memory.after.tensors} handles ${memory.before.handles}→${memory.after.handles}; ` +
        `per step ${memory.readsPerStep} reads, ${memory.hostToDeviceWritesPerStep} host→device writes, ${memory.scalarWritesPerStep} scalar writes`,
    );
  }
}
const rows = [['preset', 'tfjs torch ms/step (synchronous / asynchronous; its JavaScript)', 'PyTorch ms/step (before / after)', 'ratio (before / after)', 'issue ms torch / PyTorch', 'ATen ops/step torch / PyTorch', 'loss torch (first→last)', 'loss PyTorch', 'asynchronous losses vs synchronous (max relative difference)']];
const operators = (count) => (count === undefined ? '-' : String(count));
const issue = (entry) => (entry?.issueMsPerStep === undefined ? '-' : `${entry.issueMsPerStep.toFixed(2)} of ${entry.issuedStepMs.toFixed(2)}`);
for (const timing of check?.timings ?? []) {
  const pytorch = json(read(`pytorch-${timing.preset}.log`));
  // PyTorch ran before and after the tfjs check: one value per run, '-' for a run that gave nothing.
  const pytorchRuns = [json(read(`pytorch-before-${timing.preset}.log`)), pytorch];
  const perRun = (value) => pytorchRuns.map((run) => (run?.msPerStep === undefined ? '-' : value(run))).join(' / ');
  const asynchronous = timing.asynchronousMsPerStep;
  rows.push([
    timing.preset,
    `${timing.msPerStep.toFixed(2)} / ${asynchronous === undefined ? '-' : asynchronous.toFixed(2)}` +
      `${timing.asynchronousJavaScriptMsPerStep === undefined ? '' : `; ${timing.asynchronousJavaScriptMsPerStep.toFixed(2)}`}`,
    perRun((run) => run.msPerStep.toFixed(2)),
    perRun((run) => `${(timing.msPerStep / run.msPerStep).toFixed(2)}${asynchronous === undefined ? '' : ` (${(asynchronous / run.msPerStep).toFixed(2)})`}`),
    `${issue(timing)} / ${issue(pytorch)}`,
    `${operators(check?.[`kernelProfile-${timing.preset}`]?.atenOperators)} / ${operators(pytorch?.atenOperatorsPerStep)}`,
    `${timing.firstLoss.toFixed(3)}→${timing.lastLoss.toFixed(3)}`,
    pytorch ? `${pytorch.firstLoss.toFixed(3)}→${pytorch.lastLoss.toFixed(3)}` : '-',
    timing.asynchronousLossesMaxRelativeDifference === undefined ? '-' : timing.asynchronousLossesMaxRelativeDifference.toExponential(1),
  ]);
}
if (rows.length === 1) {
  for (const preset of ['tiny', 'small', 'medium', 'large']) {
    const pytorch = json(read(`pytorch-${preset}.log`));
    if (pytorch) {
      rows.push([preset, '-', pytorch.msPerStep.toFixed(2), '-', `- / ${issue(pytorch)}`, `- / ${operators(pytorch.atenOperatorsPerStep)}`, '-', `${pytorch.firstLoss.toFixed(3)}→${pytorch.lastLoss.toFixed(3)}`, '-']);
    }
  }
}
const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
for (const row of rows) console.log(`| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`);
const checkLog = read('gpu-check.log');
if (checkLog) {
  const lines = checkLog.split('\n').filter((line) => /^(one \[4, 4\] op|kernel profile \(|\d+ tfjs kernel calls|most host time|kernels that copied|tfjs torch .* issuing)/.test(line));
  if (lines.length > 0) console.log(`\n${lines.join('\n')}`);
}
const opOverhead = json(read('pytorch-op-overhead.log'));
if (opOverhead) console.log(`PyTorch, one [4, 4] op, µs per call: add ${opOverhead.addMicroseconds.toFixed(2)}, reshape ${opOverhead.reshapeMicroseconds.toFixed(2)}`);
const profile = read('kernel-profile.md');
if (profile) console.log(`\n${profile.split('\n').slice(0, 20).join('\n')}`);
const recaStepLog = read('reca-step.log');
if (recaStepLog) {
  // Each torch row's kernel profile, in short: the step line, where host time went, kernels that copied inputs.
  const profileLines = recaStepLog
    .split('\n')
    .filter((line) => /^(kernel profile of one torch recaStep|\d+ tfjs kernel calls|most host time|kernels that copied)/.test(line));
  if (profileLines.length > 0) console.log(`\n${profileLines.join('\n')}`);
  const start = recaStepLog.indexOf('recaStep per adapter preset');
  console.log(`\n${start >= 0 ? recaStepLog.slice(start).trim() : recaStepLog.trim().split('\n').slice(-15).join('\n')}`);
}
const asynchronousLog = read('reca-step-asynchronous.log');
if (asynchronousLog) {
  const start = asynchronousLog.indexOf('recaStep per adapter preset');
  console.log(`\nrecaStep, asynchronous execution:\n${start >= 0 ? asynchronousLog.slice(start).trim() : asynchronousLog.trim().split('\n').slice(-10).join('\n')}`);
}
