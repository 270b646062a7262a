/**
 * SARIF 2.1.0 output, shaped for GitHub code scanning: rule metadata from each rule's docs,
 * 1-based regions relative to `%SRCROOT%`, and a line-content fingerprint so alerts survive
 * unrelated edits that move lines.
 */
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { repository } from '../../../package.json';
import type { Config } from '../engine/config';
import type { Severity } from '../engine/finding';
import type { Rule } from '../engine/rule';
import { RULES, ruleLevel } from '../engine/rules';
import { INVALID_SUPPRESSION } from '../engine/suppressions';
import type { Range1, Reported } from './report';

/** Where the tool's documentation lives (the repository named in package.json); SARIF viewers link to it. */
export const INFORMATION_URI = `${repository.url.replace(/\.git$/, '')}#readme`;

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/** The rule-like entry for malformed suppression comments, which the engine reports without a `Rule`. */
const SUPPRESSION_DESCRIPTOR = {
  id: INVALID_SUPPRESSION,
  summary: 'A malformed `async-boundary-ignore` comment: no rule, an unknown rule, or no reason',
  body: 'A suppression must name known rules and give a reason: `async-boundary-ignore <rule-id>: <reason>`. A malformed one silences nothing.',
};

function ruleMarkdown(rule: Rule): string {
  const d = rule.docs;
  return [`**${d.summary}**`, '', '### What it does', d.what, '', '### Why is this bad', d.why, '', '### Example', d.example, '', '### Fix', d.fix, ...(d.limits ? ['', '### Limits', d.limits] : [])].join('\n');
}

/** Where a rule's documentation page is (`invalid-suppression` is documented in the README's section on suppressions). */
export function ruleDocsUri(ruleId: string): string {
  const repo = INFORMATION_URI.replace(/#.*$/, '');
  return ruleId === INVALID_SUPPRESSION ? `${repo}#suppressing-a-finding` : `${repo}/blob/main/docs/rules/${encodeURIComponent(ruleId)}.md`;
}

function descriptor(rule: Rule, config: Config): Sarif.ReportingDescriptor {
  const level = ruleLevel(rule, config);
  return {
    id: rule.id,
    name: rule.id.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase()),
    shortDescription: { text: rule.docs.summary },
    fullDescription: { text: `${rule.docs.what} ${rule.docs.why}` },
    help: { text: `${rule.docs.what}\n\n${rule.docs.why}\n\nFix: ${rule.docs.fix}`, markdown: ruleMarkdown(rule) },
    helpUri: ruleDocsUri(rule.id),
    defaultConfiguration: level === 'off' ? { enabled: false, level: LEVEL[rule.defaultSeverity] } : { level: LEVEL[level] },
    properties: { tags: ['async', 'concurrency'] },
  };
}

function region(r: Range1): Sarif.Region {
  return { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn };
}

function artifactUri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

/** Something the run could not do in full for one file (a syntax error, nesting too deep), reported as a tool notification. */
export interface FileNotice {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Other places the notice is about in the same file (more regions nested too deeply). */
  readonly also?: readonly { readonly line: number; readonly column: number }[];
  readonly message: string;
}

/** Builds the SARIF log for a run. `cwd` becomes `%SRCROOT%`, which every result's URI is relative to. */
export function buildSarif(findings: readonly Reported[], config: Config, version: string, cwd: string, notices: readonly FileNotice[] = []): Sarif.Log {
  const rules: Sarif.ReportingDescriptor[] = RULES.map((r) => descriptor(r, config));
  const suppressionLevel = config.rules[INVALID_SUPPRESSION] ?? 'warning';
  rules.push({
    id: SUPPRESSION_DESCRIPTOR.id,
    name: 'InvalidSuppression',
    shortDescription: { text: SUPPRESSION_DESCRIPTOR.summary },
    fullDescription: { text: SUPPRESSION_DESCRIPTOR.body },
    help: { text: SUPPRESSION_DESCRIPTOR.body, markdown: SUPPRESSION_DESCRIPTOR.body },
    helpUri: ruleDocsUri(INVALID_SUPPRESSION),
    defaultConfiguration: suppressionLevel === 'off' ? { enabled: false, level: 'warning' } : { level: LEVEL[suppressionLevel] },
  });
  const index = new Map(rules.map((r, i) => [r.id, i]));
  // Identical lines in one file (two equal calls) get distinct fingerprints by occurrence.
  const occurrences = new Map<string, number>();
  const results: Sarif.Result[] = findings.map((f) => {
    const n = (occurrences.get(f.lineHash) ?? 0) + 1;
    occurrences.set(f.lineHash, n);
    const location = (r: Range1 & { readonly file?: string }): Sarif.PhysicalLocation => ({ artifactLocation: { uri: artifactUri(r.file ?? f.file), uriBaseId: '%SRCROOT%' }, region: region(r) });
    const result: Sarif.Result = {
      ruleId: f.rule,
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [{ physicalLocation: location(f) }],
      partialFingerprints: { primaryLocationLineHash: `${f.lineHash}:${n}` },
      properties: { role: f.role },
    };
    const i = index.get(f.rule);
    if (i !== undefined) result.ruleIndex = i;
    if (f.related.length > 0) result.relatedLocations = f.related.map((r, id) => ({ id, physicalLocation: location(r), message: { text: r.message } }));
    return result;
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'async-boundary', version, semanticVersion: version, informationUri: INFORMATION_URI, rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd.endsWith('/') ? cwd : `${cwd}/`).href } },
        columnKind: 'utf16CodeUnits',
        results,
        ...(notices.length > 0
          ? {
              invocations: [
                {
                  executionSuccessful: true,
                  toolExecutionNotifications: notices.map((n) => ({
                    level: 'note' as const,
                    message: { text: n.message },
                    locations: [n, ...(n.also ?? [])].map((p) => ({ physicalLocation: { artifactLocation: { uri: artifactUri(n.file), uriBaseId: '%SRCROOT%' }, region: { startLine: p.line, startColumn: p.column } } })),
                  })),
                },
              ],
            }
          : {}),
      },
    ],
  };
}
