/**
 * runCommand: --help, parsing into ctx, and the exit status and output for success, usage
 * errors, failures and Ctrl-C. In-process where streams and exit can be injected; through
 * a child process (fixtures/cli-fixture.ts) for real exit codes, stack traces and SIGINT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { defineCommand } from '../../../src/cli/infra/command';
import { runCommand, STOPPING_MESSAGE } from '../../../src/cli/infra/run-command';
import { FakeStream } from './fake-stream';

const command = defineCommand({
  name: 'probe',
  summary: 'measure how much bias a model encodes',
  spec: {
    flags: [{ name: 'layers', type: 'integer', default: 2, min: 1, help: 'probe depth' }],
    positionals: [{ name: 'model', type: 'path', required: true, help: 'the ONNX model to probe' }],
  },
});

async function runInProcess(argv: string[], main: Parameters<typeof runCommand<typeof command.spec>>[2] = async () => ({ ok: true })) {
  const stdout = new FakeStream();
  const stderr = new FakeStream();
  const exits: number[] = [];
  const code = await runCommand(command, argv, main, { stdout, stderr, env: {}, exit: (c) => exits.push(c) });
  assert.deepEqual(exits, [code], 'exit is called once, with the returned status');
  return { code, stdout: stdout.text, stderr: stderr.text };
}

test('--help prints the help with the global flags to stdout and exits 0 without running main', async () => {
  let ran = false;
  const r = await runInProcess(['--bogus', '--help'], async () => (ran = true));
  assert.equal(r.code, 0);
  assert.equal(ran, false);
  assert.match(r.stdout, /^bise probe — measure how much bias a model encodes\n/);
  for (const text of ['usage: bise probe [flags] <model>', '--layers <integer>', '--json', '-h, --help']) assert.ok(r.stdout.includes(text), text);
  assert.equal(r.stderr, '');
});

test('main gets typed flags and arguments, an unaborted signal, and the reporter', async () => {
  const r = await runInProcess(['m.onnx', '--layers=3', '--json'], async (ctx) => {
    assert.equal(ctx.flags.layers, 3);
    assert.equal(ctx.args.model, 'm.onnx');
    assert.equal(ctx.json, true);
    assert.equal(ctx.signal.aborted, false);
    ctx.onEvent({ type: 'log', level: 'info', message: 'probing' });
    return { bias: 0.42 };
  });
  assert.equal(r.code, 0);
  assert.deepEqual(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l)), [
    { type: 'log', level: 'info', message: 'probing' },
    { type: 'result', bias: 0.42 },
  ]);
});

test('a usage error in --json mode is an error line on stdout and a hint on stderr, exit 2', async () => {
  const r = await runInProcess(['--json', '--layer', '3']);
  assert.equal(r.code, 2);
  assert.deepEqual(JSON.parse(r.stdout), { type: 'error', kind: 'usage', message: 'unknown flag --layer; did you mean --layers?' });
  assert.equal(r.stderr, "error: unknown flag --layer; did you mean --layers?\nrun 'bise probe --help' to see the arguments and flags\n");
});

// ---- child process: real exit codes and signals ----

const FIXTURE = path.join(__dirname, 'fixtures', 'cli-fixture.ts');
const REPO = path.resolve(__dirname, '../../..');

interface ChildRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the fixture; `interrupts` SIGINTs are sent, one per 'ready'/'stopping' line it prints. */
function runFixture(args: string[], options: { env?: NodeJS.ProcessEnv; interrupts?: number } = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], { cwd: REPO, env: { ...process.env, BISE_DEBUG: '', ...options.env } });
    let stdout = '';
    let stderr = '';
    let sent = 0;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      // Interrupt only once main is waiting (after 'ready'), then again after the first one was acknowledged.
      const readyFor = (stderr.includes('ready') ? 1 : 0) + (stderr.includes(STOPPING_MESSAGE) ? 1 : 0);
      while (sent < Math.min(readyFor, options.interrupts ?? 0)) {
        sent++;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('child: a usage error exits 2 with the suggestion and a pointer to --help', async () => {
  const r = await runFixture(['--mdoe', 'ok']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, "error: unknown flag --mdoe; did you mean --mode?\nrun 'bise fixture --help' to see the arguments and flags\n");
});

test('child: any other error exits 1 with "error: <message>" and no stack, unless BISE_DEBUG=1', async () => {
  const plain = await runFixture(['--mode', 'fail']);
  assert.equal(plain.code, 1);
  assert.equal(plain.stderr, 'error: the model file is truncated\n');
  const debug = await runFixture(['--mode', 'fail'], { env: { BISE_DEBUG: '1' } });
  assert.equal(debug.code, 1);
  assert.match(debug.stderr, /^error: the model file is truncated\n\s+at .*cli-fixture\.ts/);
});

test('child: success in --json mode exits 0 and stdout is JSON lines only, ending with the result', async () => {
  const r = await runFixture(['--mode', 'ok', '--json']);
  assert.equal(r.code, 0);
  const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.at(-1), { type: 'result', answer: 42 });
  assert.deepEqual(lines.map((l) => l.type), ['progress', 'log', 'result']);
});

test('child: the first Ctrl-C aborts the signal, main stops, exit 130 with "nothing was written"', async () => {
  const r = await runFixture(['--mode', 'wait-for-abort'], { interrupts: 1 });
  assert.equal(r.code, 130, r.stderr);
  assert.equal(r.stderr, `ready\n${STOPPING_MESSAGE}\nabort seen\ncancelled: nothing was written\n`);
});

test('child: a second Ctrl-C quits at once with 130 even if main ignores the signal', async () => {
  const r = await runFixture(['--mode', 'ignore-abort', '--json'], { interrupts: 2 });
  assert.equal(r.code, 130, r.stderr);
  assert.equal(r.stderr, `ready\n${STOPPING_MESSAGE}\nquitting now\n`);
  assert.equal(r.stdout, '', 'no half-finished result');
});
