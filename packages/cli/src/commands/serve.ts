import { SERVER_DEFAULTS, serveRetrieval } from '@rag-web/remote/server';
import { choiceValue, intValue, requiredString, stringValue, type ParsedValues } from '../cli-options.js';
import { out, type Command } from '../command.js';
import { UsageError } from '../errors.js';
import { INDEX_KINDS, SEARCH_INDEX_OPTION } from '../kb-folder-files.js';
import { KB_NAME_OPTION, openKnowledgeBase } from '../knowledge-base-arg.js';

const DEFAULT_PORT = 8765;

export const serveCommand: Command = {
  spec: {
    name: 'serve',
    brief: 'serve a knowledge base over HTTP to RemoteRetriever',
    summary:
      'Serve a knowledge base over HTTP (GET /health, POST /retrieve with question vectors) so that a page encodes questions ' +
      'and generates locally while retrieval runs here (@rag-web/remote: RemoteRetriever). Runs until SIGINT or SIGTERM.',
    usage: 'rag serve --kb KB_DIR|postgres://… [--kb-name NAME] [--port N] [--host H] [--cors ORIGINS] [--max-docs N] [--max-batch N] [--max-body BYTES]',
    options: [
      { name: 'kb', value: 'KB_DIR|postgres://…', required: true, description: 'knowledge-base folder written by rag index, or a Postgres database with pgvector' },
      KB_NAME_OPTION,
      SEARCH_INDEX_OPTION,
      { name: 'port', value: 'N', description: 'TCP port (0: any free port)', default: String(DEFAULT_PORT) },
      { name: 'host', value: 'H', description: 'address to bind; 0.0.0.0 serves other machines too', default: '127.0.0.1 (this machine only)' },
      { name: 'cors', value: 'ORIGINS', description: "comma-separated origins whose pages may call the server (https://app.example,http://localhost:5173), or '*'", default: 'none' },
      { name: 'max-docs', value: 'N', description: 'most nDocs a request may ask for', default: String(SERVER_DEFAULTS.maxDocs) },
      { name: 'max-batch', value: 'N', description: 'most questions in one request', default: String(SERVER_DEFAULTS.maxBatch) },
      { name: 'max-body', value: 'BYTES', description: 'largest request body (refused with 413 without reading the rest)', default: String(SERVER_DEFAULTS.maxBodyBytes) },
    ],
    notes: [
      'Output: one line once the port is bound, rag serve: NAME (COUNT passages × DIMENSION) on http://HOST:PORT.',
      'Protocol, error replies and the browser client: packages/remote/README.md.',
    ],
  },

  async run(values: ParsedValues): Promise<void> {
    const port = intValue(values, 'port', 0) ?? DEFAULT_PORT;
    if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    const options = {
      port,
      host: stringValue(values, 'host') ?? '127.0.0.1',
      cors: corsFlag(stringValue(values, 'cors')),
      maxDocs: intValue(values, 'max-docs', 1),
      maxBatch: intValue(values, 'max-batch', 1),
      maxBodyBytes: intValue(values, 'max-body', 1),
    };
    const source = await openKnowledgeBase(requiredString(values, 'kb'), { index: choiceValue(values, 'index', INDEX_KINDS), name: stringValue(values, 'kb-name') });
    try {
      // Listening for the signals before the line is out: whoever waits for the line may stop the server at once.
      const stop = new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      const server = await serveRetrieval(source, options);
      out(`rag serve: ${source.name} (${await source.count()} passages × ${source.dimension}) on ${server.url}`);
      await stop;
      await server.close();
    } finally {
      await source.close();
    }
  },
};


/** `--cors`: a comma-separated list (each entry is checked by the server: an origin, or `*`). */
function corsFlag(raw: string | undefined): string[] | false {
  if (raw === undefined) return false;
  const origins = raw.split(',').map((o) => o.trim()).filter((o) => o !== '');
  if (origins.length === 0) throw new UsageError('--cors needs at least one origin');
  return origins;
}
