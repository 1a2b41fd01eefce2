// Install step of @reca/runtime-torch: builds the libtorch addon (build/Release/reca_torch.node) when a libtorch is
/* global process, console */
// found (see find-libtorch.js), else installs without it and says, on one line, why and how to get the fast path.
// Never downloads anything and never fails the install (`--force`, used by `build:native`, does fail on errors).
//
// Options: --force (rebuild even when up to date; exit 1 on failure), --direct (compile with g++ instead of
// node-gyp; what the GPU machine uses), --quiet. Environment: TORCH_DIR, RECA_TORCH_PYTHON, RECA_TORCH_SKIP_BUILD=1,
// RECA_NODE_HEADERS (folder with node_api.h), RECA_NODE_ADDON_API_DIR (folder with napi.h), CXX.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFlags, findLibtorch } from './find-libtorch.js';

const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const buildFolder = join(packageRoot, 'build');
const addonPath = join(buildFolder, 'Release', 'reca_torch.node');
const stampPath = join(buildFolder, 'reca-torch-build.json');
const logPath = join(buildFolder, 'reca-torch-build.log');
const prefix = '@reca/runtime-torch:';
const fastPathHint =
  "for the fast path install libtorch (Debian/Ubuntu: `apt install libtorch-dev libopenblas0-openmp`; or a pip torch: " +
  'TORCH_DIR=<site-packages>/torch), then run `pnpm --filter @reca/runtime-torch build:native`';

const argumentsGiven = new Set(process.argv.slice(2));
const force = argumentsGiven.has('--force');
const direct = argumentsGiven.has('--direct');
const quiet = argumentsGiven.has('--quiet');

function say(line) {
  if (!quiet) console.log(`${prefix} ${line}`);
}

function writeStamp(stamp) {
  mkdirSync(buildFolder, { recursive: true });
  writeFileSync(stampPath, `${JSON.stringify({ ...stamp, at: new Date().toISOString() }, null, 2)}\n`);
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(stampPath, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Hash of everything the binary depends on: flags and native sources. */
function buildKey(flags) {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(flags));
  hash.update(process.version.split('.')[0] ?? '');
  const nativeFolder = join(packageRoot, 'native');
  for (const file of readdirSync(nativeFolder).sort()) hash.update(file).update(readFileSync(join(nativeFolder, file)));
  hash.update(readFileSync(join(packageRoot, 'binding.gyp')));
  return hash.digest('hex').slice(0, 16);
}

function run(command, commandArguments, environment, log) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArguments, { cwd: packageRoot, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => log.push(chunk.toString()));
    child.stderr.on('data', (chunk) => log.push(chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${basename(command)} exited with code ${code}`))));
  });
}

function nodeHeadersFolder() {
  const candidates = [process.env.RECA_NODE_HEADERS, '/usr/include/node', join(dirname(dirname(process.execPath)), 'include', 'node')];
  return candidates.find((folder) => folder !== undefined && folder !== '' && existsSync(join(folder, 'node_api.h')));
}

function nodeAddonApiFolder() {
  if (process.env.RECA_NODE_ADDON_API_DIR) return process.env.RECA_NODE_ADDON_API_DIR;
  try {
    return dirname(createRequire(join(packageRoot, 'package.json')).resolve('node-addon-api/napi.h'));
  } catch {
    return undefined;
  }
}

function nodeGypScript() {
  try {
    return createRequire(join(packageRoot, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return undefined;
  }
}

async function buildWithNodeGyp(script, flags, log) {
  const environment = {
    ...process.env,
    RECA_TORCH_INCLUDE_DIRS: flags.includeDirs.join(' '),
    RECA_TORCH_CXXFLAGS: flags.compile.join(' '),
    RECA_TORCH_LDFLAGS: flags.link.join(' '),
  };
  const gypArguments = [script, 'rebuild', '--jobs=max'];
  if (existsSync('/usr/include/node/node_api.h')) gypArguments.push('--nodedir=/usr');
  await run(process.execPath, gypArguments, environment, log);
}

async function buildDirect(flags, log) {
  const headers = nodeHeadersFolder();
  const addonApi = nodeAddonApiFolder();
  if (headers === undefined) throw new Error('no Node-API headers (node_api.h); set RECA_NODE_HEADERS');
  if (addonApi === undefined) throw new Error('node-addon-api not found; set RECA_NODE_ADDON_API_DIR');
  const compiler = process.env.CXX || 'g++';
  const objectFolder = join(buildFolder, 'Release', 'obj');
  mkdirSync(objectFolder, { recursive: true });
  const sources = readdirSync(join(packageRoot, 'native')).filter((file) => file.endsWith('.cc'));
  const common = [
    '-O2', '-fPIC', '-fexceptions', '-frtti', '-DNAPI_VERSION=8', '-DNAPI_CPP_EXCEPTIONS', '-DBUILDING_NODE_EXTENSION',
    `-I${headers}`, `-I${addonApi}`, ...flags.includeDirs.map((folder) => `-I${folder}`), ...flags.compile,
  ];
  const queue = [...sources];
  const jobs = Math.max(1, Math.min(availableParallelism(), queue.length));
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      for (let source = queue.shift(); source !== undefined; source = queue.shift()) {
        const output = join(objectFolder, source.replace(/\.cc$/, '.o'));
        await run(compiler, [...common, '-c', join('native', source), '-o', output], process.env, log);
      }
    }),
  );
  const objects = sources.map((source) => join(objectFolder, source.replace(/\.cc$/, '.o')));
  await run(compiler, ['-shared', '-o', addonPath, ...objects, ...flags.link], process.env, log);
}

/** Loads the built addon in a child process (a missing library or symbol shows up here, not in the user's program). */
function verifyAddon() {
  const probe = `const a = require(${JSON.stringify(addonPath)}); const i = a.info(); console.log(JSON.stringify({ version: i.torchVersion, cuda: i.cudaAvailable, devices: i.cudaDevices, kernels: a.kernelNames().length }));`;
  const output = execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(output.trim().split('\n').pop());
}

async function main() {
  if (process.env.RECA_TORCH_SKIP_BUILD === '1') {
    writeStamp({ status: 'skipped', reason: 'RECA_TORCH_SKIP_BUILD=1' });
    say(`native addon build skipped (RECA_TORCH_SKIP_BUILD=1); ${fastPathHint}`);
    return 0;
  }
  const { location, reasons } = findLibtorch();
  if (location === undefined) {
    const reason = `no libtorch found (${reasons.join('; ')})`;
    writeStamp({ status: 'skipped', reason });
    say(`installed without the native addon: ${reason}; the runtime uses the next backend — ${fastPathHint}`);
    return 0;
  }
  const flags = buildFlags(location);
  const key = buildKey(flags);
  const previous = readStamp();
  if (!force && previous?.status === 'built' && previous.key === key && existsSync(addonPath)) {
    say(`native addon up to date (${location.source} torch ${location.version})`);
    return 0;
  }
  const log = [];
  const started = Date.now();
  const script = direct ? undefined : nodeGypScript();
  try {
    mkdirSync(buildFolder, { recursive: true });
    let tool = script === undefined ? 'g++' : 'node-gyp';
    if (script !== undefined) {
      try {
        await buildWithNodeGyp(script, flags, log);
      } catch (error) {
        // node-gyp needs Python and make; a plain compiler build often still works.
        log.push(`\nnode-gyp failed (${error instanceof Error ? error.message : String(error)}); retrying with ${process.env.CXX || 'g++'}\n`);
        tool = 'g++';
        await buildDirect(flags, log);
      }
    } else {
      await buildDirect(flags, log);
    }
    const verified = verifyAddon();
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    writeStamp({ status: 'built', key, torch: location, flags, verified, tool });
    writeFileSync(logPath, log.join(''));
    say(
      `built the libtorch addon against ${location.source} torch ${verified.version}` +
        `${verified.cuda ? ` with CUDA (${verified.devices} device(s))` : ' (CPU)'}, ${verified.kernels} native kernels, in ${seconds} s`,
    );
    return 0;
  } catch (error) {
    mkdirSync(buildFolder, { recursive: true });
    writeFileSync(logPath, `${log.join('')}\n${error instanceof Error ? error.stack : String(error)}\n`);
    const reason = `building against ${location.source} torch ${location.version} failed: ${error instanceof Error ? error.message : String(error)} (log: ${logPath})`;
    writeStamp({ status: 'failed', reason, torch: location });
    if (force) {
      console.error(`${prefix} ${reason}`);
      console.error(log.join('').split('\n').filter((line) => /error/i.test(line)).slice(0, 20).join('\n'));
      return 1;
    }
    say(`installed without the native addon: ${reason}; the runtime uses the next backend`);
    return 0;
  }
}

process.exitCode = await main();
