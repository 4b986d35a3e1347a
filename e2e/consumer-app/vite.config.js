import { ragWebVite } from '@rag-web/models/vite';
import { defineConfig } from 'vite';

export default defineConfig({ plugins: [ragWebVite()] });
