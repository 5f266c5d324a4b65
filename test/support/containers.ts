/**
 * The same three backing services in Docker, for machines that have a Docker engine
 * (the harness prefers this over the local Java scripts there). docker-compose.yml
 * uses the same images; a test keeps the two in step.
 */
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { images } from './images.js';
import { freePort } from './ports.js';

export interface ContainerServices {
  readonly kafkaBrokers: string;
  readonly registryUrl: string;
  readonly databaseUrl: string;
  stop(): Promise<void>;
}

/** Kafka advertises the address clients must use, so host and container port are the same free port. */
async function startKafka(): Promise<{ container: StartedTestContainer; brokers: string }> {
  const port = await freePort();
  const container = await new GenericContainer(images.kafka)
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://0.0.0.0:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withExposedPorts({ container: port, host: port })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start();
  return { container, brokers: `localhost:${port}` };
}

export async function startContainers(): Promise<ContainerServices> {
  const [kafka, registry, postgres] = await Promise.all([
    startKafka(),
    new GenericContainer(images.registry)
      .withEnvironment({
        APICURIO_REST_DELETION_ARTIFACT_ENABLED: 'true',
        APICURIO_REST_DELETION_ARTIFACT_VERSION_ENABLED: 'true',
        APICURIO_REST_DELETION_GROUP_ENABLED: 'true',
      })
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
      .withStartupTimeout(120_000)
      .start(),
    new GenericContainer(images.postgres)
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'hma_test' })
      .withExposedPorts(5432)
      // The image's init runs a temporary server first; the second "ready" line is the real one.
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .withStartupTimeout(120_000)
      .start(),
  ]);
  return {
    kafkaBrokers: kafka.brokers,
    registryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
    databaseUrl: `postgres://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/hma_test`,
    async stop() {
      await Promise.all([kafka.container.stop(), registry.stop(), postgres.stop()]);
    },
  };
}
