import { answer } from './answer.js';

self.onmessage = async (e) => {
  try {
    self.postMessage({ result: await answer(e.data.question, e.data.device) });
  } catch (err) {
    self.postMessage({ error: `${err.name}: ${err.message}` });
  }
};
