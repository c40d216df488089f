// docs/openapi.json as a checker of real responses: which documented operation a request is,
// whether its status is documented for that operation, and whether its JSON body and headers
// match the documented response (JSON Schema 2020-12 by Ajv, the schema language of OpenAPI 3.1).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const SPEC_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'openapi.json');
const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'];

/** The parsed docs/openapi.json. */
export const spec = JSON.parse(readFileSync(SPEC_FILE, 'utf8'));

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, 'openapi');

function resolve(obj) {
  let o = obj;
  while (o && o.$ref) {
    const parts = o.$ref.replace(/^#\//, '').split('/');
    o = parts.reduce((x, k) => x[k], spec);
  }
  return o;
}

function pathRegex(template) {
  const escaped = template.split(/(\{[^}]+\})/).map((part) => (part.startsWith('{')
    ? (template.startsWith('/assets/') ? '.+' : '[^/]+')
    : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${escaped.join('')}$`);
}

const operations = [];
for (const [template, item] of Object.entries(spec.paths)) {
  for (const method of METHODS) {
    if (item[method]) operations.push({ method, template, op: item[method], re: pathRegex(template) });
  }
}
// Exact templates first, so /api/auth/sessions/revoke_others wins over /api/auth/sessions/{id}.
operations.sort((a, b) => (a.template.includes('{') ? 1 : 0) - (b.template.includes('{') ? 1 : 0));

/** Every documented (method, path template) pair, e.g. {method: 'delete', template: '/api/auth/sessions/{id}'}. */
export function documentedOperations() {
  return operations.map(({ method, template, op }) => ({ method, template, op }));
}

/** The documented operation of a request (method as sent, path with its query), or null. */
export function operationOf(method, requestPath) {
  const m = method.toLowerCase();
  const p = requestPath.split('?')[0];
  return operations.find((o) => o.method === m && o.re.test(p)) || null;
}

/**
 * Problems of one response (from tests/support/http.mjs's responseLog) against the document:
 * [] when it is documented and matches. Requests that match no documented operation give
 * [] too (unknown paths are the fallback's business); use operationOf to tell.
 */
export function checkResponse(res) {
  const found = operationOf(res.method, res.path);
  if (!found) return [];
  const where = `${res.method} ${res.path} -> ${res.status}`;
  const documented = found.op.responses[String(res.status)];
  if (!documented) return [`${where}: status ${res.status} not documented for ${found.method} ${found.template}`];
  // A JSON pointer to the response object, through its $ref if it has one.
  const pointer = documented.$ref
    || `#/paths/${found.template.replace(/~/g, '~0').replace(/\//g, '~1')}/${found.method}/responses/${res.status}`;
  const r = resolve(documented);
  const problems = [];
  const content = r.content || {};
  const json = content['application/json'];
  if (json) {
    if (!/^application\/json\b/i.test(res.headers['content-type'] || '')) problems.push(`${where}: Content-Type "${res.headers['content-type']}" is not application/json`);
    const validate = ajv.getSchema(`openapi${pointer}/content/application~1json/schema`);
    if (!validate(res.body)) problems.push(`${where}: body ${res.text.slice(0, 200)} does not match: ${ajv.errorsText(validate.errors)}`);
  } else if (content['text/html'] && !/^text\/html\b/i.test(res.headers['content-type'] || '')) {
    problems.push(`${where}: Content-Type "${res.headers['content-type']}" is not text/html`);
  }
  for (const name of Object.keys(r.headers || {})) {
    if (res.headers[name.toLowerCase()] === undefined) problems.push(`${where}: documented header ${name} missing`);
  }
  return problems;
}
