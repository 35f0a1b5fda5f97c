/**
 * The benchmarks' S3-compatible server, in a process of its own (as S3 is, for the service), so
 * that serving S3 requests does not take time from the benchmark measuring the service.
 *
 *   npx node --import tsx bench/s3-server.ts <folder> <port>
 *
 * Prints `ready <endpoint>` once it listens; stops on SIGTERM.
 */
import { startEmbeddedS3 } from '../services/embedded/embedded-s3.js';
import { S3_CREDENTIALS } from './stack.js';

const [dir, port] = process.argv.slice(2);
if (!dir || !port) throw new Error('usage: s3-server.ts <folder> <port>');
const server = await startEmbeddedS3(dir, Number(port), S3_CREDENTIALS);
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
console.log(`ready ${server.endpoint}`);
