/**
 * Every relative link in the README and docs/ resolves: the file exists and, for `#anchor`, a
 * heading of that file has that anchor (GitHub's rule). So do the docs/*.md pages that code and
 * serverless.yml comments name.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchorOf, docFiles } from './markdown.ts';

/** Markdown without its fenced code blocks (a `# comment` in a shell block is not a heading). */
const prose = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, '');

/** The anchors of a Markdown file's headings; a repeated one gets -1, -2, … as on GitHub. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)) {
    const anchor = anchorOf(match[1] ?? '');
    const count = seen.get(anchor) ?? 0;
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
    seen.set(anchor, count + 1);
  }
  return anchors;
}

/** Why `target`, linked from `from`, does not resolve; '' when it does. */
function brokenLink(from: string, target: string): string {
  const [path = '', anchor] = target.split('#');
  const file = path === '' ? from : normalize(join(dirname(from), decodeURIComponent(path)));
  if (!existsSync(file)) return `${from}: ${target}: no file ${file}`;
  if (anchor === undefined) return '';
  if (statSync(file).isDirectory() || !file.endsWith('.md'))
    return `${from}: ${target}: an anchor into a non-page`;
  return anchorsOf(file).has(anchor)
    ? ''
    : `${from}: ${target}: no heading with anchor #${anchor} in ${file}`;
}

/** Files outside the docs that may name a docs page. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs|yml|json)$/.test(entry.name) ? [path] : [];
  });
}

describe('links', () => {
  it('anchors follow GitHub: punctuation dropped, spaces to hyphens', () => {
    expect(anchorOf("2. Set the stage's params")).toBe('2-set-the-stages-params');
    expect(anchorOf('Quick start, in detail')).toBe('quick-start-in-detail');
    expect(anchorOf('`SLS_ENDPOINT` and friends')).toBe('sls_endpoint-and-friends');
    expect(anchorOf('Heartbeat timing')).toBe('heartbeat-timing');
  });

  it('finds the docs pages and their links', () => {
    expect(docFiles()).toContain('docs/deploy.md');
    const links = docFiles().flatMap((f) => [...prose(readFileSync(f, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)]);
    expect(links.length).toBeGreaterThan(50);
  });

  it('resolves every relative link and anchor in the README and docs/', () => {
    const broken: string[] = [];
    for (const file of docFiles()) {
      for (const match of prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1] ?? '';
        if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
        const problem = brokenLink(file, target);
        if (problem !== '') broken.push(problem);
      }
    }
    expect(broken).toEqual([]);
  });

  it('resolves the docs pages that serverless.yml, the code and the tests name', () => {
    const files = [
      'serverless.yml',
      'package.json',
      ...['src', 'scripts', 'test', 'bench'].flatMap(sourceFiles),
    ];
    const broken: string[] = [];
    let named = 0;
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\bdocs\/[\w-]+\.md(#[\w-]+)?/g)) {
        named++;
        const problem = brokenLink('README.md', match[0]);
        if (problem !== '') broken.push(`${file} names ${problem}`);
      }
    }
    expect(named).toBeGreaterThan(0);
    expect(broken).toEqual([]);
  });

  it('keeps the README to a few screens', () => {
    expect(readFileSync('README.md', 'utf8').split('\n').length).toBeLessThanOrEqual(160);
  });
});

describe('the repository', () => {
  const isGitCheckout = (() => {
    try {
      execFileSync('git', ['rev-parse', '--is-inside-work-tree'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!isGitCheckout)('ignores no file it tracks (.gitignore)', () => {
    const ignored = execFileSync('git', ['ls-files', '--cached', '--ignored', '--exclude-standard'], {
      encoding: 'utf8',
    });
    expect(ignored.split('\n').filter((line) => line !== '')).toEqual([]);
  });
});
