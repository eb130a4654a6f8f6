import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goMarshalsJson, goMethod, goNilSlice, goStruct, renderTemplate } from './template.js';
import { renderRows } from './formatter.js';

const data = { Config: { Cmd: ['sh'], Env: [], Labels: { b: '2', a: '1' } }, RepoTags: ['busybox:latest', 'x:1'], Size: 1982780, Nil: null };

test('fields print with Go formatting', () => {
  assert.equal(renderTemplate('{{.Config.Cmd}} {{.Config.Env}} {{.Config.Labels}} {{.Size}} {{.Nil}}', data), '[sh] [] map[a:1 b:2] 1982780 <nil>');
  assert.equal(renderTemplate('{{.Missing}}', data), '<no value>');
});

test('json, join, index, case functions', () => {
  assert.equal(renderTemplate('{{json .Config}}', data), '{"Cmd":["sh"],"Env":[],"Labels":{"a":"1","b":"2"}}');
  assert.equal(renderTemplate('{{json "<a&b>"}}', data), '"<a&b>"');
  assert.equal(renderTemplate('{{join .RepoTags ","}}', data), 'busybox:latest,x:1');
  assert.equal(renderTemplate('{{index .Config.Labels "a"}} {{index .RepoTags 1}}', data), '1 x:1');
  assert.equal(renderTemplate('{{upper "ab"}} {{lower "AB"}} {{title "hello world"}}', data), 'AB ab Hello World');
  assert.equal(renderTemplate('{{println "a" "b"}}', data), 'a b\n');
  assert.equal(renderTemplate('{{.Size | printf "%d!"}}', data), '1982780!');
});

test('range, if/else, with, variables and trim markers', () => {
  assert.equal(renderTemplate('{{range .RepoTags}}[{{.}}]{{end}}', data), '[busybox:latest][x:1]');
  assert.equal(renderTemplate('{{range $i, $t := .RepoTags}}{{$i}}={{$t}} {{end}}', data), '0=busybox:latest 1=x:1 ');
  assert.equal(renderTemplate('{{range $k, $v := .Config.Labels}}{{$k}}{{$v}}{{end}}', data), 'a1b2');
  assert.equal(renderTemplate('{{if .Config.Env}}yes{{else}}no{{end}}', data), 'no');
  assert.equal(renderTemplate('{{if eq .Size 1}}one{{else if .Config.Cmd}}cmd{{else}}none{{end}}', data), 'cmd');
  assert.equal(renderTemplate('{{with .Config}}{{.Cmd}}{{end}}', data), '[sh]');
  assert.equal(renderTemplate('a  {{- "b" -}}  c', data), 'abc');
  assert.equal(renderTemplate('{{range .Nil}}x{{else}}empty{{end}}', data), 'empty');
});

test('errors read like Go', () => {
  assert.throws(() => renderTemplate('{{.Nope}}', goStruct({ A: 1 }, '*formatter.imageContext')), {
    message: 'template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.imageContext',
  });
  assert.throws(() => renderTemplate('{{.Nope}}', {}, { missingKeyError: true }), { message: /map has no entry for key "Nope"/ });
  assert.throws(() => renderTemplate('{{.Config.Nil.X}}', { Config: { Nil: null } }), { message: 'template: :1:2: executing "" at <.Config.Nil.X>: nil pointer evaluating interface {}.X' });
  assert.throws(() => renderTemplate('{{.Size.X}}', data), { message: 'template: :1:2: executing "" at <.Size.X>: can\'t evaluate field X in type int' });
  assert.throws(() => renderTemplate('{{.ID', {}), { message: 'template: :1: unclosed action' });
  assert.throws(() => renderTemplate('{{nofunc .}}', {}), { message: /function "nofunc" not defined/ });
});

test('table format renders a header from the same template', () => {
  const rows = [goStruct({ ID: 'abc', Repository: 'busybox' }, 'row')];
  const out = renderRows('table {{.Repository}}\\t{{json .ID}}', rows, { Repository: 'REPOSITORY', ID: 'IMAGE ID' });
  assert.equal(out, 'REPOSITORY   IMAGE ID\nbusybox      "abc"\n');
  assert.equal(renderRows('json', rows, {}), '{"ID":"abc","Repository":"busybox"}\n');
});

test('methods with arguments, nil slices and json.Marshal escaping', () => {
  const row = goMarshalsJson(goMethod(goStruct({ Ports: '1->2', None: goNilSlice() }, 'ctx'), 'Label', (name: string) => `<${name}>`));
  assert.equal(renderTemplate('{{.Label "a"}} {{.None}} {{if .None}}x{{end}}', row), '<a> [] ');
  assert.equal(renderTemplate('{{json .}}', row), '{"Ports":"1-\\u003e2","None":null}');
  assert.throws(() => renderTemplate('{{.Label}}', row), /wrong number of args for Label: want 1 got 0/);
  assert.equal(renderRows('table {{.Label "com.example.my-key"}}\t{{.Ports}}', [row], { Ports: 'PORTS' }), 'my key                 PORTS\n<com.example.my-key>   1->2\n');
});
