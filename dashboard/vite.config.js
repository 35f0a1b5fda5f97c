import { defineConfig } from 'vite';

// The dashboard is built into dashboard/dist and served by the service (src/api/routes/dashboard.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  // The workflow graph is laid out in a module worker, a file of its own under /assets/.
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
});
