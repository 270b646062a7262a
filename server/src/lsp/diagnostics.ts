// Push diagnostics: debounced per document, always for the latest version, dropped when stale.
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { Analysis } from '../engine/analyze';
import type { Finding } from '../engine/finding';
import type { Span } from '../engine/model';
import { DIAGNOSTIC_SOURCE } from '../shared/protocol';
import { ruleDocsUrl, toRange, toSeverity } from './convert';
import type { Session } from './session';

/**
 * What an editor underlines: the finding's focus, else its span cut at the end of its first line. A call
 * whose arguments spread over lines (`await fetch(url, {` … `});`) is underlined where it starts, as a
 * finding is reported there, not on every line of its options.
 */
export function underlined(analysis: Analysis, finding: Finding): Span {
  if (finding.focus) return finding.focus;
  const { span } = finding;
  const text = analysis.parsed.text;
  const newline = text.indexOf('\n', span.start);
  if (newline < 0 || newline >= span.end) return span;
  let end = newline;
  while (end > span.start && /\s/.test(text[end - 1]!)) end--;
  return end > span.start ? { start: span.start, end } : span;
}

export function toDiagnostic(analysis: Analysis, finding: Finding, uri: string): Diagnostic {
  const lines = analysis.lines;
  const diagnostic: Diagnostic = {
    range: toRange(lines, underlined(analysis, finding)),
    severity: toSeverity(finding.severity),
    source: DIAGNOSTIC_SOURCE,
    code: finding.rule,
    codeDescription: { href: ruleDocsUrl(finding.rule) },
    message: finding.message,
  };
  if (finding.related.length > 0) {
    diagnostic.relatedInformation = finding.related.map((r) =>
      r.elsewhere
        ? {
            location: { uri: pathToFileURL(r.elsewhere.path).href, range: { start: { line: r.elsewhere.range.line, character: r.elsewhere.range.character }, end: { line: r.elsewhere.range.endLine, character: r.elsewhere.range.endCharacter } } },
            message: r.message,
          }
        : { location: { uri, range: toRange(lines, r.span) }, message: r.message },
    );
  }
  return diagnostic;
}

export function toDiagnostics(analysis: Analysis, uri: string): Diagnostic[] {
  return [...analysis.findings.map((f) => toDiagnostic(analysis, f, uri)), ...noticeDiagnostics(analysis, uri)];
}

/**
 * What the analysis could not do in full, as information diagnostics without a rule code: after a
 * syntax error findings may be missing, and code nested too deeply was left out. One of each per file:
 * the first region nested too deeply carries the others as related locations.
 */
export function noticeDiagnostics(analysis: Analysis, uri: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (offset: number): Diagnostic['range'] => toRange(analysis.lines, { start: offset, end: Math.min(offset + 1, analysis.parsed.text.length) });
  const { model } = analysis;
  if (model.syntaxErrors > 0 && model.firstSyntaxError !== undefined) {
    out.push({ range: at(model.firstSyntaxError), severity: DiagnosticSeverity.Information, source: DIAGNOSTIC_SOURCE, message: 'Syntax error: async-boundary findings after this point may be missing until it is fixed' });
  }
  const [cut, ...also] = model.nestingCuts ?? [];
  if (cut !== undefined) {
    const message =
      also.length > 0
        ? `Code nested too deeply to analyse starts here and in ${also.length} more ${also.length === 1 ? 'place' : 'places'} of this file: async-boundary did not check what is inside them (the rest of the file was checked)`
        : 'Code nested too deeply to analyse starts here: async-boundary did not check what is inside this bracket (the rest of the file was checked)';
    out.push({
      range: at(cut),
      severity: DiagnosticSeverity.Information,
      source: DIAGNOSTIC_SOURCE,
      message,
      ...(also.length > 0 ? { relatedInformation: also.map((offset) => ({ location: { uri, range: at(offset) }, message: 'Also nested too deeply to analyse: not checked' })) } : {}),
    });
  }
  return out;
}

/** Schedules analyses and publishes their diagnostics. */
export class DiagnosticsPublisher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Closed files whose diagnostics a workspace scan published: closing them must not clear those. */
  readonly scanned = new Map<string, Diagnostic[]>();
  /** A workspace scan has run: closed files changed on disk are kept up to date from then on. */
  scanRan = false;

  constructor(private readonly session: Session) {
    const docs = session.documents;
    docs.onDidChangeContent((e) => session.background(this.schedule(e.document.uri), 'scheduling an analysis'));
    docs.onDidClose((e) => this.closed(e.document.uri));
  }

  /** Analyses the document after the debounce delay; a newer change restarts the delay. */
  async schedule(uri: string, immediately = false): Promise<void> {
    const settings = await this.session.settingsFor(uri);
    clearTimeout(this.timers.get(uri));
    const delay = immediately ? 0 : settings.debounceMs;
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        this.session.background(this.publish(uri), 'publishing diagnostics');
      }, delay),
    );
  }

  /** Analyses the latest text now and publishes, unless the document moved on meanwhile. */
  async publish(uri: string): Promise<void> {
    const doc = this.session.documents.get(uri);
    if (!doc) return;
    const version = doc.version;
    const current = await this.session.current(uri);
    // Settings are fetched asynchronously: the document may have changed or closed meanwhile, and
    // then a newer publish is already scheduled.
    const now = this.session.documents.get(uri);
    if (!now || now.version !== version) return;
    if (current && current.version !== version) return;
    const diagnostics = current ? toDiagnostics(current.analysis, uri) : [];
    // Keep a scanned file's entry in step with what the editor last showed for it.
    if (this.scanned.has(uri)) this.scanned.set(uri, diagnostics);
    await this.session.connection.sendDiagnostics({ uri, version, diagnostics });
  }

  /** Re-analyses every open document (settings or config changed). */
  refreshAll(): void {
    for (const doc of this.session.documents.all()) this.session.background(this.schedule(doc.uri, true), 'scheduling an analysis');
  }

  private closed(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.session.forget(uri);
    this.session.background(this.session.connection.sendDiagnostics({ uri, diagnostics: this.scanned.get(uri) ?? [] }), 'publishing diagnostics');
  }
}
