// Response negotiation: what each client's Accept header gets, for objects and for watches, and
// the same answer every time a header comes back (negotiations are remembered per header).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateResponse } from '../../../src/net/server/negotiate.js';

const kubectlGet = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const watchMsgpack = 'application/vnd.coxswain.watch+msgpack';

test('each Accept header gets its format, shape and Content-Type; the answer is stable', () => {
  const cases: [accept: string | undefined, tableAllowed: boolean, watch: boolean, expected: string | undefined][] = [
    [undefined, true, false, 'json object application/json'],
    ['application/json', true, false, 'json object application/json'],
    ['application/vnd.coxswain.msgpack', true, false, 'msgpack object application/vnd.coxswain.msgpack'],
    ['application/yaml', true, false, 'yaml object application/yaml'],
    [kubectlGet, true, false, 'json table application/json;as=Table;g=meta.k8s.io;v=v1'],
    [kubectlGet, false, false, 'json object application/json'],
    ['application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1', true, false, 'json partial-metadata application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1'],
    ['application/vnd.kubernetes.protobuf,application/json', true, false, 'json object application/json'],
    ['application/vnd.kubernetes.protobuf', true, false, undefined],
    // The watch stream type: for watches only.
    [watchMsgpack, true, true, 'msgpack object application/vnd.coxswain.msgpack'],
    [`${watchMsgpack}, application/vnd.coxswain.msgpack`, true, true, 'msgpack object application/vnd.coxswain.msgpack'],
    [watchMsgpack, true, false, undefined],
    [`${watchMsgpack}, application/json`, true, false, 'json object application/json'],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [accept, tableAllowed, watch, expected] of cases) {
      const n = negotiateResponse(accept, tableAllowed, watch);
      const got = n === undefined ? undefined : `${n.format} ${n.shape} ${n.contentType}`;
      assert.equal(got, expected, `round ${round}: ${accept ?? '(none)'} table=${tableAllowed} watch=${watch}`);
    }
  }
});

test('many distinct headers stay correct past the memo bound', () => {
  for (let i = 0; i < 1000; i++) {
    const n = negotiateResponse(`application/x-unknown-${i}, application/vnd.coxswain.msgpack`);
    assert.equal(n?.format, 'msgpack');
    assert.equal(negotiateResponse(`application/x-unknown-${i}`), undefined);
  }
});
