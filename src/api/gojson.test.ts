import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GoSyntaxError, scanGoJson } from './gojson-scan.js';
import { decodeGo } from './gojson.js';
import { ExecConfig, NetworkCreateRequest, UpdateConfig, VolumeCreateBody } from './routes/body-types.js';
import type { GoType } from './gojson.js';

const decode = (text: string, type: GoType) => decodeGo(scanGoJson(text), type);
const typeError = (text: string, type: GoType) => {
  try {
    decode(text, type);
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};

describe('Go-style JSON decoding of request bodies', () => {
  it("gives Go's syntax errors, and reads only the first value as json.Decoder does", () => {
    assert.throws(() => scanGoJson(' '), (err) => err instanceof GoSyntaxError && err.message === 'EOF');
    assert.throws(() => scanGoJson('{'), { message: 'unexpected EOF' });
    assert.throws(() => scanGoJson('x'), { message: "invalid character 'x' looking for beginning of value" });
    assert.throws(() => scanGoJson('{"a" 1}'), { message: "invalid character '1' after object key" });
    assert.throws(() => scanGoJson('{"a":1 "b"}'), { message: `invalid character '"' after object key:value pair` });
    assert.throws(() => scanGoJson('[1 2]'), { message: "invalid character '2' after array element" });
    assert.throws(() => scanGoJson('{1:2}'), { message: "invalid character '1' looking for beginning of object key string" });
    assert.throws(() => scanGoJson('tru'), { message: 'unexpected EOF' });
    assert.throws(() => scanGoJson('nul!'), { message: "invalid character '!' in literal null (expecting 'l')" });
    assert.throws(() => scanGoJson('"a\u0001"'), { message: "invalid character '\\u0001' in string literal" });
    assert.throws(() => scanGoJson('['.repeat(200_000)), { message: /exceeded max depth|unexpected EOF/ });
    assert.deepEqual(decode('{"Name":"a"} trailing', VolumeCreateBody), { Name: 'a' });
  });

  it("names the field and Go type of a wrong-typed value as Go's encoding/json does", () => {
    assert.equal(typeError('[]', VolumeCreateBody), 'json: cannot unmarshal array into Go value of type volume.VolumeCreateBody');
    assert.equal(typeError('{"Labels":[]}', VolumeCreateBody), 'json: cannot unmarshal array into Go struct field VolumeCreateBody.Labels of type map[string]string');
    assert.equal(typeError('{"Labels":{"a":1}}', VolumeCreateBody), 'json: cannot unmarshal number into Go struct field VolumeCreateBody.Labels of type string');
    assert.equal(typeError('{"Name":1}', NetworkCreateRequest), 'json: cannot unmarshal number into Go struct field NetworkCreateRequest.Name of type string');
    assert.equal(typeError('{"IPAM":{"Config":[{"Subnet":1}]}}', NetworkCreateRequest), 'json: cannot unmarshal number into Go struct field IPAMConfig.IPAM.Config.Subnet of type string');
    assert.equal(typeError('{"Cmd":"ls"}', ExecConfig), 'json: cannot unmarshal string into Go struct field ExecConfig.Cmd of type []string');
    assert.equal(typeError('{"Cmd":[1]}', ExecConfig), 'json: cannot unmarshal number into Go struct field ExecConfig.Cmd of type string');
    assert.equal(typeError('{"Ulimits":{}}', UpdateConfig), 'json: cannot unmarshal object into Go struct field UpdateConfig.Ulimits of type []*units.Ulimit');
    assert.equal(typeError('{"Ulimits":[{"Name":1}]}', UpdateConfig), 'json: cannot unmarshal number into Go struct field Ulimit.Ulimits.Name of type string');
    assert.equal(typeError('{"RestartPolicy":{"Name":1}}', UpdateConfig), 'json: cannot unmarshal number into Go struct field RestartPolicy.RestartPolicy.Name of type string');
  });

  it('range-checks integers by their Go type, with the number as written', () => {
    assert.equal(typeError('{"Memory":1e30}', UpdateConfig), 'json: cannot unmarshal number 1e30 into Go struct field UpdateConfig.Memory of type int64');
    assert.equal(typeError('{"CpuShares":1.5}', UpdateConfig), 'json: cannot unmarshal number 1.5 into Go struct field UpdateConfig.CpuShares of type int64');
    assert.equal(typeError('{"Memory":9223372036854775808}', UpdateConfig), 'json: cannot unmarshal number 9223372036854775808 into Go struct field UpdateConfig.Memory of type int64');
    assert.equal(typeError('{"BlkioWeight":-1}', UpdateConfig), 'json: cannot unmarshal number -1 into Go struct field UpdateConfig.BlkioWeight of type uint16');
    assert.equal(typeError('{"BlkioWeight":65536}', UpdateConfig), 'json: cannot unmarshal number 65536 into Go struct field UpdateConfig.BlkioWeight of type uint16');
    // The largest values stay within int64 once JavaScript writes them out again (for runc).
    for (const text of ['9223372036854775807', '-9223372036854775808']) {
      const { Memory } = decode(`{"Memory":${text}}`, UpdateConfig) as { Memory: number };
      const written = BigInt(JSON.stringify(Memory));
      assert.ok(written <= 2n ** 63n - 1n && written >= -(2n ** 63n) && BigInt(text) - written < 4096n && written - BigInt(text) < 4096n, `${text} -> ${written}`);
    }
  });

  it('matches fields case-insensitively, drops unknown ones and nulls, and reads a null body as empty', () => {
    assert.deepEqual(decode('{"memory":7000000,"Foo":1,"CpusetCpus":null}', UpdateConfig), { Memory: 7000000 });
    assert.deepEqual(decode('null', UpdateConfig), {});
    assert.deepEqual(decode('{"Cmd":["a",null]}', ExecConfig), { Cmd: ['a', ''] });
  });
});
