/**
 * The records the walk produces (walk.ts) and the model builder reads (build.ts): plain data about
 * functions, calls and yield points, before resolution decides callees and async contexts.
 */
import type ts from 'typescript';
import type { Comment, Span } from '../../engine/model';
import type { Scope } from './resolve';

/** A function as the walk saw it; contexts are decided after resolution. */
export interface RawFunction {
  readonly id: number;
  readonly node: ts.FunctionLikeDeclaration;
  readonly name: string | undefined;
  readonly nameSpan: Span | undefined;
  readonly span: Span;
  readonly parent: number | undefined;
  readonly isAsync: boolean;
  /** The call this function is passed to, and where: argument index, or an object key in an argument. */
  readonly host: { readonly call: number; readonly arg: number; readonly key?: string } | undefined;
  /** Immediately invoked: `(() => …)()`. */
  readonly iife: boolean;
  /** A handler decorator on a method (`@Get()`, `@MessagePattern()`), see `HANDLER_DECORATORS`. */
  readonly decorator: string | undefined;
  readonly scope: Scope;
}

/** A call (or `new`) as the walk saw it, with the plain fields of a `CallSite` already filled. */
export interface RawCall {
  readonly id: number;
  readonly node: ts.CallExpression | ts.NewExpression;
  readonly isNew: boolean;
  readonly span: Span;
  readonly calleeSpan: Span;
  readonly argsSpan: Span;
  readonly calleeText: string;
  readonly member: string;
  readonly functionId: number | undefined;
  readonly awaited: boolean;
  readonly inLoop: boolean;
  readonly resultUnused: boolean;
  readonly argCount: number;
  readonly scope: Scope;
  /** The innermost loop statement around the call within its function. */
  readonly loop: ts.Node | undefined;
  /** How the result is used, for spawn sites. */
  readonly usage: 'awaited' | 'returned' | 'stored' | 'passed' | 'dropped' | 'other';
  /** Filled after the walk, once every binding is known (see build.ts). */
  callee: string | undefined;
  localTarget: number | undefined;
}

/** A yield point before its context is known. */
export interface RawYield {
  readonly kind: 'await' | 'for-await' | 'yield';
  readonly span: Span;
  readonly keywordSpan: Span;
  readonly functionId: number | undefined;
  /** The awaited operand (what the task waits on). */
  readonly operand: Span;
  /** Index of the first call recorded after the yield began; calls inside the operand follow it. */
  readonly firstCall: number;
}

/** Everything the walk records. */
export interface WalkResult {
  readonly functions: RawFunction[];
  readonly calls: RawCall[];
  readonly yields: RawYield[];
  /** `return` and `throw` statements: early exits for lock release analysis. */
  readonly exits: { readonly pos: number; readonly functionId: number | undefined }[];
  /** Positions of `'drain'` string literals (a backpressure wait). */
  readonly drains: number[];
  readonly comments: Comment[];
  readonly workerFile: boolean;
  readonly fnIdByNode: Map<ts.Node, number>;
  /** Each call or `new` node's id in `calls`. */
  readonly callIdByNode: Map<ts.Node, number>;
}
