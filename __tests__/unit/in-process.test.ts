/**
 * The harness that runs the entry points in this process (helpers/in-process.ts) leaves nothing
 * behind for the next test: the environment, the exit code, the streams and the signal
 * listeners are what they were, and two runs never share the process at once.
 */
import { describe, expect, it } from '@jest/globals';
import { inProcess } from '../helpers/in-process.js';

describe('inProcess', () => {
  it('runs with exactly the given environment, captures the output, and puts everything back', async () => {
    const before = { ...process.env };
    const exitCode = process.exitCode;
    const seen: Record<string, string | undefined> = {};
    const result = await inProcess({ CGT_ONLY: 'this', PATH: process.env.PATH ?? '' }, async () => {
      seen.only = process.env.CGT_ONLY;
      seen.home = process.env.HOME;
      process.env.CGT_LEFT = 'behind';
      process.stdout.write('out\n');
      process.stderr.write(Buffer.from('err\n'));
      process.exitCode = 1;
    });
    expect(seen).toEqual({ only: 'this', home: undefined });
    expect(result).toEqual({ code: 1, stdout: 'out\n', stderr: 'err\n' });
    expect(process.env).toEqual(before);
    expect(process.exitCode).toBe(exitCode);
  });

  it('a number returned is the exit code; an error thrown is exit code 1 with its stack on stderr', async () => {
    expect((await inProcess({}, async () => 2)).code).toBe(2);
    const thrown = await inProcess({}, async () => {
      throw new Error('boom');
    });
    expect(thrown.code).toBe(1);
    expect(thrown.stderr).toContain('Error: boom');
  });

  it('refuses a second run while one is running', async () => {
    let started = false;
    let finish = (): void => undefined;
    const first = inProcess(
      {},
      () =>
        new Promise<void>((resolve) => {
          started = true;
          finish = resolve;
        }),
    );
    expect(() => inProcess({}, async () => undefined)).toThrow(/Two in-process runs at once/);
    // The first run starts once its modules are reset; let it, then end it.
    while (!started) await new Promise((r) => setImmediate(r));
    finish();
    expect((await first).code).toBe(0);
    expect((await inProcess({}, async () => 3)).code).toBe(3);
  });

  it('fails a run that leaves a signal listener behind, and removes the listener', async () => {
    const before = process.listenerCount('SIGINT');
    await expect(
      inProcess({}, async () => {
        process.on('SIGINT', () => undefined);
      }),
    ).rejects.toThrow('The run left 1 signal listener(s) behind.');
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
