/**
 * Every case of the bad-input corpus through the real `bise` command line: exit status 1, one error line that
 * names the file and the problem, no stack trace (unless BISE_DEBUG=1), the inputs byte-identical afterwards
 * and no output folder or stray file left behind.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BadCase, PreparedCase, leftovers, loadCases, prepareCase, removeCase, stackLines } from './bad-cases';
import { CliResult, mapLimited, runCli } from './run-cli';

const cases = loadCases();
const results = new Map<string, { prepared: PreparedCase; result: CliResult; left: string[] }>();

before(async () => {
  // Three at a time: the runs are independent, and most of each is process start-up.
  await mapLimited(cases, 3, async (c) => {
    const prepared = prepareCase(c);
    const result = await runCli(c.argv.map(prepared.fill));
    results.set(c.id, { prepared, result, left: leftovers(prepared) });
    removeCase(prepared);
  });
});

test('the corpus holds at least 30 cases with distinct ids', () => {
  assert.ok(cases.length >= 30, `${cases.length} cases`);
  assert.equal(new Set(cases.map((c) => c.id)).size, cases.length);
});

for (const c of cases) {
  test(`bise ${c.argv[0]} refuses ${c.id}: ${c.summary}`, () => {
    const { prepared, result, left } = results.get(c.id) as { prepared: PreparedCase; result: CliResult; left: string[] };
    const stderr = result.stderr.replaceAll(prepared.dir, '{case}');
    assert.equal(result.code, 1, `exit status 1 (an error, not a usage error or a crash); stderr:\n${stderr}`);
    assert.deepEqual(errorLines(stderr).length, 1, `one 'error:' line; stderr:\n${stderr}`);
    const message = errorLines(stderr)[0];
    assertNamesFileAndProblem(c, message);
    assert.deepEqual(stackLines(result.stderr), [], 'no stack frames without BISE_DEBUG=1');
    assert.deepEqual(left, [], 'inputs untouched, nothing written');
  });
}

test('with BISE_DEBUG=1 the same error comes with its stack frames', async () => {
  const c = cases.find((x) => x.id === 'model-cycle') as BadCase;
  const prepared = prepareCase(c);
  try {
    const result = await runCli(c.argv.map(prepared.fill), { BISE_DEBUG: '1' });
    assert.equal(result.code, 1);
    assertNamesFileAndProblem(c, errorLines(result.stderr)[0] ?? '');
    assert.ok(stackLines(result.stderr).length > 0, result.stderr);
  } finally {
    removeCase(prepared);
  }
});

function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('error: '));
}

/** The message names the case's file (as a path inside the case folder) and says what is wrong. */
function assertNamesFileAndProblem(c: BadCase, message: string): void {
  const [file, ...problem] = c.expect;
  assert.ok(message.includes(`/${file}`), `names the file ${file}: ${message}`);
  for (const fragment of problem) assert.ok(message.includes(fragment), `says '${fragment}': ${message}`);
}
