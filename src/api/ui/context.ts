/** What every UI route module gets: the process's parts, and the page frame. */
import type { Config } from '../../config/config.js';
import type { Db } from '../../curation/db.js';
import type { MatchReplica } from '../../replica/replica.js';
import type { DevTools } from '../dev/tools.js';
import type { ClusterStatus } from './cluster.js';
import type { UiMatching } from './find.js';
import type { UiMedia } from './media.js';
import type { ResultsFeed } from './results-feed.js';
import type { Notice, PageFrame, PageKey } from './view.js';

export interface UiContext {
  readonly config: Config;
  readonly db: Db;
  /** Present when the process has the matcher role. */
  readonly matching?: UiMatching;
  readonly replica?: MatchReplica;
  readonly media: UiMedia;
  /** Present in development mode. */
  readonly dev?: DevTools;
  readonly cluster: ClusterStatus;
  readonly results: ResultsFeed;
  readonly processName: string;
  /** Epoch seconds this UI started. */
  readonly startedAt: number;
}

export const frame = (ctx: UiContext, page: PageKey, title: string, notices: readonly Notice[] = []): PageFrame => ({
  page,
  title,
  development: !ctx.config.PRODUCTION,
  notices,
});

export const nowS = (): number => Math.floor(Date.now() / 1000);
