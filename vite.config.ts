// The dashboard's build (`npm run build:web`): web/ -> dist/web, served by src/api (startApi).
// Everything is bundled: no CDN, no external font; the page needs nothing but its own origin.
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'web',
  base: '/',
  plugins: [preact({ devtoolsInProd: false, prefreshEnabled: false })],
  build: { outDir: '../dist/web', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  // `vite web` during development: the API of a running `couchmesh run` on its default port
  server: { proxy: { '/api': 'http://127.0.0.1:8384', '/metrics': 'http://127.0.0.1:8384' } },
});
