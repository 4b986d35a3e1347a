// The same question from a plain Node script: folder paths instead of URLs, WASM by default.
import { createRag } from '@rag-web/rag';

const [model, knowledgeBase, question] = process.argv.slice(2);
const rag = await createRag({ model, knowledgeBase, device: 'wasm' });
const { text, sources } = await rag.ask(question);
await rag.dispose();
process.stdout.write(JSON.stringify({ text, sources, device: rag.device }));
