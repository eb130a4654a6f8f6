/**
 * The registry's web page. Plain HTML and script, no build step: it lists
 * repositories (search and sort), and for a repository its tags with digest,
 * size, created date and layers, with tag deletion when the registry allows
 * deletes. Browsers ask for the htpasswd login themselves on the 401.
 * Everything shown is set through textContent, never as HTML.
 */
export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>berth registry</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
  h1 { font-size: 1.4em; margin: 0 0 1em; }
  .bar { display: flex; gap: 1em; margin-bottom: 1em; align-items: center; }
  input, select, button { font: inherit; padding: 0.3em 0.5em; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 0.35em 0.7em; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { background: #f4f4f4; }
  a { color: #0550ae; cursor: pointer; text-decoration: none; }
  code { font-size: 12px; }
  .layers { margin: 0; padding-left: 1.2em; font-size: 12px; }
  #error { color: #b00020; }
  #status { color: #666; }
</style>
</head>
<body>
<h1>berth registry</h1>
<div id="error" role="alert"></div>
<section id="repositories">
  <div class="bar">
    <input id="search" type="search" placeholder="Search repositories" aria-label="Search repositories">
    <label>Sort <select id="sort" aria-label="Sort">
      <option value="name">name (A–Z)</option>
      <option value="name-desc">name (Z–A)</option>
      <option value="tags">most tags</option>
    </select></label>
    <span id="status"></span>
  </div>
  <table id="repo-table"><thead><tr><th>Repository</th><th>Tags</th></tr></thead><tbody></tbody></table>
</section>
<section id="repository" hidden>
  <div class="bar"><a id="back">&larr; all repositories</a><h2 id="repo-name"></h2></div>
  <table id="tag-table"><thead><tr><th>Tag</th><th>Digest</th><th>Size</th><th>Created</th><th>Layers</th><th></th></tr></thead><tbody></tbody></table>
</section>
<script>
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
const state = { repos: [], settings: { deleteEnabled: false } };
const $ = (id) => document.getElementById(id);

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  Object.assign(node, attrs || {});
  return node;
}

function showError(message) { $('error').textContent = message; }

async function api(path, options) {
  const res = await fetch(path, options);
  if (!res.ok) {
    let message = res.status + ' ' + res.statusText;
    try { const body = await res.json(); if (body.errors) message = body.errors.map((e) => e.code + ': ' + e.message).join('; '); } catch (e) {}
    throw new Error(message);
  }
  return res;
}

async function listAll(path, key) {
  const out = [];
  let next = path;
  while (next) {
    const res = await api(next);
    out.push(...((await res.json())[key] || []));
    const link = res.headers.get('Link');
    const m = link && link.match(/<([^>]+)>/);
    next = m ? m[1] : null;
  }
  return out;
}

function humanSize(bytes) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (bytes >= 1000 && i < units.length - 1) { bytes /= 1000; i++; }
  return (i === 0 ? bytes : bytes.toFixed(1)) + ' ' + units[i];
}

async function loadRepositories() {
  $('status').textContent = 'loading…';
  const names = await listAll('/v2/_catalog?n=1000', 'repositories');
  state.repos = await Promise.all(names.map(async (name) => {
    const tags = await listAll('/v2/' + name + '/tags/list', 'tags').catch(() => []);
    return { name, tags };
  }));
  $('status').textContent = state.repos.length + ' repositories';
  renderRepositories();
}

function renderRepositories() {
  const term = $('search').value.trim().toLowerCase();
  const sort = $('sort').value;
  const rows = state.repos.filter((r) => r.name.includes(term));
  rows.sort((a, b) => sort === 'tags' ? b.tags.length - a.tags.length || a.name.localeCompare(b.name)
    : sort === 'name-desc' ? b.name.localeCompare(a.name) : a.name.localeCompare(b.name));
  const body = $('repo-table').tBodies[0];
  body.replaceChildren(...rows.map((r) => {
    const tr = el('tr');
    tr.dataset.repository = r.name;
    const cell = el('td');
    cell.append(el('a', r.name, { onclick: () => { location.hash = '#/' + r.name; } }));
    tr.append(cell, el('td', String(r.tags.length)));
    return tr;
  }));
}

async function describeTag(name, tag) {
  const res = await api('/v2/' + name + '/manifests/' + encodeURIComponent(tag), { headers: { Accept: MANIFEST_TYPES } });
  const digest = res.headers.get('Docker-Content-Digest');
  const manifest = await res.json();
  if (manifest.manifests) {
    const platforms = manifest.manifests.map((m) => m.platform ? m.platform.os + '/' + m.platform.architecture : m.digest.slice(7, 19));
    return { digest, size: manifest.manifests.reduce((s, m) => s + m.size, 0), created: '', layers: platforms.map((p) => 'platform ' + p) };
  }
  const layers = manifest.layers || [];
  const size = layers.reduce((s, l) => s + l.size, manifest.config ? manifest.config.size : 0);
  let created = '';
  try {
    const config = await (await api('/v2/' + name + '/blobs/' + manifest.config.digest)).json();
    created = config.created ? new Date(config.created).toISOString().replace('T', ' ').replace(/\\.\\d+Z$/, 'Z') : '';
  } catch (e) {}
  return { digest, size, created, layers: layers.map((l) => l.digest.slice(0, 19) + '… ' + humanSize(l.size)) };
}

async function showRepository(name) {
  $('repositories').hidden = true;
  $('repository').hidden = false;
  $('repo-name').textContent = name;
  const body = $('tag-table').tBodies[0];
  body.replaceChildren();
  const tags = await listAll('/v2/' + name + '/tags/list', 'tags');
  for (const tag of tags) {
    const info = await describeTag(name, tag);
    const tr = el('tr');
    tr.dataset.tag = tag;
    const layers = el('ul', undefined, { className: 'layers' });
    layers.append(...info.layers.map((l) => el('li', l)));
    const layerCell = el('td');
    layerCell.append(layers);
    const digestCell = el('td');
    digestCell.append(el('code', info.digest));
    const actions = el('td');
    if (state.settings.deleteEnabled) {
      actions.append(el('button', 'Delete', { className: 'delete', onclick: () => deleteTag(name, tag) }));
    }
    tr.append(el('td', tag, { className: 'tag' }), digestCell, el('td', humanSize(info.size), { className: 'size' }),
      el('td', info.created, { className: 'created' }), layerCell, actions);
    body.append(tr);
  }
}

async function deleteTag(name, tag) {
  if (!confirm('Delete tag ' + name + ':' + tag + '?')) return;
  try {
    await api('/v2/' + name + '/manifests/' + encodeURIComponent(tag), { method: 'DELETE' });
    await showRepository(name);
  } catch (e) { showError('Could not delete ' + tag + ': ' + e.message); }
}

async function route() {
  showError('');
  const name = decodeURIComponent(location.hash.replace(/^#\\/?/, ''));
  try {
    if (name) { await showRepository(name); return; }
    $('repository').hidden = true;
    $('repositories').hidden = false;
    await loadRepositories();
  } catch (e) { showError(e.message); }
}

$('search').addEventListener('input', renderRepositories);
$('sort').addEventListener('change', renderRepositories);
$('back').addEventListener('click', () => { location.hash = ''; });
window.addEventListener('hashchange', route);
api('/ui/settings.json').then((r) => r.json()).then((s) => { state.settings = s; }).catch(() => {}).finally(route);
</script>
</body>
</html>
`;
