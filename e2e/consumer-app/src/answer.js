// The README's first example, as an app that installed the packages from npm writes it.
import { createRag } from '@rag-web/rag';

export async function answer(question, device) {
  const rag = await createRag({ model: '/models/world-facts', knowledgeBase: '/kb/world-facts/', device });
  const { text, sources } = await rag.ask(question, { onText: (t) => console.warn(t) });
  await rag.dispose();
  return { text, sources, device: rag.device };
}
