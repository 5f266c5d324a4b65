/**
 * Fetching the services' Java artifacts from Maven Central with the machine's `mvn`.
 * Jars stay in ~/.m2; what we derive from them (a classpath file, an unpacked
 * assembly) goes to CACHE_DIR, so a warm start never runs Maven at all.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MavenCoordinate {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
  readonly type?: string;
  readonly classifier?: string;
}

async function mvn(args: readonly string[], cwd: string): Promise<void> {
  try {
    await run('mvn', ['-B', '-q', ...args], { cwd, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('Maven (`mvn`) is not on PATH; it is needed once to fetch Kafka and the registry');
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').filter((l) => l.includes('ERROR')).slice(0, 5);
    throw new Error(`mvn ${args.slice(0, 1).join(' ')} failed:\n${output.join('\n') || e.message}`);
  }
}

function dependencyXml(c: MavenCoordinate): string {
  const opt = (tag: string, v: string | undefined) => (v ? `<${tag}>${v}</${tag}>` : '');
  return `    <dependency><groupId>${c.groupId}</groupId><artifactId>${c.artifactId}</artifactId><version>${c.version}</version>${opt('type', c.type)}${opt('classifier', c.classifier)}</dependency>`;
}

/**
 * The runtime classpath of `deps` and everything they need, cached in `dir/classpath.txt`.
 * The cache is trusted only while every jar it names still exists (~/.m2 may be wiped).
 */
export async function resolveClasspath(dir: string, deps: readonly MavenCoordinate[]): Promise<string> {
  const cpFile = path.join(dir, 'classpath.txt');
  if (existsSync(cpFile)) {
    const cached = (await readFile(cpFile, 'utf8')).trim();
    if (cached.length > 0 && cached.split(path.delimiter).every((jar) => existsSync(jar))) return cached;
  }
  await mkdir(dir, { recursive: true });
  const pom = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.hma-stream</groupId>
  <artifactId>${path.basename(dir)}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${deps.map(dependencyXml).join('\n')}
  </dependencies>
</project>
`;
  await writeFile(path.join(dir, 'pom.xml'), pom);
  await mvn(
    [
      'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath',
      '-Dmdep.includeScope=runtime',
      `-Dmdep.outputFile=${cpFile}`,
    ],
    dir,
  );
  return (await readFile(cpFile, 'utf8')).trim();
}

/**
 * Copies one artifact file (e.g. a tar.gz assembly) into `outDir` and returns its path.
 * Uses dependency plugin 2.8 on purpose: later versions insist on reading the artifact's
 * POM, and Apicurio's parent POM is not on Maven Central, while the assembly itself is.
 */
export async function fetchArtifact(c: MavenCoordinate, outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const coord = [c.groupId, c.artifactId, c.version, c.type ?? 'jar', c.classifier].filter(Boolean).join(':');
  await mvn(
    ['org.apache.maven.plugins:maven-dependency-plugin:2.8:copy', `-Dartifact=${coord}`, `-DoutputDirectory=${outDir}`],
    outDir,
  );
  const file = path.join(outDir, `${c.artifactId}-${c.version}${c.classifier ? `-${c.classifier}` : ''}.${c.type ?? 'jar'}`);
  if (!existsSync(file)) throw new Error(`mvn reported success but ${file} is missing`);
  return file;
}

/** Unpacks a .tar.gz into `dir` atomically enough: a marker file is written last. */
export async function unpackTarGz(archive: string, dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await run('tar', ['xzf', archive, '-C', dir]);
  await writeFile(path.join(dir, '.unpacked'), `${path.basename(archive)}\n`);
}
