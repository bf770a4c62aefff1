/**
 * lambda/exec-wrapper.sh, which both functions start through (AWS_LAMBDA_EXEC_WRAPPER): it must
 * hand the runtime's command line to node unchanged, with its V8 flags in front, and those flags
 * must keep undici's HTTP parser (WebAssembly) off V8's optimizing compiler. The last test runs
 * replies through undici with V8's compilation trace on: without the wrapper the parser is
 * recompiled by TurboFan (the reason the wrapper exists), through it never. Either side failing
 * after a Node upgrade means the wrapper needs another look (docs/development.md).
 */
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import CheckExecWrapper, { wrapperProblem } from '../../scripts/serverless/exec-wrapper-check.mjs';
import { runProcess } from '../helpers/process.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const WRAPPER = resolve(ROOT, 'lambda/exec-wrapper.sh');
const FLAGS = ['--no-wasm-tier-up', '--no-wasm-dynamic-tiering'];
const TRACE = '--trace-wasm-compilation-times';

/**
 * A node process that answers POSTs from a local server with SLS-like replies, through undici,
 * `argv[1]` times, then waits briefly so a background compile already started can report. It
 * counts replies on stderr: V8 prints its trace to stdout from other threads, so anything else
 * written there could land inside a trace line.
 */
const REPLIES = `
import { createServer } from 'node:http';
import { Agent, request } from 'undici';
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { Server: 'AliyunSLS', 'Content-Type': 'application/json',
    'x-log-requestid': '6745A2B3C4D5E6F708192A3B', 'Access-Control-Allow-Origin': '*' });
  res.end();
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const url = 'http://127.0.0.1:' + server.address().port + '/logstores/l/consumergroups/g?type=checkpoint';
const agent = new Agent();
for (let i = 1; i <= Number(process.argv[1]); i++) {
  const { body } = await request(url, { dispatcher: agent, method: 'POST', body: '{"shard":0}' });
  await body.dump();
  process.stderr.write('@@reply ' + i + '\\n');
}
await new Promise((done) => setTimeout(done, 300));
await agent.close();
server.close();
`;

const runReplies = (command: string, args: string[], replies: number, until?: RegExp) =>
  runProcess(command, [...args, TRACE, '--input-type=module', '-e', REPLIES, String(replies)], {
    cwd: ROOT,
    timeoutMs: 30_000,
    ...(until === undefined ? {} : { until }),
  });

// V8 prints a trace line in pieces, and its threads may interleave: match the phrase alone.
const TURBOFAN = /using TurboFan/;
const LIFTOFF = /using Liftoff/;

describe('lambda/exec-wrapper.sh', () => {
  it('is executable (the runtime refuses a wrapper that is not: exit 126)', () => {
    expect(statSync(WRAPPER).mode & 0o111).toBe(0o111);
  });

  it("runs node with its flags first, then the runtime's command line unchanged", async () => {
    const probe = 'console.log(JSON.stringify({ execArgv: process.execArgv, argv: process.argv.slice(1) }))';
    // What the nodejs24.x bootstrap passes: the binary, its flags, the entry point and its arguments.
    const { code, stdout } = await runProcess(WRAPPER, [
      process.execPath,
      '--expose-gc',
      '--max-semi-space-size=12',
      '-e',
      probe,
      'an argument with spaces',
      '--not-a-node-flag',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      execArgv: [...FLAGS, '--expose-gc', '--max-semi-space-size=12', '-e', probe],
      argv: ['an argument with spaces', '--not-a-node-flag'],
    });
  });

  it('refuses to run without a command line (usage, exit 64)', async () => {
    const { code, stderr } = await runProcess(WRAPPER, []);
    expect(code).toBe(64);
    expect(stderr).toMatch(/^usage: /);
  });

  it("keeps undici's HTTP parser off V8's optimizing compiler, which recompiles it without the wrapper", {
    // Two children one after the other, each bounded by its own 30 s.
    timeout: 70_000,
  }, async () => {
    // Without: stop as soon as TurboFan reports (after 150 or so of these replies on Node 24).
    const bare = await runReplies(process.execPath, [], 3_000, TURBOFAN);
    expect(bare.stdout).toMatch(TURBOFAN);
    const before = [...bare.stderr.matchAll(/^@@reply (\d+)$/gm)].at(-1)?.[1];
    console.info(`without the wrapper, TurboFan recompiled the parser by reply ${before}`);

    // Through the wrapper: far more replies than that, and the baseline compiler only.
    const wrapped = await runReplies(WRAPPER, [process.execPath], 1_500);
    expect(wrapped.code).toBe(0);
    expect(wrapped.stderr).toContain('@@reply 1500');
    expect(wrapped.stdout).toMatch(LIFTOFF);
    expect(wrapped.stdout).not.toMatch(TURBOFAN);
  });
});

describe('the packaging check (scripts/serverless/exec-wrapper-check.mjs)', () => {
  const HOOK = 'before:package:createDeploymentArtifacts';
  const TASK_PATH = 'lambda/exec-wrapper.sh';
  /** A service folder holding the wrapper as `prepare` leaves it. */
  const serviceWith = (prepare: (file: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'slscheckpoint-wrapper-'));
    mkdirSync(join(dir, 'lambda'));
    const file = join(dir, TASK_PATH);
    copyFileSync(WRAPPER, file);
    chmodSync(file, 0o755);
    prepare(file);
    return { dir, file };
  };
  const serverless = (dir: string, provider: string, functions: Record<string, string | undefined> = {}) => ({
    serviceDir: dir,
    service: {
      provider: { environment: { AWS_LAMBDA_EXEC_WRAPPER: provider } },
      getAllFunctions: () => ['heartbeat', 'checkpoint'],
      getFunction: (name: string) =>
        functions[name] === undefined ? {} : { environment: { AWS_LAMBDA_EXEC_WRAPPER: functions[name] } },
    },
  });
  const packageWith = (sls: ReturnType<typeof serverless>) => () => new CheckExecWrapper(sls).hooks[HOOK]?.();

  it('accepts the wrapper as checked in: 755, LF endings', () => {
    expect(wrapperProblem(WRAPPER)).toBeUndefined();
  });

  it('names what is wrong: missing, not executable, CRLF endings', () => {
    expect(wrapperProblem(join(tmpdir(), 'no-such-wrapper.sh'))).toBe('does not exist');
    const { file: readOnly } = serviceWith((file) => chmodSync(file, 0o644));
    expect(wrapperProblem(readOnly)).toBe('is not executable (mode 644, needs 755)');
    const { file: crlf } = serviceWith((file) =>
      writeFileSync(file, readFileSync(file, 'utf8').replaceAll('\n', '\r\n')),
    );
    expect(wrapperProblem(crlf)).toBe('has Windows line endings (CRLF)');
  });

  it('stops packaging when a function would start through a broken wrapper under /var/task', () => {
    const { dir } = serviceWith((file) => chmodSync(file, 0o644));
    expect(packageWith(serverless(dir, `/var/task/${TASK_PATH}`))).toThrow(
      /^execWrapper: lambda\/exec-wrapper\.sh is not executable .*execWrapper: "" under params\.<stage>/,
    );
    // A function's own setting counts too.
    expect(packageWith(serverless(dir, '', { checkpoint: `/var/task/${TASK_PATH}` }))).toThrow(
      /not executable/,
    );
  });

  it('lets packaging go on with a sound wrapper, none, or one outside the zip (a layer under /opt)', () => {
    const { dir } = serviceWith(() => {});
    expect(packageWith(serverless(dir, `/var/task/${TASK_PATH}`))).not.toThrow();
    const { dir: broken } = serviceWith((file) => chmodSync(file, 0o644));
    expect(packageWith(serverless(broken, ''))).not.toThrow();
    expect(packageWith(serverless(broken, '/opt/otel-handler'))).not.toThrow();
  });
});
