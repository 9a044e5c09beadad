import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createDirectory } from '../../src/directory/create-directory.ts';
import type { DirectoryKind } from '../../src/directory/directory.ts';
import { directoryConfig, server } from '../support/directory-servers.ts';
import { rejectsWith } from './directory.contract.ts';

for (const kind of ['openldap', 'ad'] as DirectoryKind[]) {
  describe(`Directory outage: ${kind}`, () => {
    const directory = createDirectory(directoryConfig(kind));
    after(async () => {
      server(kind, 'start');
      await directory.close();
    });

    it('when the server stops mid-run, calls say directory.unavailable; after a restart the next call works', async () => {
      assert.ok(await directory.findUser('alice'), 'warm the pool first');
      server(kind, 'stop');
      await rejectsWith(directory.findUser('alice'), 'directory.unavailable');
      await rejectsWith(directory.findUser('bob'), 'directory.unavailable');
      server(kind, 'start');
      assert.equal((await directory.findUser('alice'))?.username, 'alice');
    });
  });
}
