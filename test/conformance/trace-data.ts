// Request/response material replayed by replicator-traces.test.ts, extracted from the recorded CouchDB 3.5.0
// replicator traces (test/fixtures/couchdb/replicator-traces, see its README.md) so that the test carries its
// own data and runs against any server. Each constant names the trace file and exchange seq it comes from.
// Header lists are in the order the replicator sent them, without Host and Content-Length (node:http sets
// those; an explicit Content-Length: 0 is kept) and with the session cookie as {cookie}.

export const TRACE_FILES = [
  'push-oneshot.json',
  'pull-oneshot.json',
  'pull-continuous.json',
  'resume.json',
  'push-continuous-missing-target.json',
];

/** push-oneshot.json #1: POST /_session (form body, no Accept) */
export const SESSION_HEADERS: Array<[string, string]> = [
  ['Content-Type', 'application/x-www-form-urlencoded'],
  ['User-Agent', 'CouchDB-Replicator/3.5.0'],
];
/** push-oneshot.json #2: GET /<db>/ */
export const DB_GET_HEADERS: Array<[string, string]> = [
  ['User-Agent', 'CouchDB-Replicator/3.5.0'],
  ['Accept', 'application/json'],
  ['Cookie', '{cookie}'],
  ['Content-Length', '0'],
];
/** push-oneshot.json #4: GET /<db>/_local/<id> */
export const LOCAL_GET_HEADERS: Array<[string, string]> = [
  ['User-Agent', 'CouchDB-Replicator/3.5.0'],
  ['Accept', 'application/json'],
  ['Cookie', '{cookie}'],
  ['Content-Length', '0'],
];
/** push-oneshot.json #8: POST /<db>/_revs_diff */
export const REVS_DIFF_HEADERS: Array<[string, string]> = [
  ['User-Agent', 'CouchDB-Replicator/3.5.0'],
  ['Content-Type', 'application/json'],
  ['Accept', 'application/json'],
  ['Cookie', '{cookie}'],
];
/** push-oneshot.json #11: PUT /<db>/<doc>?new_edits=false (multipart/related) */
export const MULTIPART_PUT_HEADERS: Array<[string, string]> = [
  ['User-Agent', 'CouchDB-Replicator/3.5.0'],
  ['Content-Type', 'multipart/related; boundary="cc4393d7b6817f174e73c96f85f22ac7"'],
  ['Accept', 'application/json'],
  ['Cookie', '{cookie}'],
];
/** push-oneshot.json #12: POST /<db>/_bulk_docs */
export const BULK_DOCS_HEADERS: Array<[string, string]> = [
  ['X-Couch-Full-Commit', 'false'],
  ['User-Agent', 'CouchDB-Replicator/3.5.0'],
  ['Content-Type', 'application/json'],
  ['Accept', 'application/json'],
  ['Cookie', '{cookie}'],
];
/** push-oneshot.json #14: POST /<db>/_ensure_full_commit (no body) */
export const ENSURE_FULL_COMMIT_HEADERS: Array<[string, string]> = [
  ['User-Agent', 'CouchDB-Replicator/3.5.0'],
  ['Content-Type', 'application/json'],
  ['Accept', 'application/json'],
  ['Cookie', '{cookie}'],
  ['Content-Length', '0'],
];
/** push-oneshot.json #15: PUT /<db>/_local/<id> */
export const LOCAL_PUT_HEADERS: Array<[string, string]> = [
  ['X-Couch-Full-Commit', 'false'],
  ['User-Agent', 'CouchDB-Replicator/3.5.0'],
  ['Content-Type', 'application/json'],
  ['Accept', 'application/json'],
  ['Cookie', '{cookie}'],
];
/** pull-oneshot.json #8: GET /<db>/_changes?feed=normal&style=all_docs&since=0&timeout=10000 */
export const CHANGES_HEADERS: Array<[string, string]> = [
  ['User-Agent', 'CouchDB-Replicator/3.5.0'],
  ['Accept', 'application/json'],
  ['Cookie', '{cookie}'],
  ['Content-Length', '0'],
];
/** pull-oneshot.json #10: POST /<db>/_bulk_get?latest=true&revs=true&attachments=false */
export const BULK_GET_HEADERS: Array<[string, string]> = [
  ['User-Agent', 'CouchDB-Replicator/3.5.0'],
  ['Content-Type', 'application/json'],
  ['Accept', 'application/json'],
  ['Cookie', '{cookie}'],
];
/** pull-oneshot.json #16: GET /<db>/<doc>?revs=true&open_revs=[rev]&latest=true */
export const OPEN_REVS_HEADERS: Array<[string, string]> = [
  ['User-Agent', 'CouchDB-Replicator/3.5.0'],
  ['Accept', 'multipart/mixed'],
  ['Cookie', '{cookie}'],
  ['Content-Length', '0'],
];

/** push-oneshot.json #4..#7: the 4 checkpoint ids a fresh replication looks up (all 404); the first is the one it writes. */
export const CHECKPOINT_IDS = [
  'cc58a459c7663c93835b213a72d00de3',
  'cd7e85fd46055484960d4e9d0fa6c43a',
  '8d6397849c95f1fcbe090c3b495ba0bc',
  'f1d4c8f9a92fbb41fd78c70481cdbffd',
];
/** push-oneshot.json #4: the 404 body. */
export const LOCAL_MISSING = { error: 'not_found', reason: 'missing' };

/** push-oneshot.json #8: POST _revs_diff against the empty target: exact body, and the answer. */
export const REVS_DIFF_ONE = {
  body: '{"sensor-02":["1-fabbddd68bba6a2d33a9854b5068312a"]}',
  response: { 'sensor-02': { missing: ['1-fabbddd68bba6a2d33a9854b5068312a'] } },
};
/** push-oneshot.json #9: POST _revs_diff against the empty target: exact body, and the answer. */
export const REVS_DIFF_ALL = {
  body: '{"sensor-03":["1-701dcdc9c89722cd59cb754de93371ee"],"sensor-06":["1-61b67af39b50d84f7a9d83761a695ae0"],"sensor-07":["1-c76b039eadd33424eaf0e6abe8192193"],"sensor-12":["1-669db59dcfa85a19084cd6850a7061dd"],"sensor-00":["1-d577f490bebac69d8fabc3b0bcd4d9eb"],"sensor-01":["1-591f28df13eb8bbafa615524d6de76b5"],"sensor-04":["1-5abedcb13aa709d7f6cd7ca19e2b2802"],"sensor-05":["1-817091f12c26cd7880172e8fc2464c7b"],"sensor-08":["1-e38546c92e5b577adc0f116de9c4ebad"],"sensor-13":["1-a52db57c2b4fcec88c8314b5ff7c5e96"],"sensor-16":["1-b5adf4684896ab750774b05f3a3c7c9d"],"sensor-17":["1-2265576a60572b3934da49d996937080"],"sensor-22":["1-46e8dc42cb1f71b825a1e33b65c349cc"],"sensor-23":["1-e863330d2bf5509c712d438d32b0dab1"],"sensor-09":["1-93524ecb79c48ba5bf77fdcf96ba1b37"],"sensor-10":["1-a1948e2b24fba662da6d0298f7172659"],"sensor-11":["1-c151392f0994a2630f1f4268e87b39be"],"sensor-14":["1-58fa5db4e61548cf953bb67a4bfe9e6b"],"sensor-15":["1-67fcd5c5a98411e47c860e9d5657be57"],"sensor-18":["1-7d0c758ebef08de838017ebf118985d3"],"sensor-19":["1-3ccd789e0c4b43b199058511bf2e3b48"],"sensor-20":["1-6c151fbb30536652d7f80ec62ddeb2ed"],"sensor-21":["1-348fe1e6220d5ae6fb27fd7766796eba"],"sensor-24":["1-c7ddb80727818c48104e6b03cfeff5aa"],"sensor-26":["1-15c30632ce2e2d15919320ddd583b234"],"sensor-27":["1-333f3a07542ec05cd64e50734b095b8e"],"sensor-32":["1-d701c5fcc71cdd904b9f32097248befc"],"sensor-33":["1-6a2dff42b44083441cfc1a6428d54dd5"],"sensor-36":["1-1032baba413566c0a7559fe4616b5590"],"sensor-25":["1-54c5030ba0f2c0a1a4384be52d64f5ea"],"sensor-28":["1-80d574d5b57d635408e1212d930c8cbe"],"sensor-29":["1-54d6567c919ab185fef741c891227260"],"sensor-30":["1-debfd1ee02206ec1feebe17b94a2ed6b"],"sensor-31":["1-dc37cb56d71e0c274aa3cc1a033641d8"],"sensor-37":["1-b0c6202b9a18d2a7d4a2aa16a718b6ed"],"sensor-42":["1-876dec84fceb60f989a932d3a4305259"],"sensor-43":["1-40ab0f88cbcf9a5dcadd2d364887a39c"],"sensor-46":["1-d8ef9130cfdd329aafd0a7ea04d5d961"],"sensor-47":["1-a3d4220f00c57fc12d672db5134e7b8f"],"sensor-34":["1-fffa8f68327377ac0c11eb2fff485256"],"sensor-35":["1-b3b753c299bc992914a562dd9758462b"],"sensor-38":["1-17b537e826e0f51e761b443dad257cc9"],"sensor-39":["1-62519598ada5470e50d73dc6a5a27e85"],"sensor-40":["1-2c117d563bd611ff3b2abef7353739f6"],"sensor-41":["1-0dfb587e976a25efd08760ff32ebaf0d"],"sensor-44":["1-ba7ac70218bbaf74f2ab7831b7d34964"],"sensor-45":["1-54a987761e78a31a441e1bf051a81b09"],"sensor-48":["1-1b1a1fe9a992193297662dd3e249f92f"],"sensor-49":["1-29f4d63a40436ce03e20d740738417a3"],"deleted-1":["2-ce2c21cb32086e4f5c686048f079436a"],"with-binary-att":["2-e52e692d1cfb9d5ac216a01ea39fd63b"],"deleted-2":["2-75e083315b5f3c53c3b4e23e176b22a7"],"deleted-3":["2-690857bcaf8bd3928c2546e3b409a0c2"],"conflicted":["2-cccccccccccccccccccccccccccccccc","2-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","2-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],"with-text-att":["1-57ae680e1b76dd0a92ad882d8f246927"]}',
  response: {
    'sensor-15': { missing: ['1-67fcd5c5a98411e47c860e9d5657be57'] },
    'sensor-22': { missing: ['1-46e8dc42cb1f71b825a1e33b65c349cc'] },
    'sensor-08': { missing: ['1-e38546c92e5b577adc0f116de9c4ebad'] },
    'sensor-41': { missing: ['1-0dfb587e976a25efd08760ff32ebaf0d'] },
    'sensor-34': { missing: ['1-fffa8f68327377ac0c11eb2fff485256'] },
    'sensor-27': { missing: ['1-333f3a07542ec05cd64e50734b095b8e'] },
    'deleted-1': { missing: ['2-ce2c21cb32086e4f5c686048f079436a'] },
    'sensor-39': { missing: ['1-62519598ada5470e50d73dc6a5a27e85'] },
    'sensor-46': { missing: ['1-d8ef9130cfdd329aafd0a7ea04d5d961'] },
    conflicted: {
      missing: [
        '2-cccccccccccccccccccccccccccccccc',
        '2-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
        '2-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      ],
    },
    'with-binary-att': { missing: ['2-e52e692d1cfb9d5ac216a01ea39fd63b'] },
    'sensor-21': { missing: ['1-348fe1e6220d5ae6fb27fd7766796eba'] },
    'sensor-14': { missing: ['1-58fa5db4e61548cf953bb67a4bfe9e6b'] },
    'sensor-07': { missing: ['1-c76b039eadd33424eaf0e6abe8192193'] },
    'sensor-40': { missing: ['1-2c117d563bd611ff3b2abef7353739f6'] },
    'sensor-33': { missing: ['1-6a2dff42b44083441cfc1a6428d54dd5'] },
    'sensor-26': { missing: ['1-15c30632ce2e2d15919320ddd583b234'] },
    'sensor-19': { missing: ['1-3ccd789e0c4b43b199058511bf2e3b48'] },
    'sensor-45': { missing: ['1-54a987761e78a31a441e1bf051a81b09'] },
    'sensor-38': { missing: ['1-17b537e826e0f51e761b443dad257cc9'] },
    'sensor-01': { missing: ['1-591f28df13eb8bbafa615524d6de76b5'] },
    'sensor-20': { missing: ['1-6c151fbb30536652d7f80ec62ddeb2ed'] },
    'sensor-13': { missing: ['1-a52db57c2b4fcec88c8314b5ff7c5e96'] },
    'sensor-06': { missing: ['1-61b67af39b50d84f7a9d83761a695ae0'] },
    'sensor-25': { missing: ['1-54c5030ba0f2c0a1a4384be52d64f5ea'] },
    'sensor-32': { missing: ['1-d701c5fcc71cdd904b9f32097248befc'] },
    'sensor-18': { missing: ['1-7d0c758ebef08de838017ebf118985d3'] },
    'sensor-44': { missing: ['1-ba7ac70218bbaf74f2ab7831b7d34964'] },
    'sensor-37': { missing: ['1-b0c6202b9a18d2a7d4a2aa16a718b6ed'] },
    'sensor-00': { missing: ['1-d577f490bebac69d8fabc3b0bcd4d9eb'] },
    'sensor-49': { missing: ['1-29f4d63a40436ce03e20d740738417a3'] },
    'sensor-05': { missing: ['1-817091f12c26cd7880172e8fc2464c7b'] },
    'sensor-12': { missing: ['1-669db59dcfa85a19084cd6850a7061dd'] },
    'sensor-31': { missing: ['1-dc37cb56d71e0c274aa3cc1a033641d8'] },
    'sensor-24': { missing: ['1-c7ddb80727818c48104e6b03cfeff5aa'] },
    'sensor-17': { missing: ['1-2265576a60572b3934da49d996937080'] },
    'sensor-43': { missing: ['1-40ab0f88cbcf9a5dcadd2d364887a39c'] },
    'sensor-29': { missing: ['1-54d6567c919ab185fef741c891227260'] },
    'sensor-36': { missing: ['1-1032baba413566c0a7559fe4616b5590'] },
    'deleted-3': { missing: ['2-690857bcaf8bd3928c2546e3b409a0c2'] },
    'sensor-48': { missing: ['1-1b1a1fe9a992193297662dd3e249f92f'] },
    'sensor-11': { missing: ['1-c151392f0994a2630f1f4268e87b39be'] },
    'sensor-04': { missing: ['1-5abedcb13aa709d7f6cd7ca19e2b2802'] },
    'with-text-att': { missing: ['1-57ae680e1b76dd0a92ad882d8f246927'] },
    'sensor-30': { missing: ['1-debfd1ee02206ec1feebe17b94a2ed6b'] },
    'sensor-09': { missing: ['1-93524ecb79c48ba5bf77fdcf96ba1b37'] },
    'sensor-23': { missing: ['1-e863330d2bf5509c712d438d32b0dab1'] },
    'sensor-16': { missing: ['1-b5adf4684896ab750774b05f3a3c7c9d'] },
    'sensor-35': { missing: ['1-b3b753c299bc992914a562dd9758462b'] },
    'sensor-42': { missing: ['1-876dec84fceb60f989a932d3a4305259'] },
    'sensor-28': { missing: ['1-80d574d5b57d635408e1212d930c8cbe'] },
    'deleted-2': { missing: ['2-75e083315b5f3c53c3b4e23e176b22a7'] },
    'sensor-47': { missing: ['1-a3d4220f00c57fc12d672db5134e7b8f'] },
    'sensor-10': { missing: ['1-a1948e2b24fba662da6d0298f7172659'] },
    'sensor-03': { missing: ['1-701dcdc9c89722cd59cb754de93371ee'] },
  },
};
/** push-oneshot.json #11: the multipart/related PUT ?new_edits=false of a doc with a gzip-encoded text attachment,
 *  byte for byte (request_body_encoding latin1), and its answer. */
export const TEXT_ATT_PUT = {
  path: '/with-text-att?new_edits=false',
  contentType: 'multipart/related; boundary="cc4393d7b6817f174e73c96f85f22ac7"',
  bodyBase64:
    'LS1jYzQzOTNkN2I2ODE3ZjE3NGU3M2M5NmY4NWYyMmFjNw0KQ29udGVudC1UeXBlOiBhcHBsaWNhdGlvbi9qc29uDQoNCnsiX2lkIjoid2l0aC10ZXh0LWF0dCIsIl9yZXYiOiIxLTU3YWU2ODBlMWI3NmRkMGE5MmFkODgyZDhmMjQ2OTI3IiwidHlwZSI6Im5vdGUiLCJfcmV2aXNpb25zIjp7InN0YXJ0IjoxLCJpZHMiOlsiNTdhZTY4MGUxYjc2ZGQwYTkyYWQ4ODJkOGYyNDY5MjciXX0sIl9hdHRhY2htZW50cyI6eyJub3RlLnR4dCI6eyJjb250ZW50X3R5cGUiOiJ0ZXh0L3BsYWluIiwicmV2cG9zIjoxLCJkaWdlc3QiOiJtZDUtVDByWnY2c05vUFk4b3ZYem01WGNtQT09IiwibGVuZ3RoIjo0MCwiZm9sbG93cyI6dHJ1ZSwiZW5jb2RpbmciOiJnemlwIiwiZW5jb2RlZF9sZW5ndGgiOjU5fX19DQotLWNjNDM5M2Q3YjY4MTdmMTc0ZTczYzk2Zjg1ZjIyYWM3DQpDb250ZW50LURpc3Bvc2l0aW9uOiBhdHRhY2htZW50OyBmaWxlbmFtZT0ibm90ZS50eHQiDQpDb250ZW50LVR5cGU6IHRleHQvcGxhaW4NCkNvbnRlbnQtTGVuZ3RoOiA1OQ0KQ29udGVudC1FbmNvZGluZzogZ3ppcA0KDQofiwgAAAAAAAADy0jNyclXSCvKz1UoyUhVKEmtKFFILClJTM7ITc0r4crJzAMKludzAQAfmb9qKAAAAA0KLS1jYzQzOTNkN2I2ODE3ZjE3NGU3M2M5NmY4NWYyMmFjNy0t',
  response: { ok: true, id: 'with-text-att', rev: '1-57ae680e1b76dd0a92ad882d8f246927' },
};
/** push-oneshot.json #10: JSON part of the multipart PUT of the 204800-byte binary attachment doc (the body
 *  itself is truncated in the trace; the test sends its own random bytes with their md5 as digest). */
export const BINARY_ATT_DOC = {
  _id: 'with-binary-att',
  _rev: '2-e52e692d1cfb9d5ac216a01ea39fd63b',
  type: 'blob',
  _revisions: { start: 2, ids: ['e52e692d1cfb9d5ac216a01ea39fd63b', '999fb80bacea949aeea0f213dbb34bd8'] },
  _attachments: {
    'blob.bin': {
      content_type: 'application/octet-stream',
      revpos: 2,
      digest: 'md5-4/zy08KhRoTGsgIX4eA9Nw==',
      length: 204800,
      follows: true,
    },
  },
};
export const BINARY_ATT_PUT_RESPONSE = {
  ok: true,
  id: 'with-binary-att',
  rev: '2-e52e692d1cfb9d5ac216a01ea39fd63b',
};
/** push-oneshot.json #12: POST _bulk_docs {new_edits:false, docs} with one doc, exact body. */
export const BULK_DOCS_ONE =
  '{"new_edits":false,"docs":[{"_id":"sensor-02","_rev":"1-fabbddd68bba6a2d33a9854b5068312a","type":"reading","sensor":"s2","value":6,"unit":"C","_revisions":{"start":1,"ids":["fabbddd68bba6a2d33a9854b5068312a"]}}]}';
/** pull-oneshot.json #12/#15 (_bulk_get answers): the source tombstones, as the replicator pushes them with new_edits:false. */
export const TOMBSTONES = [
  {
    _id: 'deleted-1',
    _rev: '2-ce2c21cb32086e4f5c686048f079436a',
    _deleted: true,
    _revisions: { start: 2, ids: ['ce2c21cb32086e4f5c686048f079436a', '96ead58ec18f2efddb625bc01e3a6353'] },
  },
  {
    _id: 'deleted-2',
    _rev: '2-75e083315b5f3c53c3b4e23e176b22a7',
    _deleted: true,
    _revisions: { start: 2, ids: ['75e083315b5f3c53c3b4e23e176b22a7', '6c35f3706da53dc43a3dbeccc09b99a1'] },
  },
  {
    _id: 'deleted-3',
    _rev: '2-690857bcaf8bd3928c2546e3b409a0c2',
    _deleted: true,
    _revisions: { start: 2, ids: ['690857bcaf8bd3928c2546e3b409a0c2', '230789d6e0446b42520a0a75abb48967'] },
  },
];
/** pull-oneshot.json #15: the 3 conflicting leaves of "conflicted" (over 1-111...). */
export const CONFLICTED_LEAVES = [
  {
    _id: 'conflicted',
    _rev: '2-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    branch: 'a',
    value: 1,
    _revisions: { start: 2, ids: ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '11111111111111111111111111111111'] },
  },
  {
    _id: 'conflicted',
    _rev: '2-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
    branch: 'b',
    value: 2,
    _revisions: { start: 2, ids: ['bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', '11111111111111111111111111111111'] },
  },
  {
    _id: 'conflicted',
    _rev: '2-cccccccccccccccccccccccccccccccc',
    branch: 'c',
    value: 3,
    _revisions: { start: 2, ids: ['cccccccccccccccccccccccccccccccc', '11111111111111111111111111111111'] },
  },
];
/** pull-oneshot.json #10: POST _bulk_get?latest=true&revs=true&attachments=false, exact body, and the answer. */
export const BULK_GET_ONE = {
  body: '{"revs":true,"latest":true,"docs":[{"rev":"1-1b1a1fe9a992193297662dd3e249f92f","id":"sensor-48","atts_since":[]}],"attachments":false}',
  response: {
    results: [
      {
        id: 'sensor-48',
        docs: [
          {
            ok: {
              _id: 'sensor-48',
              _rev: '1-1b1a1fe9a992193297662dd3e249f92f',
              type: 'reading',
              sensor: 's6',
              value: 144,
              unit: 'C',
              _revisions: { start: 1, ids: ['1b1a1fe9a992193297662dd3e249f92f'] },
            },
          },
        ],
      },
    ],
  },
};
/** pull-oneshot.json #15: POST _bulk_get?latest=true&revs=true&attachments=false, exact body, and the answer. */
export const BULK_GET_MANY = {
  body: '{"revs":true,"latest":true,"docs":[{"rev":"2-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","id":"conflicted","atts_since":[]},{"rev":"2-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","id":"conflicted","atts_since":[]},{"rev":"2-cccccccccccccccccccccccccccccccc","id":"conflicted","atts_since":[]},{"rev":"2-75e083315b5f3c53c3b4e23e176b22a7","id":"deleted-2","atts_since":[]},{"rev":"2-690857bcaf8bd3928c2546e3b409a0c2","id":"deleted-3","atts_since":[]},{"rev":"1-29f4d63a40436ce03e20d740738417a3","id":"sensor-49","atts_since":[]},{"rev":"1-57ae680e1b76dd0a92ad882d8f246927","id":"with-text-att","atts_since":[]}],"attachments":false}',
  response: {
    results: [
      {
        id: 'conflicted',
        docs: [
          {
            ok: {
              _id: 'conflicted',
              _rev: '2-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
              branch: 'a',
              value: 1,
              _revisions: {
                start: 2,
                ids: ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '11111111111111111111111111111111'],
              },
            },
          },
        ],
      },
      {
        id: 'conflicted',
        docs: [
          {
            ok: {
              _id: 'conflicted',
              _rev: '2-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
              branch: 'b',
              value: 2,
              _revisions: {
                start: 2,
                ids: ['bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', '11111111111111111111111111111111'],
              },
            },
          },
        ],
      },
      {
        id: 'conflicted',
        docs: [
          {
            ok: {
              _id: 'conflicted',
              _rev: '2-cccccccccccccccccccccccccccccccc',
              branch: 'c',
              value: 3,
              _revisions: {
                start: 2,
                ids: ['cccccccccccccccccccccccccccccccc', '11111111111111111111111111111111'],
              },
            },
          },
        ],
      },
      {
        id: 'deleted-2',
        docs: [
          {
            ok: {
              _id: 'deleted-2',
              _rev: '2-75e083315b5f3c53c3b4e23e176b22a7',
              _deleted: true,
              _revisions: {
                start: 2,
                ids: ['75e083315b5f3c53c3b4e23e176b22a7', '6c35f3706da53dc43a3dbeccc09b99a1'],
              },
            },
          },
        ],
      },
      {
        id: 'deleted-3',
        docs: [
          {
            ok: {
              _id: 'deleted-3',
              _rev: '2-690857bcaf8bd3928c2546e3b409a0c2',
              _deleted: true,
              _revisions: {
                start: 2,
                ids: ['690857bcaf8bd3928c2546e3b409a0c2', '230789d6e0446b42520a0a75abb48967'],
              },
            },
          },
        ],
      },
      {
        id: 'sensor-49',
        docs: [
          {
            ok: {
              _id: 'sensor-49',
              _rev: '1-29f4d63a40436ce03e20d740738417a3',
              type: 'reading',
              sensor: 's0',
              value: 147,
              unit: 'C',
              _revisions: { start: 1, ids: ['29f4d63a40436ce03e20d740738417a3'] },
            },
          },
        ],
      },
      {
        id: 'with-text-att',
        docs: [
          {
            ok: {
              _id: 'with-text-att',
              _rev: '1-57ae680e1b76dd0a92ad882d8f246927',
              type: 'note',
              _revisions: { start: 1, ids: ['57ae680e1b76dd0a92ad882d8f246927'] },
              _attachments: {
                'note.txt': {
                  content_type: 'text/plain',
                  revpos: 1,
                  digest: 'md5-T0rZv6sNoPY8ovXzm5XcmA==',
                  length: 40,
                  stub: true,
                },
              },
            },
          },
        ],
      },
    ],
  },
};
/** pull-oneshot.json #16: GET with-text-att?revs=true&open_revs=["1-57ae..."]&latest=true (Accept multipart/mixed):
 *  the JSON part and the gzip bytes of note.txt in the nested multipart/related part. */
export const OPEN_REVS_TEXT = {
  path: '/with-text-att?revs=true&open_revs=%5B%221-57ae680e1b76dd0a92ad882d8f246927%22%5D&latest=true',
  doc: {
    _id: 'with-text-att',
    _rev: '1-57ae680e1b76dd0a92ad882d8f246927',
    type: 'note',
    _revisions: { start: 1, ids: ['57ae680e1b76dd0a92ad882d8f246927'] },
    _attachments: {
      'note.txt': {
        content_type: 'text/plain',
        revpos: 1,
        digest: 'md5-T0rZv6sNoPY8ovXzm5XcmA==',
        length: 40,
        follows: true,
        encoding: 'gzip',
        encoded_length: 59,
      },
    },
  },
  attGzipBase64: 'H4sIAAAAAAAAA8tIzcnJV0grys9VKMlIVShJrShRSCwpSUzOyE3NK+HKycwDCpbncwEAH5m/aigAAAA=',
};
/** push-oneshot.json #15: first checkpoint PUT (no _rev). */
export const CHECKPOINT_1 = {
  id: 'cc58a459c7663c93835b213a72d00de3',
  body: '{"_id":"_local/cc58a459c7663c93835b213a72d00de3","session_id":"c8713a80f64c3c636e2827dff5f941f9","source_last_seq":"60-g1AAAACjeJzLYWBgYMpgTmEQTs4vTc5ISTI2dDA0MtczAELDHJBkIkNS_f___7MymBMlcoEC7KmpiakpiWnYteA1Ko8FSDI0AKn_UBNVwCYamJgYW1okYteZBQCm1Cqy","replication_id_version":4,"history":[{"session_id":"c8713a80f64c3c636e2827dff5f941f9","start_time":"Fri, 27 Nov 2026 16:04:16 GMT","end_time":"Fri, 27 Nov 2026 16:04:17 GMT","start_last_seq":0,"end_last_seq":"60-g1AAAACjeJzLYWBgYMpgTmEQTs4vTc5ISTI2dDA0MtczAELDHJBkIkNS_f___7MymBMlcoEC7KmpiakpiWnYteA1Ko8FSDI0AKn_UBNVwCYamJgYW1okYteZBQCm1Cqy","recorded_seq":"60-g1AAAACjeJzLYWBgYMpgTmEQTs4vTc5ISTI2dDA0MtczAELDHJBkIkNS_f___7MymBMlcoEC7KmpiakpiWnYteA1Ko8FSDI0AKn_UBNVwCYamJgYW1okYteZBQCm1Cqy","missing_checked":58,"missing_found":58,"docs_read":58,"docs_written":58,"doc_write_failures":0,"bulk_get_docs":56,"bulk_get_attempts":58}]}',
};
/** pull-continuous.json #25: a later checkpoint PUT with "_rev":"0-N" and "_revisions". */
export const CHECKPOINT_2 = {
  id: '47ef036acbf16d0a8d515357f51d2859',
  body: '{"_id":"_local/47ef036acbf16d0a8d515357f51d2859","_rev":"0-1","session_id":"9f77e069f3709a164aca767935025d99","source_last_seq":"64-g1AAAACjeJzLYWBgYMpgTmEQTs4vTc5ISTI2cjA0MtczAELDHJBkIkNS_f___7MymBOlcoEC7GkGBqkGaabYteA1Ko8FSDI0AKn_UBPVwCaamFqmJCYmYteZBQBj6iqB","replication_id_version":4,"history":[{"session_id":"9f77e069f3709a164aca767935025d99","start_time":"Fri, 27 Nov 2026 16:04:24 GMT","end_time":"Fri, 27 Nov 2026 16:04:59 GMT","start_last_seq":0,"end_last_seq":"64-g1AAAACjeJzLYWBgYMpgTmEQTs4vTc5ISTI2cjA0MtczAELDHJBkIkNS_f___7MymBOlcoEC7GkGBqkGaabYteA1Ko8FSDI0AKn_UBPVwCaamFqmJCYmYteZBQBj6iqB","recorded_seq":"64-g1AAAACjeJzLYWBgYMpgTmEQTs4vTc5ISTI2cjA0MtczAELDHJBkIkNS_f___7MymBOlcoEC7GkGBqkGaabYteA1Ko8FSDI0AKn_UBPVwCaamFqmJCYmYteZBQBj6iqB","missing_checked":62,"missing_found":62,"docs_read":62,"docs_written":62,"doc_write_failures":0,"bulk_get_docs":60,"bulk_get_attempts":62}],"_revisions":{"start":0,"ids":["1"]}}',
  response: { ok: true, id: '_local/47ef036acbf16d0a8d515357f51d2859', rev: '0-2' },
};
/** pull-continuous.json #28: a later checkpoint PUT with "_rev":"0-N" and "_revisions". */
export const CHECKPOINT_3 = {
  id: '47ef036acbf16d0a8d515357f51d2859',
  body: '{"_id":"_local/47ef036acbf16d0a8d515357f51d2859","_rev":"0-2","session_id":"9f77e069f3709a164aca767935025d99","source_last_seq":"65-g1AAAACjeJzLYWBgYMpgTmEQTs4vTc5ISTI2cjA0MtczAELDHJBkIkNS_f___7MymBOlc4EC7GkGBqkGaabYteA1Ko8FSDI0AKn_UBPVwCaamFqmJCYmYteZBQBkYCqC","replication_id_version":4,"history":[{"session_id":"9f77e069f3709a164aca767935025d99","start_time":"Fri, 27 Nov 2026 16:04:24 GMT","end_time":"Fri, 27 Nov 2026 16:05:04 GMT","start_last_seq":0,"end_last_seq":"65-g1AAAACjeJzLYWBgYMpgTmEQTs4vTc5ISTI2cjA0MtczAELDHJBkIkNS_f___7MymBOlc4EC7GkGBqkGaabYteA1Ko8FSDI0AKn_UBPVwCaamFqmJCYmYteZBQBkYCqC","recorded_seq":"65-g1AAAACjeJzLYWBgYMpgTmEQTs4vTc5ISTI2cjA0MtczAELDHJBkIkNS_f___7MymBOlc4EC7GkGBqkGaabYteA1Ko8FSDI0AKn_UBPVwCaamFqmJCYmYteZBQBkYCqC","missing_checked":63,"missing_found":63,"docs_read":63,"docs_written":63,"doc_write_failures":0,"bulk_get_docs":61,"bulk_get_attempts":63}],"_revisions":{"start":0,"ids":["2"]}}',
  response: { ok: true, id: '_local/47ef036acbf16d0a8d515357f51d2859', rev: '0-3' },
};
/** resume.json #12: checkpoint PUT of a resumed run: _rev 0-1, 2-entry history (newest first). */
export const CHECKPOINT_RESUME = {
  id: '85da5fc5aa7e5cd09990f6c469017641',
  body: '{"_id":"_local/85da5fc5aa7e5cd09990f6c469017641","_rev":"0-1","session_id":"4c9228657cdf7dec172699896e171f26","source_last_seq":"70-g1AAAACjeJzLYWBgYMpgTmEQTs4vTc5ISTI2cjA0MtczAELDHJBkIkNS_f___7MymBPlcoEC7GkGBqkGaabYteA1Ko8FSDI0AKn_UBM1wCaamFqmJCYmYteZBQBmCiqH","replication_id_version":4,"history":[{"session_id":"4c9228657cdf7dec172699896e171f26","start_time":"Fri, 27 Nov 2026 16:05:33 GMT","end_time":"Fri, 27 Nov 2026 16:05:33 GMT","start_last_seq":"65-g1AAAACjeJzLYWBgYMpgTmEQTs4vTc5ISTI2cjA0MtczAELDHJBkIkNS_f___7MymBOlc4EC7GkGBqkGaabYteA1Ko8FSDI0AKn_UBPVwCaamFqmJCYmYteZBQBkYCqC","end_last_seq":"70-g1AAAACjeJzLYWBgYMpgTmEQTs4vTc5ISTI2cjA0MtczAELDHJBkIkNS_f___7MymBPlcoEC7GkGBqkGaabYteA1Ko8FSDI0AKn_UBM1wCaamFqmJCYmYteZBQBmCiqH","recorded_seq":"70-g1AAAACjeJzLYWBgYMpgTmEQTs4vTc5ISTI2cjA0MtczAELDHJBkIkNS_f___7MymBPlcoEC7GkGBqkGaabYteA1Ko8FSDI0AKn_UBM1wCaamFqmJCYmYteZBQBmCiqH","missing_checked":68,"missing_found":68,"docs_read":68,"docs_written":68,"doc_write_failures":0,"bulk_get_docs":66,"bulk_get_attempts":68},{"session_id":"18fe922e5a560cd21e2391877266b9d3","start_time":"Fri, 27 Nov 2026 16:05:29 GMT","end_time":"Fri, 27 Nov 2026 16:05:29 GMT","start_last_seq":0,"end_last_seq":"65-g1AAAACjeJzLYWBgYMpgTmEQTs4vTc5ISTI2cjA0MtczAELDHJBkIkNS_f___7MymBOlc4EC7GkGBqkGaabYteA1Ko8FSDI0AKn_UBPVwCaamFqmJCYmYteZBQBkYCqC","recorded_seq":"65-g1AAAACjeJzLYWBgYMpgTmEQTs4vTc5ISTI2cjA0MtczAELDHJBkIkNS_f___7MymBOlc4EC7GkGBqkGaabYteA1Ko8FSDI0AKn_UBPVwCaamFqmJCYmYteZBQBkYCqC","missing_checked":63,"missing_found":63,"docs_read":63,"docs_written":63,"doc_write_failures":0,"bulk_get_docs":61,"bulk_get_attempts":63}],"_revisions":{"start":0,"ids":["1"]}}',
  response: { ok: true, id: '_local/85da5fc5aa7e5cd09990f6c469017641', rev: '0-2' },
};
/** push-continuous-missing-target.json #2: GET /missing_db/ answer. */
export const MISSING_DB = {
  status: 404,
  response: { error: 'not_found', reason: 'Database does not exist.' },
};
/** push-oneshot.json #1: POST /_session answer. */
export const SESSION_RESPONSE = { ok: true, name: 'admin', roles: ['_admin'] };
/** push-oneshot.json #14: POST _ensure_full_commit answer (instance_start_time of that server). */
export const ENSURE_FULL_COMMIT_RESPONSE = { ok: true, instance_start_time: '1795795456' };
