/**
 * The cursor moves the materialising walk (`view.ts`) makes, over web-tree-sitter's public
 * `TreeCursor` or directly over the binding's functions (`grammar.ts`, `rawCursor`).
 */
import type { Tree, TreeCursor } from 'web-tree-sitter';
import type { RawCursor } from './grammar';

/** The cursor moves and reads {@link materialise} makes, over the public API or the raw binding. */
export interface Walker {
  firstChild(): boolean;
  nextSibling(): boolean;
  parent(): boolean;
  typeId(): number;
  startIndex(): number;
  endIndex(): number;
  fieldId(): number;
  isMissing(): boolean;
  /** Ends the walk (the cursor's state is handed back to its object) and frees the cursor. */
  done(): void;
}

// The walkers are classes, not object literals of closures: a literal's closures are new functions
// at every call, so the optimised walk of one file met other call targets in the next and was thrown
// away ("wrong call target"), then compiled again; a class's methods are the same functions each time.

export class PublicWalker implements Walker {
  // `declare`d, so no field is defined as `undefined` before the constructor sets it (see `node`).
  declare private readonly cursor: TreeCursor;
  constructor(cursor: TreeCursor) {
    this.cursor = cursor;
  }
  firstChild(): boolean {
    return this.cursor.gotoFirstChild();
  }
  nextSibling(): boolean {
    return this.cursor.gotoNextSibling();
  }
  parent(): boolean {
    return this.cursor.gotoParent();
  }
  typeId(): number {
    return this.cursor.nodeTypeId;
  }
  startIndex(): number {
    return this.cursor.startIndex;
  }
  endIndex(): number {
    return this.cursor.endIndex;
  }
  fieldId(): number {
    return this.cursor.currentFieldId;
  }
  isMissing(): boolean {
    return this.cursor.nodeIsMissing;
  }
  done(): void {
    this.cursor.delete();
  }
}

/** A cursor object's four words (`TreeCursor[0..3]`) and a tree's pointer (`Tree[0]`): web-tree-sitter's handles. */
type Handles = Record<0 | 1 | 2 | 3, number>;

/**
 * The same walk over the binding's functions: the cursor stays in the transfer buffer between calls
 * (every cursor function reads it there and the moves write it back), so it is copied in once and
 * out once instead of around every call. Nothing else may use the buffer meanwhile: the walk makes
 * no other call into WASM until {@link Walker.done}.
 */
export class RawWalker implements Walker {
  declare private readonly rc: RawCursor;
  declare private readonly t: number;
  declare private readonly cursor: TreeCursor;
  constructor(rc: RawCursor, tree: Tree, cursor: TreeCursor) {
    this.rc = rc;
    this.t = (tree as unknown as Handles)[0];
    this.cursor = cursor;
    const c = cursor as unknown as Handles;
    const heap = rc.heap();
    const word = rc.transfer >> 2;
    for (let i = 0; i < 4; i++) heap[word + i] = c[i as 0 | 1 | 2 | 3];
  }
  firstChild(): boolean {
    return this.rc.firstChild(this.t) === 1;
  }
  nextSibling(): boolean {
    return this.rc.nextSibling(this.t) === 1;
  }
  parent(): boolean {
    return this.rc.parent(this.t) === 1;
  }
  typeId(): number {
    return this.rc.typeId(this.t);
  }
  startIndex(): number {
    return this.rc.startIndex(this.t) >>> 0;
  }
  endIndex(): number {
    return this.rc.endIndex(this.t) >>> 0;
  }
  fieldId(): number {
    return this.rc.fieldId(this.t);
  }
  isMissing(): boolean {
    return this.rc.isMissing(this.t) === 1;
  }
  done(): void {
    // The moves may have grown the cursor's stack (and the WASM memory with it): read the heap anew.
    const heap = this.rc.heap();
    const word = this.rc.transfer >> 2;
    const c = this.cursor as unknown as Handles;
    for (let i = 0; i < 4; i++) c[i as 0 | 1 | 2 | 3] = heap[word + i]!;
    this.cursor.delete();
  }
}
