/** S3's baseline: a Fastify hello-world with the same runtime and logger level as server.ts. */
import Fastify from 'fastify';

const app = Fastify({ logger: { level: 'warn' } });
app.get('/hello', async () => ({ hello: 'world' }));
app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' }).then(
  (url) => console.log(`listening ${url}`),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
