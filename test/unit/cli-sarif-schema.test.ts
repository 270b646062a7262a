// The CLI's SARIF against the official SARIF 2.1.0 JSON schema (the OASIS schema as published on
// SchemaStore, copied from the @microsoft/jest-sarif package into cli-sarif-2.1.0-rtm.5.schema.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import { BLOCKING_TS, cli, removeWorkspace, workspace } from './cli-helpers';

const schema = JSON.parse(readFileSync(join(__dirname, 'cli-sarif-2.1.0-rtm.5.schema.json'), 'utf8')) as object;

describe('cli: SARIF schema', () => {
  // The schema's `language` pattern is not valid with the `u` flag, and its `uri` formats need a plugin we
  // do not ship: both are off, and the URI fields are checked by hand below.
  const validate = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: false, logger: false }).compile(schema);

  it('the schema rejects a broken log (the validator is live)', () => {
    assert.equal(validate({ version: '2.1.0', runs: [{ tool: {} }] }), false);
  });

  it('validates output with findings, related locations and an empty run', async () => {
    const withHelper = `${BLOCKING_TS}function readIt(p: string) {\n  return require('fs').readFileSync(p);\n}\nexport async function viaHelper(p: string) {\n  return readIt(p);\n}\n`;
    const ws = workspace({ 'src/a.ts': withHelper, 'empty/x.ts': '' });
    try {
      for (const path of ['src', 'empty']) {
        const r = await cli(['check', path, '--format', 'sarif'], ws);
        assert.equal(r.code, 0, r.err);
        const log = JSON.parse(r.out) as unknown;
        assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
        const run = (log as { runs: { tool: { driver: { informationUri: string } }; results: { relatedLocations?: unknown[]; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] }).runs[0]!;
        // The helper case carries a related location, so that part of the schema is exercised too.
        if (path === 'src') assert.deepEqual(run.results.map((x) => x.relatedLocations?.length ?? 0), [0, 1]);
        else assert.equal(run.results.length, 0);
        assert.doesNotThrow(() => new URL(run.tool.driver.informationUri));
        for (const result of run.results) {
          const uri = result.locations[0]!.physicalLocation.artifactLocation.uri;
          assert.equal(new URL(uri, 'file:///root/').href, `file:///root/${uri}`, 'a relative URI reference');
        }
      }
    } finally {
      removeWorkspace(ws);
    }
  });
});
