import type Docker from 'dockerode';
import pg from 'pg';
import { INSTALLATION_LABEL } from '../../src/runner/image-builder.js';

/**
 * Removes from the Docker engine what the suite's installations left there: each test file's
 * service is an installation of its own (its database's), and a file that stops a worker
 * without its stop (a crash, a kill) leaves that worker's containers, volumes and kept networks
 * to a housekeeper of its installation that never comes. Left, they pile up run after run on a
 * developer's engine, and every network adds firewall rules that slow each later run's start (179
 * networks made a whole run 40 s slower here). Only objects labelled with one of the suite's
 * installations are touched: others sharing the engine are left alone.
 */
export async function removeEngineLeftovers(docker: Docker, postgresUrl: string): Promise<void> {
  const installations = await suiteInstallations(postgresUrl);
  if (installations.size === 0) return;
  const ours = (labels: Record<string, string> | null | undefined) =>
    installations.has(labels?.[INSTALLATION_LABEL] ?? '');
  const filters = { label: [INSTALLATION_LABEL] };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(
    containers
      .filter((c) => ours(c.Labels))
      .map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch(() => undefined),
      ),
  );
  const networks = await docker.listNetworks({ filters });
  for (const network of networks.filter((n) => ours(n.Labels))) {
    await docker
      .getNetwork(network.Id)
      .remove()
      .catch(() => undefined);
  }
  const { Volumes: volumes } = await docker.listVolumes({ filters });
  await Promise.all(
    (volumes ?? [])
      .filter((v) => ours(v.Labels))
      .map((v) =>
        docker
          .getVolume(v.Name)
          .remove()
          .catch(() => undefined),
      ),
  );
}

/** The installation ids of the suite's test databases (a database never started has none). */
async function suiteInstallations(postgresUrl: string): Promise<Set<string>> {
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  let names: string[];
  try {
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'tds\\_test\\_%'",
    );
    names = rows.map((row) => row.datname);
  } finally {
    await admin.end();
  }
  const ids = new Set<string>();
  for (const name of names) {
    const url = new URL(postgresUrl);
    url.pathname = `/${name}`;
    const client = new pg.Client({ connectionString: url.toString() });
    try {
      await client.connect();
      const { rows } = await client.query<{ id: string }>('SELECT id FROM installation');
      for (const row of rows) ids.add(row.id);
    } catch {
      // Not migrated, or dropped meanwhile: no installation of ours.
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return ids;
}
