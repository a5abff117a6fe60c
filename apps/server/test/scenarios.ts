import type { RequestSpec, Scenario, Step } from './scenario-runner.ts';

// Builders keep the table readable: one line per request.
const request = (spec: RequestSpec): Step => ({ kind: 'request', request: spec });
const get = (path: string, query?: string): Step =>
  request({ method: 'GET', path, ...(query ? { query } : {}) });
const head = (path: string, query?: string): Step =>
  request({ method: 'HEAD', path, ...(query ? { query } : {}) });
const put = (path: string, form?: string, query?: string): Step =>
  request({ method: 'PUT', path, ...(form !== undefined ? { form } : {}), ...(query ? { query } : {}) });
const post = (path: string, form?: string, query?: string): Step =>
  request({ method: 'POST', path, ...(form !== undefined ? { form } : {}), ...(query ? { query } : {}) });
const del = (path: string, query?: string): Step =>
  request({ method: 'DELETE', path, ...(query ? { query } : {}) });
const method = (name: string, path: string): Step => request({ method: name, path });
const start = (name: string, path: string, query: string, readForMs?: number): Step => ({
  kind: 'start',
  name,
  request: { method: 'GET', path, query },
  ...(readForMs === undefined ? {} : { readForMs }),
});
const finish = (name: string): Step => ({ kind: 'finish', name });
const sleep = (ms: number): Step => ({ kind: 'sleep', ms });
const burst = (count: number, make: (index: number) => RequestSpec): Step => ({
  kind: 'burst',
  requests: Array.from({ length: count }, (_, index) => make(index)),
});
const storeStats: Step = { kind: 'storeStats' };
const scenario = (name: string, ...steps: Step[]): Scenario => ({ name, steps });

const goTrue = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const goFalse = ['0', 'f', 'F', 'FALSE', 'false', 'False'];
const booleanParameters = ['recursive', 'sorted', 'wait', 'dir', 'quorum', 'stream', 'noValueOnSuccess'];

const basics: Scenario[] = [
  scenario('set a new key answers 201 set', put('~/a', 'value=one'), get('~/a')),
  scenario('set an existing key answers 200 with prevNode', put('~/a', 'value=one'), put('~/a', 'value=two')),
  scenario('value from the query string', put('~/a', undefined, 'value=q'), get('~/a')),
  scenario('body value wins over query value', put('~/a', 'value=body', 'value=query'), get('~/a')),
  scenario('first of repeated values wins', put('~/a', 'value=first&value=second'), get('~/a')),
  scenario('empty value', put('~/a', 'value='), get('~/a')),
  scenario('no value at all', put('~/a'), get('~/a')),
  scenario('characters Go escapes in JSON', put('~/a', 'value=%3Ca%20%26%20b%3E%E2%80%A8'), get('~/a')),
  scenario('plus in a form is a space', put('~/a', 'value=a+b%2Bc'), get('~/a')),
  scenario('unicode key and value', put('~/%C3%A9t%C3%A9', 'value=%E2%82%AC'), get('~/%C3%A9t%C3%A9')),
  scenario('key with an escaped space', put('~/a%20b', 'value=x'), get('~/a%20b'), get('~')),
  scenario('escaped slash splits the key', put('~/a%2Fb', 'value=x'), get('~/a/b'), get('~/a')),
  scenario('get a missing key is 100', get('~/missing')),
  scenario('missing parent names the first missing segment', get('~/x/y/z')),
  scenario('head of a key', put('~/a', 'value=x'), head('~/a')),
  scenario('head of a missing key', head('~/missing')),
  scenario('trailing slash on a file', put('~/a', 'value=x'), get('~/a/')),
  scenario('set creates parent directories', put('~/d/e/f', 'value=x'), get('~/d', 'recursive=true')),
  scenario('key below a file is 104', put('~/a', 'value=x'), put('~/a/b', 'value=y'), get('~/a/b')),
  scenario('set over a directory is 102', put('~/d/e', 'value=x'), put('~/d', 'value=y')),
  scenario('invalid UTF-8 in a value', put('~/a', 'value=%ff%fe'), get('~/a')),
  scenario('a long key', put(`~/${'k'.repeat(1000)}`, 'value=x'), get(`~/${'k'.repeat(1000)}`)),
  scenario(
    'a 3 MiB value is accepted',
    request({ method: 'PUT', path: '~/big', form: `value=${'v'.repeat(3 * 1024 * 1024)}` }),
  ),
];

const listings: Scenario[] = [
  scenario(
    'directory listing, one level',
    put('~/d/a', 'value=1'),
    put('~/d/b/c', 'value=2'),
    put('~/d/c', 'value=3'),
    get('~/d'),
  ),
  scenario(
    'recursive listing',
    put('~/d/a', 'value=1'),
    put('~/d/b/c', 'value=2'),
    get('~/d', 'recursive=true'),
  ),
  scenario(
    'sorted listing',
    put('~/d/zz', 'value=1'),
    put('~/d/aa', 'value=2'),
    put('~/d/mm/x', 'value=3'),
    get('~/d', 'sorted=true'),
    get('~/d', 'sorted=true&recursive=true'),
  ),
  scenario('empty directory listing', put('~/d', 'dir=true'), get('~/d'), get('~/d', 'recursive=true')),
  scenario('listing the scenario root', put('~/a', 'value=1'), put('~/b', 'value=2'), get('~/')),
  scenario(
    'hidden keys are left out of listings',
    put('~/d/_hidden', 'value=h'),
    put('~/d/shown', 'value=s'),
    put('~/d/_hdir/x', 'value=x'),
    get('~/d', 'recursive=true'),
    get('~/d/_hidden'),
    get('~/d/_hdir', 'recursive=true'),
  ),
  scenario('directory with only hidden keys', put('~/d/_h', 'value=h'), get('~/d')),
  scenario('delete a hidden key', put('~/_h', 'value=h'), del('~/_h'), get('~/_h')),
];

const conditions: Scenario[] = [
  scenario('prevExist=false creates', put('~/a', 'value=x&prevExist=false'), get('~/a')),
  scenario(
    'prevExist=false on an existing key is 105',
    put('~/a', 'value=x'),
    put('~/a', 'value=y&prevExist=false'),
  ),
  scenario('prevExist=true on a missing key is 100', put('~/a', 'value=x&prevExist=true')),
  scenario('prevExist=true updates', put('~/a', 'value=x'), put('~/a', 'value=y&prevExist=true')),
  scenario('prevValue matches: compareAndSwap', put('~/a', 'value=x'), put('~/a', 'value=y&prevValue=x')),
  scenario('prevValue differs: 101', put('~/a', 'value=x'), put('~/a', 'value=y&prevValue=z'), get('~/a')),
  scenario('prevIndex matches', put('~/a', 'value=x'), put('~/a', 'value=y&prevIndex={i+1}')),
  scenario('prevIndex differs', put('~/a', 'value=x'), put('~/a', 'value=y&prevIndex={i+9}')),
  scenario(
    'prevValue and prevIndex both differ',
    put('~/a', 'value=x'),
    put('~/a', 'value=y&prevIndex={i+9}&prevValue=z'),
  ),
  scenario(
    'prevValue matches, prevIndex differs',
    put('~/a', 'value=x'),
    put('~/a', 'value=y&prevIndex={i+9}&prevValue=x'),
  ),
  scenario('prevIndex=0 is no condition', put('~/a', 'value=x'), put('~/a', 'value=y&prevIndex=0')),
  scenario('prevValue on a missing key', put('~/a', 'value=y&prevValue=x')),
  scenario(
    'compareAndSwap on a directory is 102',
    put('~/d/e', 'value=x'),
    put('~/d', 'value=y&prevValue=x'),
  ),
  scenario(
    'prevExist=true with prevValue',
    put('~/a', 'value=x'),
    put('~/a', 'value=y&prevExist=true&prevValue=x'),
  ),
  scenario('prevExist=false ignores prevValue', put('~/a', 'value=y&prevExist=false&prevValue=x')),
  scenario(
    'prevExist=true with a mismatched prevIndex',
    put('~/a', 'value=x'),
    put('~/a', 'value=y&prevExist=true&prevIndex={i+7}'),
  ),
  scenario('compareAndDelete by value', put('~/a', 'value=x'), del('~/a', 'prevValue=x'), get('~/a')),
  scenario('compareAndDelete by value, mismatch', put('~/a', 'value=x'), del('~/a', 'prevValue=z')),
  scenario('compareAndDelete by index', put('~/a', 'value=x'), del('~/a', 'prevIndex={i+1}')),
  scenario('compareAndDelete by index, mismatch', put('~/a', 'value=x'), del('~/a', 'prevIndex={i+5}')),
  scenario('compareAndDelete on a directory', put('~/d/e', 'value=x'), del('~/d', 'prevValue=x')),
  scenario('compareAndDelete on a missing key', del('~/missing', 'prevValue=x')),
  scenario(
    'update keeps createdIndex, set replaces it',
    put('~/a', 'value=x'),
    put('~/a', 'value=y&prevExist=true'),
    put('~/a', 'value=z'),
  ),
];

const noValue: Scenario[] = [
  scenario('noValueOnSuccess on set', put('~/a', 'value=x&noValueOnSuccess=true')),
  scenario('noValueOnSuccess on create', put('~/a', 'value=x&prevExist=false&noValueOnSuccess=true')),
  scenario(
    'noValueOnSuccess on update',
    put('~/a', 'value=x'),
    put('~/a', 'value=y&prevExist=true&noValueOnSuccess=true'),
  ),
  scenario(
    'noValueOnSuccess on compareAndSwap',
    put('~/a', 'value=x'),
    put('~/a', 'value=y&prevValue=x&noValueOnSuccess=true'),
  ),
  scenario(
    'noValueOnSuccess does not hide a delete',
    put('~/a', 'value=x'),
    del('~/a', 'noValueOnSuccess=true'),
  ),
  scenario(
    'noValueOnSuccess does not hide a get',
    put('~/a', 'value=x'),
    get('~/a', 'noValueOnSuccess=true'),
  ),
  scenario('noValueOnSuccess on POST', post('~/q', 'value=x&noValueOnSuccess=true')),
  scenario('noValueOnSuccess on an error', put('~/a', 'value=x&prevExist=true&noValueOnSuccess=true')),
];

const directories: Scenario[] = [
  scenario('make a directory', put('~/d', 'dir=true'), get('~/d')),
  scenario('make a directory that exists as a directory', put('~/d', 'dir=true'), put('~/d', 'dir=true')),
  scenario(
    'make a directory with prevExist=false twice',
    put('~/d', 'dir=true&prevExist=false'),
    put('~/d', 'dir=true&prevExist=false'),
  ),
  scenario('dir=true ignores the value', put('~/d', 'dir=true&value=x'), get('~/d')),
  scenario('directory over a file', put('~/a', 'value=x'), put('~/a', 'dir=true')),
  scenario('delete a directory without dir is 102', put('~/d/e', 'value=x'), del('~/d')),
  scenario(
    'delete an empty directory with dir=true',
    put('~/d', 'dir=true'),
    del('~/d', 'dir=true'),
    get('~/d'),
  ),
  scenario(
    'delete a non-empty directory with dir=true is 108',
    put('~/d/e', 'value=x'),
    del('~/d', 'dir=true'),
  ),
  scenario('delete recursive', put('~/d/e/f', 'value=x'), del('~/d', 'recursive=true'), get('~/d/e/f')),
  scenario('delete recursive with dir', put('~/d/e', 'value=x'), del('~/d', 'dir=true&recursive=true')),
  scenario('delete a file with dir=true', put('~/a', 'value=x'), del('~/a', 'dir=true')),
  scenario('delete a missing key', del('~/missing')),
  scenario('delete a key', put('~/a', 'value=x'), del('~/a'), get('~/a')),
  scenario(
    'update a directory with prevExist=true',
    put('~/d', 'dir=true'),
    put('~/d', 'dir=true&prevExist=true'),
  ),
  scenario(
    'set a value with prevExist=true on a directory',
    put('~/d', 'dir=true'),
    put('~/d', 'value=x&prevExist=true'),
  ),
  scenario('root is read only: PUT', put('', 'value=x')),
  scenario('root is read only: DELETE', del('/v2/keys/')),
  scenario('root is read only: DELETE recursive', del('/v2/keys/', 'recursive=true')),
  scenario('root compareAndDelete', del('/v2/keys/', 'prevValue=x')),
  scenario(
    'root compareAndSwap',
    request({ method: 'PUT', path: '/v2/keys/', query: 'prevValue=x&value=y' }),
  ),
  scenario(
    'root with prevExist=true',
    request({ method: 'PUT', path: '/v2/keys', query: 'prevExist=true&value=y' }),
  ),
];

const inOrder: Scenario[] = [
  scenario(
    'POST creates an in-order key',
    post('~/q', 'value=one'),
    get('~/q', 'recursive=true&sorted=true'),
  ),
  scenario(
    'several in-order keys, sorted',
    post('~/q', 'value=1'),
    post('~/q', 'value=2'),
    post('~/q', 'value=3'),
    get('~/q', 'sorted=true'),
  ),
  scenario('POST an in-order directory', post('~/q', 'dir=true'), get('~/q', 'recursive=true&sorted=true')),
  scenario('POST with a TTL', post('~/q', 'value=x&ttl=100')),
  scenario('POST under a file is 104', put('~/a', 'value=x'), post('~/a', 'value=y')),
  scenario('POST ignores prevExist', post('~/q', 'value=x&prevExist=true')),
  scenario('POST without a value', post('~/q')),
];

const ttls: Scenario[] = [
  scenario('ttl gives expiration and ttl', put('~/a', 'value=x&ttl=100'), get('~/a')),
  scenario(
    'an update without ttl clears it',
    put('~/a', 'value=x&ttl=100'),
    put('~/a', 'value=y&prevExist=true'),
    get('~/a'),
  ),
  scenario('an empty ttl clears it', put('~/a', 'value=x&ttl=100'), put('~/a', 'value=y&ttl='), get('~/a')),
  scenario('ttl on a directory', put('~/d', 'dir=true&ttl=100'), get('~/d')),
  scenario(
    'ttl on a directory update',
    put('~/d', 'dir=true'),
    put('~/d', 'dir=true&ttl=100&prevExist=true'),
    get('~/d'),
  ),
  scenario(
    'refresh extends without changing',
    put('~/a', 'value=x&ttl=100'),
    put('~/a', 'refresh=true&ttl=200'),
    get('~/a'),
  ),
  scenario(
    'refresh with prevExist=true',
    put('~/a', 'value=x&ttl=100'),
    put('~/a', 'refresh=true&ttl=200&prevExist=true'),
  ),
  scenario(
    'refresh with prevValue',
    put('~/a', 'value=x&ttl=100'),
    put('~/a', 'refresh=true&ttl=200&prevValue=x'),
  ),
  scenario('refresh of a missing key', put('~/a', 'refresh=true&ttl=5')),
  scenario(
    'refresh with an empty value',
    put('~/a', 'value=x&ttl=100'),
    put('~/a', 'refresh=true&ttl=20&value='),
  ),
  scenario('refresh without ttl is 212', put('~/a', 'value=x'), put('~/a', 'refresh=true')),
  scenario('refresh with a value is 211', put('~/a', 'value=x'), put('~/a', 'refresh=true&ttl=5&value=y')),
  scenario(
    'refresh=false is a plain set',
    put('~/a', 'value=x&ttl=100'),
    put('~/a', 'refresh=false&value=y'),
  ),
  scenario('ttl=abc is 202', put('~/a', 'value=x&ttl=abc')),
  scenario('negative ttl is 202', put('~/a', 'value=x&ttl=-1')),
  scenario('fractional ttl is 202', put('~/a', 'value=x&ttl=1.5')),
  scenario('ttl with a plus sign is 202', put('~/a', 'value=x&ttl=%2B1')),
  scenario('ttl beyond uint64 is 202', put('~/a', 'value=x&ttl=18446744073709551616')),
  scenario(
    'a key expires',
    put('~/a', 'value=x&ttl=1'),
    start('w', '~/a', 'wait=true'),
    sleep(2500),
    finish('w'),
    get('~/a'),
  ),
  scenario(
    'an expiring directory takes its children',
    put('~/d', 'dir=true&ttl=1'),
    put('~/d/e', 'value=x'),
    sleep(2500),
    get('~/d/e'),
    get('~/d'),
  ),
  scenario(
    'a refreshed key outlives its first ttl',
    put('~/a', 'value=x&ttl=1'),
    put('~/a', 'refresh=true&ttl=100'),
    sleep(1600),
    get('~/a'),
  ),
];

const validation: Scenario[] = [
  ...booleanParameters.map((name) => scenario(`${name}=maybe is refused`, get('~/a', `${name}=maybe`))),
  ...booleanParameters.map((name) => scenario(`${name}= (empty) is refused`, put('~/a', `value=x&${name}=`))),
  scenario('prevExist=maybe', put('~/a', 'value=x&prevExist=maybe')),
  scenario('refresh=maybe', put('~/a', 'value=x&refresh=maybe')),
  scenario('prevIndex=abc', put('~/a', 'value=x&prevIndex=abc')),
  scenario('prevIndex empty', put('~/a', 'value=x&prevIndex=')),
  scenario('prevIndex negative', del('~/a', 'prevIndex=-3')),
  scenario('waitIndex=abc', get('~/a', 'wait=true&waitIndex=abc')),
  scenario('waitIndex negative without wait', get('~/a', 'waitIndex=-1')),
  scenario('prevValue empty on PUT', put('~/a', 'value=x&prevValue=')),
  scenario('prevValue empty on GET', get('~/a', 'prevValue=')),
  scenario('prevValue empty on DELETE', del('~/a', 'prevValue=')),
  scenario('wait on PUT', put('~/a', 'value=x', 'wait=true')),
  scenario('wait on POST', post('~/a', 'value=x', 'wait=true')),
  scenario('wait on DELETE', del('~/a', 'wait=true')),
  scenario('wait on HEAD', head('~/a', 'wait=true')),
  scenario('errors come in etcd order: prevIndex before recursive', get('~/a', 'recursive=x&prevIndex=x')),
  scenario('errors come in etcd order: ttl before prevExist', put('~/a', 'prevExist=x&ttl=x')),
  scenario(
    'errors come in etcd order: prevValue before noValueOnSuccess',
    put('~/a', 'noValueOnSuccess=x&prevValue='),
  ),
  scenario('errors come in etcd order: waitIndex before wait on PUT', put('~/a', 'wait=true&waitIndex=x')),
  scenario('bad escape in the query is 210', get('~/a', 'value=%zz')),
  scenario('bad escape in the body is 210', put('~/a', 'value=%zz')),
  scenario('semicolon in the query is 210', get('~/a', 'a=1;b=2')),
  scenario('body error wins over query error', put('~/a', 'value=%yy', 'b=%zz')),
  scenario(
    'bad media type parameter is 210',
    request({
      method: 'PUT',
      path: '~/a',
      form: 'value=x',
      contentType: 'application/x-www-form-urlencoded;;;bad',
    }),
  ),
  scenario(
    'media type in capitals with a charset is a form',
    request({
      method: 'PUT',
      path: '~/a',
      form: 'value=x',
      contentType: 'Application/X-WWW-Form-Urlencoded; charset=utf-8',
    }),
  ),
  scenario(
    'a JSON body is ignored',
    request({
      method: 'PUT',
      path: '~/a',
      query: 'value=q',
      body: Buffer.from('{"value":"j"}'),
      contentType: 'application/json',
    }),
  ),
  scenario(
    'an octet-stream body is ignored',
    request({
      method: 'PUT',
      path: '~/a',
      query: 'value=q',
      body: Buffer.from('value=b'),
      contentType: 'application/octet-stream',
    }),
  ),
  scenario(
    'a GET form body is ignored',
    put('~/a', 'value=x'),
    request({ method: 'GET', path: '~/a', form: 'recursive=maybe' }),
  ),
  scenario(
    'a DELETE form body is ignored',
    put('~/a', 'value=x'),
    request({ method: 'DELETE', path: '~/a', form: 'prevValue=nope' }),
  ),
  scenario('a name without a value', put('~/a', 'value=x&dir')),
  scenario('unknown parameters are ignored', put('~/a', 'value=x&colour=blue'), get('~/a', 'colour=blue')),
  scenario('uint64 prevIndex bound in text', put('~/a', 'value=x&prevIndex=1e3')),
  ...goTrue.map((spelling) =>
    scenario(`recursive=${spelling} is true`, put('~/d/e', 'value=x'), get('~/d', `recursive=${spelling}`)),
  ),
  ...goFalse.map((spelling) =>
    scenario(`dir=${spelling} is false`, put('~/a', `value=x&dir=${spelling}`), get('~/a')),
  ),
];

const paths: Scenario[] = [
  scenario('double slash redirects', get('/v2/keys//a')),
  scenario('dot segment redirects', get('/v2/keys/./a')),
  scenario('dot-dot segment redirects', get('/v2/keys/a/../b')),
  scenario('dot-dot above keys redirects out of the API', get('/v2/keys/..')),
  scenario('trailing dot redirects keeping the slash', get('/v2/keys/a/.')),
  scenario('redirect keeps the query', get('/v2/keys//a', 'recursive=true&x=%20')),
  scenario(
    'PUT is redirected too, without a body',
    request({ method: 'PUT', path: '/v2/keys//a', form: 'value=x' }),
  ),
  scenario('HEAD is redirected', head('/v2/keys//a')),
  scenario('DELETE is redirected', del('/v2/keys/a/./b')),
  scenario('escaped slashes are cleaned after decoding', get('/v2/keys/a%2F%2Fb')),
  scenario('redirect escapes the cleaned path', get('/v2/keys//a%20b/%C3%A9')),
  scenario('double slash inside /v2', get('/v2//keys/a')),
  scenario('/v2/keys without a slash is the root', get('/v2/keys')),
  scenario('/v2/keys/ is the root', get('/v2/keys/')),
  scenario('a malformed escape in the path is 400', get('/v2/keys/a%zz')),
  scenario('an unknown path is 404', get('/v2/nothing')),
  scenario('/v2/stats alone is 404', get('/v2/stats')),
  scenario('/v2/keys-like path is 404', get('/v2/keysx')),
];

const methods: Scenario[] = [
  scenario('PATCH on keys is 405', method('PATCH', '~/a')),
  scenario('OPTIONS is a CORS preflight', method('OPTIONS', '~/a')),
  scenario('OPTIONS on an unknown path', method('OPTIONS', '/nowhere')),
  scenario('POST /version is 405', method('POST', '/version')),
  scenario('PUT /health is 405', method('PUT', '/health')),
  scenario('POST /v2/machines is 405', method('POST', '/v2/machines')),
  scenario('PATCH /v2/members is 405', method('PATCH', '/v2/members')),
  scenario('POST /v2/stats/store is 405', method('POST', '/v2/stats/store')),
  scenario('DELETE /v2/stats/self is 405', method('DELETE', '/v2/stats/self')),
  scenario('HEAD /v2/stats/leader is 405', method('HEAD', '/v2/stats/leader')),
];

const watches: Scenario[] = [
  scenario(
    'a long poll gets the next change',
    start('w', '~/a', 'wait=true'),
    put('~/a', 'value=x'),
    finish('w'),
  ),
  scenario(
    'a long poll on an existing key',
    put('~/a', 'value=x'),
    start('w', '~/a', 'wait=true'),
    put('~/a', 'value=y'),
    finish('w'),
  ),
  scenario(
    'a recursive watch sees a child',
    start('w', '~/d', 'wait=true&recursive=true'),
    put('~/d/e/f', 'value=x'),
    finish('w'),
  ),
  scenario(
    'a non-recursive watch ignores a child',
    put('~/d', 'dir=true'),
    start('w', '~/d', 'wait=true', 800),
    put('~/d/e', 'value=x'),
    finish('w'),
  ),
  scenario(
    'a watch sees a delete',
    put('~/a', 'value=x'),
    start('w', '~/a', 'wait=true'),
    del('~/a'),
    finish('w'),
  ),
  scenario(
    'a watch sees a compareAndSwap',
    put('~/a', 'value=x'),
    start('w', '~/a', 'wait=true'),
    put('~/a', 'value=y&prevValue=x'),
    finish('w'),
  ),
  scenario(
    'a watch on a directory sees its recursive delete',
    put('~/d/e', 'value=x'),
    start('w', '~/d/e', 'wait=true'),
    del('~/d', 'recursive=true'),
    finish('w'),
  ),
  scenario(
    'waitIndex replays history',
    put('~/a', 'value=x'),
    put('~/a', 'value=y'),
    get('~/a', 'wait=true&waitIndex={i+1}'),
  ),
  scenario(
    'waitIndex skips to the matching key',
    put('~/b', 'value=x'),
    put('~/a', 'value=y'),
    get('~/a', 'wait=true&waitIndex={i+1}'),
  ),
  scenario(
    'waitIndex recursive history',
    put('~/d/a', 'value=x'),
    put('~/d/b', 'value=y'),
    get('~/d', 'wait=true&recursive=true&waitIndex={i+2}'),
  ),
  scenario(
    'waitIndex in the future waits',
    put('~/a', 'value=x'),
    start('w', '~/a', 'wait=true&waitIndex={i+3}'),
    put('~/a', 'value=y'),
    put('~/a', 'value=z'),
    finish('w'),
  ),
  scenario(
    'waitIndex=0 is the next change',
    start('w', '~/a', 'wait=true&waitIndex=0'),
    put('~/a', 'value=x'),
    finish('w'),
  ),
  scenario(
    'a stream delivers every change',
    start('w', '~/a', 'wait=true&stream=true', 1000),
    put('~/a', 'value=1'),
    put('~/a', 'value=2'),
    put('~/a', 'value=3'),
    finish('w'),
  ),
  scenario(
    'a recursive stream over a directory',
    start('w', '~/d', 'wait=true&stream=true&recursive=true', 1000),
    put('~/d/a', 'value=1'),
    post('~/d', 'value=2'),
    del('~/d/a'),
    finish('w'),
  ),
  scenario('stream without wait is a get', put('~/a', 'value=x'), get('~/a', 'stream=true')),
  scenario('wait with quorum is a quorum get', put('~/a', 'value=x'), get('~/a', 'wait=true&quorum=true')),
  scenario(
    'a refresh does not wake a watcher',
    put('~/a', 'value=x&ttl=100'),
    start('w', '~/a', 'wait=true', 800),
    put('~/a', 'refresh=true&ttl=200'),
    finish('w'),
  ),
  scenario(
    'a hidden key is watched directly',
    start('w', '~/_h', 'wait=true'),
    put('~/_h', 'value=x'),
    finish('w'),
  ),
  scenario(
    'a recursive watch does not see a hidden child',
    start('w', '~', 'wait=true&recursive=true', 800),
    put('~/_h', 'value=x'),
    finish('w'),
  ),
  scenario(
    'a watch on a missing key in a missing directory',
    start('w', '~/x/y', 'wait=true'),
    put('~/x/y', 'value=1'),
    finish('w'),
  ),
  scenario(
    'a watch sees an expiry',
    put('~/a', 'value=x&ttl=1'),
    start('w', '~/a', 'wait=true'),
    sleep(2500),
    finish('w'),
  ),
  scenario(
    'a cleared index is 401',
    burst(1010, (index) => ({ method: 'PUT', path: `~/filler${index % 10}`, form: 'value=v' })),
    put('~/w', 'value=last'),
    get('~/w', 'wait=true&waitIndex={i+1}'),
    get('~/w', 'wait=true&waitIndex={i+20}'),
  ),
];

const quorum: Scenario[] = [
  scenario('quorum get', put('~/a', 'value=x'), get('~/a', 'quorum=true')),
  scenario('quorum get of a missing key', get('~/missing', 'quorum=true')),
  scenario(
    'quorum recursive sorted get',
    put('~/d/b', 'value=1'),
    put('~/d/a', 'value=2'),
    get('~/d', 'quorum=true&recursive=true&sorted=true'),
  ),
  scenario('HEAD ignores quorum', put('~/a', 'value=x'), head('~/a', 'quorum=true')),
];

const bursts: Scenario[] = [
  scenario(
    '20 concurrent creates: exactly one winner',
    burst(20, () => ({ method: 'PUT', path: '~/lock', form: 'value=mine&prevExist=false' })),
    get('~/lock'),
  ),
  scenario(
    '20 concurrent in-order posts all succeed',
    burst(20, () => ({ method: 'POST', path: '~/queue', form: 'value=job' })),
    get('~/queue', 'sorted=true'),
  ),
  scenario(
    '20 concurrent compareAndSwaps on one index: one winner',
    put('~/a', 'value=start'),
    burst(20, () => ({ method: 'PUT', path: '~/a', form: 'value=next&prevIndex={i+1}' })),
    get('~/a'),
  ),
  scenario(
    '20 concurrent deletes: one winner',
    put('~/a', 'value=x'),
    burst(20, () => ({ method: 'DELETE', path: '~/a' })),
  ),
  scenario(
    '20 concurrent directory creates: one winner',
    burst(20, () => ({ method: 'PUT', path: '~/d', form: 'dir=true&prevExist=false' })),
  ),
  scenario(
    '30 concurrent sets in one directory',
    burst(30, (index) => ({ method: 'PUT', path: `~/d/k${index}`, form: 'value=v' })),
    storeStats,
  ),
];

const endpoints: Scenario[] = [
  scenario('/version', get('/version')),
  scenario('/health', get('/health')),
  scenario('/v2/members', get('/v2/members')),
  scenario('/v2/members/ with a slash', get('/v2/members/')),
  scenario('/v2/members/leader', get('/v2/members/leader')),
  scenario('/v2/members/unknown is 404', get('/v2/members/unknown')),
  scenario('/v2/machines', get('/v2/machines')),
  scenario('HEAD /v2/machines', head('/v2/machines')),
  scenario('/v2/stats/self', get('/v2/stats/self')),
  scenario('/v2/stats/leader', get('/v2/stats/leader')),
  scenario(
    '/v2/stats/store counts gets, sets, creates, updates, deletes and compares',
    get('~/missing'),
    put('~/a', 'value=x'),
    get('~/a'),
    head('~/a'),
    get('~/a', 'quorum=true'),
    put('~/a', 'value=y&prevExist=false'),
    put('~/b', 'value=y&prevExist=false'),
    put('~/a', 'value=z&prevExist=true'),
    put('~/c', 'value=z&prevExist=true'),
    put('~/a', 'value=w&prevValue=z'),
    put('~/a', 'value=w&prevValue=nope'),
    del('~/b', 'prevValue=y'),
    del('~/a', 'prevValue=nope'),
    del('~/a'),
    del('~/a'),
    post('~/q', 'value=x'),
    put('~/a', 'value=x&ttl=abc'),
    storeStats,
  ),
  scenario(
    '/v2/stats/store counts watchers and expiries',
    put('~/a', 'value=x&ttl=1'),
    start('w', '~/b', 'wait=true', 300),
    storeStats,
    sleep(2500),
    finish('w'),
    storeStats,
  ),
];

const statisticsQuirks: Scenario[] = [
  scenario(
    "/v2/stats/store counts refusals as etcd's store does",
    put('~/d/e', 'value=x'),
    del('~/d', 'prevValue=x'),
    put('~/d', 'value=x&prevExist=true'),
    put('~/d', 'value=x&prevValue=y'),
    del('~/missing', 'prevValue=x'),
    put('~/missing', 'value=x&prevExist=true'),
    del('/v2/keys/', 'recursive=true'),
    request({ method: 'PUT', path: '/v2/keys/', query: 'prevValue=x&value=y' }),
    request({ method: 'PUT', path: '/v2/keys/', query: 'prevExist=true&value=y' }),
    get('/v2/members'),
    storeStats,
  ),
];

const json = (method: string, path: string, text: string, contentType = 'application/json'): Step =>
  request({ method, path, contentType, body: Buffer.from(text, 'latin1') });

/**
 * Runtime membership requests that etcd refuses before changing anything (an accepted POST
 * would add a voter that never starts, and break the reference etcd's quorum).
 */
const membership: Scenario[] = [
  scenario('POST /v2/members with a form is 415', post('/v2/members', 'peerURLs=http://127.0.0.1:9')),
  scenario(
    'POST /v2/members as text/plain is 415',
    json('POST', '/v2/members', '{"peerURLs":["http://127.0.0.1:9"]}', 'text/plain'),
  ),
  scenario(
    'POST /v2/members with an upper-case media type is 415',
    json('POST', '/v2/members', '{"peerURLs":["http://127.0.0.1:9"]}', 'Application/JSON'),
  ),
  scenario(
    'POST /v2/members: malformed JSON',
    json('POST', '/v2/members', ''),
    json('POST', '/v2/members', 'x'),
    json('POST', '/v2/members', '{'),
    json('POST', '/v2/members', '{"a":1,}'),
    json('POST', '/v2/members', '{"peerURLs":["http://127.0.0.1:9"]} x'),
    json('POST', '/v2/members', '{"peerURLs":[tru]}'),
    json('POST', '/v2/members', '{"peerURLs" ["x"]}'),
    json('POST', '/v2/members', '{"peerURLs":["a"] "b"}'),
    json('POST', '/v2/members', '["a" "b"]'),
    json('POST', '/v2/members', '{"peerURLs":["\x01"]}'),
    json('POST', '/v2/members', '{"peerURLs":["\\q"]}'),
    json('POST', '/v2/members', '{"peerURLs":[-]}'),
    json('POST', '/v2/members', '{"peerURLs":[1.]}'),
    json('POST', '/v2/members', '{"peerURLs":[1e]}'),
    json('POST', '/v2/members', '{', 'application/json; charset=utf-8'),
    json('POST', '/v2/members', '{', 'application/json; bad parameter'),
  ),
  scenario(
    'POST /v2/members: JSON of the wrong shape',
    json('POST', '/v2/members', '[]'),
    json('POST', '/v2/members', '"x"'),
    json('POST', '/v2/members', '1'),
    json('POST', '/v2/members', 'true'),
    json('POST', '/v2/members', 'null'),
    json('POST', '/v2/members', '{}'),
    json('POST', '/v2/members', '{"peerURLs":null}'),
    json('POST', '/v2/members', '{"peerURLs":[]}'),
    json('POST', '/v2/members', '{"peerURLs":"x"}'),
    json('POST', '/v2/members', '{"peerURLs":{}}'),
    json('POST', '/v2/members', '{"peerURLs":[1]}'),
    json('POST', '/v2/members', '{"peerURLs":[true]}'),
    json('POST', '/v2/members', '{"peerURLs":[1,2],"peerURLs":["x"]}'),
    json('POST', '/v2/members', '{"peerURLs":["http://127.0.0.1:9"],"peerurls":[]}'),
  ),
  scenario(
    'POST /v2/members: peer URLs etcd refuses',
    json('POST', '/v2/members', '{"peerURLs":["bad"]}'),
    json('POST', '/v2/members', '{"peerURLs":["ftp://a:1"]}'),
    json('POST', '/v2/members', '{"peerURLs":["http://127.0.0.1"]}'),
    json('POST', '/v2/members', '{"peerURLs":["http://127.0.0.1:9/"]}'),
    json('POST', '/v2/members', '{"peerURLs":["http://127.0.0.1:9/path"]}'),
    json('POST', '/v2/members', '{"peerURLs":["http://127.0.0.1:abc"]}'),
    json('POST', '/v2/members', '{"peerURLs":["://x"]}'),
    json('POST', '/v2/members', '{"peerURLs":["http://127.0.0.1:9","bad"]}'),
  ),
  scenario(
    'PUT /v2/members/<id>: no id, unknown ids, bad bodies',
    json('PUT', '/v2/members', '{"peerURLs":["http://127.0.0.1:9"]}'),
    json('PUT', '/v2/members/', '{"peerURLs":["http://127.0.0.1:9"]}'),
    json('PUT', '/v2/members/1234', '{"peerURLs":["http://127.0.0.1:9"]}'),
    json('PUT', '/v2/members/xyz', '{"peerURLs":["http://127.0.0.1:9"]}'),
    json('PUT', '/v2/members/0000ABCD', '{"peerURLs":["http://127.0.0.1:9"]}'),
    json('PUT', '/v2/members/leader', '{"peerURLs":["http://127.0.0.1:9"]}'),
    json('PUT', '/v2/members/1234', '{'),
    json('PUT', '/v2/members/1234', '{}'),
    json('PUT', '/v2/members/1234', '{"peerURLs":["bad"]}'),
    json('PUT', '/v2/members/1234', '{"peerURLs":["http://127.0.0.1:9"]}', 'text/plain'),
  ),
  scenario(
    'DELETE /v2/members/<id>: no id, bad and unknown ids',
    del('/v2/members'),
    del('/v2/members/'),
    del('/v2/members/xyz'),
    del('/v2/members/00001234'),
    del('/v2/members/10000000000000000'),
  ),
];

export const scenarios: readonly Scenario[] = [
  ...basics,
  ...listings,
  ...conditions,
  ...noValue,
  ...directories,
  ...inOrder,
  ...ttls,
  ...validation,
  ...paths,
  ...methods,
  ...watches,
  ...quorum,
  ...bursts,
  ...endpoints,
  ...statisticsQuirks,
  ...membership,
];
