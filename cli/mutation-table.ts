/**
 * The per-file table of a Stryker run (the mutation-testing-report-schema JSON Stryker writes):
 * killed, timed out, survived, no coverage, and the score Stryker reports,
 * (killed + timeout) / (killed + timeout + survived + no coverage). Ignored mutants (invariant
 * guards, static tables) and compile errors are not counted, as in Stryker's own score.
 */
export interface MutantCounts {
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
}

export interface FileRow extends MutantCounts {
  readonly file: string;
}

interface ReportJson {
  readonly files: Readonly<Record<string, { readonly mutants: readonly { readonly status: string }[] }>>;
}

const STATUS_FIELD: Readonly<Record<string, keyof MutantCounts>> = {
  Killed: 'killed',
  Timeout: 'timeout',
  Survived: 'survived',
  NoCoverage: 'noCoverage',
};

export function scorePercent(c: MutantCounts): number {
  const detected = c.killed + c.timeout;
  const counted = detected + c.survived + c.noCoverage;
  return counted === 0 ? 100 : (100 * detected) / counted;
}

/** Rows in path order (code-unit order, as git and the file system list them). */
const byPath = (a: { readonly file: string }, b: { readonly file: string }): number =>
  a.file < b.file ? -1 : a.file > b.file ? 1 : 0;

/** A report file under one of the named files or folders (every file when none was named). */
export function isAsked(file: string, asked: readonly string[]): boolean {
  return asked.length === 0 || asked.some((a) => file === a || file.startsWith(`${a}/`));
}

/** One row per mutated file, in path order. */
export function fileRows(report: ReportJson): FileRow[] {
  return Object.entries(report.files)
    .map(([file, { mutants }]) => {
      const counts = { killed: 0, timeout: 0, survived: 0, noCoverage: 0 };
      for (const m of mutants) {
        const field = STATUS_FIELD[m.status];
        if (field !== undefined) counts[field]++;
      }
      return { file, ...counts };
    })
    .sort(byPath);
}

function total(rows: readonly FileRow[]): MutantCounts {
  const sum = { killed: 0, timeout: 0, survived: 0, noCoverage: 0 };
  for (const r of rows) {
    sum.killed += r.killed;
    sum.timeout += r.timeout;
    sum.survived += r.survived;
    sum.noCoverage += r.noCoverage;
  }
  return sum;
}

const line = (name: string, c: MutantCounts): string =>
  `| ${name} | ${scorePercent(c).toFixed(1)}% | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} |`;

/** The folder of a file (`model/linux/rps.ts` -> `model/linux/`). */
const folderOf = (file: string): string => file.slice(0, file.lastIndexOf('/') + 1);

/** Per folder, the sum of its files' rows (the issue's bar is per file and per folder). */
export function folderRows(rows: readonly FileRow[]): FileRow[] {
  const byFolder = new Map<string, FileRow[]>();
  for (const r of rows) {
    const folder = folderOf(r.file);
    const members = byFolder.get(folder);
    if (members === undefined) byFolder.set(folder, [r]);
    else members.push(r);
  }
  return [...byFolder.entries()].map(([file, members]) => ({ file, ...total(members) })).sort(byPath);
}

/** A Markdown table, dated, with a total row, then the same counts summed per folder. */
export function markdownTable(rows: readonly FileRow[], date: string): string {
  return [
    `Measured ${date} (\`npm run mutate\`, FC_RUNS=20):`,
    '',
    '| file | score | killed | timeout | survived | no coverage |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => line(`\`${r.file}\``, r)),
    line('**all above**', total(rows)),
    '',
    'By folder (the files of the table above):',
    '',
    '| folder | score | killed | timeout | survived | no coverage |',
    '|---|---|---|---|---|---|',
    ...folderRows(rows).map((r) => line(`**${r.file}**`, r)),
  ].join('\n');
}

/**
 * Merges the rows of a new run into the table kept between the two markers of a document: a file
 * measured again replaces its row, the others stay, so per-folder runs add up to one table.
 */
export const TABLE_START = '<!-- mutation-table:start -->';
export const TABLE_END = '<!-- mutation-table:end -->';

export function parseTableRows(doc: string): FileRow[] {
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) return [];
  const rows: FileRow[] = [];
  for (const text of doc.slice(start, end).split('\n')) {
    const m = /^\| `([^`]+)` \| [\d.]+% \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$/.exec(text);
    if (m === null) continue;
    rows.push({
      file: m[1] as string,
      killed: Number(m[2]),
      timeout: Number(m[3]),
      survived: Number(m[4]),
      noCoverage: Number(m[5]),
    });
  }
  return rows;
}

export function mergeTable(doc: string, fresh: readonly FileRow[], date: string): string {
  const byFile = new Map(parseTableRows(doc).map((r) => [r.file, r]));
  for (const r of fresh) byFile.set(r.file, r);
  const rows = [...byFile.values()].sort(byPath);
  const block = `${TABLE_START}\n${markdownTable(rows, date)}\n${TABLE_END}`;
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, start) + block + doc.slice(end + TABLE_END.length);
}
