import type { ChildProcess } from 'node:child_process';

/**
 * Waits until the child's standard output matches `pattern`, and resolves with the match; rejects
 * with everything it printed if it exits first. The child's output goes on flowing afterwards.
 */
export function waitForOutput(child: ChildProcess, what: string, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onStderr = (chunk: Buffer) => (output += chunk.toString());
    const onStdout = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (!match) return;
      child.off('exit', onExit);
      child.stdout!.off('data', onStdout);
      child.stderr!.off('data', onStderr);
      child.stdout!.resume();
      child.stderr!.resume();
      resolve(match);
    };
    const onExit = (code: number | null) => reject(new Error(`${what} exited with ${code}: ${output}`));
    child.on('exit', onExit);
    child.stdout!.on('data', onStdout);
    child.stderr!.on('data', onStderr);
  });
}

/** Sends `signal` to the child, unless it has ended, and waits for it to exit. */
export async function signalAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.kill(signal);
  await exited;
}
