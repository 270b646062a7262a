/**
 * What a Java file exports for its cross-file summary: every method of its named classes, as
 * `Class.method` (`Outer.Inner.method` for a nested class), the first of each name's overloads.
 * Anonymous classes and local classes (declared in a method) export nothing: no other file can
 * name them.
 */
import type { ModuleExports } from '../../engine/model';
import type { JavaState } from './builder';
import type { ClassRec } from './types';

/** The dotted name other files call a class by, or `undefined` for one they cannot name. */
function qualifiedName(state: JavaState, cls: ClassRec): string | undefined {
  const names: string[] = [];
  for (let c: ClassRec | undefined = cls; c; c = c.outer) {
    if (c.name === '') return undefined;
    // A class declared inside a method body is local to it.
    if (c.node.parent?.type !== 'class_body' && c.node.parent?.type !== 'program' && c.node.parent?.type !== 'interface_body' && c.node.parent?.type !== 'enum_body_declarations') return undefined;
    names.unshift(c.name);
  }
  void state;
  return names.join('.');
}

export function javaExports(state: JavaState): ModuleExports {
  const functions: { name: string; functionId: number }[] = [];
  const seen = new Set<string>();
  for (const cls of state.types.classes.values()) {
    const owner = qualifiedName(state, cls);
    if (owner === undefined) continue;
    for (const [method, ids] of cls.methods) {
      const name = `${owner}.${method}`;
      if (seen.has(name) || ids.length === 0) continue;
      seen.add(name);
      functions.push({ name, functionId: ids[0]! });
    }
  }
  return { functions, reexports: [] };
}
