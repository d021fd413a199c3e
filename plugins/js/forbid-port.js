// `forbid-port`: a topolint rule plugin written in JavaScript, built into a WebAssembly
// component with componentize-js (`node build.mjs forbid-port.js forbid-port.wasm`).
//
// The component exports the `topolint:plugin/rules@1.0.0` interface of wit/plugin.wit as
// the `rules` object: records are objects with camelCase fields, enums are strings,
// `option<T>` is `T | undefined`. `check` returns the findings; to return `err(message)`,
// throw an object with a `payload` (jco's convention; a thrown `Error` itself cannot be
// turned into the `string` of the `err` and traps).
//
// Options (topolint.toml `options = { ports = [8080, 8443] }`): the forbidden ports,
// 8080 by default.

const RULE = 'forbid-port';

const DOCS = `## What it does
Reports services — compose services and Kubernetes Services — that listen on, or publish, a
port the team does not allow (8080 unless the plugin's \`ports\` option lists others).

## Why is this bad?
Ports are a shared namespace: a service on 8080 collides with the sidecars, debug proxies
and admin endpoints that conventionally take it, and a firewall or NetworkPolicy written for
the agreed ports silently drops its traffic.

## Example
\`\`\`yaml
services:
  api:
    image: ghcr.io/acme/api:2.4.1
    expose: ["8080"]
\`\`\`

## How to fix
Move the service to an allowed port and update its callers (nginx \`proxy_pass\`, Ingress
backends) in the same change.
`;

/** Thrown from `check`: becomes its `err`, a `plugin-error` quoting the message. */
class PluginError {
  constructor(message) {
    this.payload = message;
  }
}

function span(s) {
  return { file: s.file, start: s.start, end: s.end };
}

export const rules = {
  metadata() {
    return {
      name: 'forbid-port',
      version: '1.0.0',
      rules: [
        {
          id: RULE,
          defaultSeverity: 'warning',
          summary: 'a service uses a port the team does not allow',
          docs: DOCS,
        },
      ],
    };
  },

  check(topology, options) {
    try {
      return check(JSON.parse(topology), JSON.parse(options || '{}'));
    } catch (e) {
      // A bug (a TypeError, say) becomes an `err` with its message and stack rather than
      // a trap without one.
      throw e instanceof PluginError ? e : new PluginError(`${e}\n${e.stack ?? ''}`.trim());
    }
  },
};

function check(model, opts) {
  if (model.schema !== 1) {
    throw new PluginError(`the model document has schema ${model.schema}, this plugin reads schema 1`);
  }
  const ports = opts.ports ?? [8080];
  if (!Array.isArray(ports) || !ports.every((p) => Number.isInteger(p))) {
    throw new PluginError('invalid options: `ports` must be a list of port numbers');
  }
  const findings = [];
  for (const service of model.services ?? []) {
    for (const port of service.ports ?? []) {
      const hits = [];
      if (ports.includes(port.port)) hits.push(['uses', port.port]);
      if (port.published != null && port.published !== port.port && ports.includes(port.published)) {
        hits.push(['publishes', port.published]);
      }
      for (const [verb, number] of hits) {
        findings.push({
          rule: RULE,
          severity: undefined,
          message: `service \`${service.name}\` ${verb} port ${number}, which this team does not allow`,
          help: `move \`${service.name}\` to an allowed port (forbidden: ${ports.join(', ')})`,
          primary: { span: span(port.span), message: `port ${number}` },
          secondary: [{ span: span(service.span), message: `\`${service.name}\` is declared here` }],
        });
      }
    }
  }
  return findings;
}
