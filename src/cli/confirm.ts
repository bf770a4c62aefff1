/** The yes/no question before a seek or set moves checkpoints. */
import { createInterface } from 'node:readline';

/**
 * Writes `question` to `output` and reads one line from `input`: true only for `y` or `yes` (any
 * case). The end of the input, or an empty one, is a no, so a script without `--yes` stops
 * rather than waits.
 */
export function confirm(
  question: string,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<boolean> {
  return new Promise((resolve) => {
    const lines = createInterface({ input, terminal: false });
    let answered = false;
    output.write(`${question} [y/N] `);
    lines.once('line', (line) => {
      answered = true;
      lines.close();
      resolve(/^\s*y(es)?\s*$/i.test(line));
    });
    lines.once('close', () => {
      if (!answered) {
        output.write('\n');
        resolve(false);
      }
    });
  });
}
