export { splitIntoPassages, type Passage, type RawDocument } from './passage-splitter.js';
