// A check worker holds one file's tree-sitter tree at a time: each tree is freed as soon as its
// file's analysis is done. Left to the garbage collector, trees pile up in WASM memory, which never
// shrinks (the JS objects holding them are small, so nothing prompts a collection).
import assert from 'node:assert/strict';
import { Tree } from 'web-tree-sitter';
import { configKey } from '../../server/src/cli/cache';
import { analyzeTask } from '../../server/src/cli/check-tasks';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';

describe('check tasks free tree-sitter trees', () => {
  const sources: [string, string][] = [
    ['/project/src/store.rs', 'async fn load() -> String {\n    std::fs::read_to_string("cfg").unwrap()\n}\n'],
    ['/project/main.go', 'package main\n\nimport "sync"\n\nvar mu sync.Mutex\n\nfunc send(ch chan int) {\n\tmu.Lock()\n\tdefer mu.Unlock()\n\tch <- 1\n}\n'],
    ['/project/app.py', 'import time\n\nasync def tick():\n    time.sleep(1)\n'],
  ];
  for (const [path, text] of sources) {
    it(`frees the tree of ${path.slice(path.lastIndexOf('.'))} once its analysis is done`, async function () {
      this.timeout(60000);
      const original = Tree.prototype.delete;
      let freed = 0;
      Tree.prototype.delete = function (this: Tree): void {
        freed++;
        original.call(this);
      };
      try {
        const result = await analyzeTask({ path, text, config: DEFAULT_CONFIG, configKey: configKey(DEFAULT_CONFIG), summaryPath: path });
        assert.equal(result.errors.length, 0, JSON.stringify(result.errors));
        assert.ok(result.findings.length > 0, 'the file is analysed');
        assert.equal(freed, 1);
      } finally {
        Tree.prototype.delete = original;
      }
    });
  }
});
