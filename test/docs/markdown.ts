/** Reading the project's Markdown: which files, their shell blocks, their inline code. */
import { readdirSync, readFileSync } from 'node:fs';

/** The Markdown files under `dir`, recursively. */
function markdownUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .flatMap((entry) => {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) return markdownUnder(path);
        return entry.name.endsWith('.md') ? [path] : [];
      })
      .sort();
  } catch {
    return []; // no such folder
  }
}

/** The README, every page under docs/, and the READMEs next to the code (src/emulator/README.md). */
export function docFiles(): string[] {
  return ['README.md', ...markdownUnder('docs'), ...markdownUnder('src')];
}

/** The text of every ```sh block, with the file it is in. */
export function shellBlocks(files = docFiles()): { file: string; text: string }[] {
  return files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => ({
      file,
      text: m[1] ?? '',
    })),
  );
}

const CLI = /^(npm|npx|aws|serverless|sls|osls)( |$)/;

/**
 * Each documented command, with its file: every line of a ```sh block (a line ending in `\` joined
 * with the next; a block with a loop counts as one script, named by its first line), and CLI
 * commands in inline code.
 */
export function documentedCommands(files = docFiles()): Map<string, string> {
  const found = new Map<string, string>();
  for (const { file, text } of shellBlocks(files)) {
    const lines = text
      .replace(/\\\n\s*/g, '') // a line ending in a backslash goes on on the next
      .split('\n')
      .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
      .filter((line) => line !== '');
    if (lines.some((line) => /^(for|while|if)\b/.test(line))) found.set(lines[0] ?? '', file);
    else for (const line of lines) found.set(line, file);
  }
  for (const file of files) {
    for (const inline of readFileSync(file, 'utf8').matchAll(/`([^`\n]+)`/g)) {
      const code = inline[1] ?? '';
      if (CLI.test(code)) found.set(code, file);
    }
  }
  return found;
}

/** The ```sh block whose first line is `first`, to run as a script. */
export function shellBlock(first: string): string {
  const block = shellBlocks().find((b) => b.text.trimStart().startsWith(first));
  if (block === undefined) throw new Error(`no sh block starts with ${first}`);
  return block.text;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}
