/**
 * Local bindings and their types: parameters (`x: T`, axum's `State(s): State<T>`), `let` with an
 * annotation or a typed initialiser, the two ends of a channel constructor, and the value an
 * `if let`/`while let` takes out of an `Option` (`if let Some(ref journal) = *self.journal.lock().await`).
 */
import { enclosingFn, type BuildState, type FnRecord } from './builder';
import { calleeOf, typeOf } from './calls';
import { childOfType, type SyntaxNode } from './syntax';
import { compact } from './scope';

/** Records a function's typed parameters as bindings visible from its start. */
export function addParameters(state: BuildState, rec: FnRecord): void {
  const params = childOfType(rec.node, 'parameters', 'closure_parameters');
  if (!params) return;
  for (const p of params.children) {
    if (p.type === 'self_parameter') continue;
    if (p.type !== 'parameter') continue;
    const pattern = p.children.find((c) => c.type !== 'mutable_specifier');
    const type = p.children[p.children.length - 1];
    if (!pattern || !type || type === pattern) continue;
    const typeText = compact(state.text, type);
    if (pattern.type === 'identifier') rec.bindings.push({ name: compact(state.text, pattern), pos: rec.node.start, type: typeText });
    else if (pattern.type === 'tuple_struct_pattern') {
      // `State(state): State<AppState>` binds the extractor's inner value.
      const inner = pattern.children.filter((c) => c.type === 'identifier');
      if (inner.length === 2) rec.bindings.push({ name: compact(state.text, inner[1]!), pos: rec.node.start, type: typeText });
    }
  }
}

const CHANNEL_ENDS: Record<string, [string, string]> = {
  unbounded_channel: ['UnboundedSender', 'UnboundedReceiver'],
  sync_channel: ['SyncSender', 'Receiver'],
};

/** Records the bindings of one `let` (visible after the statement), typed by annotation or initialiser. */
export function addLetBindings(state: BuildState, node: SyntaxNode): void {
  const rec = enclosingFn(state, node);
  const { text } = state;
  const kids = node.children.filter((c) => c.type !== 'mutable_specifier');
  const pattern = kids[0];
  if (!pattern) return;
  // `let p: T = v;` — which child is the type and which the value is told by the token after the pattern.
  const afterPattern = text.slice(pattern.end, (kids[1]?.start ?? pattern.end)).trim();
  const typeNode = afterPattern.startsWith(':') ? kids[1] : undefined;
  const value = typeNode ? kids[2] : afterPattern.startsWith('=') ? kids[1] : undefined;
  const bindings = rec ? rec.bindings : state.statics;
  const pos = node.end;
  // `x`, `mut x`, and in a pattern `ref x`/`ref mut x` (`if let Some(ref journal) = *self.journal.lock().await`).
  const identOf = (p: SyntaxNode): string | undefined => (p.type === 'identifier' ? compact(text, p) : p.type === 'mut_pattern' || p.type === 'ref_pattern' ? identOf(p.children[p.children.length - 1]!) : undefined);
  const name = identOf(pattern);
  if (name !== undefined) {
    if (typeNode) bindings.push({ name, pos, type: compact(text, typeNode) });
    else if (value) {
      const t = typeOf(state, value, rec);
      if (t) bindings.push({ name, pos, type: t.path + (t.args.length ? `<${t.args.join(',')}>` : ''), resolved: t });
    }
    return;
  }
  // `if let Ok(handle) = Handle::try_current()`, `let Some(rt) = runtime else { … }`: the value inside the `Ok`/`Some`.
  // A call on a type path is typed as that type (`T::try_new()` as `T`), an `Option<T>`/`Result<T, E>` as its `T`.
  if (pattern.type === 'tuple_struct_pattern' && value) {
    const [variant, inner, extra] = pattern.children;
    const bound = inner ? identOf(inner) : undefined;
    if (!variant || !/^(Ok|Some)$/.test(compact(text, variant)) || bound === undefined || extra) return;
    const t = typeOf(state, value, rec);
    if (!t) return;
    const wrapped = /(^|::)(Option|Result)$/.test(t.path);
    const innerType = wrapped ? t.args[0] : t.path + (t.args.length ? `<${t.args.join(',')}>` : '');
    if (innerType !== undefined) bindings.push({ name: bound, pos, type: innerType, ...(wrapped ? {} : { resolved: t }) });
    return;
  }
  if (pattern.type === 'tuple_pattern' && value?.type === 'call_expression') {
    const callee = calleeOf(state, value, rec, true);
    const names = pattern.children.map(identOf);
    if (!callee || names.length !== 2) return;
    const module = callee.slice(0, callee.lastIndexOf('::'));
    const fnName = callee.slice(callee.lastIndexOf('::') + 2);
    if (!/(^|::)mpsc$|^crossbeam_channel$|^flume$|^async_channel$/.test(module)) return;
    const [tx, rx] = CHANNEL_ENDS[fnName] ?? ['Sender', 'Receiver'];
    if (names[0]) bindings.push({ name: names[0], pos, type: `${module}::${tx}`, resolved: { path: `${module}::${tx}`, args: [] } });
    if (names[1]) bindings.push({ name: names[1], pos, type: `${module}::${rx}`, resolved: { path: `${module}::${rx}`, args: [] } });
  }
}

