/** Docker images of the backing services: used by the testcontainers harness and by docker-compose.yml. */
export const images = {
  kafka: 'apache/kafka:3.9.1',
  registry: 'apicurio/apicurio-registry:3.0.9',
  postgres: 'postgres:16-alpine',
} as const;
