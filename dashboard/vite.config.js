import { defineConfig } from 'vite';

// The dashboard is built into dashboard/dist and served by the service (src/api/routes/dashboard.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
});
